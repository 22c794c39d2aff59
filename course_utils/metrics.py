"""Overlap and volume measures for segmentation masks: Dice, Jaccard, volume in mL.

Conventions: masks are boolean (or 0/1) arrays of the same shape. When both masks are empty
there is nothing to disagree about, so Dice and Jaccard return 1.0. Other tools differ (some
return 0 or NaN, or skip the case): say which convention you use when you report a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import check_mask as _check_mask
from ._validation import check_spacing as _check_spacing

__all__ = ["dice", "jaccard", "volume_ml"]


def _pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _check_mask(a, "a"), _check_mask(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"masks must have the same shape, got {a.shape} and {b.shape}; "
                         "resample one onto the other's grid (order=0) first")
    return a, b


def dice(a, b) -> float:
    """Dice similarity coefficient ``2 |A & B| / (|A| + |B|)``.

    Parameters
    ----------
    a, b : array_like of bool
        Masks of the same shape (any dimension).

    Returns
    -------
    float
        In [0, 1]; 1.0 when both masks are empty (perfect agreement on "nothing").

    Examples
    --------
    >>> a = np.array([1, 1, 1, 0], dtype=bool)
    >>> b = np.array([0, 1, 1, 1], dtype=bool)
    >>> dice(a, b)  # 2 * 2 / (3 + 3)
    0.6666666666666666
    >>> dice(np.zeros(3, bool), np.zeros(3, bool))
    1.0
    """
    a, b = _pair(a, b)
    total = int(a.sum()) + int(b.sum())
    if total == 0:
        return 1.0
    return 2.0 * int(np.logical_and(a, b).sum()) / total


def jaccard(a, b) -> float:
    """Jaccard index (intersection over union) ``|A & B| / |A | B|``.

    Related to Dice by ``J = D / (2 - D)``.

    Parameters
    ----------
    a, b : array_like of bool
        Masks of the same shape (any dimension).

    Returns
    -------
    float
        In [0, 1]; 1.0 when both masks are empty.

    Examples
    --------
    >>> a = np.array([1, 1, 1, 0], dtype=bool)
    >>> b = np.array([0, 1, 1, 1], dtype=bool)
    >>> jaccard(a, b)  # 2 / 4
    0.5
    """
    a, b = _pair(a, b)
    union = int(np.logical_or(a, b).sum())
    if union == 0:
        return 1.0
    return int(np.logical_and(a, b).sum()) / union


def volume_ml(mask, spacing: Sequence[float]) -> float:
    """Volume of a 3D mask in millilitres: voxel count x voxel volume (mm^3) / 1000.

    Parameters
    ----------
    mask : array_like of bool, 3D
        The mask ``[z, y, x]``.
    spacing : sequence of 3 float
        ``(dz, dy, dx)`` in mm.

    Returns
    -------
    float
        Volume in mL (1 mL = 1 cm^3 = 1000 mm^3).

    Examples
    --------
    >>> m = np.zeros((10, 10, 10), dtype=bool)
    >>> m[:5, :4, :2] = True  # 40 voxels
    >>> volume_ml(m, (2.5, 0.5, 0.5))  # 40 * 0.625 mm^3 / 1000
    0.025
    """
    array = _check_mask(mask)
    if array.ndim != 3:
        raise ValueError(f"mask must be 3D [z, y, x] for a volume, got {array.ndim}D; for "
                         "a 2D area use mask.sum() * dy * dx (mm^2)")
    return int(array.sum()) * math.prod(_check_spacing(spacing)) / 1000.0
