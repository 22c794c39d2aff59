"""Checks for exercise 12, the capstone: from a DICOM folder to a figure and a mesh.

The exercise reads the synthetic series (``datasets.get_path("synthetic_ct")``, geometry in
:data:`course_utils.datasets.SYNTHETIC_CT`) and uses the phantom's label map on the same grid
(``chest_volume(shape=(72, 256, 256), spacing=(4.0, 1.5, 1.5), seed=0)``) for the reference
lesion, ``imperfect_prediction(truth, seed=0)`` for the prediction.

Image panels are compared in the lung window (values clipped to [-1350, 150] HU), which makes
the comparison independent of the integer rounding of the stored series and of the bone, which
the lung window saturates anyway.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, get_array, get_number, type_of)
from course_utils.checks._predicates import color_blind_safe, mosaic_panels, outline_box, outlines

checks = CheckList("12_capstone")
__all__ = ["axial_panel", "checks", "comparison_panel", "coronal_panel", "heatmap_panel",
           "lesion_volume_from_mesh", "series_geometry"]

SEED = 0
PANELS = ("axial", "coronal", "heatmap", "comparison")
LUNG = (-1350.0, 150.0)
HU_TOLERANCE = 1.0            # stored integers vs the phantom's float HU
BOX_TOLERANCE_MM = 1.5
ASPECT_TOLERANCE = 0.03       # relative
VOLUME_TOLERANCE = 0.03
DICE_TOLERANCE = 0.005
_RAINBOWS = {"jet", "rainbow", "hsv", "gist_rainbow", "nipy_spectral", "gist_ncar", "turbo"}


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from skimage.measure import find_contours

    from course_utils.datasets import SYNTHETIC_CT
    from course_utils.display import physical_extent
    from course_utils.mesh import mask_to_mesh, mesh_volume
    from course_utils.metrics import dice
    from course_utils.phantom import chest_volume, imperfect_prediction
    from course_utils.volume import get_plane, plane_spacing

    shape, spacing = tuple(SYNTHETIC_CT["shape"]), tuple(SYNTHETIC_CT["spacing"])
    chest = chest_volume(shape=shape, spacing=spacing, seed=SYNTHETIC_CT["seed"])
    truth = chest.mask("lesion")
    prediction = imperfect_prediction(truth, seed=SEED)
    k, row, col = (int(v) for v in np.argwhere(truth).mean(axis=0).round())
    dy, dx = spacing[1:]
    points = np.concatenate(find_contours(truth[k].astype(float), 0.5))
    lesion_box = np.array([points[:, 1].min() * dx, points[:, 1].max() * dx,
                           points[:, 0].min() * dy, points[:, 0].max() * dy])
    clip = functools.partial(np.clip, a_min=LUNG[0], a_max=LUNG[1])
    coronal = get_plane(chest.hu, "coronal", row)
    return {
        "positions": SYNTHETIC_CT["origin"][2] + spacing[0] * np.arange(shape[0]),
        "slice_spacing": spacing[0],
        "pixel_spacing": spacing[1:],
        "axial": clip(chest.hu[k]),
        "axial_extent": np.array(physical_extent(truth.shape[1:], spacing[1:])),
        "coronal": clip(coronal),
        "coronal_pixel_ratio": plane_spacing(spacing, "coronal")[0]
        / plane_spacing(spacing, "coronal")[1],
        "lesion_box": lesion_box,
        "dice_slice": dice(truth[k], prediction[k]),
        "dice_3d": dice(truth, prediction),
        "lesion_ml": mesh_volume(mask_to_mesh(truth, spacing)) / 1000,
        "voxel_mm3": float(np.prod(spacing)),
    }


# ----------------------------------------------------------------------------- helpers

def _panels(capstone_axd: Any) -> dict[str, dict[str, Any]]:
    return mosaic_panels(capstone_axd, "capstone_axd", PANELS)


def _image_array(image: dict[str, Any], name: str) -> np.ndarray:
    return np.ma.getdata(get_array(image["array"], name)).astype(float)


def _base_image(axes: dict[str, Any], panel: str, expected: np.ndarray) -> dict[str, Any]:
    """The image on the panel that shows ``expected`` (clipped to the lung window)."""
    if not axes["images"]:
        raise CheckFailed(f"Nothing is drawn on the {panel} panel yet.")
    image = axes["images"][0]
    array = _image_array(image, f"the {panel} image")
    if array.shape != expected.shape:
        if array.shape == expected.shape[::-1]:
            raise CheckFailed(f"The {panel} image is transposed (rows and columns swapped).")
        raise CheckFailed(f"The {panel} panel shows an array of shape {array.shape}, not the "
                          f"{panel} plane of the volume.")
    clipped = np.clip(array, *LUNG)
    if not np.allclose(clipped, expected, atol=HU_TOLERANCE):
        if np.allclose(clipped, expected[::-1], atol=HU_TOLERANCE):
            raise CheckFailed(f"The {panel} image is upside down: `get_plane` orients it "
                              "(anterior or superior at the top).")
        if np.allclose(clipped, expected[:, ::-1], atol=HU_TOLERANCE):
            raise CheckFailed(f"The {panel} image is mirrored left-right: the patient's right "
                              "belongs on the viewer's left.")
        raise CheckFailed(f"The {panel} panel does not show the plane through the lesion "
                          "centre in HU: use the volume read from DICOM and the lesion "
                          "centre's index for that plane.")
    clim = [float(v) for v in image["clim"]]
    if not (math.isclose(clim[0], LUNG[0], abs_tol=1) and math.isclose(clim[1], LUNG[1],
                                                                      abs_tol=1)):
        raise CheckFailed(f"The {panel} panel is not in the lung window: vmin and vmax are "
                          "the level minus and plus half the width.")
    return image


def _texts(axes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["text"].strip(): t for t in axes["texts"] if t["visible"]}


def _scalebars(axes: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in axes["artists"] if a.get("class") == "ScaleBar"]


def _in_mm(image: dict[str, Any], shape: tuple[int, ...]) -> bool:
    left, right, bottom, top = image["extent"]
    rows, cols = shape
    width = abs(right - left) / cols
    return not math.isclose(width, 1.0, rel_tol=1e-6)


# ----------------------------------------------------------------------------- checks

@checks.add(points=1)
def series_geometry(slice_positions_mm, slice_spacing_mm):
    """Slice positions along the normal, sorted, and the slice spacing."""
    positions = get_array(slice_positions_mm, "slice_positions_mm", ndim=1)
    spacing = get_number(slice_spacing_mm, "slice_spacing_mm")
    data = _data()
    expected = data["positions"]
    if positions.shape != expected.shape:
        raise CheckFailed(f"`slice_positions_mm` has {positions.size} values: there should be "
                          "one per file of the series.")
    if not np.allclose(np.sort(positions), expected, atol=0.01):
        raise CheckFailed("These are not the slices' positions along the slice normal: take "
                          "the dot product of each ImagePositionPatient with the cross product "
                          "of the two ImageOrientationPatient vectors.")
    if np.allclose(positions, expected[::-1], atol=0.01):
        raise CheckFailed("The positions are sorted from superior to inferior: sort them in "
                          "increasing order, as the volume's slice index runs.")
    if not np.allclose(positions, expected, atol=0.01):
        raise CheckFailed("The positions are not sorted: the files' order (by name) is not "
                          "the anatomical order; sort by position along the normal.")
    if any(math.isclose(spacing, s, abs_tol=0.01) for s in data["pixel_spacing"]) and \
            not math.isclose(spacing, data["slice_spacing"], abs_tol=0.01):
        raise CheckFailed("That is the in-plane pixel spacing (PixelSpacing); the slice "
                          "spacing is the step between consecutive slice positions.")
    if not math.isclose(spacing, data["slice_spacing"], abs_tol=0.01):
        raise CheckFailed("`slice_spacing_mm` is not the step between consecutive sorted "
                          "positions: take the differences of the sorted positions (and check "
                          "they are all the same).")


@checks.add(points=2)
def axial_panel(capstone_axd):
    """Axial panel: lung window, in mm, lesion outline with a legend, scalebar, R/L/A/P."""
    panels = _panels(capstone_axd)
    data = _data()
    axes = panels["axial"]
    image = _base_image(axes, "axial", data["axial"])
    in_mm = _in_mm(image, data["axial"].shape)
    if in_mm and not np.allclose(image["extent"], data["axial_extent"], atol=0.5):
        raise CheckFailed("The axial image's extent is not the pixel grid in mm: pixel "
                          "centres sit at index x spacing (`physical_extent`).")
    contours = outlines(axes)
    if not contours:
        raise CheckFailed("The axial panel has no outline of the lesion: draw the reference "
                          "mask's contour at level 0.5.")
    dy, dx = data["pixel_spacing"]
    expected_box = data["lesion_box"] if in_mm else data["lesion_box"] / np.array([dx, dx,
                                                                                   dy, dy])
    tolerance = BOX_TOLERANCE_MM if in_mm else BOX_TOLERANCE_MM / dx
    if not any(np.all(np.abs(outline_box(c) - expected_box) <= tolerance) for c in contours):
        raise CheckFailed("The outline does not lie on the lesion: contour the reference "
                          "mask of this slice, placed like the image (same extent and "
                          "origin).")
    legend = axes["legend"]
    if legend is None or not [label for label in legend["labels"] if label.strip()]:
        raise CheckFailed("The outline has no legend entry: label it and call `ax.legend()` "
                          "(a contour needs a proxy line for its legend).")
    bars = _scalebars(axes)
    if not bars:
        raise CheckFailed("The axial panel has no scalebar: add one in mm "
                          "(`annotate.add_scalebar`).")
    bar = bars[0]
    unit = 1.0 if in_mm else dx
    if bar.get("units") != "mm" or not math.isclose(float(bar.get("dx") or 0), unit,
                                                     rel_tol=1e-3):
        raise CheckFailed("The scalebar's size of one data unit is wrong: with axes in mm one "
                          "unit is 1 mm; with axes in pixels it is the column spacing.")
    texts = _texts(axes)
    missing = [letter for letter in "RLAP" if letter not in texts]
    if missing:
        raise CheckFailed(f"Orientation letters missing on the axial panel: "
                          f"{', '.join(missing)} (one letter per edge).")
    if texts["R"]["position"][0] >= texts["L"]["position"][0]:
        raise CheckFailed("R is to the right of L: in the radiological convention the "
                          "patient's right is on the viewer's left.")


@checks.add(points=1)
def coronal_panel(capstone_axd):
    """Coronal panel: superior up, lung window, true aspect of the 4 x 1.5 mm pixels."""
    panels = _panels(capstone_axd)
    data = _data()
    axes = panels["coronal"]
    image = _base_image(axes, "coronal", data["coronal"])
    rows, cols = data["coronal"].shape
    left, right, bottom, top = image["extent"]
    aspect = axes["aspect"]
    if aspect == "auto":
        raise CheckFailed("The coronal panel has `aspect='auto'`: the image is stretched to "
                          "fill the panel; give it its pixel size in mm.")
    factor = 1.0 if aspect == "equal" else float(aspect)
    ratio = (abs(top - bottom) / rows) * factor / (abs(right - left) / cols)
    if not math.isclose(ratio, data["coronal_pixel_ratio"], rel_tol=ASPECT_TOLERANCE):
        if math.isclose(ratio, 1.0, rel_tol=ASPECT_TOLERANCE):
            raise CheckFailed("The coronal pixels are drawn square, but they are taller than "
                              "wide (slice spacing vs column spacing): the chest looks "
                              "squashed. Pass the plane's pixel size (`plane_spacing`).")
        raise CheckFailed("The coronal pixels are not drawn at their true height-to-width "
                          "ratio: use the plane's pixel size in mm for the extent, or the "
                          "matching `aspect`.")
    texts = _texts(axes)
    missing = [letter for letter in "SI" if letter not in texts]
    if missing:
        raise CheckFailed(f"Orientation letters missing on the coronal panel: "
                          f"{', '.join(missing)}.")


@checks.add(points=1)
def heatmap_panel(capstone_axd):
    """Heatmap panel: CT base, an overlay whose opacity follows the heat, a labelled colorbar."""
    panels = _panels(capstone_axd)
    data = _data()
    axes = panels["heatmap"]
    _base_image(axes, "heatmap", data["axial"])
    overlays = axes["images"][1:]
    if not overlays:
        raise CheckFailed("The heatmap panel shows the CT only: draw the heatmap over it.")
    heat = overlays[0]
    array = np.asarray(np.ma.getdata(get_array(heat["array"], "the heatmap image")),
                       dtype=float)
    alpha = heat["alpha"]
    if array.ndim == 3 and array.shape[-1] == 4:
        opacity = array[..., 3]
        if np.ptp(opacity) < 1e-6:
            raise CheckFailed("The heatmap has the same opacity everywhere: a uniform blend "
                              "dims the anatomy everywhere. Let the opacity follow the heat.")
    else:
        if heat["cmap"]["name"] in _RAINBOWS:
            raise CheckFailed(f"The heatmap uses {heat['cmap']['name']!r}, whose lightness "
                              "goes up and down: use a perceptually uniform colormap.")
        masked = type_of(heat["array"]) == "masked_array" and np.any(heat["array"]["mask"])
        varying = alpha is not None and np.ndim(alpha) > 0 and np.ptp(alpha) > 1e-6
        if not (masked or varying):
            raise CheckFailed("The heatmap covers the whole slice with one opacity: a uniform "
                              "blend dims the anatomy everywhere. Let the opacity follow the "
                              "heat (an alpha array) or leave low values transparent.")
    colorbars = [im["colorbar"] for im in overlays if im["colorbar"]]
    if not colorbars:
        raise CheckFailed("The heatmap has no colorbar: a colour scale needs one to be read.")
    if not colorbars[0]["label"].strip():
        raise CheckFailed("The heatmap's colorbar has no label: say what the colours measure.")


@checks.add(points=2)
def comparison_panel(capstone_axd, dice_slice):
    """Reference vs prediction: safe colours, two line styles, legend, zoom, scalebar, Dice."""
    value = get_number(dice_slice, "dice_slice")
    panels = _panels(capstone_axd)
    data = _data()
    if not math.isclose(value, data["dice_slice"], abs_tol=DICE_TOLERANCE):
        if math.isclose(value, data["dice_3d"], abs_tol=DICE_TOLERANCE):
            raise CheckFailed("`dice_slice` is the Dice of the whole volumes; the panel shows "
                              "one slice: compute it on that slice's masks.")
        raise CheckFailed("`dice_slice` is not the Dice score of the reference and the "
                          "prediction on the lesion's centre slice: 2 |A ∩ B| / (|A| + |B|).")
    axes = panels["comparison"]
    image = _base_image(axes, "comparison", data["axial"])
    contours = outlines(axes)
    if len(contours) < 2:
        raise CheckFailed("The comparison panel should outline both the reference and the "
                          "prediction.")
    first, second = contours[:2]
    colour_a = np.asarray(first["edgecolors"][0][:3])
    colour_b = np.asarray(second["edgecolors"][0][:3])
    if not color_blind_safe(colour_a, colour_b):
        raise CheckFailed("The two outlines' colours are hard to tell apart for colour-blind "
                          "readers: use a safe pair such as Okabe-Ito blue and orange.")
    if first["dashes"][:1] == second["dashes"][:1]:
        raise CheckFailed("Both outlines have the same line style: make one dashed, so they "
                          "differ even in greyscale print.")
    legend = axes["legend"]
    if legend is None or len([t for t in legend["labels"] if t.strip()]) < 2:
        raise CheckFailed("The comparison panel needs a legend with one entry per outline.")
    left, right, _, _ = image["extent"]
    if abs(axes["xlim"][1] - axes["xlim"][0]) > 0.5 * abs(right - left):
        raise CheckFailed("The comparison panel is not zoomed on the lesion: set the axis "
                          "limits around it, so the two outlines can be compared.")
    if not _scalebars(axes):
        raise CheckFailed("The zoomed panel has no scalebar of its own: its scale differs "
                          "from the other panels.")
    shown = " ".join([axes["title"], *(t["text"] for t in axes["texts"])])
    if f"{value:.2f}" not in shown and f"{value:.3f}" not in shown:
        raise CheckFailed("The Dice score is not written on the panel (title or text): the "
                          "reader should see the number you computed.")


@checks.add(points=1)
def lesion_volume_from_mesh(lesion_volume_ml):
    """The reference lesion's volume from its mesh, in mL."""
    value = get_number(lesion_volume_ml, "lesion_volume_ml")
    data = _data()
    expected = data["lesion_ml"]

    def near(x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=VOLUME_TOLERANCE)

    if near(value, expected):
        return
    if near(value, expected * 1000):
        raise CheckFailed("This looks like mm³: 1 mL is 1000 mm³.")
    if near(value, expected / data["voxel_mm3"]) or near(value, expected * 1000
                                                          / data["voxel_mm3"]):
        raise CheckFailed("This volume is in voxels: mesh the mask with the voxel spacing.")
    raise CheckFailed("`lesion_volume_ml` is not the volume of the reference lesion's mesh "
                      "in mL: mesh the reference mask (in mm) and use `mesh.mesh_volume`.")

