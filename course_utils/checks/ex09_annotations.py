"""Checks for exercise 09, annotations, scalebars and profiles.

The exercise uses a coronal plane of ``chest_volume(shape=(70, 256, 256), spacing=(4.0, 1.5,
1.5), seed=0)`` through the lesion: pixels of 4 mm (rows) x 1.5 mm (columns).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array,
                                       get_axes, get_number)

checks = CheckList("09_annotations")
__all__ = ["arrow_at_lesion", "checks", "line_on_image", "make_coronal", "profile_in_mm",
           "scalebar_artist", "scalebar_pixels_50mm"]

SHAPE, SPACING, SEED = (70, 256, 256), (4.0, 1.5, 1.5), 0
BAR_MM = 50.0
PROFILE_HALF_ROWS = 10       # the profile runs from 10 rows above the lesion centre to 10 below
ARROW_TOLERANCE_MM = 4.0     # the lesion is 20 mm across
_TO_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "um": 1e-3, "µm": 1e-3, "km": 1e6}


def make_coronal() -> dict[str, Any]:
    """The exercise's data: coronal HU image, its pixel spacing, lesion mask, profile ends."""
    from course_utils.phantom import chest_volume
    from course_utils.volume import get_plane, plane_spacing

    chest = chest_volume(shape=SHAPE, spacing=SPACING, seed=SEED)
    lesion = chest.mask("lesion")
    lesion_row = int(round(np.argwhere(lesion)[:, 1].mean()))
    mask = get_plane(lesion, "coronal", lesion_row)
    centre = np.argwhere(mask).mean(axis=0)
    row, col = int(round(centre[0])), int(round(centre[1]))
    return {"coronal_hu": np.ascontiguousarray(get_plane(chest.hu, "coronal", lesion_row)),
            "lesion_mask": np.ascontiguousarray(mask),
            "pixel_spacing": plane_spacing(chest.spacing, "coronal"),
            "profile_start": (row - PROFILE_HALF_ROWS, col),
            "profile_end": (row + PROFILE_HALF_ROWS, col)}


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data = make_coronal()
    dy, dx = data["pixel_spacing"]
    centre_row, centre_col = np.argwhere(data["lesion_mask"]).mean(axis=0)
    data["centre_px"] = (float(centre_col), float(centre_row))            # (x, y) in pixels
    data["centre_mm"] = (float(centre_col * dx), float(centre_row * dy))  # (x, y) in mm
    return data


def _units(axes: dict[str, Any], name: str) -> str:
    """'mm' when the base image is drawn with an extent in mm, 'px' when in pixels."""
    image = first_image(axes, name)
    data = _data()
    ny, nx = data["coronal_hu"].shape
    dy, dx = data["pixel_spacing"]
    left, right, bottom, top = (float(v) for v in image["extent"])
    width, height = abs(right - left), abs(bottom - top)
    if math.isclose(width, nx * dx, rel_tol=0.02) and math.isclose(height, ny * dy, rel_tol=0.02):
        return "mm"
    if math.isclose(width, nx, rel_tol=0.02) and math.isclose(height, ny, rel_tol=0.02):
        return "px"
    raise CheckFailed(f"The image on `{name}` is neither in pixels nor in mm: draw "
                      "`coronal_hu` with no extent, or with its extent in mm.")


@checks.add(points=1)
def scalebar_pixels_50mm(bar_pixels_horizontal, bar_pixels_vertical):
    """Length in pixels of a 50 mm bar, horizontal and vertical, with non-square pixels."""
    horizontal = get_number(bar_pixels_horizontal, "bar_pixels_horizontal")
    vertical = get_number(bar_pixels_vertical, "bar_pixels_vertical")
    dy, dx = _data()["pixel_spacing"]
    good_h = math.isclose(horizontal, BAR_MM / dx, rel_tol=1e-3)
    good_v = math.isclose(vertical, BAR_MM / dy, rel_tol=1e-3)
    if good_h and good_v:
        return
    if math.isclose(horizontal, BAR_MM / dy, rel_tol=1e-3) and \
            math.isclose(vertical, BAR_MM / dx, rel_tol=1e-3):
        raise CheckFailed("The two lengths are swapped: a horizontal bar runs across "
                          "columns, so it uses the column spacing; a vertical one the row "
                          "spacing.")
    for value, name, good in ((horizontal, "bar_pixels_horizontal", good_h),
                              (vertical, "bar_pixels_vertical", good_v)):
        if good:
            continue
        if any(math.isclose(value, BAR_MM * s, rel_tol=1e-3) for s in (dx, dy)):
            raise CheckFailed(f"`{name}` multiplies mm by the spacing: the spacing is mm per "
                              "pixel, so pixels = mm / spacing.")
        if math.isclose(value, BAR_MM, rel_tol=1e-3):
            raise CheckFailed(f"`{name}` is still in mm: convert it to pixels with the pixel "
                              "spacing along the bar.")
        if any(math.isclose(value, BAR_MM / s, rel_tol=1e-3) for s in (dx, dy)):
            raise CheckFailed(f"`{name}` uses the spacing of the other direction: "
                              "PixelSpacing is (row spacing, column spacing).")
        raise CheckFailed(f"`{name}` is not the bar's length in pixels: divide the length "
                          "in mm by the pixel spacing along the bar.")


@checks.add(points=1)
def scalebar_artist(ax_scalebar):
    """A matplotlib-scalebar ScaleBar of 50 mm whose dx is the size of one data unit."""
    axes = get_axes(ax_scalebar, "ax_scalebar")
    units = _units(axes, "ax_scalebar")
    bars = [a for a in axes["artists"] if a.get("class") == "ScaleBar"]
    if not bars:
        raise CheckFailed("No ScaleBar on `ax_scalebar` yet: add a "
                          "`matplotlib_scalebar.scalebar.ScaleBar` with `ax.add_artist`.")
    dy, dx = _data()["pixel_spacing"]
    problems = []
    for bar in bars:
        unit = bar.get("units")
        if unit not in _TO_MM:
            problems.append("The scalebar's `units` is not a length unit: use mm.")
            continue
        size_mm = float(bar["dx"]) * _TO_MM[unit]
        vertical = str(bar.get("rotation") or "").startswith("vertical")
        expected = 1.0 if units == "mm" else (dy if vertical else dx)
        if not math.isclose(size_mm, expected, rel_tol=1e-3):
            if units == "mm":
                problems.append("The image is drawn in mm, so one data unit is already 1 mm; "
                                "a pixel size in `dx` scales the bar twice.")
            elif math.isclose(size_mm, dx if vertical else dy, rel_tol=1e-3):
                problems.append("The scalebar's `dx` is the pixel size of the other "
                                "direction: a horizontal bar runs across columns.")
            else:
                problems.append("The scalebar's `dx` is not the size of one pixel along the "
                                "bar (in the bar's `units`).")
            continue
        fixed, fixed_units = bar.get("fixed_value"), bar.get("fixed_units") or unit
        if fixed is None or fixed_units not in _TO_MM or \
                not math.isclose(float(fixed) * _TO_MM[fixed_units], BAR_MM, rel_tol=1e-3):
            problems.append("The scalebar's length is not fixed to the 50 mm the task asks "
                            "for: look at `fixed_value` and `fixed_units`.")
            continue
        return
    raise CheckFailed(problems[0])


@checks.add(points=1)
def arrow_at_lesion(ax_arrow):
    """An annotation with an arrow whose tip (xy) is at the lesion centre, and a text."""
    axes = get_axes(ax_arrow, "ax_arrow")
    units = _units(axes, "ax_arrow")
    arrows = [t for t in axes["texts"] if t["__type__"] == "annotation" and t["has_arrow"]]
    if not arrows:
        raise CheckFailed("No arrow on `ax_arrow` yet: `ax.annotate` draws one when given "
                          "`arrowprops`.")
    data = _data()
    dy, dx = data["pixel_spacing"]
    cx, cy = data["centre_mm"] if units == "mm" else data["centre_px"]
    scale_x, scale_y = (1.0, 1.0) if units == "mm" else (dx, dy)
    for arrow in arrows:
        if arrow.get("xycoords") not in ("data", None):
            continue
        x, y = arrow["xy"]
        if math.hypot((x - cx) * scale_x, (y - cy) * scale_y) <= ARROW_TOLERANCE_MM:
            if not arrow["text"].strip():
                raise CheckFailed("The arrow points at the lesion but has no label: give "
                                  "the annotation a short text.")
            return
    x, y = arrows[0]["xy"]
    if math.hypot((y - cx) * scale_x, (x - cy) * scale_y) <= ARROW_TOLERANCE_MM:
        raise CheckFailed("The arrow's tip has x and y swapped: `xy` is (x, y) = (column, "
                          "row), not the (row, column) order of array indices.")
    if units == "mm" and math.hypot(x - data["centre_px"][0], y - data["centre_px"][1]) <= 3:
        raise CheckFailed("The arrow's tip is given in pixels but the image is drawn in mm: "
                          "convert the centre with the pixel spacing.")
    raise CheckFailed("The arrow's tip (`xy`) is not at the lesion centre: find the centre "
                      "of the lesion mask and give it in the axes' data coordinates.")


def _expected_profile(distance: np.ndarray) -> np.ndarray:
    from scipy.ndimage import map_coordinates

    data = _data()
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    dy, dx = data["pixel_spacing"]
    length = math.hypot((r1 - r0) * dy, (c1 - c0) * dx)
    t = np.clip(distance / length, 0, 1)
    rows, cols = r0 + t * (r1 - r0), c0 + t * (c1 - c0)
    return map_coordinates(data["coronal_hu"], [rows, cols], order=1)


@checks.add(points=2)
def profile_in_mm(profile_distance_mm, profile_values):
    """The HU profile from profile_start to profile_end, with distances from the start in mm."""
    distance = np.asarray(get_array(profile_distance_mm, "profile_distance_mm", ndim=1),
                          dtype=float)
    values = np.asarray(get_array(profile_values, "profile_values", ndim=1), dtype=float)
    if distance.size != values.size or distance.size < 5:
        raise CheckFailed("`profile_distance_mm` and `profile_values` should be 1D arrays of "
                          "the same length, one distance per sample (at least a few samples).")
    if not np.all(np.diff(distance) > 0) or abs(distance[0]) > 1e-6:
        raise CheckFailed("`profile_distance_mm` should start at 0 (the start point) and "
                          "increase along the line.")
    data = _data()
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    dy, dx = data["pixel_spacing"]
    length = math.hypot((r1 - r0) * dy, (c1 - c0) * dx)
    in_pixels = math.hypot(r1 - r0, c1 - c0)
    end = float(distance[-1])
    if not math.isclose(end, length, abs_tol=0.5):
        if math.isclose(end, in_pixels, abs_tol=1.01):
            raise CheckFailed("The distances are in pixels (or sample numbers): convert them "
                              "to mm with the pixel spacing.")
        if math.isclose(end, math.hypot((r1 - r0) * dx, (c1 - c0) * dy), abs_tol=0.5):
            raise CheckFailed("The distances use the wrong spacing: this line runs down the "
                              "rows, so it is measured with the row spacing.")
        raise CheckFailed("The last distance is not the length of the line in mm: measure "
                          "the distance from the start with both pixel spacings.")
    expected = _expected_profile(distance)
    if np.mean(np.abs(values - expected) <= 25) >= 0.8:
        return
    if np.mean(np.abs(values[::-1] - expected) <= 25) >= 0.8:
        raise CheckFailed("The profile runs backwards: sample from `profile_start` to "
                          "`profile_end`.")
    raise CheckFailed("`profile_values` do not follow `coronal_hu` along the line from "
                      "`profile_start` to `profile_end`: points are (row, column) in pixels.")


@checks.add(points=1)
def line_on_image(ax_profile_image):
    """The sampled line drawn on the image, in the image's coordinates."""
    axes = get_axes(ax_profile_image, "ax_profile_image")
    units = _units(axes, "ax_profile_image")
    data = _data()
    dy, dx = data["pixel_spacing"]
    sx, sy = (dx, dy) if units == "mm" else (1.0, 1.0)
    (r0, c0), (r1, c1) = data["profile_start"], data["profile_end"]
    ends = {(c0 * sx, r0 * sy), (c1 * sx, r1 * sy)}
    tolerance = 1.5 * (max(dx, dy) if units == "mm" else 1.0)

    def near(point: tuple[float, float], targets: set) -> bool:
        return any(math.hypot(point[0] - a, point[1] - b) <= tolerance for a, b in targets)

    lines = [line for line in axes["lines"] if np.size(line["xdata"]) >= 2]
    if not lines:
        raise CheckFailed("No line on `ax_profile_image` yet: draw the sampled line on the "
                          "image with `ax.plot`.")
    swapped = {(b, a) for a, b in ends}
    for line in lines:
        x, y = np.asarray(line["xdata"], float), np.asarray(line["ydata"], float)
        first, last = (x[0], y[0]), (x[-1], y[-1])
        if near(first, ends) and near(last, ends) and not near(first, {last}):
            return
    for line in lines:
        x, y = np.asarray(line["xdata"], float), np.asarray(line["ydata"], float)
        if near((x[0], y[0]), swapped) and near((x[-1], y[-1]), swapped):
            raise CheckFailed("The line has x and y swapped: plot takes x = column and "
                              "y = row, the reverse of (row, column) points.")
    raise CheckFailed("No line on `ax_profile_image` runs from `profile_start` to "
                      "`profile_end` in the image's coordinates (pixels, or mm if the image "
                      "is drawn in mm).")
