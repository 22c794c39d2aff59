"""Annotations: contour levels/colours/styles, proxy legends, scalebars, arrows, profiles."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.contour import QuadContourSet
from matplotlib_scalebar.scalebar import ScaleBar

from course_utils.annotate import (GROUND_TRUTH_COLOR, PREDICTION_COLOR, add_arrow, add_scalebar,
                                   compare_contours, draw_contour, line_profile, plot_profile,
                                   scalebar_pixels)
from course_utils.display import show_slice


def _square(shape=(8, 8), rows=slice(2, 6), cols=slice(2, 6)):
    mask = np.zeros(shape, dtype=bool)
    mask[rows, cols] = True
    return mask


def _vertices(cs):
    return np.concatenate([p.vertices for p in cs.get_paths() if len(p.vertices)])


def test_draw_contour_level_style_and_pixel_position():
    fig, ax = plt.subplots()
    cs = draw_contour(_square(), ax=ax, color="red", linestyle=":", linewidth=2.5)
    assert isinstance(cs, QuadContourSet)
    np.testing.assert_array_equal(cs.levels, [0.5])
    assert tuple(cs.get_edgecolor()[0]) == to_rgba("red")
    assert cs.get_linewidth()[0] == 2.5
    assert cs.get_linestyle()[0][1] is not None  # dotted dash pattern
    # the 0.5 level lies half-way between pixel centres: columns 1.5 .. 5.5 in pixel coords
    vertices = _vertices(cs)
    assert vertices[:, 0].min() == pytest.approx(1.5)
    assert vertices[:, 0].max() == pytest.approx(5.5)


def test_draw_contour_follows_the_base_extent_in_mm():
    fig, ax = plt.subplots()
    mask = _square(rows=slice(2, 6), cols=slice(2, 6))
    show_slice(np.zeros((8, 8)), spacing=(2.0, 0.5), ax=ax)
    vertices = _vertices(draw_contour(mask, ax=ax))
    # pixel centres at c * 0.5 mm and r * 2 mm: columns 1.5..5.5 -> 0.75..2.75 mm
    assert vertices[:, 0].min() == pytest.approx(0.75)
    assert vertices[:, 0].max() == pytest.approx(2.75)
    assert vertices[:, 1].min() == pytest.approx(3.0)
    assert vertices[:, 1].max() == pytest.approx(11.0)


def test_draw_contour_label_adds_a_legend_proxy():
    fig, ax = plt.subplots()
    draw_contour(_square(), ax=ax, label="lesion", color="#009E73", linestyle="--")
    legend = ax.legend()
    assert [t.get_text() for t in legend.get_texts()] == ["lesion"]
    line = legend.get_lines()[0]
    assert line.get_color() == "#009E73" and line.get_linestyle() == "--"


def test_draw_contour_empty_mask_draws_nothing():
    fig, ax = plt.subplots()
    cs = draw_contour(np.zeros((4, 4), dtype=bool), ax=ax)
    assert all(len(p.vertices) == 0 for p in cs.get_paths())


def test_compare_contours_colour_blind_safe_defaults_and_proxy_legend():
    fig, ax = plt.subplots()
    truth = _square()
    prediction = _square(cols=slice(3, 7))
    drawn = compare_contours(truth, prediction, ax=ax, show_scores=True)
    assert GROUND_TRUTH_COLOR == "#0072B2" and PREDICTION_COLOR == "#E69F00"
    assert tuple(drawn["truth"].get_edgecolor()[0]) == to_rgba("#0072B2")
    assert tuple(drawn["prediction"].get_edgecolor()[0]) == to_rgba("#E69F00")
    # solid vs dashed
    assert drawn["truth"].get_linestyle()[0][1] is None
    assert drawn["prediction"].get_linestyle()[0][1] is not None
    legend = drawn["legend"]
    assert legend is ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Ground truth", "Prediction"]
    assert [line.get_linestyle() for line in legend.get_lines()] == ["-", "--"]
    assert [line.get_color() for line in legend.get_lines()] == ["#0072B2", "#E69F00"]
    # 16 px each, 12 overlap: Dice 24/32, Jaccard 12/20
    assert drawn["dice"] == pytest.approx(0.75)
    assert drawn["jaccard"] == pytest.approx(0.6)
    assert drawn["text"].get_text() == "Dice 0.75\nJaccard 0.60"


def test_compare_contours_options():
    fig, ax = plt.subplots()
    empty = np.zeros((4, 4), dtype=bool)
    drawn = compare_contours(empty, empty, ax=ax, legend=False, labels=("GT", "AI"))
    assert drawn["legend"] is None and drawn["text"] is None
    assert drawn["dice"] == 1.0 and drawn["jaccard"] == 1.0


def test_compare_contours_empty_prediction_draws_the_truth_only():
    fig, ax = plt.subplots()
    drawn = compare_contours(_square(), np.zeros((8, 8), dtype=bool), ax=ax)
    assert len(_vertices(drawn["truth"])) > 0
    assert all(len(p.vertices) == 0 for p in drawn["prediction"].get_paths())
    assert drawn["dice"] == 0.0
    assert len(drawn["legend"].get_texts()) == 2  # the legend still names the prediction


def test_compare_contours_messages():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"truth and prediction must have the same shape, got "
                                         r"\(4, 4\) and \(5, 5\); resample"):
        compare_contours(np.zeros((4, 4)), np.zeros((5, 5)), ax=ax)
    with pytest.raises(ValueError, match=r"colors must hold 2 entries \(ground truth, "
                                         r"prediction\), got 'red'"):
        compare_contours(np.zeros((4, 4)), np.zeros((4, 4)), ax=ax, colors="red")
    with pytest.raises(ValueError, match=r"mask must be a 2D array"):
        draw_contour(np.zeros((2, 4, 4)), ax=ax)
    show_slice(np.zeros((8, 8)), spacing=(1.0, 1.0), ax=ax)
    with pytest.raises(ValueError, match=r"mask has shape \(4, 4\) but the image on the axes "
                                         r"has shape \(8, 8\)"):
        compare_contours(np.zeros((4, 4)), np.zeros((4, 4)), ax=ax)


def test_scalebar_pixels_hand_worked():
    # PixelSpacing (dy, dx) = (0.5, 0.8): 50 mm across = 62.5 columns, 50 mm down = 100 rows
    assert scalebar_pixels(50, (0.5, 0.8)) == 62.5
    assert scalebar_pixels(50, (0.5, 0.8), "vertical") == 100.0
    assert scalebar_pixels(10, 0.25) == 40.0


def test_scalebar_pixels_messages():
    with pytest.raises(ValueError, match="length_mm must be a positive number in mm, got -5"):
        scalebar_pixels(-5, (1, 1))
    with pytest.raises(ValueError, match="spacing must be 2 positive numbers"):
        scalebar_pixels(5, (1, 0))
    with pytest.raises(ValueError, match="direction must be 'horizontal' or 'vertical', "
                                         "got 'diagonal'"):
        scalebar_pixels(5, (1, 1), "diagonal")


def test_add_scalebar_in_pixels_and_in_mm():
    fig, ax = plt.subplots()
    show_slice(np.zeros((4, 4)), ax=ax)
    bar = add_scalebar(ax, pixel_size_mm=(0.5, 0.8))
    assert isinstance(bar, ScaleBar) and bar in ax.artists
    assert (bar.dx, bar.units, type(bar.dimension).__name__) == (0.8, "mm", "SILengthDimension")
    vertical = add_scalebar(ax, pixel_size_mm=(0.5, 0.8), direction="vertical", length_mm=20)
    assert vertical.dx == 0.5 and vertical.rotation == "vertical-only"
    assert (vertical.fixed_value, vertical.fixed_units) == (20.0, "mm")

    fig, ax = plt.subplots()
    show_slice(np.zeros((4, 4)), spacing=(0.5, 0.8), ax=ax)
    bar = add_scalebar(ax, color="black", location="lower left")
    assert (bar.dx, bar.units, bar.color, bar.location) == (1.0, "mm", "black", 3)  # lower left
    fig.canvas.draw()  # renders without error


def test_add_scalebar_messages():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes .*got ndarray"):
        add_scalebar(np.zeros(3))
    with pytest.raises(ValueError, match=r"spacing must be 2 positive numbers \(dy, dx\)"):
        add_scalebar(ax, pixel_size_mm=(1, 2, 3))
    with pytest.raises(ValueError, match="spacing must be a positive number in mm"):
        add_scalebar(ax, pixel_size_mm=0)
    with pytest.raises(ValueError, match="length_mm must be a positive number in mm"):
        add_scalebar(ax, length_mm="ten")
    with pytest.raises(ValueError, match="direction must be 'horizontal' or 'vertical'"):
        add_scalebar(ax, direction="up")


def test_add_scalebar_defaults_to_gca_and_labels_whole_mm():
    fig, ax = plt.subplots()
    show_slice(np.zeros((100, 100)), spacing=(1.0, 1.0), ax=ax)
    bar = add_scalebar(length_mm=50)
    assert bar in ax.artists
    fig.canvas.draw()
    assert bar.info.scale_text == "50 mm"  # not "50.0 mm"
    assert add_scalebar(ax, length_mm=12.5).fixed_value == 12.5


def test_add_arrow():
    fig, ax = plt.subplots()
    arrow = add_arrow(ax, (3, 4), "lesion")
    assert arrow.get_text() == "lesion" and arrow.xy == (3.0, 4.0)
    assert arrow.anncoords == "offset points"
    assert arrow.arrow_patch is not None
    placed = add_arrow(ax, (3, 4), "x", xytext=(1, 1), color="red")
    assert placed.xyann == (1, 1) and placed.anncoords == "data"
    assert placed.get_color() == "red"
    with pytest.raises(ValueError, match=r"xy must be 2 finite numbers \(x, y\)"):
        add_arrow(ax, (1, np.nan), "x")


def test_line_profile_hand_worked():
    image = np.tile(np.arange(5.0), (3, 1))  # value = column index
    distance, values = line_profile(image, (1, 0), (1, 4))
    np.testing.assert_allclose(distance, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(values, [0, 1, 2, 3, 4])
    # diagonal 3-4-5 line in mm: rows 0 -> 3 of 2 mm (6 mm), columns 0 -> 4 of 2 mm (8 mm)
    image = np.zeros((5, 6))
    distance, values = line_profile(image, (0, 0), (3, 4), spacing=(2.0, 2.0))
    assert distance[0] == 0 and distance[-1] == pytest.approx(10.0)
    assert len(distance) == len(values) == 6  # profile_line: ceil(5 + 1) samples


def test_line_profile_messages():
    with pytest.raises(ValueError, match=r"start must be 2 finite numbers \(row, column\)"):
        line_profile(np.zeros((3, 3)), (1,), (2, 2))
    with pytest.raises(ValueError, match="start and end are the same point"):
        line_profile(np.zeros((3, 3)), (1, 1), (1, 1))
    with pytest.raises(ValueError, match="image must be a 2D array"):
        line_profile(np.zeros(3), (0, 0), (0, 2))


def test_plot_profile_draws_line_and_profile():
    image = np.tile(np.arange(5.0), (3, 1))
    fig, axes = plot_profile(image, (1, 0), (1, 4), spacing=(1.0, 0.5), window=(4, 2))
    assert len(axes) == 2
    line = axes[0].lines[0]
    np.testing.assert_allclose(line.get_xdata(), [0, 2])  # columns 0, 4 at 0.5 mm
    np.testing.assert_allclose(line.get_ydata(), [1, 1])
    profile = axes[1].lines[0]
    np.testing.assert_allclose(profile.get_xdata(), [0, 0.5, 1, 1.5, 2])
    np.testing.assert_allclose(profile.get_ydata(), [0, 1, 2, 3, 4])
    assert axes[1].get_xlabel() == "distance (mm)" and axes[1].get_ylabel() == "HU"
    assert axes[0].images[0].get_clim() == (0.0, 4.0)

    fig, given = plt.subplots(1, 2)
    fig2, axes = plot_profile(image, (0, 0), (2, 4), axes=given)
    assert fig2 is fig and axes[1].get_ylabel() == "value"
    with pytest.raises(ValueError, match=r"axes must be 2 Axes \(image, profile\), got 1"):
        plot_profile(image, (0, 0), (2, 4), axes=[given[0]])


def test_scalebar_on_non_square_pixels_draws_without_warning():
    """The (dy, dx) form is for images shown with aspect=dy/dx: no unequal-aspect warning."""
    import warnings

    fig, ax = plt.subplots()
    ax.imshow(np.zeros((70, 256)), aspect=4 / 1.5)
    bar = add_scalebar(ax, pixel_size_mm=(4, 1.5), length_mm=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    assert bar.rotation == "horizontal-only" and bar.dx == 1.5
