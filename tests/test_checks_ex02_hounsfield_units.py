"""Checks of exercise 02 (Hounsfield units): right answers pass, learners' mistakes get a hint."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from skimage.filters import threshold_otsu

from course_utils import datasets
from course_utils.checks import ex02_hounsfield_units as ex
from course_utils.dicom import stored_to_hu
from check_helpers import assert_fails

checks = ex.checks


def run(name, **values):
    return checks[name].run(values)


@pytest.fixture(scope="module")
def ct():
    return pydicom.dcmread(datasets.get_path("ct_small"))


@pytest.fixture(scope="module")
def ct_hu(ct):
    return stored_to_hu(ct.pixel_array, float(ct.RescaleSlope), float(ct.RescaleIntercept))


def test_there_are_at_least_four_checks():
    assert len(checks) >= 4
    assert checks.exercise == "02_hounsfield_units"


@pytest.mark.parametrize("name", [c.name for c in ex.checks])
def test_blank_answers_say_still_dots(name):
    result = checks[name].run({param: ... for param in checks[name].params})
    assert not result.passed
    assert "still `...`" in result.message


# --- hu_from_header ----------------------------------------------------------------------

def test_hu_from_header_pass_float32_and_float64(ct, ct_hu):
    from pydicom.pixels import apply_rescale

    assert run("hu_from_header", ct_hu=ct_hu).passed
    assert run("hu_from_header", ct_hu=apply_rescale(ct.pixel_array, ct)).passed


def test_hu_from_header_stored_values(ct):
    result = run("hu_from_header", ct_hu=ct.pixel_array.astype(np.float32))
    assert_fails(result, "stored values")


def test_hu_from_header_integer_dtype(ct):
    as_int = ct.pixel_array + int(float(ct.RescaleIntercept))
    assert_fails(run("hu_from_header", ct_hu=as_int), "integer")


def test_hu_from_header_intercept_subtracted(ct):
    wrong = ct.pixel_array.astype(np.float32) - float(ct.RescaleIntercept)
    result = run("hu_from_header", ct_hu=wrong)
    assert_fails(result, "intercept", answer=float(ct.RescaleIntercept))


# --- no_overflow -------------------------------------------------------------------------

@pytest.fixture
def metal_stored():
    return np.array(ex.METAL_STORED, dtype=np.uint16)


def test_no_overflow_pass(metal_stored):
    right = stored_to_hu(metal_stored, ex.METAL_SLOPE, ex.METAL_INTERCEPT)
    assert run("no_overflow", metal_hu=right).passed
    assert run("no_overflow", metal_hu=right.tolist()).passed


def test_no_overflow_int16_cast(metal_stored):
    wrapped = metal_stored.astype(np.int16) * ex.METAL_SLOPE + ex.METAL_INTERCEPT
    assert_fails(run("no_overflow", metal_hu=wrapped), "int16")


def test_no_overflow_uint16_arithmetic(metal_stored):
    wrapped = metal_stored - np.uint16(-ex.METAL_INTERCEPT)
    assert wrapped.dtype == np.uint16
    assert_fails(run("no_overflow", metal_hu=wrapped), "wrapped")


# --- padding_mask ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def head():
    return pydicom.dcmread(datasets.get_path("ct_j2k"))


def test_padding_mask_pass(head):
    stored = head.pixel_array
    air = (-1000 - float(head.RescaleIntercept)) / float(head.RescaleSlope)
    mask = stored < (int(head.PixelPaddingValue) + air) / 2
    assert run("padding_mask", head_padding=mask).passed
    # another reasonable tolerance in stored-value space also passes
    assert run("padding_mask", head_padding=stored < int(head.PixelPaddingValue) + 900).passed


def test_padding_mask_exact_equality_is_caught(head):
    exact = head.pixel_array == int(head.PixelPaddingValue)
    result = run("padding_mask", head_padding=exact)
    assert_fails(result, "lossy", answer=int(head.PixelPaddingValue))


def test_padding_mask_threshold_inside_the_air(head):
    too_much = head.pixel_array < 100  # stored 100 is -924 HU: takes the air inside the disc
    assert_fails(run("padding_mask", head_padding=too_much), "inside")


def test_padding_mask_wrong_shape(head):
    mask = head.pixel_array[:100] == int(head.PixelPaddingValue)
    assert_fails(run("padding_mask", head_padding=mask), "shape")


# --- fat_share -----------------------------------------------------------------------------

def test_fat_share_pass(ct_hu):
    low, high = ex.FAT_RANGE
    fraction = np.count_nonzero((ct_hu >= low) & (ct_hu <= high)) / ct_hu.size
    assert run("fat_share", ct_fat_fraction=fraction).passed
    assert run("fat_share", ct_fat_fraction=np.float32(fraction)).passed


def test_fat_share_percentage(ct_hu):
    low, high = ex.FAT_RANGE
    percent = 100 * np.mean((ct_hu >= low) & (ct_hu <= high))
    assert_fails(run("fat_share", ct_fat_fraction=percent), "percentage")


def test_fat_share_on_stored_values(ct):
    low, high = ex.FAT_RANGE
    stored = ct.pixel_array
    wrong = np.mean((stored >= low) & (stored <= high))
    assert_fails(run("fat_share", ct_fat_fraction=wrong), "stored")


def test_fat_share_pixel_count_instead_of_fraction(ct_hu):
    low, high = ex.FAT_RANGE
    count = int(np.count_nonzero((ct_hu >= low) & (ct_hu <= high)))
    result = run("fat_share", ct_fat_fraction=count)
    assert_fails(result, "fraction", answer=count)


# --- tissue_names --------------------------------------------------------------------------

def _classify(values):
    return [next(name for name, (lo, hi) in ex.TISSUE_HU.items() if lo <= v <= hi)
            for v in values]


def test_tissue_names_pass():
    assert run("tissue_names", tissue_of_values=_classify(ex.QUERY_HU)).passed


def test_tissue_names_sorted_instead_of_in_order():
    wrong = _classify(sorted(ex.QUERY_HU))
    assert wrong != _classify(ex.QUERY_HU)
    result = run("tissue_names", tissue_of_values=wrong)
    assert_fails(result, "HU is not in the range")


def test_tissue_names_unknown_name():
    names = _classify(ex.QUERY_HU)
    names[0] = "muscle"
    assert_fails(run("tissue_names", tissue_of_values=names), "key of TISSUE_HU")


def test_tissue_names_wrong_length():
    assert_fails(run("tissue_names", tissue_of_values=["fat"]), "list of")


# --- mr_zscore -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mr_values():
    return pydicom.dcmread(datasets.get_path("mr_small")).pixel_array.astype(np.float64)


def test_mr_zscore_pass(mr_values):
    foreground = mr_values > threshold_otsu(mr_values)
    z = (mr_values - mr_values[foreground].mean()) / mr_values[foreground].std()
    assert run("mr_zscore", mr_z=z).passed
    z1 = (mr_values - mr_values[foreground].mean()) / mr_values[foreground].std(ddof=1)
    assert run("mr_zscore", mr_z=z1.astype(np.float32)).passed


def test_mr_zscore_whole_image(mr_values):
    z = (mr_values - mr_values.mean()) / mr_values.std()
    assert_fails(run("mr_zscore", mr_z=z), "foreground")


def test_mr_zscore_min_max(mr_values):
    scaled = (mr_values - mr_values.min()) / (mr_values.max() - mr_values.min())
    assert_fails(run("mr_zscore", mr_z=scaled), "min-max")


def test_mr_zscore_integer_image(mr_values):
    assert_fails(run("mr_zscore", mr_z=mr_values.astype(np.int16)), "integer")
