"""Checks for exercise 05, heatmap overlays.

The exercise's data are rebuilt here: the synthetic slice ``fake_ct_slice(256, seed=0)``, its
attention map ``attention_heatmap(lesion, sigma_mm=8, spacing=(1.5, 1.5), seed=0)``, and the
OpenCV-style blend of the two (jet, 0.6 grey + 0.4 colour, BGR order) made with numpy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, get_array, get_axes,
                                       get_string, type_of)

checks = CheckList("05_heatmap_overlays")
__all__ = ["PERCEPTUAL", "checks", "heatmap_colorbar", "opencv_style_blend_bgr",
           "perceptual_colormap", "sparse_alpha_overlay", "bgr_to_rgb"]

#: matplotlib's perceptually uniform sequential colormaps (monotonic lightness).
PERCEPTUAL = ("viridis", "plasma", "inferno", "magma", "cividis")
_RAINBOWS = ("jet", "rainbow", "hsv", "nipy_spectral", "gist_rainbow", "turbo", "gist_ncar",
             "spectral", "gist_stern", "prism", "flag")
_GREYS = ("gray", "grey", "greys", "bone", "binary", "gist_gray", "gist_yarg")


@lru_cache(maxsize=1)
def _data() -> tuple[np.ndarray, np.ndarray]:
    from course_utils.phantom import attention_heatmap, fake_ct_slice

    image_hu, lesion = fake_ct_slice(256, seed=0)
    heat = attention_heatmap(lesion, sigma_mm=8, spacing=(1.5, 1.5), seed=0)
    return image_hu, heat


@lru_cache(maxsize=1)
def opencv_style_blend_bgr() -> np.ndarray:
    """What ``addWeighted(grey, 0.6, applyColorMap(heat, JET), 0.4, 0)`` gives: uint8 BGR."""
    from matplotlib import colormaps

    from course_utils.windowing import apply_window

    image_hu, heat = _data()
    grey8 = np.round(apply_window(image_hu, 1500, -600) * 255).astype(np.uint8)
    grey3 = np.repeat(grey8[..., None], 3, axis=2)
    heat8 = np.round(heat * 255).astype(np.uint8)
    jet_rgb = np.round(colormaps["jet"](heat8)[..., :3] * 255).astype(np.uint8)
    blend = 0.6 * grey3 + 0.4 * jet_rgb[..., ::-1]
    return np.clip(blend, 0, 255).round().astype(np.uint8)


def _cmap_name(value, name: str) -> str:
    if type_of(value) == "colormap":
        return str(value["name"])
    return get_string(value, name)


def _plot_axes(fig, name):
    if type_of(fig) == "figure":
        plotting = [ax for ax in fig["axes"] if not ax["is_colorbar"]]
        if len(plotting) != 1:
            raise CheckFailed(f"`{name}` has {len(plotting)} panels; draw the overlay on one.")
        return plotting[0]
    return get_axes(fig, name)


def _effective_alpha(image: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-pixel opacity of a described image, and its 2D data (None for RGB(A))."""
    array = image["array"]
    mask = None
    if type_of(array) == "masked_array":
        data, mask = np.asarray(array["data"]), np.asarray(array["mask"], dtype=bool)
    else:
        data = np.asarray(array)
    scalar = image["alpha"]
    if data.ndim == 3:
        if data.shape[-1] == 4:
            channel = data[..., 3].astype(float)
            if data.dtype.kind in "iu":
                channel = channel / 255.0
        else:
            channel = np.ones(data.shape[:2])
        if isinstance(scalar, np.ndarray):
            channel = channel * scalar
        elif scalar is not None:
            channel = channel * float(scalar)
        return channel, None
    if isinstance(scalar, np.ndarray):
        alpha = scalar.astype(float).copy()
    else:
        alpha = np.full(data.shape, 1.0 if scalar is None else float(scalar))
    if mask is not None and mask.shape == alpha.shape:
        alpha[mask] = 0.0
    if mask is None and data.dtype.kind == "f":
        alpha[~np.isfinite(data)] = 0.0
    return alpha, np.where(mask, np.nan, data) if mask is not None else data


@checks.add(points=1)
def perceptual_colormap(heat_cmap):
    """A perceptually uniform colormap for the heat (not jet, not grey)."""
    name = _cmap_name(heat_cmap, "heat_cmap")
    base = name.lower().removesuffix("_r")
    if base in _RAINBOWS:
        raise CheckFailed(f"{name!r} is a rainbow map: its lightness goes up and down, so the "
                          "middle of the scale looks brighter than the maximum and bands "
                          "appear that are not in the data.")
    if base in _GREYS:
        raise CheckFailed(f"{name!r} is a grey map: the heat would look like more anatomy.")
    if name.endswith("_r") and base in PERCEPTUAL:
        raise CheckFailed(f"{name!r} is reversed: high heat would be dark and disappear into "
                          "the dark lung. Use the map the right way round.")
    if base not in PERCEPTUAL:
        raise CheckFailed(f"{name!r} is not one of matplotlib's perceptually uniform "
                          "sequential colormaps (see the chapter's colormap section).")


@checks.add(points=1)
def sparse_alpha_overlay(fig_heat):
    """The heatmap over the slice, transparent where the heat is low, opaque where it is high."""
    ax = _plot_axes(fig_heat, "fig_heat")
    images = ax["images"]
    if len(images) < 2:
        raise CheckFailed("Draw two layers on the axes: the CT slice first, then the heatmap "
                          "on top of it.")
    _, heat = _data()
    overlay = images[-1]
    alpha, data = _effective_alpha(overlay)
    if alpha.shape != heat.shape:
        raise CheckFailed(f"The top layer has shape {tuple(alpha.shape)}, not the heatmap's "
                          f"{heat.shape}: draw `heat` (or an RGBA image made from it) last.")
    if data is not None:
        finite = np.isfinite(data)
        if finite.any() and not np.allclose(data[finite], heat[finite], atol=1e-3):
            raise CheckFailed("The top layer is not the heatmap: draw `heat` (values 0 to 1) "
                              "over the slice.")
    cold = heat < 0.05
    hot = heat >= 0.9
    if np.ptp(alpha) < 1e-6:
        raise CheckFailed("The overlay has the same opacity everywhere: it dims the anatomy "
                          "even where there is no heat. Make the opacity follow the heat, or "
                          "leave the low values out entirely.")
    if np.mean(alpha[cold] > 0.01) > 0.01:
        raise CheckFailed("Where the heat is close to zero the overlay is still visible: those "
                          "pixels should be fully transparent (opacity 0).")
    if alpha[hot].mean() < 0.3:
        raise CheckFailed("The hot spot is barely visible: the opacity where the heat is "
                          "highest should be clearly above zero.")


@checks.add(points=1)
def heatmap_colorbar(fig_heat):
    """A colorbar of the heatmap (its colormap, limits 0 to 1, a label), not of the anatomy."""
    if type_of(fig_heat) != "figure":
        get_axes(fig_heat, "fig_heat")  # blank / missing / wrong type messages
        raise CheckFailed("`fig_heat` should be the Figure (from `plt.subplots()`), which holds "
                          "the colorbar.")
    bars = [ax for ax in fig_heat["axes"] if ax["is_colorbar"]]
    if not bars:
        raise CheckFailed("The figure has no colorbar yet. The overlay itself has no colour "
                          "scale to show: build one from the heatmap's colormap and norm.")
    problems = []
    for bar in bars:
        meshes = [c for c in bar["collections"] if "cmap" in c]
        if not meshes:
            continue
        mesh = meshes[0]
        name = mesh["cmap"]["name"].lower().removesuffix("_r")
        vmin, vmax = mesh["clim"]
        label = bar["ylabel"] or bar["xlabel"]
        if name in _GREYS or (vmin is not None and vmin < -50):
            problems.append("This colorbar shows the anatomy's scale (grey, in HU), not the "
                            "heat's: build it from the heatmap's colormap and norm.")
        elif vmin is None or vmax is None or not (np.isclose(vmin, 0, atol=0.01)
                                                  and np.isclose(vmax, 1, atol=0.01)):
            problems.append("The colorbar's limits are not those of the heat: use the same "
                            "norm as the overlay.")
        elif not label.strip():
            problems.append("Label the colorbar with what the heat measures.")
        else:
            return
    raise CheckFailed(problems[0] if problems else "The colorbar has no colour scale to read.")


@checks.add(points=1)
def bgr_to_rgb(rgb_blend):
    """The OpenCV-style blend with its channels in RGB order, ready for imshow."""
    array = get_array(rgb_blend, "rgb_blend")
    expected = opencv_style_blend_bgr()[..., ::-1].astype(float)
    if array.shape != expected.shape:
        raise CheckFailed(f"`rgb_blend` has shape {tuple(array.shape)}; it should have the "
                          "shape of `opencv_bgr` (rows, columns, 3 channels).")
    values = array.astype(float)
    if values.max() <= 1.0 + 1e-6 and expected.max() > 1:
        values = values * 255.0
    if np.abs(values - expected).max() <= 1.0:
        return
    bgr = expected[..., ::-1]
    if np.abs(values - bgr).max() <= 1.0:
        raise CheckFailed("`rgb_blend` is still in OpenCV's channel order: matplotlib reads "
                          "the first channel as red.")
    for order in ((1, 2, 0), (2, 0, 1), (0, 2, 1), (1, 0, 2)):
        if np.abs(values - bgr[..., list(order)]).max() <= 1.0:
            raise CheckFailed("The channels are reordered, but not into red, green, blue: "
                              "only the first and the last swap places.")
    raise CheckFailed("`rgb_blend` is not `opencv_bgr` with its channels in RGB order: start "
                      "from `opencv_bgr` and change only the order of the last axis.")
