"""Tests of the checks of exercise 04: right answers pass, the usual mistakes get a hint."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pydicom
import pytest

from course_utils.checks import ex04_volumes_orientation as ex
from course_utils.dicom import read_series, write_series
from course_utils.phantom import chest_volume
from course_utils.volume import get_plane, plane_spacing, resample

checks = ex.checks


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """The oblique series as the notebook makes it: headers in file order, and the LPS affine."""
    folder = tmp_path_factory.mktemp("oblique")
    small = chest_volume(shape=ex.SERIES["shape"], spacing=ex.SERIES["spacing"], seed=0)
    write_series(small.hu, small.spacing, folder, orientation=ex.series_orientation(),
                 origin=ex.SERIES["origin"], seed=ex.SERIES["seed"])
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in sorted(Path(folder).iterdir())]
    return headers, read_series(folder).affine


@pytest.fixture(scope="module")
def chest():
    return chest_volume(shape=ex.CHEST["shape"], spacing=ex.CHEST["spacing"], seed=ex.CHEST["seed"])


def _normal(headers):
    iop = np.array(headers[0].ImageOrientationPatient, dtype=float)
    return np.cross(iop[:3], iop[3:])


def _positions(headers):
    return np.array([h.ImagePositionPatient for h in headers], dtype=float)


def run(name, **values):
    return checks[name].run(values)


def test_every_check_fails_on_blank_answers():
    for check in checks:
        result = check.run({name: ... for name in check.params})
        assert not result.passed
        assert "still `...`" in result.message or "Nothing is drawn" in result.message


# --- task 1: sort along the normal --------------------------------------------------------

def test_sort_along_normal_passes(series):
    headers, _ = series
    positions = _positions(headers)
    answer = positions[np.argsort(positions @ _normal(headers))]
    assert run("sort_along_normal", slice_positions_sorted=answer).passed


def test_sort_by_file_name_fails(series):
    headers, _ = series
    result = run("sort_along_normal", slice_positions_sorted=_positions(headers))
    assert not result.passed and "normal" in result.message


def test_sort_descending_fails_with_order_hint(series):
    headers, _ = series
    positions = _positions(headers)
    answer = positions[np.argsort(positions @ _normal(headers))][::-1]
    result = run("sort_along_normal", slice_positions_sorted=answer)
    assert not result.passed and "reverse" in result.message


# --- task 2: spacing -----------------------------------------------------------------------

def test_spacing_passes(series):
    headers, _ = series
    along = np.sort(_positions(headers) @ _normal(headers))
    assert run("slice_spacing", slice_spacing_mm=float(np.diff(along).mean())).passed


def test_spacing_along_z_fails(series):
    headers, _ = series
    z = np.sort(_positions(headers)[:, 2])
    result = run("slice_spacing", slice_spacing_mm=float(np.diff(z).mean()))
    assert not result.passed and "along z" in result.message
    assert f"{ex.SERIES['spacing'][0]:g}" not in result.message


def test_slice_thickness_fails():
    result = run("slice_spacing", slice_spacing_mm=7.5)
    assert not result.passed and "SliceThickness" in result.message


# --- task 3: coronal plane -----------------------------------------------------------------

def _coronal_axes(chest, extent="mm", flip=True, aspect="equal"):
    fig, ax = plt.subplots()
    dz, _, dx = chest.spacing
    nz, _, nx = chest.hu.shape
    plane = chest.hu[:, ex.CORONAL_ROW, :]
    if flip:
        plane = plane[::-1]
    kwargs = {}
    if extent == "mm":
        kwargs["extent"] = (-dx / 2, (nx - 0.5) * dx, (nz - 0.5) * dz, -dz / 2)
    elif extent == "swapped":
        kwargs["extent"] = (-dz / 2, (nx - 0.5) * dz, (nz - 0.5) * dx, -dx / 2)
    elif extent == "edges":
        kwargs["extent"] = (0, nx * dx, nz * dz, 0)
    ax.imshow(plane, cmap="gray", vmin=-160, vmax=240, aspect=aspect, **kwargs)
    return ax


def test_coronal_by_hand_passes(chest):
    assert run("coronal_plane", ax_coronal=_coronal_axes(chest)).passed


def test_coronal_with_helpers_passes(chest):
    from course_utils.display import show_slice

    fig, ax = plt.subplots()
    show_slice(get_plane(chest.hu, "coronal", ex.CORONAL_ROW), window="soft_tissue",
               spacing=plane_spacing(chest.spacing, "coronal"), ax=ax)
    assert run("coronal_plane", ax_coronal=ax).passed


def test_coronal_upside_down_fails(chest):
    result = run("coronal_plane", ax_coronal=_coronal_axes(chest, flip=False))
    assert not result.passed and "upside down" in result.message


def test_coronal_in_pixels_fails(chest):
    result = run("coronal_plane", ax_coronal=_coronal_axes(chest, extent=None))
    assert not result.passed and "pixels" in result.message


def test_coronal_swapped_spacings_fails(chest):
    result = run("coronal_plane", ax_coronal=_coronal_axes(chest, extent="swapped"))
    assert not result.passed and "mixes up" in result.message


def test_coronal_half_pixel_shift_fails(chest):
    result = run("coronal_plane", ax_coronal=_coronal_axes(chest, extent="edges"))
    assert not result.passed and "half a pixel" in result.message


# --- task 4: resampling --------------------------------------------------------------------

def test_resampling_passes(chest):
    zoom = np.array(chest.spacing) / ex.RESAMPLE_MM
    _, true = resample(chest.labels, chest.spacing, ex.RESAMPLE_MM)
    assert run("resampling_factors", zoom_factors=zoom, true_spacing_mm=true).passed


def test_resampling_inverted_zoom_fails(chest):
    zoom = ex.RESAMPLE_MM / np.array(chest.spacing)
    _, true = resample(chest.labels, chest.spacing, ex.RESAMPLE_MM)
    result = run("resampling_factors", zoom_factors=zoom, true_spacing_mm=true)
    assert not result.passed and "upside down" in result.message


def test_resampling_target_as_true_spacing_fails(chest):
    zoom = np.array(chest.spacing) / ex.RESAMPLE_MM
    result = run("resampling_factors", zoom_factors=zoom, true_spacing_mm=[ex.RESAMPLE_MM] * 3)
    assert not result.passed and "rounded" in result.message
    _, true = resample(chest.labels, chest.spacing, ex.RESAMPLE_MM)
    assert f"{true[0]:.4f}" not in result.message


# --- task 5: LPS -> RAS --------------------------------------------------------------------

def test_ras_affine_passes(series):
    _, affine_lps = series
    from course_utils.nifti import lps_to_ras

    assert run("lps_to_ras_affine", affine_ras=lps_to_ras(affine_lps)).passed


@pytest.mark.parametrize("mistake, hint", [
    (lambda a: a, "still the LPS"),
    (lambda a: a @ np.diag([-1.0, -1.0, 1.0, 1.0]), "voxel axes"),
    (lambda a: np.diag([-1.0, -1.0, -1.0, 1.0]) @ a, "only x and y"),
])
def test_ras_affine_mistakes_fail(series, mistake, hint):
    _, affine_lps = series
    result = run("lps_to_ras_affine", affine_ras=mistake(affine_lps))
    assert not result.passed and hint in result.message
