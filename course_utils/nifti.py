"""NIfTI in and out through nibabel, with the LPS (DICOM) / RAS (NIfTI) conversion done once.

DICOM patient space is LPS+ (x toward the patient's Left, y Posterior, z Superior); NIfTI world
space is RAS+ (x Right, y Anterior, z Superior). The same physical point has its x and y signs
flipped, so ``affine_ras = diag(-1, -1, 1, 1) @ affine_lps`` and back.

On disk the array is stored in NIfTI's (i, j, k) = (column, row, slice) order, i.e. the
transpose of the course's ``[z, y, x]`` arrays; the affine is the same voxel-to-world map in
both orders because it always takes ``(column, row, slice)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._validation import check_spacing as _check_spacing
from .volume import Volume

__all__ = [
    "LPS_TO_RAS",
    "load_nifti",
    "lps_to_ras",
    "orientation_codes",
    "ras_to_lps",
    "save_nifti",
]

#: The flip between the two patient coordinate systems (it is its own inverse).
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def _check_affine(affine: Any, name: str = "affine") -> np.ndarray:
    arr = np.asarray(affine, dtype=float)
    if arr.shape != (4, 4) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite 4x4 matrix, got shape {arr.shape}")
    if abs(np.linalg.det(arr[:3, :3])) < 1e-12:
        raise ValueError(f"{name} is singular (a zero voxel size or parallel axes); check it")
    return arr


def lps_to_ras(affine: np.ndarray) -> np.ndarray:
    """Convert a voxel-to-LPS affine (DICOM) to voxel-to-RAS (NIfTI).

    Examples
    --------
    >>> lps_to_ras(np.eye(4)) @ [10, 20, 30, 1]
    array([-10., -20.,  30.,   1.])
    """
    return LPS_TO_RAS @ _check_affine(affine)


def ras_to_lps(affine: np.ndarray) -> np.ndarray:
    """Convert a voxel-to-RAS affine (NIfTI) to voxel-to-LPS (DICOM).

    Examples
    --------
    >>> A = np.diag([0.5, 0.5, 2.0, 1.0])
    >>> np.allclose(ras_to_lps(lps_to_ras(A)), A)
    True
    """
    return LPS_TO_RAS @ _check_affine(affine)


def orientation_codes(affine_lps: np.ndarray) -> tuple[str, str, str]:
    """Anatomical direction toward which each voxel axis (column, row, slice) increases.

    Uses :func:`nibabel.aff2axcodes` with labels for LPS world coordinates. The letters name the
    direction the axis points *to* (nibabel's convention, so an axial DICOM series is
    ``("L", "P", "S")``, which nibabel would report for the same data as RAS world with
    ``aff2axcodes(lps_to_ras(affine))`` -- the same letters).

    Examples
    --------
    >>> orientation_codes(np.diag([0.7, 0.7, 2.5, 1.0]))
    ('L', 'P', 'S')
    >>> orientation_codes(np.diag([-1.0, 1.0, -1.0, 1.0]))
    ('R', 'P', 'I')
    """
    import nibabel as nib

    affine = _check_affine(affine_lps, "affine_lps")
    codes = nib.aff2axcodes(affine, labels=(("R", "L"), ("A", "P"), ("I", "S")))
    return tuple(str(c) for c in codes)  # type: ignore[return-value]


def _check_nifti_path(path: Any) -> Path:
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    if not (path.name.endswith(".nii") or path.name.endswith(".nii.gz")):
        raise ValueError(f"path must end in .nii or .nii.gz, got {path.name!r}")
    return path


def save_nifti(volume_or_array: Volume | np.ndarray, path: str | Path,
               spacing: Sequence[float] | None = None,
               affine_lps: np.ndarray | None = None) -> Path:
    """Save a :class:`~course_utils.volume.Volume` or a ``[z, y, x]`` array as NIfTI-1.

    Parameters
    ----------
    volume_or_array : Volume or numpy.ndarray
        A Volume (its affine is used) or a 3D ``[z, y, x]`` array. Boolean masks are saved as
        uint8, float64 as float32, int64 label maps as int32 (nibabel refuses int64 without
        an explicit dtype, and other tools read it badly).
    path : str or pathlib.Path
        Ends in ``.nii`` or ``.nii.gz``.
    spacing : sequence of 3 float, optional
        ``(dz, dy, dx)`` for an array without ``affine_lps``: axes along L, P, S, origin 0.
    affine_lps : numpy.ndarray, optional
        4x4 voxel-to-LPS affine for an array (overrides the Volume's if given).

    Returns
    -------
    pathlib.Path
        The file written; its affine (sform and qform, code "scanner") is RAS.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = save_nifti(np.zeros((2, 3, 4), np.float32), os.path.join(tmp, "a.nii.gz"),
    ...                    spacing=(2.0, 1.0, 0.5))
    ...     back = load_nifti(p)
    >>> back.shape, back.spacing, orientation_codes(back.affine)
    ((2, 3, 4), (2.0, 1.0, 0.5), ('L', 'P', 'S'))
    """
    import nibabel as nib

    path = _check_nifti_path(path)
    if isinstance(volume_or_array, Volume):
        if spacing is not None:
            raise ValueError("spacing is for a bare array; a Volume carries its own spacing "
                             "and affine (pass affine_lps= to override the geometry)")
        data = volume_or_array.hu
        if affine_lps is None:
            affine_lps = volume_or_array.affine
    else:
        data = np.asarray(volume_or_array)
        if affine_lps is None:
            if spacing is None:
                raise ValueError("an array needs its geometry: pass spacing=(dz, dy, dx) or "
                                 "affine_lps=, or save a Volume")
            dz, dy, dx = _check_spacing(spacing, 3)
            affine_lps = np.diag([dx, dy, dz, 1.0])
    if data.ndim != 3:
        raise ValueError(f"the array must be 3D [z, y, x], got shape {data.shape}")
    if data.dtype.kind not in "biuf":
        raise TypeError(f"the array must hold numbers or booleans, got dtype {data.dtype}")
    affine_ras = lps_to_ras(_check_affine(affine_lps, "affine_lps"))
    if data.dtype == bool:
        data = data.astype(np.uint8)
    elif data.dtype == np.float64:
        data = data.astype(np.float32)
    elif data.dtype in (np.int64, np.uint64):
        info = np.iinfo(np.int32)
        if data.size and (data.min() < info.min or data.max() > info.max):
            raise ValueError(f"{data.dtype} values beyond the int32 range cannot be saved; "
                             "convert the array to float32 first")
        data = data.astype(np.int32)
    on_disk = np.transpose(data, (2, 1, 0))  # [z, y, x] -> (i=x, j=y, k=z)
    image = nib.Nifti1Image(on_disk, affine_ras)
    image.set_sform(affine_ras, code="scanner")
    image.set_qform(affine_ras, code="scanner")
    image.header.set_xyzt_units(xyz="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, str(path))
    return path


def load_nifti(path: str | Path, volume: int | None = None) -> Volume:
    """Load a NIfTI file as a :class:`~course_utils.volume.Volume` (LPS affine, ``[z, y, x]``).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.nii`` or ``.nii.gz`` file.
    volume : int, optional
        For a 4D file, which volume (time point) to load; required when there are several.

    Returns
    -------
    Volume
        ``hu``: float32 data (``get_fdata``, scaling applied) transposed to ``[z, y, x]``;
        ``affine``: the file's best affine (sform, else qform) converted to LPS; ``spacing``:
        ``(dz, dy, dx)`` from the norms of the affine's columns; ``headers`` empty.

    Examples
    --------
    >>> import os, nibabel
    >>> p = os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")
    >>> vol = load_nifti(p)
    >>> vol.shape, vol.hu.dtype
    ((25, 41, 33), dtype('float32'))
    """
    import nibabel as nib

    path = _check_nifti_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{str(path)!r} does not exist; check the path")
    if volume is not None and (isinstance(volume, bool)
                               or not isinstance(volume, (int, np.integer))):
        raise TypeError(f"volume must be an integer index or None, got {volume!r}")
    image = nib.load(str(path))
    shape = image.shape
    if len(shape) == 3:
        if volume not in (None, 0):
            raise ValueError(f"{path.name} is 3D: there is no volume {volume}; leave "
                             "volume=None")
        data = image.get_fdata(dtype=np.float32)
    elif len(shape) == 4:
        if volume is None and shape[3] > 1:
            raise ValueError(f"{path.name} is 4D with {shape[3]} volumes; pick one with "
                             f"load_nifti(path, volume=0..{shape[3] - 1})")
        volume = 0 if volume is None else int(volume)
        if not 0 <= volume < shape[3]:
            raise ValueError(f"volume must be in 0..{shape[3] - 1}, got {volume}")
        # slicing the array proxy applies the scaling (scl_slope/scl_inter) like get_fdata
        data = np.asarray(image.dataobj[..., volume], dtype=np.float32)
    else:
        raise ValueError(f"{path.name} has shape {image.shape}; load_nifti reads 3D or 4D images")
    affine_lps = ras_to_lps(image.affine)
    spacing = tuple(float(s) for s in np.linalg.norm(affine_lps[:3, :3], axis=0)[::-1])
    hu = np.ascontiguousarray(np.transpose(data, (2, 1, 0)), dtype=np.float32)
    return Volume(hu=hu, spacing=spacing, affine=affine_lps, headers=[])
