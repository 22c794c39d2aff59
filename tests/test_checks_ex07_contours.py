"""Tests for the checks of exercise 07 (contours): right answers pass, real mistakes fail."""

from __future__ import annotations

import functools
import warnings

import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.lines import Line2D

from course_utils.checks import ex07_contours as ex
from course_utils.display import physical_extent
from course_utils.metrics import dice, jaccard
from course_utils.phantom import fake_ct_slice, imperfect_prediction
from check_helpers import assert_fails

SPACING = (0.75, 0.75)


@pytest.fixture(scope="module")
def data():
    image, truth = fake_ct_slice(size=512, seed=0)
    prediction = imperfect_prediction(truth, seed=0)
    return image, truth, prediction, physical_extent(image.shape, SPACING)


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _outline_axes(data, truth_mask=None, **contour_kwargs):
    image, truth, _, extent = data
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray", vmin=-1350, vmax=150, extent=extent)
    options = {"extent": extent, "origin": "upper", "levels": [0.5]}
    options.update(contour_kwargs)
    options = {k: v for k, v in options.items() if v is not None}
    ax.contour((truth if truth_mask is None else truth_mask).astype(float), **options)
    return ax


def _compare_axes(data, colors=("#0072B2", "#E69F00"), styles=("solid", "dashed"),
                  legend="proxies", labels=("Ground truth", "Prediction")):
    image, truth, prediction, extent = data
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray", vmin=-1350, vmax=150, extent=extent)
    for mask, colour, style in zip((truth, prediction), colors, styles):
        ax.contour(mask.astype(float), levels=[0.5], colors=colour, linestyles=style,
                   extent=extent, origin="upper")
    if legend == "proxies":
        ax.legend(handles=[Line2D([], [], color=c, linestyle=s, label=t)
                           for c, s, t in zip(colors, styles, labels)])
    return ax


# --- outline_in_mm -----------------------------------------------------------------------

def test_outline_in_mm_passes_by_hand_and_with_helper(data):
    assert _run("outline_in_mm", ax_outline=_outline_axes(data)).passed
    from course_utils.annotate import draw_contour
    from course_utils.display import show_slice
    image, truth, _, _ = data
    fig, ax = plt.subplots()
    show_slice(image, window="lung", spacing=SPACING, ax=ax)
    draw_contour(truth, ax=ax)
    assert _run("outline_in_mm", ax_outline=ax).passed
    fig, ax = plt.subplots()   # a Figure with one Axes is accepted too
    ax_fig = _outline_axes(data)
    assert _run("outline_in_mm", ax_outline=ax_fig.figure).passed


def test_outline_without_extent_is_pixels(data):
    result = _run("outline_in_mm", ax_outline=_outline_axes(data, extent=None, origin=None))
    _assert_fails(result, "pixel", "extent")


def test_outline_without_origin_is_flipped(data):
    _assert_fails(_run("outline_in_mm", ax_outline=_outline_axes(data, origin=None)),
                  "upside down", "origin")


def test_outline_wrong_level_or_wrong_mask(data):
    _assert_fails(_run("outline_in_mm", ax_outline=_outline_axes(data, levels=[0.2, 0.8])),
                  "level")
    _assert_fails(_run("outline_in_mm", ax_outline=_outline_axes(data, truth_mask=data[2])),
                  "prediction")


def test_outline_needs_image_in_mm_and_a_contour(data):
    image, truth, _, _ = data
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray")
    ax.contour(truth.astype(float), levels=[0.5])
    _assert_fails(_run("outline_in_mm", ax_outline=ax), "mm", "extent")
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray", extent=data[3])
    _assert_fails(_run("outline_in_mm", ax_outline=ax), "no outline")
    _assert_fails(_run("outline_in_mm", ax_outline=...), "still `...`")


# --- gt_vs_prediction_styles ------------------------------------------------------------

def test_styles_pass_with_okabe_ito_and_helper(data):
    assert _run("gt_vs_prediction_styles", ax_compare=_compare_axes(data)).passed
    from course_utils.annotate import compare_contours
    from course_utils.display import show_slice
    image, truth, prediction, _ = data
    fig, ax = plt.subplots()
    show_slice(image, window="lung", spacing=SPACING, ax=ax)
    compare_contours(truth, prediction, ax=ax)
    assert _run("gt_vs_prediction_styles", ax_compare=ax).passed
    assert _run("legend_with_proxies", ax_compare=ax).passed


@pytest.mark.parametrize("colors", [("red", "green"), ("tab:red", "tab:green"), ("r", "lime")])
def test_styles_reject_red_green(data, colors):
    result = _run("gt_vs_prediction_styles", ax_compare=_compare_axes(data, colors=colors))
    _assert_fails(result, "colour", forbidden=("#0072B2", "#E69F00"))


def test_styles_reject_same_line_style(data):
    result = _run("gt_vs_prediction_styles",
                  ax_compare=_compare_axes(data, styles=("solid", "solid")))
    _assert_fails(result, "line style")


def test_styles_need_both_outlines(data):
    _assert_fails(_run("gt_vs_prediction_styles", ax_compare=_outline_axes(data)),
                  "two outlines")


# --- legend_with_proxies ------------------------------------------------------------------

def test_legend_from_contour_labels_is_empty(data):
    image, truth, prediction, extent = data
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray", extent=extent)
    ax.contour(truth.astype(float), levels=[0.5], colors="#0072B2", extent=extent,
               origin="upper", label="Ground truth")
    ax.contour(prediction.astype(float), levels=[0.5], colors="#E69F00", linestyles="dashed",
               extent=extent, origin="upper", label="Prediction")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax.legend()
    _assert_fails(_run("legend_with_proxies", ax_compare=ax), "proxy",
                  forbidden=("Line2D(",))


def test_legend_must_match_outlines_and_name_both(data):
    swapped = _compare_axes(data)
    swapped.legend(handles=[Line2D([], [], color="#E69F00", linestyle="dashed",
                                   label="Ground truth"),
                            Line2D([], [], color="#0072B2", label="Prediction")])
    _assert_fails(_run("legend_with_proxies", ax_compare=swapped), "colour and line style")
    unnamed = _compare_axes(data, labels=("A", "B"))
    _assert_fails(_run("legend_with_proxies", ax_compare=unnamed), "name both")
    _assert_fails(_run("legend_with_proxies", ax_compare=_compare_axes(data, legend=None)),
                  "no legend")


# --- dice_and_jaccard -----------------------------------------------------------------------

def test_scores_pass_when_computed(data):
    _, truth, prediction, _ = data
    inter = np.count_nonzero(truth & prediction)
    by_hand = 2 * inter / (truth.sum() + prediction.sum())
    result = _run("dice_and_jaccard", dice_score=by_hand,
                  jaccard_score=np.float32(jaccard(truth, prediction)))
    assert result.passed, result.message


def test_scores_wrong_answers(data):
    _, truth, prediction, _ = data
    d, j = dice(truth, prediction), jaccard(truth, prediction)
    _assert_fails(_run("dice_and_jaccard", dice_score=j, jaccard_score=d), "swapped",
                  forbidden=(f"{d:.2f}", f"{j:.2f}"))
    _assert_fails(_run("dice_and_jaccard", dice_score=d / 2, jaccard_score=j), "half")
    _assert_fails(_run("dice_and_jaccard", dice_score=d, jaccard_score=d / 2), "union")
    _assert_fails(_run("dice_and_jaccard", dice_score=100 * d, jaccard_score=j), "between 0 and 1")
    _assert_fails(_run("dice_and_jaccard", dice_score=..., jaccard_score=j), "still `...`")


# --- scores_on_figure -----------------------------------------------------------------------

def test_scores_on_figure(data):
    _, truth, prediction, _ = data
    d, j = dice(truth, prediction), jaccard(truth, prediction)
    ax = _compare_axes(data)
    ax.text(0.02, 0.98, f"Dice {d:.2f}\nJaccard {j:.2f}", transform=ax.transAxes,
            path_effects=[path_effects.withStroke(linewidth=2, foreground="black")])
    assert _run("scores_on_figure", ax_compare=ax).passed
    as_title = _compare_axes(data)
    as_title.set_title(f"Dice {100 * d:.1f}%, IoU {100 * j:.1f}%")
    assert _run("scores_on_figure", ax_compare=as_title).passed


def test_scores_on_figure_rejects_missing_or_wrong_values(data):
    _assert_fails(_run("scores_on_figure", ax_compare=_compare_axes(data)), "both scores")
    ax = _compare_axes(data)
    ax.text(0.1, 0.9, "Dice 0.50, Jaccard 0.33", transform=ax.transAxes)
    _assert_fails(_run("scores_on_figure", ax_compare=ax), "values")
