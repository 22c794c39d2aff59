"""Checks for exercise 10, mosaics and publication figures.

The task data (:func:`make_task`, one variant per learner) are the synthetic chest on a grid
with anisotropic voxels (slice spacing 2.5 to 5 mm, rows and columns of different sizes), so a
plane drawn in pixels, or transposed, or upside down, looks wrong and fails; the indices of the
planes through the lesion's centre; the display window the figure asks for (lung, mediastinum,
bone or soft tissue); and the printed size of the figure (a journal's single, 1.5 or double
column). The task data hold only what the learner is given; the checks compute the rest.

Examples
--------
>>> data = task(0)
>>> sorted(data.index), data.window_name in WINDOWS, len(data.figure_mm)
(['axial', 'coronal', 'sagittal'], True, 2)
"""

from __future__ import annotations

import io
import math
import re
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_number, get_path
from course_utils.checks._predicates import (colorbar_shows, colorbars_of, grey_direction,
                                             image_array, mosaic_panels as _described_mosaic,
                                             panel_label)

checks = CheckList("10_publication_figures")
task = checks.task
__all__ = ["checks", "export_png", "export_svg", "imsave_quantization", "make_task",
           "mosaic_panels", "panel_labels", "shared_window", "task"]

PANELS = ("axial", "coronal", "sagittal")
LETTERS = {"axial": "A", "coronal": "B", "sagittal": "C"}
#: (width, level) in HU of the windows a variant may ask for (DESIGN.md's cited presets)
WINDOWS = {"lung": (1500.0, -600.0), "mediastinum": (350.0, 50.0), "bone": (1800.0, 400.0),
           "soft tissue": (400.0, 40.0)}
FIGURE_WIDTHS_MM = (89.0, 120.0, 136.0, 174.0, 183.0)   # single, 1.5 and double columns
FIGURE_HEIGHTS_MM = (70.0, 80.0, 90.0, 100.0)
SLICE_SPACINGS = (2.5, 3.0, 4.0, 5.0)
PIXEL_SPACINGS = (1.0, 1.2, 1.4, 1.6, 1.8)
SIZE_TOLERANCE_MM = 1.5
MIN_DPI = 299.5                       # PNG stores dots per metre: 300 dpi reads back 299.9994
MM_PER_INCH = 25.4


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``.

    Returns
    -------
    types.SimpleNamespace
        ``hu`` (float32 ``[z, y, x]``), ``spacing`` ((dz, dy, dx) mm), ``index`` (plane name
        -> index through the lesion centre), ``window_name`` and ``window`` ((width, level)
        HU), ``figure_mm`` ((width, height) of the printed figure in mm). Only what the
        learner is given: the planes a panel should show are cut by the checks.
    """
    from course_utils.phantom import chest_volume

    rng = np.random.default_rng([10, variant])
    dz = float(rng.choice(SLICE_SPACINGS))
    dy, dx = (float(v) for v in rng.choice(PIXEL_SPACINGS, size=2, replace=False))
    shape = (int(round(rng.uniform(180, 220) / dz)), int(round(rng.uniform(270, 310) / dy)),
             int(round(rng.uniform(350, 400) / dx)))
    chest = chest_volume(shape=shape, spacing=(dz, dy, dx), seed=variant)
    k, row, col = np.argwhere(chest.mask("lesion")).mean(axis=0).round().astype(int)
    index = {"axial": int(k), "coronal": int(row), "sagittal": int(col)}
    window_name = str(rng.choice(sorted(WINDOWS)))
    return types.SimpleNamespace(
        hu=chest.hu, spacing=chest.spacing, index=index, window_name=window_name, window=WINDOWS[window_name],
        figure_mm=(float(rng.choice(FIGURE_WIDTHS_MM)), float(rng.choice(FIGURE_HEIGHTS_MM))))


def _plane(data: Any, plane: str) -> np.ndarray:
    """The plane a panel should show: through the lesion centre, as ``get_plane`` cuts it."""
    from course_utils.volume import get_plane

    return get_plane(data.hu, plane, data.index[plane])


def _plane_spacing(data: Any, plane: str) -> tuple[float, float]:
    dz, dy, dx = data.spacing
    return {"axial": (dy, dx), "coronal": (dz, dx), "sagittal": (dz, dy)}[plane]


def _mosaic(mosaic_axd: Any) -> dict[str, dict[str, Any]]:
    return _described_mosaic(mosaic_axd, "mosaic_axd", PANELS)


def _panel_image(panel: dict[str, Any], name: str, data: Any) -> dict[str, Any]:
    """The image of a panel that has the shape of its plane, or a CheckFailed."""
    images = [image for image in panel["images"] if image.get("visible", True)]
    if not images:
        raise CheckFailed(f"Nothing is drawn with `imshow` on the {name} panel yet.")
    shape = _plane(data, name).shape
    for image in images:
        if tuple(image["shape"][:2]) == shape:
            return image
    if any(tuple(image["shape"][:2]) == shape[::-1] for image in images):
        raise CheckFailed(f"The {name} panel shows the plane transposed (rows and columns "
                          "swapped): take it with `get_plane`, which keeps x across.")
    raise CheckFailed(f"The {name} panel shows an array of shape "
                      f"{tuple(images[0]['shape'][:2])}, not a {name} plane of `hu`: use "
                      f"`get_plane(hu, {name!r}, index[{name!r}])`.")


def _area(axes: dict[str, Any]) -> float:
    _, _, width, height = axes["position"]
    return float(width * height)


def _centre(axes: dict[str, Any]) -> tuple[float, float]:
    left, bottom, width, height = axes["position"]
    return left + width / 2, bottom + height / 2


@checks.add(points=2)
def mosaic_panels(mosaic_axd, task):
    """Large axial panel left of coronal over sagittal, the asked size, planes in mm, labelled."""
    panels = _mosaic(mosaic_axd)
    small = max(_area(panels["coronal"]), _area(panels["sagittal"]))
    axial_x = _centre(panels["axial"])[0]
    if _area(panels["axial"]) < 2 * small or not all(
            axial_x < _centre(panels[name])[0] for name in ("coronal", "sagittal")):
        raise CheckFailed("The axial panel should be the large one, on the left: let it span "
                          "two rows and two columns of the layout.")
    if _centre(panels["coronal"])[1] <= _centre(panels["sagittal"])[1]:
        raise CheckFailed("The coronal panel should sit above the sagittal one, on the right.")
    width_in, height_in = panels["axial"]["figure"]["size_inches"]
    width, height = width_in * MM_PER_INCH, height_in * MM_PER_INCH
    wanted_w, wanted_h = task.figure_mm
    if abs(width - wanted_w) > SIZE_TOLERANCE_MM or abs(height - wanted_h) > SIZE_TOLERANCE_MM:
        raise CheckFailed(f"The figure is {width:.0f} x {height:.0f} mm, not the printed size "
                          "the task gives (`figure_mm`): `figsize` is in inches, mm / 25.4.")
    for name in PANELS:
        image = _panel_image(panels[name], name, task)
        array = np.ma.getdata(image_array(image))
        expected = _plane(task, name)
        if array.ndim == 2 and not np.allclose(array, expected, atol=0.5):
            if np.allclose(array, expected[::-1], atol=0.5):
                raise CheckFailed(f"The {name} panel is upside down: superior should be at "
                                  "the top (`get_plane` flips the slice axis for you).")
            raise CheckFailed(f"The {name} panel does not show the plane through the lesion "
                              f"centre: use `get_plane(hu, {name!r}, index[{name!r}])`.")
        rows, columns = expected.shape
        dy, dx = _plane_spacing(task, name)
        left, right, bottom, top = image["extent"]
        if not (math.isclose(abs(right - left), columns * dx, rel_tol=0.01)
                and math.isclose(abs(bottom - top), rows * dy, rel_tol=0.01)):
            raise CheckFailed(f"The {name} panel is not drawn in mm: pass the plane's pixel "
                              "size (`plane_spacing(spacing, plane)`) to `show_slice`, or an "
                              "`extent` in mm to `imshow`, so every plane keeps its true "
                              "aspect.")
        panel = panels[name]
        if "mm" not in panel["xlabel"] or "mm" not in panel["ylabel"]:
            raise CheckFailed(f"The {name} panel's axis labels do not give their unit: label "
                              "both axes in mm (`plane_axis_labels(plane)`).")
        titles = " ".join(panel["titles"].values()).lower()
        if name not in titles:
            raise CheckFailed(f"The {name} panel's title does not name its plane.")


def _colormap_fraction(image: dict[str, Any]) -> np.ndarray:
    samples = (image.get("norm") or {}).get("samples")
    values = np.ma.filled(image_array(image), np.nan)
    if samples is None:
        return np.full(values.shape, np.nan)
    return np.clip(np.interp(values, samples["x"], samples["y"]), 0, 1)


@checks.add(points=1)
def shared_window(mosaic_axd, task):
    """Every panel in the asked window, in grey, with one colorbar of those greys, in HU."""
    panels = _mosaic(mosaic_axd)
    width, level = task.window
    images = {name: _panel_image(panels[name], name, task) for name in PANELS}
    for name, image in images.items():
        expected = np.clip((_plane(task, name) - (level - width / 2)) / width, 0, 1)
        if np.ndim(image_array(image)) != 2 or \
                np.mean(np.abs(_colormap_fraction(image) - expected) <= 0.02) < 0.98:
            raise CheckFailed(f"The {name} panel is not shown in the {task.window_name} "
                              "window the task asks for: vmin and vmax are the level minus "
                              "and plus half the width, the same for every panel.")
        direction = grey_direction(image["cmap"])
        if direction == "white-to-black":
            raise CheckFailed(f"The {name} panel is in an inverted grey (white for low HU): "
                              "use a black-to-white grey colormap such as 'gray'.")
        if direction != "black-to-white":
            raise CheckFailed(f"The colormap of the {name} panel is not a grey scale: CT is "
                              "shown in grey, black to white.")
    colorbars = []
    for panel in panels.values():
        for colorbar in colorbars_of(panel):
            if not any(colorbar.get("position") == other.get("position")
                       for other in colorbars):
                colorbars.append(colorbar)
    if not colorbars:
        raise CheckFailed("There is no colorbar yet: add one for the shared window, with "
                          "`fig.colorbar(image, ax=...)` listing all three panels.")
    if len(colorbars) > 1:
        raise CheckFailed(f"There are {len(colorbars)} colorbars: with one window for all "
                          "panels, one colorbar beside them says it once (pass the list of "
                          "panels as `ax=`).")
    colorbar = colorbars[0]
    image = images["axial"]
    values = np.ma.filled(image_array(image), np.nan).ravel()[::7]
    colors = (np.asarray(image["rgba"], dtype=float) / 255).reshape(-1, 4)[::7]
    if not colorbar_shows(colorbar, values, colors):
        raise CheckFailed("The colorbar does not show the greys of the panels for their "
                          "values: make it from one of the panels' images, or from a "
                          "ScalarMappable with the same colormap and window.")
    label = colorbar.get("label", "").lower()
    if "hu" not in label and "hounsfield" not in label:
        raise CheckFailed("The colorbar has no unit: label it with what the grey levels "
                          "mean (Hounsfield units, HU).")


@checks.add(points=1)
def panel_labels(mosaic_axd):
    """Panel letters A, B, C at the top-left corners of axial, coronal, sagittal."""
    panels = _mosaic(mosaic_axd)
    for name in PANELS:
        if panel_label(panels[name], LETTERS[name]):
            continue
        others = [letter for letter in "ABC" if panel_label(panels[name], letter)]
        if others:
            raise CheckFailed(f"The {name} panel is lettered {others[0]}: letters follow the "
                              "reading order of the task, axial, coronal, sagittal.")
        raise CheckFailed(f"The {name} panel has no panel letter at its top-left corner: "
                          "write one with `ax.text` in axes coordinates, as a left title, "
                          "with `fig.text`, or with `layout.add_panel_labels`.")


def _png_info(path) -> tuple[int, int, float, float]:
    import io

    from PIL import Image

    from course_utils.checks._values import read_learner_file

    data = read_learner_file(path, "png_path")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        signatures = {b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"%PDF": "PDF", b"II*\0": "TIFF",
                      b"MM\0*": "TIFF", b"<?xml": "SVG", b"<svg": "SVG"}
        found = next((kind for start, kind in signatures.items() if data.startswith(start)),
                     None)
        if found is not None:
            raise CheckFailed(f"`png_path` holds a {found} image, not a PNG.")
        raise CheckFailed("`png_path` is not a PNG file (it does not start with PNG's "
                          "signature).")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as png:
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
def export_png(png_path, task):
    """A PNG at 300 dpi or more whose printed size is the figure size the task gives."""
    path = get_path(png_path, "png_path", suffix=".png")
    width, height, dpi_x, dpi_y = _png_info(path)
    if min(dpi_x, dpi_y) < MIN_DPI:
        raise CheckFailed(f"The PNG is saved at {min(dpi_x, dpi_y):.0f} dpi: print needs at "
                          "least 300 dpi at the printed size.")
    width_mm, height_mm = width / dpi_x * MM_PER_INCH, height / dpi_y * MM_PER_INCH
    wanted_w, wanted_h = task.figure_mm
    if abs(width_mm - wanted_w) > SIZE_TOLERANCE_MM or \
            abs(height_mm - wanted_h) > SIZE_TOLERANCE_MM:
        raise CheckFailed(f"The PNG prints at {width_mm:.0f} x {height_mm:.0f} mm at its dpi, "
                          "not the size the task gives: save the figure of that size with "
                          "`bbox_inches=None`, since a tight bounding box changes the size.")


@checks.add(points=1)
def export_svg(svg_path, task):
    """An SVG of the figure: the printed size the task gives, with the CT rasters inside."""
    path = get_path(svg_path, "svg_path", suffix=".svg")
    from course_utils.checks._values import read_learner_file, svg_root_tag

    text = read_learner_file(path, "svg_path").decode("utf-8", errors="replace")
    root = svg_root_tag(text)  # linear work, whatever the file holds
    if root is None:
        raise CheckFailed("`svg_path` does not hold an SVG document: save the figure with "
                          "a `.svg` file name (matplotlib picks the format from it).")
    sizes = []
    for attribute in ("width", "height"):
        found = re.search(rf'\b{attribute}="([\d.]{{1,40}})(pt|mm|in|px)?"', root)
        if found is None:
            raise CheckFailed("The SVG does not state its printed size: save it with "
                              "matplotlib's `savefig`.")
        factor = {"pt": MM_PER_INCH / 72, "mm": 1.0, "in": MM_PER_INCH,
                  "px": MM_PER_INCH / 96, None: MM_PER_INCH / 96}[found.group(2)]
        sizes.append(float(found.group(1)) * factor)
    wanted_w, wanted_h = task.figure_mm
    if abs(sizes[0] - wanted_w) > SIZE_TOLERANCE_MM or \
            abs(sizes[1] - wanted_h) > SIZE_TOLERANCE_MM:
        raise CheckFailed(f"The SVG is {sizes[0]:.0f} x {sizes[1]:.0f} mm, not the size the "
                          "task gives: save the same figure, with `bbox_inches=None`.")
    count = text.count("<image")
    if count == 0:
        raise CheckFailed("The SVG holds no raster image: save the figure with the CT "
                          "panels (the images are embedded as pixels inside the vector file).")
    if count < 3:
        raise CheckFailed("The SVG holds fewer raster images than the figure has CT panels: "
                          "save the three-panel figure.")


def _imsave_levels(data: Any) -> tuple[int, int]:
    from matplotlib.image import imsave  # what plt.imsave calls; no figure, no backend
    from PIL import Image

    hu_slice = data.hu[data.index["axial"]]
    width, level = data.window
    buffer = io.BytesIO()
    imsave(buffer, hu_slice, cmap="gray", vmin=level - width / 2, vmax=level + width / 2,
           format="png")
    buffer.seek(0)
    with Image.open(buffer) as png:
        grey = np.asarray(png)[..., 0]
    return int(len(np.unique(grey))), int(len(np.unique(hu_slice)))


@checks.add(points=1)
def imsave_quantization(png_grey_levels, npy_max_error, task):
    """Grey levels left after plt.imsave in the task's window, and the .npy round-trip error."""
    levels = get_number(png_grey_levels, "png_grey_levels")
    error = get_number(npy_max_error, "npy_max_error")
    expected, hu_levels = _imsave_levels(task)
    if levels == hu_levels:
        raise CheckFailed("`png_grey_levels` is the number of distinct HU values of the "
                          "slice: count the distinct values of one channel of the PNG read "
                          "back from disk.")
    if levels > 256:
        raise CheckFailed("An 8-bit PNG channel cannot hold more than 256 values: count the "
                          "distinct values of one channel of the image read back.")
    if levels != expected:
        raise CheckFailed("`png_grey_levels` does not match the PNG written as the task says "
                          "(the axial slice, gray, vmin and vmax of the task's window): count "
                          "`np.unique` of channel 0 of the image read back.")
    if error != 0:
        raise CheckFailed("`npy_max_error` should be the largest absolute difference between "
                          "the slice and what `np.load` gives back; a .npy file stores the "
                          "array exactly.")
