"""Sample data by short name, without network access.

- ``synthetic_ct``: a synthetic chest CT series (:func:`course_utils.phantom.chest_volume`)
  written once as DICOM into the cache folder, then reused;
- ``ct_small``, ``mr_small``, ``ct_j2k``: real single images bundled with pydicom;
- ``nifti_anatomical``, ``nifti_4d``: NIfTI files bundled with nibabel's tests.

The cache folder is ``$COURSE_UTILS_CACHE`` if set, else ``~/.cache/course_utils``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SYNTHETIC_CT", "cache_dir", "get_path", "list_datasets", "load"]

#: How the cached synthetic series is made. The folder name carries the version and a hash of
#: this spec and of the phantom and dicom modules, so a change to any of them makes a new series.
SYNTHETIC_CT = {
    "version": 3,
    "shape": (72, 256, 256),
    "spacing": (4.0, 1.5, 1.5),
    "seed": 0,
    # ImagePositionPatient (x, y, z) of the first voxel: the field of view centred on 0
    "origin": (-191.25, -191.25, -142.0),
}

_DATASETS = {
    "synthetic_ct": "synthetic chest CT series, {} x {} x {} voxels of {} x {} x {} mm, written "
                    "once as DICOM to the cache folder (course_utils.phantom.chest_volume)"
                    .format(*SYNTHETIC_CT["shape"], *SYNTHETIC_CT["spacing"]),
    "ct_small": "real CT slice, 128 x 128, bundled with pydicom (CT_small.dcm)",
    "mr_small": "real MR slice, 64 x 64, bundled with pydicom (MR_small.dcm); values in "
                "arbitrary MR units, not HU",
    "ct_j2k": "real CT slice, 512 x 512, JPEG 2000 compressed, bundled with pydicom "
              "(693_J2KI.dcm; decodes with Pillow)",
    "nifti_anatomical": "anatomical MR volume, 33 x 41 x 25 voxels of 2 mm, bundled with "
                        "nibabel (anatomical.nii)",
    "nifti_4d": "4D fMRI-like NIfTI, 128 x 96 x 24 x 2, bundled with nibabel "
                "(example4d.nii.gz)",
}

_PYDICOM_FILES = {"ct_small": "CT_small.dcm", "mr_small": "MR_small.dcm",
                  "ct_j2k": "693_J2KI.dcm"}
_NIBABEL_FILES = {"nifti_anatomical": "anatomical.nii", "nifti_4d": "example4d.nii.gz"}


def cache_dir() -> Path:
    """The cache folder (created if needed): ``$COURSE_UTILS_CACHE`` or ``~/.cache/course_utils``.

    Examples
    --------
    >>> import tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp, \\
    ...         mock.patch.dict(os.environ, {"COURSE_UTILS_CACHE": tmp}):
    ...     cache_dir() == Path(tmp)
    True
    """
    env = os.environ.get("COURSE_UTILS_CACHE")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "course_utils"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the cache folder {str(path)!r} ({error}); set the "
                      "environment variable COURSE_UTILS_CACHE to a writable folder") from error
    return path


def list_datasets() -> dict[str, str]:
    """Names of the sample data sets and what each one is.

    Examples
    --------
    >>> sorted(list_datasets())
    ['ct_j2k', 'ct_small', 'mr_small', 'nifti_4d', 'nifti_anatomical', 'synthetic_ct']
    """
    return dict(_DATASETS)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; the names are: "
                         f"{', '.join(sorted(_DATASETS))} (see list_datasets())")
    return name


def _synthetic_folder() -> Path:
    """Cache folder of the series; its name changes whenever the code that makes it changes."""
    import hashlib

    from . import dicom, phantom

    digest = hashlib.sha256(repr(sorted(SYNTHETIC_CT.items())).encode())
    for module in (phantom, dicom):
        digest.update(Path(module.__file__).read_bytes())
    return cache_dir() / f"synthetic_ct-v{SYNTHETIC_CT['version']}-{digest.hexdigest()[:10]}"


def _write_synthetic_ct() -> Path:
    """Write the synthetic series once; concurrent callers cannot see a half-written folder."""
    from .dicom import write_series
    from .phantom import chest_volume

    final = _synthetic_folder()
    if final.is_dir():
        return final
    spec = SYNTHETIC_CT
    chest = chest_volume(shape=spec["shape"], spacing=spec["spacing"], seed=spec["seed"])
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        write_series(chest.hu, chest.spacing, tmp, origin=spec["origin"], seed=spec["seed"],
                     series_description="Synthetic chest CT", window=(400, 40))
        try:
            os.rename(tmp, final)  # atomic on one file system; fails if final now exists
        except OSError:
            if not final.is_dir():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def get_path(name: str) -> Path:
    """Path of a sample data set: a file, or a folder for ``synthetic_ct`` (written if needed).

    Examples
    --------
    >>> get_path("ct_small").name
    'CT_small.dcm'
    """
    name = _check_name(name)
    if name == "synthetic_ct":
        return _write_synthetic_ct()
    if name in _PYDICOM_FILES:
        from pydicom.data import get_testdata_file

        found = get_testdata_file(_PYDICOM_FILES[name], download=False)
        if not found:
            raise FileNotFoundError(f"{_PYDICOM_FILES[name]} is not in this pydicom install; "
                                    "reinstall pydicom (pip install --force-reinstall pydicom)")
        return Path(str(found))
    import nibabel

    path = Path(nibabel.__file__).parent / "tests" / "data" / _NIBABEL_FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: this nibabel install has no test data; "
                                "reinstall nibabel from PyPI (pip install --force-reinstall "
                                "nibabel)")
    return path


def load(name: str) -> Any:
    """Load a sample data set.

    Returns
    -------
    Volume, tuple or list
        ``synthetic_ct``: a :class:`~course_utils.volume.Volume` (via ``dicom.read_series``);
        ``ct_small``, ``mr_small``, ``ct_j2k``: ``(hu, ds)`` from ``dicom.read_slice``
        (for ``mr_small`` the values are MR signal in arbitrary units, not HU);
        ``nifti_anatomical``: a Volume; ``nifti_4d``: a list of Volumes, one per time point.

    Examples
    --------
    >>> hu, ds = load("ct_small")
    >>> hu.shape, str(ds.Modality)
    ((128, 128), 'CT')
    """
    name = _check_name(name)
    path = get_path(name)
    if name == "synthetic_ct":
        from .dicom import read_series

        return read_series(path)
    if name in _PYDICOM_FILES:
        from .dicom import read_slice

        return read_slice(path)
    from .nifti import load_nifti

    if name == "nifti_4d":
        import nibabel

        n = nibabel.load(str(path)).shape[3]
        return [load_nifti(path, volume=t) for t in range(n)]
    return load_nifti(path)
