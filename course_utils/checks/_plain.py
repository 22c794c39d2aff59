"""Plain-data transport: live objects to plain data, and answers files (JSON + npz, no pickle).

The learner's kernel turns the variables the checks read into *plain data* (numbers, strings,
lists, dicts, numpy arrays, and tagged dicts such as ``{"__type__": "axes", ...}`` made by
:mod:`course_utils.checks._describe`) and saves them (:func:`extract_to_file`); the grader
reads them back (:func:`load_answers`) with bounded sizes and no pickle.

Examples
--------
>>> to_plain((1, np.float32(2.5), "a"))
[1, 2.5, 'a']
>>> to_plain(...)
{'__type__': 'ellipsis'}
"""

from __future__ import annotations

import base64
import contextvars
import dataclasses
import hashlib
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MAX_TEXT", "dump_answers", "extract_to_file", "is_a", "is_class", "load_answers",
           "safe_plain", "to_plain", "type_of", "untrusted"]

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


_MISSING = {"__type__": "missing"}


def missing() -> dict[str, Any]:
    """The tag of an undefined variable; it notes whether the last error was a stub's
    NotImplementedError (what IPython records in ``sys.last_value``)."""
    import sys

    last = getattr(sys, "last_value", None)
    return {"__type__": "missing", "after_stub": isinstance(last, NotImplementedError)}


def type_of(value: Any) -> str | None:
    """The ``__type__`` tag of a plain value (``"axes"``, ``"ellipsis"``...) or None."""
    if isinstance(value, dict):
        tag = value.get("__type__")
        return tag if isinstance(tag, str) else None
    return None


def _decode_typed_array(value: dict[str, Any]) -> np.ndarray:
    """plotly's base64 typed arrays ({"dtype": "f4", "bdata": ...}) back to numpy."""
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    if "shape" in value:
        shape = value["shape"]
        array = array.reshape([int(s) for s in str(shape).split(",")] if isinstance(shape, str)
                              else shape)
    return array


def is_a(value: Any, types: type | tuple[type, ...]) -> bool:
    """``isinstance`` by the object's real class: ``issubclass(type(value), types)``.

    ``isinstance`` also believes ``value.__class__``, which any object can make claim to be an
    ``Axes`` (a property, or ``unittest.mock.Mock(spec=Axes)``); ``type(value)`` and its MRO
    cannot be changed from the instance.

    >>> class Fake:
    ...     __class__ = property(lambda self: str)
    >>> isinstance(Fake(), str), is_a(Fake(), str)
    (True, False)
    """
    return issubclass(type(value), types)


def is_class(value: Any, module: str, name: str) -> bool:
    """True if ``value``'s real class is (a subclass of) ``module.name``, a class of a library
    that is already imported (an object of a library that was never imported is none of its
    instances; the name and ``__module__`` of a class prove nothing, a learner sets both)."""
    import sys

    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and issubclass(type(value), cls)


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` (a ``str`` or a subclass) as a plain ``str`` of at most ``limit`` characters.

    ``str.__str__`` copies a subclass into a real ``str``: a subclass's own ``__getitem__`` or
    ``__str__`` never runs, so slicing it cannot hand back a tagged dict.
    """
    return str.__str__(value)[:limit] if is_a(value, str) else ""


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Turn a live Python object into plain data a check can read and a file can hold.

    Numbers, strings, None stay; numpy arrays stay numpy (numeric and bool only); lists,
    tuples and dicts recurse; matplotlib Axes/Figures/images become descriptions; ``...``,
    functions and unknown objects become ``{"__type__": ...}`` tags.

    Every branch is chosen by the object's real class (:func:`is_a`, never ``isinstance``,
    which believes ``__class__``), and subclasses of the built-in types are read through the
    built-in types' own methods (``list.__getitem__``, ``dict.items``...) into exact ``str``,
    ``int``, ``float``, ``list``, ``dict``: whatever an object claims or overrides, what comes
    out is plain data of the type it is, and a tag (``"axes"``, ``"dataset"``...) only ever
    comes from a real object of that kind. This is the kernel side, run in the learner's
    process: it keeps hand-made objects from passing for drawn figures, it is not what makes a
    grade trustworthy (the learner's code could write the answers file itself; the grader
    reads it as untrusted data, and the hidden variant checks that the answers follow the data).

    Examples
    --------
    >>> to_plain((1, np.float32(2.5), "a"))
    [1, 2.5, 'a']
    >>> to_plain(...)
    {'__type__': 'ellipsis'}
    """
    if _depth > MAX_DEPTH:
        return {"__type__": "too_deep"}
    kind = type(value)
    if value is None or kind is bool:
        return value
    if issubclass(kind, str):
        return _text(value)
    if issubclass(kind, int):
        number = int.__index__(value)   # an exact int, whatever a subclass's __abs__ says
        return number if abs(number) < 2**63 else float(number)
    if issubclass(kind, float):
        return float.__float__(value)
    if value is Ellipsis:
        return {"__type__": "ellipsis"}
    if issubclass(kind, np.generic):
        scalar = np.asarray(value)         # a plain 0-d array: the subclass's .item() never runs
        if scalar.dtype.kind in "biuf":
            return to_plain(scalar.item(), _depth + 1)
        return {"__type__": "object", "class": _text(kind.__name__, 200),
                "repr": _text(repr(scalar), 200)}
    if issubclass(kind, np.ma.MaskedArray):
        data = np.asarray(np.ma.getdata(value))
        return {"__type__": "masked_array", "data": to_plain(data, _depth + 1),
                "mask": np.array(np.ma.getmaskarray(value), dtype=bool)}
    if issubclass(kind, np.ndarray):
        array = np.asarray(value)          # a base-class view: no subclass property runs
        if array.dtype.kind not in "biuf":
            if array.dtype.kind in "USO" and array.size <= MAX_ITEMS:
                return {"__type__": "list_array", "items": to_plain(array.tolist(), _depth + 1)}
            return {"__type__": "object", "class": "ndarray", "dtype": str(array.dtype),
                    "shape": list(array.shape)}
        if array.nbytes > MAX_ARRAY_BYTES:
            return {"__type__": "too_large", "class": "ndarray", "shape": list(array.shape)}
        return np.array(array)  # a copy: later changes in the kernel do not leak in
    if issubclass(kind, list):
        return [to_plain(v, _depth + 1) for v in list.__getitem__(value, slice(0, MAX_ITEMS))]
    if issubclass(kind, tuple):
        return [to_plain(v, _depth + 1) for v in tuple.__getitem__(value, slice(0, MAX_ITEMS))]
    if is_class(value, "pydicom.multival", "MultiValue"):
        # pydicom's MultiValue (ImagePositionPatient...) is a sequence, not a list
        return [to_plain(v, _depth + 1) for v in list(value)[:MAX_ITEMS]]
    if issubclass(kind, dict):
        pairs = list(dict.items(value))[:MAX_ITEMS]
        if {"dtype", "bdata"} <= {k for k, _ in pairs if type(k) is str}:
            try:
                return to_plain(_decode_typed_array(dict(pairs)), _depth + 1)
            except (ValueError, TypeError, KeyError):
                pass
        items = {_key(k): to_plain(v, _depth + 1) for k, v in pairs}
        if _UNTRUSTED.get() and not _RESERVED_KEYS.isdisjoint(items):
            return {"__type__": "dict", "pairs": [[k, v] for k, v in items.items()]}
        return items
    if issubclass(kind, os.PathLike):
        path = Path(os.fspath(value))
        return {"__type__": "path", "path": str(path.absolute()), "exists": path.exists(),
                "suffix": path.suffix}
    return _plain_object(value, _depth)


def _key(key: Any) -> str:
    """A dict key as a plain ``str``."""
    if is_a(key, str):
        return _text(key)
    return _text(str(key))


def _plain_object(value: Any, depth: int) -> Any:
    kind = type(value)
    module = _text(kind.__module__ or "")
    name = _text(kind.__name__, 200)
    if module.startswith(("matplotlib", "mpl_toolkits", "matplotlib_scalebar")) or \
            is_class(value, "matplotlib.artist", "Artist"):
        # A class's module name is a hint, not proof: describe() dispatches on the real class.
        from course_utils.checks._describe import describe

        described = describe(value)
        if described is not None:
            return described
    if is_class(value, "plotly.basedatatypes", "BaseFigure"):
        plain = to_plain(value.to_plotly_json(), depth + 1)
        plain = plain if type(plain) is dict else {}
        return {"__type__": "plotly_figure", "data": plain.get("data", []),
                "layout": plain.get("layout", {})}
    if is_class(value, "pydicom.dataset", "Dataset"):
        return _plain_dataset(value, depth)
    if dataclasses.is_dataclass(kind):
        # The tag and class sit apart from the fields: a field called "__type__" is a field.
        fields = {_text(field.name): to_plain(getattr(value, field.name), depth + 1)
                  for field in dataclasses.fields(kind)[:MAX_ITEMS]}
        return {"__type__": "dataclass", "class": name, "fields": fields}
    if is_class(value, "trimesh.base", "Trimesh"):
        return {"__type__": "Trimesh", "vertices": np.asarray(value.vertices, dtype=float),
                "faces": np.asarray(value.faces), "is_watertight": bool(value.is_watertight)}
    if issubclass(kind, (set, frozenset)):
        items = list(set.__iter__(value) if issubclass(kind, set)
                     else frozenset.__iter__(value))[:MAX_ITEMS]
        return {"__type__": "set", "items": to_plain(sorted(items, key=repr), depth + 1)}
    if issubclass(kind, complex):
        number = complex.__complex__(value)
        return {"__type__": "complex", "real": number.real, "imag": number.imag}
    if callable(value):
        label = getattr(value, "__name__", name)
        return {"__type__": "function", "name": _text(label, 200) or name}
    return {"__type__": "object", "class": name, "repr": _safe_repr(value)}


def _safe_repr(value: Any) -> str:
    try:
        return _text(repr(value), 200)
    except Exception:
        return ""


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
    if "PixelData" in dataset:  # a digest, so that a check can tell whether pixels changed
        try:
            out["pixel_sha256"] = hashlib.sha256(bytes(dataset.PixelData)).hexdigest()
        except Exception:  # deferred or unreadable pixel data: no digest
            pass
    meta = getattr(dataset, "file_meta", None)
    if meta is not None and depth < 2:
        out["file_meta"] = _plain_dataset(meta, depth + 1)["elements"]
    return out


def safe_plain(value: Any) -> Any:
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


def untrusted() -> bool:
    """True while extracting a learner's variables (dicts with framework tags are kept apart)."""
    return _UNTRUSTED.get()


def extract_to_file(namespace: dict[str, Any], names: list[str],
                    path: str | os.PathLike[str]) -> None:
    """In the learner's kernel: turn the named variables into plain data and save them.

    Dicts of the learner's that use the framework's tags (``"__type__"``...) are kept as
    ``{"__type__": "dict", "pairs": [...]}``: a hand-made description is not a drawn figure.
    """
    from course_utils.checks._describe import laying_out

    token = _UNTRUSTED.set(True)
    try:
        with laying_out():
            answers = {name: safe_plain(namespace[name]) if name in namespace else missing()
                       for name in names}
    finally:
        _UNTRUSTED.reset(token)
    dump_answers(answers, path)


# --------------------------------------------------------------------------- getters