"""Checks for exercise 09, annotations, scalebars and profiles.

The task data (:func:`make_task`, one variant per learner) are a cropped coronal plane of the
synthetic chest through the lesion, with non-square pixels (row spacing 2 to 5 mm, column
spacing 0.6 to 1.2 mm) and a non-square image, so that each classic mistake changes the
answer: the two spacings swapped (bar lengths, profile length), ``(row, column)`` given where
matplotlib wants ``(x, y)`` (arrow tip, profile line), pixels where the axes are in mm. What
varies per variant: both spacings, the crop (so the lesion's position), the asked scalebar
length, the profile line (direction and length) and the noise.

Examples
--------
>>> data = task(0)
>>> data.coronal_hu.shape == data.lesion_mask.shape, data.pixel_spacing[0] != data.pixel_spacing[1]
(True, True)
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_axes, get_number
from course_utils.checks._predicates import (grey_direction, image_array, pixel_centres,
                                             scalebars)

checks = CheckList("09_annotations")
task = checks.task
__all__ = ["arrow_at_lesion", "checks", "make_task", "profile_figure", "profile_in_mm",
           "scalebar_artist", "scalebar_pixels", "task"]

ROW_SPACINGS = (2.0, 2.5, 3.0, 3.5, 4.0, 5.0)      # coronal rows: the slice spacing dz, mm
COL_SPACINGS = (0.6, 0.7, 0.8, 0.9, 1.1, 1.2)      # coronal columns: dx, mm
BAR_LENGTHS = (20, 25, 30, 40, 50, 60)             # asked scalebar lengths, mm
LUNG = (-1350.0, 150.0)                            # W 1500 / L -600, LINEAR_EXACT limits
LESION_RADIUS_MM = 10.0                            # the phantom's lesion
LENGTH_TOLERANCE = 0.02                            # scalebar: 2 % of its length, or 1 pixel
PIXEL_TOLERANCE = 1.0                              # bar lengths in pixels: rounded either way
MIN_APART_MM = 25.0                                # classic mistakes land this far away


# --------------------------------------------------------------------------- task data

@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``: coronal HU plane, lesion mask, spacing, tasks.

    Returns
    -------
    types.SimpleNamespace
        ``coronal_hu`` (float32, HU, superior at the top, patient's right on the left),
        ``lesion_mask`` (bool), ``pixel_spacing`` ((row, column) spacing in mm),
        ``bar_mm`` (the scalebar length asked for), ``profile_start`` and ``profile_end``
        ((row, column) in pixels).
    """
    from course_utils.phantom import chest_volume
    from course_utils.volume import get_plane

    rng = np.random.default_rng([9, variant])
    dy = float(rng.choice(ROW_SPACINGS))
    dx = float(rng.choice(COL_SPACINGS))
    nz, nx = int(round(300 / dy)), int(round(420 / dx))
    # a 3-row grid 20 mm apart: its last row is y = +20 mm, the lesion's centre
    chest = chest_volume(shape=(nz, 3, nx), spacing=(dy, 20.0, dx), seed=variant)
    plane = get_plane(chest.hu, "coronal", 2)
    lesion = get_plane(chest.mask("lesion"), "coronal", 2)
    centre = np.argwhere(lesion).mean(axis=0)
    for _ in range(1000):
        height = int(round(rng.uniform(180, 240) / dy))
        width = int(round(rng.uniform(250, 340) / dx))
        top = int(round(centre[0] - rng.uniform(45, height * dy - 45) / dy))
        left = int(round(centre[1] - rng.uniform(45, width * dx - 45) / dx))
        if not (0 <= top and top + height <= nz and 0 <= left and left + width <= nx):
            continue
        row, col = centre[0] - top, centre[1] - left
        pixels_vs_mm = math.hypot(col * dx - col, row * dy - row)
        swapped = math.hypot(col * dx - row * dy, row * dy - col * dx)
        if min(pixels_vs_mm, swapped) < MIN_APART_MM:
            continue
        line = _profile_line(rng, (row, col), (dy, dx), (height, width))
        if line is not None:
            break
    else:  # pragma: no cover - the draws above always succeed within a few tries
        raise RuntimeError(f"no crop found for variant {variant}")
    crop = (slice(top, top + height), slice(left, left + width))
    return types.SimpleNamespace(
        coronal_hu=np.ascontiguousarray(plane[crop], dtype=np.float32),
        lesion_mask=np.ascontiguousarray(lesion[crop]),
        pixel_spacing=(dy, dx),
        bar_mm=int(rng.choice(BAR_LENGTHS)),
        profile_start=line[0], profile_end=line[1])


def _profile_line(rng: np.random.Generator, centre: tuple[float, float],
                  spacing: tuple[float, float], shape: tuple[int, int]) -> Any:
    """An oblique line through the lesion, ends in whole pixels, or None if it does not fit."""
    dy, dx = spacing
    angle = math.radians(rng.choice([-1, 1]) * rng.uniform(25, 65))
    length = rng.uniform(50, 70)
    before = length * rng.choice([rng.uniform(0.25, 0.4), rng.uniform(0.6, 0.75)])
    ends = []
    for reach in (-before, length - before):   # the lesion off the line's middle
        row = int(round(centre[0] + reach * math.sin(angle) / dy))
        col = int(round(centre[1] + reach * math.cos(angle) / dx))
        if not (0 <= row < shape[0] and 0 <= col < shape[1]):
            return None
        ends.append((row, col))
    (r0, c0), (r1, c1) = ends
    right = math.hypot((r1 - r0) * dy, (c1 - c0) * dx)
    if r0 == r1 or c0 == c1 or abs(right - math.hypot((r1 - r0) * dx, (c1 - c0) * dy)) < 3 \
            or abs(right - math.hypot(r1 - r0, c1 - c0)) < 3:
        return None
    return tuple(ends)


def _follows(values: np.ndarray, expected: np.ndarray) -> bool:
    """True if sampled values are the expected linear interpolation (9 in 10 within 10 HU)."""
    return bool(np.mean(np.abs(np.asarray(values, dtype=float) - expected) <= 10) >= 0.9)


def _lesion_centre(data: Any) -> tuple[float, float]:
    """(row, column) of the lesion's centre of mass, in pixels."""
    row, col = np.argwhere(data.lesion_mask).mean(axis=0)
    return float(row), float(col)


def _line_length_mm(data: Any) -> float:
    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    dy, dx = data.pixel_spacing
    return math.hypot((r1 - r0) * dy, (c1 - c0) * dx)


def _expected_profile(data: Any, distance: np.ndarray, order: int = 1) -> np.ndarray:
    """HU at ``distance`` mm from the start along the line, linear interpolation (``order``
    1; 0 and 3 tell nearest-neighbour and cubic sampling apart)."""
    from scipy.ndimage import map_coordinates

    (r0, c0), (r1, c1) = data.profile_start, data.profile_end
    t = np.clip(np.asarray(distance, dtype=float) / _line_length_mm(data), 0, 1)
    return map_coordinates(data.coronal_hu.astype(float), [r0 + t * (r1 - r0),
                                                          c0 + t * (c1 - c0)], order=order,
                           mode="nearest")


# --------------------------------------------------------------------------- the drawn image

def _image(axes: dict[str, Any], name: str, data: Any) -> dict[str, Any]:
    """The panel's image of ``coronal_hu`` (same shape), or a CheckFailed saying what is there."""
    shape = tuple(data.coronal_hu.shape)
    images = [image for image in axes["images"] if image.get("visible", True)]
    if not images:
        raise CheckFailed(f"Nothing is drawn with `imshow` on `{name}` yet: draw "
                          "`coronal_hu` first.")
    for image in images:
        if tuple(image["shape"][:2]) == shape:
            return image
    if any(tuple(image["shape"][:2]) == shape[::-1] for image in images):
        raise CheckFailed(f"The image on `{name}` is `coronal_hu` transposed (rows and "
                          "columns swapped): draw the array as it is.")
    raise CheckFailed(f"The image on `{name}` has shape {tuple(images[0]['shape'][:2])}, not "
                      "the shape of `coronal_hu`: draw `coronal_hu` itself.")


def _units(image: dict[str, Any], data: Any) -> str:
    """``"mm"``, ``"pixels"`` or ``"other"``: what one data unit of the image is."""
    rows, columns = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    width, height = abs(right - left), abs(bottom - top)
    dy, dx = data.pixel_spacing
    if math.isclose(width, columns * dx, rel_tol=0.01) and \
            math.isclose(height, rows * dy, rel_tol=0.01):
        return "mm"
    if math.isclose(width, columns, rel_tol=0.01) and math.isclose(height, rows, rel_tol=0.01):
        return "pixels"
    return "other"


def _to_data(image: dict[str, Any], row: float, col: float) -> tuple[float, float]:
    """Data coordinates (x, y) of a fractional pixel position (row, column) of the image."""
    x, y = pixel_centres(image)
    columns, rows = len(x), len(y)
    step_x = (x[-1] - x[0]) / (columns - 1) if columns > 1 else 1.0
    step_y = (y[-1] - y[0]) / (rows - 1) if rows > 1 else 1.0
    return float(x[0] + col * step_x), float(y[0] + row * step_y)


def _data_unit_mm(image: dict[str, Any], data: Any) -> tuple[float, float]:
    """mm per data unit along x and along y for this image."""
    rows, columns = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    dy, dx = data.pixel_spacing
    return columns * dx / abs(right - left), rows * dy / abs(bottom - top)


def _colormap_fraction(image: dict[str, Any]) -> np.ndarray:
    """Where on its colormap (0 to 1) the image puts each pixel, from its norm."""
    samples = (image.get("norm") or {}).get("samples")
    values = np.ma.filled(image_array(image), np.nan)
    if samples is None:
        return np.full(values.shape, np.nan)
    return np.clip(np.interp(values, samples["x"], samples["y"]), 0, 1)


def _check_lung_window(image: dict[str, Any], name: str, data: Any) -> None:
    """The image shows ``coronal_hu`` in the lung window, in a black-to-white grey."""
    direction = grey_direction(image["cmap"])
    if direction == "white-to-black":
        raise CheckFailed(f"The image on `{name}` is in an inverted grey (white for low HU): "
                          "use a black-to-white grey colormap such as 'gray'.")
    if direction != "black-to-white":
        raise CheckFailed(f"The colormap of the image on `{name}` is not a grey scale: CT is "
                          "shown in grey, black to white.")
    shown = _colormap_fraction(image)
    expected = np.clip((data.coronal_hu - LUNG[0]) / (LUNG[1] - LUNG[0]), 0, 1)
    if np.mean(np.abs(shown - expected) <= 0.02) >= 0.98:
        return
    if np.mean(np.abs(shown - expected[::-1]) <= 0.02) >= 0.98:
        raise CheckFailed(f"The image on `{name}` is upside down: draw `coronal_hu` as it is "
                          "(superior at the top).")
    raise CheckFailed(f"The image on `{name}` is not shown in the lung window: vmin and vmax "
                      "are the level minus and plus half the width (W 1500, L -600).")


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def scalebar_pixels(bar_pixels_horizontal, bar_pixels_vertical, task):
    """Length in pixels of the asked bar, horizontal and vertical, with non-square pixels."""
    horizontal = get_number(bar_pixels_horizontal, "bar_pixels_horizontal")
    vertical = get_number(bar_pixels_vertical, "bar_pixels_vertical")
    dy, dx = task.pixel_spacing
    length = float(task.bar_mm)

    def close(value: float, expected: float) -> bool:   # a whole number of pixels is fine
        return abs(value - expected) < PIXEL_TOLERANCE or math.isclose(value, expected,
                                                                        rel_tol=1e-3)
    good_h = close(horizontal, length / dx)
    good_v = close(vertical, length / dy)
    if good_h and good_v:
        return
    if close(horizontal, length / dy) and close(vertical, length / dx):
        raise CheckFailed("The two lengths are swapped: a horizontal bar runs across "
                          "columns, so it uses the column spacing; a vertical one the row "
                          "spacing.")
    for value, name, good in ((horizontal, "bar_pixels_horizontal", good_h),
                              (vertical, "bar_pixels_vertical", good_v)):
        if good:
            continue
        if any(close(value, length * s) for s in (dx, dy)):
            raise CheckFailed(f"`{name}` multiplies mm by the spacing: the spacing is mm per "
                              "pixel, so pixels = mm / spacing.")
        if close(value, length):
            raise CheckFailed(f"`{name}` is still in mm: convert it to pixels with the pixel "
                              "spacing along the bar.")
        if any(close(value, length / s) for s in (dx, dy)):
            raise CheckFailed(f"`{name}` uses the spacing of the other direction: "
                              "`pixel_spacing` is (row spacing, column spacing).")
        raise CheckFailed(f"`{name}` is not the bar's length in pixels: divide the bar's "
                          "length (`bar_mm`) by the pixel spacing along the bar.")


@checks.add(points=1)
def scalebar_artist(ax_scalebar, task):
    """coronal_hu in pixels, lung window, true aspect, a horizontal scalebar of bar_mm."""
    axes = get_axes(ax_scalebar, "ax_scalebar")
    image = _image(axes, "ax_scalebar", task)
    units = _units(image, task)
    if units == "mm":
        raise CheckFailed("`coronal_hu` is drawn in mm on `ax_scalebar`: this task draws it "
                          "in pixels (no `extent`), so that the bar's length is in pixels.")
    if units != "pixels":
        raise CheckFailed("`coronal_hu` is not drawn in pixels on `ax_scalebar`: draw it "
                          "without an `extent`.")
    _check_lung_window(image, "ax_scalebar", task)
    dy, dx = task.pixel_spacing
    aspect = axes["aspect"]
    if isinstance(aspect, str) or not math.isclose(aspect, dy / dx, rel_tol=0.01):
        shown = "automatic" if aspect == "auto" else (
            "square pixels" if aspect in ("equal", 1.0) else f"{float(aspect):g}")
        raise CheckFailed(f"The aspect of `ax_scalebar` is {shown}: with pixels of row "
                          "spacing by column spacing, the anatomy keeps its shape only with "
                          "`aspect` = row spacing / column spacing.")
    bars = [bar for bar in scalebars(axes) if bar["length"]]
    if not bars:
        raise CheckFailed("No scalebar on `ax_scalebar` yet: add a ScaleBar, an "
                          "AnchoredSizeBar, or a line with a length label next to it.")
    horizontal = [bar for bar in bars if bar["axis"] == "x"]
    if not horizontal:
        raise CheckFailed("The scalebar on `ax_scalebar` is vertical: the task asks for a "
                          "horizontal one.")
    labelled = [bar for bar in horizontal if bar["label_mm"] is not None
                and math.isclose(bar["label_mm"], task.bar_mm, rel_tol=1e-3)]
    if not labelled:
        said = horizontal[0]["label_mm"]
        raise CheckFailed("The scalebar's label does not state a length in mm: label it "
                          "like '20 mm'." if said is None else
                          f"The scalebar is labelled {said:g} mm: the task asks for a bar of "
                          "another length (`bar_mm`).")
    tolerance_mm = max(LENGTH_TOLERANCE * task.bar_mm, dx)   # 2 %, or one whole pixel
    for bar in labelled:
        drawn_mm = bar["length"] * dx
        if abs(drawn_mm - task.bar_mm) <= tolerance_mm:
            return
    drawn_mm = labelled[0]["length"] * dx
    hint = ("its pixels were counted with the row spacing" if abs(
        labelled[0]["length"] * dy - task.bar_mm) <= max(LENGTH_TOLERANCE * task.bar_mm, dy) else
        "a horizontal bar is mm / column spacing pixels long (ScaleBar: `dx` is the mm "
        "of one data unit along the bar)")
    raise CheckFailed(f"The scalebar labelled {labelled[0]['label_mm']:g} mm is drawn "
                      f"{drawn_mm:.1f} mm long on this image: {hint}.")


def _arrow_tips(axes: dict[str, Any]) -> list[tuple[float, float]]:
    """Where each arrow on the panel points, in data coordinates."""
    tips = []
    for text in axes["texts"]:
        if text["__type__"] == "annotation" and text.get("has_arrow") and \
                text.get("xy_data") is not None:
            tips.append(tuple(text["xy_data"]))
    for patch in axes["patches"]:
        if patch["class"] in ("FancyArrow", "FancyArrowPatch") and patch["paths"] and \
                patch.get("visible", True):
            tip = _arrow_tip(np.concatenate([np.asarray(p, dtype=float)
                                             for p in patch["paths"]]))
            if tip is not None:
                tips.append(tip)
    return tips


def _arrow_tip(points: np.ndarray) -> tuple[float, float] | None:
    """The tip of an arrow outline: the end of its long axis nearer to the wide head."""
    points = points[np.all(np.isfinite(points), axis=1)]
    if len(points) < 2:
        return None
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    first, second = np.unravel_index(np.argmax(distances), distances.shape)
    length = distances[first, second]
    if length == 0:
        return None
    axis = (points[second] - points[first]) / length
    along = (points - points[first]) @ axis
    across = np.abs((points - points[first]) @ np.array([-axis[1], axis[0]]))
    head = along[np.argmax(across)] if across.max() > 1e-9 * length else length
    end = np.argmax(along) if head >= length / 2 else np.argmin(along)
    return float(points[end, 0]), float(points[end, 1])


@checks.add(points=1)
def arrow_at_lesion(ax_arrow, task):
    """coronal_hu in mm, an arrow whose tip is on the lesion, and a text label."""
    axes = get_axes(ax_arrow, "ax_arrow")
    image = _image(axes, "ax_arrow", task)
    if _units(image, task) != "mm":
        raise CheckFailed("`coronal_hu` is not drawn in mm on `ax_arrow`: keep the given "
                          "`show_slice(..., spacing=pixel_spacing)` (or an `extent` in mm).")
    tips = _arrow_tips(axes)
    if not tips:
        raise CheckFailed("No arrow on `ax_arrow` yet: `ax.annotate` with `arrowprops`, "
                          "`ax.arrow` or a `FancyArrowPatch` draws one.")
    row, col = _lesion_centre(task)
    cx, cy = _to_data(image, row, col)
    if not any(math.hypot(x - cx, y - cy) <= LESION_RADIUS_MM for x, y in tips):
        x, y = tips[0]
        if math.hypot(x - cy, y - cx) <= LESION_RADIUS_MM:
            raise CheckFailed("The arrow's tip has x and y swapped: the tip is (x, y), the "
                              "column first, unlike the (row, column) of array indices.")
        if math.hypot(x - col, y - row) <= LESION_RADIUS_MM / 2 or \
                math.hypot(x - row, y - col) <= LESION_RADIUS_MM / 2:
            raise CheckFailed("The arrow's tip is given in pixels but the image is drawn in "
                              "mm: convert the centre with the pixel spacing.")
        raise CheckFailed("The arrow does not point at the lesion: its tip should be at the "
                          "centre of `lesion_mask`, in the axes' data coordinates (mm).")
    labels = [text for text in axes["texts"] if text["text"].strip()
              and text.get("visible", True)]
    if not labels:
        raise CheckFailed("The arrow points at the lesion but has no label: give it a short "
                          "text (the annotation's text, or `ax.text` next to it).")


@checks.add(points=2)
def profile_in_mm(profile_distance_mm, profile_values, task):
    """The HU profile from profile_start to profile_end, with distances from the start in mm."""
    distance = np.asarray(get_array(profile_distance_mm, "profile_distance_mm", ndim=1),
                          dtype=float)
    values = np.asarray(get_array(profile_values, "profile_values", ndim=1), dtype=float)
    (r0, c0), (r1, c1) = task.profile_start, task.profile_end
    dy, dx = task.pixel_spacing
    if distance.size != values.size:
        raise CheckFailed(f"`profile_distance_mm` has {distance.size} samples and "
                          f"`profile_values` {values.size}: give one distance per sample.")
    if distance.size < max(abs(r1 - r0), abs(c1 - c0)):
        raise CheckFailed(f"The profile has {distance.size} samples, fewer than the pixels "
                          "the line crosses: sample about one point per pixel.")
    if not np.all(np.isfinite(distance)) or not np.all(np.isfinite(values)):
        raise CheckFailed("The profile holds NaN or infinite values: sample inside the image.")
    if abs(distance[0]) > 1e-6 or not np.all(np.diff(distance) > 0):
        raise CheckFailed("`profile_distance_mm` should start at 0 (the start point) and "
                          "increase along the line.")
    length = _line_length_mm(task)
    end = float(distance[-1])
    if not math.isclose(end, length, abs_tol=0.5):
        if math.isclose(end, math.hypot(r1 - r0, c1 - c0), abs_tol=1.01) or \
                math.isclose(end, distance.size - 1, abs_tol=0.01):
            raise CheckFailed("The distances are in pixels (or sample numbers): convert them "
                              "to mm with the pixel spacing.")
        if math.isclose(end, math.hypot((r1 - r0) * dx, (c1 - c0) * dy), abs_tol=0.5):
            raise CheckFailed("The distances use the two spacings swapped: rows are measured "
                              "with the row spacing, columns with the column spacing.")
        raise CheckFailed("The last distance is not the length of the line in mm: measure "
                          "the distance from the start with both pixel spacings.")
    expected = _expected_profile(task, distance)
    if _follows(values, expected):
        return
    if _follows(values[::-1], expected):
        raise CheckFailed("The profile runs backwards: sample from `profile_start` to "
                          "`profile_end`.")
    for order, kind in ((0, "nearest-neighbour (order 0)"), (3, "cubic (order 3)")):
        if _follows(values, _expected_profile(task, distance, order)):
            raise CheckFailed(f"`profile_values` follow the line with {kind} interpolation: "
                              "the task asks for linear interpolation (order 1).")
    raise CheckFailed("`profile_values` do not follow `coronal_hu` along the line from "
                      "`profile_start` to `profile_end`: both are (row, column) in pixels.")


def _drawn_lines(axes: dict[str, Any]) -> list[np.ndarray]:
    """Every line drawn in data coordinates, (n, 2) each: plotted lines, the segments of line
    collections (``LineCollection``, ``hlines``) and annotation arrows (``xytext`` to ``xy``)."""
    lines = [np.asarray(line["xy"], dtype=float).reshape(-1, 2) for line in axes["lines"]
             if line.get("coords") == "data" and line.get("visible", True)]
    for collection in axes["collections"]:
        if collection.get("class") == "LineCollection" and collection.get("visible", True):
            lines += [np.asarray(path, dtype=float).reshape(-1, 2)
                      for path in collection["paths"]]
    for text in axes["texts"]:
        if text["__type__"] == "annotation" and text.get("has_arrow") and \
                text.get("xy_data") is not None and text.get("visible", True):
            lines.append(np.array([text["position_data"], text["xy_data"]], dtype=float))
    return lines


@checks.add(points=1)
def profile_figure(ax_profile_image, ax_profile_plot, task):
    """The sampled line drawn on coronal_hu, and the profile plotted against mm."""
    axes = get_axes(ax_profile_image, "ax_profile_image")
    image = _image(axes, "ax_profile_image", task)
    (r0, c0), (r1, c1) = task.profile_start, task.profile_end
    ends = [_to_data(image, r0, c0), _to_data(image, r1, c1)]
    swapped = [_to_data(image, c0, r0), _to_data(image, c1, r1)]
    unit_x, unit_y = _data_unit_mm(image, task)
    tolerance_mm = 1.5 * max(task.pixel_spacing)

    def near(point: Any, target: tuple[float, float]) -> bool:
        return math.hypot((point[0] - target[0]) * unit_x,
                          (point[1] - target[1]) * unit_y) <= tolerance_mm

    def joins(xy: np.ndarray, targets: list[tuple[float, float]]) -> bool:
        return (near(xy[0], targets[0]) and near(xy[-1], targets[1])) or \
            (near(xy[0], targets[1]) and near(xy[-1], targets[0]))

    lines = [xy[np.all(np.isfinite(xy), axis=1)] for xy in _drawn_lines(axes)]
    lines = [xy for xy in lines if len(xy) >= 2]
    if not lines:
        raise CheckFailed("No line on `ax_profile_image` yet: draw the sampled line on the "
                          "image (`ax.plot`, `LineCollection` or an arrow without a head).")
    if not any(joins(xy, ends) for xy in lines):
        if any(joins(xy, swapped) for xy in lines):
            raise CheckFailed("The line on `ax_profile_image` has x and y swapped: `plot` "
                              "takes x = column and y = row, the reverse of (row, column).")
        in_pixels = [(c0, r0), (c1, r1)]
        if _units(image, task) == "mm" and any(
                math.dist(xy[0], in_pixels[0]) < 1.5 and math.dist(xy[-1], in_pixels[1]) < 1.5
                or math.dist(xy[0], in_pixels[1]) < 1.5 and math.dist(xy[-1], in_pixels[0]) < 1.5
                for xy in lines):
            raise CheckFailed("The line on `ax_profile_image` is given in pixels but the image "
                              "is drawn in mm: convert its ends with the pixel spacing.")
        raise CheckFailed("No line on `ax_profile_image` runs from `profile_start` to "
                          "`profile_end` in the image's data coordinates (pixels, or mm if "
                          "the image is drawn in mm).")
    plot = get_axes(ax_profile_plot, "ax_profile_plot")
    length = _line_length_mm(task)
    curves = [np.asarray(line["xy"], dtype=float).reshape(-1, 2) for line in plot["lines"]
              if line.get("coords") == "data" and len(line["xy"]) >= 5]
    curves += [np.asarray(c["offsets"], dtype=float).reshape(-1, 2) for c in plot["collections"]
               if c.get("visible", True) and c.get("offsets") is not None
               and len(c["offsets"]) >= 5]   # a scatter of the profile
    if not curves:
        raise CheckFailed("No profile is plotted on `ax_profile_plot` yet: plot the values "
                          "against their distances in mm.")
    for xy in curves:
        if math.isclose(np.nanmax(xy[:, 0]), length, abs_tol=0.5) and abs(
                np.nanmin(xy[:, 0])) <= 1e-6:
            expected = _expected_profile(task, xy[:, 0])
            if _follows(xy[:, 1], expected):
                return
            raise CheckFailed("The curve on `ax_profile_plot` is not the HU profile along the "
                              "line: plot `profile_values` against `profile_distance_mm`.")
    raise CheckFailed("The curve on `ax_profile_plot` does not run from 0 to the line's "
                      "length in mm along x: put the distances in mm on the x axis.")
