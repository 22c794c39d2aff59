"""Checks for exercise 01, DICOM basics.

Expected values are read here, in the grader's process, from the course's own data:
``CT_small.dcm`` (``datasets.get_path("ct_small")``) and the synthetic series
(``datasets.get_path("synthetic_ct")``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, get_number, get_path, get_string,
                                       type_of)

checks = CheckList("01_dicom_basics")
__all__ = ["checks", "header_values", "element_vrs", "series_counts", "anonymized_dataset",
           "written_file"]

# Elements that must not keep the original value after anonymization (PS3.15 Annex E).
_REPLACED = ("PatientName", "PatientID")
_EMPTIED_OR_REMOVED = ("PatientBirthDate", "InstitutionName", "StationName")


@functools.lru_cache(maxsize=1)
def _ct_small() -> Any:
    import pydicom

    from course_utils import datasets

    return pydicom.dcmread(datasets.get_path("ct_small"))


@functools.lru_cache(maxsize=1)
def _series_facts() -> tuple[int, set[int], int]:
    import pydicom

    from course_utils import datasets

    files = sorted(datasets.get_path("synthetic_ct").glob("*.dcm"))
    headers = [pydicom.dcmread(path, stop_before_pixels=True) for path in files]
    frames = {int(h.get("NumberOfFrames", 1) or 1) for h in headers}
    return len(files), frames, len({h.SeriesInstanceUID for h in headers})


def _as_number_list(value: Any, name: str, length: int) -> list[float]:
    if type_of(value) == "ellipsis" or value is None or type_of(value) == "missing":
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


@checks.add(points=1)
def header_values(ct_rows, ct_pixel_spacing):
    """Rows and PixelSpacing of CT_small.dcm, as numbers."""
    if isinstance(ct_rows, str):
        raise CheckFailed("`ct_rows` is a string: give the number of rows as an int.")
    rows = get_number(ct_rows, "ct_rows")
    ds = _ct_small()
    if rows != int(ds.Rows):
        if rows == int(ds.Rows) * int(ds.Columns):
            raise CheckFailed("`ct_rows` is the number of pixels, not of rows: read the "
                              "Rows element of the header.")
        raise CheckFailed("`ct_rows` is not the value of the Rows element (0028,0010) of "
                          "CT_small.dcm: read it from the dataset.")
    spacing = _as_number_list(ct_pixel_spacing, "ct_pixel_spacing", 2)
    expected = [float(v) for v in ds.PixelSpacing]
    if not np.allclose(spacing, expected, rtol=1e-6):
        if np.allclose(spacing, [float(ds.SliceThickness)] * 2):
            raise CheckFailed("`ct_pixel_spacing` holds the slice thickness: Pixel Spacing "
                              "is element (0028,0030).")
        raise CheckFailed("`ct_pixel_spacing` does not match the Pixel Spacing element "
                          "(0028,0030): read both values, row spacing first.")


@checks.add(points=1)
def element_vrs(spacing_vr, patient_name_vr):
    """The VRs of Pixel Spacing (0028,0030) and Patient's Name (0010,0010)."""
    ds = _ct_small()
    for name, value, tag in (("spacing_vr", spacing_vr, (0x0028, 0x0030)),
                             ("patient_name_vr", patient_name_vr, (0x0010, 0x0010))):
        text = get_string(value, name).strip()
        expected = ds[tag].VR
        if text.upper() == expected and text != expected:
            raise CheckFailed(f"`{name}`: VRs are written in capital letters.")
        if text != expected:
            if len(text) != 2:
                raise CheckFailed(f"`{name}` should be the two-letter VR code of the element "
                                  "(the element's .VR attribute), not a description.")
            raise CheckFailed(f"`{name}` is not the VR of element "
                              f"({tag[0]:04X},{tag[1]:04X}): look the element up by its tag "
                              "and read its .VR.")


@checks.add(points=1)
def series_counts(series_n_files, series_frames_per_file, series_n_uids):
    """Files, frames per file and Series Instance UIDs of the synthetic series."""
    n_files, frames, n_uids = _series_facts()
    files = get_number(series_n_files, "series_n_files")
    per_file = get_number(series_frames_per_file, "series_frames_per_file")
    uids = get_number(series_n_uids, "series_n_uids")
    if files != n_files:
        raise CheckFailed("`series_n_files` is not the number of .dcm files in the series "
                          "folder: count the files (e.g. with Path.glob).")
    if per_file not in frames:
        if per_file == n_files:
            raise CheckFailed("`series_frames_per_file` counts the frames of the whole series; "
                              "the task asks how many frames one file holds (NumberOfFrames, "
                              "and its default when the element is absent).")
        raise CheckFailed("`series_frames_per_file` does not match NumberOfFrames of the "
                          "files: remember what an absent NumberOfFrames means.")
    if uids != n_uids:
        if uids == n_files:
            raise CheckFailed("`series_n_uids` counts one UID per file: those are SOP Instance "
                              "UIDs. Count the distinct Series Instance UIDs.")
        raise CheckFailed("`series_n_uids` is not the number of distinct Series Instance UIDs "
                          "in the folder: collect them in a set.")


def _elements(described: Any, name: str) -> dict[str, Any]:
    if type_of(described) in ("ellipsis", "missing") or described is None:
        get_string(described, name)  # raises the standard message
    if type_of(described) != "dataset":
        raise CheckFailed(f"`{name}` should be a pydicom Dataset, got "
                          f"{type_of(described) or type(described).__name__}.")
    return described["elements"]


def _check_anonymized(elements: dict[str, Any], name: str) -> None:
    original = _ct_small()
    for keyword in _REPLACED:
        if keyword in elements and elements[keyword] == str(original.data_element(keyword).value):
            raise CheckFailed(f"`{name}` still holds the original {keyword}: empty it or replace it "
                              "with a pseudonym (PS3.15 table E.1-1, action Z).")
    for keyword in _EMPTIED_OR_REMOVED:
        if elements.get(keyword) not in (None, ""):
            raise CheckFailed(f"`{name}` still has a value in {keyword}: PS3.15 Annex E "
                              "removes or empties it.")
    private = [key for key in elements
               if key.startswith("(") and int(key[1:5], 16) % 2 == 1]
    if private:
        raise CheckFailed(f"`{name}` still has {len(private)} private elements (odd group "
                          "numbers); they may hold anything, remove them.")
    if str(elements.get("PatientIdentityRemoved", "")).upper() != "YES":
        raise CheckFailed(f"`{name}` does not say that it was anonymized: set Patient "
                          "Identity Removed (0012,0062).")


@checks.add(points=1)
def anonymized_dataset(anon_ds):
    """CT_small.dcm anonymized: names, IDs, institution, private elements gone; pixels kept."""
    elements = _elements(anon_ds, "anon_ds")
    if not anon_ds.get("has_pixel_data"):
        raise CheckFailed("`anon_ds` has no pixel data any more: anonymize the header and keep "
                          "the image.")
    if "Modality" not in elements or "Rows" not in elements:
        raise CheckFailed("`anon_ds` lost elements that identify nobody (Modality, Rows...): "
                          "remove only what the profile lists.")
    _check_anonymized(elements, "anon_ds")


@checks.add(points=1)
def written_file(anon_path):
    """The anonymized dataset written as a DICOM file that reads back, pixels unchanged."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = get_path(anon_path, "anon_path", suffix=".dcm")
    with open(path, "rb") as handle:
        head = handle.read(132)
    if head[128:132] != b"DICM":
        raise CheckFailed("the file has no preamble and 'DICM' marker: write it as a "
                          "conformant file (look at save_as's enforce_file_format).")
    try:
        reread = pydicom.dcmread(path)
    except (InvalidDicomError, OSError, ValueError) as error:
        raise CheckFailed(f"the file does not read back with pydicom.dcmread ({error}).") \
            from None
    if "PixelData" not in reread:
        raise CheckFailed("the file has no pixel data: write the whole dataset.")
    if not np.array_equal(reread.pixel_array, _ct_small().pixel_array):
        raise CheckFailed("the pixels in the file differ from CT_small.dcm's: anonymization "
                          "changes the header, not the image.")
    from course_utils.checks import to_plain

    _check_anonymized(to_plain(reread)["elements"], "the written file")
