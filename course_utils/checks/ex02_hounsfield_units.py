"""Checks for exercise 02, Hounsfield units.

Expected values are computed here, in the grader's process, from the course's data
(``CT_small.dcm``, ``693_J2KI.dcm``, ``MR_small.dcm`` through ``course_utils.datasets``) and from
the constants below, which the exercise notebook states in its tasks.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_number, type_of

checks = CheckList("02_hounsfield_units")
__all__ = ["checks", "hu_from_header", "no_overflow", "padding_mask", "fat_share",
           "tissue_names", "mr_zscore", "METAL_STORED", "METAL_SLOPE", "METAL_INTERCEPT",
           "FAT_RANGE", "TISSUE_HU", "QUERY_HU"]

#: Task 2: unsigned stored values (air, water, bone, metal) and their rescale.
METAL_STORED = (0, 24, 1024, 1064, 2024, 33000, 40000)
METAL_SLOPE, METAL_INTERCEPT = 1.0, -1024.0
#: Task 4: the fat range in HU, both ends included.
FAT_RANGE = (-120.0, -80.0)
#: Task 5: tissue ranges (HU, both ends included) and the values to classify.
TISSUE_HU = {
    "air": (-1100, -950),
    "lung": (-900, -700),
    "fat": (-120, -80),
    "soft tissue": (20, 60),
    "cancellous bone": (150, 300),
    "cortical bone": (1000, 3000),
}
QUERY_HU = (40, -1000, 250, -100, -800, 1500)


@functools.lru_cache(maxsize=None)
def _dataset(name: str) -> Any:
    import pydicom

    from course_utils import datasets

    return pydicom.dcmread(datasets.get_path(name))


@functools.lru_cache(maxsize=1)
def _ct_hu() -> np.ndarray:
    ds = _dataset("ct_small")
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    hu.flags.writeable = False
    return hu


@functools.lru_cache(maxsize=1)
def _head_padding() -> np.ndarray:
    """Stored values nearer to PixelPaddingValue than to air (-1000 HU)."""
    ds = _dataset("ct_j2k")
    stored = ds.pixel_array
    air_stored = (-1000.0 - float(ds.RescaleIntercept)) / float(ds.RescaleSlope)
    mask = stored < (int(ds.PixelPaddingValue) + air_stored) / 2
    mask.flags.writeable = False
    return mask


@functools.lru_cache(maxsize=1)
def _mr_expected() -> tuple[np.ndarray, np.ndarray]:
    from skimage.filters import threshold_otsu

    values = _dataset("mr_small").pixel_array.astype(np.float64)
    foreground = values > threshold_otsu(values)
    z = (values - values[foreground].mean()) / values[foreground].std()
    return z, foreground


def _float_image(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    array = get_array(value, name)
    if array.dtype.kind in "iub":
        raise CheckFailed(f"`{name}` has an integer dtype ({array.dtype}): compute in floating "
                          "point (convert the stored values with .astype(np.float32) first).")
    if array.shape != shape:
        raise CheckFailed(f"`{name}` has shape {array.shape}; it should have the shape of the "
                          "image it was computed from.")
    return np.asarray(array, dtype=np.float64)


@checks.add(points=1)
def hu_from_header(ct_hu):
    """HU of CT_small.dcm from its stored values, RescaleSlope and RescaleIntercept."""
    expected = _ct_hu()
    ds = _dataset("ct_small")
    hu = _float_image(ct_hu, "ct_hu", expected.shape)
    if np.allclose(hu, ds.pixel_array):
        raise CheckFailed("`ct_hu` holds the stored values: apply RescaleSlope and "
                          "RescaleIntercept from the header.")
    if np.allclose(hu, ds.pixel_array - float(ds.RescaleIntercept)):
        raise CheckFailed("`ct_hu` is off by twice the intercept: the intercept is added, "
                          "with its sign, not subtracted.")
    if not np.allclose(hu, expected, atol=1e-3):
        raise CheckFailed("`ct_hu` is not stored x slope + intercept: read both values from "
                          "the header (as floats) and apply them to ds.pixel_array.")


@checks.add(points=1)
def no_overflow(metal_hu):
    """HU of METAL_STORED (uint16) without overflow."""
    stored = np.array(METAL_STORED, dtype=np.uint16)
    expected = stored.astype(np.float64) * METAL_SLOPE + METAL_INTERCEPT
    hu = get_array(metal_hu, "metal_hu")
    if hu.shape != expected.shape:
        raise CheckFailed(f"`metal_hu` should hold one HU value per stored value "
                          f"({expected.size} values).")
    hu = np.asarray(hu, dtype=np.float64)
    if np.allclose(hu, expected):
        return
    wrapped = stored.astype(np.int16).astype(np.float64) * METAL_SLOPE + METAL_INTERCEPT
    if np.allclose(hu, wrapped):
        raise CheckFailed("the largest values came out negative: a cast to int16 wraps "
                          "unsigned values above 32767. Convert to floating point first.")
    if np.any(hu > 60000):
        raise CheckFailed("some HU are above 60000: unsigned integer arithmetic wrapped "
                          "around below zero. Convert to floating point first.")
    raise CheckFailed("`metal_hu` is not stored x slope + intercept for the values given.")


@checks.add(points=1)
def padding_mask(head_padding):
    """Padding of the lossy head CT, masked in stored-value space."""
    expected = _head_padding()
    mask = get_array(head_padding, "head_padding")
    if mask.shape != expected.shape:
        raise CheckFailed(f"`head_padding` has shape {mask.shape}; it should have the shape of "
                          "the image.")
    if mask.dtype != bool:
        values = np.unique(mask)
        if not np.all(np.isin(values, (0, 1))):
            raise CheckFailed("`head_padding` should be a boolean mask (True = padding).")
        mask = mask.astype(bool)
    found, wanted = int(mask.sum()), int(expected.sum())
    if found < 0.1 * wanted:
        raise CheckFailed("`head_padding` finds only a few scattered pixels: after lossy "
                          "compression the padding is no longer exactly PixelPaddingValue. "
                          "Compare with a tolerance in stored-value space.")
    union = int((mask | expected).sum())
    overlap = int((mask & expected).sum()) / union if union else 1.0
    if overlap < 0.98:
        if found > wanted:
            raise CheckFailed("`head_padding` also covers pixels inside the scanned disc (air "
                              "or tissue): the threshold is too high.")
        raise CheckFailed("`head_padding` misses part of the region outside the scanned disc: "
                          "the threshold is too close to the padding value.")


@checks.add(points=1)
def fat_share(ct_fat_fraction):
    """Fraction of CT_small's pixels in FAT_RANGE (HU)."""
    fraction = get_number(ct_fat_fraction, "ct_fat_fraction")
    low, high = FAT_RANGE
    hu = _ct_hu()
    expected = float(np.mean((hu >= low) & (hu <= high)))
    if np.isclose(fraction, expected, atol=1e-4):
        return
    if np.isclose(fraction, 100 * expected, atol=1e-2):
        raise CheckFailed("`ct_fat_fraction` looks like a percentage: give a fraction "
                          "between 0 and 1.")
    stored = _dataset("ct_small").pixel_array
    if np.isclose(fraction, float(np.mean((stored >= low) & (stored <= high))), atol=1e-4):
        raise CheckFailed("`ct_fat_fraction` was computed on stored values: threshold the HU "
                          "image.")
    if not 0 <= fraction <= 1:
        raise CheckFailed("`ct_fat_fraction` should be a fraction between 0 and 1.")
    raise CheckFailed("`ct_fat_fraction` does not match the share of HU in the fat range: "
                      "include both ends, and divide by the number of pixels in the image.")


@checks.add(points=1)
def tissue_names(tissue_of_values):
    """The tissue (a key of TISSUE_HU) of each value of QUERY_HU."""
    if type_of(tissue_of_values) in ("ellipsis", "missing") or tissue_of_values is None:
        get_number(tissue_of_values, "tissue_of_values")  # standard message
    if not isinstance(tissue_of_values, list) or len(tissue_of_values) != len(QUERY_HU):
        raise CheckFailed(f"`tissue_of_values` should be a list of {len(QUERY_HU)} strings, "
                          "one per value of QUERY_HU, in the same order.")
    for value, name in zip(QUERY_HU, tissue_of_values):
        if not isinstance(name, str) or name not in TISSUE_HU:
            raise CheckFailed("every entry of `tissue_of_values` should be a key of TISSUE_HU "
                              f"(got {name!r}).")
        low, high = TISSUE_HU[name]
        if not low <= value <= high:
            raise CheckFailed(f"{value} HU is not in the range of {name!r}: compare each value "
                              "with the low and high end of every range.")


@checks.add(points=1)
def mr_zscore(mr_z):
    """MR_small z-scored with the mean and std of its Otsu foreground."""
    expected, foreground = _mr_expected()
    z = _float_image(mr_z, "mr_z", expected.shape)
    if np.allclose(z, expected, atol=5e-3, rtol=5e-3):
        return
    if abs(z[foreground].mean()) < 1e-3 and abs(z.mean()) > 0.05:
        raise CheckFailed("`mr_z` is centred, but its spread is off: divide by the standard "
                          "deviation of the same foreground pixels.")
    if abs(z.mean()) < 1e-3 and abs(z.std() - 1) < 1e-2:
        raise CheckFailed("`mr_z` has mean 0 and std 1 over the whole image: take the mean "
                          "and std in the foreground mask only (Otsu's threshold).")
    if z.min() >= 0 and z.max() <= 1:
        raise CheckFailed("`mr_z` lies between 0 and 1: that is min-max scaling, not a "
                          "z-score.")
    raise CheckFailed("`mr_z` is not (value - mean) / std with the statistics of the "
                      "foreground (pixels above Otsu's threshold).")
