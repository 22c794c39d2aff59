"""Tests for the checks of exercise 08 (difference images): right answers pass, real mistakes
fail with a helpful message that does not give the answer."""

from __future__ import annotations

import functools
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import CenteredNorm, TwoSlopeNorm

from course_utils.checks import ex08_difference_images as ex
from course_utils.display import physical_extent
from check_helpers import assert_fails


@pytest.fixture(scope="module")
def images():
    return ex.make_images()


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _subtraction_axes(images, difference=None, cmap="RdBu_r", norm=None, vmin=None, vmax=None,
                      extend="both", colorbar=True):
    difference = images["post_hu"] - images["pre_hu"] if difference is None else difference
    fig, ax = plt.subplots()
    if norm is None and vmin is None and vmax is None:
        norm = CenteredNorm(vcenter=0, halfrange=100)
    shown = ax.imshow(difference, cmap=cmap, norm=norm, vmin=vmin, vmax=vmax,
                      extent=physical_extent(difference.shape, (0.75, 0.75)))
    if colorbar:
        fig.colorbar(shown, ax=ax, extend=extend)
    return ax


# --- difference_sign --------------------------------------------------------------------

def test_difference_sign_passes(images):
    truth, prediction = images["truth"], images["prediction"]
    for dtype in (np.int8, np.int16, float):
        answer = prediction.astype(dtype) - truth.astype(dtype)
        assert _run("difference_sign", signed_difference=answer).passed


def test_difference_sign_mistakes(images):
    truth, prediction = images["truth"], images["prediction"]
    reversed_sign = truth.astype(int) - prediction.astype(int)
    _assert_fails(_run("difference_sign", signed_difference=reversed_sign), "reversed")
    wrapped = prediction.astype(np.uint8) - truth.astype(np.uint8)
    _assert_fails(_run("difference_sign", signed_difference=wrapped), "wrapped", "signed")
    xor = (prediction ^ truth).astype(int)
    _assert_fails(_run("difference_sign", signed_difference=xor), "no negative")
    _assert_fails(_run("difference_sign", signed_difference=...), "still `...`")


# --- fp_fn_counts -------------------------------------------------------------------------

def test_counts_pass_and_swapped_fail(images):
    difference = images["prediction"].astype(int) - images["truth"].astype(int)
    fp, fn = int((difference == 1).sum()), int((difference == -1).sum())
    assert fp != fn
    assert _run("fp_fn_counts", false_positive_count=fp, false_negative_count=fn).passed
    assert _run("fp_fn_counts", false_positive_count=np.int64(fp),
                false_negative_count=float(fn)).passed
    result = _run("fp_fn_counts", false_positive_count=fn, false_negative_count=fp)
    _assert_fails(result, "swapped", forbidden=(str(fp), str(fn)))


def test_counts_other_mistakes(images):
    truth, prediction = images["truth"], images["prediction"]
    difference = prediction.astype(int) - truth.astype(int)
    fp, fn = int((difference == 1).sum()), int((difference == -1).sum())
    union_minus_truth = int((prediction | truth).sum())          # not the false positives
    _assert_fails(_run("fp_fn_counts", false_positive_count=union_minus_truth,
                       false_negative_count=fn), "false_positive_count",
                  forbidden=(str(fp),))
    wrapped = prediction.astype(np.uint8) - truth.astype(np.uint8)
    _assert_fails(_run("fp_fn_counts", false_positive_count=fp,
                       false_negative_count=int((wrapped == -1).sum())), "missed")


# --- subtraction_colormap ----------------------------------------------------------------

def test_colormap_passes_by_hand_and_with_helper(images):
    assert _run("subtraction_colormap", ax_subtraction=_subtraction_axes(images)).passed
    assert _run("subtraction_colormap",
                ax_subtraction=_subtraction_axes(images, cmap="coolwarm")).passed
    from course_utils.overlay import show_difference
    fig, ax = plt.subplots()
    show_difference(images["post_hu"], images["pre_hu"], ax=ax, vmax=100)
    for name in ("subtraction_colormap", "subtraction_norm", "colorbar_extend"):
        assert _run(name, ax_subtraction=ax).passed, name


@pytest.mark.parametrize("cmap, words", [("viridis", "not a diverging"),
                                         ("gray", "not a diverging"),
                                         ("jet", "not a diverging"),
                                         ("RdYlGn", "red to green")])
def test_colormap_rejects_sequential_and_red_green(images, cmap, words):
    _assert_fails(_run("subtraction_colormap",
                       ax_subtraction=_subtraction_axes(images, cmap=cmap)), words)


def test_colormap_rejects_pre_minus_post_and_other_images(images):
    reversed_difference = images["pre_hu"] - images["post_hu"]
    _assert_fails(_run("subtraction_colormap",
                       ax_subtraction=_subtraction_axes(images, reversed_difference)),
                  "pre minus post")
    _assert_fails(_run("subtraction_colormap",
                       ax_subtraction=_subtraction_axes(images, images["post_hu"])),
                  "no image")


# --- subtraction_norm ---------------------------------------------------------------------

def test_norm_passes_with_vmin_vmax_and_two_slope(images):
    by_limits = _subtraction_axes(images, vmin=-100, vmax=100)
    assert _run("subtraction_norm", ax_subtraction=by_limits).passed
    two_slope = _subtraction_axes(images, norm=TwoSlopeNorm(vcenter=0, vmin=-100, vmax=100))
    assert _run("subtraction_norm", ax_subtraction=two_slope).passed


def test_norm_rejects_default_and_asymmetric_limits(images):
    fig, ax = plt.subplots()
    shown = ax.imshow(images["post_hu"] - images["pre_hu"], cmap="RdBu_r")   # data min/max
    fig.colorbar(shown, ax=ax)
    _assert_fails(_run("subtraction_norm", ax_subtraction=ax), "not symmetric",
                  forbidden=("100",))
    asymmetric = _subtraction_axes(images, norm=TwoSlopeNorm(vcenter=0, vmin=-50, vmax=250))
    _assert_fails(_run("subtraction_norm", ax_subtraction=asymmetric), "not symmetric")
    off_centre = _subtraction_axes(images, norm=CenteredNorm(vcenter=20, halfrange=100))
    _assert_fails(_run("subtraction_norm", ax_subtraction=off_centre), "centre")


def test_norm_rejects_full_range(images):
    full = _subtraction_axes(images, norm=CenteredNorm(vcenter=0))
    _assert_fails(_run("subtraction_norm", ax_subtraction=full), "half-range",
                  forbidden=("100",))


# --- colorbar_extend ----------------------------------------------------------------------

def test_extend_passes_for_both_and_the_clipped_side(images):
    assert _run("colorbar_extend", ax_subtraction=_subtraction_axes(images)).passed
    difference = images["post_hu"] - images["pre_hu"]
    if difference.max() > 100 and difference.min() >= -100:
        assert _run("colorbar_extend",
                    ax_subtraction=_subtraction_axes(images, extend="max")).passed


def test_extend_rejects_silent_clipping_and_missing_colorbar(images):
    result = _run("colorbar_extend", ax_subtraction=_subtraction_axes(images, extend="neither"))
    _assert_fails(result, "extend", forbidden=("'both'", '"both"', "=both"))
    _assert_fails(_run("colorbar_extend",
                       ax_subtraction=_subtraction_axes(images, colorbar=False)), "no colorbar")
    _assert_fails(_run("colorbar_extend", ax_subtraction=...), "still `...`")
