"""Checks of exercise 02 (Hounsfield units): correct answers of every kind pass on two variants,
each classic mistake fails exactly the requirement it breaks, typed-in numbers fail."""

from __future__ import annotations

import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
from skimage.filters import threshold_otsu

from check_helpers import assert_fails, grade
from course_utils.checks import ex02_hounsfield_units as ex
from course_utils.dicom import stored_to_hu

checks = ex.checks
VARIANTS = (0, 3)
LEARNER_VARIANTS = (0, 4)  # the review's second run: other alternatives, other data


def _truth(variant):
    """What is true of the CT slice of ``variant``, computed here from the task's input
    (the task data hold no answer): stored values, HU, padding mask."""
    ct = ex.task(variant).ct
    stored = ct.pixel_array
    slope, intercept = float(ct.RescaleSlope), float(ct.RescaleIntercept)
    air = (-1000 - intercept) / slope
    ppv = int(ct.PixelPaddingValue)
    # the padding band is far from every tissue: the "nearer than air" rule is exact
    padding = np.abs(stored.astype(float) - ppv) < np.abs(stored.astype(float) - air)
    return types.SimpleNamespace(stored=stored, slope=slope, intercept=intercept,
                                 hu=stored.astype(np.float64) * slope + intercept,
                                 padding=padding, padding_value=ppv,
                                 padding_above=ppv > air)
ROOT = Path(__file__).resolve().parents[1]


def test_there_are_at_least_four_checks():
    assert len(checks) >= 4
    assert checks.exercise == "02_hounsfield_units"


@pytest.mark.parametrize("name", [c.name for c in ex.checks])
def test_blank_answers_say_still_dots(name):
    result = grade(checks[name], 0, **{param: ... for param in checks[name].params})
    assert_fails(result, "still `...`")


# --------------------------------------------------------------------------- the data

@pytest.mark.parametrize("variant", [0, 1, 2, 3, 5, 17, 123])
def test_the_data_show_the_classic_mistakes(variant):
    task = ex.task(variant)
    data = _truth(variant)
    assert data.hu.shape[0] != data.hu.shape[1]                 # not square
    assert data.slope != 1 and data.intercept < -4000           # slope and intercept matter
    assert (data.stored[~data.padding] > 32767).mean() > 0.02   # an int16 cast wraps
    assert 0.05 < data.padding.mean() < 0.4
    exact = (data.stored == data.padding_value).sum()
    assert exact < 0.1 * data.padding.sum()                     # spread: equality fails
    assert (task.metal_stored > 32767).sum() >= 2 and (task.metal_stored < 32768).sum() >= 2
    assert task.mr_values.shape[0] != task.mr_values.shape[1]
    low, high = ex.TISSUE_HU[task.share_tissue]
    inside = ~data.padding
    in_range = (data.hu >= low) & (data.hu <= high)
    assert in_range[inside].mean() != pytest.approx(in_range.mean(), abs=1e-3)


def test_the_variants_differ():
    tasks = [ex.task(v) for v in range(10)]
    truths = [_truth(v) for v in range(10)]
    assert len({t.hu.shape for t in truths}) >= 8
    assert len({(t.slope, t.intercept) for t in truths}) >= 8
    assert {t.padding_above for t in truths} == {True, False}
    assert len({tuple(t.metal_stored.tolist()) for t in tasks}) == 10
    assert len({t.share_tissue for t in tasks}) >= 3
    assert len({t.query_hu for t in tasks}) == 10


def test_task_data_are_fast_and_deterministic():
    import time

    start = time.perf_counter()
    a = ex.make_task(77)
    assert time.perf_counter() - start < 1.0
    b = ex.make_task(77)
    assert np.array_equal(a.ct.pixel_array, b.ct.pixel_array)
    assert np.array_equal(a.mr_values, b.mr_values) and a.query_hu == b.query_hu


# --------------------------------------------------------------------------- hu_from_header

def _manual(ct):
    return ct.pixel_array.astype(np.float32) * float(ct.RescaleSlope) + float(ct.RescaleIntercept)


def _apply_rescale(ct):
    from pydicom.pixels import apply_rescale

    return apply_rescale(ct.pixel_array, ct)


def _modality_lut(ct):
    from pydicom.pixels import apply_modality_lut

    return apply_modality_lut(ct.pixel_array, ct)


def _course_helper(ct):
    return stored_to_hu(ct.pixel_array, float(ct.RescaleSlope), float(ct.RescaleIntercept),
                        padding_value=int(ct.PixelPaddingValue))


def _padding_nan(ct):
    hu = _manual(ct).astype(np.float64)
    hu[_padding_rule(ct)] = np.nan
    return hu


HU_ANSWERS = {"manual float32": _manual, "pydicom apply_rescale": _apply_rescale,
              "pydicom apply_modality_lut": _modality_lut, "course stored_to_hu": _course_helper,
              "padding set to NaN": _padding_nan}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", HU_ANSWERS)
def test_hu_from_header_pass(variant, how):
    result = grade(checks.hu_from_header, variant, ct_hu=HU_ANSWERS[how](ex.task(variant).ct))
    assert result.passed, result.message


def _hu_fails(variant, hu, *words):
    task = ex.task(variant)
    result = grade(checks.hu_from_header, variant, ct_hu=hu)
    assert_fails(result, *words, forbidden=(task.ct.RescaleSlope, task.ct.RescaleIntercept))


def test_hu_from_header_stored_values():
    ct = ex.task(0).ct
    _hu_fails(0, ct.pixel_array.astype(np.float32), "holds the stored values")


@pytest.mark.parametrize("variant", VARIANTS)
def test_hu_from_header_int16_cast(variant):
    ct = ex.task(variant).ct
    wrapped = ct.pixel_array.astype(np.int16) * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
    _hu_fails(variant, wrapped, "int16")


def test_hu_from_header_slope_ignored():
    ct = ex.task(3).ct
    _hu_fails(3, ct.pixel_array + float(ct.RescaleIntercept), "ignores the slope")


def test_hu_from_header_intercept_subtracted():
    ct = ex.task(0).ct
    wrong = ct.pixel_array * float(ct.RescaleSlope) - float(ct.RescaleIntercept)
    _hu_fails(0, wrong, "subtracts the intercept")


def test_hu_from_header_intercept_before_slope():
    ct = ex.task(3).ct
    wrong = (ct.pixel_array + float(ct.RescaleIntercept)) * float(ct.RescaleSlope)
    _hu_fails(3, wrong, "before multiplying")


def test_hu_from_header_integer_dtype():
    _hu_fails(0, np.rint(_manual(ex.task(0).ct)).astype(np.int32), "integer dtype")


def test_hu_from_header_transposed():
    _hu_fails(3, _manual(ex.task(3).ct).T, "transposed")


def test_hu_from_header_padding_set_to_zero():
    ct = ex.task(0).ct
    hu = _manual(ct)
    hu[_padding_rule(ct)] = 0
    _hu_fails(0, hu, "padding pixels")


# --------------------------------------------------------------------------- no_overflow

def _metal(variant):
    task = ex.task(variant)
    return np.array(task.metal_stored), task.metal_slope, task.metal_intercept


METAL_ANSWERS = {
    "float64": lambda s, m, b: s.astype(np.float64) * m + b,
    "float32": lambda s, m, b: s.astype(np.float32) * np.float32(m) + np.float32(b),
    "python list": lambda s, m, b: [int(v) * m + b for v in s],
    "course helper": lambda s, m, b: stored_to_hu(s, m, b),
    "int32 then float": lambda s, m, b: s.astype(np.int32) * m + b,
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", METAL_ANSWERS)
def test_no_overflow_pass(variant, how):
    stored, slope, intercept = _metal(variant)
    result = grade(checks.no_overflow, variant, metal_hu=METAL_ANSWERS[how](stored, slope,
                                                                            intercept))
    assert result.passed, result.message


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_overflow_int16_cast(variant):
    stored, slope, intercept = _metal(variant)
    result = grade(checks.no_overflow, variant,
                   metal_hu=stored.astype(np.int16) * slope + intercept)
    assert_fails(result, "int16", forbidden=(intercept,))


def test_no_overflow_uint16_arithmetic():
    stored, slope, intercept = _metal(0)
    assert slope == 1
    result = grade(checks.no_overflow, 0, metal_hu=stored - np.uint16(-intercept))
    assert_fails(result, "multiple of 65536")


def test_no_overflow_slope_ignored():
    stored, slope, intercept = _metal(3)
    assert slope != 1
    result = grade(checks.no_overflow, 3, metal_hu=stored.astype(float) + intercept)
    assert_fails(result, "ignores the slope")


def test_no_overflow_one_value_missing():
    stored, slope, intercept = _metal(0)
    result = grade(checks.no_overflow, 0, metal_hu=(stored * slope + intercept)[:-1])
    assert_fails(result, "one HU value per stored value")


# --------------------------------------------------------------------------- padding_mask

def _padding_rule(ct):
    stored = ct.pixel_array.astype(np.float64)
    air = (-1000 - float(ct.RescaleIntercept)) / float(ct.RescaleSlope)
    return np.abs(stored - int(ct.PixelPaddingValue)) < np.abs(stored - air)


def _padding_in_hu(ct):
    slope, intercept = float(ct.RescaleSlope), float(ct.RescaleIntercept)
    hu = _manual(ct)
    padding_hu = int(ct.PixelPaddingValue) * slope + intercept
    return np.abs(hu - padding_hu) < np.abs(hu + 1000)


def _padding_tolerance(ct):
    stored = ct.pixel_array.astype(np.int64)
    value = int(ct.PixelPaddingValue)
    air = (-1000 - float(ct.RescaleIntercept)) / float(ct.RescaleSlope)
    return (np.abs(stored - value) <= abs(value - air) / 3).astype(np.uint8)  # 0/1 is fine


def _padding_range(ct):
    value, slope = int(ct.PixelPaddingValue), float(ct.RescaleSlope)
    margin = int(500 / slope)  # 500 HU around the padding value
    low, high = max(value - margin, 0), min(value + margin, 65535)
    hu = stored_to_hu(ct.pixel_array, slope, float(ct.RescaleIntercept), padding_value=low,
                      padding_limit=high, padding_hu=np.nan)
    return np.isnan(hu)


PADDING_ANSWERS = {"nearer than air": _padding_rule, "same rule in HU": _padding_in_hu,
                   "tolerance, 0/1 mask": _padding_tolerance,
                   "PixelPaddingRangeLimit with the course helper": _padding_range}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", PADDING_ANSWERS)
def test_padding_mask_pass(variant, how):
    mask = PADDING_ANSWERS[how](ex.task(variant).ct)
    result = grade(checks.padding_mask, variant, ct_padding=mask)
    assert result.passed, result.message


def _padding_fails(variant, mask, *words):
    ct = ex.task(variant).ct
    result = grade(checks.padding_mask, variant, ct_padding=mask)
    assert_fails(result, *words, forbidden=(ct.PixelPaddingValue,))


@pytest.mark.parametrize("variant", VARIANTS)
def test_padding_mask_exact_equality(variant):
    ct = ex.task(variant).ct
    _padding_fails(variant, ct.pixel_array == int(ct.PixelPaddingValue), "scattered pixels")


def test_padding_mask_compared_after_rescale():
    ct = ex.task(0).ct
    _padding_fails(0, _manual(ct) == int(ct.PixelPaddingValue), "selects no pixel")


def test_padding_mask_hard_coded_value():
    ct = ex.task(3).ct
    _padding_fails(3, ct.pixel_array.astype(np.int32) == -2000, "selects no pixel")


def test_padding_mask_one_sided_rule_on_a_padding_value_above_air():
    task = ex.task(3)
    assert _truth(3).padding_above
    ct = task.ct
    stored = ct.pixel_array.astype(np.float64)
    air = (-1000 - float(ct.RescaleIntercept)) / float(ct.RescaleSlope)
    halfway = (int(ct.PixelPaddingValue) + air) / 2
    _padding_fails(3, stored < halfway, "inverted", "below or above air")


def test_padding_mask_hard_coded_hu_threshold():
    _padding_fails(3, _manual(ex.task(3).ct) < -1024, "selects no pixel")


def test_padding_mask_inverted():
    _padding_fails(0, ~_padding_rule(ex.task(0).ct), "inverted")


def test_padding_mask_tolerance_too_small():
    ct = ex.task(0).ct
    stored = ct.pixel_array.astype(np.float64)
    tight = np.abs(stored - int(ct.PixelPaddingValue)) < 20 / float(ct.RescaleSlope)
    _padding_fails(0, tight, "misses", "tolerance")


def test_padding_mask_not_a_mask():
    _padding_fails(0, _manual(ex.task(0).ct), "boolean mask")


# --------------------------------------------------------------------------- tissue_share

def _share_inputs(variant):
    task = ex.task(variant)
    return _manual(task.ct), _padding_rule(task.ct), ex.TISSUE_HU[task.share_tissue]


SHARE_ANSWERS = {
    "mean of a boolean": lambda hu, pad, r: float(np.mean((hu[~pad] >= r[0])
                                                          & (hu[~pad] <= r[1]))),
    "count over count": lambda hu, pad, r: np.count_nonzero(
        np.logical_and.reduce([hu >= r[0], hu <= r[1], ~pad])) / np.count_nonzero(~pad),
    "masked array": lambda hu, pad, r: np.ma.masked_array(
        (hu >= r[0]) & (hu <= r[1]), mask=pad).mean(),
    "NaN padding": lambda hu, pad, r: np.float32(np.nanmean(np.where(
        pad, np.nan, ((hu >= r[0]) & (hu <= r[1])).astype(float)))),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", SHARE_ANSWERS)
def test_tissue_share_pass(variant, how):
    fraction = SHARE_ANSWERS[how](*_share_inputs(variant))
    result = grade(checks.tissue_share, variant, ct_tissue_fraction=fraction)
    assert result.passed, result.message


def _share_fails(variant, fraction, *words):
    right = SHARE_ANSWERS["mean of a boolean"](*_share_inputs(variant))
    result = grade(checks.tissue_share, variant, ct_tissue_fraction=fraction)
    assert_fails(result, *words, forbidden=(f"{right:.4f}", f"{100 * right:.2f}"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_tissue_share_percentage(variant):
    _share_fails(variant, 100 * SHARE_ANSWERS["mean of a boolean"](*_share_inputs(variant)),
                 "percentage")


@pytest.mark.parametrize("variant", VARIANTS)
def test_tissue_share_padding_counted(variant):
    hu, _, (low, high) = _share_inputs(variant)
    _share_fails(variant, float(np.mean((hu >= low) & (hu <= high))), "padding included")


def test_tissue_share_strict_ends():
    hu, pad, (low, high) = _share_inputs(0)
    _share_fails(0, float(np.mean((hu[~pad] > low) & (hu[~pad] < high))), "both ends")


def test_tissue_share_stored_values():
    task = ex.task(3)
    stored = task.ct.pixel_array.astype(float)
    _, pad, (low, high) = _share_inputs(3)
    _share_fails(3, float(np.mean((stored[~pad] >= low) & (stored[~pad] <= high))),
                 "stored values")


def test_tissue_share_another_tissue():
    hu, pad, _ = _share_inputs(0)  # variant 0 asks for fat
    low, high = ex.TISSUE_HU["soft tissue"]
    _share_fails(0, float(np.mean((hu[~pad] >= low) & (hu[~pad] <= high))), "range")


# --------------------------------------------------------------------------- tissue_names

def _names_loop(query):
    out = []
    for value in query:
        for name, (low, high) in ex.TISSUE_HU.items():
            if low <= value <= high:
                out.append(name)
                break
    return out


def _names_numpy(query):
    names = np.array(list(ex.TISSUE_HU))
    lows, highs = np.array(list(ex.TISSUE_HU.values())).T
    hits = (np.array(query)[:, None] >= lows) & (np.array(query)[:, None] <= highs)
    return names[hits.argmax(axis=1)]


def _names_tuple(query):
    def tissue(value):
        return [n for n, (lo, hi) in ex.TISSUE_HU.items() if lo <= value <= hi][0]
    return tuple(map(tissue, query))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", [_names_loop, _names_numpy, _names_tuple])
def test_tissue_names_pass(variant, how):
    result = grade(checks.tissue_names, variant, tissue_of_values=how(ex.task(variant).query_hu))
    assert result.passed, result.message


def test_tissue_names_not_a_key():
    names = _names_loop(ex.task(0).query_hu)
    names[2] = "bone"
    assert_fails(grade(checks.tissue_names, 0, tissue_of_values=names), "key of TISSUE_HU")


def test_tissue_names_wrong_tissue():
    query = ex.task(3).query_hu
    names = _names_loop(query)
    names[0] = next(n for n in ex.TISSUE_HU if n != names[0])
    result = grade(checks.tissue_names, 3, tissue_of_values=names)
    assert_fails(result, "`tissue_of_values[0]`", "is not in the range of")


def test_tissue_names_wrong_length():
    names = _names_loop(ex.task(0).query_hu)
    result = grade(checks.tissue_names, 0, tissue_of_values=names[:-1])
    assert_fails(result, "list of 6 strings")


# --------------------------------------------------------------------------- mr_zscore

def _z_manual(values):
    fg = values > threshold_otsu(values)
    return (values - values[fg].mean()) / values[fg].std()


def _z_masked(values):
    masked = np.ma.masked_array(values, mask=values <= threshold_otsu(values))
    return ((values - masked.mean()) / masked.std()).astype(np.float32)


def _z_scipy(values):
    from scipy import stats

    fg = values > threshold_otsu(values)
    z = np.empty_like(values)
    z[fg] = stats.zscore(values[fg])
    z[~fg] = (values[~fg] - values[fg].mean()) / values[fg].std()
    return z


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", [_z_manual, _z_masked, _z_scipy])
def test_mr_zscore_pass(variant, how):
    result = grade(checks.mr_zscore, variant, mr_z=how(np.array(ex.task(variant).mr_values)))
    assert result.passed, result.message


def test_mr_zscore_raw_values():
    values = np.array(ex.task(0).mr_values)
    assert_fails(grade(checks.mr_zscore, 0, mr_z=values), "raw values")


def test_mr_zscore_min_max():
    values = np.array(ex.task(3).mr_values)
    scaled = (values - values.min()) / (values.max() - values.min())
    assert_fails(grade(checks.mr_zscore, 3, mr_z=scaled), "min-max")


@pytest.mark.parametrize("variant", VARIANTS)
def test_mr_zscore_whole_image_statistics(variant):
    values = np.array(ex.task(variant).mr_values)
    result = grade(checks.mr_zscore, variant, mr_z=(values - values.mean()) / values.std())
    assert_fails(result, "whole image")


def test_mr_zscore_spread_of_the_whole_image():
    values = np.array(ex.task(0).mr_values)
    fg = values > threshold_otsu(values)
    result = grade(checks.mr_zscore, 0, mr_z=(values - values[fg].mean()) / values.std())
    assert_fails(result, "spread")


def test_mr_zscore_integer_result():
    values = np.array(ex.task(0).mr_values)
    assert_fails(grade(checks.mr_zscore, 0, mr_z=np.rint(_z_manual(values)).astype(int)),
                 "integer dtype")


# --------------------------------------------------------------------------- more learners
# Other correct ways and classic mistakes, worked on variants 0 and 4 (review of issue 8).

def test_the_task_data_hold_no_answer():
    assert set(vars(ex.task(0))) == {"variant", "ct", "metal_stored", "metal_slope",
                                      "metal_intercept", "share_tissue", "query_hu",
                                      "mr_values"}


@pytest.mark.parametrize("variant", [0, 3, 4, 10, 27])
def test_the_checks_padding_is_the_area_outside_a_disc(variant):
    padding = ex._ct_expected(ex.task(variant)).padding
    assert np.array_equal(padding, _truth(variant).padding)
    rows, cols = padding.shape
    yy, xx = np.mgrid[:rows, :cols]
    distance = np.hypot(yy - (rows - 1) / 2, xx - (cols - 1) / 2)
    assert distance[~padding].max() < distance[padding].min()


@pytest.mark.parametrize("variant", [0, 1, 2, 3, 4, 5])
def test_one_query_value_is_at_an_end_of_its_range(variant):
    ends = {end for ends in ex.TISSUE_HU.values() for end in ends}
    assert any(value in ends for value in ex.task(variant).query_hu)


def _hu_loop(ct):
    slope, intercept = float(ct.RescaleSlope), float(ct.RescaleIntercept)
    return np.array([[float(v) * slope + intercept for v in row] for row in ct.pixel_array])


MORE_HU_ANSWERS = {
    "python loop": _hu_loop,
    "np.multiply with a float32 dtype": lambda ct: np.add(
        np.multiply(ct.pixel_array, np.float32(ct.RescaleSlope), dtype=np.float32),
        np.float32(ct.RescaleIntercept)),
    "data_element values": lambda ct: ct.pixel_array.astype(float)
    * ct.data_element("RescaleSlope").value + ct.data_element("RescaleIntercept").value,
    "masked_equal on the padding value": lambda ct: np.ma.masked_equal(
        ct.pixel_array, int(ct.PixelPaddingValue)).astype(np.float64)
    * float(ct.RescaleSlope) + float(ct.RescaleIntercept),
    "masked_where on the padding rule": lambda ct: np.ma.masked_where(
        _padding_rule(ct), _manual(ct)),
    "-1024 in the padding": lambda ct: np.where(_padding_rule(ct), -1024.0, _manual(ct)),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_HU_ANSWERS)
def test_hu_from_header_more_ways_pass(variant, how):
    result = grade(checks.hu_from_header, variant,
                   ct_hu=MORE_HU_ANSWERS[how](ex.task(variant).ct))
    assert result.passed, result.message


def test_hu_from_header_float16():
    ct = ex.task(4).ct
    hu = ct.pixel_array.astype(np.float16) * np.float16(ct.RescaleSlope) \
        + np.float16(ct.RescaleIntercept)
    _hu_fails(4, hu, "float16")


def test_hu_from_header_padding_set_to_minus_2000():
    ct = ex.task(4).ct
    _hu_fails(4, np.where(_padding_rule(ct), -2000.0, _manual(ct)), "padding pixels",
              "neither their rescaled value")


MORE_METAL_ANSWERS = {
    "list comprehension": lambda s, m, b: [v * m + b for v in s.tolist()],
    "tuple of floats": lambda s, m, b: tuple(float(v) * m + b for v in s),
    "int64 then float": lambda s, m, b: s.astype(np.int64) * m + b,
    "np.polyval": lambda s, m, b: np.polyval([m, b], s.astype(np.float64)),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_METAL_ANSWERS)
def test_no_overflow_more_ways_pass(variant, how):
    stored, slope, intercept = _metal(variant)
    result = grade(checks.no_overflow, variant,
                   metal_hu=MORE_METAL_ANSWERS[how](stored, slope, intercept))
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
def test_no_overflow_reordered(variant):
    stored, slope, intercept = _metal(variant)
    result = grade(checks.no_overflow, variant,
                   metal_hu=(stored.astype(float) * slope + intercept)[::-1])
    assert_fails(result, "another order", forbidden=(intercept,))


def test_no_overflow_float16():
    stored, slope, intercept = _metal(4)
    result = grade(checks.no_overflow, 4,
                   metal_hu=stored.astype(np.float16) * slope + intercept)
    assert_fails(result, "float16")


def _padding_isin(ct):
    value, slope = int(ct.PixelPaddingValue), float(ct.RescaleSlope)
    band = int(200 / slope)
    return np.isin(ct.pixel_array, np.arange(value - band, value + band + 1))


def _padding_masked_inside(ct):
    value, slope = int(ct.PixelPaddingValue), float(ct.RescaleSlope)
    stored = ct.pixel_array.astype(np.float64)
    return np.ma.getmaskarray(np.ma.masked_inside(stored, value - 200 / slope,
                                                  value + 200 / slope))


MORE_PADDING_ANSWERS = {
    "np.isin a band": _padding_isin,
    "masked_inside": _padding_masked_inside,
    "int64 difference, 300 HU": lambda ct: np.abs(ct.pixel_array.astype(np.int64)
                                                  - int(ct.PixelPaddingValue))
    <= 300 / float(ct.RescaleSlope),
    "list of lists": lambda ct: _padding_rule(ct).tolist(),
}


@pytest.mark.parametrize("variant", (*LEARNER_VARIANTS, 3))
@pytest.mark.parametrize("how", MORE_PADDING_ANSWERS)
def test_padding_mask_more_ways_pass(variant, how):
    result = grade(checks.padding_mask, variant,
                   ct_padding=MORE_PADDING_ANSWERS[how](ex.task(variant).ct))
    assert result.passed, result.message


@pytest.mark.parametrize("variant", (*LEARNER_VARIANTS, 3))
def test_padding_mask_uint16_difference(variant):
    ct = ex.task(variant).ct
    wrapped = np.abs(ct.pixel_array - np.uint16(int(ct.PixelPaddingValue))) \
        < 300 / float(ct.RescaleSlope)
    _padding_fails(variant, wrapped, "marks none of the padding pixels below",
                   "uint16")


def test_padding_mask_one_pixel_missed_or_added():
    truth = _truth(4).padding
    one_missed = truth.copy()
    one_missed[np.argwhere(truth)[0][0], np.argwhere(truth)[0][1]] = False
    _padding_fails(4, one_missed, "misses 1 padding pixel:")
    one_more = truth.copy()
    one_more[truth.shape[0] // 2, truth.shape[1] // 2] = True
    _padding_fails(4, one_more, "also marks 1 pixel inside the scan")


def test_padding_mask_hu_threshold_holds_only_below_air():
    """-2000 HU as the padding limit: right where padding lies below air (variant 0), wrong
    on a variant where it lies above: the hidden variant tells them apart."""
    assert grade(checks.padding_mask, 0, ct_padding=_manual(ex.task(0).ct) <= -2000).passed
    _padding_fails(3, _manual(ex.task(3).ct) <= -2000, "selects no pixel")


MORE_SHARE_ANSWERS = {
    "masked array of the HU": lambda hu, pad, r: float(np.mean(np.ma.masked_outside(
        np.ma.masked_array(hu, mask=pad).compressed(), *r).count()
        / np.count_nonzero(~pad))),
    "sum over sum": lambda hu, pad, r: ((hu >= r[0]) & (hu <= r[1]) & ~pad).sum()
    / (~pad).sum(),
    "np.float32": lambda hu, pad, r: np.float32(np.mean(((hu >= r[0]) & (hu <= r[1]))[~pad])),
    "np.isin of a range of ints": lambda hu, pad, r: np.mean(
        np.logical_and(hu[~pad] >= min(r), hu[~pad] <= max(r))),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_SHARE_ANSWERS)
def test_tissue_share_more_ways_pass(variant, how):
    result = grade(checks.tissue_share, variant,
                   ct_tissue_fraction=MORE_SHARE_ANSWERS[how](*_share_inputs(variant)))
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("open_end", ["high", "low"])
def test_tissue_share_half_open_range(variant, open_end):
    hu, pad, (low, high) = _share_inputs(variant)
    inside = hu[~pad]
    hits = (inside >= low) & (inside < high) if open_end == "high" \
        else (inside > low) & (inside <= high)
    _share_fails(variant, float(hits.mean()), "at one end of the range", "both ends")


def _names_flat(query):
    return [name for value in query for name, (low, high) in ex.TISSUE_HU.items()
            if low <= value <= high]


def _names_select(query):
    q = np.asarray(query)
    conditions = [(q >= low) & (q <= high) for low, high in ex.TISSUE_HU.values()]
    return np.select(conditions, list(ex.TISSUE_HU), default="?").tolist()


def _names_range_membership(query):
    return [next(n for n, (lo, hi) in ex.TISSUE_HU.items() if v in range(lo, hi + 1))
            for v in query]


def _names_dict_lookup(query):
    table = {value: name for name, (low, high) in ex.TISSUE_HU.items()
             for value in range(low, high + 1)}
    return [table[value] for value in query]


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", [_names_flat, _names_select, _names_range_membership,
                                 _names_dict_lookup])
def test_tissue_names_more_ways_pass(variant, how):
    result = grade(checks.tissue_names, variant, tissue_of_values=how(ex.task(variant).query_hu))
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
def test_tissue_names_strict_comparisons(variant):
    query = ex.task(variant).query_hu
    strict = [next((n for n, (lo, hi) in ex.TISSUE_HU.items() if lo < v < hi), "unknown")
              for v in query]
    result = grade(checks.tissue_names, variant, tissue_of_values=strict)
    assert_fails(result, "(got 'unknown')", "both ends are included")
    skipped = [n for v in query for n, (lo, hi) in ex.TISSUE_HU.items() if lo < v < hi]
    result = grade(checks.tissue_names, variant, tissue_of_values=skipped)
    assert_fails(result, "list of 6 strings", "both ends are included")


MORE_Z_ANSWERS = {
    "std with ddof=1": lambda v, fg: (v - v[fg].mean()) / v[fg].std(ddof=1),
    "foreground >= threshold": lambda v, fg: (lambda f: (v - v[f].mean()) / v[f].std())(
        v >= threshold_otsu(v)),
    "nanmean and nanstd": lambda v, fg: (lambda w: (v - np.nanmean(w)) / np.nanstd(w))(
        np.where(fg, v, np.nan)),
    "float32 throughout": lambda v, fg: (lambda x: (x - x[fg].mean()) / x[fg].std())(
        v.astype(np.float32)),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_Z_ANSWERS)
def test_mr_zscore_more_ways_pass(variant, how):
    values = np.array(ex.task(variant).mr_values)
    z = MORE_Z_ANSWERS[how](values, values > threshold_otsu(values))
    result = grade(checks.mr_zscore, variant, mr_z=z)
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
def test_mr_zscore_foreground_only(variant):
    values = np.array(ex.task(variant).mr_values)
    fg = values > threshold_otsu(values)
    z = (values - values[fg].mean()) / values[fg].std()
    result = grade(checks.mr_zscore, variant, mr_z=np.where(fg, z, 0.0))
    assert_fails(result, "right in the foreground but not outside it")
    assert "spread" not in result.message
    for hidden in (np.where(fg, z, np.nan), np.ma.masked_array(z, mask=~fg)):
        result = grade(checks.mr_zscore, variant, mr_z=hidden)
        assert_fails(result, "NaN (or masked) outside the foreground")
        assert "whole image" not in result.message


# --------------------------------------------------------------------------- typed in

def test_typed_in_numbers_of_variant_0_fail_on_another_variant():
    """The solution's values for variant 0, as literals, fail every check on variant 3."""
    t0 = ex.task(0)
    hu = _manual(t0.ct)
    pad = _padding_rule(t0.ct)
    low, high = ex.TISSUE_HU[t0.share_tissue]
    typed = {
        "hu_from_header": {"ct_hu": hu.tolist()},
        "no_overflow": {"metal_hu": (t0.metal_stored * t0.metal_slope
                                     + t0.metal_intercept).tolist()},
        "padding_mask": {"ct_padding": pad.tolist()},
        "tissue_share": {"ct_tissue_fraction": round(float(np.mean(
            (hu[~pad] >= low) & (hu[~pad] <= high))), 6)},
        "tissue_names": {"tissue_of_values": _names_loop(t0.query_hu)},
        "mr_zscore": {"mr_z": _z_manual(np.array(t0.mr_values)).tolist()},
    }
    assert set(typed) == set(checks.names)
    for name, values in typed.items():
        assert grade(checks[name], 0, **values).passed, name
        assert not grade(checks[name], 3, **values).passed, name


# --------------------------------------------------------------------------- whole notebook

ALTERNATIVE = {
    "28cf711e": """from pydicom.pixels import apply_rescale

ct_stored = ct.pixel_array
ct_hu = apply_rescale(ct_stored, ct)""",
    "40688bf5": """from course_utils.dicom import stored_to_hu

metal_hu = stored_to_hu(metal_stored, metal_slope, metal_intercept).tolist()""",
    "511deb76": """slope, intercept = float(ct.RescaleSlope), float(ct.RescaleIntercept)
padding_hu = int(ct.PixelPaddingValue) * slope + intercept
ct_padding = np.abs(ct_hu - padding_hu) < np.abs(ct_hu + 1000)""",
    "f8c93055": """low, high = TISSUE_HU[share_tissue]
hits = (ct_hu >= low) & (ct_hu <= high) & ~ct_padding
ct_tissue_fraction = np.count_nonzero(hits) / np.count_nonzero(~ct_padding)""",
    "206839c2": """tissue_of_values = []
for value in query_hu:
    for name, (low, high) in TISSUE_HU.items():
        if low <= value <= high:
            tissue_of_values.append(name)
            break""",
    "faef5b4d": """masked = np.ma.masked_less_equal(mr_values, threshold_otsu(mr_values))
mr_z = ((mr_values - masked.mean()) / masked.std()).astype(np.float32)""",
}
WRONG = {"40688bf5": "metal_hu = metal_stored.astype(np.int16) * metal_slope + metal_intercept"}


def _notebook(tmp_path, folder, replacements):
    nb = nbformat.read(ROOT / "solutions" / "02_hounsfield_units.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") in replacements:
            cell.source = replacements[cell["id"]]
    path = tmp_path / folder / "02_hounsfield_units.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, "alternative", ALTERNATIVE),
                                 hidden_variant=5)
    assert alternative.full_marks, [(c.name, c.message) for c in alternative.checks]
    wrong = grade_notebook(_notebook(tmp_path, "wrong", WRONG), hidden_variant=5)
    failed = [c.name for c in wrong.checks if not c.passed]
    assert failed == ["no_overflow"], [(c.name, c.message) for c in wrong.checks]
