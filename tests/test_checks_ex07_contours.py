"""Tests for the checks of exercise 07 (contours): correct answers written in other ways pass
on two variants, each classic mistake fails only the requirement it breaks, with its message."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from skimage.measure import find_contours

from check_helpers import assert_fails, grade
from course_utils.annotate import compare_contours, draw_contour
from course_utils.checks import ex07_contours as ex
from course_utils.display import physical_extent, show_slice
from course_utils.metrics import dice, jaccard

VARIANTS = (0, 3)
BLUE, ORANGE = "#0072B2", "#E69F00"
ROOT = Path(__file__).resolve().parents[1]


def _task(variant):
    return ex.task(variant)


def _extent(data):
    return physical_extent(data.image_hu.shape, data.pixel_spacing)


def _image(ax, data, how="imshow"):
    """The image in grey, lung window, in mm, in one of several correct ways."""
    extent = _extent(data)
    if how == "imshow":
        ax.imshow(data.image_hu, cmap="gray", vmin=-1350, vmax=150, extent=extent)
    elif how == "show_slice":
        show_slice(data.image_hu, window="lung", spacing=data.pixel_spacing, ax=ax)
    elif how == "prewindowed":   # windowed to [0, 1] first, shown with vmin=0, vmax=1
        shown = np.clip((data.image_hu + 1350) / 1500, 0, 1).astype(np.float32)
        ax.imshow(shown, cmap="Greys_r", vmin=0, vmax=1, extent=extent, origin="upper")
    elif how == "edges":         # extent to the pixel edges at index * spacing, bone map
        rows, cols = data.image_hu.shape
        dy, dx = data.pixel_spacing
        black_white = LinearSegmentedColormap.from_list("bw", ["black", "white"])
        ax.imshow(data.image_hu, cmap=black_white, vmin=-1350, vmax=150,
                  extent=[0, cols * dx, rows * dy, 0])
    elif how == "bone":
        ax.imshow(data.image_hu, cmap="bone", vmin=-1350, vmax=150, extent=list(extent))
    else:
        raise ValueError(how)


def _zoom(ax, data):
    ax.set_xlim(data.zoom_x)
    ax.set_ylim(data.zoom_y)


def _mm_points(data, mask):
    dy, dx = data.pixel_spacing
    return [np.column_stack([p[:, 1] * dx, p[:, 0] * dy])
            for p in find_contours(mask.astype(float), 0.5)]


def _outline(ax, data, mask, how="contour", color=BLUE, style="solid"):
    """The 0.5 outline of ``mask`` in mm, in one of several correct ways."""
    if how == "contour":
        ax.contour(mask.astype(float), levels=[0.5], colors=color, linestyles=style,
                   extent=_extent(data), origin="upper")
    elif how == "helper":
        draw_contour(mask, ax=ax, color=color, linestyle=style)
    elif how == "find_contours":
        for points in _mm_points(data, mask):
            ax.plot(points[:, 0], points[:, 1], color=color, linestyle=style)
    elif how == "xy":            # contour(X, Y, Z) with pixel-centre coordinates in mm
        dy, dx = data.pixel_spacing
        rows, cols = mask.shape
        ax.contour(np.arange(cols) * dx, np.arange(rows) * dy, mask, levels=[0.5],
                   colors=[color], linestyles=[style])
    elif how == "polygon":
        for points in _mm_points(data, mask):
            ax.add_patch(Polygon(points, closed=True, fill=False, edgecolor=color,
                                 linestyle=style))
    else:
        raise ValueError(how)


def _outline_axes(data, image="imshow", outline="contour", mask=None, zoom=True):
    fig, ax = plt.subplots()
    _image(ax, data, image)
    _outline(ax, data, data.truth if mask is None else mask, outline)
    if zoom:
        _zoom(ax, data)
    return ax


def _compare_axes(data, outline="contour", colors=(BLUE, ORANGE), styles=("solid", "dashed"),
                  legend="line", image="imshow", labels=("Ground truth", "Prediction")):
    fig, ax = plt.subplots()
    _image(ax, data, image)
    for mask, color, style in zip((data.truth, data.prediction), colors, styles):
        _outline(ax, data, mask, outline, color, style)
    handles = [Line2D([], [], color=c, linestyle=s, label=t)
               for c, s, t in zip(colors, styles, labels)]
    if legend == "line":
        ax.legend(handles=handles, loc="upper right")
    elif legend == "figure":
        fig.legend(handles=handles, loc="outside upper center")
    elif legend == "square":
        ax.legend(handles=[Line2D([], [], marker="s", linestyle="none", color=c, label=t)
                           for c, t in zip(colors, labels)])
    elif legend == "patch":
        ax.legend(handles=[Patch(facecolor=c, label=t) for c, t in zip(colors, labels)])
    _zoom(ax, data)
    return ax


def _passes(check, **makers):
    for variant in VARIANTS:
        data = _task(variant)
        result = grade(check, variant, **{name: make(data) for name, make in makers.items()})
        assert result.passed, (variant, result.message)


# --- task data ----------------------------------------------------------------------------

def test_task_data_vary_and_expose_the_mistakes():
    a, b = _task(0), _task(3)
    assert a.image_hu.shape != b.image_hu.shape and a.pixel_spacing != b.pixel_spacing
    for data in (a, b):
        dy, dx = data.pixel_spacing
        assert abs(dy - dx) > 0.1 and data.image_hu.shape[0] != data.image_hu.shape[1]
        rows = np.nonzero(data.truth)[0]
        # far enough from the middle row that an upside-down outline misses the lesion
        assert abs(rows.mean() - (data.image_hu.shape[0] - 1) / 2) * dy > 15
    assert round(a.dice, 2) != round(b.dice, 2) or round(a.jaccard, 2) != round(b.jaccard, 2)
    assert ex.task(0) is ex.task(0)


# --- outline_in_mm ------------------------------------------------------------------------

@pytest.mark.parametrize("image, outline", [
    ("show_slice", "helper"), ("prewindowed", "find_contours"), ("bone", "xy"),
    ("edges", "polygon")])
def test_outline_in_mm_accepts_other_methods(image, outline):
    _passes(ex.outline_in_mm, ax_outline=lambda d: _outline_axes(d, image, outline))


def test_outline_in_mm_accepts_a_figure_with_one_axes():
    data = _task(3)
    assert grade(ex.outline_in_mm, 3, ax_outline=_outline_axes(data).figure).passed


@pytest.mark.parametrize("cmap, words", [("gray_r", "inverted"), ("viridis", "not in grey")])
def test_outline_in_mm_needs_black_to_white_grey(cmap, words):
    data = _task(3)
    ax = _outline_axes(data)
    ax.images[0].set_cmap(cmap)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), words)


def test_outline_in_mm_needs_the_lung_window():
    data = _task(3)
    ax = _outline_axes(data)
    ax.images[0].set_clim(data.image_hu.min(), data.image_hu.max())   # min-max scaling
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "lung window")
    fig, ax = plt.subplots()   # pre-windowed in the mediastinal window, shown 0..1
    ax.imshow(np.clip((data.image_hu + 125) / 350, 0, 1), cmap="gray", vmin=0, vmax=1,
              extent=_extent(data))
    _outline(ax, data, data.truth)
    _zoom(ax, data)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "lung window")


def test_outline_in_mm_image_without_extent_or_with_swapped_spacing():
    data = _task(3)
    ax = _outline_axes(data)
    ax.images[0].set_extent((-0.5, data.image_hu.shape[1] - 0.5,
                             data.image_hu.shape[0] - 0.5, -0.5))
    _zoom(ax, data)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "pixels", "extent")
    fig, ax = plt.subplots()
    ax.imshow(data.image_hu, cmap="gray", vmin=-1350, vmax=150,
              extent=physical_extent(data.image_hu.shape, data.pixel_spacing[::-1]))
    _outline(ax, data, data.truth)
    _zoom(ax, data)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "wrong way round",
                 forbidden=(str(data.pixel_spacing[0]),))


def _outline_drawn(data, draw):
    fig, ax = plt.subplots()
    _image(ax, data)
    draw(ax)
    _zoom(ax, data)
    return ax


def test_outline_in_pixels_swapped_or_flipped_fails_with_its_fault():
    data = _task(3)
    dy, dx = data.pixel_spacing
    truth = data.truth.astype(float)
    cases = [
        (lambda ax: ax.contour(truth, levels=[0.5]), ("pixel units",)),
        (lambda ax: ax.contour(truth, levels=[0.5], extent=_extent(data)), ("upside down",
                                                                             "origin")),
    ]
    points = find_contours(truth, 0.5)[0]
    cases += [
        (lambda ax: ax.plot(points[:, 0] * dy, points[:, 1] * dx), ("x and y swapped",)),
        (lambda ax: ax.plot(points[:, 1], points[:, 0]), ("pixel units",)),
        (lambda ax: ax.plot(points[:, 1] * dy, points[:, 0] * dx), ("wrong way round",)),
    ]
    for draw, words in cases:
        result = grade(ex.outline_in_mm, 3, ax_outline=_outline_drawn(data, draw))
        assert_fails(result, *words)


def test_outline_in_mm_wrong_level_wrong_mask_or_filled():
    data = _task(3)
    ax = _outline_drawn(data, lambda ax: ax.contour(data.truth.astype(float),
                                                    levels=[0.2, 0.8], extent=_extent(data),
                                                    origin="upper"))
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "level")
    ax = _outline_axes(data, mask=data.prediction)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "prediction's")
    ax = _outline_drawn(data, lambda ax: ax.contourf(data.truth.astype(float), levels=[0.5, 1],
                                                     extent=_extent(data), origin="upper"))
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "no outline")
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=...), "still `...`")


def test_outline_in_mm_needs_the_zoom_with_y_inverted():
    data = _task(3)
    ax = _outline_axes(data)
    ax.set_ylim(sorted(data.zoom_y))
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "not inverted", "upside down",
                 forbidden=(str(data.zoom_y[0]),))
    ax = _outline_axes(data, zoom=False)
    assert_fails(grade(ex.outline_in_mm, 3, ax_outline=ax), "not zoomed")


# --- gt_vs_prediction_styles ----------------------------------------------------------------

@pytest.mark.parametrize("outline, colors, styles", [
    ("find_contours", ("black", ORANGE), ("solid", "dashed")),
    ("polygon", ("tab:blue", "tab:orange"), ("dashed", "solid")),
    ("xy", ("#56B4E9", "#D55E00"), ("--", ":")),
])
def test_styles_accept_other_methods(outline, colors, styles):
    _passes(ex.gt_vs_prediction_styles,
            ax_compare=lambda d: _compare_axes(d, outline, colors, styles, image="prewindowed"))


def test_styles_and_legend_accept_the_course_helper():
    def helper(data):
        fig, ax = plt.subplots()
        show_slice(data.image_hu, window="lung", spacing=data.pixel_spacing, ax=ax)
        compare_contours(data.truth, data.prediction, ax=ax, show_scores=True)
        _zoom(ax, data)
        return ax
    _passes(ex.gt_vs_prediction_styles, ax_compare=helper)
    _passes(ex.legend_with_proxies, ax_compare=helper)
    _passes(ex.scores_on_figure, ax_compare=helper)


@pytest.mark.parametrize("colors", [("red", "green"), ("tab:red", "tab:green")])
def test_styles_reject_red_green(colors):
    result = grade(ex.gt_vs_prediction_styles, 3, ax_compare=_compare_axes(_task(3),
                                                                            colors=colors))
    assert_fails(result, "red and green", forbidden=(BLUE, ORANGE))


def test_styles_reject_colours_that_look_alike_and_one_line_style():
    data = _task(3)
    result = grade(ex.gt_vs_prediction_styles, 3,
                   ax_compare=_compare_axes(data, colors=(ORANGE, "#F0E442")))
    assert_fails(result, "look alike")
    result = grade(ex.gt_vs_prediction_styles, 3,
                   ax_compare=_compare_axes(data, styles=("solid", "solid")))
    assert_fails(result, "same line style")


def test_styles_need_both_outlines_on_the_image_zoomed():
    data = _task(3)
    assert_fails(grade(ex.gt_vs_prediction_styles, 3, ax_compare=_outline_axes(data)),
                 "1 outline", "two")
    ax = _compare_axes(data)
    ax.images[0].set_cmap("gray_r")
    assert_fails(grade(ex.gt_vs_prediction_styles, 3, ax_compare=ax), "inverted")
    ax = _compare_axes(data)
    ax.set_xlim(data.zoom_x[::-1])
    assert_fails(grade(ex.gt_vs_prediction_styles, 3, ax_compare=ax), "mirrors")


# --- legend_with_proxies ----------------------------------------------------------------------

@pytest.mark.parametrize("legend, outline", [("figure", "contour"), ("square", "find_contours"),
                                             ("patch", "polygon")])
def test_legend_accepts_any_proxy_and_figure_legends(legend, outline):
    _passes(ex.legend_with_proxies,
            ax_compare=lambda d: _compare_axes(d, outline, legend=legend))


def test_legend_accepts_draw_contour_labels():
    def labelled(data):
        fig, ax = plt.subplots()
        _image(ax, data, "show_slice")
        draw_contour(data.truth, ax=ax, label="Reference (manual)")
        draw_contour(data.prediction, ax=ax, color=ORANGE, linestyle="--", label="Model")
        ax.legend()
        _zoom(ax, data)
        return ax
    _passes(ex.legend_with_proxies, ax_compare=labelled)


def test_legend_from_contour_labels_is_empty():
    data = _task(3)
    ax = _compare_axes(data, legend=None)
    for collection, label in zip(ax.collections, ("Ground truth", "Prediction")):
        collection.set_label(label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax.legend()
    assert_fails(grade(ex.legend_with_proxies, 3, ax_compare=ax), "no legend entries",
                 "proxy")


def test_legend_must_name_both_and_look_like_the_outlines():
    data = _task(3)
    ax = _compare_axes(data, labels=("A", "B"))
    assert_fails(grade(ex.legend_with_proxies, 3, ax_compare=ax), "name both")
    ax = _compare_axes(data, legend=None)       # colours swapped in the legend
    ax.legend(handles=[Line2D([], [], color=ORANGE, label="Ground truth"),
                       Line2D([], [], color=BLUE, linestyle="--", label="Prediction")])
    assert_fails(grade(ex.legend_with_proxies, 3, ax_compare=ax), "ground truth",
                 "does not look like")
    ax = _compare_axes(data, legend=None)       # line styles swapped in the legend
    ax.legend(handles=[Line2D([], [], color=BLUE, linestyle="--", label="Ground truth"),
                       Line2D([], [], color=ORANGE, label="Prediction")])
    assert_fails(grade(ex.legend_with_proxies, 3, ax_compare=ax), "does not look like")


# --- dice_and_jaccard ----------------------------------------------------------------------

def _scores_by(how, data):
    a, b = data.truth, data.prediction
    if how == "metrics":
        return dice(a, b), jaccard(a, b)
    if how == "float32":
        inter = np.float32(np.logical_and(a, b).sum())
        return 2 * inter / np.float32(a.sum() + b.sum()), inter / np.float32(
            np.logical_or(a, b).sum())
    value = 2 * (a & b).sum() / (a.sum() + b.sum())        # Jaccard from Dice
    return float(value), float(value / (2 - value))


@pytest.mark.parametrize("how", ["metrics", "float32", "from_dice"])
def test_dice_and_jaccard_accept_other_methods(how):
    for variant in VARIANTS:
        d, j = _scores_by(how, _task(variant))
        assert grade(ex.dice_and_jaccard, variant, dice_score=d, jaccard_score=j).passed


def test_dice_and_jaccard_mistakes():
    data = _task(3)
    d, j = data.dice, data.jaccard
    inter = np.count_nonzero(data.truth & data.prediction)
    total = data.truth.sum() + data.prediction.sum()
    cases = [((j, d), "swapped"), ((100 * d, j), "percentage"), ((d / 2, j), "half"),
             ((j, j), "Jaccard index"), ((d, inter / total), "sum of the mask sizes"),
             ((d, inter), "between 0 and 1"), ((..., j), "still `...`")]
    for (dice_score, jaccard_score), word in cases:
        result = grade(ex.dice_and_jaccard, 3, dice_score=dice_score,
                       jaccard_score=jaccard_score)
        assert_fails(result, word, forbidden=(f"{d:.3f}", f"{j:.3f}"))


# --- scores_on_figure ------------------------------------------------------------------------

def _with_text(data, write):
    ax = _compare_axes(data)
    write(ax, data.dice, data.jaccard)
    return ax


@pytest.mark.parametrize("write", [
    lambda ax, d, j: ax.set_title(f"Dice = {100 * d:.1f} %, Jaccard = {100 * j:.1f} %"),
    lambda ax, d, j: ax.figure.text(0.5, 0.01, f"DSC {d:.3f} | IoU {j:.3f}"),
    lambda ax, d, j: ax.legend(handles=[
        Line2D([], [], color=BLUE, label="Ground truth"),
        Line2D([], [], color=ORANGE, linestyle="--",
               label=f"Prediction (Dice {d:.2f}, Jaccard {j:.2f})")]),
    lambda ax, d, j: ax.text(0.03, 0.97, f"{d:.2f} (Dice)\n{j:.2f} (Jaccard)",
                             transform=ax.transAxes, va="top", color="white",
                             path_effects=[path_effects.withStroke(linewidth=2,
                                                                   foreground="k")]),
])
def test_scores_accept_other_ways_of_writing(write):
    _passes(ex.scores_on_figure, ax_compare=lambda d: _with_text(d, write))


def test_scores_mistakes():
    data = _task(3)
    d, j = data.dice, data.jaccard
    cases = [
        (f"Dice {j:.2f}\nJaccard {d:.2f}", "swapped"),
        (f"Dice {d:.2f}", "Jaccard index"),
        (f"Dice {d:.1f}, Jaccard {j:.1f}", "fewer than two decimals"),
        (f"Dice {d + 0.05:.2f}, Jaccard {j:.2f}", "next to Dice"),
        ("Dice and Jaccard", "no number"),
    ]
    for text, words in cases:
        ax = _compare_axes(data)
        ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top")
        assert_fails(grade(ex.scores_on_figure, 3, ax_compare=ax), words,
                     forbidden=(f"{d:.2f}", f"{j:.2f}"))


# --- typed-in answers ------------------------------------------------------------------------

def test_variant_0_numbers_typed_in_fail_on_variant_3():
    zero = _task(0)
    dice_0, jaccard_0 = float(f"{zero.dice:.6f}"), float(f"{zero.jaccard:.6f}")
    assert not grade(ex.dice_and_jaccard, 3, dice_score=dice_0,
                     jaccard_score=jaccard_0).passed
    ax = _compare_axes(_task(3))
    ax.text(0.03, 0.97, f"Dice {dice_0:.2f}\nJaccard {jaccard_0:.2f}", transform=ax.transAxes)
    assert not grade(ex.scores_on_figure, 3, ax_compare=ax).passed
    # figures of variant 0's data do not pass on variant 3
    assert not grade(ex.outline_in_mm, 3, ax_outline=_outline_axes(zero)).passed
    assert not grade(ex.gt_vs_prediction_styles, 3, ax_compare=_compare_axes(zero)).passed


# --- whole notebooks -------------------------------------------------------------------------

ALTERNATIVE_TASK_1 = """fig_outline, ax_outline = plt.subplots(figsize=(4.5, 4.5))
from skimage.measure import find_contours
from course_utils.display import physical_extent, show_slice
extent_mm = physical_extent(image_hu.shape, pixel_spacing)
show_slice(image_hu, window="lung", spacing=pixel_spacing, ax=ax_outline)
dy, dx = pixel_spacing
for points in find_contours(truth.astype(float), 0.5):
    ax_outline.plot(points[:, 1] * dx, points[:, 0] * dy, color="#0072B2")
ax_outline.set_xlim(zoom_x)
_ = ax_outline.set_ylim(zoom_y)
"""

WRONG_TASK_2 = """fig_compare, ax_compare = plt.subplots(figsize=(5, 4.5), layout="constrained")
ax_compare.imshow(image_hu, cmap="gray", vmin=-1350, vmax=150, extent=extent_mm)
ax_compare.contour(truth.astype(float), levels=[0.5], colors="red", extent=extent_mm,
                   origin="upper")
ax_compare.contour(prediction.astype(float), levels=[0.5], colors="green",
                   linestyles="dashed", extent=extent_mm, origin="upper")
fig_compare.legend(handles=[Line2D([], [], color="red", label="Ground truth"),
                            Line2D([], [], color="green", linestyle="--", label="Prediction")])
ax_compare.set_xlim(zoom_x)
_ = ax_compare.set_ylim(zoom_y)
"""


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    solution = nbformat.read(ROOT / "solutions" / "07_contours.ipynb", as_version=4)
    grades = {}
    for name, cell_id, source in (("alternative", "cell-03", ALTERNATIVE_TASK_1),
                                  ("wrong", "cell-06", WRONG_TASK_2)):
        notebook = nbformat.from_dict(solution)
        for cell in notebook.cells:
            if cell.get("id") == cell_id:
                cell.source = source
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "07_contours.ipynb"
        nbformat.write(notebook, path)
        grades[name] = {c.name: c.passed for c in grade_notebook(path, hidden_variant=5).checks}
    assert all(grades["alternative"].values()), grades["alternative"]
    assert [name for name, passed in grades["wrong"].items() if not passed] == [
        "gt_vs_prediction_styles"], grades["wrong"]
