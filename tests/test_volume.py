"""volume: Volume geometry, planes in radiological orientation, resampling with true spacing."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.volume import (Volume, affine_from_geometry, get_plane, plane_spacing,
                                 resample, resample_volume)


def test_affine_from_geometry_columns_are_direction_times_spacing():
    row, col = np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.0, -1.0])
    normal = np.cross(row, col)
    A = affine_from_geometry((5, 6, 7), row, col, normal, (3.0, 2.0, 0.5))
    np.testing.assert_allclose(A[:3, 0], row * 0.5)   # column index -> row cosine * dx
    np.testing.assert_allclose(A[:3, 1], col * 2.0)   # row index -> column cosine * dy
    np.testing.assert_allclose(A[:3, 2], normal * 3.0)
    # normal = cross(row, col) = (-0.8, 0.6, 0); voxel (column 2, row 1, slice 1) by hand:
    # origin + 2 * 0.5 * row + 1 * 2 * col + 1 * 3 * normal
    np.testing.assert_allclose(A @ [2, 1, 1, 1], [5 + 0.6 - 2.4, 6 + 0.8 + 1.8, 7 - 2.0, 1])


def test_affine_from_geometry_rejects_bad_input():
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        affine_from_geometry((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1))
    with pytest.raises(ValueError, match="row_cosine must be 3 finite numbers"):
        affine_from_geometry((0, 0, 0), (1, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1))
    with pytest.raises(ValueError, match="col_cosine must not be the zero vector"):
        affine_from_geometry((0, 0, 0), (1, 0, 0), (0, 0, 0), (0, 0, 1), (1, 1, 1))


def test_volume_properties_and_world_round_trip():
    A = affine_from_geometry((-10, 20, 30), (1, 0, 0), (0, 1, 0), (0, 0, 1), (2.0, 0.5, 0.25))
    vol = Volume(np.zeros((3, 4, 5), np.float32), (2.0, 0.5, 0.25), A)
    assert vol.shape == (3, 4, 5)
    assert vol.origin.tolist() == [-10, 20, 30]
    np.testing.assert_allclose(vol.voxel_to_world((4, 3, 2)), [-9.0, 21.5, 34.0])
    np.testing.assert_allclose(vol.world_to_voxel([-9.0, 21.5, 34.0]), [4, 3, 2])


def test_volume_validates():
    with pytest.raises(ValueError, match="Volume.hu must be a 3D numpy array"):
        Volume(np.zeros((3, 4)), (1, 1, 1), np.eye(4))
    with pytest.raises(ValueError, match="Volume.affine must be a 4x4 matrix"):
        Volume(np.zeros((2, 3, 4)), (1, 1, 1), np.eye(3))
    with pytest.raises(ValueError, match="Volume.spacing must be 3 positive numbers"):
        Volume(np.zeros((2, 3, 4)), (1, -1, 1), np.eye(4))


def test_get_plane_orientation():
    vol = np.arange(2 * 3 * 4).reshape(2, 3, 4)  # z, y, x
    np.testing.assert_array_equal(get_plane(vol, "axial", 1), vol[1])
    # coronal: rows = z with superior (last slice) on top, columns = x
    coronal = get_plane(vol, "coronal", 2)
    assert coronal.tolist() == [[20, 21, 22, 23], [8, 9, 10, 11]]
    # sagittal: rows = z flipped, columns = y (anterior on the left)
    sagittal = get_plane(vol, "sagittal", 0)
    assert sagittal.tolist() == [[12, 16, 20], [0, 4, 8]]
    assert get_plane(vol, "Axial").shape == (3, 4)      # default: middle slice
    assert np.shares_memory(get_plane(vol, "coronal"), vol)  # a view, no copy
    wrapped = Volume(vol.astype(np.float32), (1, 1, 1), np.eye(4))
    np.testing.assert_array_equal(get_plane(wrapped, "sagittal", 0), sagittal)


def test_get_plane_rejects_bad_input():
    vol = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match="plane must be one of axial, coronal, sagittal"):
        get_plane(vol, "transverse")
    with pytest.raises(ValueError, match="index 3 is out of range for the coronal plane"):
        get_plane(vol, "coronal", 3)
    with pytest.raises(ValueError, match="array must be a 3D volume"):
        get_plane(np.zeros((3, 4)), "axial")
    with pytest.raises(TypeError, match="index must be an integer"):
        get_plane(vol, "axial", 1.5)


def test_plane_spacing():
    assert plane_spacing((3.0, 0.7, 0.6), "axial") == (0.7, 0.6)
    assert plane_spacing((3.0, 0.7, 0.6), "coronal") == (3.0, 0.6)
    assert plane_spacing((3.0, 0.7, 0.6), "sagittal") == (3.0, 0.7)
    with pytest.raises(ValueError, match="spacing must be 3 positive numbers"):
        plane_spacing((0.7, 0.6), "axial")


def test_resample_reports_true_spacing():
    img = np.zeros((10, 7, 7), np.float32)
    out, true = resample(img, (2.5, 0.7, 0.7), (1.0, 1.0, 1.0))
    # zoom 2.5 -> 25 slices; 7 * 0.7 = 4.9 -> 5 columns, true spacing 4.9 / 5 = 0.98
    assert out.shape == (25, 5, 5)
    np.testing.assert_allclose(true, (1.0, 0.98, 0.98))


def test_resample_linear_values_and_constant_image():
    img = np.full((4, 6), 7.0, np.float32)
    out, _ = resample(img, (1, 1), (0.5, 2.0))
    assert out.shape == (8, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, 7.0)
    ramp = np.arange(4, dtype=np.float32)[None].repeat(2, 0)   # 0 1 2 3 along x
    out, true = resample(ramp, (1, 1), (1, 2))
    assert true == (1.0, 2.0)
    # grid_mode: new centers at old x = 0.5 and 2.5 -> linear values 0.5 and 2.5
    np.testing.assert_allclose(out[0], [0.5, 2.5])


def test_resample_masks_stay_masks():
    mask = np.zeros((4, 4), bool)
    mask[1:3, 1:3] = True
    out, true = resample(mask, (1, 1), (0.5, 0.5))
    assert out.dtype == bool and out.sum() == 16 and true == (0.5, 0.5)
    labels = np.array([[0, 2], [4, 4]], np.uint8)
    out, _ = resample(labels, (1, 1), (0.5, 0.5))
    assert set(np.unique(out)) == {0, 2, 4}      # nearest: no new label values
    smooth, _ = resample(mask, (1, 1), (0.5, 0.5), order=1)   # float + threshold
    assert smooth.dtype == bool


def test_resample_rejects_bad_input():
    mask = np.zeros((4, 4), bool)
    with pytest.raises(ValueError, match="order=3 would mix values of a boolean mask"):
        resample(mask, (1, 1), 0.5, order=3)
    with pytest.raises(ValueError, match=r"integer \(int16\) label map"):
        resample(np.zeros((4, 4), np.int16), (1, 1), 0.5, order=1)
    with pytest.raises(ValueError, match=r"spacing must be 2 positive numbers \(dy, dx\)"):
        resample(np.zeros((4, 4)), (1, 1, 1), 0.5)
    with pytest.raises(ValueError, match="new_spacing must be 2 positive numbers"):
        resample(np.zeros((4, 4)), (1, 1), (0, 1))
    with pytest.raises(ValueError, match="order must be an integer from 0 to 5"):
        resample(np.zeros((4, 4)), (1, 1), 1, order=7)
    with pytest.raises(ValueError, match="array must be 2D or 3D"):
        resample(np.zeros(4), (1,), 1)


def test_resample_volume_keeps_field_of_view():
    A = affine_from_geometry((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (2.0, 1.0, 1.0))
    vol = Volume(np.zeros((4, 2, 2), np.float32), (2.0, 1.0, 1.0), A)
    iso = resample_volume(vol, 1.0)
    assert iso.shape == (8, 2, 2) and iso.spacing == (1.0, 1.0, 1.0)
    # first slice edge stays at -1 mm: center moves from 0 to -0.5; last from 6 to 6.5
    np.testing.assert_allclose(iso.origin, [0, 0, -0.5])
    np.testing.assert_allclose(iso.voxel_to_world((0, 0, 7)), [0, 0, 6.5])
