"""Tests for the checks of exercise 09 (annotations, scalebars, profiles).

Every check gets several correct answers written differently from the solution (each on
variant 0 and on variant 3) and, for every requirement, a plausible wrong answer that breaks
only that requirement, with the message it must give. Figures are drawn here (Agg) and go
through ``grade``, which describes them exactly as the grader does.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib_scalebar.scalebar import ScaleBar
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from scipy import ndimage
from scipy.ndimage import map_coordinates
from skimage.measure import profile_line

from check_helpers import assert_fails, grade
from course_utils import annotate
from course_utils.checks import ex09_annotations as ex
from course_utils.display import show_slice

VARIANTS = (0, 3)
ROOT = Path(__file__).resolve().parents[1]
_fails = functools.partial(assert_fails, ignore_case=True)


def _task(variant):
    return ex.task(variant)


def _centre(data):
    return ndimage.center_of_mass(data.lesion_mask)


def test_task_data_vary_and_show_the_classic_mistakes():
    a, b = _task(0), _task(3)
    assert a.coronal_hu.shape != b.coronal_hu.shape
    assert a.pixel_spacing != b.pixel_spacing
    assert (a.profile_start, a.profile_end) != (b.profile_start, b.profile_end)
    for data in (a, b):
        rows, cols = data.coronal_hu.shape
        dy, dx = data.pixel_spacing
        assert rows != cols and dy != dx
        (r0, c0), (r1, c1) = data.profile_start, data.profile_end
        assert r0 != r1 and c0 != c1      # the line's length needs both spacings


# --------------------------------------------------------------------------- scalebar_pixels

@pytest.mark.parametrize("variant", VARIANTS)
def test_scalebar_pixels_correct_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    check = ex.checks.scalebar_pixels
    assert grade(check, variant, bar_pixels_horizontal=data.bar_mm / dx,
                 bar_pixels_vertical=data.bar_mm / dy).passed
    assert grade(check, variant,
                 bar_pixels_horizontal=annotate.scalebar_pixels(data.bar_mm, (dy, dx)),
                 bar_pixels_vertical=annotate.scalebar_pixels(data.bar_mm, (dy, dx),
                                                              "vertical")).passed
    vertical, horizontal = np.float32(data.bar_mm) / np.asarray(data.pixel_spacing, np.float32)
    assert grade(check, variant, bar_pixels_horizontal=np.array([horizontal]),
                 bar_pixels_vertical=vertical).passed
    # whole pixels, rounded either way (variant 3: 42.9 and 7.5 pixels)
    for whole in (round, math.floor, math.ceil):
        assert grade(check, variant, bar_pixels_horizontal=whole(data.bar_mm / dx),
                     bar_pixels_vertical=whole(data.bar_mm / dy)).passed, whole


@pytest.mark.parametrize("variant", VARIANTS)
def test_scalebar_pixels_wrong_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    length = data.bar_mm
    check = ex.checks.scalebar_pixels
    right = (f"{length / dx:.1f}", f"{length / dy:.1f}")
    _fails(grade(check, variant, bar_pixels_horizontal=length / dy,
                 bar_pixels_vertical=length / dx), "swapped", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=length * dx,
                 bar_pixels_vertical=length / dy), "pixels = mm / spacing", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=length / dx,
                 bar_pixels_vertical=length), "still in mm", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=length / dx,
                 bar_pixels_vertical=length / dx), "other direction", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=round(length / dy),   # rounded, swapped
                 bar_pixels_vertical=round(length / dx)), "swapped", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=length, bar_pixels_vertical=length),
           "`bar_pixels_horizontal` is still in mm", forbidden=right)
    _fails(grade(check, variant, bar_pixels_horizontal=..., bar_pixels_vertical=1.0),
           "still `...`")


# --------------------------------------------------------------------------- scalebar_artist

def _pixels_axes(data, cmap="gray", aspect="right", image=None, vmin=-1350, vmax=150):
    fig, ax = plt.subplots(figsize=(5, 3.6))
    dy, dx = data.pixel_spacing
    ax.imshow(data.coronal_hu if image is None else image, cmap=cmap, vmin=vmin, vmax=vmax,
              aspect=dy / dx if aspect == "right" else aspect)
    return ax


def _scalebar(ax, data, length_mm=None, label_mm=None, spacing_index=1):
    """An AnchoredSizeBar of ``length_mm`` (true, horizontal) labelled ``label_mm``."""
    length_mm = data.bar_mm if length_mm is None else length_mm
    label_mm = data.bar_mm if label_mm is None else label_mm
    size = length_mm / data.pixel_spacing[spacing_index]
    ax.add_artist(AnchoredSizeBar(ax.transData, size, f"{label_mm:g} mm", "lower right",
                                  color="white", frameon=False, size_vertical=0.5))


@pytest.mark.parametrize("variant", VARIANTS)
def test_scalebar_artist_correct_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    check = ex.checks.scalebar_artist
    # 1. matplotlib-scalebar, gist_gray
    ax = _pixels_axes(data, cmap="gist_gray")
    ax.add_artist(ScaleBar(dx, "mm", fixed_value=data.bar_mm, fixed_units="mm",
                           rotation="horizontal-only"))
    assert grade(check, variant, ax_scalebar=ax).passed
    # 2. ScaleBar with dx in cm, and the course helper
    ax = _pixels_axes(data, cmap="bone")
    annotate.add_scalebar(ax, pixel_size_mm=data.pixel_spacing, length_mm=data.bar_mm)
    assert grade(check, variant, ax_scalebar=ax).passed
    ax = _pixels_axes(data)
    ax.add_artist(ScaleBar(dx / 10, "cm", fixed_value=data.bar_mm / 10, fixed_units="cm",
                           rotation="horizontal-only"))
    assert grade(check, variant, ax_scalebar=ax).passed
    # 3. AnchoredSizeBar, a hand-made black-to-white colormap
    black_to_white = LinearSegmentedColormap.from_list("mine", ["black", "white"])
    ax = _pixels_axes(data, cmap=black_to_white)
    _scalebar(ax, data)
    assert grade(check, variant, ax_scalebar=ax).passed
    # 4. a line and a text, on a pre-windowed [0, 1] image shown in Greys_r
    windowed = np.clip((data.coronal_hu + 1350) / 1500, 0, 1)
    ax = _pixels_axes(data, cmap="Greys_r", image=windowed, vmin=0, vmax=1)
    rows, cols = data.coronal_hu.shape
    x0, y0 = 5, rows - 5
    ax.plot([x0, x0 + data.bar_mm / dx], [y0, y0], color="white", linewidth=3)
    ax.text(x0 + data.bar_mm / dx / 2, y0 - 2, f"{data.bar_mm} mm", color="white",
            ha="center", va="bottom")
    assert grade(check, variant, ax_scalebar=ax).passed
    # 5. ax.hlines and a text
    ax = _pixels_axes(data)
    ax.hlines(rows - 8, 5, 5 + data.bar_mm / dx, color="w", linewidth=3)
    ax.text(5 + data.bar_mm / dx / 2, rows - 10, f"{data.bar_mm} mm", color="w", ha="center")
    assert grade(check, variant, ax_scalebar=ax).passed
    # 6. an AnchoredSizeBar with size_vertical, a whole number of pixels long
    ax = _pixels_axes(data, cmap="binary_r")
    ax.add_artist(AnchoredSizeBar(ax.transData, math.floor(data.bar_mm / dx),
                                  f"{data.bar_mm} mm", "lower left", size_vertical=2,
                                  color="w", frameon=False))
    assert grade(check, variant, ax_scalebar=ax).passed
    # 7. ScaleBar with dx in metres; a thin Rectangle with an annotate label in cm
    ax = _pixels_axes(data)
    ax.add_artist(ScaleBar(dx / 1000, "m", fixed_value=data.bar_mm, fixed_units="mm",
                           rotation="horizontal-only"))
    assert grade(check, variant, ax_scalebar=ax).passed
    ax = _pixels_axes(data)
    ax.add_patch(Rectangle((5, rows - 8), data.bar_mm / dx, 2, color="w"))
    ax.annotate(f"{data.bar_mm / 10:g} cm", xy=(5 + data.bar_mm / dx / 2, rows - 10),
                color="w", ha="center")
    assert grade(check, variant, ax_scalebar=ax).passed


@pytest.mark.parametrize("variant", [3])  # correct answers: both variants
def test_scalebar_artist_wrong_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    check = ex.checks.scalebar_artist

    def result(ax):
        return grade(check, variant, ax_scalebar=ax)

    # drawn in mm
    fig, ax = plt.subplots()
    show_slice(data.coronal_hu, window="lung", spacing=data.pixel_spacing, ax=ax)
    ax.add_artist(ScaleBar(1.0, "mm", fixed_value=data.bar_mm, fixed_units="mm"))
    _fails(result(ax), "drawn in mm")
    # transposed
    ax = _pixels_axes(data, image=data.coronal_hu.T, aspect=dx / dy)
    _scalebar(ax, data)
    _fails(result(ax), "transposed")
    # inverted grey, a colour map, min-max scaling
    for cmap, words in (("gray_r", "inverted"), ("viridis", "not a grey")):
        ax = _pixels_axes(data, cmap=cmap)
        _scalebar(ax, data)
        _fails(result(ax), words)
    ax = _pixels_axes(data, vmin=float(data.coronal_hu.min()),
                      vmax=float(data.coronal_hu.max()))
    _scalebar(ax, data)
    _fails(result(ax), "lung window")
    ax = _pixels_axes(data, image=data.coronal_hu[::-1])
    _scalebar(ax, data)
    _fails(result(ax), "upside down")
    # aspect
    for aspect in ("equal", "auto"):
        ax = _pixels_axes(data, aspect=aspect)
        _scalebar(ax, data)
        _fails(result(ax), "row spacing / column spacing")
    # no scalebar, a vertical one
    _fails(result(_pixels_axes(data)), "no scalebar")
    ax = _pixels_axes(data)
    ax.add_artist(ScaleBar(dy, "mm", fixed_value=data.bar_mm, fixed_units="mm",
                           rotation="vertical-only"))
    _fails(result(ax), "vertical")
    # a true 10 mm bar labelled 10 mm
    ax = _pixels_axes(data)
    _scalebar(ax, data, length_mm=10, label_mm=10)
    _fails(result(ax), "labelled 10 mm", "another length")
    # labelled right, drawn 33 mm long
    ax = _pixels_axes(data)
    _scalebar(ax, data, length_mm=33)
    _fails(result(ax), "drawn 33.0 mm long")
    # a line of bar_mm pixels (ax.hlines), a label without a unit, the aspect upside down
    rows = data.coronal_hu.shape[0]
    ax = _pixels_axes(data)
    ax.hlines(rows - 8, 5, 5 + data.bar_mm, color="w")
    ax.text(5 + data.bar_mm / 2, rows - 10, f"{data.bar_mm} mm", color="w", ha="center")
    _fails(result(ax), f"labelled {data.bar_mm} mm is drawn",
           forbidden=(f"{data.bar_mm / dx:.1f}",))
    ax = _pixels_axes(data)
    ax.add_artist(AnchoredSizeBar(ax.transData, data.bar_mm / dx, f"{data.bar_mm}", "lower left"))
    _fails(result(ax), "does not state a length in mm")
    ax = _pixels_axes(data, aspect=dx / dy)
    _scalebar(ax, data)
    _fails(result(ax), f"aspect of `ax_scalebar` is {dx / dy:g}")
    # ScaleBar given the row spacing
    ax = _pixels_axes(data)
    ax.add_artist(ScaleBar(dy, "mm", fixed_value=data.bar_mm, fixed_units="mm",
                           rotation="horizontal-only"))
    _fails(result(ax), "row spacing", forbidden=(f"{data.bar_mm / dx:.1f}",))
    _fails(grade(check, variant, ax_scalebar=...), "still `...`")


# --------------------------------------------------------------------------- arrow_at_lesion

def _mm_axes(data):
    fig, ax = plt.subplots(figsize=(5, 3.6))
    show_slice(data.coronal_hu, window="lung", spacing=data.pixel_spacing, ax=ax)
    return ax


@pytest.mark.parametrize("variant", VARIANTS)
def test_arrow_at_lesion_correct_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    row, col = _centre(data)
    x, y = col * dx, row * dy
    check = ex.checks.arrow_at_lesion
    # 1. the course helper
    ax = _mm_axes(data)
    annotate.add_arrow(ax, (x, y), "lesion")
    assert grade(check, variant, ax_arrow=ax).passed
    # 2. ax.arrow and ax.text
    ax = _mm_axes(data)
    ax.arrow(x + 30, y - 30, -30, 30, length_includes_head=True, head_width=4, color="y")
    ax.text(x + 32, y - 32, "nodule", color="y")
    assert grade(check, variant, ax_arrow=ax).passed
    # 3. a FancyArrowPatch and a text
    ax = _mm_axes(data)
    ax.add_patch(FancyArrowPatch((x - 40, y + 20), (x, y), arrowstyle="-|>",
                                 mutation_scale=12, color="w"))
    ax.text(x - 42, y + 22, "lesion", color="w")
    assert grade(check, variant, ax_arrow=ax).passed
    # 4. annotate on an image whose extent runs from 0 at the pixel edges
    fig, ax = plt.subplots()
    rows, cols = data.coronal_hu.shape
    ax.imshow(data.coronal_hu, cmap="gray", vmin=-1350, vmax=150,
              extent=(0, cols * dx, rows * dy, 0))
    ax.annotate("lesion", xy=((col + 0.5) * dx, (row + 0.5) * dy), xycoords="data",
                xytext=(0.8, 0.9), textcoords="axes fraction", arrowprops={"color": "w"})
    assert grade(check, variant, ax_arrow=ax).passed
    # 5. an arrow without text (annotate ""), and the text apart
    ax = _mm_axes(data)
    ax.annotate("", xy=(x, y), xytext=(x + 30, y - 30),
                arrowprops={"arrowstyle": "->", "color": "w"})
    ax.text(x + 31, y - 31, "lesion", color="w")
    assert grade(check, variant, ax_arrow=ax).passed
    # 6. annotate with a shrunk classic arrow and a "simple" one
    ax = _mm_axes(data)
    ax.annotate("nodule", xy=(x, y), xytext=(0.1, 0.9), textcoords="axes fraction",
                arrowprops={"facecolor": "yellow", "shrink": 0.05})
    assert grade(check, variant, ax_arrow=ax).passed
    ax = _mm_axes(data)
    ax.annotate("lesion", xy=(x, y), xytext=(x - 40, y - 20), arrowprops={"arrowstyle": "simple"})
    assert grade(check, variant, ax_arrow=ax).passed


@pytest.mark.parametrize("variant", [3])  # correct answers: both variants
def test_arrow_at_lesion_wrong_answers(variant):
    data = _task(variant)
    dy, dx = data.pixel_spacing
    row, col = _centre(data)
    x, y = col * dx, row * dy
    check = ex.checks.arrow_at_lesion
    right = (f"{x:.1f}", f"{y:.1f}")

    def result(ax):
        return grade(check, variant, ax_arrow=ax)

    ax = _mm_axes(data)
    ax.annotate("lesion", xy=(y, x), xytext=(20, 20), textcoords="offset points",
                arrowprops={"arrowstyle": "->"})
    _fails(result(ax), "swapped", forbidden=right)
    ax = _mm_axes(data)
    ax.annotate("lesion", xy=(col, row), xytext=(20, 20), textcoords="offset points",
                arrowprops={"arrowstyle": "->"})
    _fails(result(ax), "in pixels", forbidden=right)
    ax = _mm_axes(data)
    ax.annotate("lesion", xy=(x, y), xytext=(20, 20), textcoords="offset points")
    _fails(result(ax), "no arrow")
    ax = _mm_axes(data)
    ax.arrow(x + 30, y - 30, -30, 30, length_includes_head=True, head_width=4)
    _fails(result(ax), "no label")
    ax = _mm_axes(data)   # the arrow starts at the lesion and points away from it
    ax.add_patch(FancyArrowPatch((x, y), (x + 40, y + 30), arrowstyle="->",
                                 mutation_scale=12))
    ax.text(x + 42, y + 32, "lesion")
    _fails(result(ax), "does not point at the lesion", forbidden=right)
    ax = _mm_axes(data)   # the two spacings swapped
    ax.annotate("lesion", xy=(col * dy, row * dx), xytext=(20, 20), textcoords="offset points",
                arrowprops={"arrowstyle": "->"})
    _fails(result(ax), "does not point at the lesion", forbidden=right)
    ax = _pixels_axes(data)   # everything in pixels
    ax.annotate("lesion", xy=(col, row), xytext=(20, 20), textcoords="offset points",
                arrowprops={"arrowstyle": "->"})
    _fails(result(ax), "not drawn in mm")


# --------------------------------------------------------------------------- profile_in_mm

def _solution_profile(data):
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    values = profile_line(data.coronal_hu, data.profile_start, data.profile_end, order=1)
    distance = np.linspace(0, math.hypot((r1 - r0) * dy, (c1 - c0) * dx), len(values))
    return distance, values


@pytest.mark.parametrize("variant", VARIANTS)
def test_profile_in_mm_correct_answers(variant):
    data = _task(variant)
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    check = ex.checks.profile_in_mm
    # 1. the course helper
    distance, values = annotate.line_profile(data.coronal_hu, data.profile_start,
                                             data.profile_end, spacing=data.pixel_spacing)
    assert grade(check, variant, profile_distance_mm=distance, profile_values=values).passed
    # 2. map_coordinates with 200 samples, float32 lists
    t = np.linspace(0, 1, 200)
    values = map_coordinates(data.coronal_hu, [r0 + t * (r1 - r0), c0 + t * (c1 - c0)],
                             order=1)
    distance = t * math.hypot((r1 - r0) * dy, (c1 - c0) * dx)
    assert grade(check, variant, profile_distance_mm=distance.astype(np.float32).tolist(),
                 profile_values=values.astype(np.float32).tolist()).passed
    # 3. cumulative distances of the sample points
    rows = np.linspace(r0, r1, 60)
    cols = np.linspace(c0, c1, 60)
    steps = np.hypot(np.diff(rows) * dy, np.diff(cols) * dx)
    distance = np.concatenate([[0.0], np.cumsum(steps)])
    values = map_coordinates(data.coronal_hu.astype(np.float64), [rows, cols], order=1)
    assert grade(check, variant, profile_distance_mm=distance, profile_values=values).passed
    # 4. skimage's profile_line (mode "reflect"), a step of the line's length per sample
    values = profile_line(data.coronal_hu, data.profile_start, data.profile_end, order=1,
                          mode="reflect")
    step = math.hypot((r1 - r0) * dy, (c1 - c0) * dx) / (len(values) - 1)
    assert grade(check, variant, profile_distance_mm=np.arange(len(values)) * step,
                 profile_values=values).passed


@pytest.mark.parametrize("variant", VARIANTS)
def test_profile_in_mm_wrong_answers(variant):
    data = _task(variant)
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    check = ex.checks.profile_in_mm
    distance, values = _solution_profile(data)
    right = (f"{distance[-1]:.1f}",)

    def result(d, v):
        return grade(check, variant, profile_distance_mm=d, profile_values=v)

    _fails(result(np.linspace(0, math.hypot(r1 - r0, c1 - c0), len(values)), values),
           "in pixels", forbidden=right)
    _fails(result(np.arange(len(values), dtype=float), values), "in pixels")
    _fails(result(np.linspace(0, math.hypot((r1 - r0) * dx, (c1 - c0) * dy), len(values)),
                  values), "swapped", forbidden=right)
    _fails(result(distance, values[::-1]), "backwards")
    for order, words in ((0, "nearest-neighbour"), (3, "cubic")):
        other = profile_line(data.coronal_hu, data.profile_start, data.profile_end,
                             order=order)
        _fails(result(np.linspace(0, distance[-1], len(other)), other), words, "linear")
    _fails(result(distance[:-1], values[:-1]), "length of the line in mm", forbidden=right)
    xy_values = profile_line(data.coronal_hu, (c0, r0), (c1, r1), order=1, mode="constant")
    xy_values = np.interp(np.linspace(0, 1, len(values)),
                          np.linspace(0, 1, len(xy_values)), xy_values)
    _fails(result(distance, xy_values), "(row, column)")
    _fails(result(distance[::4], values[::4]), "fewer than the pixels")
    _fails(result(distance + 1.0, values), "start at 0")
    _fails(result(distance, values[:-1]), "one distance per sample")
    _fails(result(..., values), "still `...`")


# --------------------------------------------------------------------------- profile_figure

@pytest.mark.parametrize("variant", VARIANTS)
def test_profile_figure_correct_answers(variant):
    data = _task(variant)
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    distance, values = _solution_profile(data)
    check = ex.checks.profile_figure
    # 1. the course helper on given axes
    fig, axes = plt.subplots(1, 2)
    annotate.plot_profile(data.coronal_hu, data.profile_start, data.profile_end,
                          spacing=data.pixel_spacing, axes=axes, window="lung")
    assert grade(check, variant, ax_profile_image=axes[0], ax_profile_plot=axes[1]).passed
    # 2. in pixels, the line drawn from the end to the start, a scatter of the profile
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)
    image_ax.imshow(data.coronal_hu, cmap="gray", aspect=dy / dx)
    image_ax.plot([c1, c0], [r1, r0], "r-")
    plot_ax.plot(distance, values, "k.-")
    assert grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax).passed
    # 3. many points along the line, the profile of another sampler
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)
    show_slice(data.coronal_hu, spacing=data.pixel_spacing, ax=image_ax)
    image_ax.plot(np.linspace(c0, c1, 20) * dx, np.linspace(r0, r1, 20) * dy, "--")
    d2, v2 = annotate.line_profile(data.coronal_hu, data.profile_start, data.profile_end,
                                   spacing=data.pixel_spacing)
    plot_ax.plot(d2, v2)
    assert grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax).passed
    # 4. a LineCollection, a scatter of the profile
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)
    show_slice(data.coronal_hu, window="lung", spacing=data.pixel_spacing, ax=image_ax)
    image_ax.add_collection(LineCollection([[(c0 * dx, r0 * dy), (c1 * dx, r1 * dy)]],
                                           colors="y"))
    plot_ax.scatter(distance, values, s=4)
    assert grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax).passed
    # 5. an arrow without a head (annotate, arrowstyle "-") in pixels, and step()
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)
    image_ax.imshow(data.coronal_hu, cmap="gray", aspect=dy / dx)
    image_ax.annotate("", xy=(c1, r1), xytext=(c0, r0), arrowprops={"arrowstyle": "-"})
    plot_ax.step(distance, values, where="mid")
    assert grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax).passed


@pytest.mark.parametrize("variant", [3])  # correct answers: both variants
def test_profile_figure_wrong_answers(variant):
    data = _task(variant)
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    distance, values = _solution_profile(data)
    check = ex.checks.profile_figure

    def figure(line=None, plot=None, image=None):
        fig, (image_ax, plot_ax) = plt.subplots(1, 2)
        image_ax.imshow(data.coronal_hu if image is None else image, cmap="gray")
        if line is not None:
            image_ax.plot(*line)
        if plot is not None:
            plot_ax.plot(*plot)
        return grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax)

    good_line, good_plot = ([c0, c1], [r0, r1]), (distance, values)
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)   # the line in pixels on an image in mm
    show_slice(data.coronal_hu, spacing=data.pixel_spacing, ax=image_ax)
    image_ax.plot(*good_line)
    plot_ax.plot(*good_plot)
    _fails(grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax),
           "given in pixels but the image is drawn in mm")
    fig, (image_ax, plot_ax) = plt.subplots(1, 2)   # only the two ends, as markers
    image_ax.imshow(data.coronal_hu, cmap="gray")
    image_ax.scatter([c0, c1], [r0, r1])
    plot_ax.plot(*good_plot)
    _fails(grade(check, variant, ax_profile_image=image_ax, ax_profile_plot=plot_ax), "no line")
    _fails(figure(([r0, r1], [c0, c1]), good_plot), "x and y swapped")
    _fails(figure(None, good_plot), "no line")
    _fails(figure(good_line, good_plot, image=data.coronal_hu.T), "transposed")
    _fails(figure(([0, 10], [0, 10]), good_plot), "no line on `ax_profile_image` runs")
    _fails(figure(good_line, None), "no profile is plotted")
    _fails(figure(good_line, (np.arange(len(values)), values)), "distances in mm")
    _fails(figure(good_line, (distance, values[::-1])), "not the hu profile")
    _fails(figure(good_line, (distance / 10, values)), "line's length in mm")   # in cm


# --------------------------------------------------------------------------- typed in

def test_typed_in_answers_of_variant_0_fail_on_variant_3():
    solution = _task(0)
    dy, dx = solution.pixel_spacing
    typed = {"bar_pixels_horizontal": float(f"{solution.bar_mm / dx:.6g}"),
             "bar_pixels_vertical": float(f"{solution.bar_mm / dy:.6g}")}
    assert grade(ex.checks.scalebar_pixels, 0, **typed).passed
    assert not grade(ex.checks.scalebar_pixels, 3, **typed).passed
    distance, values = _solution_profile(solution)
    assert grade(ex.checks.profile_in_mm, 0, profile_distance_mm=distance,
                 profile_values=values).passed
    assert not grade(ex.checks.profile_in_mm, 3, profile_distance_mm=distance,
                     profile_values=values).passed
    # the figures of variant 0 do not pass for variant 3 either
    row, col = _centre(solution)
    ax = _mm_axes(solution)
    annotate.add_arrow(ax, (col * dx, row * dy), "lesion")
    assert grade(ex.checks.arrow_at_lesion, 0, ax_arrow=ax).passed
    assert not grade(ex.checks.arrow_at_lesion, 3, ax_arrow=ax).passed
    ax = _pixels_axes(solution)
    _scalebar(ax, solution)
    assert grade(ex.checks.scalebar_artist, 0, ax_scalebar=ax).passed
    assert not grade(ex.checks.scalebar_artist, 3, ax_scalebar=ax).passed


# --------------------------------------------------------------------------- whole notebooks

_ALTERNATIVE = {
    "cell-03": """row_mm, col_mm = pixel_spacing
from course_utils.annotate import scalebar_pixels
bar_pixels_horizontal = scalebar_pixels(bar_mm, pixel_spacing, "horizontal")
bar_pixels_vertical = scalebar_pixels(bar_mm, pixel_spacing, "vertical")""",
    "cell-06": """from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
fig_scalebar, ax_scalebar = plt.subplots()
ax_scalebar.imshow(coronal_hu, cmap="bone", vmin=-1350, vmax=150, aspect=row_mm / col_mm)
ax_scalebar.add_artist(AnchoredSizeBar(ax_scalebar.transData, bar_mm / col_mm, f"{bar_mm} mm",
                                       "lower left", color="white", frameon=False))""",
    "cell-09": """from scipy import ndimage
from course_utils.display import show_slice
fig_arrow, ax_arrow = plt.subplots()
show_slice(coronal_hu, window="lung", spacing=pixel_spacing, ax=ax_arrow)
r, c = np.argwhere(lesion_mask).mean(axis=0)
ax_arrow.arrow(c * col_mm - 30, r * row_mm - 30, 30, 30, head_width=3,
               length_includes_head=True, color="yellow")
ax_arrow.text(c * col_mm - 32, r * row_mm - 32, "lesion", color="yellow", ha="right")""",
    "cell-12": """from course_utils.annotate import line_profile
(r0, c0), (r1, c1) = profile_start, profile_end
profile_distance_mm, profile_values = line_profile(coronal_hu, profile_start, profile_end,
                                                   spacing=pixel_spacing)""",
}


def _notebook(tmp_path, replacements):
    nb = nbformat.read(ROOT / "solutions" / "09_annotations.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") in replacements:
            cell.source = replacements[cell["id"]]
            cell.outputs = []
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    path = folder / "09_annotations.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, _ALTERNATIVE), hidden_variant=5)
    assert alternative.error is None, alternative.error
    assert all(check.passed for check in alternative.checks), [
        (c.name, c.message) for c in alternative.checks if not c.passed]
    wrong = grade_notebook(_notebook(tmp_path, {"cell-03": """row_mm, col_mm = pixel_spacing
bar_pixels_horizontal = bar_mm / row_mm
bar_pixels_vertical = bar_mm / col_mm"""}), hidden_variant=5)
    failed = [check.name for check in wrong.checks if not check.passed]
    assert failed == ["scalebar_pixels"], [(c.name, c.message) for c in wrong.checks]
