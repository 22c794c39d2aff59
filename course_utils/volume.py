"""Volumes in patient space: the :class:`Volume` container, orthogonal planes, resampling.

A volume is indexed ``[z, y, x]`` = ``[slice, row, column]`` with ``spacing = (dz, dy, dx)``
in mm. Its ``affine`` maps homogeneous voxel indices ``(column i, row j, slice k, 1)`` to DICOM
patient coordinates (LPS+, mm): column -> patient Left, row -> Posterior, slice -> Superior for
an axial series read with :func:`course_utils.dicom.read_series`.

Planes are returned so that ``imshow(origin="upper")`` shows them in the radiological
convention: axial with anterior up and the patient's right on the viewer's left; coronal and
sagittal with superior up. :func:`plane_spacing` gives the matching ``(row_mm, col_mm)`` for an
``extent`` or ``aspect``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ._validation import check_spacing as _check_spacing

__all__ = [
    "PLANES",
    "Volume",
    "affine_from_geometry",
    "get_plane",
    "plane_axis_labels",
    "plane_spacing",
    "resample",
    "resample_volume",
]

PLANES = ("axial", "coronal", "sagittal")


@dataclass
class Volume:
    """A CT (or MR) volume with its geometry in patient space.

    Parameters
    ----------
    hu : numpy.ndarray
        Image values, float32, indexed ``[z, y, x]`` (Hounsfield units for CT).
    spacing : tuple of float
        ``(dz, dy, dx)`` in mm: slice, row and column spacing.
    affine : numpy.ndarray
        4x4 matrix mapping ``(column i, row j, slice k, 1)`` to LPS+ coordinates in mm.
    headers : list of pydicom.dataset.Dataset
        One header per slice in slice order, pixel data removed (empty for NIfTI or arrays).

    Examples
    --------
    >>> import numpy as np
    >>> vol = Volume(np.zeros((2, 3, 4), np.float32), (2.5, 0.5, 0.5),
    ...              affine_from_geometry((10, 20, 30), (1, 0, 0), (0, 1, 0), (0, 0, 1),
    ...                                   (2.5, 0.5, 0.5)))
    >>> vol.shape
    (2, 3, 4)
    >>> vol.origin.tolist()
    [10.0, 20.0, 30.0]
    >>> vol.voxel_to_world((3, 2, 1)).tolist()   # (column, row, slice)
    [11.5, 21.0, 32.5]
    """

    hu: np.ndarray
    spacing: tuple[float, float, float]
    affine: np.ndarray
    headers: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.hu, np.ndarray) or self.hu.ndim != 3:
            raise ValueError("Volume.hu must be a 3D numpy array [z, y, x], got "
                             f"{type(self.hu).__name__} with shape "
                             f"{getattr(self.hu, 'shape', None)}")
        self.spacing = _check_spacing(self.spacing, 3, "Volume.spacing")  # type: ignore[assignment]
        affine = np.asarray(self.affine, dtype=float)
        if affine.shape != (4, 4):
            raise ValueError(f"Volume.affine must be a 4x4 matrix, got shape {affine.shape}; "
                             "build one with affine_from_geometry()")
        self.affine = affine

    @property
    def shape(self) -> tuple[int, int, int]:
        """Array shape ``(nz, ny, nx)``."""
        return tuple(self.hu.shape)  # type: ignore[return-value]

    @property
    def origin(self) -> np.ndarray:
        """LPS position in mm of the center of voxel ``[0, 0, 0]``."""
        return self.affine[:3, 3].copy()

    def voxel_to_world(self, ijk: Sequence[float]) -> np.ndarray:
        """LPS coordinates (mm) of voxel ``(column i, row j, slice k)``."""
        return (self.affine @ np.append(np.asarray(ijk, float), 1.0))[:3]

    def world_to_voxel(self, lps: Sequence[float]) -> np.ndarray:
        """Fractional voxel indices ``(column i, row j, slice k)`` of an LPS point (mm)."""
        return (np.linalg.inv(self.affine) @ np.append(np.asarray(lps, float), 1.0))[:3]


def affine_from_geometry(origin_lps: Sequence[float], row_cosine: Sequence[float],
                         col_cosine: Sequence[float], slice_direction: Sequence[float],
                         spacing: Sequence[float]) -> np.ndarray:
    """Build the 4x4 voxel-to-LPS affine of a volume from its DICOM geometry.

    Parameters
    ----------
    origin_lps : sequence of 3 float
        ImagePositionPatient of the first slice: center of voxel ``[0, 0, 0]`` in mm.
    row_cosine : sequence of 3 float
        Direction in which the column index increases (first 3 values of
        ImageOrientationPatient).
    col_cosine : sequence of 3 float
        Direction in which the row index increases (last 3 values of ImageOrientationPatient).
    slice_direction : sequence of 3 float
        Direction in which the slice index increases (normally ``cross(row, col)``).
    spacing : sequence of 3 float
        ``(dz, dy, dx)`` in mm. Note the order: PixelSpacing is ``(dy, dx)``.

    Returns
    -------
    numpy.ndarray
        ``A`` such that ``A @ (i, j, k, 1)`` is the LPS position of column i, row j, slice k.

    Examples
    --------
    >>> A = affine_from_geometry((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (3.0, 0.5, 0.7))
    >>> np.diag(A).tolist()
    [0.7, 0.5, 3.0, 1.0]
    """
    dz, dy, dx = _check_spacing(spacing, 3, hint="pass (dz, dy, dx)")
    vectors = []
    for name, value in (("origin_lps", origin_lps), ("row_cosine", row_cosine),
                        ("col_cosine", col_cosine), ("slice_direction", slice_direction)):
        v = np.asarray(value, dtype=float).ravel()
        if v.shape != (3,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be 3 finite numbers, got {value!r}")
        vectors.append(v)
    origin, row, col, normal = vectors
    for name, v in (("row_cosine", row), ("col_cosine", col), ("slice_direction", normal)):
        norm = np.linalg.norm(v)
        if norm == 0:
            raise ValueError(f"{name} must not be the zero vector; pass a unit direction")
    affine = np.eye(4)
    affine[:3, 0] = row / np.linalg.norm(row) * dx
    affine[:3, 1] = col / np.linalg.norm(col) * dy
    affine[:3, 2] = normal / np.linalg.norm(normal) * dz
    affine[:3, 3] = origin
    return affine


def _check_plane(plane: Any) -> str:
    if not isinstance(plane, str) or plane.lower() not in PLANES:
        raise ValueError(f"plane must be one of {', '.join(PLANES)}, got {plane!r}")
    return plane.lower()


def get_plane(array: np.ndarray, plane: str = "axial", index: int | None = None) -> np.ndarray:
    """Extract an axial, coronal or sagittal plane, oriented for radiological display.

    Parameters
    ----------
    array : numpy.ndarray or Volume
        Volume indexed ``[z, y, x]`` (slice toward superior, row toward posterior, column toward
        the patient's left, as in an axial DICOM series).
    plane : {"axial", "coronal", "sagittal"}
        Which plane.
    index : int, optional
        Slice index along the axis normal to the plane (z, y or x); default the middle one.
        Negative indices count from the end.

    Returns
    -------
    numpy.ndarray
        A 2D view (no copy). Axial: ``array[index]`` (anterior up, patient right on the left).
        Coronal: ``array[::-1, index, :]`` and sagittal: ``array[::-1, :, index]``, flipped so
        that superior is up with ``imshow(origin="upper")``. Use :func:`plane_spacing` for the
        pixel size in mm.

    Examples
    --------
    >>> vol = np.arange(24).reshape(2, 3, 4)
    >>> get_plane(vol, "axial", 0).shape
    (3, 4)
    >>> get_plane(vol, "coronal", 1).tolist()   # superior (last slice) on top
    [[16, 17, 18, 19], [4, 5, 6, 7]]
    >>> get_plane(vol, "sagittal").shape       # (z, y), middle column
    (2, 3)
    """
    if isinstance(array, Volume):
        array = array.hu
    array = np.asarray(array)
    if array.ndim != 3:
        raise ValueError(f"array must be a 3D volume [z, y, x], got {array.ndim}D with shape "
                         f"{array.shape}; for a single slice there is nothing to extract")
    plane = _check_plane(plane)
    axis = PLANES.index(plane)
    n = array.shape[axis]
    if index is None:
        index = n // 2
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"index must be an integer, got {type(index).__name__}")
    if not -n <= index < n:
        raise ValueError(f"index {index} is out of range for the {plane} plane: the volume has "
                         f"{n} positions along that axis (0 to {n - 1})")
    if plane == "axial":
        return array[index]
    if plane == "coronal":
        return array[::-1, index, :]
    return array[::-1, :, index]


def plane_spacing(spacing: Sequence[float], plane: str = "axial") -> tuple[float, float]:
    """Pixel size ``(row_mm, col_mm)`` of a plane from :func:`get_plane`.

    Parameters
    ----------
    spacing : sequence of 3 float
        Volume spacing ``(dz, dy, dx)`` in mm.
    plane : {"axial", "coronal", "sagittal"}

    Returns
    -------
    tuple of float
        Axial ``(dy, dx)``, coronal ``(dz, dx)``, sagittal ``(dz, dy)``; pass it to
        ``display.show_slice(spacing=...)`` or use ``aspect=row_mm / col_mm``.

    Examples
    --------
    >>> plane_spacing((2.5, 0.7, 0.6), "coronal")
    (2.5, 0.6)
    """
    dz, dy, dx = _check_spacing(spacing, 3, hint="pass the volume spacing (dz, dy, dx)")
    plane = _check_plane(plane)
    return {"axial": (dy, dx), "coronal": (dz, dx), "sagittal": (dz, dy)}[plane]


def plane_axis_labels(plane: str = "axial") -> tuple[str, str]:
    """Axis labels ``(horizontal, vertical)`` for a plane from :func:`get_plane` in mm.

    The values along each axis are distances from the first pixel shown, not patient
    coordinates (on coronal and sagittal planes they grow toward the feet, while patient z
    grows toward the head), so the labels name a direction, not an axis x, y or z.
    Pass the result to ``display.show_slice(axis_labels=...)``.

    Examples
    --------
    >>> plane_axis_labels("sagittal")
    ('mm, anterior to posterior', 'mm, superior to inferior')
    """
    plane = _check_plane(plane)
    return {
        "axial": ("mm, patient right to left", "mm, anterior to posterior"),
        "coronal": ("mm, patient right to left", "mm, superior to inferior"),
        "sagittal": ("mm, anterior to posterior", "mm, superior to inferior"),
    }[plane]


def _is_mask(array: np.ndarray) -> bool:
    return array.dtype == bool or np.issubdtype(array.dtype, np.integer)


def resample(array: np.ndarray, spacing: Sequence[float], new_spacing: Sequence[float] | float,
             order: int | None = None) -> tuple[np.ndarray, tuple[float, ...]]:
    """Resample an image or mask to a target spacing with :func:`scipy.ndimage.zoom`.

    The zoom factor per axis is ``old / new`` spacing. The new shape is rounded to whole
    voxels, so the spacing actually obtained is ``old * old_shape / new_shape``; that true
    spacing is returned (use it, not ``new_spacing``, for extents and volumes). The field of
    view is kept (``grid_mode=True``: voxel edges, not centers, are aligned), so the first voxel
    center moves by ``(true - old) / 2`` along each axis (see :func:`resample_volume`).

    Parameters
    ----------
    array : numpy.ndarray
        2D or 3D array; ``bool`` and integer arrays are treated as masks/label maps.
    spacing : sequence of float
        Current spacing in mm, one value per axis (``(dz, dy, dx)`` or ``(dy, dx)``).
    new_spacing : float or sequence of float
        Target spacing in mm (one number for isotropic).
    order : int, optional
        Spline order. Default 1 (linear) for images and 0 (nearest) for masks and label maps.
        Cubic (3) overshoots at edges. Masks accept only order 0 (or 1 for ``bool``, which
        interpolates the mask as float and thresholds at 0.5).

    Returns
    -------
    resampled : numpy.ndarray
        Same dtype as ``array`` (float arrays keep their float dtype).
    true_spacing : tuple of float
        Spacing of the result in mm.

    Examples
    --------
    >>> img = np.arange(12, dtype=np.float32).reshape(3, 4)
    >>> out, true = resample(img, (1.0, 1.0), 2.0)
    >>> out.shape, true
    ((2, 2), (1.5, 2.0))
    >>> mask = np.zeros((4, 4), bool); mask[1:3, 1:3] = True
    >>> resample(mask, (1, 1), 0.5)[0].sum()   # nearest neighbour: 4 pixels -> 16
    np.int64(16)
    """
    from scipy import ndimage

    array = np.asarray(array)
    if array.ndim not in (2, 3):
        raise ValueError(f"array must be 2D or 3D, got {array.ndim}D with shape {array.shape}")
    old = _check_spacing(spacing, array.ndim, "spacing", "pass the current voxel size in mm")
    if np.isscalar(new_spacing):
        new_spacing = (new_spacing,) * array.ndim  # type: ignore[assignment]
    new = _check_spacing(new_spacing, array.ndim, "new_spacing",
                         "pass the target voxel size in mm (one number for isotropic)")
    mask = _is_mask(array)
    if order is None:
        order = 0 if mask else 1
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 0 <= order <= 5:
        raise ValueError(f"order must be an integer from 0 to 5, got {order!r}")
    if mask and order > (1 if array.dtype == bool else 0):
        kind = "boolean mask" if array.dtype == bool else f"integer ({array.dtype}) label map"
        raise ValueError(f"order={order} would mix values of a {kind}; use order=0 (nearest) "
                         "for masks and label maps, or convert an image to float first")
    zoom = [o / n for o, n in zip(old, new)]
    new_shape = tuple(max(1, int(round(s * z))) for s, z in zip(array.shape, zoom))
    zoom = [n / s for n, s in zip(new_shape, array.shape)]
    if mask and order == 1:  # boolean mask, linear: interpolate as float, threshold
        out = ndimage.zoom(array.astype(np.float32), zoom, order=1, mode="nearest",
                           grid_mode=True) >= 0.5
    else:
        out = ndimage.zoom(array, zoom, order=order, mode="nearest", grid_mode=True)
    if out.shape != new_shape:  # pragma: no cover - scipy rounds the same way
        raise RuntimeError(f"zoom gave shape {out.shape}, expected {new_shape}")
    true = tuple(float(o * s / n) for o, s, n in zip(old, array.shape, new_shape))
    return out, true


def resample_volume(volume: Volume, new_spacing: Sequence[float] | float,
                    order: int | None = None) -> Volume:
    """Resample a :class:`Volume` and update its affine (headers are dropped).

    Examples
    --------
    >>> vol = Volume(np.zeros((4, 4, 4), np.float32), (2.0, 1.0, 1.0), np.diag([1., 1, 2, 1]))
    >>> iso = resample_volume(vol, 1.0)
    >>> iso.shape, iso.spacing
    ((8, 4, 4), (1.0, 1.0, 1.0))
    >>> iso.origin.tolist()   # first slice center moves by (1 - 2) / 2 mm
    [0.0, 0.0, -0.5]
    """
    if not isinstance(volume, Volume):
        raise TypeError(f"volume must be a Volume, got {type(volume).__name__}; for a bare "
                        "array use resample()")
    out, true = resample(volume.hu, volume.spacing, new_spacing, order)
    old = np.asarray(volume.spacing)[::-1]  # (dx, dy, dz) = affine column order
    new = np.asarray(true)[::-1]
    directions = volume.affine[:3, :3] / old
    affine = np.eye(4)
    affine[:3, :3] = directions * new
    affine[:3, 3] = volume.affine[:3, 3] + directions @ ((new - old) / 2)
    return Volume(out, true, affine, [])
