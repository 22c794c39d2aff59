"""Checks for exercise 01, DICOM basics.

Every variant has its own data, made in memory by :func:`make_task` from ``CT_small.dcm`` (a
file shipped with pydicom) and from a small synthetic series:

- the CT slice is cropped to a non-square image and resampled along one axis, so Rows and
  Columns differ and so do the two values of Pixel Spacing (which one is larger varies); its
  patient, institution and station are fictional and change with the variant, and a private
  element repeats the patient's name, as vendors' private elements often do;
- the elements whose VR is asked change with the variant;
- the series folder holds two or three series (one study), of single-frame files (no Number
  of Frames) or of multi-frame files, in numbers that change with the variant.

The notebook writes these data to files with :func:`write_files`. The task data hold only
this input (the slice and the series' datasets), never an expected answer: each check
computes what it expects from the in-memory datasets.
"""

from __future__ import annotations

import copy
import functools
import types
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, get_number, get_path, get_string,
                                 is_blank, type_of)

checks = CheckList("01_dicom_basics")
task = checks.task
__all__ = ["checks", "task", "make_task", "write_files", "header_values", "element_vrs",
           "series_counts", "anonymized_dataset", "written_file"]

# Elements that must not keep the original value after anonymization (PS3.15 Annex E).
_REPLACED = ("PatientName", "PatientID")
_EMPTIED_OR_REMOVED = ("PatientBirthDate", "InstitutionName", "StationName")
# Elements that identify nobody and must survive anonymization unchanged.
_KEPT = ("Modality", "Rows", "Columns", "PixelSpacing")

# Tags whose VR a variant may ask for, grouped by VR (all present in the task's slice).
_VR_POOL = {
    "DS": [(0x0028, 0x0030), (0x0018, 0x0050), (0x0018, 0x0060), (0x0028, 0x1052)],
    "PN": [(0x0010, 0x0010), (0x0008, 0x0090)],
    "US": [(0x0028, 0x0010), (0x0028, 0x0011), (0x0028, 0x0100)],
    "UI": [(0x0020, 0x000E), (0x0008, 0x0016), (0x0020, 0x000D)],
    "LO": [(0x0010, 0x0020), (0x0008, 0x0080), (0x0008, 0x0070)],
    "SH": [(0x0008, 0x1010), (0x0020, 0x0010)],
    "CS": [(0x0008, 0x0060), (0x0010, 0x0040), (0x0008, 0x0008)],
    "DA": [(0x0008, 0x0020), (0x0010, 0x0030)],
    "TM": [(0x0008, 0x0030)],
    "IS": [(0x0020, 0x0013)],
    "AS": [(0x0010, 0x1010)],
}
_VARIANT0_TAGS = ((0x0028, 0x0030), (0x0010, 0x0010), (0x0028, 0x0010))

_FAMILY = ("Moreau", "Okafor", "Lindqvist", "Tanaka", "Novak", "Haddad", "Silva", "Kowalski",
           "Nguyen", "Brennan", "Ivanova", "Mensah", "Rossi", "Yilmaz", "Dubois", "Park")
_GIVEN = ("Claire", "Emeka", "Astrid", "Haruto", "Petra", "Omar", "Lucia", "Tomasz", "Linh",
          "Siobhan", "Daria", "Kwame", "Giulia", "Emre", "Lea", "Minji")
_INSTITUTIONS = ("Northfield General Hospital", "St. Aldric Medical Centre",
                 "Lakeside University Clinic", "Riverside Imaging Institute",
                 "Harbour View Hospital", "Eastgate Radiology")
_MULTIFRAME_SC = "1.2.840.10008.5.1.4.1.1.7.3"  # Multi-frame Grayscale Word SC Image Storage


# --------------------------------------------------------------------------- task data

@functools.lru_cache(maxsize=1)
def _ct_small() -> Any:
    import pydicom

    from course_utils import datasets

    return pydicom.dcmread(datasets.get_path("ct_small"))


def _resample(image: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Linear resampling of ``image`` to ``size`` samples along ``axis`` (same field of view)."""
    image = np.moveaxis(image.astype(np.float64), axis, 0)
    n = image.shape[0]
    # sample centres of the new grid, in old-pixel coordinates
    old = (np.arange(size) + 0.5) * n / size - 0.5
    low = np.clip(np.floor(old).astype(int), 0, n - 1)
    high = np.clip(low + 1, 0, n - 1)
    weight = np.clip(old - low, 0, 1)[:, None]
    out = image[low] * (1 - weight) + image[high] * weight
    return np.moveaxis(out, 0, axis)


def _ds_str(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _make_ct(variant: int, rng: np.random.Generator) -> tuple[Any, dict[str, str]]:
    """CT_small cropped, resampled along one axis, with fictional identifiers."""
    from pydicom.uid import generate_uid

    original = _ct_small()
    pixels = original.pixel_array
    spacing = float(original.PixelSpacing[0])
    if variant == 0:
        rows0, cols0, coarse_axis, size = 112, 124, 1, 80
    else:
        rows0, cols0 = int(rng.integers(96, 125)), int(rng.integers(96, 125))
        coarse_axis = int(rng.integers(0, 2))
        size = int(rng.integers(56, 86))
    top = int(rng.integers(0, 128 - rows0 + 1)) if variant else 8
    left = int(rng.integers(0, 128 - cols0 + 1)) if variant else 2
    crop = pixels[top:top + rows0, left:left + cols0]
    before = crop.shape[coarse_axis]
    image = np.rint(_resample(crop, size, coarse_axis)).astype(np.int16)
    if image.shape[0] == image.shape[1]:  # never square
        image = image[:-3]
    coarse = round(spacing * before / size, 6)
    dy, dx = (coarse, spacing) if coarse_axis == 0 else (spacing, coarse)

    ds = copy.deepcopy(original)
    ds.set_pixel_data(image, photometric_interpretation="MONOCHROME2", bits_stored=16,
                      generate_instance_uid=False)
    ds.PixelSpacing = [_ds_str(dy), _ds_str(dx)]
    family, given = _FAMILY[rng.integers(len(_FAMILY))], _GIVEN[rng.integers(len(_GIVEN))]
    identity = {
        "PatientName": f"{family}^{given}",
        "PatientID": f"PID{int(rng.integers(10_000, 99_999)):05d}",
        "PatientBirthDate": f"19{int(rng.integers(40, 99)):02d}{int(rng.integers(1, 13)):02d}"
                            f"{int(rng.integers(1, 29)):02d}",
        "InstitutionName": _INSTITUTIONS[rng.integers(len(_INSTITUTIONS))],
        "StationName": f"CT{int(rng.integers(1, 40)):02d}_{family[:3].upper()}",
    }
    for keyword, value in identity.items():
        setattr(ds, keyword, value)
    block = ds.private_block(0x0029, "COURSE_UTILS EX01", create=True)
    block.add_new(0x01, "LO", identity["PatientName"])  # a private copy of the name
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        setattr(ds, keyword, generate_uid(entropy_srcs=["course_utils ex01", keyword,
                                                        str(variant)]))
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds, identity


def _vr_tags(variant: int, rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    if variant == 0:
        return _VARIANT0_TAGS
    reference = [_vr_of(tag) for tag in _VARIANT0_TAGS]
    while True:
        vrs = rng.choice(sorted(_VR_POOL), size=3, replace=False)
        tags = tuple(_VR_POOL[vr][rng.integers(len(_VR_POOL[vr]))] for vr in vrs)
        if list(vrs) != reference:
            return tuple((int(g), int(e)) for g, e in tags)


def _vr_of(tag: tuple[int, int]) -> str:
    return next(vr for vr, tags in _VR_POOL.items() if tag in tags)


def _series_plan(variant: int, rng: np.random.Generator) -> dict[str, Any]:
    if variant == 0:
        files, frames = [12, 3], 1
    else:
        while True:
            n_series = int(rng.integers(2, 4))  # one study: Study UIDs count 1
            frames = int(rng.choice([1, 1, 2, 3, 4]))
            files = [int(rng.integers(2, 10)) for _ in range(n_series)]
            # counts that tell the classic mistakes apart, and not variant 0's
            if len({sum(files), frames, n_series}) == 3 and sum(files) not in (15,) \
                    and sum(files) >= 4:
                break
    return {"files_per_series": files, "frames_per_file": frames}


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``: the CT slice, the tags to look up, the series.

    Returns
    -------
    types.SimpleNamespace
        ``ct`` (a pydicom Dataset, the slice to read), ``vr_tags`` (tags whose VR task 2 asks
        for), ``series`` (the datasets of the series folder, in file order) and ``variant``:
        input only, no expected answer.
    """
    rng = np.random.default_rng([1, variant])
    ct, _ = _make_ct(variant, rng)
    vr_tags = _vr_tags(variant, rng)
    plan = _series_plan(variant, rng)
    return types.SimpleNamespace(variant=variant, ct=ct, vr_tags=vr_tags,
                                 series=tuple(_series_datasets(variant, plan)))


def _series_datasets(variant: int, plan: dict[str, Any]) -> list[Any]:
    """The files of the task's series folder, as datasets (single- or multi-frame)."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import (CTImageStorage, ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID,
                             generate_uid)

    frames = plan["frames_per_file"]
    rng = np.random.default_rng([11, variant])
    study = generate_uid(entropy_srcs=["course_utils ex01 study", str(variant)])
    out = []
    for s, n_files in enumerate(plan["files_per_series"]):
        series = generate_uid(entropy_srcs=["course_utils ex01 series", str(variant), str(s)])
        for k in range(n_files):
            uid = generate_uid(entropy_srcs=[series, str(k)])
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = CTImageStorage if frames == 1 else _MULTIFRAME_SC
            meta.MediaStorageSOPInstanceUID = uid
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
            ds = FileDataset(f"{uid}.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
            ds.SOPClassUID = meta.MediaStorageSOPClassUID
            ds.SOPInstanceUID = uid
            ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
            ds.Modality = "CT" if frames == 1 else "OT"
            ds.PatientName, ds.PatientID = "Synthetic^Phantom", "SYNTH-EX01"
            ds.SeriesNumber, ds.InstanceNumber = s + 1, k + 1
            ds.SeriesDescription = f"synthetic series {s + 1}"
            shape = (6, 8) if frames == 1 else (frames, 6, 8)
            image = rng.integers(900, 1100, size=shape, dtype=np.uint16)
            if frames == 1:
                ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
                ds.ImagePositionPatient = ["0", "0", _ds_str(4.0 * k)]
                ds.PixelSpacing = ["1.5", "1.5"]
                ds.SliceThickness = "4"
                ds.RescaleSlope, ds.RescaleIntercept = "1", "-1024"
            ds.set_pixel_data(image, photometric_interpretation="MONOCHROME2", bits_stored=16,
                              generate_instance_uid=False)
            out.append(ds)
    return out


def write_files(folder: str | Path, variant: int | None = None) -> tuple[Path, Path]:
    """Write the task's files into ``folder``: the CT slice and the series folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder of the notebook's choosing (created if needed), e.g. a temporary folder.
    variant : int, optional
        Default: the notebook's variant (``COURSE_UTILS_VARIANT``, else 0).

    Returns
    -------
    ct_path : pathlib.Path
        ``folder / "ct_slice.dcm"``.
    series_folder : pathlib.Path
        ``folder / "series"``, one ``.dcm`` file per instance, named by SOP Instance UID.

    Raises
    ------
    FileExistsError
        if the series folder already holds ``.dcm`` files that are not this task's.
    """
    data = checks.task(variant)
    folder = Path(folder)
    series_folder = folder / "series"
    series_folder.mkdir(parents=True, exist_ok=True)
    files = data.series
    names = {f"{ds.SOPInstanceUID}.dcm" for ds in files}
    stale = [p.name for p in series_folder.glob("*.dcm") if p.name not in names]
    if stale:
        raise FileExistsError(f"{series_folder} already holds {len(stale)} other .dcm files: "
                              "give write_files an empty folder")
    ct_path = folder / "ct_slice.dcm"
    data.ct.save_as(ct_path, enforce_file_format=True)
    for ds in files:
        ds.save_as(series_folder / f"{ds.SOPInstanceUID}.dcm", enforce_file_format=True)
    return ct_path, series_folder


# --------------------------------------------------------------------------- expected values

def _header_expected(task: Any) -> types.SimpleNamespace:
    """Rows, Columns, Pixel Spacing and Slice Thickness of the task's slice."""
    ct = task.ct
    return types.SimpleNamespace(rows=int(ct.Rows), columns=int(ct.Columns),
                                 pixel_spacing=[float(v) for v in ct.PixelSpacing],
                                 slice_thickness=float(ct.SliceThickness))


def _series_expected(task: Any) -> dict[str, int]:
    """Files, frames per file and distinct Series Instance UIDs of the task's series."""
    series = task.series
    frames = {int(ds.get("NumberOfFrames", 1)) for ds in series}
    return {"n_files": len(series), "frames_per_file": frames.pop(),
            "n_uids": len({str(ds.SeriesInstanceUID) for ds in series})}


def _identity(task: Any) -> dict[str, str]:
    """The identifying values of the task's slice (what anonymization must not keep)."""
    return {keyword: str(task.ct.get(keyword, ""))
            for keyword in (*_REPLACED, *_EMPTIED_OR_REMOVED)}


# --------------------------------------------------------------------------- helpers

def _as_number_list(value: Any, name: str, length: int) -> list[float]:
    if is_blank(value):
        get_number(value, name)  # raises the standard "still `...`" message
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if type_of(value) == "object":
        raise CheckFailed(f"`{name}` is a {value.get('class', 'object')}: convert it to a list "
                          "of floats.")
    if not isinstance(value, list) or len(value) != length:
        raise CheckFailed(f"`{name}` should be a list or tuple of {length} numbers.")
    if any(isinstance(v, str) for v in value):
        raise CheckFailed(f"`{name}` holds strings: DICOM decimal strings (VR DS) must be "
                          "converted with float() before you use them as numbers.")
    return [get_number(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _int_count(value: Any, name: str) -> float:
    if isinstance(value, str):
        raise CheckFailed(f"`{name}` is a string: give it as an int.")
    return get_number(value, name)


def _int_value(value: Any, name: str) -> int:
    """An answer the task asks for as an ``int`` (numpy integers are ints once plain)."""
    number = _int_count(value, name)
    if isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        raise CheckFailed(f"`{name}` is a float: the task asks for an int (a number of "
                          "pixels has no fraction).")
    return int(number)


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def header_values(ct_rows, ct_columns, ct_pixel_spacing, task):
    """Rows, Columns and Pixel Spacing of the task's CT slice, as numbers."""
    expected = _header_expected(task)
    rows = _int_value(ct_rows, "ct_rows")
    columns = _int_value(ct_columns, "ct_columns")
    if rows != expected.rows:
        if rows == expected.columns:
            raise CheckFailed("`ct_rows` holds the number of columns: Rows (0028,0010) is the "
                              "first axis of pixel_array, the image's height.")
        if rows == expected.rows * expected.columns:
            raise CheckFailed("`ct_rows` is the number of pixels, not of rows: read the "
                              "Rows element of the header.")
        raise CheckFailed("`ct_rows` is not the value of the Rows element (0028,0010) of "
                          "this task's slice: read it from `ds`.")
    if columns != expected.columns:
        if columns == expected.rows:
            raise CheckFailed("`ct_columns` holds the number of rows: Columns (0028,0011) is "
                              "the second axis of pixel_array, the image's width.")
        raise CheckFailed("`ct_columns` is not the value of the Columns element (0028,0011) "
                          "of this task's slice: read it from `ds`.")
    spacing = _as_number_list(ct_pixel_spacing, "ct_pixel_spacing", 2)
    wanted = expected.pixel_spacing
    if not np.allclose(spacing, wanted, rtol=1e-6):
        if np.allclose(spacing, wanted[::-1], rtol=1e-6):
            raise CheckFailed("`ct_pixel_spacing` is in the wrong order: Pixel Spacing is "
                              "(row spacing, column spacing) = (dy, dx); keep the header's "
                              "order.")
        if np.isclose(spacing, expected.slice_thickness).any():
            raise CheckFailed("`ct_pixel_spacing` holds the slice thickness: Pixel Spacing "
                              "is element (0028,0030), Slice Thickness (0018,0050) is "
                              "another quantity.")
        raise CheckFailed("`ct_pixel_spacing` does not match the Pixel Spacing element "
                          "(0028,0030) of this task's slice: read both values.")


@checks.add(points=1)
def element_vrs(tag_vrs, task):
    """The VRs of the elements in ``vr_tags``, in order."""
    if is_blank(tag_vrs):
        get_string(tag_vrs, "tag_vrs")
    if type_of(tag_vrs) == "list_array":
        tag_vrs = tag_vrs["items"]
    expected = [task.ct[tag].VR for tag in task.vr_tags]
    if isinstance(tag_vrs, str) or not isinstance(tag_vrs, list) \
            or len(tag_vrs) != len(expected):
        raise CheckFailed(f"`tag_vrs` should be a list of {len(expected)} strings, one VR per "
                          "tag of `vr_tags`, in the same order.")
    texts = [get_string(v, f"tag_vrs[{i}]").strip() for i, v in enumerate(tag_vrs)]
    if sorted(texts) == sorted(expected) and texts != expected:
        raise CheckFailed("`tag_vrs` holds the right VRs in the wrong order: keep the order "
                          "of `vr_tags`.")
    for i, (text, vr, tag) in enumerate(zip(texts, expected, task.vr_tags)):
        label = f"`tag_vrs[{i}]`, for ({tag[0]:04X},{tag[1]:04X}),"
        if text.upper() == vr and text != vr:
            raise CheckFailed(f"{label} is in lower case: VRs are written in capital letters.")
        if text != vr:
            if len(text) != 2 or not text.isalpha():
                raise CheckFailed(f"{label} is not a VR: a VR is the two-letter code that the "
                                  "element's .VR attribute gives (not its value, keyword or "
                                  "name).")
            raise CheckFailed(f"{label} is not that element's VR: look the element up by its "
                              "tag (ds[group, element]) and read its .VR.")


@checks.add(points=1)
def series_counts(series_n_files, series_frames_per_file, series_n_uids, task):
    """Files, frames per file and Series Instance UIDs of the task's series folder."""
    plan = _series_expected(task)
    files = _int_count(series_n_files, "series_n_files")
    per_file = _int_count(series_frames_per_file, "series_frames_per_file")
    uids = _int_count(series_n_uids, "series_n_uids")
    if files != plan["n_files"]:
        raise CheckFailed("`series_n_files` is not the number of .dcm files in the series "
                          "folder: count the files (e.g. with Path.glob).")
    if per_file != plan["frames_per_file"]:
        if per_file == plan["n_files"] * plan["frames_per_file"]:
            raise CheckFailed("`series_frames_per_file` counts the frames of the whole "
                              "folder; the task asks how many frames one file holds.")
        if per_file == plan["n_files"]:
            raise CheckFailed("`series_frames_per_file` is the number of files; the task asks "
                              "how many frames one file holds (Number of Frames, and what its "
                              "absence means).")
        if plan["frames_per_file"] == 1:
            raise CheckFailed("`series_frames_per_file` is not what these files hold: they "
                              "have no Number of Frames element; remember what its absence "
                              "means.")
        raise CheckFailed("`series_frames_per_file` does not match the files' Number of "
                          "Frames (0028,0008): read that element.")
    if uids != plan["n_uids"]:
        if uids == plan["n_files"]:
            raise CheckFailed("`series_n_uids` counts one UID per file: those are SOP Instance "
                              "UIDs. Count the distinct Series Instance UIDs.")
        raise CheckFailed("`series_n_uids` is not the number of distinct Series Instance "
                          "UIDs in the folder (not of Study Instance UIDs, not of Series "
                          "Numbers).")


def _elements(described: Any, name: str) -> dict[str, Any]:
    if is_blank(described):
        get_string(described, name)  # raises the standard message
    if type_of(described) != "dataset":
        raise CheckFailed(f"`{name}` should be a pydicom Dataset, got "
                          f"{type_of(described) or type(described).__name__}.")
    return described["elements"]


def _same_value(value: Any, original: Any) -> bool:
    return value == original or (isinstance(value, list) and isinstance(original, list)
                                 and [str(v) for v in value] == [str(v) for v in original])


def _check_anonymized(elements: dict[str, Any], name: str, task: Any) -> None:
    identity = _identity(task)
    for keyword in _REPLACED:
        if keyword not in elements:
            raise CheckFailed(f"{name} has no {keyword} any more: PS3.15 table E.1-1 empties "
                              "it or replaces it with a dummy value (action Z), it does not "
                              "remove it (the element is type 2: it must be present).")
        if str(elements[keyword]) == identity[keyword]:
            raise CheckFailed(f"{name} still holds the original {keyword}: empty it or "
                              "replace it with a pseudonym (PS3.15 table E.1-1).")
    for keyword in _EMPTIED_OR_REMOVED:
        if elements.get(keyword) not in (None, ""):
            raise CheckFailed(f"{name} still has a value in {keyword}: PS3.15 Annex E "
                              "removes or empties it.")
    private = [key for key in elements
               if key.startswith("(") and int(key[1:5], 16) % 2 == 1]
    if private:
        raise CheckFailed(f"{name} still has {len(private)} private element"
                          f"{'s' if len(private) > 1 else ''} (odd group "
                          "numbers); they may hold anything, the patient's name included: "
                          "remove them.")
    said = str(elements.get("PatientIdentityRemoved", ""))
    if said != "YES":
        if said.strip().upper() == "YES":
            raise CheckFailed(f"{name} says Patient Identity Removed in lower case: its VR is "
                              "CS (code string), whose values are upper case.")
        raise CheckFailed(f"{name} does not say that it was anonymized: set Patient "
                          "Identity Removed (0012,0062) to YES.")


def _plain_task_ct(task: Any) -> dict[str, Any]:
    from course_utils.checks import to_plain

    return to_plain(task.ct)


@checks.add(points=1)
def anonymized_dataset(anon_ds, ds, task):
    """An anonymized copy of the task's slice: identifiers gone, the rest and the pixels kept."""
    elements = _elements(anon_ds, "anon_ds")
    plain = _plain_task_ct(task)
    original = plain["elements"]
    if not anon_ds.get("has_pixel_data"):
        raise CheckFailed("`anon_ds` has no pixel data any more: anonymize the header and keep "
                          "the image.")
    for keyword in _KEPT:
        if keyword not in elements:
            raise CheckFailed(f"`anon_ds` lost {keyword}, an element that identifies nobody: "
                              "remove only what the profile lists.")
        if not _same_value(elements[keyword], original[keyword]):
            raise CheckFailed(f"`anon_ds` has another {keyword} than this task's slice: "
                              "anonymize a copy of `ds`, read from `ct_path`.")
    digest = anon_ds.get("pixel_sha256")
    if digest is not None and plain.get("pixel_sha256") not in (None, digest):
        raise CheckFailed("`anon_ds` has other pixel data than the task's slice: "
                          "anonymization changes the header, not the image.")
    _check_anonymized(elements, "`anon_ds`", task)
    source = _elements(ds, "ds")
    if str(source.get("PatientName", "")) != _identity(task)["PatientName"] \
            or not any(key.startswith("(") for key in source):
        raise CheckFailed("`ds` was anonymized too: change a copy (copy.deepcopy(ds), or "
                          "course_utils.dicom.anonymize, which returns one) and leave `ds` "
                          "as it was read.")


@checks.add(points=1)
def written_file(anon_path, task):
    """The anonymized dataset written as a DICOM file that reads back, pixels unchanged."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    from course_utils.checks import to_plain

    from course_utils.checks._values import read_learner_file, safe_dicom

    data = read_learner_file(get_path(anon_path, "anon_path", suffix=".dcm"), "anon_path")
    head = data[:132]
    if head[128:132] != b"DICM":
        raise CheckFailed("the file has no preamble and 'DICM' marker: write it as a "
                          "conformant file (look at save_as's enforce_file_format).")
    try:
        reread = safe_dicom(data, "anon_path")
        pixels = reread.pixel_array if "PixelData" in reread else None
    except (InvalidDicomError, OSError, ValueError, AttributeError) as error:
        raise CheckFailed(f"the file does not read back with pydicom.dcmread "
                          f"({type(error).__name__}).") from None
    if pixels is None:
        raise CheckFailed("the file has no pixel data: write the whole dataset.")
    expected = task.ct.pixel_array
    if pixels.shape != expected.shape or not np.array_equal(pixels, expected):
        raise CheckFailed("the pixels in the file differ from this task's slice: "
                          "anonymization changes the header, not the image.")
    _check_anonymized(to_plain(reread)["elements"], "the written file", task)
