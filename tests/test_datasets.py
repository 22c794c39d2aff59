"""datasets: names, the cached synthetic series (written once, atomically), bundled files."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from course_utils import datasets
from course_utils.volume import Volume


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_UTILS_CACHE", str(folder))
    return folder


def test_cache_dir_follows_the_environment(cache, monkeypatch):
    assert datasets.cache_dir() == cache and cache.is_dir()
    monkeypatch.delenv("COURSE_UTILS_CACHE")
    monkeypatch.setenv("HOME", str(cache / "home"))
    assert datasets.cache_dir() == cache / "home" / ".cache" / "course_utils"


def test_list_datasets_names_and_descriptions():
    names = datasets.list_datasets()
    assert set(names) == {"synthetic_ct", "ct_small", "mr_small", "ct_j2k", "nifti_anatomical",
                          "nifti_4d"}
    assert all(isinstance(text, str) and text for text in names.values())


def test_unknown_name_lists_the_names():
    with pytest.raises(ValueError, match=r"unknown data set 'ct_big'; the names are: ct_j2k, "
                                         r"ct_small, .*synthetic_ct"):
        datasets.get_path("ct_big")
    with pytest.raises(ValueError, match="unknown data set"):
        datasets.load(None)


def test_synthetic_ct_is_written_once_and_reused(cache):
    folder = datasets.get_path("synthetic_ct")
    assert folder.parent == cache and f"v{datasets.SYNTHETIC_CT['version']}" in folder.name
    files = sorted(folder.iterdir())
    spec = datasets.SYNTHETIC_CT
    assert len(files) == spec["shape"][0]
    mtimes = {p.name: p.stat().st_mtime_ns for p in files}
    again = datasets.get_path("synthetic_ct")
    assert again == folder
    assert {p.name: p.stat().st_mtime_ns for p in again.iterdir()} == mtimes
    assert [p.name for p in cache.iterdir()] == [folder.name]   # no temporary folder left

    vol = datasets.load("synthetic_ct")
    assert isinstance(vol, Volume)
    assert vol.shape == spec["shape"] and vol.spacing == pytest.approx(spec["spacing"])
    np.testing.assert_allclose(vol.origin, spec["origin"])
    assert -1100 < vol.hu.min() < -900 and vol.hu.max() > 300    # air ... bone
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == mtimes


def test_concurrent_writers_leave_one_complete_series(cache):
    results, errors = [], []

    def worker():
        try:
            results.append(datasets.get_path("synthetic_ct"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results)) == 1
    assert [p.name for p in cache.iterdir()] == [results[0].name]
    assert len(list(results[0].iterdir())) == datasets.SYNTHETIC_CT["shape"][0]


@pytest.mark.parametrize("name, shape", [("ct_small", (128, 128)), ("mr_small", (64, 64)),
                                         ("ct_j2k", (512, 512))])
def test_pydicom_bundled_files(name, shape):
    path = datasets.get_path(name)
    assert isinstance(path, Path) and path.is_file()
    hu, ds = datasets.load(name)
    assert hu.shape == shape and hu.dtype == np.float32
    assert "PixelData" in ds


def test_ct_small_is_in_hu():
    hu, ds = datasets.load("ct_small")
    assert float(ds.RescaleIntercept) == -1024.0
    np.testing.assert_array_equal(hu, ds.pixel_array - 1024.0)


def test_mr_small_gives_modality_values_not_hu():
    values, ds = datasets.load("mr_small")
    assert ds.Modality == "MR" and "RescaleSlope" not in ds
    np.testing.assert_array_equal(values, ds.pixel_array.astype(np.float32))


def test_nibabel_bundled_files():
    anatomical = datasets.load("nifti_anatomical")
    assert isinstance(anatomical, Volume) and anatomical.shape == (25, 41, 33)
    frames = datasets.load("nifti_4d")
    assert len(frames) == 2 and all(f.shape == (24, 96, 128) for f in frames)
    assert datasets.get_path("nifti_4d").name == "example4d.nii.gz"


def test_losing_the_race_keeps_the_winner_and_cleans_up(cache, monkeypatch):
    """Another process finishes first: our rename fails, its folder is used, ours removed."""
    from course_utils import dicom

    original = dicom.write_series
    final = datasets._synthetic_folder()

    def write_then_lose(hu, spacing, folder, **kwargs):
        paths = original(hu[:2], spacing, folder, **kwargs)
        final.mkdir()
        (final / "winner.dcm").write_bytes(b"written by the other process")
        return paths

    monkeypatch.setattr(dicom, "write_series", write_then_lose)
    assert datasets.get_path("synthetic_ct") == final
    assert [p.name for p in final.iterdir()] == ["winner.dcm"]
    assert [p.name for p in cache.iterdir()] == [final.name]


def test_the_cache_folder_changes_with_the_spec(cache, monkeypatch):
    """A changed recipe must not reuse a series written by the old one."""
    before = datasets._synthetic_folder()
    assert before.parent == cache and before.name.startswith("synthetic_ct-v")
    monkeypatch.setitem(datasets.SYNTHETIC_CT, "seed", 1)
    assert datasets._synthetic_folder() != before
