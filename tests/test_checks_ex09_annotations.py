"""Tests for the checks of exercise 09 (annotations, scalebars, profiles): right answers pass,
real mistakes fail with a helpful message that does not give the answer."""

from __future__ import annotations

import functools
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib_scalebar.scalebar import ScaleBar
from scipy import ndimage
from scipy.ndimage import map_coordinates

from course_utils.checks import ex09_annotations as ex
from course_utils.display import show_slice
from check_helpers import assert_fails


@pytest.fixture(scope="module")
def data():
    return ex.make_coronal()


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _image_axes(data, in_mm):
    fig, ax = plt.subplots()
    dy, dx = data["pixel_spacing"]
    if in_mm:
        show_slice(data["coronal_hu"], window="lung", spacing=data["pixel_spacing"], ax=ax)
    else:
        ax.imshow(data["coronal_hu"], cmap="gray", vmin=-1350, vmax=150, aspect=dy / dx)
    return ax


# --- scalebar_pixels_50mm ----------------------------------------------------------------

def test_bar_pixels_pass(data):
    from course_utils.annotate import scalebar_pixels
    dy, dx = data["pixel_spacing"]
    assert dy != dx
    assert _run("scalebar_pixels_50mm", bar_pixels_horizontal=50 / dx,
                bar_pixels_vertical=50 / dy).passed
    assert _run("scalebar_pixels_50mm",
                bar_pixels_horizontal=scalebar_pixels(50, (dy, dx)),
                bar_pixels_vertical=scalebar_pixels(50, (dy, dx), "vertical")).passed


def test_bar_pixels_mistakes(data):
    dy, dx = data["pixel_spacing"]
    right_h, right_v = f"{50 / dx:.1f}", f"{50 / dy:.1f}"
    _assert_fails(_run("scalebar_pixels_50mm", bar_pixels_horizontal=50 / dy,
                       bar_pixels_vertical=50 / dx), "swapped", forbidden=(right_h, right_v))
    _assert_fails(_run("scalebar_pixels_50mm", bar_pixels_horizontal=50 * dx,
                       bar_pixels_vertical=50 / dy), "mm / spacing")
    _assert_fails(_run("scalebar_pixels_50mm", bar_pixels_horizontal=50 / dx,
                       bar_pixels_vertical=50.0), "still in mm")
    _assert_fails(_run("scalebar_pixels_50mm", bar_pixels_horizontal=50 / dx,
                       bar_pixels_vertical=50 / dx), "other direction")
    _assert_fails(_run("scalebar_pixels_50mm", bar_pixels_horizontal=...,
                       bar_pixels_vertical=1.0), "still `...`")


# --- scalebar_artist ----------------------------------------------------------------------

def test_scalebar_passes_in_pixels_in_mm_and_with_helper(data):
    dy, dx = data["pixel_spacing"]
    ax = _image_axes(data, in_mm=False)
    ax.add_artist(ScaleBar(dx, "mm", fixed_value=50, fixed_units="mm",
                           rotation="horizontal-only"))
    assert _run("scalebar_artist", ax_scalebar=ax).passed
    vertical = _image_axes(data, in_mm=False)
    vertical.add_artist(ScaleBar(dy / 1000, "m", fixed_value=5, fixed_units="cm",
                                 rotation="vertical-only"))
    assert _run("scalebar_artist", ax_scalebar=vertical).passed
    in_mm = _image_axes(data, in_mm=True)
    in_mm.add_artist(ScaleBar(1.0, "mm", fixed_value=50, fixed_units="mm"))
    assert _run("scalebar_artist", ax_scalebar=in_mm).passed
    from course_utils.annotate import add_scalebar
    helper = _image_axes(data, in_mm=False)
    add_scalebar(helper, pixel_size_mm=(dy, dx), length_mm=50)
    assert _run("scalebar_artist", ax_scalebar=helper).passed


def test_scalebar_mistakes(data):
    dy, dx = data["pixel_spacing"]
    wrong_direction = _image_axes(data, in_mm=False)
    wrong_direction.add_artist(ScaleBar(dy, "mm", fixed_value=50, fixed_units="mm"))
    _assert_fails(_run("scalebar_artist", ax_scalebar=wrong_direction), "other direction")
    twice = _image_axes(data, in_mm=True)
    twice.add_artist(ScaleBar(dx, "mm", fixed_value=50, fixed_units="mm"))
    _assert_fails(_run("scalebar_artist", ax_scalebar=twice), "twice")
    not_fixed = _image_axes(data, in_mm=False)
    not_fixed.add_artist(ScaleBar(dx, "mm"))
    _assert_fails(_run("scalebar_artist", ax_scalebar=not_fixed), "fixed_value")
    metres = _image_axes(data, in_mm=False)
    metres.add_artist(ScaleBar(dx, "m", fixed_value=50, fixed_units="mm"))   # dx in mm, units m
    _assert_fails(_run("scalebar_artist", ax_scalebar=metres), "`dx`")
    _assert_fails(_run("scalebar_artist", ax_scalebar=_image_axes(data, in_mm=False)),
                  "no scalebar")


# --- arrow_at_lesion ------------------------------------------------------------------------

def _centre(data):
    return ndimage.center_of_mass(data["lesion_mask"])   # (row, column)


def test_arrow_passes_in_mm_pixels_and_with_helper(data):
    dy, dx = data["pixel_spacing"]
    row, col = _centre(data)
    ax = _image_axes(data, in_mm=True)
    ax.annotate("lesion", xy=(col * dx, row * dy), xytext=(200, 30),
                arrowprops={"arrowstyle": "->"})
    assert _run("arrow_at_lesion", ax_arrow=ax).passed
    in_px = _image_axes(data, in_mm=False)
    in_px.annotate("nodule", xy=(col, row), xytext=(150, 10), arrowprops={"arrowstyle": "->"})
    assert _run("arrow_at_lesion", ax_arrow=in_px).passed
    from course_utils.annotate import add_arrow
    helper = _image_axes(data, in_mm=True)
    add_arrow(helper, (col * dx, row * dy), "lesion")
    assert _run("arrow_at_lesion", ax_arrow=helper).passed


def test_arrow_mistakes(data):
    dy, dx = data["pixel_spacing"]
    row, col = _centre(data)
    swapped = _image_axes(data, in_mm=False)
    swapped.annotate("lesion", xy=(row, col), xytext=(150, 10), arrowprops={})
    _assert_fails(_run("arrow_at_lesion", ax_arrow=swapped), "swapped")
    pixels_on_mm = _image_axes(data, in_mm=True)
    pixels_on_mm.annotate("lesion", xy=(col, row), xytext=(200, 30), arrowprops={})
    _assert_fails(_run("arrow_at_lesion", ax_arrow=pixels_on_mm), "pixels",
                  forbidden=(f"{col * dx:.0f}",))
    text_only = _image_axes(data, in_mm=True)
    text_only.annotate("lesion", xy=(col * dx, row * dy))
    _assert_fails(_run("arrow_at_lesion", ax_arrow=text_only), "arrowprops")
    no_label = _image_axes(data, in_mm=True)
    no_label.annotate("", xy=(col * dx, row * dy), xytext=(200, 30), arrowprops={})
    _assert_fails(_run("arrow_at_lesion", ax_arrow=no_label), "label")


# --- profile_in_mm --------------------------------------------------------------------------

def _by_hand(data, n=None):
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    dy, dx = data["pixel_spacing"]
    n = n or int(np.ceil(np.hypot(r1 - r0, c1 - c0))) + 1
    rows, cols = np.linspace(r0, r1, n), np.linspace(c0, c1, n)
    values = map_coordinates(data["coronal_hu"], [rows, cols], order=1)
    return np.hypot((rows - r0) * dy, (cols - c0) * dx), values


def test_profile_passes_by_hand_skimage_and_helper(data):
    distance, values = _by_hand(data)
    assert _run("profile_in_mm", profile_distance_mm=distance, profile_values=values).passed
    distance, values = _by_hand(data, n=101)     # denser sampling is fine
    assert _run("profile_in_mm", profile_distance_mm=distance, profile_values=values).passed
    from course_utils.annotate import line_profile
    distance, values = line_profile(data["coronal_hu"], data["profile_start"],
                                    data["profile_end"], spacing=data["pixel_spacing"])
    assert _run("profile_in_mm", profile_distance_mm=distance,
                profile_values=values.astype(np.float32)).passed


def test_profile_mistakes(data):
    distance, values = _by_hand(data)
    dy, dx = data["pixel_spacing"]
    _assert_fails(_run("profile_in_mm", profile_distance_mm=np.arange(len(values), dtype=float),
                       profile_values=values), "pixels")
    _assert_fails(_run("profile_in_mm", profile_distance_mm=distance * dx / dy,
                       profile_values=values), "wrong spacing")
    _assert_fails(_run("profile_in_mm", profile_distance_mm=distance,
                       profile_values=values[::-1]), "backwards")
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    swapped = map_coordinates(data["coronal_hu"],
                              [np.linspace(c0, c1, len(values)), np.linspace(r0, r1, len(values))],
                              order=1)                           # (x, y) given as (row, col)
    _assert_fails(_run("profile_in_mm", profile_distance_mm=distance, profile_values=swapped),
                  "(row, column)")
    _assert_fails(_run("profile_in_mm", profile_distance_mm=distance,
                       profile_values=values[:-1]), "same length")
    _assert_fails(_run("profile_in_mm", profile_distance_mm=...,
                       profile_values=values), "still `...`")


# --- line_on_image --------------------------------------------------------------------------

def test_line_on_image_passes_in_mm_pixels_and_with_helper(data):
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    dy, dx = data["pixel_spacing"]
    in_mm = _image_axes(data, in_mm=True)
    in_mm.plot([c0 * dx, c1 * dx], [r0 * dy, r1 * dy])
    assert _run("line_on_image", ax_profile_image=in_mm).passed
    in_px = _image_axes(data, in_mm=False)
    in_px.plot([c1, c0], [r1, r0])               # either direction
    assert _run("line_on_image", ax_profile_image=in_px).passed
    from course_utils.annotate import plot_profile
    fig, axes = plot_profile(data["coronal_hu"], data["profile_start"], data["profile_end"],
                             spacing=data["pixel_spacing"])
    assert _run("line_on_image", ax_profile_image=axes[0]).passed


def test_line_on_image_mistakes(data):
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    dy, dx = data["pixel_spacing"]
    swapped = _image_axes(data, in_mm=False)
    swapped.plot([r0, r1], [c0, c1])
    _assert_fails(_run("line_on_image", ax_profile_image=swapped), "swapped")
    pixels_on_mm = _image_axes(data, in_mm=True)
    pixels_on_mm.plot([c0, c1], [r0, r1])
    _assert_fails(_run("line_on_image", ax_profile_image=pixels_on_mm), "coordinates")
    _assert_fails(_run("line_on_image", ax_profile_image=_image_axes(data, in_mm=True)),
                  "no line")
