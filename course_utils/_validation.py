"""Input checks shared by the course_utils modules (private: not part of the API).

Each returns the cleaned value or raises a ValueError whose message says what was wrong and
what to do, so every public function can validate its arguments in one line.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def check_spacing(spacing: Any, n: int = 3, name: str = "spacing",
                  hint: str = "pass the image's voxel spacing") -> tuple[float, ...]:
    """``spacing`` as ``n`` positive finite floats (mm), or a ValueError that says so."""
    try:
        values = tuple(float(s) for s in spacing)
    except (TypeError, ValueError):
        values = ()
    if len(values) != n or not all(np.isfinite(v) and v > 0 for v in values):
        order = "(dz, dy, dx)" if n == 3 else "(dy, dx)" if n == 2 else f"({n} values)"
        raise ValueError(f"{name} must be {n} positive numbers {order} in mm, got {spacing!r}; "
                         f"{hint}")
    return values


def check_mask(mask, name: str = "mask", ndims: tuple[int, ...] | None = None,
                nonempty: bool = False) -> np.ndarray:
    """``mask`` as a bool array, or a ValueError saying what is wrong and what to do.

    Accepts bool and numeric 0/1 arrays; ``ndims`` restricts the number of dimensions,
    ``nonempty`` rejects a mask without a True voxel.
    """
    array = np.asarray(mask)
    if ndims is not None and array.ndim not in ndims:
        allowed = " or ".join(f"{n}D" for n in ndims)
        raise ValueError(f"{name} must be a {allowed} array, got {array.ndim} dimension(s) "
                         f"with shape {array.shape}")
    if array.dtype != bool:
        if not (np.issubdtype(array.dtype, np.number)
                and not np.issubdtype(array.dtype, np.complexfloating)
                and ((array == 0) | (array == 1)).all()):
            raise ValueError(f"{name} must be a binary mask (bool or 0/1), got dtype "
                             f"{array.dtype} with other values; threshold it first, e.g. "
                             "prob > 0.5, or image > 127 for a 0-255 image")
        array = array.astype(bool)
    if nonempty and not array.any():
        raise ValueError(f"{name} is empty (no True voxel); pass a mask that contains the "
                         "object, e.g. the phantom's lesion mask")
    return array


def is_real(value: Any) -> bool:
    """True for a real number (Python or NumPy), False for bools, strings and the rest."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def as_float(value: Any) -> float:
    """``float(value)`` for a real number (not a bool or a string), else NaN, so callers raise
    their own message instead of a traceback from ``float``."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def check_finite(value: Any, name: str) -> float:
    """Return ``value`` as a float or raise: it must be a finite number."""
    number = as_float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number
