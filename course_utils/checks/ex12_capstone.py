"""Checks for exercise 12, the capstone: from a DICOM folder to a figure and a mesh.

The task data (:func:`make_task`, one variant per learner) hold the phantom
(:func:`course_utils.phantom.chest_volume`) on a grid of the variant's spacing, in the
standard display orientation (slice toward superior, row toward posterior, column toward the
patient's left), and the geometry of the series that :func:`write_series` writes from it for
the learner. The series is made so that each classic series mistake changes the answer:

- the slices are tilted and their normal points inferior, so sorting by z (or by
  ImagePositionPatient[2]) is the reverse of sorting along the normal, and z steps are not the
  spacing;
- SliceThickness differs from the slice spacing;
- InstanceNumber is shuffled: it is not the anatomical order;
- the rows run toward anterior and the slices toward inferior, so the array read from the
  series must be reoriented before display (anterior up, superior up, right on the left).

The checks compare the panels with the task's planes in the lung window (values clipped to
[-1350, 150] HU), which makes the comparison independent of the integer rounding of the
stored series. Nothing is read from files the learner's kernel wrote.
"""

from __future__ import annotations

import math
import types
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.checks._values import per_task
from course_utils.checks import CheckFailed, CheckList, get_array, get_number
from course_utils.checks._predicates import (color_blind_safe, colorbar_shows, colorbars_of,
                                             image_array, images_aligned, legend_entries,
                                             lightness, mosaic_panels, orientation_letters,
                                             outline_box, outlines, panel_label,
                                             pixel_centres, scalebars, visible_alpha)

checks = CheckList("12_capstone")
__all__ = ["axial_panel", "checks", "comparison_panel", "coronal_panel", "heatmap_panel",
           "lesion_volume_from_mesh", "make_task", "series_geometry", "task", "write_series"]

PANELS = ("axial", "coronal", "heatmap", "comparison")
LUNG = (-1350.0, 150.0)          # W 1500 / L -600
FOV_MM = (280.0, 300.0, 360.0)   # (z, y, x)
FIGURE_MM = (183.0, 170.0)
HU_TOLERANCE = 1.0               # stored integers vs the phantom's float HU
POSITION_TOLERANCE = 0.01
VOLUME_TOLERANCE = 0.01
MIN_VOLUME_GAP = 0.025
DICE_TOLERANCE = 0.005
SIZE_TOLERANCE_MM = 3.0


_LESION_CENTRE_MM = (-10.0, 20.0, -92.0)   # the phantom's lesion, from the FOV centre


def _volumes(mask: np.ndarray, spacing: tuple[float, ...], radius: float
             ) -> tuple[float, float, float]:
    """Mesh, voxel-count and ideal-ball volumes of a lesion mask, in mL."""
    from course_utils.mesh import mask_to_mesh, mesh_volume

    mesh_ml = mesh_volume(mask_to_mesh(mask, spacing)) / 1000
    voxel_ml = float(mask.sum()) * float(np.prod(spacing)) / 1000
    return mesh_ml, voxel_ml, 4 / 3 * math.pi * radius ** 3 / 1000


def _volumes_apart(mask: np.ndarray, spacing: tuple[float, ...], radius: float) -> bool:
    mesh_ml, voxel_ml, ball_ml = _volumes(mask, spacing, radius)
    gaps = (voxel_ml - mesh_ml, ball_ml - mesh_ml, ball_ml - voxel_ml)
    return min(abs(gap) for gap in gaps) > MIN_VOLUME_GAP * mesh_ml


def _ball_box(shape: tuple[int, ...], spacing: tuple[float, ...], centre: np.ndarray,
              radius: float) -> tuple[tuple[slice, ...], np.ndarray]:
    """The ball's mask in a small box of the grid (with a margin) and that box's slices."""
    from course_utils.checks.ex11_meshes import _ball

    step = np.array(spacing)
    low = np.maximum(np.floor((centre - radius) / step).astype(int) - 3, 0)
    high = np.minimum(np.ceil((centre + radius) / step).astype(int) + 4, shape)
    box = tuple(slice(int(lo), int(hi)) for lo, hi in zip(low, high))
    small = _ball(tuple(int(v) for v in high - low), spacing, centre - low * step, radius)
    return box, small


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's input data for ``variant`` (see the module docstring).

    Attributes the notebook uses: ``truth``, ``prediction`` (bool masks in display
    orientation), ``heat`` (slice ``k``), ``k``, ``row``, ``col``, ``radius_mm``,
    ``axial_bar_mm``, ``zoom_bar_mm``. The series, as its files hold it (for
    :func:`write_series`): ``stored_hu`` (the HU volume in the series' own orientation),
    ``pixel_spacing`` (dy, dx), ``image_positions`` (ImagePositionPatient of each stored
    slice), ``row_cosine``, ``col_cosine``, ``slice_thickness``, ``instance_numbers``.
    What the checks expect (sorted positions, slice spacing, the display volume, the mesh
    volume, the Dice) is computed by the checks from these, never stored.
    """
    from course_utils.phantom import attention_heatmap, chest_volume, imperfect_prediction

    rng = np.random.default_rng([12, variant])
    while True:
        spacing = (float(rng.choice([4.0, 4.5, 5.0])), float(rng.choice([1.4, 1.6, 1.8])),
                   float(rng.choice([1.5, 1.7, 1.9])))
        radius = float(rng.choice([7.0, 8.0, 9.0, 11.0, 12.0]))
        offset = rng.uniform(-6.0, 6.0, 3)     # mm: the lesion's place follows the variant
        if spacing[1] == spacing[2]:
            continue
        shape = tuple(int(round(f / s)) for f, s in zip(FOV_MM, spacing))
        step = np.array(spacing)
        centre = (np.array(shape) - 1) / 2 * step + np.array(_LESION_CENTRE_MM) + offset
        box, small = _ball_box(shape, spacing, centre, radius)   # fast: its box only
        if _volumes_apart(small, spacing, radius):
            break
    truth = np.zeros(shape, dtype=bool)
    truth[box] = small
    chest = chest_volume(shape=shape, spacing=spacing, seed=variant % 1000)
    noise = np.random.default_rng([12, variant, 1]).normal(0, 15, shape).astype(np.float32)
    hu = chest.hu
    old_lesion = chest.mask("lesion")
    hu[old_lesion] = -850.0 + noise[old_lesion]                      # the phantom's own
    hu[truth] = 40.0 + noise[truth]                                   # the variant's lesion
    dz = spacing[0]
    tilt = math.radians(float(rng.uniform(12.0, 25.0)))
    row_cosine = np.array([1.0, 0.0, 0.0])
    col_cosine = np.array([0.0, -math.cos(tilt), -math.sin(tilt)])  # rows run anterior
    normal = np.cross(row_cosine, col_cosine)                        # points inferior
    origin = np.array([-spacing[2] * (shape[2] - 1) / 2, 150.0, 80.0]) + rng.uniform(-20, 20, 3)
    k, row, col = (int(v) for v in (np.argwhere(small) + [b.start for b in box]
                                    ).mean(axis=0).round())
    prediction = imperfect_prediction(truth, seed=variant % 1000)
    heat = attention_heatmap(truth[k], sigma_mm=float(rng.choice([9.0, 12.0, 15.0])),
                             spacing=spacing[1:], seed=variant % 1000)
    return types.SimpleNamespace(
        variant=variant, truth=truth, prediction=prediction, heat=heat, k=k, row=row,
        col=col, radius_mm=radius,
        stored_hu=hu[::-1, ::-1, :],        # slice 0 most superior, row 0 most posterior
        pixel_spacing=spacing[1:],
        image_positions=origin + dz * np.arange(shape[0])[:, None] * normal,
        row_cosine=row_cosine, col_cosine=col_cosine,
        slice_thickness=dz + float(rng.choice([1.0, 1.5, 2.0])),
        instance_numbers=rng.permutation(shape[0]) + 1,
        axial_bar_mm=float(rng.choice([30, 40, 50, 60])),
        zoom_bar_mm=float(rng.choice([5, 10, 15, 20])))


task = checks.task


def write_series(data: Any, folder: str | Path) -> Path:
    """Write the task's CT series (one file per slice) into ``folder``; return the folder.

    The stored volume is the phantom in the series' own orientation (rows toward anterior,
    slices toward inferior); SliceThickness and InstanceNumber are those of the task.
    """
    import pydicom

    from course_utils import dicom

    folder = Path(folder)
    positions = np.asarray(data.image_positions, dtype=float)
    step = float(np.round(np.linalg.norm(positions[1] - positions[0]), 6))
    paths = dicom.write_series(data.stored_hu, (step, *data.pixel_spacing), folder,
                               origin=positions[0],
                               orientation=(*data.row_cosine, *data.col_cosine),
                               seed=data.variant, window=(1500, -600),
                               series_description="Synthetic chest CT, tilted")
    for path, number in zip(paths, data.instance_numbers):
        ds = pydicom.dcmread(path)
        ds.SliceThickness = f"{data.slice_thickness:g}"
        ds.InstanceNumber = int(number)
        ds.save_as(path, enforce_file_format=True)
    return folder




# ----------------------------------------------------------------------------- expected values

def _normal(data: Any) -> np.ndarray:
    return np.cross(data.row_cosine, data.col_cosine)


def _positions(data: Any) -> np.ndarray:
    """Every slice's position along the normal, sorted increasing."""
    return np.sort(np.asarray(data.image_positions, dtype=float) @ _normal(data))


def _spacing(data: Any) -> tuple[float, float, float]:
    """(dz, dy, dx) in mm: the step between sorted positions, then PixelSpacing."""
    return (float(np.diff(_positions(data)).mean()), *(float(v) for v in data.pixel_spacing))


def _display_hu(data: Any) -> np.ndarray:
    """The series' volume reoriented for display (column L, row P, slice S), a view."""
    return data.stored_hu[::-1, ::-1, :]


def _expected_volumes(data: Any) -> tuple[float, float, float]:
    """The reference lesion's mesh, voxel-count and ideal-ball volumes in mL."""
    return per_task(data, "volumes", lambda: _volumes(data.truth, _spacing(data), data.radius_mm))


def _expected_dice(data: Any) -> tuple[float, float]:
    """The Dice of the lesion's centre slice, and of the whole volumes."""
    from course_utils.metrics import dice

    return per_task(data, "dice", lambda: (dice(data.truth[data.k], data.prediction[data.k]),
                                        dice(data.truth, data.prediction)))


# ----------------------------------------------------------------------------- helpers

def _panels(capstone_axd: Any) -> dict[str, dict[str, Any]]:
    return mosaic_panels(capstone_axd, "capstone_axd", PANELS)


def _lung(values: np.ndarray) -> np.ndarray:
    return np.clip(values, *LUNG)


def _check_image(axes: dict[str, Any], panel: str, expected: np.ndarray,
                 superior: bool = False) -> dict[str, Any]:
    """The panel's base image: the ``expected`` plane, right way round, in the lung window."""
    if not axes["images"]:
        raise CheckFailed(f"Nothing is drawn on the {panel} panel yet.")
    image = axes["images"][0]
    array = np.ma.getdata(image_array(image)).astype(float)
    if array.ndim == 2:
        array = _as_shown(array, _screen_flips(axes, image))   # top row first, as seen
    if array.ndim != 2:
        raise CheckFailed(f"The {panel} panel's first image is not a 2D array of HU: draw "
                          "the CT plane first, overlays after.")
    if array.shape != expected.shape:
        if array.shape == expected.shape[::-1]:
            raise CheckFailed(f"The {panel} image is transposed (rows and columns swapped).")
        raise CheckFailed(f"The {panel} panel shows an array of shape {array.shape}, not the "
                          f"{panel} plane of the volume.")
    low, high = (float(v) for v in image["clim"])
    windowed = math.isclose(low, 0, abs_tol=1e-6) and math.isclose(high, 1, abs_tol=1e-6) \
        and array.min() >= 0 and array.max() <= 1
    shown = array * (LUNG[1] - LUNG[0]) + LUNG[0] if windowed else _lung(array)
    tolerance = HU_TOLERANCE + (2.0 if windowed else 0.0)
    target = _lung(expected)
    if not np.allclose(shown, target, atol=tolerance):
        top, bottom = ("superior", "inferior") if superior else ("anterior", "posterior")
        if np.allclose(shown, target[::-1], atol=tolerance):
            raise CheckFailed(f"The {panel} image is upside down ({bottom} at the top): the "
                              "series' axes are not the display's; reorient the volume so "
                              f"{top} is at the top.")
        if np.allclose(shown, target[:, ::-1], atol=tolerance):
            raise CheckFailed(f"The {panel} image is mirrored left-right: the patient's right "
                              "belongs on the viewer's left.")
        if np.allclose(shown, target[::-1, ::-1], atol=tolerance):
            raise CheckFailed(f"The {panel} image is rotated by 180 degrees: flip the rows "
                              "only (or the slices only), not both axes.")
        if windowed:
            raise CheckFailed(f"The {panel} image is pre-scaled to [0, 1] but not by the "
                              "lung window: scale with vmin = L - W/2, vmax = L + W/2.")
        raise CheckFailed(f"The {panel} panel does not show the plane through the lesion "
                          "centre in HU: use the reoriented volume and the lesion centre's "
                          "index for that plane.")
    if not windowed and not (math.isclose(low, LUNG[0], abs_tol=1)
                             and math.isclose(high, LUNG[1], abs_tol=1)):
        raise CheckFailed(f"The {panel} panel is not in the lung window: vmin and vmax are "
                          "the level minus and plus half the width.")
    return image


def _screen_flips(axes: dict[str, Any], image: dict[str, Any]) -> tuple[bool, bool]:
    """Whether the image's row 0 is shown at the bottom, and its column 0 at the right (by
    its origin, its extent and the axes' limits together)."""
    x, y = pixel_centres(image)
    (x0, x1), (y0, y1) = axes["xlim"], axes["ylim"]
    rows_up = len(y) > 1 and (y[-1] - y[0]) * (y1 - y0) > 0
    cols_left = len(x) > 1 and (x[-1] - x[0]) * (x1 - x0) < 0
    return bool(rows_up), bool(cols_left)


def _as_shown(array: np.ndarray, flips: tuple[bool, bool]) -> np.ndarray:
    """An image's array in screen order (or a screen-order array in the image's order)."""
    return array[::-1 if flips[0] else 1, ::-1 if flips[1] else 1]


def _check_mm(image: dict[str, Any], panel: str, pixel_mm: tuple[float, float]) -> None:
    """The image's extent gives each pixel its size in mm (rows, columns)."""
    rows, cols = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    drawn = (abs(bottom - top) / rows, abs(right - left) / cols)
    if not np.allclose(drawn, pixel_mm, rtol=0.01):
        if np.allclose(drawn, (1.0, 1.0)):
            raise CheckFailed(f"The {panel} image is drawn in pixels: give it an extent in "
                              "mm (pixel size from the series' spacing).")
        if np.allclose(drawn, pixel_mm[::-1], rtol=0.01):
            raise CheckFailed(f"The {panel} image's pixel sizes are swapped: rows are "
                              "spaced by the row spacing, columns by the column spacing.")
        raise CheckFailed(f"The {panel} image's extent does not give its pixels their size "
                          "in mm.")


def _pixel_to_data(image: dict[str, Any], rows: np.ndarray, cols: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    n_rows, n_cols = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    x = left + (cols + 0.5) * (right - left) / n_cols
    if image.get("origin", "upper") == "upper":
        y = top + (rows + 0.5) * (bottom - top) / n_rows
    else:
        y = bottom + (rows + 0.5) * (top - bottom) / n_rows
    return x, y


def _mask_box(axes: dict[str, Any], image: dict[str, Any], mask: np.ndarray) -> np.ndarray:
    """Where a level-0.5 outline of ``mask`` (in screen order, like the task's planes) lies,
    in the data coordinates of ``image``."""
    from skimage.measure import find_contours

    mask = _as_shown(mask, _screen_flips(axes, image))      # in the image's own order
    points = np.concatenate(find_contours(np.pad(mask, 1).astype(float), 0.5)) - 1
    x, y = _pixel_to_data(image, points[:, 0], points[:, 1])
    return np.array([x.min(), x.max(), y.min(), y.max()])


def _matching_outlines(axes: dict[str, Any], image: dict[str, Any], mask: np.ndarray
                       ) -> list[dict[str, Any]]:
    rows, cols = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    pixel = max(abs(right - left) / cols, abs(bottom - top) / rows)
    box = _mask_box(axes, image, mask)
    return [o for o in outlines(axes) if np.all(np.abs(outline_box(o) - box) <= 1.5 * pixel)]


def _check_letters(axes: dict[str, Any], panel: str, edges: dict[str, str]) -> None:
    found = orientation_letters(axes)
    opposite = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
    for edge, letter in edges.items():
        if letter in found[edge]:
            continue
        if letter in found[opposite[edge]] and edges[opposite[edge]] in found[edge]:
            raise CheckFailed(f"On the {panel} panel, {letter} and {edges[opposite[edge]]} "
                              "are swapped: put each letter on the edge the patient's "
                              "direction points to in this image.")
        raise CheckFailed(f"The {panel} panel has no {letter} at its {edge} edge: write the "
                          "patient direction on each of the four edges.")


def _check_scalebar(axes: dict[str, Any], panel: str, asked_mm: float) -> None:
    bars = scalebars(axes)
    if not bars:
        raise CheckFailed(f"The {panel} panel has no scalebar (a bar with a length label "
                          "in mm).")
    for bar in bars:
        length, label = bar.get("length"), bar.get("label_mm")
        if length is None or label is None:
            continue
        if math.isclose(length, asked_mm, rel_tol=0.02) and math.isclose(label, asked_mm,
                                                                         rel_tol=1e-6):
            return
    bar = bars[0]
    length, label = bar.get("length"), bar.get("label_mm")
    if length is not None and label is not None and not math.isclose(length, label,
                                                                      rel_tol=0.02):
        raise CheckFailed(f"The {panel} scalebar is labelled {label:g} mm but is "
                          f"{length:.3g} mm long in the image: its length must be in the "
                          "axes' units (mm here).")
    raise CheckFailed(f"The {panel} scalebar is not the length the task asks for that panel.")


def _check_title(axes: dict[str, Any], panel: str, *words: str) -> None:
    title = " ".join(t for t in (axes.get("titles") or {}).values() if t) or axes["title"]
    if not title.strip():
        raise CheckFailed(f"The {panel} panel has no title.")
    for word in words:
        if word.lower() not in title.lower():
            raise CheckFailed(f"The {panel} panel's title does not name the {word} window.")


# ----------------------------------------------------------------------------- checks

@checks.add(points=1)
def series_geometry(slice_positions_mm, slice_spacing_mm, task):
    """Slice positions along the normal, sorted, and the slice spacing."""
    positions = get_array(slice_positions_mm, "slice_positions_mm", ndim=1).astype(float)
    spacing = get_number(slice_spacing_mm, "slice_spacing_mm")
    expected = _positions(task)
    if positions.shape != expected.shape:
        raise CheckFailed(f"`slice_positions_mm` has {positions.size} values: there should be "
                          "one per file of the series.")

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, atol=POSITION_TOLERANCE))

    z = np.asarray(task.image_positions, dtype=float)[:, 2]
    if same(np.sort(positions), np.sort(z)):
        raise CheckFailed("These are the slices' z coordinates (ImagePositionPatient[2]); the "
                          "slices are tilted: project each ImagePositionPatient on the normal, "
                          "the cross product of the two ImageOrientationPatient vectors.")
    if same(np.sort(positions), np.sort(-expected)):
        raise CheckFailed("These are positions along the reversed normal: the normal is the "
                          "row cosine x the column cosine, in that order (the first three "
                          "values of ImageOrientationPatient, then the last three).")
    if not same(np.sort(positions), expected):
        raise CheckFailed("These are not the slices' positions along the slice normal: take "
                          "the dot product of each ImagePositionPatient with the cross product "
                          "of the two ImageOrientationPatient vectors.")
    by_instance = expected[np.argsort(task.instance_numbers)]
    if same(positions, by_instance):
        raise CheckFailed("The positions are in InstanceNumber order, which is not the "
                          "anatomical order in this series: sort them.")
    if same(positions, expected[::-1]):
        raise CheckFailed("The positions decrease: sorting by z reverses them here (the "
                          "normal points inferior); sort the positions along the normal in "
                          "increasing order.")
    if not same(positions, expected):
        raise CheckFailed("The positions are not sorted in increasing order.")
    dz, *in_plane = _spacing(task)
    if math.isclose(spacing, dz, abs_tol=POSITION_TOLERANCE):
        return
    if math.isclose(spacing, task.slice_thickness, abs_tol=POSITION_TOLERANCE):
        raise CheckFailed("That is SliceThickness, the thickness of each slice's slab; the "
                          "slice spacing is the step between consecutive sorted positions.")
    if math.isclose(abs(spacing), abs(dz * _normal(task)[2]), abs_tol=POSITION_TOLERANCE):
        raise CheckFailed("That is the step of z between slices; the slices are tilted: the "
                          "spacing is the step along the normal.")
    if any(math.isclose(spacing, s, abs_tol=POSITION_TOLERANCE) for s in in_plane):
        raise CheckFailed("That is the in-plane pixel spacing (PixelSpacing); the slice "
                          "spacing is the step between consecutive slice positions.")
    raise CheckFailed("`slice_spacing_mm` is not the step between consecutive sorted "
                      "positions: take the differences of the sorted positions (and check "
                      "they are all the same).")


@checks.add(points=2)
def axial_panel(capstone_axd, task):
    """Figure size; axial panel: lung window, in mm, outline + legend, scalebar, R/L/A/P."""
    panels = _panels(capstone_axd)
    axes = panels["axial"]
    width, height = (v * 25.4 for v in axes["figure"]["size_inches"])
    if not (abs(width - FIGURE_MM[0]) <= SIZE_TOLERANCE_MM
            and abs(height - FIGURE_MM[1]) <= SIZE_TOLERANCE_MM):
        raise CheckFailed(f"The figure is {width:.0f} x {height:.0f} mm, not the size the "
                          "task asks for: figsize is in inches (25.4 mm each).")
    image = _check_image(axes, "axial", _display_hu(task)[task.k])
    _check_mm(image, "axial", task.pixel_spacing)
    _check_title(axes, "axial", "lung")
    if not _matching_outlines(axes, image, task.truth[task.k]):
        raise CheckFailed("No outline on the axial panel lies on the lesion: contour the "
                          "reference mask of this slice at level 0.5, placed like the image "
                          "(same extent).")
    if not legend_entries(axes):
        raise CheckFailed("The outline has no legend entry: label it and add a legend (a "
                          "contour needs a proxy artist for its legend).")
    _check_scalebar(axes, "axial", task.axial_bar_mm)
    _check_letters(axes, "axial", {"left": "R", "right": "L", "top": "A", "bottom": "P"})


@checks.add(points=1)
def coronal_panel(capstone_axd, task):
    """Coronal panel: superior up, lung window, pixels at their size in mm, R/L/S/I."""
    axes = _panels(capstone_axd)["coronal"]
    expected = _display_hu(task)[::-1, task.row, :]
    image = _check_image(axes, "coronal", expected, superior=True)
    dz, _, dx = _spacing(task)
    _check_mm(image, "coronal", (dz, dx))
    aspect = axes["aspect"]
    if aspect not in ("equal", 1.0):
        raise CheckFailed("The coronal panel's aspect is not 'equal': with an extent in mm, "
                          "1 mm must be as long across as down.")
    _check_title(axes, "coronal", "lung")
    if "mm" not in axes["xlabel"] or "mm" not in axes["ylabel"]:
        raise CheckFailed("The coronal panel's axis labels should say their unit (mm).")
    _check_letters(axes, "coronal", {"left": "R", "right": "L", "top": "S", "bottom": "I"})


@checks.add(points=1)
def heatmap_panel(capstone_axd, task):
    """Heatmap panel: CT base, aligned heat in a monotone map, opacity following the heat,
    a colorbar that shows the heat's colours, with a label."""
    axes = _panels(capstone_axd)["heatmap"]
    base = _check_image(axes, "heatmap", _display_hu(task)[task.k])
    _check_mm(base, "heatmap", task.pixel_spacing)
    _check_title(axes, "heatmap")
    overlays = axes["images"][1:]
    if not overlays:
        raise CheckFailed("The heatmap panel shows the CT only: draw the heatmap over it.")
    heat_image = overlays[0]
    if tuple(heat_image["shape"][:2]) != task.heat.shape:
        raise CheckFailed("The overlay is not the heatmap `heat` of this slice (its shape "
                          "differs).")
    if not images_aligned(base, heat_image):
        raise CheckFailed("The heatmap is not aligned with the CT: draw it with the CT's "
                          "extent in mm.")
    flips = _screen_flips(axes, heat_image)
    rgba = _as_shown(np.asarray(heat_image["rgba"], dtype=float) / 255, flips)
    alpha = _as_shown(visible_alpha(heat_image), flips)
    heat = task.heat
    seen = alpha > 0.05
    if np.ptp(alpha) < 0.05:
        raise CheckFailed("The heatmap has the same opacity everywhere: a uniform blend dims "
                          "the anatomy everywhere. Let the opacity follow the heat.")
    if np.corrcoef(alpha.ravel(), heat.ravel())[0, 1] < 0.5:
        if flips != _screen_flips(axes, base) and max(
                np.corrcoef(alpha.ravel(), _as_shown(heat, f).ravel())[0, 1]
                for f in ((True, False), (False, True), (True, True))) >= 0.5:
            raise CheckFailed("The heatmap is shown flipped relative to the CT: draw it "
                              "with the CT's extent and origin.")
        raise CheckFailed("The heatmap's opacity does not follow the heat: make it high "
                          "where the heat is high, transparent where it is low.")
    order = np.argsort(heat[seen])
    values, colors = heat[seen][order], rgba[seen][order]
    bins = np.array_split(np.arange(len(values)), 16)
    light = np.array([lightness(colors[b].mean(axis=0)) for b in bins if len(b)])
    steps = np.diff(light)
    if not (np.all(steps >= -2) or np.all(steps <= 2)):
        raise CheckFailed("The heatmap's colours go lighter and darker again as the heat "
                          "rises (a rainbow map such as jet): use a perceptually uniform "
                          "colormap (inferno, magma, viridis...).")
    bars = colorbars_of(axes)
    if not bars:
        raise CheckFailed("The heatmap has no colorbar: a colour scale needs one to be read.")
    sample = np.linspace(0, len(values) - 1, 400).astype(int)
    matching = [b for b in bars if colorbar_shows(b, values[sample], colors[sample])]
    if not matching:
        raise CheckFailed("The colorbar does not show the heatmap's colours: make it from "
                          "the heatmap's colormap and limits (or its image).")
    if not any(b["label"].strip() for b in matching):
        raise CheckFailed("The heatmap's colorbar has no label: say what the colours measure.")


@checks.add(points=2)
def comparison_panel(capstone_axd, dice_slice, task):
    """Reference vs prediction: Dice, safe colours, two styles, legend, zoom, scalebar,
    Dice in the title; panel letters a-d."""
    value = get_number(dice_slice, "dice_slice")
    panels = _panels(capstone_axd)
    dice_slice, dice_3d = _expected_dice(task)
    if not math.isclose(value, dice_slice, abs_tol=DICE_TOLERANCE):
        if math.isclose(value, dice_3d, abs_tol=DICE_TOLERANCE):
            raise CheckFailed("`dice_slice` is the Dice of the whole volumes; the panel shows "
                              "one slice: compute it on that slice's masks.")
        raise CheckFailed("`dice_slice` is not the Dice score of the reference and the "
                          "prediction on the lesion's centre slice: 2 |A ∩ B| / (|A| + |B|).")
    axes = panels["comparison"]
    image = _check_image(axes, "comparison", _display_hu(task)[task.k])
    _check_mm(image, "comparison", task.pixel_spacing)
    reference = _matching_outlines(axes, image, task.truth[task.k])
    predicted = [o for o in _matching_outlines(axes, image, task.prediction[task.k])
                 if not any(o is r for r in reference)]
    if not reference or not predicted:
        missing = "reference" if not reference else "prediction"
        raise CheckFailed(f"The comparison panel has no outline on the {missing}: contour "
                          "both masks of this slice, placed like the image.")
    first, second = reference[0], predicted[0]
    if not color_blind_safe(first["color"], second["color"]):
        raise CheckFailed("The two outlines' colours are hard to tell apart for colour-blind "
                          "readers: use a safe pair such as Okabe-Ito blue and orange.")
    if first["style"] == second["style"]:
        raise CheckFailed("Both outlines have the same line style: make one dashed, so they "
                          "differ even in greyscale print.")
    if len(legend_entries(axes)) < 2:
        raise CheckFailed("The comparison panel needs a legend with one entry per outline.")
    left, right, _, _ = image["extent"]
    span = abs(axes["xlim"][1] - axes["xlim"][0])
    if span > 0.5 * abs(right - left) or span > 90:
        raise CheckFailed("The comparison panel is not zoomed on the lesion: set the axis "
                          "limits around it, so the two outlines can be compared.")
    _check_scalebar(axes, "comparison", task.zoom_bar_mm)
    title = " ".join(t for t in (axes.get("titles") or {}).values() if t)
    if f"{value:.2f}" not in title:
        raise CheckFailed("The Dice score (2 decimals) is not in the panel's title: the "
                          "reader should see the number you computed.")
    for letter, panel in zip("abcd", PANELS):
        if not panel_label(panels[panel], letter):
            raise CheckFailed(f"The {panel} panel has no panel letter '{letter}' at its "
                              "top-left corner.")


@checks.add(points=1)
def lesion_volume_from_mesh(lesion_volume_ml, task):
    """The reference lesion's volume from its mesh, in mL."""
    value = get_number(lesion_volume_ml, "lesion_volume_ml")

    def near(x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=VOLUME_TOLERANCE)

    mesh_ml, voxel_ml, ball_ml = _expected_volumes(task)
    voxel_mm3 = float(np.prod(_spacing(task)))
    if near(value, mesh_ml):
        return
    if near(value, voxel_ml):
        raise CheckFailed("This is the volume of the voxel count (voxels x voxel volume), "
                          "not the volume the mesh encloses: mesh the mask in mm and use "
                          "`mesh.mesh_volume`.")
    if near(value, ball_ml):
        raise CheckFailed("This is the volume of an ideal ball (4/3 pi r^3), not of the "
                          "lesion's mesh.")
    if near(value, mesh_ml * 1000):
        raise CheckFailed("This looks like mm³: 1 mL is 1000 mm³.")
    if near(value, mesh_ml / voxel_mm3) or near(value, mesh_ml * 1000 / voxel_mm3):
        raise CheckFailed("This volume is in voxels: mesh the mask with the voxel spacing.")
    raise CheckFailed("`lesion_volume_ml` is not the volume of the reference lesion's mesh "
                      "in mL: mesh the reference mask (in mm) and use `mesh.mesh_volume`.")


