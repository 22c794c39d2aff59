"""DICOM in and out with pydicom 3: write a synthetic CT series, read a series or one slice as
Hounsfield units, anonymize a header.

Facts this module relies on (DICOM PS3.3):

- Stored values are not HU. ``HU = stored * RescaleSlope + RescaleIntercept`` (C.11.1.1.2),
  computed here in float32 slice by slice; casting to int16 first overflows for unsigned stored
  values above 32767.
- PixelPaddingValue (C.7.5.1.1.2) marks pixels outside the reconstructed field of view. It is
  compared with the *stored* values, before rescaling; those pixels are set to
  :data:`PADDING_HU` (-1024 HU, air), not left at whatever the rescale gives them.
- A series is sorted by ImagePositionPatient projected on the slice normal
  ``cross(row cosine, column cosine)`` (C.7.6.2.1.1), never by InstanceNumber or file name.
  The slice spacing is the difference of those projections; SliceThickness is the thickness of
  the reconstructed slab, a different quantity. PixelSpacing is ``(row spacing, column
  spacing) = (dy, dx)``.
- Patient coordinates are LPS+: x toward the patient's Left, y Posterior, z Superior.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._validation import check_spacing as _check_spacing
from .volume import Volume, affine_from_geometry

__all__ = [
    "PADDING_HU",
    "anonymize",
    "read_series",
    "read_slice",
    "stored_to_hu",
    "write_series",
]

#: HU given to padding pixels (PixelPaddingValue): air, so they show black in any CT window.
PADDING_HU = -1024.0

_UID_PREFIX = "1.2.826.0.1.3680043.8.498."  # pydicom's root, used by generate_uid

# What to install for each compressed transfer syntax (pydicom 3 "pixel data handlers" table:
# https://pydicom.github.io/pydicom/stable/guides/plugin_table.html).
_DECODER_HINTS = {
    "1.2.840.10008.1.2.4.50": "pip install pillow (or pylibjpeg pylibjpeg-libjpeg)",
    "1.2.840.10008.1.2.4.51": "pip install pylibjpeg pylibjpeg-libjpeg (or pillow)",
    "1.2.840.10008.1.2.4.57": "pip install pylibjpeg pylibjpeg-libjpeg",
    "1.2.840.10008.1.2.4.70": "pip install pylibjpeg pylibjpeg-libjpeg",
    "1.2.840.10008.1.2.4.80": "pip install pylibjpeg pylibjpeg-libjpeg (or pyjpegls)",
    "1.2.840.10008.1.2.4.81": "pip install pylibjpeg pylibjpeg-libjpeg (or pyjpegls)",
    "1.2.840.10008.1.2.4.90": "pip install pylibjpeg pylibjpeg-openjpeg (or pillow)",
    "1.2.840.10008.1.2.4.91": "pip install pylibjpeg pylibjpeg-openjpeg (or pillow)",
    "1.2.840.10008.1.2.4.201": "pip install pylibjpeg pylibjpeg-openjpeg",
    "1.2.840.10008.1.2.4.202": "pip install pylibjpeg pylibjpeg-openjpeg",
    "1.2.840.10008.1.2.4.203": "pip install pylibjpeg pylibjpeg-openjpeg",
}
_GENERIC_HINT = "pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg (or python-gdcm)"


# --- stored values -> HU -------------------------------------------------------------------


def stored_to_hu(stored: np.ndarray, slope: float = 1.0, intercept: float = 0.0,
                 padding_value: int | None = None, padding_limit: int | None = None, *,
                 padding_hu: float = PADDING_HU, out: np.ndarray | None = None) -> np.ndarray:
    """Convert stored pixel values to Hounsfield units: ``stored * slope + intercept``.

    The arithmetic is done in float32, so unsigned stored values above 32767 stay positive
    (casting them to int16 first would wrap them to negative numbers).

    In practice ``pydicom.pixels.apply_modality_lut(ds.pixel_array, ds)`` (or
    ``apply_rescale``) does the rescale (float64, and it also handles a Modality LUT
    Sequence); it does not mask padding. This function is the same arithmetic written out for
    the course, plus padding, in float32 so a 300-slice volume takes half the memory.

    Parameters
    ----------
    stored : numpy.ndarray
        Stored values as decoded by pydicom (``ds.pixel_array``), any integer dtype.
    slope, intercept : float
        RescaleSlope and RescaleIntercept of that slice (PS3.3 C.11.1.1.2).
    padding_value : int, optional
        PixelPaddingValue (PS3.3 C.7.5.1.1.2). Stored values equal to it (or, with
        ``padding_limit`` (PixelPaddingRangeLimit), in the closed range between the two) are
        compared in *stored-value space* and set to ``padding_hu`` in the result. Give it as
        a number of the stored values' signedness (:func:`read_slice` and
        :func:`read_series` reinterpret the 16-bit tag by PixelRepresentation for you).
    padding_limit : int, optional
        PixelPaddingRangeLimit, see above.
    padding_hu : float
        HU written into padding pixels; default :data:`PADDING_HU` = -1024 (air).
    out : numpy.ndarray, optional
        float32 array of the same shape to write into (used to fill a volume slice by slice).

    Returns
    -------
    numpy.ndarray
        float32 HU.

    Examples
    --------
    >>> stored_to_hu(np.array([0, 1024, 40000], np.uint16), 1.0, -1024.0).tolist()
    [-1024.0, 0.0, 38976.0]
    >>> stored_to_hu(np.array([4, 10], np.uint16), 2.5, -10.0).tolist()
    [0.0, 15.0]
    >>> stored_to_hu(np.array([-2000, 1000], np.int16), 1, -1024, padding_value=-2000).tolist()
    [-1024.0, -24.0]
    """
    stored = np.asarray(stored)
    if stored.dtype.kind not in "iub":
        raise TypeError(f"stored must hold integer stored values, got dtype {stored.dtype}; "
                        "pass ds.pixel_array, not values that are already HU")
    try:
        slope, intercept = float(slope), float(intercept)
    except (TypeError, ValueError):
        raise ValueError(f"RescaleSlope and RescaleIntercept must be numbers, got "
                         f"slope={slope!r}, intercept={intercept!r}; check the header") from None
    if not (np.isfinite(slope) and np.isfinite(intercept)) or slope == 0:
        raise ValueError(f"RescaleSlope must be a finite non-zero number and RescaleIntercept "
                         f"finite, got slope={slope}, intercept={intercept}; check the header")
    if out is None:
        out = np.empty(stored.shape, dtype=np.float32)
    elif out.shape != stored.shape or out.dtype != np.float32:
        raise ValueError(f"out must be a float32 array of shape {stored.shape}, got "
                         f"{out.dtype} {out.shape}")
    np.multiply(stored, np.float32(slope), out=out, dtype=np.float32)
    if intercept != 0:
        out += np.float32(intercept)
    if padding_value is not None:
        if padding_limit is None:
            pad = stored == padding_value
        else:
            low, high = sorted((int(padding_value), int(padding_limit)))
            pad = (stored >= low) & (stored <= high)
        out[pad] = padding_hu
    return out


def _hu_from_dataset(ds: Any, stored: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if "ModalityLUTSequence" in ds and ds.ModalityLUTSequence:
        from pydicom.pixels import apply_modality_lut

        hu = apply_modality_lut(stored, ds).astype(np.float32)
        if out is not None:
            out[...] = hu
            return out
        return hu
    slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
    # absent (e.g. some MR) means identity; a present 0 slope is an error in stored_to_hu
    slope = 1.0 if slope is None or slope == "" else float(slope)
    intercept = 0.0 if intercept is None or intercept == "" else float(intercept)
    return stored_to_hu(stored, slope, intercept, _padding_tag(ds, "PixelPaddingValue"),
                        _padding_tag(ds, "PixelPaddingRangeLimit"), out=out)


def _padding_tag(ds: Any, keyword: str) -> int | None:
    """A padding tag as a number in the stored values' signedness.

    PixelPaddingValue and PixelPaddingRangeLimit are 16-bit "US or SS" (PS3.3 C.7.5.1.1.2):
    their sign follows PixelRepresentation (0 unsigned, 1 two's complement). A file that wrote
    -2000 with VR US reads back as 63536; reinterpreting the 16 bits makes it -2000 again.
    """
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    value = int(value)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    if signed and value > 32767:
        value -= 65536
    elif not signed and value < 0:
        value += 65536
    return value


def _pixels(ds: Any, path: Path) -> np.ndarray:
    """Decode the pixel data, turning pydicom's missing-decoder error into an install hint."""
    if "PixelData" not in ds:
        raise ValueError(f"{path} has no pixel data (it may be a DICOMDIR, a report or a "
                         "structured set); pass an image file")
    try:
        return ds.pixel_array
    except (RuntimeError, NotImplementedError) as error:
        syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
        name = getattr(syntax, "name", str(syntax))
        if syntax is not None and getattr(syntax, "is_compressed", False):
            hint = _DECODER_HINTS.get(str(syntax), _GENERIC_HINT)
            raise RuntimeError(
                f"cannot decode the compressed pixel data of {path} (transfer syntax "
                f"{name}): no decoder is installed. Install one: {hint}. "
                f"pydicom said: {error}") from error
        raise


def _reject_multiframe(ds: Any, name: str, caller: str) -> None:
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        raise ValueError(
            f"{name} is a multi-frame image ({frames} frames, {ds.get('SOPClassUID', '?')!s}); "
            f"{caller} reads single-frame images only. For a multi-frame file, read it with "
            "pydicom.dcmread, take ds.pixel_array (frames, rows, columns) and apply "
            "pydicom.pixels.apply_modality_lut; an enhanced multi-frame image keeps the "
            "position and rescale of each frame in PerFrameFunctionalGroupsSequence")


def _check_path(path: Any, kind: str) -> Path:
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"{kind} must be a path (str or pathlib.Path), got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{kind} {str(path)!r} does not exist; check the path "
                                "(relative paths start from the notebook's folder)")
    return path


def read_slice(path: str | Path) -> tuple[np.ndarray, Any]:
    """Read one single-frame DICOM image as HU (CT) or modality values (other modalities).

    The stored values go through the Modality LUT: RescaleSlope and RescaleIntercept (or a
    Modality LUT Sequence), padding masked in stored-value space first.

    Only CT gives Hounsfield units. An MR image (pydicom's ``MR_small.dcm``) usually has no
    rescale tags: its values are returned unchanged as float32, in arbitrary scanner units,
    not HU -- CT window presets and HU thresholds mean nothing for them; check
    ``ds.Modality`` (and ``ds.get("RescaleType")``) before treating the result as HU.

    Parameters
    ----------
    path : str or pathlib.Path
        A DICOM file.

    Returns
    -------
    hu : numpy.ndarray
        float32 ``[row, column]``, rescaled with the file's slope and intercept (identity when
        they are absent), padding set to :data:`PADDING_HU`.
    ds : pydicom.dataset.FileDataset
        The full dataset (pixel data included).

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> hu, ds = read_slice(get_testdata_file("CT_small.dcm"))
    >>> hu.shape, hu.dtype, float(ds.RescaleIntercept)
    ((128, 128), dtype('float32'), -1024.0)
    >>> values, mr = read_slice(get_testdata_file("MR_small.dcm"))   # MR: not HU
    >>> str(mr.Modality), "RescaleSlope" in mr, bool((values == mr.pixel_array).all())
    ('MR', False, True)

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        The path is missing or is a folder.
    ValueError
        Not a DICOM file, no pixel data, a multi-frame image, a zero RescaleSlope.
    RuntimeError
        Compressed pixel data whose decoder is not installed (the message says what to install).
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = _check_path(path, "path")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; use read_series() for a series")
    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise ValueError(f"{str(path)!r} is not a DICOM file ({error}); pass a .dcm file") \
            from error
    _reject_multiframe(ds, path.name, "read_slice")
    stored = _pixels(ds, path)
    return _hu_from_dataset(ds, stored), ds


# --- writing -----------------------------------------------------------------------------


def _unit_orientation(orientation: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(orientation, dtype=float).ravel()
    if values.shape != (6,) or not np.all(np.isfinite(values)):
        raise ValueError("orientation must be 6 numbers (row cosine, column cosine) as in "
                         f"ImageOrientationPatient, got {orientation!r}")
    row, col = values[:3], values[3:]
    if min(np.linalg.norm(row), np.linalg.norm(col)) < 1e-6:
        raise ValueError(f"orientation {orientation!r} has a zero direction vector")
    row, col = row / np.linalg.norm(row), col / np.linalg.norm(col)
    if abs(row @ col) > 1e-4:
        raise ValueError(f"orientation {orientation!r}: the row and column cosines must be "
                         f"perpendicular (their dot product is {row @ col:.4g})")
    return row, col


def _ds_str(value: float) -> str:
    """A DS (decimal string, at most 16 characters) for a float."""
    text = f"{value:.10g}"
    if len(text) > 16:
        text = f"{value:.6e}"
    return text


def write_series(hu: np.ndarray, spacing: Sequence[float], folder: str | Path, *,
                 origin: Sequence[float] = (0.0, 0.0, 0.0),
                 orientation: Sequence[float] = (1, 0, 0, 0, 1, 0),
                 window: tuple[float, float] = (400, 40),
                 series_description: str = "Synthetic chest CT",
                 patient_id: str = "SYNTH-0001", seed: int = 0,
                 rescale_slope: float = 1.0,
                 rescale_intercept: float = -1024.0) -> list[Path]:
    """Write a HU volume as a CT series: one DICOM file per slice, uint16 stored values.

    Geometry: slice ``k`` is at ImagePositionPatient ``origin + k * dz * normal`` with
    ``normal = cross(row cosine, column cosine)``; PixelSpacing is ``(dy, dx)``. Stored values
    are ``round((hu - intercept) / slope)`` as uint16 (PixelRepresentation 0). UIDs are derived
    from ``seed`` (and the patient, description and geometry), so the same call gives the same
    files. Files are named by SOPInstanceUID, so their alphabetical order is *not* the slice
    order; files of the same name in ``folder`` are overwritten.

    Parameters
    ----------
    hu : numpy.ndarray
        ``[z, y, x]`` volume in HU.
    spacing : sequence of 3 float
        ``(dz, dy, dx)`` in mm.
    folder : str or pathlib.Path
        Output folder, created if needed.
    origin : sequence of 3 float
        LPS position (mm) of the center of the first voxel of the first slice.
    orientation : sequence of 6 float
        ImageOrientationPatient: row cosine then column cosine (may be oblique).
    window : (width, level)
        Stored as WindowWidth / WindowCenter.
    series_description, patient_id : str
        Synthetic identifiers; PatientName is always ``Synthetic^Phantom``.
    seed : int
        Seed for the UIDs.
    rescale_slope, rescale_intercept : float
        RescaleSlope / RescaleIntercept; HU that do not fit in uint16 raise ValueError.

    Returns
    -------
    list of pathlib.Path
        The files, in slice order.

    Examples
    --------
    >>> import tempfile
    >>> vol = np.full((3, 4, 5), -1000, np.float32)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_series(vol, (2.5, 0.8, 0.8), tmp)
    ...     back = read_series(tmp)
    >>> len(paths), back.shape, back.spacing
    (3, (3, 4, 5), (2.5, 0.8, 0.8))
    """
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID
    from pydicom.uid import generate_uid

    hu = np.asarray(hu)
    if hu.ndim != 3:
        raise ValueError(f"hu must be a 3D volume [z, y, x], got shape {hu.shape}; for one "
                         "slice use hu[np.newaxis]")
    if hu.dtype.kind not in "iuf" or hu.size == 0:
        raise TypeError(f"hu must be a non-empty numeric array, got dtype {hu.dtype}, "
                        f"shape {hu.shape}")
    if not np.all(np.isfinite(hu)):
        raise ValueError("hu contains NaN or infinite values; replace them (e.g. with "
                         "np.nan_to_num(hu, nan=-1024)) before writing")
    dz, dy, dx = _check_spacing(spacing, 3, hint="PixelSpacing will be written as (dy, dx)")
    origin_arr = np.asarray(origin, dtype=float).ravel()
    if origin_arr.shape != (3,) or not np.all(np.isfinite(origin_arr)):
        raise ValueError(f"origin must be 3 numbers (LPS mm), got {origin!r}")
    row, col = _unit_orientation(orientation)
    normal = np.cross(row, col)
    try:
        width, level = (float(v) for v in window)
    except (TypeError, ValueError):
        width, level = -1.0, 0.0
    if not width > 0:
        raise ValueError(f"window must be (width, level) with width > 0, got {window!r}")
    slope, intercept = float(rescale_slope), float(rescale_intercept)
    if not (np.isfinite(slope) and slope > 0 and np.isfinite(intercept)):
        raise ValueError(f"rescale_slope must be > 0 and rescale_intercept finite, got "
                         f"{rescale_slope!r}, {rescale_intercept!r}")
    low, high = float(hu.min()), float(hu.max())
    s_low, s_high = round((low - intercept) / slope), round((high - intercept) / slope)
    if s_low < 0 or s_high > 65535:
        raise ValueError(
            f"HU range [{low:g}, {high:g}] does not fit in uint16 stored values with slope "
            f"{slope:g} and intercept {intercept:g} (representable: [{intercept:g}, "
            f"{intercept + 65535 * slope:g}] HU); choose rescale_intercept <= {low:g} or a "
            "larger rescale_slope, or clip the HU")

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{str(folder)!r} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)

    nz, ny, nx = hu.shape
    geometry = f"{hu.shape}|{(dz, dy, dx)}|{tuple(origin_arr)}|{tuple(row)}|{tuple(col)}"
    study_uid = generate_uid(entropy_srcs=["course_utils", "study", str(seed), patient_id])
    series_uid = generate_uid(entropy_srcs=["course_utils", "series", str(seed), patient_id,
                                            series_description, geometry])
    frame_uid = generate_uid(entropy_srcs=["course_utils", "frame", str(seed), patient_id])
    iop = [_ds_str(v) for v in (*row, *col)]
    date, time = "20240101", "120000"
    paths = []
    for k in range(nz):
        sop_uid = generate_uid(entropy_srcs=[series_uid, str(k)])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        path = folder / f"{sop_uid}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["DERIVED", "SECONDARY", "AXIAL"]
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = sop_uid
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = time
        ds.AccessionNumber = ""
        ds.Modality = "CT"
        ds.Manufacturer = "course_utils (synthetic)"
        ds.ReferringPhysicianName = ""
        ds.StudyDescription = "Synthetic phantom study"
        ds.SeriesDescription = series_description
        ds.PatientName = "Synthetic^Phantom"
        ds.PatientID = patient_id
        ds.PatientBirthDate = ""
        ds.PatientSex = "O"
        ds.PatientIdentityRemoved = "YES"
        ds.SliceThickness = _ds_str(dz)
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.StudyID = "1"
        ds.SeriesNumber = 1
        ds.InstanceNumber = k + 1
        position = origin_arr + k * dz * normal
        ds.ImagePositionPatient = [_ds_str(v) for v in position]
        ds.ImageOrientationPatient = iop
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = _ds_str(float(position @ normal))
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = ny, nx
        ds.PixelSpacing = [_ds_str(dy), _ds_str(dx)]
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 0
        ds.WindowCenter = _ds_str(level)
        ds.WindowWidth = _ds_str(width)
        ds.RescaleIntercept = _ds_str(intercept)
        ds.RescaleSlope = _ds_str(slope)
        ds.RescaleType = "HU"
        stored = np.rint((hu[k] - intercept) / slope).astype("<u2")
        ds.PixelData = stored.tobytes()
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


# --- reading a series --------------------------------------------------------------------


def _floats(ds: Any, keyword: str, n: int) -> np.ndarray | None:
    value = ds.get(keyword)
    if value is None:
        return None
    try:
        arr = np.array([float(v) for v in value], dtype=float)
    except (TypeError, ValueError):
        return None
    return arr if arr.shape == (n,) and np.all(np.isfinite(arr)) else None


def _list_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def read_series(folder: str | Path, series_uid: str | None = None) -> Volume:
    """Read a folder of single-frame DICOM images (one series) into a :class:`Volume`.

    Every file in ``folder`` (not its subfolders; hidden files ignored) is read once. Files that
    are not DICOM, or have no pixel data, are skipped with a warning naming them. Files are
    grouped by SeriesInstanceUID; slices are sorted by ImagePositionPatient projected on the
    normal ``cross(row cosine, column cosine)`` -- not by InstanceNumber or file name -- and
    the slice spacing is the difference of those projections, checked for uniformity.

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder holding the files.
    series_uid : str, optional
        SeriesInstanceUID to read when the folder holds several series.

    Returns
    -------
    Volume
        ``hu`` float32 ``[z, y, x]`` (slope and intercept applied per slice, padding set to
        :data:`PADDING_HU`), ``spacing`` ``(dz, dy, dx)``, the LPS ``affine`` and the sorted
        ``headers`` without pixel data. A folder with one slice has no second position to
        measure ``dz`` from: it is taken from SpacingBetweenSlices, else SliceThickness, else 1.
        For MR and other modalities ``hu`` holds the modality values, which are not HU (see
        :func:`read_slice`).

    Raises
    ------
    FileNotFoundError, NotADirectoryError
        The folder is missing or is a file.
    ValueError
        No DICOM images; several series and no ``series_uid``; missing or inconsistent
        geometry tags (position, orientation, pixel spacing, size); duplicate positions;
        non-uniform spacing.
    RuntimeError
        Compressed pixel data whose decoder is not installed (the message says what to install).

    Examples
    --------
    >>> import tempfile
    >>> vol = np.zeros((4, 2, 3), np.float32)
    >>> vol[:, 0, 0] = [0, 10, 20, 30]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = write_series(vol, (1.25, 0.5, 0.5), tmp, origin=(0, 0, -100))
    ...     back = read_series(tmp)
    >>> back.hu[:, 0, 0].tolist(), back.spacing, back.origin.tolist()
    ([0.0, 10.0, 20.0, 30.0], (1.25, 0.5, 0.5), [0.0, 0.0, -100.0])
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    folder = _check_path(folder, "folder")
    if not folder.is_dir():
        raise NotADirectoryError(f"{str(folder)!r} is a file, not a folder; use read_slice() "
                                 "for one file or pass the folder that holds the series")
    files = _list_files(folder)
    if not files:
        raise ValueError(f"folder {str(folder)!r} is empty: no files to read; check the path "
                         "or write a series there with write_series()")

    # One read per file: pixel data is deferred (read on access), so only the chosen series'
    # pixels are ever loaded.
    skipped: list[str] = []
    groups: dict[str, list[tuple[Path, Any]]] = defaultdict(list)
    for path in files:
        try:
            ds = pydicom.dcmread(path, defer_size=1024)
        except (InvalidDicomError, OSError, EOFError, ValueError) as error:
            skipped.append(f"{path.name} (not DICOM: {str(error).splitlines()[0][:60]})")
            continue
        if "PixelData" not in ds:
            skipped.append(f"{path.name} (no pixel data)")
            continue
        uid = str(ds.get("SeriesInstanceUID", ""))
        if not uid:
            skipped.append(f"{path.name} (no SeriesInstanceUID)")
            continue
        groups[uid].append((path, ds))
    if skipped:
        warnings.warn(f"read_series skipped {len(skipped)} file(s) in {str(folder)!r}: "
                      + "; ".join(skipped[:10]) + (" ..." if len(skipped) > 10 else ""),
                      UserWarning, stacklevel=2)
    if not groups:
        raise ValueError(f"no DICOM images in {str(folder)!r} ({len(files)} file(s), none "
                         "readable as a DICOM image); point to the folder of .dcm files")

    def describe(uid: str) -> str:
        first = groups[uid][0][1]
        return (f"{uid} ({first.get('SeriesDescription', 'no description')!s}, "
                f"{len(groups[uid])} slices)")

    if series_uid is None:
        if len(groups) > 1:
            listing = "; ".join(describe(uid) for uid in sorted(groups))
            raise ValueError(f"{str(folder)!r} holds {len(groups)} series: {listing}. Choose "
                             "one with read_series(folder, series_uid=...)")
        series_uid = next(iter(groups))
    elif str(series_uid) not in groups:
        listing = "; ".join(describe(uid) for uid in sorted(groups))
        raise ValueError(f"series_uid {series_uid!r} is not in {str(folder)!r}; it holds: "
                         f"{listing}")
    items = groups[str(series_uid)]
    return _assemble(items)


def _assemble(items: list[tuple[Path, Any]]) -> Volume:
    # geometry of every slice
    orientations, positions, spacings, sizes = [], [], [], []
    for path, ds in items:
        _reject_multiframe(ds, path.name, "read_series")
        iop = _floats(ds, "ImageOrientationPatient", 6)
        ipp = _floats(ds, "ImagePositionPatient", 3)
        ps = _floats(ds, "PixelSpacing", 2)
        for name, value in (("ImageOrientationPatient", iop), ("ImagePositionPatient", ipp),
                            ("PixelSpacing", ps)):
            if value is None:
                raise ValueError(f"{path.name} has no valid {name} tag, so the slice cannot be "
                                 "placed in space; this is not a volume series (e.g. a "
                                 "localizer or secondary capture): remove such files")
        orientations.append(iop)
        positions.append(ipp)
        spacings.append(ps)
        sizes.append((int(ds.Rows), int(ds.Columns)))
    orientations_arr = np.array(orientations)
    if np.abs(orientations_arr - orientations_arr[0]).max() > 1e-4:
        distinct = np.unique(np.round(orientations_arr, 4), axis=0)
        raise ValueError(f"mixed orientations in one series: {len(distinct)} different "
                         f"ImageOrientationPatient values, e.g. {distinct[:3].tolist()}; "
                         "a volume needs parallel slices")
    if len(set(sizes)) > 1:
        raise ValueError(f"slices have different sizes (Rows, Columns): {sorted(set(sizes))}")
    spacings_arr = np.array(spacings)
    if np.abs(spacings_arr - spacings_arr[0]).max() > 1e-4:
        raise ValueError("slices have different PixelSpacing: "
                         f"{np.unique(spacings_arr, axis=0).tolist()}")
    row, col = _unit_orientation(orientations_arr[0])
    normal = np.cross(row, col)
    positions_arr = np.array(positions)
    projection = positions_arr @ normal
    order = np.argsort(projection, kind="stable")
    projection = projection[order]
    positions_arr = positions_arr[order]
    items = [items[i] for i in order]
    gaps = np.diff(projection)
    duplicate = np.flatnonzero(gaps < 1e-3)
    if duplicate.size:
        i = duplicate[0]
        raise ValueError(
            f"{duplicate.size} pair(s) of slices share a position, e.g. {items[i][0].name} "
            f"and {items[i + 1][0].name} are both at {projection[i]:.3f} mm along the normal; "
            "the folder may hold two acquisitions with one SeriesInstanceUID, or copies of a "
            "file: remove the duplicates")
    dy, dx = (float(v) for v in spacings_arr[0])
    if len(items) > 1:
        dz = float(np.median(gaps))
        tolerance = max(0.01, 0.01 * dz)
        if np.abs(gaps - dz).max() > tolerance:
            found = np.unique(np.round(gaps, 3))
            where = np.flatnonzero(np.abs(gaps - dz) > tolerance)[:5]
            raise ValueError(
                f"non-uniform slice spacing: gaps of {', '.join(f'{g:g}' for g in found)} mm "
                f"between consecutive slices (first irregular after slice index(es) "
                f"{where.tolist()}); a slice may be missing. Read the slices one by one or "
                "resample them to a uniform grid")
        # positions must lie on a line along the normal (no gantry tilt / shear)
        offsets = positions_arr - positions_arr[0] - np.outer(projection - projection[0],
                                                              normal)
        drift = float(np.abs(offsets).max())
        if drift > max(0.01, 0.01 * dz):
            raise ValueError(f"slice positions drift by up to {drift:.3f} mm perpendicular to "
                             "the slice normal (gantry tilt?): the volume is sheared; "
                             "resample it before treating it as a regular grid")
    else:  # one slice: no second position to measure a spacing from; take the header's word
        first = items[0][1]
        dz = float(first.get("SpacingBetweenSlices", first.get("SliceThickness", 1.0)) or 1.0)
    affine = affine_from_geometry(positions_arr[0], row, col, normal, (dz, dy, dx))

    rows, cols = sizes[0]
    hu = np.empty((len(items), rows, cols), dtype=np.float32)

    def fill(k: int) -> None:
        # decode one slice straight into its plane of the volume (no stacked copy)
        path, ds = items[k]
        stored = _pixels(ds, path)
        if stored.shape != (rows, cols):
            raise ValueError(f"{path.name}: pixel data has shape {stored.shape}, expected "
                             f"{(rows, cols)}; the file is not a single-frame grayscale image")
        _hu_from_dataset(ds, stored, out=hu[k])
        del ds.PixelData

    workers = min(4, os.cpu_count() or 1)
    if workers > 1 and len(items) >= 16:
        # file reads and numpy release the GIL: a few threads overlap I/O and arithmetic
        with ThreadPoolExecutor(workers) as pool:
            for _ in pool.map(fill, range(len(items))):
                pass
    else:
        for k in range(len(items)):
            fill(k)
    headers = [ds for _, ds in items]
    return Volume(hu=hu, spacing=(dz, dy, dx), affine=affine, headers=headers)


# --- anonymization ----------------------------------------------------------------------

# DICOM PS3.15 Annex E, Table E.1-1 (Basic Application Level Confidentiality Profile): the main
# identifying attributes with action X (remove). Sequences listed here go with their items.
_REMOVE = frozenset((
    # the patient
    "OtherPatientIDs", "OtherPatientIDsSequence", "OtherPatientNames", "PatientBirthName",
    "PatientMotherBirthName", "PatientAddress", "PatientTelephoneNumbers", "PatientBirthTime",
    "PatientAge", "PatientSize", "PatientWeight", "MilitaryRank", "BranchOfService",
    "MedicalRecordLocator", "CountryOfResidence", "RegionOfResidence", "EthnicGroup",
    "Occupation", "AdditionalPatientHistory", "PatientReligiousPreference", "MedicalAlerts",
    "Allergies", "SmokingStatus", "PregnancyStatus", "LastMenstrualDate", "PatientState",
    "PatientInsurancePlanCodeSequence", "ResponsiblePerson", "ResponsibleOrganization",
    "IssuerOfPatientID", "AdmissionID", "AdmittingDiagnosesDescription",
    "AdmittingDiagnosesCodeSequence", "PatientComments",
    # people and places around the study
    "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName",
    "InstitutionCodeSequence", "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers",
    "ReferringPhysicianIdentificationSequence", "PerformingPhysicianName",
    "PerformingPhysicianIdentificationSequence", "PhysiciansOfRecord",
    "PhysiciansOfRecordIdentificationSequence", "NameOfPhysiciansReadingStudy",
    "PhysiciansReadingStudyIdentificationSequence", "OperatorsName",
    "OperatorIdentificationSequence", "RequestingPhysician", "RequestingService",
    "ScheduledPerformingPhysicianName", "StationName", "DeviceSerialNumber",
    # the request and free text, which may hold any of the above
    "RequestAttributesSequence", "RequestedProcedureID", "RequestedProcedureDescription",
    "PerformedProcedureStepID", "PerformedProcedureStepDescription", "ScheduledProcedureStepID",
    "StudyDescription", "SeriesDescription", "ProtocolName", "ImageComments", "StudyComments",
    "DerivationDescription",
))
# Type 2 attributes (must be present): emptied (action Z). Every other PN is emptied too.
_EMPTY = frozenset(("PatientBirthDate", "PatientSex", "ReferringPhysicianName",
                    "AccessionNumber", "StudyID"))


def anonymize(ds: Any, *, patient_name: str = "Anonymous", patient_id: str = "ANON",
              date_shift_days: int | None = None, replace_uids: bool = True,
              salt: str = "course_utils") -> Any:
    """Return a copy of a dataset with patient identifiers removed or replaced.

    A teaching-grade subset of the DICOM PS3.15 Annex E *Basic Application Level
    Confidentiality Profile* (Table E.1-1). In practice, before sharing real data, use a
    vetted tool (``deid``, ``dicognito``, the RSNA/CTP anonymizer) and look at the pixels:

    - PatientName and PatientID are replaced (``patient_name``, ``patient_id``);
    - every other person name (PN element), also inside sequences, is emptied or removed;
    - birth date, sex, referring physician, accession number, study ID are emptied (type 2);
    - other IDs, age, size, weight, addresses, phone numbers, institution, station,
      operators, physicians, device serial number, request attributes, study and series
      descriptions, protocol name and comments are removed, also inside sequences;
    - private tags (``Dataset.remove_private_tags``), curves (50xx) and overlays (60xx,
      which may hold burned-in text) are removed;
    - with ``replace_uids``, every UID that is not a standard one (SOP classes and transfer
      syntaxes stay) is replaced by a new UID derived from it and ``salt`` with
      ``pydicom.uid.generate_uid(entropy_srcs=...)``: the same input gives the same UID, so
      the files of one series still belong together. Pass a secret ``salt`` when sharing,
      or anyone holding the original UIDs can recompute the mapping;
    - dates (DA, and the date part of DT) are shifted by ``date_shift_days`` if given, else
      kept (PS3.15's "Retain Longitudinal Temporal Information with Full Dates" option);
      LongitudinalTemporalInformationModified says which;
    - PatientIdentityRemoved is set to ``YES`` and DeidentificationMethod says what was done.

    Pixel data are not touched: a :class:`UserWarning` is raised when BurnedInAnnotation is
    ``YES``. The input dataset is not modified.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A dataset from ``pydicom.dcmread``.
    patient_name, patient_id : str
        Pseudonyms written into PatientName and PatientID.
    date_shift_days : int, optional
        Days added to every date (negative to go back); None keeps the dates.
    replace_uids : bool
        Replace instance, series, study and frame-of-reference UIDs.
    salt : str
        Mixed into the new UIDs.

    Returns
    -------
    pydicom.dataset.Dataset
        The anonymized copy (file meta updated to the new SOPInstanceUID).

    Examples
    --------
    >>> from pydicom import dcmread
    >>> from pydicom.data import get_testdata_file
    >>> ds = dcmread(get_testdata_file("CT_small.dcm"))
    >>> clean = anonymize(ds, date_shift_days=-10)
    >>> str(clean.PatientName), clean.PatientID, "InstitutionName" in clean
    ('Anonymous', 'ANON', False)
    >>> ds.StudyDate, clean.StudyDate, clean.PatientIdentityRemoved
    ('20040119', '20040109', 'YES')
    """
    from pydicom.dataset import Dataset
    from pydicom.uid import UID_dictionary, generate_uid

    if not isinstance(ds, Dataset):
        raise TypeError(f"ds must be a pydicom Dataset, got {type(ds).__name__}; read the "
                        "file with pydicom.dcmread first")
    if date_shift_days is not None and (isinstance(date_shift_days, bool)
                                        or not isinstance(date_shift_days, (int, np.integer))):
        raise TypeError(f"date_shift_days must be an integer number of days or None, got "
                        f"{date_shift_days!r}")
    for name, value in (("patient_name", patient_name), ("patient_id", patient_id),
                        ("salt", salt)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}; pass a "
                            "pseudonym such as 'Case^001'")
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        warnings.warn("BurnedInAnnotation is YES: the pixels may show patient identifiers, "
                      "which anonymize() does not remove; check the image and mask them",
                      UserWarning, stacklevel=2)
    out = copy.deepcopy(ds)
    out.remove_private_tags()
    shift = _dt.timedelta(days=int(date_shift_days or 0))

    def new_uid(value: Any) -> str:
        if not value or str(value) in UID_dictionary:  # empty, or a standard UID: keep
            return value
        return str(generate_uid(entropy_srcs=[salt, str(value)]))

    def clean(dataset: Any, elem: Any) -> None:
        keyword = elem.keyword
        if keyword in _REMOVE or (elem.tag.group & 0xFF00) in (0x5000, 0x6000):
            del dataset[elem.tag]
        elif keyword in _EMPTY or (elem.VR == "PN" and keyword != "PatientName"):
            elem.value = ""
        elif replace_uids and elem.VR == "UI":
            elem.value = ([new_uid(v) for v in elem.value] if elem.VM > 1
                          else new_uid(elem.value))
        elif date_shift_days and elem.VR in ("DA", "DT") and elem.value:
            elem.value = _shift_date(elem.value, shift)

    out.walk(clean)
    if "PatientName" in out:
        out.PatientName = patient_name
    if "PatientID" in out:
        out.PatientID = patient_id
    out.PatientIdentityRemoved = "YES"
    dates = (f"dates shifted {int(date_shift_days):+d} days" if date_shift_days
             else "dates kept")
    out.LongitudinalTemporalInformationModified = "MODIFIED" if date_shift_days else "UNMODIFIED"
    # LO: at most 64 characters
    out.DeidentificationMethod = f"course_utils PS3.15 basic subset; {dates}"
    meta = getattr(out, "file_meta", None)
    if meta is not None and replace_uids and "SOPInstanceUID" in out:
        meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    return out


def _shift_date(value: Any, shift: _dt.timedelta) -> Any:
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [_shift_date(v, shift) for v in value]
    text = str(value)
    if len(text) < 8 or not text[:8].isdigit():
        return value
    try:
        day = _dt.datetime.strptime(text[:8], "%Y%m%d").date() + shift
    except ValueError:
        return value
    return day.strftime("%Y%m%d") + text[8:]
