"""Checks for exercise 07, contours: ground truth vs prediction.

The task data (:func:`make_task`) are a synthetic axial chest slice with non-square pixels
(``dy != dx``) and a non-square grid, a lobulated lesion painted into the right lung (its size,
shape, elongation and place change with the variant) as the ground truth, and
:func:`course_utils.phantom.imperfect_prediction` of it (shift, scale and boundary noise change
with the variant) as the prediction. Because the pixels are not square, an outline drawn in
pixels, with (row, column) taken as (x, y), or with the two spacings swapped lands off the
lesion; because the lesion is well above or below the middle row, an outline flipped top to
bottom does too.

Examples
--------
>>> data = task(3)
>>> data.image_hu.shape == data.truth.shape == data.prediction.shape
True
>>> data.pixel_spacing[0] != data.pixel_spacing[1]
True
"""

from __future__ import annotations

import math
import re
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_axes, get_number
from course_utils.checks._predicates import (all_texts, color_blind_safe, dash_kind,
                                             grey_direction, image_array, legend_entries,
                                             pixel_centres, red_green, rgb, same_color)

checks = CheckList("07_contours")
task = checks.task
__all__ = ["checks", "dice_and_jaccard", "gt_vs_prediction_styles", "legend_with_proxies",
           "make_task", "outline_in_mm", "scores_on_figure", "task"]

#: Lung window the tasks ask for (W 1500, L -600): vmin, vmax in HU.
LUNG_WINDOW = (-1350.0, 150.0)
FOV_MM = (280.0, 368.0)          # (y, x) field of view
HALF_ZOOM_MM = 25.0


# --------------------------------------------------------------------------- task data

def _lesion(shape: tuple[int, int], spacing: tuple[float, float], rng: np.random.Generator,
            ) -> tuple[np.ndarray, tuple[float, float]]:
    """A lobulated, elongated lesion in the right lung: mask and centre (y, x) in mm."""
    rows, cols = shape
    dy, dx = spacing
    centre_y = (rows - 1) / 2 * dy + rng.choice([-1, 1]) * rng.uniform(18, 32)
    centre_x = (cols - 1) / 2 * dx - 80 + rng.uniform(-10, 10)
    radius = rng.uniform(7.5, 12.0)
    stretch = rng.uniform(1.15, 1.5)
    angle = rng.uniform(0, np.pi)
    lobes = rng.uniform(0.05, 0.14, size=2)
    phases = rng.uniform(0, 2 * np.pi, size=2)
    y = np.arange(rows)[:, None] * dy - centre_y
    x = np.arange(cols)[None, :] * dx - centre_x
    u = x * np.cos(angle) + y * np.sin(angle)
    v = -x * np.sin(angle) + y * np.cos(angle)
    theta = np.arctan2(v, u)
    boundary = radius * (1 + lobes[0] * np.cos(3 * theta + phases[0])
                         + lobes[1] * np.cos(5 * theta + phases[1]))
    inside = np.hypot(u / stretch, v * stretch ** 0.3) <= boundary
    return inside, (float(centre_y), float(centre_x))


def _outline_points(mask: np.ndarray) -> np.ndarray:
    """The 0.5 level of a mask as (row, column) points, all pieces together."""
    from skimage.measure import find_contours

    return np.concatenate(find_contours(mask.astype(float), 0.5))


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``: image, masks, spacing, zoom and expected values."""
    from course_utils.display import physical_extent
    from course_utils.metrics import dice, jaccard
    from course_utils.phantom import CLASSES, chest_volume, imperfect_prediction

    rng = np.random.default_rng([7, variant])
    dy = round(float(rng.uniform(0.82, 1.0)), 2)
    dx = round(float(rng.uniform(0.6, dy - 0.14)), 2)
    shape = (int(round(FOV_MM[0] / dy)), int(round(FOV_MM[1] / dx)))
    chest = chest_volume(shape=(1,) + shape, spacing=(5.0, dy, dx), seed=variant % 2**16)
    image_hu = chest.hu[0]
    lung = chest.labels[0] == CLASSES["lung_right"]
    truth, (centre_y, centre_x) = _lesion(shape, (dy, dx), rng)
    truth &= lung
    noise = np.random.default_rng([8, variant]).standard_normal(shape).astype(np.float32)
    image_hu[truth] = np.float32(40.0) + np.float32(20.0) * noise[truth]
    shift = (float(rng.choice([-1, 1]) * rng.integers(1, 6)),
             float(rng.choice([-1, 1]) * rng.integers(2, 9)))
    prediction = imperfect_prediction(truth, shift=shift, scale=float(rng.uniform(0.72, 1.35)),
                                      seed=variant % 2**16, noise=1.0)
    zoom_x = (round(centre_x - HALF_ZOOM_MM, 1), round(centre_x + HALF_ZOOM_MM, 1))
    zoom_y = (round(centre_y + HALF_ZOOM_MM, 1), round(centre_y - HALF_ZOOM_MM, 1))
    return types.SimpleNamespace(
        variant=variant, image_hu=image_hu, truth=truth, prediction=prediction,
        pixel_spacing=(dy, dx), zoom_x=zoom_x, zoom_y=zoom_y,
        extent_mm=physical_extent(shape, (dy, dx)),
        truth_outline=_outline_points(truth), prediction_outline=_outline_points(prediction),
        dice=float(dice(truth, prediction)), jaccard=float(jaccard(truth, prediction)))


# --------------------------------------------------------------------------- the image

def _task_image(axes: dict[str, Any], data: Any, name: str) -> dict[str, Any]:
    """The image on the panel that shows ``image_hu``, or a CheckFailed saying what is there."""
    if not axes["images"]:
        if any(c.get("class") == "QuadMesh" for c in axes["collections"]):
            raise CheckFailed(f"The image on `{name}` is drawn with `pcolormesh`; the task "
                              "asks for `imshow` with an `extent` in mm.")
        raise CheckFailed(f"Nothing is drawn with `imshow` on `{name}` yet.")
    shape = tuple(data.image_hu.shape)
    for image in axes["images"]:
        if tuple(image["shape"][:2]) == shape and len(image["shape"]) == 2:
            return image
    if any(tuple(image["shape"][:2]) == shape[::-1] for image in axes["images"]):
        raise CheckFailed(f"The image on `{name}` is transposed (rows and columns swapped): "
                          "draw `image_hu` as it is.")
    raise CheckFailed(f"No image on `{name}` has the shape of `image_hu`: draw `image_hu` "
                      "itself (not a crop or an RGB copy) and zoom with the axis limits.")


def _assert_grey_lung_window(image: dict[str, Any], data: Any, name: str) -> None:
    direction = grey_direction(image["cmap"])
    if direction == "white-to-black":
        raise CheckFailed(f"The image on `{name}` is in inverted grey (air white, bone "
                          "black): use a black-to-white grey colormap.")
    if direction != "black-to-white":
        raise CheckFailed(f"The image on `{name}` is not in grey: anatomy is shown with a "
                          "black-to-white grey colormap.")
    low, high = image["clim"]
    if low is None or high is None or not high > low:
        raise CheckFailed(f"The image on `{name}` has no usable colour limits.")
    values, _, _ = _data_space(image)
    shown = np.clip((values - low) / (high - low), 0, 1)   # grey level a reader sees
    _assert_shows_image_hu(shown, data, name)
    expected = np.clip((data.image_hu - LUNG_WINDOW[0]) / (LUNG_WINDOW[1] - LUNG_WINDOW[0]),
                       0, 1)
    error = np.abs(shown - expected)
    if not (np.all(np.isfinite(error)) and np.percentile(error, 99) <= 0.02):
        raise CheckFailed(f"The image on `{name}` is not shown in the lung window (W 1500, "
                          "L -600): `vmin` and `vmax` map the window's two ends, whatever "
                          "the image's own minimum and maximum.")


def _data_space(image: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An image's values with rows in increasing y and columns in increasing x (so that
    ``origin="lower"`` with a flipped array or a reversed extent compare like what they
    draw), and its pixel centres sorted the same way."""
    x, y = pixel_centres(image)
    rows, cols = np.argsort(y, kind="stable"), np.argsort(x, kind="stable")
    values = np.asarray(np.ma.filled(image_array(image), np.nan), dtype=float)
    return values[rows][:, cols], x[cols], y[rows]


def _linear_fit(shown: np.ndarray, hu: np.ndarray) -> tuple[float, float] | None:
    """(R², slope) of the unclipped grey levels against ``hu``, None if too few unclipped."""
    inside = np.isfinite(shown) & (shown > 0.002) & (shown < 0.998)
    if np.count_nonzero(inside) < 50 or np.ptp(shown[inside]) == 0:
        return None
    slope, offset = np.polyfit(hu[inside], shown[inside], 1)
    residual = shown[inside] - (slope * hu[inside] + offset)
    return float(1 - residual.var() / shown[inside].var()), float(slope)


def _assert_shows_image_hu(shown: np.ndarray, data: Any, name: str) -> None:
    """The grey levels (in data space) are a window of ``image_hu`` as it lies in mm."""
    hu = np.asarray(data.image_hu, dtype=float)
    fits = {how: _linear_fit(shown, candidate) for how, candidate in (
        ("as is", hu), ("upside down", hu[::-1]), ("mirrored", hu[:, ::-1]),
        ("rotated", hu[::-1, ::-1]))}
    known = {how: fit for how, fit in fits.items() if fit is not None}
    if not known:
        return   # (nearly) everything clipped: the window check tells what is wrong
    how, (r2, slope) = max(known.items(), key=lambda item: item[1][0])
    if r2 < 0.98:
        raise CheckFailed(f"The image on `{name}` does not show `image_hu`: draw the task's "
                          "slice itself (not a mask or another array).")
    if how == "upside down":
        raise CheckFailed(f"The image on `{name}` is upside down in mm: with "
                          "`origin=\"upper\"` the extent is (left, right, bottom, top), bottom "
                          "the larger y.")
    if how == "mirrored":
        raise CheckFailed(f"The image on `{name}` is mirrored left to right in mm: the "
                          "extent's left is the smaller x.")
    if how == "rotated":
        raise CheckFailed(f"The image on `{name}` is flipped both ways (rotated by 180°) in "
                          "mm: look at the order of the four numbers of `extent`.")
    if slope < 0:
        raise CheckFailed(f"The image on `{name}` shows air white and bone black (inverted "
                          "grey levels): show `image_hu` itself with a black-to-white map.")


def _assert_in_mm(image: dict[str, Any], data: Any, name: str) -> None:
    dy, dx = data.pixel_spacing
    rows, cols = data.image_hu.shape
    _, x, y = _data_space(image)
    got = np.array([x[0], x[-1], y[0], y[-1]])
    wanted = np.array([0.0, (cols - 1) * dx, 0.0, (rows - 1) * dy])
    tolerance = np.array([dx, dx, dy, dy]) / 2 + 1e-6
    if np.all(np.abs(got - wanted) <= tolerance):
        return
    if np.allclose(got, [0, cols - 1, 0, rows - 1], atol=0.51):
        raise CheckFailed(f"The image on `{name}` is drawn in pixels: give `imshow` an "
                          "`extent` in mm computed from the pixel spacing.")
    if np.allclose(got, [0, (cols - 1) * dy, 0, (rows - 1) * dx], atol=max(dx, dy) / 2):
        raise CheckFailed(f"The image on `{name}` uses the two pixel spacings the wrong way "
                          "round: `pixel_spacing` is (row spacing dy, column spacing dx).")
    raise CheckFailed(f"The image on `{name}` is not placed in mm with pixel centres at "
                      "index x spacing: check the four numbers of `extent`.")


def _assert_zoom(axes: dict[str, Any], data: Any, name: str) -> None:
    xlim, ylim = np.asarray(axes["xlim"]), np.asarray(axes["ylim"])
    zoom_x, zoom_y = np.asarray(data.zoom_x), np.asarray(data.zoom_y)
    if np.allclose(xlim, zoom_x[::-1], atol=0.5):
        raise CheckFailed(f"The x axis of `{name}` runs backwards, which mirrors the image "
                          "left to right: pass `zoom_x` as it is.")
    if np.allclose(ylim, zoom_y[::-1], atol=0.5):
        raise CheckFailed(f"The y axis of `{name}` is not inverted, so the image is upside "
                          "down (row 0 belongs at the top): pass `zoom_y` as it is.")
    if not (np.allclose(xlim, zoom_x, atol=0.5) and np.allclose(ylim, zoom_y, atol=0.5)):
        raise CheckFailed(f"`{name}` is not zoomed on the lesion: set its x and y limits to "
                          "`zoom_x` and `zoom_y`.")


def _assert_image(axes: dict[str, Any], data: Any, name: str) -> dict[str, Any]:
    image = _task_image(axes, data, name)
    _assert_in_mm(image, data, name)
    _assert_grey_lung_window(image, data, name)
    return image


# --------------------------------------------------------------------------- outlines

def _drawn_outlines(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every outline on a panel, as :func:`course_utils.checks._predicates.outlines` finds
    them (line contours, plotted lines of >= 4 points in data coordinates, unfilled
    polygons), with each one's contour ``level`` (None for lines and patches) and its raw
    line ``pattern`` (to tell two dash patterns apart)."""
    found = []
    for collection in axes["collections"]:
        if collection["__type__"] != "contour" or collection.get("filled"):
            continue
        colors = collection["edgecolors"] or [[0, 0, 0, 1]]
        styles = collection["linestyles"] or ["-"]
        levels = list(collection.get("levels", []))
        for index, level in enumerate(collection.get("level_paths", [])):
            points = [np.asarray(p, dtype=float) for p in level if len(p)]
            if points:
                style = styles[min(index, len(styles) - 1)]
                found.append({"points": np.concatenate(points),
                              "color": colors[min(index, len(colors) - 1)],
                              "style": dash_kind(style), "pattern": _pattern(style),
                              "level": float(levels[index]) if index < len(levels) else None,
                              "levels": levels, "zrange": collection.get("zrange"),
                              "source": "contour"})
    for collection in axes["collections"]:   # LineCollection / unfilled PolyCollection
        if collection["__type__"] != "collection" or collection.get("class") not in (
                "LineCollection", "PolyCollection") or not collection.get("paths"):
            continue
        if any(face[3] > 0 for face in collection["facecolors"]) or not any(
                edge[3] > 0 for edge in collection["edgecolors"]):
            continue
        style = (collection["linestyles"] or ["-"])[0]
        found.append({"points": np.concatenate([np.asarray(p, dtype=float)
                                                for p in collection["paths"]]),
                      "color": collection["edgecolors"][0], "style": dash_kind(style),
                      "pattern": _pattern(style), "level": None, "levels": [],
                      "source": "collection"})
    for line in axes["lines"]:
        xy = np.asarray(line["xy"], dtype=float).reshape(-1, 2)
        style = line["linestyle"]
        if (line.get("coords") == "data" and len(xy) >= 4 and line.get("visible", True)
                and (dash_kind(style) != "none" or str(line.get("marker")) not in
                     ("None", "none", "", " "))):
            finite = xy[np.all(np.isfinite(xy), axis=1)]
            kind = dash_kind(style)
            found.append({"points": finite, "color": line["color"],
                          "style": "dotted" if kind == "none" else kind,
                          "pattern": "markers" if kind == "none" else _pattern(style),
                          "level": None, "levels": [], "source": "line"})
    for patch in axes["patches"]:
        if patch["class"] in ("Polygon", "PathPatch") and not patch["fill"] and patch["paths"]:
            found.append({"points": np.concatenate([np.asarray(p, dtype=float)
                                                    for p in patch["paths"]]),
                          "color": patch["edgecolor"], "style": dash_kind(patch["linestyle"]),
                          "pattern": _pattern(patch["linestyle"]), "level": None,
                          "levels": [], "source": "patch"})
    return [o for o in found if len(o["points"]) >= 4]


_NAMED_STYLES = {"--": "dashed", "dashed": "dashed", ":": "dotted", "dotted": "dotted",
                 "-.": "dashdot", "dashdot": "dashdot"}


def _pattern(style: Any) -> Any:
    """A hashable key for how a line style looks: None for solid, else the dash pattern
    relative to its first dash (so ``"--"`` of a line and the dashes of a contour drawn with
    ``linestyles="dashed"``, scaled by its line width, are the same key)."""
    from matplotlib import rcParams

    kind = dash_kind(style)
    if kind in ("solid", "none"):
        return None if kind == "solid" else "none"
    if isinstance(style, str):
        if style not in _NAMED_STYLES:
            return style
        dashes = list(rcParams[f"lines.{_NAMED_STYLES[style]}_pattern"])
    else:
        dashes = list(style[1])
    first = float(dashes[0]) or 1.0
    return tuple(round(float(d) / first, 1) for d in dashes)


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For every point of ``a``, the distance to the nearest point of ``b``."""
    from scipy.spatial import cKDTree

    return cKDTree(b).query(a)[0]


def _traces(points: np.ndarray, expected_mm: np.ndarray, tolerance: float) -> bool:
    """True if ``points`` run along ``expected_mm`` (both ways: no stray or missing part)."""
    if len(points) < 4:
        return False
    return bool(np.percentile(_nearest(points, expected_mm), 95) <= tolerance
                and np.percentile(_nearest(expected_mm, points), 95) <= tolerance)


def _in_mm(outline_rc: np.ndarray, data: Any) -> np.ndarray:
    dy, dx = data.pixel_spacing
    return np.column_stack([outline_rc[:, 1] * dx, outline_rc[:, 0] * dy])


def _tolerance(data: Any) -> float:
    return 1.0 * max(data.pixel_spacing)


def _placement_fault(points: np.ndarray, data: Any, what: str) -> str | None:
    """Why an outline is not on the ``what`` mask's edge (pixels, swapped, flipped...)."""
    dy, dx = data.pixel_spacing
    rows = data.image_hu.shape[0]
    outline = data.truth_outline if what == "truth" else data.prediction_outline
    tolerance = _tolerance(data)
    r, c = outline[:, 0], outline[:, 1]
    faults = [
        (np.column_stack([c, r]), "is drawn in pixel units while the image is in mm: place "
         "it with the image's `extent` (or convert its points to mm)."),
        (np.column_stack([r * dy, c * dx]), "has x and y swapped: `find_contours` returns "
         "(row, column) points, and x is the column."),
        (np.column_stack([r, c]), "is in pixels with x and y swapped: `find_contours` returns "
         "(row, column) points, and x is the column; convert them to mm too."),
        (np.column_stack([c * dy, r * dx]), "uses the two pixel spacings the wrong way round: "
         "columns go with dx, rows with dy."),
        (np.column_stack([c * dx, (rows - 1 - r) * dy]), "is upside down compared with the "
         "image: `contour` puts row 0 at the bottom unless you give it `origin=\"upper\"`."),
    ]
    for expected, message in faults:
        if _traces(points, expected, tolerance * (1.4 if expected is faults[0][0] else 1)):
            return message
    return None


def _find(outlines: list[dict[str, Any]], data: Any, what: str) -> dict[str, Any] | None:
    outline = data.truth_outline if what == "truth" else data.prediction_outline
    expected = _in_mm(outline, data)
    for candidate in outlines:
        if _traces(candidate["points"], expected, _tolerance(data)):
            return candidate
    return None


def _assert_levels(outlines: list[dict[str, Any]], name: str) -> None:
    """Each contour set draws one level, half-way between the two values of its mask (0.5 of
    a 0/1 mask, 127.5 of a 0/255 one: the same outline)."""
    for outline in outlines:
        levels = outline["levels"]
        if outline["source"] != "contour":
            continue
        if len(levels) != 1:
            raise CheckFailed(f"A contour on `{name}` draws {len(levels)} levels: the task "
                              "asks for the single level half-way between the mask's 0 and "
                              "1; look at the `levels` argument.")
        low, high = outline.get("zrange") or (None, None)
        if low is None or high is None or not high > low:
            low, high = 0.0, 1.0
        if not math.isclose((float(levels[0]) - low) / (high - low), 0.5, abs_tol=0.01):
            raise CheckFailed(f"A contour on `{name}` is not at the level half-way between "
                              "the mask's two values: look at the `levels` argument.")


def _outline_of(outlines: list[dict[str, Any]], data: Any, what: str, name: str,
                ) -> dict[str, Any]:
    """The outline of ``what`` ("truth" or "prediction"), or a CheckFailed saying why not."""
    found = _find(outlines, data, what)
    if found is not None:
        return found
    label = "ground truth" if what == "truth" else "prediction"
    other = "prediction" if what == "truth" else "truth"
    for candidate in outlines:
        fault = _placement_fault(candidate["points"], data, what)
        if fault is not None:
            raise CheckFailed(f"The {label}'s outline on `{name}` {fault}")
    if outlines and what == "truth" and _find(outlines, data, other) is not None \
            and name == "ax_outline":
        raise CheckFailed("This outline is the prediction's; this task outlines the ground "
                          "truth `truth`.")
    raise CheckFailed(f"No outline on `{name}` runs along the {label}'s edge: contour the "
                      f"{label} mask (as float) at level 0.5 with the image's `extent` and "
                      "`origin`.")


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def outline_in_mm(ax_outline, task):
    """Task 1: the image in grey, lung window, in mm; the ground truth's 0.5 outline in mm on
    it; zoomed with zoom_x, zoom_y."""
    axes = get_axes(ax_outline, "ax_outline")
    _assert_image(axes, task, "ax_outline")
    outlines = _drawn_outlines(axes)
    if not outlines:
        raise CheckFailed("There is no outline on `ax_outline` yet (a filled `contourf` or an "
                          "overlay is not an outline): draw the 0.5 level of `truth`.")
    _assert_levels(outlines, "ax_outline")
    _outline_of(outlines, task, "truth", "ax_outline")
    _assert_zoom(axes, task, "ax_outline")


def _compare(ax_compare: Any, data: Any, image: bool = True) -> tuple[dict, dict, dict]:
    axes = get_axes(ax_compare, "ax_compare")
    if image:
        _assert_image(axes, data, "ax_compare")
    outlines = _drawn_outlines(axes)
    if len(outlines) < 2:
        raise CheckFailed(f"`ax_compare` shows {len(outlines)} outline(s): it needs two, the "
                          "ground truth and the prediction.")
    _assert_levels(outlines, "ax_compare")
    truth = _outline_of(outlines, data, "truth", "ax_compare")
    prediction = _outline_of([o for o in outlines if o is not truth], data, "prediction",
                             "ax_compare")
    return axes, truth, prediction


@checks.add(points=1)
def gt_vs_prediction_styles(ax_compare, task):
    """Task 2: both outlines in mm on the image, a colour-blind-safe pair, two line styles,
    zoomed."""
    axes, truth, prediction = _compare(ax_compare, task)
    colour_truth, colour_prediction = rgb(truth["color"]), rgb(prediction["color"])
    if red_green(colour_truth, colour_prediction):
        raise CheckFailed("The outlines are red and green, the pair that about 1 man in 12 "
                          "cannot tell apart: pick a colour-blind-safe pair (see the Okabe-Ito "
                          "palette).")
    if not color_blind_safe(colour_truth, colour_prediction):
        raise CheckFailed("The two outline colours look alike to readers with red-green "
                          "colour blindness: pick a pair that differs in lightness and hue "
                          "(see the Okabe-Ito palette).")
    if truth["pattern"] == prediction["pattern"]:
        raise CheckFailed("Both outlines have the same line style: colour alone fails in "
                          "greyscale print; give one of them another line style.")
    _assert_zoom(axes, task, "ax_compare")


_TRUTH_WORDS = ("truth", "ground", "reference", "gt", "manual", "expert", "annotation",
                "label")
_PREDICTION_WORDS = ("predict", "model", "output", "automatic", "network", "pred", "ai")


def _entry(entries: list[dict[str, Any]], words: tuple[str, ...]) -> dict[str, Any] | None:
    for entry in entries:
        if any(re.search(rf"\b{word}", entry["label"].lower()) for word in words):
            return entry
    return None


def _looks_like(entry: dict[str, Any], outline: dict[str, Any]) -> bool:
    """The entry shows the outline's colour, and its line style if it draws a line (a line,
    or the edge of an unfilled patch); a filled patch or a marker shows the colour only."""
    def matches(colours: list[Any]) -> bool:
        return any(same_color(c, outline["color"], tolerance=0.03) for c in colours)

    if not matches(entry["colors"]):
        return False
    line_colours = entry.get("line_colors")
    if line_colours is None:   # a description without line colours: lines only
        draws_line = entry["class"] == "Line2D"
    elif entry["class"] == "Line2D":
        draws_line = bool(line_colours)
    else:   # an edge is the entry's line only when nothing is filled
        draws_line = matches(line_colours) and len(line_colours) == len(entry["colors"])
    if not draws_line or dash_kind(entry["linestyle"]) == "none" \
            or outline["pattern"] == "markers":
        return True
    return _pattern(entry["linestyle"]) == outline["pattern"]


@checks.add(points=1)
def legend_with_proxies(ax_compare, task):
    """Task 2: a legend naming the ground truth and the prediction, each entry in the colour
    and line style of its outline."""
    axes, truth, prediction = _compare(ax_compare, task, image=False)
    entries = legend_entries(axes)
    if not entries:
        raise CheckFailed("`ax_compare` has no legend entries yet. Contour sets have no "
                          "legend entry of their own: make one proxy artist per outline (a "
                          "line with the same colour and style, and a label) and pass them "
                          "as `handles` to `ax.legend`.")
    truth_entry, prediction_entry = _entry(entries, _TRUTH_WORDS), _entry(entries,
                                                                          _PREDICTION_WORDS)
    if truth_entry is None or prediction_entry is None or truth_entry is prediction_entry:
        raise CheckFailed("The legend should name both outlines: one entry that says ground "
                          "truth and one that says prediction.")
    for entry, outline, label in ((truth_entry, truth, "ground truth"),
                                  (prediction_entry, prediction, "prediction")):
        if not _looks_like(entry, outline):
            raise CheckFailed(f"The legend entry for the {label} does not look like its "
                              "outline: give each proxy the colour and line style of its "
                              "contour.")


def _check_fraction(value: float, expected: float, name: str) -> None:
    if 1 < value <= 100 and math.isclose(value / 100, expected, abs_tol=1e-4):
        raise CheckFailed(f"`{name}` looks like a percentage: give it as a fraction between "
                          "0 and 1.")
    if not 0 <= value <= 1:
        kind = " (a pixel count?)" if float(value).is_integer() and value > 1 else ""
        raise CheckFailed(f"`{name}` is not between 0 and 1{kind}: the score is a fraction; "
                          "look at what you divide by what.")


@checks.add(points=1)
def dice_and_jaccard(dice_score, jaccard_score, task):
    """Task 3: Dice and Jaccard of `truth` and `prediction`, as fractions."""
    dice_value = get_number(dice_score, "dice_score")
    jaccard_value = get_number(jaccard_score, "jaccard_score")
    _check_fraction(dice_value, task.dice, "dice_score")
    _check_fraction(jaccard_value, task.jaccard, "jaccard_score")
    expected_dice, expected_jaccard = task.dice, task.jaccard

    def close(a: float, b: float) -> bool:
        return math.isclose(a, b, abs_tol=1e-4)

    if close(dice_value, expected_jaccard) and close(jaccard_value, expected_dice):
        raise CheckFailed("The two scores are swapped: Jaccard (intersection over union) is "
                          "never larger than Dice.")
    if not close(dice_value, expected_dice):
        if close(dice_value, expected_dice / 2):
            raise CheckFailed("`dice_score` is half of what it should be: Dice counts the "
                              "intersection twice over the sum of both mask sizes.")
        if close(dice_value, expected_jaccard):
            raise CheckFailed("`dice_score` is the Jaccard index (intersection over union): "
                              "Dice is twice the intersection over the sum of the sizes.")
        raise CheckFailed("`dice_score` is not the Dice coefficient of `truth` and "
                          "`prediction`: count the pixels in both masks (intersection) and "
                          "in each mask.")
    if not close(jaccard_value, expected_jaccard):
        if close(jaccard_value, expected_dice / 2):
            raise CheckFailed("`jaccard_score` divides by the sum of the mask sizes: Jaccard "
                              "divides the intersection by the union.")
        raise CheckFailed("`jaccard_score` is not the Jaccard index: intersection over union "
                          "of `truth` and `prediction`.")


_TOKEN = re.compile(r"(?P<name>dice|dsc|jaccard|iou)|(?P<number>\d+(?:[.,]\d+)?)\s*(?P<pct>%)?",
                    re.IGNORECASE)


def _figure_texts(axes: dict[str, Any]) -> list[str]:
    """Every text a reader sees on the panel: texts, titles, axis labels, anchored texts,
    figure texts, the suptitle, legends."""
    texts = [t["text"] for t in all_texts(axes)]
    texts += [axes.get("xlabel") or "", axes.get("ylabel") or ""]
    for artist in axes["artists"]:   # AnchoredText and other offset boxes
        texts += list(artist.get("texts") or [])
    figure = axes.get("figure") or {}
    texts.append(figure.get("suptitle") or "")
    for legend in [axes.get("legend")] + list(figure.get("legends") or []):
        if legend is not None and legend.get("visible", True):
            texts += [legend.get("title") or ""] + list(legend.get("labels") or [])
    return [t for t in texts if t and t.strip()]


def _named_values(texts: list[str]) -> dict[str, list[tuple[float, int]]]:
    """The numbers written next to each score name: {"dice": [(value, decimals)], ...}.

    A number belongs to the name before it (``Dice 0.81``, ``Dice = 81 %``); a number with no
    name before it belongs to the name right after it (``0.81 (Dice)``).
    """
    found: dict[str, list[tuple[float, int]]] = {"dice": [], "jaccard": []}
    for text in texts:
        tokens = list(_TOKEN.finditer(text))
        numbers_first = bool(tokens) and bool(tokens[0].group("number"))
        for index, token in enumerate(tokens):
            if not token.group("name"):
                continue
            name = "dice" if token.group("name").lower() in ("dice", "dsc") else "jaccard"
            neighbour = index - 1 if numbers_first else index + 1
            if 0 <= neighbour < len(tokens) and tokens[neighbour].group("number"):
                found[name].append(_value(tokens[neighbour]))
    return found


def _value(token: re.Match) -> tuple[float, int]:
    """A number token as a fraction and its number of decimals as a fraction."""
    digits = token.group("number").replace(",", ".")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    number = float(digits)
    if token.group("pct") or number > 1:
        return number / 100, decimals + 2
    return number, decimals


def _shows(values: list[tuple[float, int]], expected: float) -> bool:
    return any(decimals >= 2 and abs(value - expected) <= 0.5 * 10 ** -decimals + 1e-9
               for value, decimals in values)


@checks.add(points=1)
def scores_on_figure(ax_compare, task):
    """Task 4: Dice and Jaccard written on ax_compare, each with its name, to two decimals."""
    axes = get_axes(ax_compare, "ax_compare")
    texts = _figure_texts(axes)
    joined = "\n".join(texts).lower()
    if "dice" not in joined and "dsc" not in joined:
        raise CheckFailed("No text on `ax_compare` names the Dice score: write each score "
                          "with its name (e.g. with `ax.text`).")
    if "jaccard" not in joined and "iou" not in joined:
        raise CheckFailed("No text on `ax_compare` names the Jaccard index: write each score "
                          "with its name (e.g. with `ax.text`).")
    values = _named_values(texts)
    if _shows(values["dice"], task.jaccard) and _shows(values["jaccard"], task.dice):
        raise CheckFailed("The values written next to Dice and Jaccard on `ax_compare` are "
                          "swapped: Jaccard is never larger than Dice.")
    for name, expected, label in (("dice", task.dice, "Dice"),
                                  ("jaccard", task.jaccard, "Jaccard")):
        shown = values[name]
        if not shown:
            raise CheckFailed(f"The text on `ax_compare` names {label} but shows no number "
                              "next to it.")
        if not _shows(shown, expected):
            if any(decimals < 2 for _, decimals in shown):
                raise CheckFailed(f"The {label} value on `ax_compare` has fewer than two "
                                  "decimals: write it to at least two (e.g. `f\"{x:.2f}\"`).")
            raise CheckFailed(f"The number written next to {label} on `ax_compare` is not "
                              "the score of these two masks: write the values you computed "
                              "(rounded, not truncated).")
