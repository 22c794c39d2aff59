"""Checks for exercise 02, Hounsfield units.

Every variant has its own data, made in memory by :func:`make_task`:

- a CT slice made from ``CT_small.dcm`` (shipped with pydicom): cropped to a non-square image,
  re-encoded as *unsigned* 16-bit stored values with a slope of 1/4 or 1/2 and a large
  negative intercept, so that many stored values are above 32767 (an ``int16`` cast wraps
  them) and a forgotten slope or a wrong sign changes every value; outside a circular scan
  area its pixels are padding, spread by (simulated) lossy compression around Pixel Padding
  Value, which lies below or above the tissues' stored values depending on the variant;
- unsigned stored values of air, tissue, bone and metal with their own slope and intercept;
- which tissue's share of the scan task 4 asks for, and the HU values task 5 classifies (one
  of them at an end of its range, so that a strict comparison fails);
- an MR image (``MR_small.dcm``) cropped to a non-square image, with its own receiver gain.

The task data hold only the exercise's input, never an expected answer: each check computes
what it expects from these in-memory data (the HU from the stored values and the header, the
padding from the stored values around Pixel Padding Value, the tissue share from both...).
"""

from __future__ import annotations

import functools
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_number, is_blank, type_of

checks = CheckList("02_hounsfield_units")
task = checks.task
__all__ = ["checks", "task", "make_task", "TISSUE_HU", "PADDING_HU", "hu_from_header",
           "no_overflow", "padding_mask", "tissue_share", "tissue_names", "mr_zscore"]

#: Tissue ranges in HU, both ends included (the chapter's table).
TISSUE_HU = {
    "air": (-1100, -950),
    "lung": (-900, -700),
    "fat": (-120, -80),
    "soft tissue": (20, 60),
    "cancellous bone": (150, 300),
    "cortical bone": (1000, 3000),
}
#: Task 1 accepts padding pixels set to this value (air), as course_utils.dicom does.
PADDING_HU = -1024.0
_SHARE_TISSUES = ("fat", "lung", "soft tissue", "cancellous bone")
_WRAP = 65536.0
#: Half-width, in HU, of the band around Pixel Padding Value over which the (simulated) lossy
#: compression spreads the padding; no pixel of the scan comes near that band.
_PADDING_SPREAD_HU = 120.0


# --------------------------------------------------------------------------- task data

@functools.lru_cache(maxsize=None)
def _dataset(name: str) -> Any:
    import pydicom

    from course_utils import datasets

    return pydicom.dcmread(datasets.get_path(name))


def _ds_str(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _make_ct(variant: int, rng: np.random.Generator) -> types.SimpleNamespace:
    from course_utils.dicom import anonymize

    source = _dataset("ct_small")
    hu_full = source.pixel_array.astype(np.int64) * int(source.RescaleSlope) \
        + int(source.RescaleIntercept)
    if variant == 0:
        rows, cols, top, left = 104, 124, 12, 2
        slope, delta, pad_hu, pad_above = 0.5, 384, -3024, False
    else:
        while True:
            rows, cols = int(rng.integers(88, 125)), int(rng.integers(88, 125))
            if abs(rows - cols) >= 8:
                break
        top, left = int(rng.integers(0, 129 - rows)), int(rng.integers(0, 129 - cols))
        slope = float(rng.choice([0.25, 0.5]))
        delta = int(rng.integers(-300, 301))
        pad_above = bool(rng.random() < 0.35)
        pad_hu = int(rng.integers(-3600, -2100))
    intercept = float(-round(32768 * slope) + delta)
    hu = hu_full[top:top + rows, left:left + cols]
    stored = np.rint((hu - intercept) / slope).astype(np.int64)
    # the scan area: a disc; outside it, padding spread around PixelPaddingValue
    yy, xx = np.mgrid[:rows, :cols]
    radius = (0.5 if variant == 0 else rng.uniform(0.48, 0.53)) * max(rows, cols)
    padding = np.hypot(yy - (rows - 1) / 2, xx - (cols - 1) / 2) > radius
    spread = _PADDING_SPREAD_HU / slope
    if pad_above:
        pad_value = int(65535 - spread - int(rng.integers(0, 200)))
    else:
        pad_value = int(round((pad_hu - intercept) / slope))
    noise = np.clip(np.rint(rng.normal(0, 30 / slope, padding.sum())), -spread, spread)
    stored[padding] = pad_value + noise.astype(np.int64)
    stored = stored.astype(np.uint16)

    ds = anonymize(source, replace_uids=True, salt=f"course_utils ex02 {variant}")
    ds.set_pixel_data(stored, photometric_interpretation="MONOCHROME2", bits_stored=16,
                      generate_instance_uid=False)
    ds.RescaleSlope, ds.RescaleIntercept = _ds_str(slope), _ds_str(intercept)
    ds.RescaleType = "HU"
    ds.add_new(0x00280120, "US", pad_value)  # PixelPaddingValue, unsigned like the pixels
    return ds


def _make_metal(variant: int, rng: np.random.Generator) -> types.SimpleNamespace:
    if variant == 0:
        slope, intercept = 1.0, -32768.0
        hu = [-1000, -100, 0, 40, 700, 1500, 3000]
    else:
        slope = float(rng.choice([0.25, 0.5, 1.0, 2.0]))
        # stored values above 32767 from bone up: an int16 cast wraps bone and metal only
        intercept = float(-round(32768 * slope) + int(rng.integers(100, 451)))
        hu = [int(rng.integers(-1010, -990)), int(rng.integers(-120, -80)),
              int(rng.integers(-5, 6)), int(rng.integers(20, 61)), int(rng.integers(500, 1000)),
              int(rng.integers(1000, 2000)), int(rng.integers(2500, 4001))]
    stored = np.clip(np.rint((np.array(hu) - intercept) / slope), 0, 65535).astype(np.uint16)
    stored.flags.writeable = False
    return types.SimpleNamespace(stored=stored, slope=slope, intercept=intercept)


def _make_query(variant: int, rng: np.random.Generator) -> tuple[int, ...]:
    if variant == 0:
        return (40, -1000, 300, -100, -800, 1500)  # 300: the high end of cancellous bone
    reference = ["soft tissue", "air", "cancellous bone", "fat", "lung", "cortical bone"]
    while True:
        names = [str(n) for n in rng.choice(list(TISSUE_HU), size=6)]
        if names != reference:
            break
    values = []
    for name in names:
        low, high = TISSUE_HU[name]
        values.append(int(rng.integers(low + 1, high)))
    # one value at an end of its range: both ends are included
    at_end = int(rng.integers(len(values)))
    values[at_end] = TISSUE_HU[names[at_end]][int(rng.integers(2))]
    return tuple(values)


def _range_ends() -> set[int]:
    return {end for ends in TISSUE_HU.values() for end in ends}


def _make_mr(variant: int, rng: np.random.Generator) -> np.ndarray:
    pixels = _dataset("mr_small").pixel_array.astype(np.float64)
    if variant == 0:
        crop, gain = pixels[:, 4:60], 1.0
    else:
        while True:
            rows, cols = int(rng.integers(44, 65)), int(rng.integers(44, 65))
            if rows != cols:
                break
        top, left = int(rng.integers(0, 65 - rows)), int(rng.integers(0, 65 - cols))
        crop, gain = pixels[top:top + rows, left:left + cols], float(rng.uniform(0.4, 3.0))
    values = np.round(crop * gain, 1)
    values.flags.writeable = False
    return values


def _mr_expected(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from skimage.filters import threshold_otsu

    foreground = values > threshold_otsu(values)
    z = (values - values[foreground].mean()) / values[foreground].std()
    return z, foreground


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``.

    Returns
    -------
    types.SimpleNamespace
        ``ct`` (a pydicom Dataset: the slice of tasks 1, 3 and 4), ``metal_stored``,
        ``metal_slope``, ``metal_intercept`` (task 2), ``share_tissue`` (task 4), ``query_hu``
        (task 5), ``mr_values`` (task 6) and ``variant``: input only, no expected answer.
    """
    rng = np.random.default_rng([2, variant])
    ct = _make_ct(variant, rng)
    metal = _make_metal(variant, rng)
    share = "fat" if variant == 0 else str(rng.choice(_SHARE_TISSUES))
    return types.SimpleNamespace(
        variant=variant, ct=ct,
        metal_stored=metal.stored, metal_slope=metal.slope, metal_intercept=metal.intercept,
        share_tissue=share, query_hu=_make_query(variant, rng), mr_values=_make_mr(variant, rng))


def _ct_expected(task: Any) -> types.SimpleNamespace:
    """What the checks expect of the CT slice, computed from the task's input only.

    ``stored`` (the pixel array), ``slope``, ``intercept``, ``hu`` (stored x slope +
    intercept, in float64), ``padding_value`` and ``padding`` (the stored values within the
    compression's spread of Pixel Padding Value: exactly the pixels outside the scan disc).
    """
    ct = task.ct
    stored = np.array(ct.pixel_array)
    slope, intercept = float(ct.RescaleSlope), float(ct.RescaleIntercept)
    padding_value = int(ct.PixelPaddingValue)
    hu = stored.astype(np.float64) * slope + intercept
    padding = np.abs(stored.astype(np.float64) - padding_value) <= _PADDING_SPREAD_HU / slope
    return types.SimpleNamespace(stored=stored, slope=slope, intercept=intercept, hu=hu,
                                 padding_value=padding_value, padding=padding)


# --------------------------------------------------------------------------- helpers

def _float_image(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    array = get_array(value, name)
    if array.shape != shape:
        if array.shape == shape[::-1]:
            raise CheckFailed(f"`{name}` is transposed (shape {array.shape}): keep the image's "
                              "(rows, columns) order.")
        raise CheckFailed(f"`{name}` has shape {array.shape}; it should have the shape of the "
                          "image it was computed from.")
    if array.dtype.kind in "iub":
        raise CheckFailed(f"`{name}` has an integer dtype ({array.dtype}): compute in floating "
                          "point (convert the stored values with .astype(np.float32) first).")
    return np.ma.filled(np.ma.asarray(array, dtype=np.float64), np.nan)


def _not_float16(array: np.ndarray, name: str) -> None:
    if array.dtype == np.float16:
        raise CheckFailed(f"`{name}` is float16, whose 11-bit precision rounds values of "
                          "thousands of HU: use float32 or float64.")


def _rescale_fault(hu: np.ndarray, stored: np.ndarray, slope: float, intercept: float,
                   name: str) -> str:
    """What is wrong with ``hu`` as ``stored * slope + intercept`` (a true statement)."""
    s = stored.astype(np.float64)
    if np.allclose(hu, s):
        return (f"`{name}` holds the stored values: apply Rescale Slope and Rescale "
                "Intercept.")
    if np.allclose(hu, s.astype(np.uint16).astype(np.int16) * slope + intercept, atol=1e-2):
        return (f"in `{name}` the stored values above 32767 came out negative: a cast to "
                "int16 wraps unsigned values. Convert to floating point before rescaling.")
    difference = hu - (s * slope + intercept)
    for unit in {_WRAP, _WRAP * slope}:
        turns = difference / unit
        if np.all(np.isfinite(turns)) and np.allclose(turns, np.rint(turns), atol=1e-6):
            return (f"some values of `{name}` are off by a multiple of 65536: integer "
                    "arithmetic wrapped around in 16 bits. Convert to floating point first.")
    if np.allclose(hu, s + intercept, atol=1e-2):
        return f"`{name}` ignores the slope: multiply the stored values by Rescale Slope."
    if np.allclose(hu, s * slope - intercept, atol=1e-2):
        return (f"`{name}` subtracts the intercept: Rescale Intercept is added, with its "
                "sign.")
    if np.allclose(hu, (s + intercept) * slope, atol=1e-2):
        return (f"`{name}` adds the intercept before multiplying: HU = stored x slope + "
                "intercept, the slope first.")
    if np.allclose(hu, s * intercept + slope, atol=1e-2):
        return f"`{name}` swaps the slope and the intercept."
    return (f"`{name}` is not stored x slope + intercept: read both values from the header "
            "(as floats) and apply them to the stored values.")


def _bool_mask(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    mask = get_array(value, name)
    if mask.shape != shape:
        raise CheckFailed(f"`{name}` has shape {mask.shape}; it should have the shape of the "
                          "image.")
    if mask.dtype != bool:
        if not np.all(np.isin(np.unique(np.ma.filled(mask, 0)), (0, 1))):
            raise CheckFailed(f"`{name}` should be a boolean mask (True = padding).")
        mask = mask.astype(bool)
    return np.ma.filled(mask, False)


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def hu_from_header(ct_hu, task):
    """HU of the task's slice from its stored values, Rescale Slope and Rescale Intercept."""
    data = _ct_expected(task)
    hu = _float_image(ct_hu, "ct_hu", data.hu.shape)
    _not_float16(get_array(ct_hu, "ct_hu"), "ct_hu")
    inside = ~data.padding
    if not np.allclose(hu[inside], data.hu[inside], atol=1e-2):
        raise CheckFailed(_rescale_fault(hu[inside], data.stored[inside], data.slope,
                                         data.intercept, "ct_hu"))
    outside = hu[data.padding]
    ok = np.isclose(outside, data.hu[data.padding], atol=1e-2) \
        | np.isclose(outside, PADDING_HU) | np.isnan(outside)
    if not np.all(ok):
        raise CheckFailed("the padding pixels of `ct_hu` hold neither their rescaled value nor "
                          "-1024 HU (air) nor NaN.")


@checks.add(points=1)
def no_overflow(metal_hu, task):
    """HU of ``metal_stored`` (uint16) with ``metal_slope`` and ``metal_intercept``, no wrap."""
    stored = task.metal_stored
    hu = get_array(metal_hu, "metal_hu")
    if hu.shape != stored.shape:
        raise CheckFailed(f"`metal_hu` should hold one HU value per stored value "
                          f"({stored.size} values).")
    _not_float16(hu, "metal_hu")
    hu = np.asarray(hu, dtype=np.float64)
    expected = stored * task.metal_slope + task.metal_intercept
    if not np.allclose(hu, expected, atol=1e-2):
        if np.allclose(np.sort(hu), np.sort(expected), atol=1e-2):
            raise CheckFailed("`metal_hu` holds the right values in another order: keep the "
                              "order of `metal_stored`.")
        raise CheckFailed(_rescale_fault(hu, stored, task.metal_slope, task.metal_intercept,
                                         "metal_hu"))


@checks.add(points=1)
def padding_mask(ct_padding, task):
    """The padding of the task's slice, found in stored-value space around its padding value."""
    data = _ct_expected(task)
    mask = _bool_mask(ct_padding, "ct_padding", data.padding.shape)
    expected = data.padding
    found, wanted = int(mask.sum()), int(expected.sum())
    if found == 0:
        raise CheckFailed("`ct_padding` selects no pixel: compare the stored values "
                          "(ct.pixel_array) with the header's Pixel Padding Value, not the HU "
                          "and not a value from another file.")
    if np.array_equal(mask, ~expected):
        raise CheckFailed("`ct_padding` is inverted: True should mark the padding, outside "
                          "the scan (does Pixel Padding Value lie below or above air in your "
                          "data?).")
    if found < 0.1 * wanted and not (mask & ~expected).any():
        raise CheckFailed("`ct_padding` finds only a few scattered pixels: lossy compression "
                          "spread the padding around Pixel Padding Value, so it is no longer "
                          "that exact value. Compare with a tolerance in stored-value space.")
    inside_marked = int((mask & ~expected).sum())
    missed = ~mask & expected
    if inside_marked:
        raise CheckFailed(f"`ct_padding` also marks {inside_marked} "
                          f"pixel{'s' if inside_marked > 1 else ''} inside the scan "
                          "(tissue or air): does your rule hold on whichever side of air "
                          "Pixel Padding Value lies?")
    if missed.any():
        below = data.stored < data.padding_value
        for side, other in ((below, "below"), (~below, "at or above")):
            if np.all(side[missed]) and not (mask & expected & side).any():
                raise CheckFailed(f"`ct_padding` marks none of the padding pixels {other} "
                                  "Pixel Padding Value: the padding spreads on both sides of "
                                  "it (and a difference of uint16 values wraps around instead "
                                  "of going negative).")
        n_missed = int(missed.sum())
        raise CheckFailed(f"`ct_padding` misses {n_missed} padding "
                          f"pixel{'s' if n_missed > 1 else ''}: the spread around "
                          "Pixel Padding Value is wider than your tolerance.")


@checks.add(points=1)
def tissue_share(ct_tissue_fraction, task):
    """Fraction of the pixels inside the scan whose HU lie in the asked tissue's range."""
    fraction = get_number(ct_tissue_fraction, "ct_tissue_fraction")
    data = _ct_expected(task)
    low, high = TISSUE_HU[task.share_tissue]
    inside = ~data.padding
    in_range = (data.hu >= low) & (data.hu <= high)
    expected = float(in_range[inside].mean())
    tolerance = 0.5 / inside.sum()
    if abs(fraction - expected) <= tolerance:
        return
    if abs(fraction - 100 * expected) <= 100 * tolerance:
        raise CheckFailed("`ct_tissue_fraction` looks like a percentage: give a fraction "
                          "between 0 and 1.")
    if not 0 <= fraction <= 1:
        raise CheckFailed("`ct_tissue_fraction` should be a fraction between 0 and 1.")
    if abs(fraction - float(in_range.mean())) <= tolerance:
        raise CheckFailed("`ct_tissue_fraction` divides by every pixel of the image, padding "
                          "included: count only the pixels inside the scan.")
    strict = (data.hu > low) & (data.hu < high)
    if abs(fraction - float(strict[inside].mean())) <= tolerance:
        raise CheckFailed("`ct_tissue_fraction` leaves out the pixels exactly at the ends of "
                          "the range: both ends are included.")
    for half_open in ((data.hu >= low) & (data.hu < high), (data.hu > low) & (data.hu <= high)):
        if abs(fraction - float(half_open[inside].mean())) <= tolerance:
            raise CheckFailed("`ct_tissue_fraction` leaves out the pixels exactly at one end "
                              "of the range: both ends are included.")
    stored = data.stored.astype(np.float64)
    if abs(fraction - float(((stored >= low) & (stored <= high))[inside].mean())) <= tolerance:
        raise CheckFailed("`ct_tissue_fraction` was computed on stored values: threshold "
                          "the HU image.")
    raise CheckFailed("`ct_tissue_fraction` does not match the share of the scan's pixels in "
                      "the asked tissue's range: check the range, the HU image and the "
                      "padding mask you used.")


@checks.add(points=1)
def tissue_names(tissue_of_values, task):
    """The tissue (a key of TISSUE_HU) of each value of ``query_hu``."""
    query = task.query_hu
    if is_blank(tissue_of_values):
        get_number(tissue_of_values, "tissue_of_values")  # standard message
    if type_of(tissue_of_values) == "list_array":
        tissue_of_values = tissue_of_values["items"]
    at_end = [value in _range_ends() for value in query]
    if not isinstance(tissue_of_values, list) or len(tissue_of_values) != len(query):
        hint = (" A value at an end of a range gets a name too: both ends are included."
                if isinstance(tissue_of_values, list) and len(tissue_of_values) < len(query)
                and any(at_end) else "")
        raise CheckFailed(f"`tissue_of_values` should be a list of {len(query)} strings, "
                          f"one per value of `query_hu`, in the same order.{hint}")
    for i, (value, name) in enumerate(zip(query, tissue_of_values)):
        if not isinstance(name, str) or name not in TISSUE_HU:
            shown = repr(name) if isinstance(name, str) else f"a {type(name).__name__}"
            hint = (f" {value} HU is an end of a range, and both ends are included."
                    if at_end[i] else "")
            raise CheckFailed(f"`tissue_of_values[{i}]` should be a key of TISSUE_HU "
                              f"(got {shown[:40]}).{hint}")
        low, high = TISSUE_HU[name]
        if not low <= value <= high:
            raise CheckFailed(f"`tissue_of_values[{i}]`: {value} HU is not in the range of "
                              f"{name!r}. Compare each value with the low and high end of "
                              "every range.")


@checks.add(points=1)
def mr_zscore(mr_z, task):
    """``mr_values`` z-scored with the mean and std of its Otsu foreground."""
    values = task.mr_values
    expected, foreground = _mr_expected(values)
    z = _float_image(mr_z, "mr_z", expected.shape)
    if np.allclose(z, expected, atol=5e-3, rtol=5e-3):
        return
    if np.allclose(z[foreground], expected[foreground], atol=5e-3, rtol=5e-3):
        background = z[~foreground]
        if np.all(np.isnan(background)):
            raise CheckFailed("`mr_z` is NaN (or masked) outside the foreground: z-score every "
                              "pixel, with the mean and std of the foreground.")
        raise CheckFailed("`mr_z` is right in the foreground but not outside it: apply the "
                          "same (value - mean) / std to every pixel of the image.")
    if np.allclose(z, values):
        raise CheckFailed("`mr_z` holds the raw values: subtract the mean and divide by the "
                          "standard deviation.")
    if z.min() >= 0 and z.max() <= 1:
        raise CheckFailed("`mr_z` lies between 0 and 1: that is min-max scaling, not a "
                          "z-score.")
    if abs(np.nanmean(z)) < 1e-3 and abs(np.nanstd(z) - 1) < 1e-2:
        raise CheckFailed("`mr_z` has mean 0 and std 1 over the whole image: take the mean "
                          "and std in the foreground mask only (Otsu's threshold).")
    if abs(np.nanmean(z[foreground])) < 1e-3:
        raise CheckFailed("`mr_z` is centred on the foreground, but its spread is off: divide "
                          "by the standard deviation of the same foreground pixels.")
    raise CheckFailed("`mr_z` is not (value - mean) / std with the statistics of the "
                      "foreground (pixels above Otsu's threshold).")
