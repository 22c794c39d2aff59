"""Getters for plain answers: each returns the value in the form a check needs, or raises
:class:`~course_utils.checks._registry.CheckFailed` with a message that says what is there.

Examples
--------
>>> get_number(np.float32(2.5), "x")
2.5
>>> get_number({"__type__": "ellipsis"}, "x")
Traceback (most recent call last):
...
course_utils.checks._registry.CheckFailed: `x` is still `...`: replace it with your answer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.checks._plain import _BASE_DIR, type_of
from course_utils.checks._registry import CheckFailed

__all__ = ["first_image", "get_array", "get_axes", "get_figure", "get_number", "get_path",
           "get_string", "is_blank", "require"]

def is_blank(value: Any) -> bool:
    """True for an unanswered value: ``...``, missing, or None."""
    return value is None or type_of(value) in ("ellipsis", "missing")


def require(value: Any, name: str) -> None:
    tag = type_of(value)
    if tag == "ellipsis":
        raise CheckFailed(f"`{name}` is still `...`: replace it with your answer.")
    if tag == "missing":
        if value.get("after_stub") is True:
            raise CheckFailed(f"`{name}` is not defined: a code cell above still raises "
                              "NotImplementedError; replace that `raise` line with your code "
                              "and run the cell.")
        raise CheckFailed(f"`{name}` is not defined: run the cells above it, "
                          "and keep the variable name the task gives.")
    if tag == "error":
        raise CheckFailed(f"`{name}` could not be read ({value.get('message', '')}).")
    if value is None:
        raise CheckFailed(f"`{name}` is None: did a function forget to `return` its result?")


def _kind(value: Any) -> str:
    tag = type_of(value)
    if tag == "object":
        return f"a {value.get('class', 'object')}"
    if tag:
        return f"a {tag.replace('_', ' ')}"
    return f"a {type(value).__name__}"


def get_array(value: Any, name: str, ndim: int | None = None,
              shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``value`` as a numpy array (masked arrays stay masked), or a CheckFailed that says why."""
    require(value, name)
    if type_of(value) == "masked_array":
        array = np.ma.MaskedArray(value["data"], mask=value["mask"])
    elif isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, int, float, bool)):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailed(f"`{name}` should be an array of numbers, got a list that "
                              "numpy cannot turn into one.") from None
    else:
        raise CheckFailed(f"`{name}` should be a numpy array, got {_kind(value)}.")
    if ndim is not None and array.ndim != ndim:
        raise CheckFailed(f"`{name}` should have {ndim} dimensions, it has {array.ndim} "
                          f"(shape {tuple(array.shape)}).")
    if shape is not None and tuple(array.shape) != tuple(shape):
        raise CheckFailed(f"`{name}` has shape {tuple(array.shape)}; it should have the "
                          "shape of the image it was computed from.")
    return array


def get_number(value: Any, name: str) -> float:
    """``value`` as a finite float (a 0-d or 1-element array is fine)."""
    require(value, name)
    if isinstance(value, (bool, np.bool_)):
        raise CheckFailed(f"`{name}` should be a number, got a bool.")
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        value = value.reshape(()).item()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, np.number) and not np.iscomplexobj(value):
        value = value.item()
    if not isinstance(value, (int, float)):
        raise CheckFailed(f"`{name}` should be a number, got {_kind(value)}.")
    if not math.isfinite(value):
        raise CheckFailed(f"`{name}` is {value}: it should be a finite number.")
    return float(value)


def get_string(value: Any, name: str) -> str:
    """``value`` as a string."""
    require(value, name)
    if not isinstance(value, str):
        raise CheckFailed(f"`{name}` should be a string, got {_kind(value)}.")
    return value


def get_figure(value: Any, name: str) -> dict[str, Any]:
    """A described Figure; an Axes stands for the figure it is drawn in."""
    require(value, name)
    tag = type_of(value)
    if tag == "figure":
        return value
    if tag == "axes":
        context = value.get("figure") or {}
        return {"__type__": "figure", **context, "axes": [value]}
    raise CheckFailed(f"`{name}` should be a matplotlib Figure (from `plt.subplots()`), "
                      f"got {_kind(value)}.")


def get_axes(value: Any, name: str) -> dict[str, Any]:
    """A described Axes (with its figure's context under ``"figure"``).

    A Figure with exactly one plotting Axes (colorbars do not count) is accepted too.
    """
    require(value, name)
    tag = type_of(value)
    if tag == "axes":
        return value
    if tag == "figure":
        plotting = [ax for ax in value["axes"] if not ax["is_colorbar"]]
        if len(plotting) == 1:
            context = {key: item for key, item in value.items() if key not in ("axes",
                                                                               "__type__")}
            return {**plotting[0], "figure": context}
        raise CheckFailed(f"`{name}` is a figure with {len(plotting)} panels: "
                          "give the Axes the task asks for.")
    raise CheckFailed(f"`{name}` should be a matplotlib Axes (from `plt.subplots()`), "
                      f"got {_kind(value)}.")


def first_image(axes: dict[str, Any], name: str) -> dict[str, Any]:
    """The first image drawn on a described Axes (``imshow``), or a CheckFailed."""
    if not axes["images"]:
        raise CheckFailed(f"Nothing is drawn with `imshow` on `{name}` yet.")
    return axes["images"][0]


def get_path(value: Any, name: str, suffix: str | None = None) -> Path:
    """An existing file path given as a str or a Path."""
    require(value, name)
    if type_of(value) == "path":
        path = Path(value["path"])
    elif isinstance(value, str):
        path = Path(value)
        base = _BASE_DIR.get()
        if base is not None and not path.is_absolute():
            path = base / path  # the grader: relative to the learner's working folder
    else:
        raise CheckFailed(f"`{name}` should be a file path (str or pathlib.Path), "
                          f"got {_kind(value)}.")
    if suffix is not None and path.suffix.lower() != suffix.lower():
        raise CheckFailed(f"`{name}` should be a {suffix} file, got a name ending "
                          f"in {path.suffix or 'nothing'!r}.")
    if not path.is_file():
        raise CheckFailed(f"`{name}` names a file that does not exist: did the cell that "
                          "saves it run?")
    return path
