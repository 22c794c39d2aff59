"""Checks for exercise 04, volumes, planes and orientation.

The exercise works on two data sets, both rebuilt here from their parameters (the notebook
uses the same numbers):

- a small *oblique* CT series (slices tilted by :data:`TILT_DEG` about the x axis) written
  with :func:`course_utils.dicom.write_series`; its headers are read in file-name order;
- the phantom chest volume :data:`CHEST` (72 x 256 x 256 voxels of 4 x 1.5 x 1.5 mm).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array,
                                       get_axes, get_number)

checks = CheckList("04_volumes_orientation")
__all__ = ["CHEST", "CORONAL_ROW", "RESAMPLE_MM", "SERIES", "TILT_DEG", "checks", "coronal_plane",
           "lps_to_ras_affine", "resampling_factors", "series_orientation", "slice_spacing",
           "sort_along_normal"]

#: The oblique series of the exercise: shape, spacing (dz, dy, dx), first position (LPS mm).
SERIES = {"shape": (12, 64, 64), "spacing": (5.0, 6.0, 6.0), "origin": (-189.0, -189.0, -30.0),
          "seed": 4}
#: Tilt of the oblique series about the x axis, in degrees.
TILT_DEG = 20.0
#: The phantom volume of the exercise.
CHEST = {"shape": (72, 256, 256), "spacing": (4.0, 1.5, 1.5), "seed": 0}
#: Row (y index) of the coronal plane the exercise asks for (through the lesion).
CORONAL_ROW = 141
#: Isotropic target spacing of the resampling task, in mm.
RESAMPLE_MM = 2.5


def series_orientation() -> tuple[float, ...]:
    """ImageOrientationPatient of the oblique series (row cosine, column cosine)."""
    tilt = np.deg2rad(TILT_DEG)
    return (1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt)))


@lru_cache(maxsize=1)
def _series_geometry() -> dict:
    """Sorted geometry of the oblique series, as write_series lays it out."""
    orientation = np.array(series_orientation())
    row, col = orientation[:3], orientation[3:]
    normal = np.cross(row, col)
    dz, dy, dx = SERIES["spacing"]
    origin = np.array(SERIES["origin"], dtype=float)
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2], affine[:3, 3] = row * dx, col * dy, normal * dz, origin
    return {"normal": normal, "affine": affine}


def _check_vector(value, name, n):
    array = get_array(value, name)
    if array.size != n:
        raise CheckFailed(f"`{name}` should hold {n} numbers, it holds {array.size}.")
    return np.asarray(array, dtype=float).ravel()


@checks.add(points=1)
def sort_along_normal(slice_positions_sorted):
    """The ImagePositionPatient of every slice, sorted along the slice normal (first = lowest)."""
    positions = get_array(slice_positions_sorted, "slice_positions_sorted")
    n = SERIES["shape"][0]
    if positions.shape != (n, 3):
        raise CheckFailed(f"`slice_positions_sorted` has shape {tuple(positions.shape)}; it "
                          "should have one row (x, y, z) per slice of the series.")
    normal = _series_geometry()["normal"]
    along = positions.astype(float) @ normal
    steps = np.diff(along)
    if np.all(steps < 0):
        raise CheckFailed("The slices are in the reverse order: the first row should be the "
                          "slice with the smallest projection on the normal. (InstanceNumber "
                          "runs head to foot in this series.)")
    if not np.all(steps > 0):
        raise CheckFailed("The positions are not in order along the slice normal. Project each "
                          "ImagePositionPatient on the normal (the cross product of the two "
                          "ImageOrientationPatient vectors) and sort by that number, not by "
                          "InstanceNumber or file name.")
    origin = np.array(SERIES["origin"], dtype=float)
    if not np.allclose(positions[0], origin, atol=1e-2):
        raise CheckFailed("The rows are in order but are not the series' positions: take them "
                          "from ImagePositionPatient of each header.")


@checks.add(points=1)
def slice_spacing(slice_spacing_mm):
    """The slice spacing of the oblique series in mm, measured from the positions."""
    value = get_number(slice_spacing_mm, "slice_spacing_mm")
    dz = SERIES["spacing"][0]
    if abs(value - dz) < 1e-3:
        return
    if abs(value - dz * np.cos(np.deg2rad(TILT_DEG))) < 1e-2:
        raise CheckFailed("That is the distance between slices along z only. The slices are "
                          "tilted: measure the distance along the slice normal.")
    if abs(value + dz) < 1e-3:
        raise CheckFailed("The spacing is negative: the slices are in the reverse order.")
    if abs(value - 7.5) < 1e-3:
        raise CheckFailed("That is SliceThickness, the thickness of each reconstructed slab, "
                          "not the distance between slice centres: use the positions.")
    raise CheckFailed("Not the slice spacing yet: take the differences of the sorted "
                      "positions projected on the slice normal (they should all be equal).")


@lru_cache(maxsize=1)
def _coronal_expected() -> np.ndarray:
    from course_utils.phantom import chest_volume

    chest = chest_volume(shape=CHEST["shape"], spacing=CHEST["spacing"], seed=CHEST["seed"])
    return np.ascontiguousarray(chest.hu[:, CORONAL_ROW, :])


@checks.add(points=1)
def coronal_plane(ax_coronal):
    """The coronal plane through row 141, superior up, drawn with its extent in mm."""
    ax = get_axes(ax_coronal, "ax_coronal")
    image = first_image(ax, "ax_coronal")
    array = image["array"]
    if not isinstance(array, np.ndarray):
        array = get_array(array, "the image on ax_coronal")
    plane = _coronal_expected()
    nz, nx = plane.shape
    if array.shape != plane.shape:
        raise CheckFailed(f"The image has shape {tuple(array.shape)}: a coronal plane of the "
                          "volume has one row per slice and one column per column of the "
                          "volume. Take all slices at one row index (axis 1).")
    if np.allclose(array, plane, atol=1.0):
        superior_up = image["origin"] == "lower"
    elif np.allclose(array, plane[::-1], atol=1.0):
        superior_up = image["origin"] == "upper"
    else:
        raise CheckFailed("The image is not the coronal plane at the row the task gives (or "
                          "it is mirrored left-right). Check the row index and the axis.")
    if not superior_up:
        raise CheckFailed("The patient is upside down: slice index 0 is the most inferior "
                          "slice, so with imshow's default origin the rows must be reversed.")
    dz, _, dx = CHEST["spacing"]
    left, right, bottom, top = image["extent"]
    width, height = abs(right - left), abs(top - bottom)
    if np.isclose(width, nx, rtol=0.02) and np.isclose(height, nz, rtol=0.05):
        raise CheckFailed("The extent is in pixels. Give it in mm, so that each slice is as "
                          "tall as the slice spacing and each column as wide as the column "
                          "spacing.")
    if np.isclose(width, nx * dz, rtol=0.02) or np.isclose(height, nz * dx, rtol=0.05):
        raise CheckFailed("The extent mixes up the two spacings: the vertical axis runs along "
                          "the slices, the horizontal one along the columns.")
    if not (np.isclose(width, nx * dx, rtol=0.02) and np.isclose(height, nz * dz, rtol=0.02)):
        raise CheckFailed("The extent does not span the plane's size in mm: (number of pixels) "
                          "x (pixel size) along each axis.")
    if not np.isclose(left, -dx / 2, atol=0.05) or not np.isclose(min(top, bottom), -dz / 2,
                                                                   atol=0.05):
        raise CheckFailed("The size is right but the extent is shifted: the course puts pixel "
                          "centres at 0, spacing, 2 x spacing, ..., so the extent starts half a "
                          "pixel before 0.")
    if image["origin"] == "upper" and not top < bottom:
        raise CheckFailed("With origin='upper', the extent's top (4th value) must be the smaller "
                          "number, or the image is flipped back upside down.")
    aspect = ax["aspect"]
    if aspect not in ("equal", 1.0) and not (isinstance(aspect, float)
                                              and np.isclose(aspect, 1.0)):
        raise CheckFailed("With an extent in mm, keep aspect='equal' (1 mm across = 1 mm down).")


@checks.add(points=1)
def resampling_factors(zoom_factors, true_spacing_mm):
    """Zoom factors per axis (z, y, x) to 2.5 mm isotropic, and the spacing really obtained."""
    zoom = _check_vector(zoom_factors, "zoom_factors", 3)
    true = _check_vector(true_spacing_mm, "true_spacing_mm", 3)
    old = np.array(CHEST["spacing"])
    shape = np.array(CHEST["shape"])
    expected_zoom = old / RESAMPLE_MM
    if np.allclose(zoom, 1 / expected_zoom, rtol=1e-3):
        raise CheckFailed("The zoom factors are upside down: a smaller voxel means more "
                          "voxels, so the factor is old spacing / new spacing.")
    if np.allclose(zoom, expected_zoom[::-1], rtol=1e-3) and not np.allclose(
            zoom, expected_zoom, rtol=1e-3):
        raise CheckFailed("The factors are in (x, y, z) order; the volume is indexed [z, y, x].")
    new_shape = np.round(shape * expected_zoom)
    if not (np.allclose(zoom, expected_zoom, rtol=1e-3)
            or np.allclose(zoom, new_shape / shape, rtol=1e-3)):
        raise CheckFailed("`zoom_factors` are not the zoom per axis yet: compare the old and "
                          "the new spacing along each axis.")
    expected_true = old * shape / new_shape
    if np.allclose(true, RESAMPLE_MM, atol=1e-6):
        raise CheckFailed("`true_spacing_mm` is the target spacing. The number of voxels is "
                          "rounded to a whole number, so the spacing really obtained differs a "
                          "little: compute it from the old size in mm and the new shape.")
    if not np.allclose(true, expected_true, rtol=1e-4):
        raise CheckFailed("`true_spacing_mm` is not the spacing of the rounded grid: field of "
                          "view (old spacing x old number of voxels) / new number of voxels.")


@checks.add(points=1)
def lps_to_ras_affine(affine_ras):
    """The RAS+ (NIfTI) affine of the oblique series, from its LPS+ (DICOM) affine."""
    affine = get_array(affine_ras, "affine_ras")
    if affine.shape != (4, 4):
        raise CheckFailed(f"`affine_ras` should be a 4x4 matrix, got shape "
                          f"{tuple(affine.shape)}.")
    lps = _series_geometry()["affine"]
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
    raise CheckFailed("Not the RAS affine yet: start from the series' LPS affine and change the "
                      "sign of the world's x and y.")
