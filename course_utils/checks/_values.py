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

import contextvars
import math
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.checks._plain import _BASE_DIR, type_of
from course_utils.checks._registry import CheckFailed

__all__ = ["MAX_FILE_BYTES", "first_image", "get_array", "get_axes", "get_figure", "get_number",
           "get_path", "get_string", "is_blank", "per_task", "read_learner_file", "require"]

MAX_FILE_BYTES = 64 * 2**20   # the largest file a learner hands in (a DICOM, a PNG, an STL...)
# Set by the grader: the folder every file a check opens must be in (the run's own folder,
# which holds the learner's working folder and its temporary folder); default: _BASE_DIR.
ALLOWED_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar("allowed_dir",
                                                                          default=None)

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
    """An existing regular file given as a str or a Path.

    In the grader (where the learner's working folder is set) the file must lie inside that
    folder, be reached through no symbolic link and be a regular file (no FIFO, device or
    folder) of at most :data:`MAX_FILE_BYTES`; read it with :func:`read_learner_file`.
    """
    require(value, name)
    if type_of(value) == "path":
        path = Path(value["path"])
    elif isinstance(value, str):
        path = Path(value)
    else:
        raise CheckFailed(f"`{name}` should be a file path (str or pathlib.Path), "
                          f"got {_kind(value)}.")
    base = _BASE_DIR.get()
    if base is not None and not path.is_absolute():
        path = base / path  # the grader: relative to the learner's working folder
    if suffix is not None and path.suffix.lower() != suffix.lower():
        raise CheckFailed(f"`{name}` should be a {suffix} file, got a name ending "
                          f"in {path.suffix or 'nothing'!r}.")
    allowed = ALLOWED_DIR.get() or base
    if allowed is not None:
        _inside(path, Path(allowed), name)
    try:
        info = path.lstat()
    except (OSError, ValueError):
        info = None
    if info is None or stat.S_ISDIR(info.st_mode):
        raise CheckFailed(f"`{name}` names a file that does not exist: did the cell that "
                          "saves it run?")
    if not stat.S_ISREG(info.st_mode):
        raise CheckFailed(f"`{name}` is not a regular file (a link, a pipe...): save the "
                          "file itself there.")
    if info.st_size > MAX_FILE_BYTES:
        raise CheckFailed(f"`{name}` is over {MAX_FILE_BYTES // 2**20} MB: that is not the "
                          "file the task asks for.")
    return path


def _inside(path: Path, base: Path, name: str) -> None:
    """A CheckFailed unless ``path`` is inside ``base`` with no symbolic link on the way."""
    absolute = Path(os.path.abspath(path))
    root = Path(os.path.abspath(base))
    if absolute != root and root not in absolute.parents:
        raise CheckFailed(f"`{name}` names a file outside your working folder and temporary "
                          "folder: save it next to the notebook, or in a folder made by "
                          "tempfile.")
    if os.path.realpath(absolute) != str(Path(os.path.realpath(root)) /
                                         absolute.relative_to(root)):
        raise CheckFailed(f"`{name}` is reached through a symbolic link: save the file "
                          "itself there.")


def read_learner_file(path: str | os.PathLike[str], name: str,
                      max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a learner's file: opened without following links and without blocking,
    a regular file of at most ``max_bytes`` (else a CheckFailed).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     os.mkfifo(os.path.join(folder, "f"))
    ...     read_learner_file(os.path.join(folder, "f"), "x")
    Traceback (most recent call last):
    ...
    course_utils.checks._registry.CheckFailed: `x` is not a regular file (a link, a pipe...): save the file itself there.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        raise CheckFailed(f"`{name}` is not a regular file (a link, a pipe...): save the "
                          "file itself there.") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise CheckFailed(f"`{name}` is not a regular file (a link, a pipe...): save the "
                              "file itself there.")
        if info.st_size > max_bytes:
            raise CheckFailed(f"`{name}` is over {max_bytes // 2**20} MB: that is not the "
                              "file the task asks for.")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(descriptor, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise CheckFailed(f"`{name}` is over {max_bytes // 2**20} MB: that is not the "
                              "file the task asks for.")
        return b"".join(chunks)
    finally:
        os.close(descriptor)


MAX_SVG_TAG = 10_000       # characters of an SVG's root tag that are looked at


def svg_root_tag(text: str) -> str | None:
    """The first ``<svg ...>`` tag of ``text`` (at most :data:`MAX_SVG_TAG` characters), found
    in linear time (no regular expression on the whole file), or None.

    Examples
    --------
    >>> svg_root_tag('<?xml?><svg width="10pt" height="5pt"><g/></svg>')
    '<svg width="10pt" height="5pt">'
    >>> svg_root_tag("<svg" * 100_000) is None
    True
    """
    start = text.find("<svg")
    while start >= 0:
        following = text[start + 4:start + 5]
        if following == "" or not (following.isalnum() or following in "_-:"):
            end = text.find(">", start, start + MAX_SVG_TAG)
            return text[start:end + 1] if end >= 0 else None
        start = text.find("<svg", start + 4)
    return None


MAX_DICOM_PIXELS = 64 * 2**20   # Rows x Columns x Frames x samples a DICOM file may declare
_UNCOMPRESSED = ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2")


def safe_dicom(data: bytes, name: str) -> Any:
    """A pydicom dataset from a learner's file, parsed with bounded work: only uncompressed
    transfer syntaxes (no deflated dataset that inflates to gigabytes), and the pixel data's
    declared size (Rows x Columns x Frames x samples) checked before it is decoded."""
    import io

    import pydicom
    from pydicom.filereader import _read_file_meta_info, read_preamble

    try:
        stream = io.BytesIO(data)
        read_preamble(stream, False)
        meta = _read_file_meta_info(stream)  # group 2 only: nothing inflated, no pixels
        syntax = str(meta.get("TransferSyntaxUID", ""))
    except Exception:
        raise CheckFailed(f"`{name}` does not read back with pydicom.dcmread (no valid file "
                          "meta information).") from None
    if not syntax:
        raise CheckFailed(f"`{name}` has no file meta information with a transfer syntax: "
                          "it is not a DICOM file that pydicom.dcmread reads back as written.")
    if syntax not in _UNCOMPRESSED:
        raise CheckFailed(f"`{name}` is written with transfer syntax {syntax[:64]!r}: save it "
                          "uncompressed (Explicit or Implicit VR Little Endian).")
    dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=False)
    try:
        pixels = (int(dataset.get("Rows", 0) or 0) * int(dataset.get("Columns", 0) or 0)
                  * int(dataset.get("NumberOfFrames", 1) or 1)
                  * int(dataset.get("SamplesPerPixel", 1) or 1))
    except (TypeError, ValueError):
        raise CheckFailed(f"`{name}` has Rows, Columns or NumberOfFrames that are not "
                          "numbers.") from None
    if not 0 <= pixels <= MAX_DICOM_PIXELS:
        raise CheckFailed(f"`{name}` declares {pixels} pixels: that is not this task's slice.")
    return dataset


_TASK_MEMO: dict[tuple[int, str], tuple[Any, Any]] = {}


def per_task(data: Any, key: str, compute: Any) -> Any:
    """``compute()`` once per task-data object and key (checks run many times per task)."""
    entry = _TASK_MEMO.get((id(data), key))
    if entry is None or entry[0] is not data:
        if len(_TASK_MEMO) > 64:
            _TASK_MEMO.clear()
        entry = _TASK_MEMO[(id(data), key)] = (data, compute())
    return entry[1]
