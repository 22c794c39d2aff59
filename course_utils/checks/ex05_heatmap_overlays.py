"""Checks for exercise 05, heatmap overlays.

The task data (:func:`make_task`, one per variant) are a synthetic chest CT slice with
non-square pixels on a non-square grid, a lesion placed per variant (lung, position, radius),
its attention map, the opacity rules of the overlay (``threshold``, ``alpha_max``), and an
OpenCV-style blend (jet, ``addWeighted`` with per-variant weights, BGR order) made with numpy.

The overlay is judged by what it shows, in data space: which layer lies on top, where it lies
(the slice is drawn in mm), its effective colours and opacity pixel by pixel, and the colours
its colorbar gives to each heat value.

Examples
--------
>>> t = task(0)
>>> t.image_hu.shape == t.heat.shape == t.lesion.shape, t.opencv_bgr.dtype.name
(True, 'uint8')
>>> t.image_hu.shape[0] != t.image_hu.shape[1], t.spacing[0] != t.spacing[1]
(True, True)
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_axes, require, type_of
from course_utils.checks._predicates import (FLIP_NAMES, FLIPS, flip,
                                             colorbar_shows, colorbars_of, grey_direction,
                                             image_array, image_box, images_aligned, lightness,
                                             monotone_lightness, on_grid_of)

checks = CheckList("05_heatmap_overlays")
__all__ = ["bgr_to_rgb", "checks", "heatmap_colorbar", "make_task", "opencv_style_blend_bgr",
           "perceptual_colormap", "sparse_alpha_overlay", "task"]

_SHAPES = ((224, 256), (208, 256), (232, 248), (216, 264), (200, 256))
_SPACINGS = ((1.6, 1.4), (1.7, 1.5), (1.5, 1.6), (1.8, 1.4), (1.75, 1.45))
_THRESHOLDS = (0.1, 0.2, 0.15, 0.25, 0.3, 0.12)
_ALPHA_MAX = (0.8, 0.6, 0.7, 0.9)
_GREY_WEIGHTS = (0.6, 0.5, 0.7)
_LUNG_HU = -850.0
_LESION_HU = 40.0


def opencv_style_blend_bgr(image_hu: np.ndarray, heat: np.ndarray,
                           grey_weight: float) -> np.ndarray:
    """What ``addWeighted(grey, w, applyColorMap(heat8, COLORMAP_JET), 1 - w, 0)`` gives.

    The grey image is the lung window (W 1500, L -600) in 8 bits; the result is uint8 BGR.
    """
    from matplotlib import colormaps

    from course_utils.windowing import apply_window

    grey8 = np.round(apply_window(image_hu, 1500, -600) * 255).astype(np.uint8)
    grey3 = np.repeat(grey8[..., None], 3, axis=2)
    heat8 = np.round(heat * 255).astype(np.uint8)
    jet_bgr = np.round(colormaps["jet"](heat8)[..., :3] * 255).astype(np.uint8)[..., ::-1]
    blend = grey_weight * grey3 + (1 - grey_weight) * jet_bgr
    return np.clip(blend, 0, 255).round().astype(np.uint8)


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The slice, lesion, heat, opacity rules and OpenCV-style blend of ``variant``."""
    from scipy import ndimage

    from course_utils.phantom import CLASSES, attention_heatmap, chest_volume

    rng = np.random.default_rng(1000 + variant)
    shape = _SHAPES[variant % len(_SHAPES)]
    spacing = _SPACINGS[variant % len(_SPACINGS)]
    chest = chest_volume(shape=(1,) + shape, spacing=(5.0,) + spacing, seed=variant)
    image_hu = chest.hu[0].copy()
    labels = chest.labels[0]
    side = ("lung_right", "lung_left")[int(rng.integers(2))]
    lung = labels == CLASSES[side]
    radius = float(rng.choice([6.0, 7.5, 9.0, 10.5, 12.0]))
    room = ndimage.distance_transform_edt(lung, sampling=spacing)
    rows, columns = np.nonzero(room >= radius + 6.0)
    pick = int(rng.integers(len(rows)))
    centre = (int(rows[pick]), int(columns[pick]))
    yy, xx = np.indices(shape)
    lesion = (((yy - centre[0]) * spacing[0]) ** 2 + ((xx - centre[1]) * spacing[1]) ** 2
              <= radius ** 2) & lung
    noise = rng.standard_normal(int(lesion.sum())).astype(np.float32) * np.float32(15.0)
    image_hu[lesion] = np.float32(_LESION_HU) + noise
    sigma_mm = float(rng.choice([6.0, 7.0, 8.0, 9.0, 10.0]))
    heat = attention_heatmap(lesion, sigma_mm=sigma_mm, spacing=spacing, seed=variant,
                             body=labels > 0)
    grey_weight = _GREY_WEIGHTS[variant % len(_GREY_WEIGHTS)]
    return types.SimpleNamespace(
        variant=variant, image_hu=image_hu, lesion=lesion, spacing=spacing, heat=heat,
        lesion_side=side, lesion_centre=centre, lesion_radius_mm=radius, sigma_mm=sigma_mm,
        threshold=_THRESHOLDS[variant % len(_THRESHOLDS)],
        alpha_max=_ALPHA_MAX[variant % len(_ALPHA_MAX)], grey_weight=grey_weight,
        opencv_bgr=opencv_style_blend_bgr(image_hu, heat, grey_weight))


task = checks.task


# --------------------------------------------------------------------------- helpers

def _cmap_colors(value: Any, name: str) -> tuple[str, np.ndarray]:
    """A colormap given by name or as a Colormap: its name and 256 sampled RGBA colours."""
    require(value, name)
    if type_of(value) == "colormap":
        return str(value["name"]), np.asarray(value["colors"], dtype=float)
    if not isinstance(value, str):
        raise CheckFailed(f"`{name}` should be a colormap name (a string such as a name from "
                          "the chapter) or a matplotlib Colormap.")
    from matplotlib import colormaps
    try:
        cmap = colormaps[value]
    except KeyError:
        raise CheckFailed(f"`{name}` is {value!r}, which is not the name of a matplotlib "
                          "colormap (names are case-sensitive).") from None
    return value, np.asarray(cmap(np.linspace(0, 1, 256)), dtype=float)


def _lookup(colors: np.ndarray, values: np.ndarray) -> np.ndarray:
    """What a 256-colour map gives to values in [0, 1] under Normalize(0, 1)."""
    index = np.clip(np.floor(np.asarray(values, dtype=float) * len(colors)), 0, len(colors) - 1)
    return colors[index.astype(int)]




def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 10 or np.ptp(a[keep]) == 0 or np.ptp(b[keep]) == 0:
        return 0.0
    return float(np.corrcoef(a[keep], b[keep])[0, 1])


def _is_heat(image: dict, t: types.SimpleNamespace) -> bool:
    """True if a 2D image's data are the heat (0..1 or 0..255), in any row or column order
    (another ``origin`` flips the array), where the heat reaches ``threshold``: what is drawn
    below it (masked, NaN, a sentinel value) does not matter."""
    heat = t.heat
    if len(image["shape"]) != 2 or image["shape"] != list(heat.shape):
        return False
    data = image_array(image)
    values = np.ma.filled(data, np.nan)
    for flips in FLIPS:
        expected = flip(heat, flips)
        shown = (expected >= t.threshold) & np.isfinite(values) & ~np.ma.getmaskarray(data)
        if shown.sum() < 10:
            continue
        for scale in (1.0, 255.0):
            if np.percentile(np.abs(values[shown] / scale - expected[shown]), 99) <= 0.01:
                return True
    return False


def _base_flips(base: dict, t: types.SimpleNamespace) -> tuple[bool, bool]:
    """How the slice layer's array is flipped relative to ``image_hu`` (drawn the other way
    up with ``origin="lower"``, say): the flip whose pixels correlate best."""
    values = np.ma.filled(image_array(base), np.nan)
    if values.shape != t.image_hu.shape:
        return (False, False)
    scores = [_correlation(values, flip(t.image_hu, flips)) for flips in FLIPS]
    return FLIPS[int(np.argmax(scores))]


def _plotting_axes(fig_heat: Any) -> dict:
    if type_of(fig_heat) == "figure":
        plotting = [ax for ax in fig_heat["axes"] if not ax["is_colorbar"]]
        if len(plotting) != 1:
            raise CheckFailed(f"`fig_heat` has {len(plotting)} panels; draw the overlay on its "
                              "one Axes, `ax_heat`.")
    return get_axes(fig_heat, "fig_heat")


def _layers(ax: dict, t: types.SimpleNamespace) -> tuple[dict, dict]:
    """(slice, heatmap) layers of the panel, or a CheckFailed saying what is there."""
    order = sorted(range(len(ax["images"])),
                   key=lambda i: (ax["images"][i]["zorder"], i))
    images = [ax["images"][i] for i in order if ax["images"][i]["visible"]]
    rows_columns = list(t.heat.shape)
    heat_layers = [k for k, im in enumerate(images)
                   if im["shape"][:2] == rows_columns
                   and (len(im["shape"]) == 3 or _is_heat(im, t))]
    slice_layers = [k for k, im in enumerate(images) if len(im["shape"]) == 2
                    and k not in heat_layers]
    if not heat_layers:
        if len(images) < 2:
            raise CheckFailed("Only one layer is drawn on `ax_heat`: draw `heat` (or an RGBA "
                              "image made from it) on top of the slice.")
        raise CheckFailed("No layer on `ax_heat` shows `heat` of the setup cell: draw that "
                          "array (values 0 to 1), or an RGBA image made from it, over the "
                          "slice.")
    if not slice_layers:
        raise CheckFailed("The CT slice is no longer drawn on `ax_heat`: keep the `show_slice` "
                          "line and draw the heatmap on top of it.")
    top, base = heat_layers[-1], slice_layers[0]
    if top < base:
        raise CheckFailed("The heatmap is drawn under the CT slice, which hides it: draw the "
                          "slice first, then the heatmap on top.")
    return images[base], images[top]


def _overlay(fig_heat: Any, t: types.SimpleNamespace) -> tuple[dict, dict, dict]:
    ax = _plotting_axes(fig_heat)
    base, overlay = _layers(ax, t)
    return ax, base, overlay


def _pixelwise(base: dict, overlay: dict,
               t: types.SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """RGB (rows, columns, 3) in [0, 1] and opacity of the overlay where it lies, pixel for
    pixel of ``heat`` (the overlay covers the slice's rectangle, in any origin)."""
    rgba = on_grid_of(base, overlay).astype(float) / 255
    rgba = flip(rgba, _base_flips(base, t))
    return rgba[..., :3], rgba[..., 3]


def _encoded(overlay: dict, t: types.SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """The overlay's colours (n, 4) in [0, 1] and the heat (n,) they stand for, wherever the
    overlay is placed: the heat in the row and column order the layer's array holds it."""
    rgba = np.asarray(overlay["rgba"], dtype=float) / 255
    scores = [_correlation(rgba[..., 3], flip(t.heat, flips)) for flips in FLIPS]
    heat = flip(t.heat, FLIPS[int(np.argmax(scores))])
    return rgba.reshape(-1, 4), heat.reshape(-1)


_KNOWN = ("jet", "turbo", "rainbow", "viridis", "inferno", "magma", "plasma", "cividis",
          "hot", "gray")


def _matches(rgb: np.ndarray, colors: np.ndarray, values: np.ndarray) -> bool:
    difference = np.abs(rgb - _lookup(colors, values)[:, :3]).max(axis=1)
    return bool(np.percentile(difference, 95) <= 0.04)


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def perceptual_colormap(heat_cmap):
    """A colormap whose lightness rises steadily with the heat, and that is not grey."""
    name, colors = _cmap_colors(heat_cmap, "heat_cmap")
    if grey_direction({"colors": colors}) != "not grey":
        raise CheckFailed(f"{name!r} is a grey map: over a grey CT the heat would look like "
                          "more anatomy. Choose a map with colour.")
    light = lightness(colors)
    if not monotone_lightness({"colors": colors}):
        raise CheckFailed(f"The lightness of {name!r} goes up and down along the map (like a "
                          "rainbow's or a cyclic map's): some heat values look brighter than "
                          "higher ones, and bands appear that are not in the data.")
    if light[-1] < light[0]:
        raise CheckFailed(f"{name!r} gets darker as the heat rises: high heat would be dark "
                          "and disappear into the dark lung. Use a map whose lightness rises "
                          "(the right way round).")


@checks.add(points=2)
def sparse_alpha_overlay(fig_heat, heat_cmap, task):
    """The heatmap on top of the slice, on its extent in mm, in `heat_cmap` (0 to 1),
    transparent below `threshold`, opacity growing with the heat up to `alpha_max`."""
    _, colors = _cmap_colors(heat_cmap, "heat_cmap")
    _, base, overlay = _overlay(fig_heat, task)
    if not images_aligned(base, overlay):
        shift = np.abs(image_box(base) - image_box(overlay)).max()
        raise CheckFailed(f"The heatmap does not lie on the slice: its corners are up to "
                          f"{shift:.0f} units from the slice's, so the hot spot lands away "
                          "from the lesion. The slice is drawn in mm (`extent`); imshow "
                          "without `extent=` places the heatmap in pixel indices.")
    heat = task.heat
    rgb, alpha = _pixelwise(base, overlay, task)
    scores = {flips: _correlation(alpha, flip(heat, flips)) for flips in FLIPS}
    best = max(scores, key=scores.get)
    if best != (False, False) and scores[best] > scores[(False, False)] + 0.05:
        raise CheckFailed(f"The heatmap is drawn {FLIP_NAMES[best]} relative to the slice "
                          "(another `origin`, or an `extent` in another order than the "
                          "slice's), so the hot spot lands away from the lesion.")
    seen = alpha > 0.05
    if seen.sum() < 10:
        raise CheckFailed("The heatmap layer is (almost) invisible everywhere: it should be "
                          "opaque where the heat is high.")
    if not _matches(rgb[seen], colors, heat[seen]):
        for known in _KNOWN:
            from matplotlib import colormaps
            sampled = colormaps[known](np.linspace(0, 1, 256))
            if _matches(rgb[seen], sampled, heat[seen]):
                raise CheckFailed(f"The heatmap is drawn in {known!r}, not in `heat_cmap`: "
                                  "draw it with the colormap you chose in task 1.")
        raise CheckFailed("The heatmap's colours are not those of `heat_cmap` with heat 0 and "
                          "1 at its two ends: use `heat_cmap` with fixed limits 0 and 1 "
                          "(vmin=0, vmax=1, or the colormap applied to `heat` directly).")
    threshold, alpha_max = task.threshold, task.alpha_max
    cold = heat < threshold - 0.01
    if cold.any() and np.mean(alpha[cold] > 0.5 / 255) > 0.001:
        raise CheckFailed(f"Where the heat is below `threshold` the overlay is still visible "
                          f"(opacity up to {alpha[cold].max():.2f}): those pixels should be "
                          "fully transparent.")
    warm = heat >= threshold + 0.01
    if np.mean(alpha[warm] > 0.5 / 255) < 0.98:
        raise CheckFailed("Pixels whose heat is above `threshold` are hidden too: the overlay "
                          "cuts off at a higher heat than `threshold`.")
    edges = np.linspace(threshold + 0.01, 1.0, 8)
    medians = [float(np.median(alpha[(heat >= lo) & (heat < hi)]))
               for lo, hi in zip(edges[:-1], edges[1:]) if ((heat >= lo) & (heat < hi)).sum() >= 5]
    steps = np.diff(medians)
    if len(medians) >= 2 and medians[-1] < medians[0] - 0.05:
        raise CheckFailed("The opacity falls as the heat rises: the hottest pixels should be "
                          "the most opaque.")
    if len(medians) < 2 or medians[-1] - medians[0] < 0.1 or np.any(steps < -0.03):
        raise CheckFailed("Above `threshold` the opacity does not grow with the heat (it is "
                          "about the same everywhere): let the opacity follow the heat.")
    peak = float(alpha[heat >= 0.97].mean())
    if abs(peak - alpha_max) > 0.05:
        side = "more" if peak > alpha_max else "less"
        raise CheckFailed(f"At the hottest pixels the opacity is {peak:.2f}, {side} than "
                          "`alpha_max`: scale the opacity so that it reaches `alpha_max` at "
                          "heat 1.")


def _sample(mask: np.ndarray, limit: int = 3000) -> np.ndarray:
    """At most ``limit`` indices of the True pixels of ``mask``, evenly spread."""
    where = np.flatnonzero(mask)
    if len(where) > limit:
        where = where[np.linspace(0, len(where) - 1, limit).astype(int)]
    return where


@checks.add(points=1)
def heatmap_colorbar(fig_heat, task):
    """A colorbar of the heatmap layer: the colours it shows for each heat, 0 to 1, a label."""
    ax, base, overlay = _overlay(fig_heat, task)
    bars = colorbars_of(ax)
    if not bars:
        raise CheckFailed("`fig_heat` has no colorbar yet. An RGBA overlay has no colour scale "
                          "of its own: build one from the heatmap's colormap and norm "
                          "(a ScalarMappable).")
    rgba, heat = _encoded(overlay, task)
    seen = _sample(rgba[:, 3] > 0.05)
    values = heat[seen]
    colors = rgba[seen]
    showing = [bar for bar in bars if colorbar_shows(bar, values, colors)]
    if not showing:
        base_rgba = np.asarray(base["rgba"], dtype=float).reshape(-1, 4) / 255
        base_values = np.ma.filled(image_array(base), np.nan).reshape(-1)
        pick = _sample(np.isfinite(base_values))
        for bar in bars:
            if colorbar_shows(bar, base_values[pick], base_rgba[pick]):
                raise CheckFailed("The colorbar shows the anatomy's scale (the slice's grey "
                                  "levels), not the heat's: build it from the heatmap's "
                                  "colormap and norm.")
        for bar in bars:
            if _matches(colors[:, :3], np.asarray(bar["cmap"]["colors"], dtype=float), values):
                raise CheckFailed(f"The colorbar has the heatmap's colormap but runs from "
                                  f"{bar['vmin']:.3g} to {bar['vmax']:.3g}, so its colours sit "
                                  "at other values than in the overlay: give it the heat's "
                                  "norm, 0 to 1.")
        for bar in bars:
            reverse = np.asarray(bar["cmap"]["colors"], dtype=float)[::-1]
            if _matches(colors[:, :3], reverse, values):
                raise CheckFailed("The colorbar's colours run the other way from the "
                                  "heatmap's (its colormap is reversed): build it from the "
                                  "overlay's colormap and norm.")
        from_rgba = len(overlay["shape"]) == 3 and any(
            bar.get("mappable") == "AxesImage" for bar in bars)
        raise CheckFailed("The colorbar's colours are not those the heatmap shows"
                          + (" (a colorbar made from an RGBA image shows a default colormap, "
                             "not the colours of its pixels)" if from_rgba else "")
                          + ": build it from the overlay's colormap and norm.")
    bar = showing[0]
    if not (abs(bar["vmin"]) <= 0.02 and abs(bar["vmax"] - 1) <= 0.02):
        raise CheckFailed(f"The colorbar runs from {bar['vmin']:.3g} to {bar['vmax']:.3g}: "
                          "the heat's scale is 0 to 1.")
    if not (bar["label"].strip() or str(bar.get("title") or "").strip()):
        raise CheckFailed("The colorbar has no label: say what the heat measures.")


@checks.add(points=1)
def bgr_to_rgb(rgb_blend, task):
    """`opencv_bgr` with its channels in RGB order, nothing else changed."""
    array = get_array(rgb_blend, "rgb_blend")
    expected = task.opencv_bgr[..., ::-1].astype(float)
    if array.shape != expected.shape:
        raise CheckFailed(f"`rgb_blend` has shape {tuple(array.shape)}; it should have the "
                          "shape of `opencv_bgr` (rows, columns, 3 channels).")
    values = np.asarray(array, dtype=float)
    raw = np.asarray(rgb_blend) if isinstance(rgb_blend, list) else np.asarray(array)
    floats = raw.dtype.kind == "f"   # a list of ints is read as floats by get_array
    if floats and values.max() > 1.0 + 1e-6:
        raise CheckFailed(f"`rgb_blend` holds floats up to {values.max():.0f}: matplotlib reads "
                          "float RGB as 0 to 1 and clips the rest, so the image would show "
                          "almost white. Keep the integers 0..255 (uint8), or scale floats "
                          "to 0..1.")
    if values.max() <= 1.0 + 1e-6:
        values = values * 255.0
    if np.abs(values - expected).max() <= 1.0:
        return
    bgr = expected[..., ::-1]
    if np.abs(values - bgr).max() <= 1.0:
        raise CheckFailed("`rgb_blend` is still in OpenCV's channel order (blue first): "
                          "matplotlib reads the first channel as red.")
    for axes, what in (((0,), "its rows are reversed (the first axis)"),
                       ((1,), "its columns are reversed (the second axis)"),
                       ((0, 1), "its rows and columns are reversed")):
        for start, channels in ((expected, "in RGB order"), (bgr, "still in BGR order")):
            if np.abs(values - np.flip(start, axis=axes)).max() <= 1.0:
                raise CheckFailed(f"`rgb_blend` is flipped: {what}, channels {channels}. "
                                  "Only the channels (the last axis) should change order.")
    for order in ((1, 2, 0), (2, 0, 1), (0, 2, 1), (1, 0, 2)):
        if np.abs(values - bgr[..., list(order)]).max() <= 1.0:
            raise CheckFailed("The channels are reordered, but not into red, green, blue: "
                              "only the first and the last swap places.")
    raise CheckFailed("`rgb_blend` is not `opencv_bgr` with its channels in RGB order: start "
                      "from the `opencv_bgr` of the setup cell and change only the order of "
                      "the last axis.")
