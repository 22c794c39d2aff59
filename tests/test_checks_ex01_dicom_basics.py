"""Checks of exercise 01 (DICOM basics): right answers pass, learners' mistakes get a hint."""

from __future__ import annotations

import pydicom
import pytest

from course_utils import datasets
from course_utils.checks import ex01_dicom_basics as ex
from course_utils.dicom import anonymize
from check_helpers import assert_fails

checks = ex.checks


@pytest.fixture(scope="module")
def ds():
    return pydicom.dcmread(datasets.get_path("ct_small"))


def run(name, **values):
    return checks[name].run(values)


def test_there_are_at_least_four_checks():
    assert len(checks) >= 4
    assert checks.exercise == "01_dicom_basics"


@pytest.mark.parametrize("name", [c.name for c in ex.checks])
def test_blank_answers_say_still_dots(name):
    values = {param: ... for param in checks[name].params}
    result = checks[name].run(values)
    assert not result.passed
    assert "still `...`" in result.message


# --- header_values ---------------------------------------------------------------------

def test_header_values_pass(ds):
    spacing = [float(v) for v in ds.PixelSpacing]
    assert run("header_values", ct_rows=int(ds.Rows), ct_pixel_spacing=spacing).passed
    assert run("header_values", ct_rows=int(ds.Rows), ct_pixel_spacing=tuple(spacing)).passed


def test_header_values_strings_from_ds_are_rejected(ds):
    as_text = [str(v) for v in ds.PixelSpacing]
    result = run("header_values", ct_rows=int(ds.Rows), ct_pixel_spacing=as_text)
    assert_fails(result, "float")


def test_header_values_multivalue_is_rejected_with_a_hint(ds):
    result = run("header_values", ct_rows=int(ds.Rows), ct_pixel_spacing=ds.PixelSpacing)
    assert_fails(result, "convert")


def test_header_values_number_of_pixels_is_not_rows(ds):
    result = run("header_values", ct_rows=int(ds.Rows) * int(ds.Columns),
                 ct_pixel_spacing=[float(v) for v in ds.PixelSpacing])
    assert_fails(result, "Rows", answer=int(ds.Rows))


def test_header_values_slice_thickness_is_not_spacing(ds):
    thickness = float(ds.SliceThickness)
    result = run("header_values", ct_rows=int(ds.Rows), ct_pixel_spacing=[thickness] * 2)
    assert_fails(result, "(0028,0030)", answer=float(ds.PixelSpacing[0]))


# --- element_vrs -----------------------------------------------------------------------

def test_element_vrs_pass(ds):
    assert run("element_vrs", spacing_vr=ds[0x0028, 0x0030].VR,
               patient_name_vr=ds[0x0010, 0x0010].VR).passed


def test_element_vrs_description_instead_of_code(ds):
    result = run("element_vrs", spacing_vr="Decimal String",
                 patient_name_vr=ds[0x0010, 0x0010].VR)
    assert_fails(result, "two-letter", answer=ds[0x0028, 0x0030].VR)


def test_element_vrs_swapped(ds):
    result = run("element_vrs", spacing_vr=ds[0x0010, 0x0010].VR,
                 patient_name_vr=ds[0x0028, 0x0030].VR)
    assert_fails(result, "(0028,0030)")
    assert "'" + ds[0x0028, 0x0030].VR + "'" not in result.message


# --- series_counts ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def series_facts():
    files = sorted(datasets.get_path("synthetic_ct").glob("*.dcm"))
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in files]
    frames = int(headers[0].get("NumberOfFrames", 1))
    return len(files), frames, len({h.SeriesInstanceUID for h in headers})


def test_series_counts_pass(series_facts):
    n_files, frames, n_uids = series_facts
    assert run("series_counts", series_n_files=n_files, series_frames_per_file=frames,
               series_n_uids=n_uids).passed


def test_series_counts_total_frames_is_not_frames_per_file(series_facts):
    n_files, _, n_uids = series_facts
    result = run("series_counts", series_n_files=n_files, series_frames_per_file=n_files,
                 series_n_uids=n_uids)
    assert_fails(result, "one file")


def test_series_counts_sop_instance_uids_counted(series_facts):
    n_files, frames, _ = series_facts
    result = run("series_counts", series_n_files=n_files, series_frames_per_file=frames,
                 series_n_uids=n_files)
    assert_fails(result, "SOP Instance")


# --- anonymized_dataset ----------------------------------------------------------------

def test_anonymized_dataset_pass_with_helper(ds):
    assert run("anonymized_dataset", anon_ds=anonymize(ds)).passed


def test_anonymized_dataset_pass_by_hand(ds):
    by_hand = pydicom.dcmread(datasets.get_path("ct_small"))
    by_hand.PatientName, by_hand.PatientID = "Case^001", "CASE001"
    by_hand.PatientBirthDate = ""
    del by_hand.InstitutionName
    del by_hand.StationName
    by_hand.remove_private_tags()
    by_hand.PatientIdentityRemoved = "YES"
    assert run("anonymized_dataset", anon_ds=by_hand).passed


def test_anonymized_dataset_name_only_is_not_enough(ds):
    renamed = pydicom.dcmread(datasets.get_path("ct_small"))
    renamed.PatientName, renamed.PatientID = "Anonymous", "ANON"
    result = run("anonymized_dataset", anon_ds=renamed)
    assert_fails(result, "InstitutionName")


def test_anonymized_dataset_private_tags_left(ds):
    almost = anonymize(ds)
    original = pydicom.dcmread(datasets.get_path("ct_small"))
    for element in original:
        if element.tag.is_private:
            almost.add(element)
    assert_fails(run("anonymized_dataset", anon_ds=almost), "private")


def test_anonymized_dataset_original_unchanged_is_caught(ds):
    result = run("anonymized_dataset", anon_ds=ds)
    assert_fails(result, "original PatientName", answer=str(ds.PatientName))


def test_anonymized_dataset_without_pixels(ds):
    clean = anonymize(ds)
    del clean.PixelData
    assert_fails(run("anonymized_dataset", anon_ds=clean), "pixel")


# --- written_file ----------------------------------------------------------------------

def test_written_file_pass(ds, tmp_path):
    path = tmp_path / "anon.dcm"
    anonymize(ds).save_as(path, enforce_file_format=True)
    assert run("written_file", anon_path=path).passed
    assert run("written_file", anon_path=str(path)).passed


def test_written_file_not_written(tmp_path):
    result = run("written_file", anon_path=tmp_path / "never_written.dcm")
    assert_fails(result, "does not exist")


def test_written_file_without_preamble(ds, tmp_path):
    path = tmp_path / "raw.dcm"
    clean = anonymize(ds)
    clean.preamble = None
    clean.save_as(path)  # without enforce_file_format: no preamble, no 'DICM'
    assert_fails(run("written_file", anon_path=path), "DICM", "enforce_file_format")


def test_written_file_of_the_original_is_caught(tmp_path):
    path = tmp_path / "copy.dcm"
    pydicom.dcmread(datasets.get_path("ct_small")).save_as(path, enforce_file_format=True)
    assert_fails(run("written_file", anon_path=path), "original")


def test_written_file_with_other_pixels(ds, tmp_path):
    import numpy as np

    clean = anonymize(ds)
    pixels = clean.pixel_array.copy()
    clean.PixelData = (pixels // 2).astype(np.int16).tobytes()
    path = tmp_path / "halved.dcm"
    clean.save_as(path, enforce_file_format=True)
    assert_fails(run("written_file", anon_path=path), "pixels")
