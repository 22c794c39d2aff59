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
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    _image(ax, data, image)
    _outline(ax, data, data.truth if mask is None else mask, outline)
    if zoom:
        _zoom(ax, data)
    return ax


def _compare_axes(data, outline="contour", colors=(BLUE, ORANGE), styles=("solid", "dashed"),
                  legend="line", image="imshow", labels=("Ground truth", "Prediction")):
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
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


def _grade_many(checks, variant, **values):
    """Extract the answers once, as the grader does, and verify several checks on them."""
    import tempfile

    from course_utils.checks import _plain

    names = sorted({name for check in checks for name in check.params})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file(values, names, path)
        answers = _plain.load_answers(path)
    return [check.verify(answers, variant=variant) for check in checks]


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
    for variant in VARIANTS:   # one figure, graded by the three checks that read it
        results = _grade_many((ex.gt_vs_prediction_styles, ex.legend_with_proxies,
                               ex.scores_on_figure), variant, ax_compare=helper(_task(variant)))
        assert all(r.passed for r in results), (variant, [r.message for r in results])


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


# --- more ways a learner writes it (review of the checks against issue 8) -------------------

def _small():
    return plt.subplots(figsize=(2.5, 2.5))


def _lung(ax, data, **kwargs):
    options = dict(cmap="gray", vmin=-1350, vmax=150, extent=_extent(data))
    options.update(kwargs)
    ax.imshow(data.image_hu, **options)


def _draw_alternative(how, data):
    """Task 1 answers, each correct, written in ways the other tests do not cover."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    import matplotlib

    fig, ax = _small()
    truth = data.truth
    if how == "aspect_norm_cmap_object":
        _lung(ax, data, cmap=plt.get_cmap("gray"), vmin=None, vmax=None,
              norm=Normalize(-1350, 150), aspect="auto")
        ax.set_aspect("equal")
        ax.contour(truth, [0.5], extent=_extent(data), origin="upper", colors="c")
    elif how == "fill_unfilled":
        _lung(ax, data)
        for points in _mm_points(data, truth):
            ax.fill(points[:, 0], points[:, 1], fill=False, edgecolor=BLUE)
    elif how == "line_collection":
        _lung(ax, data)
        ax.add_collection(LineCollection(_mm_points(data, truth), colors=BLUE))
    elif how == "uint8_255_float32_gist_gray":
        ax.imshow(data.image_hu.astype(np.float32), cmap=matplotlib.colormaps["gist_gray"],
                  vmin=-1350, vmax=150, extent=list(_extent(data)))
        ax.contour(truth.astype(np.uint8) * 255, levels=[127.5], extent=_extent(data),
                   origin="upper")
    elif how == "pyplot":
        plt.sca(ax)
        plt.imshow(data.image_hu, cmap="gray", vmin=-1350, vmax=150, extent=_extent(data))
        plt.contour(truth, levels=[0.5], extent=_extent(data), origin="upper")
        plt.xlim(data.zoom_x)
        plt.ylim(data.zoom_y)
        return ax
    elif how == "meshgrid_axis":
        _lung(ax, data)
        dy, dx = data.pixel_spacing
        rows, cols = truth.shape
        x, y = np.meshgrid(np.arange(cols) * dx, np.arange(rows) * dy)
        ax.contour(x, y, truth.astype(float), levels=[0.5])
        ax.axis([*data.zoom_x, *data.zoom_y])
        return ax
    elif how == "origin_lower_flipped_array":   # draws exactly what origin="upper" draws
        left, right, bottom, top = _extent(data)
        ax.imshow(data.image_hu[::-1], origin="lower", cmap="gray", vmin=-1350, vmax=150,
                  extent=(left, right, bottom, top))
        ax.contour(truth.astype(float), levels=[0.5], extent=_extent(data), origin="upper")
    else:
        raise ValueError(how)
    ax.set(xlim=data.zoom_x, ylim=data.zoom_y)
    return ax


@pytest.mark.parametrize("how", [
    "aspect_norm_cmap_object", "fill_unfilled", "line_collection", "uint8_255_float32_gist_gray",
    "pyplot", "meshgrid_axis", "origin_lower_flipped_array"])
def test_outline_in_mm_accepts_more_methods(how):
    for variant in (0, 4):
        result = grade(ex.outline_in_mm, variant, ax_outline=_draw_alternative(how, _task(variant)))
        assert result.passed, (how, variant, result.message)


def _draw_mistake(how, data):
    from matplotlib.collections import LineCollection

    fig, ax = _small()
    truth = data.truth.astype(float)
    outline = dict(levels=[0.5], extent=_extent(data), origin="upper")
    if how == "mask_as_image":
        _lung(ax, data)
        ax.images[0].set_data(data.truth)
        ax.contour(truth, **outline)
    elif how == "default_levels":
        _lung(ax, data)
        ax.contour(truth, extent=_extent(data), origin="upper")
    elif how == "level_not_half_way":
        _lung(ax, data)
        ax.contour(truth, **{**outline, "levels": [0.99]})
    elif how == "pcolormesh":
        dy, dx = data.pixel_spacing
        rows, cols = truth.shape
        ax.pcolormesh((np.arange(cols + 1) - 0.5) * dx, (np.arange(rows + 1) - 0.5) * dy,
                      data.image_hu, cmap="gray", vmin=-1350, vmax=150)
        ax.contour(np.arange(cols) * dx, np.arange(rows) * dy, truth, levels=[0.5])
    elif how == "image_upside_down":   # bottom and top of the extent swapped
        left, right, bottom, top = _extent(data)
        _lung(ax, data, extent=(left, right, top, bottom))
        ax.contour(truth, **outline)
    elif how == "filled_polygon":
        _lung(ax, data)
        for points in _mm_points(data, data.truth):
            ax.fill(points[:, 0], points[:, 1], color=BLUE, alpha=0.4)
    elif how == "line_collection_in_pixels":
        _lung(ax, data)
        ax.add_collection(LineCollection([p[:, ::-1] for p in find_contours(truth, 0.5)]))
    else:
        raise ValueError(how)
    _zoom(ax, data)
    return ax


@pytest.mark.parametrize("how, words", [
    ("mask_as_image", ("does not show `image_hu`",)),
    ("default_levels", ("levels", "single level")),
    ("level_not_half_way", ("not at the level half-way",)),
    ("pcolormesh", ("pcolormesh", "imshow")),
    ("image_upside_down", ("upside down",)),
    ("filled_polygon", ("no outline",)),
    ("line_collection_in_pixels", ("pixel units",)),
])
def test_outline_in_mm_more_mistakes(how, words):
    data = _task(4)
    assert_fails(grade(ex.outline_in_mm, 4, ax_outline=_draw_mistake(how, data)), *words,
                 forbidden=("0.5",) if how == "level_not_half_way" else ())


def _compare_by(how, data):
    """Task 2 answers drawn in other ways: returns the Axes."""
    from matplotlib.collections import LineCollection

    fig, ax = _small()
    _lung(ax, data)
    options = dict(levels=[0.5], extent=_extent(data), origin="upper")
    if how == "legend_elements":
        first = ax.contour(data.truth.astype(float), colors=BLUE, **options)
        second = ax.contour(data.prediction.astype(float), colors=ORANGE,
                            linestyles="dashed", **options)
        ax.legend(first.legend_elements()[0] + second.legend_elements()[0],
                  ["Ground truth", "Prediction"])
    elif how == "line_collections":
        ax.add_collection(LineCollection(_mm_points(data, data.truth), colors=BLUE,
                                         label="Ground truth"))
        ax.add_collection(LineCollection(_mm_points(data, data.prediction), colors=ORANGE,
                                         linestyles="--", label="Prediction"))
        ax.legend()
    elif how == "fill_with_edge_patches":
        for mask, color, style in ((data.truth, BLUE, "-"), (data.prediction, ORANGE, ":")):
            for points in _mm_points(data, mask):
                ax.fill(points[:, 0], points[:, 1], fill=False, edgecolor=color, ls=style)
        ax.legend(handles=[Patch(fill=False, edgecolor=BLUE, label="Ground truth"),
                           Patch(fill=False, edgecolor=ORANGE, ls=":", label="Prediction")])
    elif how in ("mixed_sources", "mixed_sources_same_style"):
        style = "--" if how == "mixed_sources_same_style" else ":"
        ax.contour(data.truth.astype(float), colors=BLUE, linestyles="--", **options)
        for points in _mm_points(data, data.prediction):
            ax.plot(points[:, 0], points[:, 1], color=ORANGE, ls=style)
        ax.legend(handles=[Line2D([], [], color=BLUE, ls="--", label="GT"),
                           Line2D([], [], color=ORANGE, ls=style, label="Model output")])
    elif how == "plotted_lines_in_figure_legend":
        first = [ax.plot(p[:, 0], p[:, 1], color="black")[0] for p in _mm_points(data,
                                                                               data.truth)]
        second = [ax.plot(p[:, 0], p[:, 1], color=ORANGE, ls="--")[0]
                  for p in _mm_points(data, data.prediction)]
        fig.legend([first[0], second[0]], ["Reference", "Predicted"], loc="outside lower center")
    elif how == "dashdot_and_dotted":
        for mask, color, style in ((data.truth, "#56B4E9", "-."), (data.prediction, "#D55E00",
                                                                   ":")):
            ax.contour(mask.astype(float), colors=color, linestyles=style, **options)
        ax.legend(handles=[Line2D([], [], color="#56B4E9", ls="-.", label="Ground truth"),
                           Line2D([], [], color="#D55E00", ls=":", label="Prediction")])
    elif how in ("legend_dashes_swapped", "legend_patch_edge_style_swapped"):
        styles = ("--", ":") if how == "legend_dashes_swapped" else ("-", "--")
        for mask, color, style in zip((data.truth, data.prediction), (BLUE, ORANGE), styles):
            ax.contour(mask.astype(float), colors=color, linestyles=style, **options)
        if how == "legend_dashes_swapped":   # each entry has the other outline's dashes
            handles = [Line2D([], [], color=BLUE, ls=styles[1], label="Ground truth"),
                       Line2D([], [], color=ORANGE, ls=styles[0], label="Prediction")]
        else:                                # unfilled patches: their edge is the line
            handles = [Patch(fill=False, edgecolor=BLUE, ls=styles[1], label="Ground truth"),
                       Patch(fill=False, edgecolor=ORANGE, ls=styles[0], label="Prediction")]
        ax.legend(handles=handles)
    else:
        raise ValueError(how)
    _zoom(ax, data)
    return ax


@pytest.mark.parametrize("how", ["legend_elements", "line_collections", "fill_with_edge_patches",
                                 "mixed_sources", "plotted_lines_in_figure_legend",
                                 "dashdot_and_dotted"])
def test_styles_and_legend_accept_more_methods(how):
    for variant in (0, 4):
        results = _grade_many((ex.gt_vs_prediction_styles, ex.legend_with_proxies), variant,
                              ax_compare=_compare_by(how, _task(variant)))
        assert all(r.passed for r in results), (how, variant, [r.message for r in results])


def test_styles_compare_how_lines_look_whatever_drew_them():
    result = grade(ex.gt_vs_prediction_styles, 4,
                   ax_compare=_compare_by("mixed_sources_same_style", _task(4)))
    assert_fails(result, "same line style")


@pytest.mark.parametrize("how", ["legend_dashes_swapped", "legend_patch_edge_style_swapped"])
def test_legend_line_styles_must_match_their_outlines(how):
    styles, legend = _grade_many((ex.gt_vs_prediction_styles, ex.legend_with_proxies), 4,
                                 ax_compare=_compare_by(how, _task(4)))
    assert styles.passed, styles.message
    assert_fails(legend, "does not look like")


@pytest.mark.parametrize("write", [
    lambda ax, d, j: ax.set_xlabel(f"x (mm): Dice {d:.2f}, Jaccard {j:.2f}"),
    lambda ax, d, j: ax.set_ylabel(f"Dice {d:.0%} Jaccard {j:.0%}"),
    lambda ax, d, j: ax.annotate(f"Dice = {d:.2f}\nJaccard = {j:.2f}", xy=(0.02, 0.98),
                                 xycoords="axes fraction", va="top"),
    lambda ax, d, j: ax.figure.suptitle(f"Dice: {d:.3f} / IoU: {j:.3f}"),
    lambda ax, d, j: ax.set_title(rf"$\mathrm{{Dice}} = {d:.2f}$, $\mathrm{{Jaccard}} = {j:.2f}$"),
    lambda ax, d, j: ax.add_artist(__import__("matplotlib.offsetbox", fromlist=["x"])
                                   .AnchoredText(f"Dice {d:.2f}\nJaccard {j:.2f}", loc=2)),
    lambda ax, d, j: ax.text(0.1, 0.9, f"Dice (DSC) = {d:.2f}\nJaccard (IoU) = {j:.2f}",
                             transform=ax.transAxes),
])
def test_scores_accept_labels_annotations_and_anchored_texts(write):
    for variant in (0, 4):
        data = _task(variant)
        fig, ax = _small()
        write(ax, data.dice, data.jaccard)
        result = grade(ex.scores_on_figure, variant, ax_compare=ax)
        assert result.passed, (variant, result.message)


def test_scores_without_names_and_dice_over_the_union():
    data = _task(0)
    fig, ax = _small()
    ax.set_title(f"{data.dice:.2f} / {data.jaccard:.2f}")
    assert_fails(grade(ex.scores_on_figure, 0, ax_compare=ax), "names the Dice")
    inter = np.count_nonzero(data.truth & data.prediction)
    union = np.count_nonzero(data.truth | data.prediction)
    assert 2 * inter / union > 1   # variant 0: the classic mistake is above 1, not a percentage
    result = grade(ex.dice_and_jaccard, 0, dice_score=2 * inter / union,
                   jaccard_score=data.jaccard)
    assert_fails(result, "not between 0 and 1", forbidden=("percentage", f"{data.dice:.3f}"))
