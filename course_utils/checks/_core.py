"""The checks framework: registered checks, plain-data extraction, safe answer files.

A check is a function of *plain data*: numbers, strings, lists, dicts and numpy arrays, with
matplotlib figures turned into a description of their artists (``describe_axes``). That is
what lets the grader run the checks outside the learner's kernel: the kernel only extracts
the named variables into plain data (``extract_to_file``); the grader loads that data
(``load_answers``, no pickle) and calls the pristine check in its own process.

In a notebook, calling a check (``checks.hu_from_header(hu)``) does the same extraction and
the same check in-process and prints one line of feedback.

Examples
--------
>>> checks = CheckList("00_example")
>>> @checks.add(points=1)
... def answer_is_two(answer):
...     '''The answer is 2.'''
...     if get_number(answer, "answer") != 2:
...         raise CheckFailed("`answer` is not 2 yet: count again.")
>>> checks.answer_is_two(2)
✔ answer_is_two: passed (1/1 point)
>>> checks.answer_is_two(...)
✘ answer_is_two: `answer` is still `...`: replace it with your answer.
>>> checks["answer_is_two"].run({"answer": 3}).passed
False
"""

from __future__ import annotations

import base64
import contextvars
import dataclasses
import inspect
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

__all__ = [
    "Check", "CheckFailed", "CheckList", "CheckResult",
    "to_plain", "describe_axes", "describe_figure",
    "extract_to_file", "dump_answers", "load_answers",
    "get_array", "get_number", "get_string", "get_axes", "get_path", "first_image",
    "is_blank", "type_of",
]

MAX_DEPTH = 8
MAX_ITEMS = 10_000                # longest list or dict kept
MAX_ARRAY_BYTES = 64 * 2**20      # per array
MAX_JSON_BYTES = 64 * 2**20       # per answers file
MAX_NPZ_BYTES = 256 * 2**20       # arrays of one answers file, on disk and unpacked

# Set while extracting a learner's variables for the grader (extract_to_file): a learner's dict
# that uses the framework's own tags ("__type__"...) is kept as key/value pairs, so a hand-made
# dict cannot pass for a described Axes, a blank, an array reference...
_UNTRUSTED: contextvars.ContextVar[bool] = contextvars.ContextVar("untrusted", default=False)
_RESERVED_KEYS = frozenset({"__type__", "__array__", "__float__"})
# Relative paths in answers are relative to the learner's working folder (set by the grader).
_BASE_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar("base_dir", default=None)
MAX_TEXT = 2_000                  # longest string kept


class CheckFailed(Exception):
    """Raised by a check: the message says what is wrong and hints at a fix, never the answer."""


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one answer."""

    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""

    def line(self) -> str:
        """One line of feedback for a person."""
        if self.passed:
            unit = "point" if self.max_points == 1 else "points"
            return f"✔ {self.name}: passed ({self.points:g}/{self.max_points:g} {unit})"
        return f"✘ {self.name}: {self.message}"


class Check:
    """One graded check: a function of plain data registered in a :class:`CheckList`.

    The function's parameter names are the notebook variables the grader extracts.
    """

    def __init__(self, func: Callable[..., Any], points: float, exercise: str):
        self.func = func
        self.name = func.__name__
        self.points = float(points)
        self.exercise = exercise
        self.params = tuple(inspect.signature(func).parameters)
        self.description = (inspect.getdoc(func) or "").split("\n", 1)[0]

    def verify(self, answers: dict[str, Any]) -> CheckResult:
        """Run the check on already-extracted plain data (what the grader does)."""
        kwargs = {name: answers.get(name, _MISSING) for name in self.params}
        try:
            self.func(**kwargs)
        except CheckFailed as failure:
            return CheckResult(self.name, False, 0.0, self.points, str(failure))
        except Exception as error:  # a malformed answer must not crash the grading
            return CheckResult(
                self.name, False, 0.0, self.points,
                f"could not check this answer ({type(error).__name__}): make sure "
                f"{_names(self.params)} hold what the task asks for (type and shape).")
        return CheckResult(self.name, True, self.points, self.points, "")

    def run(self, values: dict[str, Any]) -> CheckResult:
        """Extract live values to plain data, then verify (what a notebook check cell does)."""
        return self.verify({name: _safe_plain(values[name]) if name in values else _MISSING
                            for name in self.params})

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        values = dict(zip(self.params, args))
        values.update(kwargs)
        print(self.run(values).line())

    def __repr__(self) -> str:
        return f"<Check {self.exercise}.{self.name}({', '.join(self.params)}), {self.points:g} pt>"


class CheckList:
    """The checks of one exercise, in order; ``checks.name`` or ``checks["name"]``."""

    def __init__(self, exercise: str):
        self.exercise = exercise
        self._checks: dict[str, Check] = {}

    def add(self, points: float = 1) -> Callable[[Callable[..., Any]], Check]:
        """Decorator registering a check function worth ``points``."""
        if not (isinstance(points, (int, float)) and points > 0):
            raise ValueError(f"points must be a positive number, got {points!r}")

        def register(func: Callable[..., Any]) -> Check:
            check = Check(func, points, self.exercise)
            if check.name in self._checks:
                raise ValueError(f"{self.exercise}: two checks are called {check.name!r}")
            self._checks[check.name] = check
            return check
        return register

    def __getitem__(self, name: str) -> Check:
        try:
            return self._checks[name]
        except KeyError:
            raise KeyError(f"{self.exercise} has no check {name!r}; its checks are: "
                           f"{', '.join(self._checks)}") from None

    def __getattr__(self, name: str) -> Check:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._checks[name]
        except KeyError:
            raise AttributeError(f"{self.exercise} has no check {name!r}") from None

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    @property
    def max_points(self) -> float:
        return sum(check.points for check in self)

    @property
    def variables(self) -> list[str]:
        """Every notebook variable some check reads, in order, without repeats."""
        return list(dict.fromkeys(p for check in self for p in check.params))

    def __repr__(self) -> str:
        return f"<CheckList {self.exercise}: {', '.join(self._checks)}>"


# --------------------------------------------------------------------------- plain data

_MISSING = {"__type__": "missing"}


def type_of(value: Any) -> str | None:
    """The ``__type__`` tag of a plain value (``"axes"``, ``"ellipsis"``...) or None."""
    if isinstance(value, dict):
        tag = value.get("__type__")
        return tag if isinstance(tag, str) else None
    return None


def _names(params: tuple[str, ...]) -> str:
    return ", ".join(f"`{p}`" for p in params)


def _rgba(color: Any) -> list[float] | None:
    from matplotlib.colors import to_rgba
    try:
        return [float(c) for c in to_rgba(color)]
    except (TypeError, ValueError):
        return None


def _rgba_list(colors: Any) -> list[list[float]]:
    array = np.asarray(colors, dtype=float).reshape(-1, 4) if np.size(colors) else np.zeros((0, 4))
    return array.tolist()


def _dashes(collection: Any) -> list[Any]:
    """Dash patterns of a collection as plain lists: (offset, None) is a solid line."""
    out = []
    for offset, pattern in collection.get_linestyle():
        out.append([float(offset), None if pattern is None else [float(p) for p in pattern]])
    return out


def _describe_norm(norm: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"__type__": "norm", "type": type(norm).__name__,
                           "vmin": _num(norm.vmin), "vmax": _num(norm.vmax),
                           "clip": bool(getattr(norm, "clip", False))}
    for attribute in ("vcenter", "halfrange", "linthresh", "gamma"):
        if hasattr(norm, attribute):
            out[attribute] = _num(getattr(norm, attribute))
    if hasattr(norm, "boundaries"):
        out["boundaries"] = np.asarray(norm.boundaries, dtype=float)
    return out


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _describe_cmap(cmap: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"__type__": "colormap", "name": cmap.name, "N": int(cmap.N),
                           "type": type(cmap).__name__}
    out["bad"] = [float(c) for c in cmap.get_bad()]
    out["under"] = [float(c) for c in cmap.get_under()]
    out["over"] = [float(c) for c in cmap.get_over()]
    if cmap.N <= 256:
        out["colors"] = np.asarray(cmap(np.arange(cmap.N)), dtype=float)
    return out


def _describe_colorbar(colorbar: Any) -> dict[str, Any] | None:
    if colorbar is None:
        return None
    axis = colorbar.ax.yaxis if colorbar.orientation == "vertical" else colorbar.ax.xaxis
    return {"__type__": "colorbar", "extend": colorbar.extend,
            "orientation": colorbar.orientation, "label": axis.get_label().get_text(),
            "vmin": _num(colorbar.vmin), "vmax": _num(colorbar.vmax)}


def _describe_image(image: Any) -> dict[str, Any]:
    alpha = image.get_alpha()
    return {
        "__type__": "image",
        "array": to_plain(image.get_array()),
        "cmap": _describe_cmap(image.get_cmap()),
        "norm": _describe_norm(image.norm),
        "clim": [_num(v) for v in image.get_clim()],
        "alpha": None if alpha is None else (float(alpha) if np.ndim(alpha) == 0
                                             else np.asarray(alpha, dtype=float)),
        "interpolation": image.get_interpolation(),
        "interpolation_stage": getattr(image, "_interpolation_stage", None),
        "extent": [float(v) for v in image.get_extent()],
        "origin": image.origin,
        "zorder": float(image.get_zorder()),
        "visible": bool(image.get_visible()),
        "label": image.get_label(),
        "colorbar": _describe_colorbar(image.colorbar),
    }


def _describe_line(line: Any) -> dict[str, Any]:
    return {"__type__": "line", "label": line.get_label(), "color": _rgba(line.get_color()),
            "linestyle": line.get_linestyle(), "linewidth": float(line.get_linewidth()),
            "marker": str(line.get_marker()), "alpha": _num(line.get_alpha()),
            "xdata": to_plain(np.asarray(line.get_xdata(), dtype=float)),
            "ydata": to_plain(np.asarray(line.get_ydata(), dtype=float)),
            "visible": bool(line.get_visible())}


def _describe_collection(collection: Any) -> dict[str, Any]:
    from matplotlib.contour import ContourSet

    out: dict[str, Any] = {
        "__type__": "contour" if isinstance(collection, ContourSet) else "collection",
        "class": type(collection).__name__,
        "label": collection.get_label(),
        "edgecolors": _rgba_list(collection.get_edgecolor()),
        "facecolors": _rgba_list(collection.get_facecolor()),
        "linewidths": [float(w) for w in np.atleast_1d(collection.get_linewidth())],
        "dashes": _dashes(collection),
        "alpha": _num(collection.get_alpha()),
        "n_paths": len(collection.get_paths()),
        "visible": bool(collection.get_visible()),
        "colorbar": _describe_colorbar(getattr(collection, "colorbar", None)),
    }
    if isinstance(collection, ContourSet):
        out["levels"] = np.asarray(collection.levels, dtype=float)
        out["filled"] = bool(collection.filled)
        out["linestyles"] = to_plain(collection.linestyles)
        out["vertices"] = [to_plain(np.asarray(path.vertices, dtype=float))
                           for path in collection.get_paths()[:50]]
    array = collection.get_array()
    if array is not None:
        out["array"] = to_plain(array)
        out["cmap"] = _describe_cmap(collection.get_cmap())
        out["norm"] = _describe_norm(collection.norm)
        out["clim"] = [_num(v) for v in collection.get_clim()]
    return out


def _describe_patch(patch: Any) -> dict[str, Any]:
    out = {"__type__": "patch", "class": type(patch).__name__, "label": patch.get_label(),
           "facecolor": _rgba(patch.get_facecolor()), "edgecolor": _rgba(patch.get_edgecolor()),
           "linestyle": patch.get_linestyle(), "linewidth": float(patch.get_linewidth()),
           "alpha": _num(patch.get_alpha()), "fill": bool(patch.get_fill())}
    for attribute in ("center", "radius", "xy", "width", "height"):
        value = getattr(patch, f"get_{attribute}", None)
        if value is not None:
            try:
                out[attribute] = to_plain(value())
            except (TypeError, ValueError, AttributeError):
                pass
    return out


def _describe_text(text: Any) -> dict[str, Any]:
    from matplotlib.text import Annotation

    out = {"__type__": "text", "text": text.get_text()[:MAX_TEXT],
           "position": [_num(v) for v in text.get_position()],
           "color": _rgba(text.get_color()), "fontsize": float(text.get_fontsize()),
           "visible": bool(text.get_visible())}
    if isinstance(text, Annotation):
        out["__type__"] = "annotation"
        out["xy"] = [_num(v) for v in text.xy]
        out["xycoords"] = text.xycoords if isinstance(text.xycoords, str) else "other"
        out["has_arrow"] = text.arrow_patch is not None
    return out


def _describe_legend(legend: Any) -> dict[str, Any] | None:
    if legend is None:
        return None
    handles = []
    for handle, text in zip(legend.legend_handles, legend.get_texts()):
        described: dict[str, Any] = {"label": text.get_text(), "class": type(handle).__name__}
        if hasattr(handle, "get_linestyle"):
            style = handle.get_linestyle()
            described["linestyle"] = style if isinstance(style, str) else to_plain(style)
        for key, getter in (("color", "get_color"), ("facecolor", "get_facecolor"),
                            ("edgecolor", "get_edgecolor")):
            if hasattr(handle, getter):
                value = getattr(handle, getter)()
                described[key] = (_rgba(value) if np.ndim(value) <= 1 and np.size(value) <= 4
                                  or isinstance(value, str) else _rgba_list(value))
        handles.append(described)
    return {"__type__": "legend", "labels": [t.get_text() for t in legend.get_texts()],
            "handles": handles, "title": legend.get_title().get_text(),
            "visible": bool(legend.get_visible())}


def _describe_artist(artist: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"__type__": "artist", "class": type(artist).__name__}
    if type(artist).__name__ == "ScaleBar":  # matplotlib-scalebar
        for attribute in ("dx", "units", "dimension", "fixed_value", "fixed_units",
                          "length_fraction", "location", "label", "scale_loc", "rotation"):
            value = getattr(artist, attribute, None)
            if attribute == "dimension" and not isinstance(value, (str, type(None))):
                value = type(value).__name__
            out[attribute] = to_plain(value)
    else:
        out["label"] = artist.get_label()
    return out


def describe_axes(ax: Any) -> dict[str, Any]:
    """What an Axes shows, as plain data: images, lines, contours, legend, texts, scalebars.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.zeros((2, 3)), cmap="gray", vmin=-1, vmax=1)
    >>> described = describe_axes(ax)
    >>> described["images"][0]["cmap"]["name"], described["images"][0]["clim"]
    ('gray', [-1.0, 1.0])
    >>> plt.close(fig)
    """
    described: dict[str, Any] = {
        "__type__": "axes",
        "name": ax.name,
        "label": ax.get_label(),
        "title": ax.get_title(),
        "titles": {loc: ax.get_title(loc=loc) for loc in ("left", "center", "right")},
        "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
        "xlim": [float(v) for v in ax.get_xlim()], "ylim": [float(v) for v in ax.get_ylim()],
        "aspect": ax.get_aspect() if isinstance(ax.get_aspect(), str) else float(ax.get_aspect()),
        "axis_on": bool(ax.axison),
        "is_colorbar": getattr(ax, "_colorbar", None) is not None,
        "position": [float(v) for v in ax.get_position().bounds],
        "images": [_describe_image(im) for im in ax.images],
        "lines": [_describe_line(line) for line in ax.lines],
        "collections": [_describe_collection(c) for c in ax.collections],
        "patches": [_describe_patch(p) for p in ax.patches],
        "texts": [_describe_text(t) for t in ax.texts],
        "artists": [_describe_artist(a) for a in ax.artists],
        "legend": _describe_legend(ax.get_legend()),
    }
    if ax.name == "3d":
        described["zlim"] = [float(v) for v in ax.get_zlim()]
        described["zlabel"] = ax.get_zlabel()
        described["box_aspect"] = to_plain(ax.get_box_aspect())
    return described


def describe_figure(fig: Any) -> dict[str, Any]:
    """A Figure as plain data: its size and dpi, every Axes, figure texts and legends."""
    suptitle = getattr(fig, "_suptitle", None)
    return {"__type__": "figure",
            "size_inches": [float(v) for v in fig.get_size_inches()],
            "dpi": float(fig.dpi),
            "suptitle": suptitle.get_text() if suptitle is not None else None,
            "axes": [describe_axes(ax) for ax in fig.axes],
            "texts": [_describe_text(t) for t in fig.texts],
            "legends": [_describe_legend(legend) for legend in fig.legends]}


def _decode_typed_array(value: dict[str, Any]) -> np.ndarray:
    """plotly's base64 typed arrays ({"dtype": "f4", "bdata": ...}) back to numpy."""
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    if "shape" in value:
        shape = value["shape"]
        array = array.reshape([int(s) for s in str(shape).split(",")] if isinstance(shape, str)
                              else shape)
    return array


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Turn a live Python object into plain data a check can read and a file can hold.

    Numbers, strings, None stay; numpy arrays stay numpy (numeric and bool only); lists,
    tuples and dicts recurse; matplotlib Axes/Figures/images become descriptions; ``...``,
    functions and unknown objects become ``{"__type__": ...}`` tags.

    Examples
    --------
    >>> to_plain((1, np.float32(2.5), "a"))
    [1, 2.5, 'a']
    >>> to_plain(...)
    {'__type__': 'ellipsis'}
    """
    if _depth > MAX_DEPTH:
        return {"__type__": "too_deep"}
    if value is None or isinstance(value, (bool, str)):
        return value[:MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value
    if value is Ellipsis:
        return {"__type__": "ellipsis"}
    if isinstance(value, np.generic):
        if isinstance(value, (np.bool_, np.number)) and not np.iscomplexobj(value):
            return value.item()
        return {"__type__": "object", "class": type(value).__name__, "repr": repr(value)[:200]}
    if isinstance(value, np.ma.MaskedArray):
        return {"__type__": "masked_array", "data": to_plain(np.ma.getdata(value), _depth + 1),
                "mask": np.array(np.ma.getmaskarray(value), dtype=bool)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            if value.dtype.kind in "USO" and value.size <= MAX_ITEMS:
                return {"__type__": "list_array", "items": to_plain(value.tolist(), _depth + 1)}
            return {"__type__": "object", "class": "ndarray", "dtype": str(value.dtype),
                    "shape": list(value.shape)}
        if value.nbytes > MAX_ARRAY_BYTES:
            return {"__type__": "too_large", "class": "ndarray", "shape": list(value.shape)}
        return np.array(value)  # a copy: later changes in the kernel do not leak in
    if isinstance(value, (list, tuple)):
        items = [to_plain(v, _depth + 1) for v in value[:MAX_ITEMS]]
        return items
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            try:
                return _decode_typed_array(value)
            except (ValueError, TypeError):
                pass
        items = {str(k): to_plain(v, _depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
        if _UNTRUSTED.get() and not _RESERVED_KEYS.isdisjoint(items):
            return {"__type__": "dict", "pairs": [[k, v] for k, v in items.items()]}
        return items
    if isinstance(value, os.PathLike):
        path = Path(value)
        return {"__type__": "path", "path": str(path.absolute()), "exists": path.exists(),
                "suffix": path.suffix}
    return _plain_object(value, _depth)


def _plain_object(value: Any, depth: int) -> Any:
    module = type(value).__module__ or ""
    name = type(value).__name__
    if module.startswith("matplotlib") or module.startswith("mpl_toolkits"):
        from matplotlib.axes import Axes
        from matplotlib.colors import Colormap, Normalize
        from matplotlib.figure import Figure, SubFigure
        from matplotlib.image import AxesImage

        if isinstance(value, Axes):
            return describe_axes(value)
        if isinstance(value, (Figure, SubFigure)):
            return describe_figure(value)
        if isinstance(value, AxesImage):
            return _describe_image(value)
        if isinstance(value, Colormap):
            return _describe_cmap(value)
        if isinstance(value, Normalize):
            return _describe_norm(value)
        from matplotlib.collections import Collection
        from matplotlib.lines import Line2D
        from matplotlib.legend import Legend
        from matplotlib.text import Text
        if isinstance(value, Collection):
            return _describe_collection(value)
        if isinstance(value, Line2D):
            return _describe_line(value)
        if isinstance(value, Legend):
            return _describe_legend(value)
        if isinstance(value, Text):
            return _describe_text(value)
    if name == "ScaleBar":
        return _describe_artist(value)
    if hasattr(value, "to_plotly_json"):
        plain = to_plain(value.to_plotly_json(), depth + 1)
        return {"__type__": "plotly_figure", "data": plain.get("data", []),
                "layout": plain.get("layout", {})}
    if module.startswith("pydicom") and hasattr(value, "iterall"):
        return _plain_dataset(value, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        trusted = module.startswith("course_utils") or not _UNTRUSTED.get()
        out = {"__type__": name} if trusted else {"__type__": "dataclass", "class": name}
        for field in dataclasses.fields(value):
            out[field.name] = to_plain(getattr(value, field.name), depth + 1)
        return out
    if module.startswith("trimesh") and hasattr(value, "faces"):
        return {"__type__": name, "vertices": np.asarray(value.vertices, dtype=float),
                "faces": np.asarray(value.faces), "is_watertight": bool(value.is_watertight)}
    if isinstance(value, (set, frozenset)):
        return {"__type__": "set", "items": to_plain(sorted(value, key=repr), depth + 1)}
    if isinstance(value, complex):
        return {"__type__": "complex", "real": value.real, "imag": value.imag}
    if callable(value):
        return {"__type__": "function", "name": getattr(value, "__name__", name)}
    return {"__type__": "object", "class": name, "repr": repr(value)[:200]}


def _plain_dataset(dataset: Any, depth: int) -> dict[str, Any]:
    def value_of(element: Any) -> Any:
        if element.VR == "SQ":
            return [_plain_dataset(item, depth + 1) for item in element.value[:20]]
        raw = element.value
        if isinstance(raw, (bytes, bytearray)):
            return {"__type__": "bytes", "length": len(raw)}
        if isinstance(raw, (list, tuple)) or type(raw).__name__ == "MultiValue":
            return [to_plain(v if isinstance(v, (int, float)) else str(v), depth + 1)
                    for v in list(raw)[:MAX_ITEMS]]
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw) if isinstance(raw, float) else int(raw)
        return None if raw is None else str(raw)[:MAX_TEXT]

    elements: dict[str, Any] = {}
    vrs: dict[str, str] = {}
    for element in dataset:
        if element.tag == 0x7FE00010:
            continue
        key = element.keyword or f"({element.tag.group:04X},{element.tag.element:04X})"
        try:
            elements[key] = value_of(element)
        except Exception:  # an unreadable private element must not spoil the rest
            elements[key] = {"__type__": "unreadable"}
        vrs[key] = str(element.VR)
    out: dict[str, Any] = {"__type__": "dataset", "elements": elements, "vr": vrs,
                           "has_pixel_data": "PixelData" in dataset}
    meta = getattr(dataset, "file_meta", None)
    if meta is not None and depth < 2:
        out["file_meta"] = _plain_dataset(meta, depth + 1)["elements"]
    return out


def _safe_plain(value: Any) -> Any:
    try:
        return to_plain(value)
    except Exception as error:  # whatever the object does, extraction reports and goes on
        return {"__type__": "error", "message": f"{type(error).__name__}: {error}"[:300]}


# --------------------------------------------------------------------------- answer files

def dump_answers(answers: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write plain answers to ``path`` (JSON) and ``path + '.npz'`` (arrays, no pickle)."""
    arrays: dict[str, np.ndarray] = {}

    def encode(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            key = f"a{len(arrays)}"
            arrays[key] = value
            return {"__array__": key}
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        if isinstance(value, float) and not math.isfinite(value):
            return {"__float__": repr(value)}
        return value

    document = json.dumps(encode(answers), allow_nan=False)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(str(tmp) + ".npz", "wb") as handle:
        np.savez(handle, **arrays)
    tmp.write_text(document)
    os.replace(str(tmp) + ".npz", str(path) + ".npz")
    os.replace(tmp, path)


def load_answers(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read answers written by :func:`dump_answers`, refusing pickles and oversized files."""
    path = Path(path)
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValueError(f"{path.name}: answers file over {MAX_JSON_BYTES} bytes")
    document = json.loads(path.read_text())
    npz_path = Path(str(path) + ".npz")
    if npz_path.stat().st_size > MAX_NPZ_BYTES:
        raise ValueError(f"{npz_path.name}: arrays file over {MAX_NPZ_BYTES} bytes")
    with zipfile.ZipFile(npz_path) as packed:  # a small file must not unpack to gigabytes
        if sum(member.file_size for member in packed.infolist()) > MAX_NPZ_BYTES:
            raise ValueError(f"{npz_path.name}: arrays unpack to over {MAX_NPZ_BYTES} bytes")
    with np.load(npz_path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}

    def decode(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"__array__"}:
                return arrays[value["__array__"]]
            if set(value) == {"__float__"}:
                return float(value["__float__"])
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    answers = decode(document)
    if not isinstance(answers, dict):
        raise ValueError(f"{path.name}: answers file does not hold a dict")
    return answers


def extract_to_file(namespace: dict[str, Any], names: list[str],
                    path: str | os.PathLike[str]) -> None:
    """In the learner's kernel: turn the named variables into plain data and save them.

    Dicts of the learner's that use the framework's tags (``"__type__"``...) are kept as
    ``{"__type__": "dict", "pairs": [...]}``: a hand-made description is not a drawn figure.
    """
    token = _UNTRUSTED.set(True)
    try:
        answers = {name: _safe_plain(namespace[name]) if name in namespace else _MISSING
                   for name in names}
    finally:
        _UNTRUSTED.reset(token)
    dump_answers(answers, path)


# --------------------------------------------------------------------------- getters

def is_blank(value: Any) -> bool:
    """True for an unanswered value: ``...``, missing, or None."""
    return value is None or type_of(value) in ("ellipsis", "missing")


def _require(value: Any, name: str) -> None:
    tag = type_of(value)
    if tag == "ellipsis":
        raise CheckFailed(f"`{name}` is still `...`: replace it with your answer.")
    if tag == "missing":
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
    _require(value, name)
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
    _require(value, name)
    if isinstance(value, bool):
        raise CheckFailed(f"`{name}` should be a number, got a bool.")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if not isinstance(value, (int, float)):
        raise CheckFailed(f"`{name}` should be a number, got {_kind(value)}.")
    if not math.isfinite(value):
        raise CheckFailed(f"`{name}` is {value}: it should be a finite number.")
    return float(value)


def get_string(value: Any, name: str) -> str:
    """``value`` as a string."""
    _require(value, name)
    if not isinstance(value, str):
        raise CheckFailed(f"`{name}` should be a string, got {_kind(value)}.")
    return value


def get_axes(value: Any, name: str) -> dict[str, Any]:
    """A described Axes; a Figure with exactly one plotting Axes is accepted too."""
    _require(value, name)
    tag = type_of(value)
    if tag == "axes":
        return value
    if tag == "figure":
        plotting = [ax for ax in value["axes"] if not ax["is_colorbar"]]
        if len(plotting) == 1:
            return plotting[0]
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
    _require(value, name)
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
