"""nifti: LPS (DICOM) <-> RAS (NIfTI) affines, save/load round trip, bundled nibabel files."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from course_utils.nifti import (LPS_TO_RAS, load_nifti, lps_to_ras, orientation_codes,
                                ras_to_lps, save_nifti)
from course_utils.volume import Volume, affine_from_geometry

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"


def _oblique_volume():
    c, s = np.cos(np.radians(20)), np.sin(np.radians(20))
    row, col = np.array([c, s, 0.0]), np.array([0.0, 0.0, -1.0])
    affine = affine_from_geometry((-100, 50, 20), row, col, np.cross(row, col), (3.0, 0.8, 0.6))
    hu = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6) - 1000
    return Volume(hu, (3.0, 0.8, 0.6), affine)


def test_lps_ras_flip_by_hand():
    A = np.diag([0.5, 0.7, 2.0, 1.0])
    A[:3, 3] = [10, 20, 30]
    ras = lps_to_ras(A)
    # the same voxel: LPS (10.5, 20.7, 32) is RAS (-10.5, -20.7, 32)
    np.testing.assert_allclose(A @ [1, 1, 1, 1], [10.5, 20.7, 32, 1])
    np.testing.assert_allclose(ras @ [1, 1, 1, 1], [-10.5, -20.7, 32, 1])
    np.testing.assert_allclose(ras_to_lps(ras), A)
    np.testing.assert_array_equal(LPS_TO_RAS @ LPS_TO_RAS, np.eye(4))
    with pytest.raises(ValueError, match="affine must be a finite 4x4 matrix"):
        lps_to_ras(np.eye(3))
    with pytest.raises(ValueError, match="affine is singular"):
        ras_to_lps(np.zeros((4, 4)))


def test_orientation_codes():
    assert orientation_codes(np.diag([0.7, 0.7, 2.5, 1])) == ("L", "P", "S")
    assert orientation_codes(np.diag([-0.7, -0.7, 2.5, 1])) == ("R", "A", "S")
    # same letters as nibabel gives for the RAS version of the affine
    vol = _oblique_volume()
    assert orientation_codes(vol.affine) == nib.aff2axcodes(lps_to_ras(vol.affine))
    # column ~ L (cos 20), row = -z -> I, slice = cross -> ...
    assert orientation_codes(vol.affine)[:2] == ("L", "I")


def test_round_trip_array_affine_and_world_point(tmp_path):
    vol = _oblique_volume()
    path = save_nifti(vol, tmp_path / "oblique.nii.gz")
    back = load_nifti(path)
    np.testing.assert_array_equal(back.hu, vol.hu)
    np.testing.assert_allclose(back.affine, vol.affine, atol=1e-4)
    assert back.spacing == pytest.approx(vol.spacing)
    # a world point maps to the same voxel in both
    point_lps = vol.voxel_to_world((5, 2, 3))
    np.testing.assert_allclose(back.world_to_voxel(point_lps), [5, 2, 3], atol=1e-4)


def test_on_disk_layout_is_x_y_z_with_ras_affine(tmp_path):
    hu = np.zeros((2, 3, 4), np.float32)
    hu[1, 2, 3] = 7.0                                  # slice 1, row 2, column 3
    path = save_nifti(hu, tmp_path / "a.nii", spacing=(2.0, 1.0, 0.5))
    image = nib.load(path)
    assert image.shape == (4, 3, 2)                    # (x, y, z)
    assert image.get_fdata()[3, 2, 1] == 7.0
    # column index -> patient Left = -x in RAS
    np.testing.assert_allclose(image.affine, np.diag([-0.5, -1.0, 2.0, 1.0]))
    assert nib.aff2axcodes(image.affine) == ("L", "P", "S")
    assert image.header.get_xyzt_units()[0] == "mm"
    assert int(image.header["sform_code"]) == 1 and int(image.header["qform_code"]) == 1


def test_masks_are_saved_as_uint8(tmp_path):
    mask = np.zeros((2, 2, 2), bool)
    mask[0, 1, 1] = True
    path = save_nifti(mask, tmp_path / "mask.nii.gz", affine_lps=np.eye(4))
    assert nib.load(path).get_data_dtype() == np.uint8
    assert load_nifti(path).hu.sum() == 1


def test_bundled_anatomical_loads():
    vol = load_nifti(NIBABEL_DATA / "anatomical.nii")
    image = nib.load(NIBABEL_DATA / "anatomical.nii")
    assert vol.shape == image.shape[::-1] == (25, 41, 33)
    assert vol.hu.dtype == np.float32 and vol.hu.flags.c_contiguous
    assert vol.spacing == (2.0, 2.0, 2.0)
    np.testing.assert_array_equal(vol.hu, np.transpose(image.get_fdata(), (2, 1, 0)))
    np.testing.assert_allclose(lps_to_ras(vol.affine), image.affine)
    assert orientation_codes(vol.affine) == nib.aff2axcodes(image.affine)


def test_4d_needs_a_volume_index():
    path = NIBABEL_DATA / "example4d.nii.gz"
    with pytest.raises(ValueError, match=r"4D with 2 volumes; pick one with load_nifti\(path, "
                                         r"volume=0..1\)"):
        load_nifti(path)
    second = load_nifti(path, volume=1)
    assert second.shape == (24, 96, 128)
    np.testing.assert_allclose(second.hu, np.transpose(nib.load(path).get_fdata()[..., 1],
                                                       (2, 1, 0)))
    with pytest.raises(ValueError, match=r"volume must be in 0..1, got 2"):
        load_nifti(path, volume=2)


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"path must end in .nii or .nii.gz, got 'a.npy'"):
        save_nifti(np.zeros((2, 2, 2)), tmp_path / "a.npy", spacing=(1, 1, 1))
    with pytest.raises(ValueError, match="an array needs its geometry: pass spacing="):
        save_nifti(np.zeros((2, 2, 2)), tmp_path / "a.nii")
    with pytest.raises(ValueError, match=r"the array must be 3D \[z, y, x\]"):
        save_nifti(np.zeros((2, 2)), tmp_path / "a.nii", spacing=(1, 1, 1))
    with pytest.raises(ValueError, match="spacing must be 3 positive numbers"):
        save_nifti(np.zeros((2, 2, 2)), tmp_path / "a.nii", spacing=(1, 1))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_nifti(tmp_path / "missing.nii.gz")
    with pytest.raises(TypeError, match="path must be a str or pathlib.Path"):
        load_nifti(42)


def test_int64_label_maps_are_saved_as_int32(tmp_path):
    labels = np.zeros((2, 3, 4), np.int64)       # np.zeros(..., int): nibabel refuses int64
    labels[1, 2, 3] = 5
    path = save_nifti(labels, tmp_path / "labels.nii.gz", spacing=(1, 1, 1))
    assert nib.load(path).get_data_dtype() == np.int32
    assert load_nifti(path).hu[1, 2, 3] == 5
    with pytest.raises(ValueError, match="beyond the int32 range.*float32 first"):
        save_nifti(labels + 2**40, tmp_path / "big.nii", spacing=(1, 1, 1))


def test_single_volume_4d_file_loads_without_an_index(tmp_path):
    data = np.arange(24, dtype=np.float32).reshape(4, 3, 2, 1)
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "one.nii")
    vol = load_nifti(tmp_path / "one.nii")
    assert vol.shape == (2, 3, 4)
    np.testing.assert_array_equal(vol.hu, np.transpose(data[..., 0], (2, 1, 0)))


def test_volume_argument_is_checked(tmp_path):
    with pytest.raises(ValueError, match="anatomical.nii is 3D: there is no volume 1"):
        load_nifti(NIBABEL_DATA / "anatomical.nii", volume=1)
    with pytest.raises(TypeError, match="volume must be an integer index or None, got 0.5"):
        load_nifti(NIBABEL_DATA / "example4d.nii.gz", volume=0.5)
    with pytest.raises(ValueError, match="spacing is for a bare array; a Volume carries"):
        save_nifti(_oblique_volume(), tmp_path / "v.nii", spacing=(1, 1, 1))
    with pytest.raises(TypeError, match="must hold numbers or booleans, got dtype <U1"):
        save_nifti(np.full((2, 2, 2), "a"), tmp_path / "s.nii", spacing=(1, 1, 1))
