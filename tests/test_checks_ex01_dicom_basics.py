"""Checks of exercise 01 (DICOM basics): correct answers of every kind pass on two variants,
each classic mistake fails exactly the requirement it breaks, typed-in numbers fail."""

from __future__ import annotations

import collections
import copy
import os
import types
from pathlib import Path

import nbformat
import numpy as np
import pydicom
import pytest
from pydicom.tag import Tag

from check_helpers import assert_fails, grade
from course_utils.checks import ex01_dicom_basics as ex
from course_utils.dicom import anonymize

checks = ex.checks
VARIANTS = (0, 3)
LEARNER_VARIANTS = (0, 4)  # the review's second run: other alternatives, other data
ROOT = Path(__file__).resolve().parents[1]


def _facts(variant):
    """What the answers are for ``variant``, read here from the task's input datasets (the
    task data hold no answer)."""
    task = ex.task(variant)
    ct, series = task.ct, task.series
    by_series = collections.Counter(str(h.SeriesInstanceUID) for h in series)
    return types.SimpleNamespace(
        rows=int(ct.Rows), columns=int(ct.Columns),
        pixel_spacing=tuple(float(v) for v in ct.PixelSpacing),
        slice_thickness=float(ct.SliceThickness),
        vrs=tuple(ct[tag].VR for tag in task.vr_tags), pixels=ct.pixel_array,
        identity={k: str(ct.get(k, "")) for k in ("PatientName", "PatientID",
                                                   "PatientBirthDate", "InstitutionName",
                                                   "StationName")},
        series={"n_files": len(series), "n_uids": len(by_series),
                "frames_per_file": int(series[0].get("NumberOfFrames", 1)),
                "files_per_series": list(by_series.values())})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The task's files for each tested variant: {variant: (ct_path, series_folder)}."""
    return {v: ex.write_files(tmp_path_factory.mktemp(f"ex01_v{v}"), variant=v)
            for v in (*VARIANTS, *LEARNER_VARIANTS, 5)}


@pytest.fixture(scope="module")
def datasets(files):
    return {v: pydicom.dcmread(ct_path) for v, (ct_path, _) in files.items()}


def test_there_are_at_least_four_checks():
    assert len(checks) >= 4
    assert checks.exercise == "01_dicom_basics"


@pytest.mark.parametrize("name", [c.name for c in ex.checks])
def test_blank_answers_say_still_dots(name):
    values = {param: ... for param in checks[name].params}
    result = grade(checks[name], 0, **values)
    assert_fails(result, "still `...`")


# --------------------------------------------------------------------------- the data

@pytest.mark.parametrize("variant", [0, 1, 2, 3, 5, 17, 123])
def test_the_data_show_the_classic_mistakes(variant):
    task = _facts(variant)
    assert task.rows != task.columns                   # Rows and Columns cannot be swapped
    dy, dx = task.pixel_spacing
    assert abs(dy - dx) > 0.05                         # nor the two pixel spacings
    assert task.slice_thickness not in task.pixel_spacing
    assert len(set(task.vrs)) == len(task.vrs)         # order matters
    plan = task.series
    assert len({plan["n_files"], plan["n_uids"], plan["frames_per_file"]}) == 3
    assert plan["n_files"] * plan["frames_per_file"] != plan["frames_per_file"]
    assert plan["n_uids"] >= 2                  # counting Study Instance UIDs (1) is wrong
    assert len({str(h.StudyInstanceUID) for h in ex.task(variant).series}) == 1
    assert {int(h.get("NumberOfFrames", 1)) for h in ex.task(variant).series} == \
        {plan["frames_per_file"]}


def test_the_task_data_hold_no_answer():
    task = ex.task(0)
    assert set(vars(task)) == {"variant", "ct", "vr_tags", "series"}


def test_the_variants_differ():
    tasks = [_facts(v) for v in range(8)]
    assert len({(t.rows, t.columns) for t in tasks}) >= 6
    assert len({t.vrs for t in tasks}) >= 6
    assert len({t.identity["PatientName"] for t in tasks}) >= 6
    assert {t.series["frames_per_file"] for t in tasks} > {1}
    assert len({(t.pixel_spacing[0] > t.pixel_spacing[1]) for t in tasks}) == 2


def test_written_files_match_the_task(files):
    for variant, (ct_path, folder) in files.items():
        task = _facts(variant)
        ds = pydicom.dcmread(ct_path)
        assert (ds.Rows, ds.Columns) == (task.rows, task.columns)
        assert np.array_equal(ds.pixel_array, task.pixels)
        headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in folder.glob("*.dcm")]
        assert len(headers) == task.series["n_files"]
        assert {int(h.get("NumberOfFrames", 1)) for h in headers} == \
            {task.series["frames_per_file"]}
        assert len({h.SeriesInstanceUID for h in headers}) == task.series["n_uids"]


def test_task_data_are_fast_and_deterministic():
    import time

    start = time.perf_counter()
    a = ex.make_task(41)
    assert time.perf_counter() - start < 1.0
    b = ex.make_task(41)
    assert np.array_equal(a.ct.pixel_array, b.ct.pixel_array)
    assert str(a.ct.PatientName) == str(b.ct.PatientName)
    assert [h.SOPInstanceUID for h in a.series] == [h.SOPInstanceUID for h in b.series]


# --------------------------------------------------------------------------- header_values

HEADER_ANSWERS = {
    "keywords": lambda ds: (int(ds.Rows), int(ds.Columns),
                            [float(v) for v in ds.PixelSpacing]),
    "pixel array shape, numpy spacing": lambda ds: (*ds.pixel_array.shape,
                                                    np.array(ds.PixelSpacing, dtype=float)),
    "by tag, tuple": lambda ds: (ds[0x0028, 0x0010].value, ds[0x0028, 0x0011].value,
                                 tuple(map(float, ds[0x0028, 0x0030].value))),
    "float32 array, numpy ints": lambda ds: (np.int64(ds.Rows), np.uint16(ds.Columns),
                                             np.asarray(ds.PixelSpacing, np.float32)),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", HEADER_ANSWERS)
def test_header_values_pass(datasets, variant, how):
    rows, columns, spacing = HEADER_ANSWERS[how](datasets[variant])
    result = grade(checks.header_values, variant, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert result.passed, result.message


def _header(ds):
    return int(ds.Rows), int(ds.Columns), [float(v) for v in ds.PixelSpacing]


@pytest.mark.parametrize("variant", VARIANTS)
def test_header_values_rows_and_columns_swapped(datasets, variant):
    rows, columns, spacing = _header(datasets[variant])
    result = grade(checks.header_values, variant, ct_rows=columns, ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert_fails(result, "`ct_rows` holds the number of columns", forbidden=(rows,))
    result = grade(checks.header_values, variant, ct_rows=rows, ct_columns=rows,
                   ct_pixel_spacing=spacing)
    assert_fails(result, "`ct_columns` holds the number of rows", forbidden=(columns,))


def test_header_values_number_of_pixels_is_not_rows(datasets):
    rows, columns, spacing = _header(datasets[0])
    result = grade(checks.header_values, 0, ct_rows=rows * columns, ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert_fails(result, "number of pixels", forbidden=(rows,))


@pytest.mark.parametrize("variant", VARIANTS)
def test_header_values_spacing_in_x_y_order(datasets, variant):
    rows, columns, spacing = _header(datasets[variant])
    result = grade(checks.header_values, variant, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=spacing[::-1])
    assert_fails(result, "wrong order", "(row spacing, column spacing)",
                 forbidden=(spacing[0], spacing[1]))


def test_header_values_strings_and_multivalue(datasets):
    ds = datasets[0]
    rows, columns, _ = _header(ds)
    result = grade(checks.header_values, 0, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=[str(v) for v in ds.PixelSpacing])
    assert_fails(result, "float()")
    # pydicom's MultiValue of DS numbers is a sequence of two floats: what the task asks
    result = grade(checks.header_values, 0, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=ds.PixelSpacing)
    assert result.passed, result.message


def test_header_values_slice_thickness_is_not_spacing(datasets):
    ds = datasets[0]
    rows, columns, spacing = _header(ds)
    result = grade(checks.header_values, 0, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=[float(ds.SliceThickness)] * 2)
    assert_fails(result, "slice thickness", forbidden=(spacing[0],))


def test_header_values_rows_as_string(datasets):
    _, columns, spacing = _header(datasets[0])
    result = grade(checks.header_values, 0, ct_rows=str(datasets[0].Rows), ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert_fails(result, "`ct_rows` is a string")


# --------------------------------------------------------------------------- element_vrs

VR_ANSWERS = {
    "by tag tuple": lambda ds, tags: [ds[tag].VR for tag in tags],
    "pydicom Tag, tuple": lambda ds, tags: tuple(ds[Tag(*tag)].VR for tag in tags),
    "by keyword": lambda ds, tags: [ds.data_element(pydicom.datadict.keyword_for_tag(Tag(*t))).VR
                                    for t in tags],
    "numpy array of str": lambda ds, tags: np.array([str(ds[g, e].VR) for g, e in tags]),
    "dictionary": lambda ds, tags: [pydicom.datadict.dictionary_VR(Tag(*tag)) for tag in tags],
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", VR_ANSWERS)
def test_element_vrs_pass(datasets, variant, how):
    vrs = VR_ANSWERS[how](datasets[variant], ex.task(variant).vr_tags)
    result = grade(checks.element_vrs, variant, tag_vrs=vrs)
    assert result.passed, result.message


@pytest.mark.parametrize("variant", VARIANTS)
def test_element_vrs_wrong_order(variant):
    vrs = list(_facts(variant).vrs)
    result = grade(checks.element_vrs, variant, tag_vrs=vrs[::-1])
    assert_fails(result, "wrong order")


def test_element_vrs_description_instead_of_code():
    vrs = list(_facts(0).vrs)
    result = grade(checks.element_vrs, 0, tag_vrs=["Decimal String", *vrs[1:]])
    assert_fails(result, "two-letter", forbidden=("'DS'",))


def test_element_vrs_lower_case():
    vrs = list(_facts(3).vrs)
    result = grade(checks.element_vrs, 3, tag_vrs=[vrs[0].lower(), *vrs[1:]])
    assert_fails(result, "capital letters")


def test_element_vrs_wrong_element():
    vrs = list(_facts(0).vrs)
    result = grade(checks.element_vrs, 0, tag_vrs=[*vrs[:2], "UI"])
    assert_fails(result, "`tag_vrs[2]`", "not that element's VR", forbidden=("US",))


def test_element_vrs_one_string_is_not_a_list():
    result = grade(checks.element_vrs, 0, tag_vrs="DS")
    assert_fails(result, "list of 3 strings")


# --------------------------------------------------------------------------- series_counts

def _count_glob(folder):
    files = sorted(folder.glob("*.dcm"))
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in files]
    return (len(files), int(headers[0].get("NumberOfFrames", 1)),
            len({h.SeriesInstanceUID for h in headers}))


def _count_listdir(folder):
    names = [n for n in os.listdir(folder) if n.endswith(".dcm")]
    headers = [pydicom.dcmread(os.path.join(folder, n)) for n in names]
    frames = {h.pixel_array.shape[0] if h.pixel_array.ndim == 3 else 1 for h in headers}
    return len(names), frames.pop(), np.unique([str(h.SeriesInstanceUID) for h in headers]).size


def _count_getattr(folder):
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in folder.iterdir()]
    frames = [getattr(h, "NumberOfFrames", None) or 1 for h in headers]
    return np.int64(len(headers)), float(frames[-1]), len(set(h[0x0020, 0x000E].value
                                                                for h in headers))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("count", [_count_glob, _count_listdir, _count_getattr])
def test_series_counts_pass(files, variant, count):
    n_files, frames, n_uids = count(files[variant][1])
    result = grade(checks.series_counts, variant, series_n_files=n_files,
                   series_frames_per_file=frames, series_n_uids=n_uids)
    assert result.passed, result.message


def _plan(variant):
    plan = _facts(variant).series
    return plan["n_files"], plan["frames_per_file"], plan["n_uids"]


def test_series_counts_one_series_only():
    n_files, frames, n_uids = _plan(0)
    first_series = _facts(0).series["files_per_series"][0]
    result = grade(checks.series_counts, 0, series_n_files=first_series,
                   series_frames_per_file=frames, series_n_uids=n_uids)
    assert_fails(result, "`series_n_files`", forbidden=(n_files,))


@pytest.mark.parametrize("variant", VARIANTS)
def test_series_counts_total_frames_is_not_frames_per_file(variant):
    n_files, frames, n_uids = _plan(variant)
    result = grade(checks.series_counts, variant, series_n_files=n_files,
                   series_frames_per_file=n_files * frames, series_n_uids=n_uids)
    assert_fails(result, "one file")


def test_series_counts_absent_number_of_frames_is_not_zero():
    n_files, frames, n_uids = _plan(0)
    assert frames == 1
    result = grade(checks.series_counts, 0, series_n_files=n_files, series_frames_per_file=0,
                   series_n_uids=n_uids)
    assert_fails(result, "no Number of Frames element", "absence")


def test_series_counts_sop_instance_uids_counted():
    n_files, frames, n_uids = _plan(3)
    result = grade(checks.series_counts, 3, series_n_files=n_files,
                   series_frames_per_file=frames, series_n_uids=n_files)
    assert_fails(result, "SOP Instance")


# --------------------------------------------------------------------------- anonymized

def _by_hand(ds):
    out = copy.deepcopy(ds)
    out.PatientName, out.PatientID = "Case^001", "CASE001"
    out.PatientBirthDate = ""
    del out.InstitutionName
    out.StationName = ""
    out.remove_private_tags()
    out.PatientIdentityRemoved = "YES"
    return out


def _walk_clean(ds):
    out = copy.deepcopy(ds)
    for element in list(out):
        if element.tag.is_private or element.keyword in ("InstitutionName", "StationName",
                                                          "PatientBirthDate"):
            del out[element.tag]
    out.PatientName, out.PatientID = "", ""
    out.add_new(0x00120062, "CS", "YES")
    return out


ANON_ANSWERS = {
    "course helper": lambda ds: anonymize(ds),
    "helper with pseudonyms and dates": lambda ds: anonymize(ds, patient_name="Case^7",
                                                             patient_id="C7",
                                                             date_shift_days=-30),
    "by hand": _by_hand,
    "deleting elements, emptied names": _walk_clean,
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", ANON_ANSWERS)
def test_anonymized_dataset_pass(datasets, variant, how):
    ds = datasets[variant]
    result = grade(checks.anonymized_dataset, variant, anon_ds=ANON_ANSWERS[how](ds), ds=ds)
    assert result.passed, result.message


def _anon_fails(variant, datasets, anon, *words, ds=None):
    ds = datasets[variant] if ds is None else ds
    original = _facts(variant).identity
    result = grade(checks.anonymized_dataset, variant, anon_ds=anon, ds=ds)
    assert_fails(result, *words, forbidden=tuple(original.values()))


def test_anonymized_dataset_without_pixels(datasets):
    clean = anonymize(datasets[0])
    del clean.PixelData
    _anon_fails(0, datasets, clean, "no pixel data")


def test_anonymized_dataset_lost_rows(datasets):
    clean = anonymize(datasets[3])
    del clean.Rows
    _anon_fails(3, datasets, clean, "lost Rows")


def test_anonymized_dataset_of_another_variant(datasets):
    _anon_fails(3, datasets, anonymize(datasets[0]), "another Rows than this task's slice")


@pytest.mark.parametrize("variant", VARIANTS)
def test_anonymized_dataset_name_kept(datasets, variant):
    clean = anonymize(datasets[variant])
    clean.PatientName = datasets[variant].PatientName
    _anon_fails(variant, datasets, clean, "original PatientName")


def test_anonymized_dataset_id_kept(datasets):
    clean = anonymize(datasets[3])
    clean.PatientID = datasets[3].PatientID
    _anon_fails(3, datasets, clean, "original PatientID")


def test_anonymized_dataset_institution_kept(datasets):
    clean = _by_hand(datasets[0])
    clean.InstitutionName = datasets[0].InstitutionName
    _anon_fails(0, datasets, clean, "InstitutionName")


def test_anonymized_dataset_private_elements_kept(datasets):
    renamed = copy.deepcopy(datasets[3])
    renamed.PatientName, renamed.PatientID = "Anonymous", "ANON"
    renamed.PatientBirthDate = ""
    for keyword in ("InstitutionName", "StationName"):
        delattr(renamed, keyword)
    renamed.PatientIdentityRemoved = "YES"
    _anon_fails(3, datasets, renamed, "private elements")


def test_anonymized_dataset_identity_removed_not_said(datasets):
    clean = anonymize(datasets[0])
    del clean.PatientIdentityRemoved
    _anon_fails(0, datasets, clean, "Patient Identity Removed")


def test_anonymized_dataset_in_place_changes_ds(files):
    ds = pydicom.dcmread(files[3][0])
    ds.PatientName, ds.PatientID = "Anonymous", "ANON"
    ds.PatientBirthDate = ""
    del ds.InstitutionName
    del ds.StationName
    ds.remove_private_tags()
    ds.PatientIdentityRemoved = "YES"
    result = grade(checks.anonymized_dataset, 3, anon_ds=ds, ds=ds)
    assert_fails(result, "`ds` was anonymized too", forbidden=tuple(_facts(3).identity.values()))


# --------------------------------------------------------------------------- written_file

def _save_as(dataset, path):
    dataset.save_as(path, enforce_file_format=True)


def _dcmwrite(dataset, path):
    pydicom.dcmwrite(str(path), dataset, enforce_file_format=True)


def _handle(dataset, path):
    with open(path, "wb") as handle:
        pydicom.dcmwrite(handle, dataset, enforce_file_format=True)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("write", [_save_as, _dcmwrite, _handle])
def test_written_file_pass(datasets, tmp_path, variant, write):
    path = tmp_path / "anon.dcm"
    write(anonymize(datasets[variant]), path)
    assert grade(checks.written_file, variant, anon_path=path).passed
    assert grade(checks.written_file, variant, anon_path=str(path)).passed


def test_written_file_not_written(tmp_path):
    result = grade(checks.written_file, 0, anon_path=tmp_path / "never_written.dcm")
    assert_fails(result, "does not exist")


def test_written_file_without_preamble(datasets, tmp_path):
    path = tmp_path / "raw.dcm"
    clean = anonymize(datasets[0])
    clean.preamble = None
    clean.save_as(path)  # without enforce_file_format: no preamble, no 'DICM'
    assert_fails(grade(checks.written_file, 0, anon_path=path), "DICM", "enforce_file_format")


def test_written_file_not_dicom(tmp_path):
    path = tmp_path / "text.dcm"
    path.write_bytes(b"\0" * 128 + b"DICM" + b"nonsense" * 4)
    assert_fails(grade(checks.written_file, 0, anon_path=path), "no file meta information")


def test_written_file_without_pixels(datasets, tmp_path):
    clean = anonymize(datasets[3])
    del clean.PixelData
    path = tmp_path / "header_only.dcm"
    clean.save_as(path, enforce_file_format=True)
    assert_fails(grade(checks.written_file, 3, anon_path=path), "no pixel data")


def test_written_file_with_other_pixels(datasets, tmp_path):
    clean = anonymize(datasets[0])
    clean.PixelData = (clean.pixel_array // 2).astype(np.int16).tobytes()
    path = tmp_path / "halved.dcm"
    clean.save_as(path, enforce_file_format=True)
    assert_fails(grade(checks.written_file, 0, anon_path=path), "pixels")


@pytest.mark.parametrize("variant", VARIANTS)
def test_written_file_of_the_original(datasets, tmp_path, variant):
    path = tmp_path / "copy.dcm"
    datasets[variant].save_as(path, enforce_file_format=True)
    result = grade(checks.written_file, variant, anon_path=path)
    assert_fails(result, "original PatientName",
                 forbidden=tuple(_facts(variant).identity.values()))


# --------------------------------------------------------------------------- more learners
# Other correct ways and classic mistakes, worked on variants 0 and 4 (review of issue 8).

def _read_bytes(path):
    import io

    return pydicom.dcmread(io.BytesIO(Path(path).read_bytes()))


MORE_HEADER_ANSWERS = {
    "data_element values": lambda ds, path: (
        ds.data_element("Rows").value, ds.data_element("Columns").value,
        [float(v) for v in ds.data_element("PixelSpacing").value]),
    "force=True, map to tuple": lambda ds, path: (
        lambda d: (d.Rows, d.Columns, tuple(map(float, d.PixelSpacing))))(
            pydicom.dcmread(path, force=True)),
    "bytes through BytesIO, list(MultiValue)": lambda ds, path: (
        lambda d: (d.Rows, d.Columns, list(d.PixelSpacing)))(_read_bytes(path)),
    "JSON dict": lambda ds, path: (
        lambda j: (j["00280010"]["Value"][0], j["00280011"]["Value"][0],
                   [float(v) for v in j["00280030"]["Value"]]))(ds.to_json_dict()),
    "int tag and float64 array": lambda ds, path: (
        ds[0x00280010].value, ds[0x00280011].value,
        np.array(ds[0x00280030].value, dtype=np.float64)),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_HEADER_ANSWERS)
def test_header_values_more_ways_pass(files, datasets, variant, how):
    rows, columns, spacing = MORE_HEADER_ANSWERS[how](datasets[variant], files[variant][0])
    result = grade(checks.header_values, variant, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert result.passed, result.message


def test_header_values_float_rows_are_not_ints(datasets):
    ds = datasets[4]
    rows, columns, spacing = _header(ds)
    result = grade(checks.header_values, 4, ct_rows=float(rows), ct_columns=columns,
                   ct_pixel_spacing=spacing)
    assert_fails(result, "`ct_rows` is a float", forbidden=(rows,))


def test_header_values_slice_thickness_for_one_spacing(datasets):
    ds = datasets[4]
    rows, columns, spacing = _header(ds)
    result = grade(checks.header_values, 4, ct_rows=rows, ct_columns=columns,
                   ct_pixel_spacing=[float(ds.SliceThickness), spacing[1]])
    assert_fails(result, "slice thickness", forbidden=(spacing[0],))


MORE_VR_ANSWERS = {
    "dict from iterall": lambda ds, tags: (lambda vr: [vr[Tag(*t)] for t in tags])(
        {element.tag: element.VR for element in ds.iterall()}),
    "walk callback": lambda ds, tags: _vrs_by_walk(ds, tags),
    "JSON dict": lambda ds, tags: [ds.to_json_dict()[f"{g:04X}{e:04X}"]["vr"] for g, e in tags],
    "int tags": lambda ds, tags: [ds[(g << 16) | e].VR for g, e in tags],
}


def _vrs_by_walk(ds, tags):
    found = {}
    ds.walk(lambda dataset, element: found.setdefault(element.tag, element.VR))
    return [found[Tag(*tag)] for tag in tags]


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_VR_ANSWERS)
def test_element_vrs_more_ways_pass(datasets, variant, how):
    vrs = MORE_VR_ANSWERS[how](datasets[variant], ex.task(variant).vr_tags)
    result = grade(checks.element_vrs, variant, tag_vrs=vrs)
    assert result.passed, result.message


@pytest.mark.parametrize("attribute", ["value", "keyword", "name"])
def test_element_vrs_value_keyword_or_name_is_not_a_vr(datasets, attribute):
    ds, tags = datasets[4], ex.task(4).vr_tags
    given = [str(getattr(ds[tag], attribute))[:12] for tag in tags]
    result = grade(checks.element_vrs, 4, tag_vrs=given)
    assert_fails(result, "`tag_vrs[0]`", "is not a VR", "two-letter code",
                 forbidden=(f"'{_facts(4).vrs[0]}'",))
    assert "description" not in result.message


def _count_rglob_force(folder):
    paths = [p for p in Path(folder).rglob("*.dcm") if p.is_file()]
    headers = [pydicom.dcmread(p, force=True, stop_before_pixels=True) for p in paths]
    frames = {int(h.NumberOfFrames) if "NumberOfFrames" in h else 1 for h in headers}
    return len(paths), frames.pop(), len({h.SeriesInstanceUID for h in headers})


def _count_scandir_grouped(folder):
    groups = collections.defaultdict(list)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".dcm"):
                header = pydicom.dcmread(entry.path, specific_tags=["SeriesInstanceUID",
                                                                    "NumberOfFrames"])
                groups[header.SeriesInstanceUID].append(header)
    headers = [h for group in groups.values() for h in group]
    return sum(map(len, groups.values())), int(headers[0].get("NumberOfFrames") or 1), len(groups)


def _count_pixels(folder):
    arrays = [pydicom.dcmread(p).pixel_array for p in sorted(Path(folder).glob("*.dcm"))]
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in Path(folder).glob("*.dcm")]
    frames = arrays[0].shape[0] if arrays[0].ndim == 3 else 1
    return np.int32(len(arrays)), np.int64(frames), pd_free_unique(headers)


def pd_free_unique(headers):
    return len(np.unique([h[0x0020, 0x000E].value for h in headers]))


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("count", [_count_rglob_force, _count_scandir_grouped, _count_pixels])
def test_series_counts_more_ways_pass(files, variant, count):
    n_files, frames, n_uids = count(files[variant][1])
    result = grade(checks.series_counts, variant, series_n_files=n_files,
                   series_frames_per_file=frames, series_n_uids=n_uids)
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
def test_series_counts_study_uids_counted(files, variant):
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in files[variant][1].iterdir()]
    n_files, frames, n_uids = _plan(variant)
    result = grade(checks.series_counts, variant, series_n_files=n_files,
                   series_frames_per_file=frames,
                   series_n_uids=len({h.StudyInstanceUID for h in headers}))
    assert_fails(result, "Series Instance UIDs", "not of Study Instance UIDs", forbidden=(n_uids,))


def test_series_counts_multi_frame_files_given_one_frame():
    variant = next(v for v in range(4, 40) if _facts(v).series["frames_per_file"] > 1)
    n_files, frames, n_uids = _plan(variant)
    result = grade(checks.series_counts, variant, series_n_files=n_files,
                   series_frames_per_file=1, series_n_uids=n_uids)
    assert_fails(result, "Number of Frames (0028,0008)", forbidden=(frames,))
    assert "absen" not in result.message  # the element is there: no word about its absence


def _walk_pseudonyms(ds):
    import hashlib

    out = copy.deepcopy(ds)

    def clean(dataset, element):
        if element.keyword in ("PatientName", "PatientID"):
            element.value = hashlib.sha256(str(element.value).encode()).hexdigest()[:12]
        elif element.keyword in ("PatientBirthDate", "InstitutionName", "StationName"):
            element.value = ""
    out.walk(clean)
    for tag in [element.tag for element in out if element.tag.is_private]:
        del out[tag]
    out.PatientIdentityRemoved = "YES"
    return out


def _read_again_and_clean(path):
    out = pydicom.dcmread(path)  # a second, independent copy of the file
    out.PatientName, out.PatientID = "Study^Subject12", "S12"
    for keyword in ("PatientBirthDate", "InstitutionName", "StationName"):
        out.data_element(keyword).value = ""
    out.remove_private_tags()
    out.add_new(0x00120062, "CS", "YES")
    return out


def _helper_then_extra(ds):
    out = anonymize(ds, patient_name="", patient_id="", replace_uids=False)
    out.DeidentificationMethod = "course exercise"
    return out


MORE_ANON_ANSWERS = {
    "walk with hashed pseudonyms": lambda ds, path: _walk_pseudonyms(ds),
    "read the file again": lambda ds, path: _read_again_and_clean(path),
    "helper with empty names, UIDs kept": lambda ds, path: _helper_then_extra(ds),
    "Dataset.copy of a deep copy": lambda ds, path: _by_hand(copy.deepcopy(ds).copy()),
}


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("how", MORE_ANON_ANSWERS)
def test_anonymized_dataset_more_ways_pass(files, datasets, variant, how):
    ds = datasets[variant]
    anon = MORE_ANON_ANSWERS[how](ds, files[variant][0])
    result = grade(checks.anonymized_dataset, variant, anon_ds=anon, ds=ds)
    assert result.passed, result.message


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
def test_anonymized_dataset_shallow_copy_changes_ds(files, variant):
    ds = pydicom.dcmread(files[variant][0])
    shallow = copy.copy(ds)
    shallow.PatientName, shallow.PatientID = "Anonymous", "ANON"
    for keyword in ("PatientBirthDate", "InstitutionName", "StationName"):
        setattr(shallow, keyword, "")
    shallow.remove_private_tags()
    shallow.PatientIdentityRemoved = "YES"
    result = grade(checks.anonymized_dataset, variant, anon_ds=shallow, ds=ds)
    assert_fails(result, "`ds` was anonymized too", "copy.deepcopy",
                 forbidden=tuple(_facts(variant).identity.values()))


@pytest.mark.parametrize("keyword", ["PatientName", "PatientID"])
def test_anonymized_dataset_name_or_id_removed(datasets, keyword):
    clean = anonymize(datasets[4])
    delattr(clean, keyword)
    _anon_fails(4, datasets, clean, f"has no {keyword} any more", "type 2")


def test_anonymized_dataset_identity_removed_in_lower_case(datasets):
    import warnings

    clean = anonymize(datasets[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pydicom warns: an invalid CS value
        clean.PatientIdentityRemoved = "yes"
    _anon_fails(0, datasets, clean, "lower case", "CS")


def test_anonymized_dataset_with_changed_pixels(datasets):
    clean = anonymize(datasets[4])
    clean.PixelData = np.zeros_like(clean.pixel_array).tobytes()
    _anon_fails(4, datasets, clean, "other pixel data")


def test_anonymized_dataset_one_private_element_left(datasets):
    clean = anonymize(datasets[4])
    clean.add_new(0x00290010, "LO", "SOME VENDOR")
    _anon_fails(4, datasets, clean, "still has 1 private element (odd group")


def _dcmwrite_implicit(dataset, path):
    out = copy.deepcopy(dataset)
    out.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    pydicom.dcmwrite(path, out, enforce_file_format=True)


def _os_path_save(dataset, path):
    dataset.save_as(os.path.join(os.path.dirname(path), os.path.basename(path)))


def _fileobj_dcmwrite_default(dataset, path):
    with open(path, "wb") as handle:
        pydicom.dcmwrite(handle, dataset)


def _pathlib_bytes(dataset, path):
    import io

    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    Path(path).write_bytes(buffer.getvalue())


@pytest.mark.parametrize("variant", LEARNER_VARIANTS)
@pytest.mark.parametrize("write", [_dcmwrite_implicit, _os_path_save, _fileobj_dcmwrite_default,
                                   _pathlib_bytes])
def test_written_file_more_ways_pass(datasets, tmp_path, variant, write):
    path = tmp_path / "anon.dcm"
    write(_walk_pseudonyms(datasets[variant]), path)
    result = grade(checks.written_file, variant, anon_path=str(path))
    assert result.passed, result.message


def test_written_file_with_the_name_removed(datasets, tmp_path):
    clean = anonymize(datasets[4])
    del clean.PatientName
    path = tmp_path / "no_name.dcm"
    clean.save_as(path, enforce_file_format=True)
    result = grade(checks.written_file, 4, anon_path=path)
    assert_fails(result, "the written file has no PatientName",
                 forbidden=tuple(_facts(4).identity.values()))


# --------------------------------------------------------------------------- typed in

def test_typed_in_numbers_of_variant_0_fail_on_another_variant(datasets, tmp_path):
    """The solution's values for variant 0, as literals, fail every check on variant 3."""
    t0 = _facts(0)
    typed = {
        "header_values": {"ct_rows": t0.rows, "ct_columns": t0.columns,
                          "ct_pixel_spacing": list(t0.pixel_spacing)},
        "element_vrs": {"tag_vrs": list(t0.vrs)},
        "series_counts": {"series_n_files": t0.series["n_files"],
                          "series_frames_per_file": t0.series["frames_per_file"],
                          "series_n_uids": t0.series["n_uids"]},
        "anonymized_dataset": {"anon_ds": anonymize(datasets[0]), "ds": datasets[0]},
    }
    path = tmp_path / "anon_v0.dcm"
    anonymize(datasets[0]).save_as(path, enforce_file_format=True)
    typed["written_file"] = {"anon_path": path}
    assert set(typed) == set(checks.names)
    for name, values in typed.items():
        assert grade(checks[name], 0, **values).passed, name
        assert not grade(checks[name], 3, **values).passed, name


# --------------------------------------------------------------------------- whole notebook

ALTERNATIVE = {
    "97d0c10c": """ds = pydicom.dcmread(str(ct_path))
ct_rows, ct_columns = ds.pixel_array.shape
ct_pixel_spacing = np.asarray(ds[0x0028, 0x0030].value, dtype=np.float64)""",
    "071c5adf": """tag_vrs = tuple(ds[pydicom.tag.Tag(*tag)].VR for tag in vr_tags)""",
    "2891f7ec": """headers = [pydicom.dcmread(p) for p in series_folder.iterdir()]
series_n_files = len(headers)
series_frames_per_file = getattr(headers[0], "NumberOfFrames", None) or 1
series_n_uids = len(set(str(h.SeriesInstanceUID) for h in headers))""",
    "3ec40b32": """import copy

anon_ds = copy.deepcopy(ds)
anon_ds.PatientName, anon_ds.PatientID = "Case^001", "CASE001"
for keyword in ("PatientBirthDate", "InstitutionName", "StationName"):
    if keyword in anon_ds:
        delattr(anon_ds, keyword)
anon_ds.remove_private_tags()
anon_ds.PatientIdentityRemoved = "YES\"""",
    "51e689d7": """anon_path = str(output_folder / "anonymized.dcm")
pydicom.dcmwrite(anon_path, anon_ds, enforce_file_format=True)""",
}
WRONG = {"97d0c10c": """ds = pydicom.dcmread(ct_path)
ct_columns, ct_rows = ds.pixel_array.shape
ct_pixel_spacing = [float(v) for v in ds.PixelSpacing]"""}


def _notebook(tmp_path, folder, replacements):
    nb = nbformat.read(ROOT / "solutions" / "01_dicom_basics.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") in replacements:
            cell.source = replacements[cell["id"]]
    path = tmp_path / folder / "01_dicom_basics.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, "alternative", ALTERNATIVE),
                                 hidden_variant=5)
    assert alternative.full_marks, [(c.name, c.message) for c in alternative.checks]
    wrong = grade_notebook(_notebook(tmp_path, "wrong", WRONG), hidden_variant=5)
    failed = [c.name for c in wrong.checks if not c.passed]
    assert failed == ["header_values"], [(c.name, c.message) for c in wrong.checks]
