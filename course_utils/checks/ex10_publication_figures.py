"""Checks for exercise 10, mosaics and publication figures.

The exercise uses the phantom on the grid of the synthetic series,
``chest_volume(shape=(72, 256, 256), spacing=(4.0, 1.5, 1.5), seed=0)``, and the planes through
the lesion's centre (rounded mean voxel index of the lesion mask).
"""

from __future__ import annotations

import functools
import io
import math
import re
from typing import Any

import numpy as np

from course_utils.checks._predicates import mosaic_panels as _described_mosaic
from course_utils.checks import (CheckFailed, CheckList, first_image, get_array,
                                       get_number, get_path)

checks = CheckList("10_publication_figures")
__all__ = ["checks", "export_png", "export_svg", "imsave_quantization", "mosaic_panels",
           "panel_labels", "shared_window"]

SHAPE, SPACING, SEED = (72, 256, 256), (4.0, 1.5, 1.5), 0
PANELS = ("axial", "coronal", "sagittal")
LUNG = (-1350.0, 150.0)               # W 1500 / L -600, LINEAR_EXACT limits
WIDTH_MM = 183.0                      # double column (Nature)
WIDTH_TOLERANCE_MM = 1.5
MIN_DPI = 299.5                       # PNG stores dots per metre: 300 dpi reads back 299.9994
MM_PER_INCH = 25.4
_LABEL = re.compile(r"^\(?([A-Za-z])\)?\.?$")


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from course_utils.display import physical_extent
    from course_utils.phantom import chest_volume
    from course_utils.volume import get_plane, plane_spacing

    chest = chest_volume(shape=SHAPE, spacing=SPACING, seed=SEED)
    lesion = chest.mask("lesion")
    k, row, col = np.argwhere(lesion).mean(axis=0).round().astype(int)
    index = {"axial": int(k), "coronal": int(row), "sagittal": int(col)}
    planes = {plane: get_plane(chest.hu, plane, index[plane]) for plane in PANELS}
    extents = {plane: np.array(physical_extent(planes[plane].shape,
                                               plane_spacing(SPACING, plane)))
               for plane in PANELS}
    return {"hu": chest.hu, "index": index, "planes": planes, "extents": extents}


def _mosaic(mosaic_axd: Any) -> dict[str, dict[str, Any]]:
    return _described_mosaic(mosaic_axd, "mosaic_axd", PANELS)


def _area(axes: dict[str, Any]) -> float:
    _, _, width, height = axes["position"]
    return float(width * height)


@checks.add(points=2)
def mosaic_panels(mosaic_axd):
    """A mosaic with a large axial panel and coronal and sagittal panels, each plane in mm."""
    panels = _mosaic(mosaic_axd)
    data = _data()
    for name in PANELS:
        image = first_image(panels[name], f"mosaic_axd[{name!r}]")
        array = np.ma.getdata(get_array(image["array"], f"the {name} image")).astype(float)
        expected = data["planes"][name]
        if array.shape != expected.shape:
            if array.shape == expected.shape[::-1]:
                raise CheckFailed(f"The {name} panel shows the plane transposed (rows and "
                                  "columns swapped): take it with `get_plane`, which keeps "
                                  "x across.")
            raise CheckFailed(f"The {name} panel shows an array of shape {array.shape}, not "
                              f"a {name} plane of the volume: use "
                              f"`get_plane(hu, {name!r}, index)`.")
        if not np.allclose(array, expected, atol=0.5):
            if np.allclose(array, expected[::-1], atol=0.5):
                raise CheckFailed(f"The {name} panel is upside down: superior should be at "
                                  "the top (`get_plane` flips the slice axis for you).")
            raise CheckFailed(f"The {name} panel does not show the plane through the lesion "
                              "centre: use the index the task gives for that plane.")
        extent = np.asarray(image["extent"], dtype=float)
        if not np.allclose(extent, data["extents"][name], atol=0.5):
            raise CheckFailed(f"The {name} panel is not drawn in mm: pass the plane's pixel "
                              "size (`plane_spacing(spacing, plane)`) to `show_slice`, or an "
                              "`extent` in mm to `imshow`, so every plane keeps its true "
                              "aspect.")
    small = max(_area(panels["coronal"]), _area(panels["sagittal"]))
    if _area(panels["axial"]) < 2 * small:
        raise CheckFailed("The axial panel should be the large one: repeat its name over "
                          "several cells of the mosaic layout (two rows and two columns).")


@checks.add(points=1)
def shared_window(mosaic_axd):
    """All three panels in the lung window, gray, with one shared colorbar in HU."""
    panels = _mosaic(mosaic_axd)
    images = {name: first_image(panels[name], f"mosaic_axd[{name!r}]") for name in PANELS}
    clims = {name: tuple(float(v) for v in image["clim"]) for name, image in images.items()}
    if len({tuple(np.round(c, 3)) for c in clims.values()}) > 1:
        raise CheckFailed("The three panels have different display limits, so one grey "
                          "level means different HU in each: give every panel the same "
                          "window (vmin and vmax).")
    vmin, vmax = clims["axial"]
    if not (math.isclose(vmin, LUNG[0], abs_tol=1.0) and math.isclose(vmax, LUNG[1],
                                                                       abs_tol=1.0)):
        raise CheckFailed(f"The panels share the limits {vmin:g} to {vmax:g} HU, which are "
                          "not the lung window: vmin and vmax are the level minus and plus "
                          "half the width.")
    for name, image in images.items():
        if image["cmap"]["name"] not in ("gray", "grey", "Greys_r"):
            raise CheckFailed(f"The {name} panel uses the colormap "
                              f"{image['cmap']['name']!r}: anatomy is shown in gray.")
    colorbars = [image["colorbar"] for image in images.values() if image["colorbar"]]
    if not colorbars:
        raise CheckFailed("There is no colorbar yet: add one for the shared window, with "
                          "`fig.colorbar(image, ax=...)` listing all three panels.")
    if len(colorbars) > 1:
        raise CheckFailed(f"There are {len(colorbars)} colorbars: with one window for all "
                          "panels, one colorbar beside them says it once (pass the list of "
                          "panels as `ax=`).")
    if "hu" not in colorbars[0]["label"].lower():
        raise CheckFailed("The colorbar has no unit: label it with what the grey levels "
                          "mean (Hounsfield units).")


@checks.add(points=1)
def panel_labels(mosaic_axd):
    """Panel letters A, B, C on axial, coronal, sagittal (reading order)."""
    panels = _mosaic(mosaic_axd)
    found = []
    for name in PANELS:
        letters = [m.group(1) for t in panels[name]["texts"]
                   if (m := _LABEL.match(t["text"].strip()))]
        if not letters:
            raise CheckFailed(f"The {name} panel has no panel letter: write one with "
                              "`ax.text` in axes coordinates (`transform=ax.transAxes`), or "
                              "use `layout.add_panel_labels`.")
        if len(letters) > 1:
            raise CheckFailed(f"The {name} panel has {len(letters)} panel letters; it "
                              "should have one.")
        found.append(letters[0])
    if [f.upper() for f in found] != ["A", "B", "C"]:
        raise CheckFailed(f"The panel letters read {', '.join(found)} for the axial, "
                          "coronal and sagittal panels; letters follow the reading order, "
                          "from the first letter of the alphabet.")
    if len({f.isupper() for f in found}) > 1:
        raise CheckFailed("Mixing upper- and lowercase panel letters: pick one style.")


def _png_info(path) -> tuple[int, int, float, float]:
    from PIL import Image

    try:
        with Image.open(path) as png:
            if png.format != "PNG":
                raise CheckFailed(f"`png_path` holds a {png.format} image, not a PNG.")
            width, height = png.size
            dpi = png.info.get("dpi")
    except CheckFailed:
        raise
    except Exception:
        raise CheckFailed("`png_path` is not an image file that can be opened.") from None
    if dpi is None:
        raise CheckFailed("The PNG carries no resolution: save it with `fig.savefig(path, "
                          "dpi=...)` so the file says its dots per inch.")
    return width, height, float(dpi[0]), float(dpi[1])


@checks.add(points=1)
def export_png(png_path):
    """A PNG of the figure at 300 dpi or more, as wide as a double column (183 mm)."""
    path = get_path(png_path, "png_path", suffix=".png")
    width, _, dpi_x, _ = _png_info(path)
    if dpi_x < MIN_DPI:
        raise CheckFailed(f"The PNG is saved at {dpi_x:.0f} dpi: print needs at least 300 "
                          "dpi at the printed size.")
    width_mm = width / dpi_x * MM_PER_INCH
    if not math.isclose(width_mm, WIDTH_MM, abs_tol=WIDTH_TOLERANCE_MM):
        raise CheckFailed(f"The PNG is {width_mm:.0f} mm wide at its dpi, not the double-"
                          "column width the task gives: set `figsize` in inches (mm / 25.4) "
                          "and save with `bbox_inches=None`, since a tight bounding box "
                          "changes the size.")


@checks.add(points=1)
def export_svg(svg_path):
    """An SVG of the same figure: vector, double-column wide, with the CT raster inside."""
    path = get_path(svg_path, "svg_path", suffix=".svg")
    text = path.read_text(errors="replace")[:20_000_000]
    root = re.search(r"<svg\b[^>]*>", text)
    if root is None:
        raise CheckFailed("`svg_path` does not hold an SVG document: save the figure with "
                          "a `.svg` file name (matplotlib picks the format from it).")
    width = re.search(r'\bwidth="([\d.]+)pt"', root.group(0))
    if width is not None:
        width_mm = float(width.group(1)) / 72 * MM_PER_INCH
        if not math.isclose(width_mm, WIDTH_MM, abs_tol=WIDTH_TOLERANCE_MM):
            raise CheckFailed(f"The SVG is {width_mm:.0f} mm wide, not the double-column "
                              "width: save the same figure, with `bbox_inches=None`.")
    if "<image" not in text:
        raise CheckFailed("The SVG holds no raster image: save the figure with the CT "
                          "panels (the images are embedded as pixels inside the vector file).")
    if text.count("<image") < 3:
        raise CheckFailed("The SVG holds fewer raster images than the figure has CT panels: "
                          "save the three-panel figure.")


@functools.lru_cache(maxsize=1)
def _imsave_levels() -> tuple[int, int]:
    from matplotlib.image import imsave  # what plt.imsave calls; no figure, no backend
    from PIL import Image

    data = _data()
    hu_slice = data["hu"][data["index"]["axial"]]
    buffer = io.BytesIO()
    imsave(buffer, hu_slice, cmap="gray", vmin=LUNG[0], vmax=LUNG[1], format="png")
    buffer.seek(0)
    with Image.open(buffer) as png:
        grey = np.asarray(png)[..., 0]
    return int(len(np.unique(grey))), int(len(np.unique(hu_slice)))


@checks.add(points=1)
def imsave_quantization(png_grey_levels, npy_max_error):
    """Grey levels left after plt.imsave, and the error of a .npy round trip."""
    levels = get_number(png_grey_levels, "png_grey_levels")
    error = get_number(npy_max_error, "npy_max_error")
    expected, hu_levels = _imsave_levels()
    if levels == hu_levels:
        raise CheckFailed("`png_grey_levels` is the number of distinct HU values of the "
                          "slice: count the distinct values of one channel of the PNG read "
                          "back from disk.")
    if levels > 256:
        raise CheckFailed("An 8-bit PNG channel cannot hold more than 256 values: count the "
                          "distinct values of one channel of the image read back.")
    if levels != expected:
        raise CheckFailed("`png_grey_levels` does not match the PNG written as the task says "
                          "(the axial slice, gray, the lung window's vmin and vmax): count "
                          "`np.unique` of channel 0 of the image read back.")
    if error != 0:
        raise CheckFailed("`npy_max_error` should be the largest absolute difference between "
                          "the slice and what `np.load` gives back; a .npy file stores the "
                          "array exactly.")
