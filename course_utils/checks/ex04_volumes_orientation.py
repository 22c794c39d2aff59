"""Checks for exercise 04, volumes, planes and orientation.

The task data (:func:`make_task`) differ per variant:

- a small *oblique* CT series, tilted about the x axis and written feet first (its slice
  normal points towards the feet, so sorting by z gives the reverse of the order along the
  normal), with its own slice spacing, SliceThickness (not the spacing), InstanceNumber in a
  shuffled order (not the anatomical one) and origin; the task stores only what the headers
  hold (ImagePositionPatient in file order, ImageOrientationPatient, PixelSpacing...), the
  checks compute the sorted order, the spacing and the affine from them; the notebook writes
  the series to a folder with :func:`write_series_files` and reads the headers back;
- a synthetic chest volume with non-isotropic voxels, ``dz != dy != dx``, so that an aspect
  computed from the wrong axes fails, and the voxel ``point`` the three planes pass through;
- the isotropic target spacing of the resampling task.

Planes are judged by what a reader sees: the image is put in screen order (its extent,
``origin`` and the axis limits decide which pixel is top-left), compared with the plane as
radiological display shows it (axial: anterior up, the patient's right on the viewer's left;
coronal: superior up, right on the left; sagittal: superior up, anterior on the left), and
its pixels' shape on screen (extent, aspect and axes box after layout) with the voxel's mm.

Examples
--------
>>> task = make_task(0)
>>> geometry = _geometry(task)
>>> len(task.spacing), task.spacing[1] != task.spacing[2], task.series_thickness != \
geometry["spacing"], bool(geometry["normal"][2] < 0)
(3, True, True, True)
"""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array, get_axes,
                                 get_number)
from course_utils.checks._predicates import image_array

checks = CheckList("04_volumes_orientation")
task = checks.task
__all__ = ["axial_plane", "checks", "coronal_plane", "lps_to_ras_affine", "make_task",
           "resampling_factors", "sagittal_plane", "slice_spacing", "sort_along_normal",
           "task", "write_series_files"]

_FOV_MM = (260.0, 280.0, 372.0)          # z, y, x field of view of the chest volume
_LESION_MM = (-10.0, 20.0, -92.0)       # phantom lesion centre (z, y, x) from the FOV centre
_ASPECT_TOLERANCE = 0.03


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The data of exercise 04 for ``variant`` (deterministic, in memory, fast).

    Only what the headers and the volume hold is stored (the series' ImagePositionPatient in
    file order, its ImageOrientationPatient, PixelSpacing, InstanceNumber, SliceThickness); the
    sorted order, the slice spacing and the affines are computed by the checks.
    """
    from course_utils.phantom import chest_volume

    rng = np.random.default_rng([4, variant])
    # the oblique series, feet first: the slice normal points towards the feet (-z), so the
    # order along the normal is the reverse of the order of z
    n_slices = int(rng.integers(10, 15))
    dz = float(rng.choice([2.5, 3.0, 4.0, 5.0, 6.0]))
    pixel_spacing = (float(rng.choice([5.0, 6.0])), float(rng.choice([5.5, 6.5])))
    tilt = np.deg2rad(float(rng.integers(12, 29)) * rng.choice([-1, 1]))
    orientation = (-1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt)))
    shape = (n_slices, 48, 56)
    row, col = np.array(orientation[:3]), np.array(orientation[3:])
    normal = np.cross(row, col)
    origin = (float(pixel_spacing[1] * (shape[2] - 1) / 2),
              -pixel_spacing[0] * (shape[1] - 1) / 2, float(rng.integers(-20, 81)))
    positions = np.array(origin) + np.arange(n_slices)[:, None] * dz * normal
    file_order = rng.permutation(n_slices)
    numbers = rng.permutation(n_slices) + 1
    series_thickness = float(dz * rng.choice([1.25, 1.5, 2.0]))
    # the chest volume of the plane and resampling tasks: dz, dy, dx all different
    cz = float(rng.choice([3.5, 4.0, 5.0, 6.0]))
    cy = float(rng.choice([1.8, 2.0, 2.4, 2.8]))
    cx = float(rng.choice([x for x in (1.7, 2.2, 2.6, 3.0) if abs(x - cy) > 0.15]))
    spacing = (cz, cy, cx)
    chest_shape = tuple(int(round(fov / d)) for fov, d in zip(_FOV_MM, spacing))
    chest = chest_volume(shape=chest_shape, spacing=spacing, seed=int(variant) % 2**31)
    point = tuple(int(round((mm + rng.uniform(-6, 6)) / d + (n - 1) / 2))
                  for mm, d, n in zip(_LESION_MM, spacing, chest_shape))
    target = float(rng.choice([1.0, 1.25, 2.5, 3.0]))
    return types.SimpleNamespace(
        variant=int(variant), n_slices=n_slices, series_shape=shape,
        pixel_spacing=pixel_spacing, orientation=orientation,
        image_positions=np.round(positions[file_order], 6),
        instance_numbers=numbers[file_order].tolist(), series_thickness=series_thickness,
        series_seed=int(rng.integers(1, 1000)), chest_hu=chest.hu, spacing=spacing,
        point=point, target_spacing_mm=target)


def write_series_files(task_data: types.SimpleNamespace, folder: str | Path) -> list[Path]:
    """Write the task's oblique series into ``folder`` (DICOM, one file per slice).

    Each slice gets its ImagePositionPatient, InstanceNumber and SliceThickness from the
    task, as a scanner that numbered the images in its own order and reconstructed
    overlapping slabs would write them. Returns the files in slice order along the normal
    (the file names themselves are in no particular order).
    """
    import pydicom

    from course_utils.dicom import write_series
    from course_utils.phantom import chest_volume

    geometry = _geometry(task_data)
    dy, dx = task_data.pixel_spacing
    small = chest_volume(shape=task_data.series_shape, spacing=(geometry["spacing"], dy, dx),
                         seed=task_data.series_seed)
    paths = write_series(small.hu, small.spacing, folder, orientation=task_data.orientation,
                         origin=geometry["positions"][0], seed=task_data.series_seed)
    numbers = np.asarray(task_data.instance_numbers)[geometry["order"]]
    for path, number in zip(paths, numbers):
        header = pydicom.dcmread(path)
        header.InstanceNumber = int(number)
        header.SliceThickness = task_data.series_thickness
        header.PatientPosition = "FFS"      # feet first, supine
        header.save_as(path)
    return paths


def _geometry(task_data) -> dict:
    """The series' geometry computed from its headers' values: the normal, the order along
    it, the sorted positions, the (uniform) spacing and the voxel-to-LPS affine."""
    orientation = np.array(task_data.orientation, dtype=float)
    row, col = orientation[:3], orientation[3:]
    normal = np.cross(row, col)
    positions = np.asarray(task_data.image_positions, dtype=float)
    order = np.argsort(positions @ normal, kind="stable")
    positions = positions[order]
    gaps = np.diff(positions @ normal)
    spacing = float(np.mean(gaps))
    assert np.allclose(gaps, spacing, atol=1e-4), "the series' spacing is not uniform"
    dy, dx = task_data.pixel_spacing
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2] = row * dx, col * dy, normal * spacing
    affine[:3, 3] = positions[0]
    return {"normal": normal, "order": order, "positions": positions, "spacing": spacing,
            "affine": affine}


def _check_vector(value, name, n):
    array = get_array(value, name)
    if array.size != n:
        raise CheckFailed(f"`{name}` should hold {n} numbers, it holds {array.size}.")
    return np.asarray(array, dtype=float).ravel()


# --------------------------------------------------------------------------- tasks 1, 2

@checks.add(points=1)
def sort_along_normal(slice_positions_sorted, task):
    """The ImagePositionPatient of every slice, sorted along the slice normal (first = lowest)."""
    positions = get_array(slice_positions_sorted, "slice_positions_sorted")
    geometry = _geometry(task)
    expected = geometry["positions"]
    if positions.shape != expected.shape:
        raise CheckFailed(f"`slice_positions_sorted` has shape {tuple(positions.shape)}; it "
                          "should have one row (x, y, z) per slice of the series.")
    positions = np.asarray(positions, dtype=float)
    if np.allclose(positions, expected, atol=1e-2):
        return
    by_number = expected[np.argsort(np.asarray(task.instance_numbers)[geometry["order"]])]
    if np.allclose(positions, by_number, atol=1e-2):
        raise CheckFailed("The positions are in InstanceNumber order, which is not the "
                          "anatomical order in this series: sort by the projection on the "
                          "slice normal.")
    if len(positions) > 1 and np.all(np.diff(positions[:, 2]) > 0) and \
            np.allclose(np.sort(positions, axis=0), np.sort(expected, axis=0), atol=1e-2):
        raise CheckFailed("The rows are in order of increasing z (ImagePositionPatient[2]). "
                          "The slices of this series are tilted and its normal points towards "
                          "the feet, so the order of z is not the order of increasing "
                          "projection on the normal: sort by the projection (the first row is "
                          "the slice with the smallest one).")
    if np.allclose(positions, expected[::-1], atol=1e-2):
        raise CheckFailed("The slices are in the reverse order: the first row should be the "
                          "slice with the smallest projection on the normal.")
    along = positions @ geometry["normal"]
    if not np.all(np.diff(along) > 0):
        raise CheckFailed("The positions are not in order along the slice normal. Project each "
                          "ImagePositionPatient on the normal (the cross product of the two "
                          "ImageOrientationPatient vectors) and sort by that number, not by "
                          "InstanceNumber or file name.")
    raise CheckFailed("The rows are in order but are not the series' positions: take them "
                      "from ImagePositionPatient of each header.")


@checks.add(points=1)
def slice_spacing(slice_spacing_mm, task):
    """The slice spacing of the oblique series in mm, measured from the positions."""
    value = get_number(slice_spacing_mm, "slice_spacing_mm")
    geometry = _geometry(task)
    dz = geometry["spacing"]
    if abs(value - dz) < 1e-3:
        return
    if abs(abs(value) - dz * abs(geometry["normal"][2])) < 1e-2:
        raise CheckFailed("That is the distance between slices along z only. The slices are "
                          "tilted: measure the distance along the slice normal.")
    if abs(value + dz) < 1e-3:
        raise CheckFailed("The spacing is negative: the slices are in the reverse order.")
    if abs(value - task.series_thickness) < 1e-3:
        raise CheckFailed("That is SliceThickness, the thickness of each reconstructed slab, "
                          "not the distance between slice centres: use the positions.")
    raise CheckFailed("Not the slice spacing yet: take the differences of the sorted "
                      "positions projected on the slice normal (they should all be equal).")


# --------------------------------------------------------------------------- task 3: planes

#: plane: (axis of the volume it cuts, what is up, what is on the viewer's left).
_PLANES = {
    "axial": (0, "anterior", "the patient's right"),
    "coronal": (1, "superior", "the patient's right"),
    "sagittal": (2, "superior", "anterior"),
}
_DOWN = {"anterior": "posterior", "superior": "inferior"}
_RIGHT = {"the patient's right": "the patient's left", "anterior": "posterior"}


def _display(hu: np.ndarray, plane: str, index: int) -> np.ndarray:
    """The plane as radiological display shows it, top row first, leftmost column first."""
    if plane == "axial":
        return hu[index]
    if plane == "coronal":
        return hu[::-1, index, :]
    return hu[::-1, :, index]


def _pixel_mm(spacing, plane: str) -> tuple[float, float]:
    dz, dy, dx = spacing
    return {"axial": (dy, dx), "coronal": (dz, dx), "sagittal": (dz, dy)}[plane]


def _on_screen(image: dict, axes: dict) -> tuple[np.ndarray, float]:
    """The image's data in screen order (top row, left column first) and the height / width
    ratio of one pixel on screen."""
    data = np.ma.filled(image_array(image), np.nan)
    rows, columns = data.shape[:2]
    left, right, bottom, top = image["extent"]
    row0, row_last = (top, bottom) if image.get("origin", "upper") == "upper" else (bottom, top)
    x0, x1 = axes["xlim"]
    y_bottom, y_top = axes["ylim"]
    if (row_last - row0) * (y_bottom - y_top) < 0:
        data = data[::-1]
    if (right - left) * (x1 - x0) < 0:
        data = data[:, ::-1]
    width_mm, height_mm = axes["size_mm"]
    x_scale = width_mm / abs(x1 - x0)
    y_scale = height_mm / abs(y_top - y_bottom)
    pixel_height = abs(top - bottom) / rows * y_scale
    pixel_width = abs(right - left) / columns * x_scale
    return data, pixel_height / pixel_width


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, atol=0.5, equal_nan=False))


def _flips(data: np.ndarray, expected: np.ndarray) -> tuple[bool, bool] | None:
    """(vertically flipped, horizontally flipped) if data is expected up to flips, else None."""
    for vertical in (False, True):
        for horizontal in (False, True):
            candidate = expected[::-1] if vertical else expected
            candidate = candidate[:, ::-1] if horizontal else candidate
            if _same(data, candidate):
                return vertical, horizontal
    return None


def _mesh_image(mesh: dict) -> dict | None:
    """A ``pcolormesh`` on a rectilinear grid as the image it draws: cell ``[i, j]`` spans
    ``x[j]..x[j + 1]`` and ``y[i]..y[i + 1]``, i.e. row 0 at ``y[0]`` (``origin="lower"``)."""
    coordinates = np.asarray(mesh.get("coordinates"), dtype=float)
    array = mesh.get("array")
    if coordinates.ndim != 3 or array is None:
        return None
    x, y = coordinates[..., 0], coordinates[..., 1]
    if not (np.allclose(x, x[:1]) and np.allclose(y, y[:, :1])):
        return None                                  # not a rectilinear grid
    steps_x, steps_y = np.diff(x[0]), np.diff(y[:, 0])
    if not (np.allclose(steps_x, steps_x[0]) and np.allclose(steps_y, steps_y[0])):
        return None                                  # not evenly spaced: not one pixel size
    return {"array": array, "extent": [x[0, 0], x[0, -1], y[0, 0], y[-1, 0]],
            "origin": "lower"}


def _plane_image(axes: dict, name: str) -> dict:
    """The first image on the panel: an ``imshow`` image, or a ``pcolormesh`` on an even grid."""
    if axes["images"]:
        return first_image(axes, name)
    for collection in axes["collections"]:
        if collection.get("class") == "QuadMesh":
            image = _mesh_image(collection)
            if image is None:
                raise CheckFailed(f"the pcolormesh on `{name}` is not on an evenly spaced "
                                  "grid: give one coordinate per pixel edge, evenly spaced "
                                  "(or use `imshow`).")
            return image
    return first_image(axes, name)


def _judge_plane(value, name: str, plane: str, task) -> None:
    axes = get_axes(value, name)
    image = _plane_image(axes, name)
    axis, up, left = _PLANES[plane]
    index = task.point[axis]
    expected = _display(task.chest_hu, plane, index)
    data, ratio = _on_screen(image, axes)
    variable = ("k", "j", "i")[axis]
    # 1. the plane through the task's voxel
    if data.ndim != 2:
        raise CheckFailed(f"the image on `{name}` has shape {tuple(data.shape)}: show the "
                          f"{plane} plane in HU, a 2D array.")
    if data.shape != expected.shape:
        if data.shape == expected.shape[::-1]:
            raise CheckFailed(f"the image on `{name}` is transposed: its rows and columns "
                              "are swapped.")
        raise CheckFailed(f"the image on `{name}` has shape {data.shape}; a {plane} plane of "
                          f"`chest_hu` has shape {expected.shape}: take every voxel with one "
                          f"index fixed along axis {axis}.")
    flips = _flips(data, expected)
    if flips is None:
        for other in range(task.chest_hu.shape[axis]):
            if other != index and _flips(data, _display(task.chest_hu, plane, other)):
                raise CheckFailed(f"the image on `{name}` is the {plane} plane at index "
                                  f"{other}, not at `{variable}` of `point`.")
        article = "an" if plane == "axial" else "a"
        raise CheckFailed(f"the image on `{name}` is not {article} {plane} plane of `chest_hu` "
                          "(in HU).")
    # 2. orientation
    vertical, horizontal = flips
    if vertical:
        raise CheckFailed(f"the {plane} plane is upside down: {_DOWN[up]} is at the top, "
                          f"{up} should be up.")
    if horizontal:
        raise CheckFailed(f"the {plane} plane is mirrored: {_RIGHT[left]} is on the viewer's "
                          f"left; radiological display puts {left} there.")
    # 3. true aspect
    row_mm, col_mm = _pixel_mm(task.spacing, plane)
    wanted = row_mm / col_mm
    if abs(ratio / wanted - 1) <= _ASPECT_TOLERANCE:
        return
    if abs(ratio - 1) <= _ASPECT_TOLERANCE:
        raise CheckFailed(f"the {plane} plane's pixels are drawn square, but its voxels are "
                          "not: give an `extent` in mm or an `aspect` from the spacing.")
    if abs(ratio * wanted - 1) <= _ASPECT_TOLERANCE:
        raise CheckFailed(f"the {plane} plane's aspect is inverted (column spacing / row "
                          "spacing): a pixel's height is the spacing along the rows' axis.")
    dz, dy, dx = task.spacing
    pairs = [dz / dy, dz / dx, dy / dx, dy / dz, dx / dz, dx / dy]
    if any(abs(ratio / other - 1) <= _ASPECT_TOLERANCE for other in pairs):
        raise CheckFailed(f"the {plane} plane's aspect comes from the spacing of the wrong "
                          "axes: its rows and columns run along other axes of the volume.")
    raise CheckFailed(f"the {plane} plane's pixels on screen are {ratio:.2f} times as tall "
                      "as wide: that is not the shape of its voxels in mm.")


@checks.add(points=1)
def axial_plane(ax_axial, task):
    """The axial plane through `point`, anterior up, patient right on the left, true aspect."""
    _judge_plane(ax_axial, "ax_axial", "axial", task)


@checks.add(points=1)
def coronal_plane(ax_coronal, task):
    """The coronal plane through `point`, superior up, patient right on the left, true aspect."""
    _judge_plane(ax_coronal, "ax_coronal", "coronal", task)


@checks.add(points=1)
def sagittal_plane(ax_sagittal, task):
    """The sagittal plane through `point`, superior up, anterior on the left, true aspect."""
    _judge_plane(ax_sagittal, "ax_sagittal", "sagittal", task)


# --------------------------------------------------------------------------- task 4, 5

@checks.add(points=1)
def resampling_factors(zoom_factors, true_spacing_mm, task):
    """Zoom factors per axis (z, y, x) to the target spacing, and the spacing really obtained."""
    zoom = _check_vector(zoom_factors, "zoom_factors", 3)
    if np.size(true_spacing_mm) == 1 and not isinstance(true_spacing_mm, dict) and \
            np.allclose(np.asarray(true_spacing_mm, dtype=float), task.target_spacing_mm):
        raise CheckFailed("`true_spacing_mm` is the target spacing. The number of voxels is "
                          "rounded to a whole number, so the spacing really obtained differs a "
                          "little along each axis: give (dz, dy, dx).")
    true = _check_vector(true_spacing_mm, "true_spacing_mm", 3)
    old = np.array(task.spacing)
    shape = np.array(task.chest_hu.shape)
    expected_zoom = old / task.target_spacing_mm
    new_shape = np.round(shape * expected_zoom)
    if not (np.allclose(zoom, expected_zoom, rtol=1e-3)
            or np.allclose(zoom, new_shape / shape, rtol=1e-3)):
        if np.allclose(zoom, 1 / expected_zoom, rtol=1e-3):
            raise CheckFailed("The zoom factors are upside down: a smaller voxel means more "
                              "voxels, so the factor is old spacing / new spacing.")
        if np.allclose(zoom, expected_zoom[::-1], rtol=1e-3):
            raise CheckFailed("The factors are in (x, y, z) order; the volume is indexed "
                              "[z, y, x].")
        raise CheckFailed("`zoom_factors` are not the zoom per axis yet: compare the old and "
                          "the new spacing along each axis.")
    expected_true = old * shape / new_shape
    if np.allclose(true, expected_true, rtol=1e-4):
        return
    if np.allclose(true, task.target_spacing_mm, atol=1e-6):
        raise CheckFailed("`true_spacing_mm` is the target spacing. The number of voxels is "
                          "rounded to a whole number, so the spacing really obtained differs a "
                          "little: compute it from the old size in mm and the new shape.")
    corners = old * (shape - 1) / np.maximum(new_shape - 1, 1)
    if np.allclose(true, corners, rtol=1e-4):
        raise CheckFailed("`true_spacing_mm` keeps the centres of the first and last voxels "
                          "in place (scipy's default `grid_mode=False`), which shrinks the "
                          "field of view; the task keeps the field of view (`grid_mode=True`): "
                          "the old size in mm divided by the new number of voxels.")
    if np.allclose(true, expected_true[::-1], rtol=1e-4):
        raise CheckFailed("`true_spacing_mm` is in (x, y, z) order; give (dz, dy, dx).")
    raise CheckFailed("`true_spacing_mm` is not the spacing of the rounded grid: field of "
                      "view (old spacing x old number of voxels) / new number of voxels.")


@checks.add(points=1)
def lps_to_ras_affine(affine_ras, task):
    """The RAS+ (NIfTI) affine of the oblique series, from its LPS+ (DICOM) affine."""
    affine = get_array(affine_ras, "affine_ras")
    if affine.shape != (4, 4):
        raise CheckFailed(f"`affine_ras` should be a 4x4 matrix, got shape "
                          f"{tuple(affine.shape)}.")
    lps = _geometry(task)["affine"]
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    atol = 1e-3
    if np.allclose(affine, flip @ lps, atol=atol):
        return
    if np.allclose(affine, lps, atol=atol):
        raise CheckFailed("`affine_ras` is still the LPS affine: RAS points x and y the other "
                          "way.")
    if np.allclose(affine, lps @ flip, atol=atol):
        raise CheckFailed("You flipped the voxel axes (columns of the matrix) instead of the "
                          "world axes: the conversion multiplies from the left.")
    if np.allclose(affine, np.diag([-1.0, -1.0, -1.0, 1.0]) @ lps, atol=atol):
        raise CheckFailed("z means superior in both LPS and RAS: only x and y change sign.")
    if np.allclose(affine, np.diag([-1.0, 1.0, 1.0, 1.0]) @ lps, atol=atol):
        raise CheckFailed("Only x changed sign: that mirrors the patient. RAS points both x "
                          "and y the other way.")
    if np.allclose(affine[:3, :3], (flip @ lps)[:3, :3], atol=atol):
        raise CheckFailed("The rotation and scaling are right but the translation (last "
                          "column) is not: the origin's x and y change sign too.")
    raise CheckFailed("Not the RAS affine yet: start from the series' LPS affine and change the "
                      "sign of the world's x and y.")
