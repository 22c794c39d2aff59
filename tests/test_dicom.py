"""dicom: stored values -> HU, writing and reading series (sorting, geometry, every bad input),
single files bundled with pydicom, anonymization."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from course_utils.dicom import (PADDING_HU, anonymize, read_series, read_slice, stored_to_hu,
                                write_series)
from course_utils.volume import affine_from_geometry


def _ramp(nz=4, ny=3, nx=5):
    """A volume whose value encodes its voxel: 100 * z + 10 * y + x."""
    z, y, x = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    return (100 * z + 10 * y + x).astype(np.float32)


# --- stored values -> HU -------------------------------------------------------------------


def test_stored_to_hu_slope_intercept_by_hand():
    stored = np.array([[0, 1], [400, 1000]], np.uint16)
    # HU = stored * 2.5 - 1000: 0 -> -1000, 1 -> -997.5, 400 -> 0, 1000 -> 1500
    hu = stored_to_hu(stored, 2.5, -1000.0)
    assert hu.dtype == np.float32
    np.testing.assert_array_equal(hu, [[-1000.0, -997.5], [0.0, 1500.0]])


def test_stored_to_hu_uint16_above_32767_does_not_wrap():
    stored = np.array([32767, 32768, 40000, 65535], np.uint16)
    hu = stored_to_hu(stored, 1.0, -1024.0)
    np.testing.assert_array_equal(hu, [31743.0, 31744.0, 38976.0, 64511.0])
    # the classic bug: casting to int16 first turns 40000 into -25536
    assert stored.astype(np.int16)[2] == -25536
    assert hu.min() > 0


def test_stored_to_hu_padding_in_stored_space():
    stored = np.array([-2000, -1999, 0, 1024], np.int16)
    hu = stored_to_hu(stored, 1.0, -1024.0, padding_value=-2000)
    np.testing.assert_array_equal(hu, [PADDING_HU, -3023.0, -1024.0, 0.0])
    ranged = stored_to_hu(np.array([0, 5, 10, 11], np.uint16), 1, -1024, padding_value=10,
                          padding_limit=0, padding_hu=-2000)
    np.testing.assert_array_equal(ranged, [-2000, -2000, -2000, -1013])


def test_stored_to_hu_fills_out_without_copy():
    out = np.zeros((2, 2), np.float32)
    result = stored_to_hu(np.full((2, 2), 3, np.uint16), 2.0, 1.0, out=out)
    assert result is out and out.tolist() == [[7.0, 7.0], [7.0, 7.0]]


def test_stored_to_hu_rejects_bad_input():
    with pytest.raises(TypeError, match="integer stored values, got dtype float64"):
        stored_to_hu(np.zeros(3), 1, 0)
    with pytest.raises(ValueError, match="RescaleSlope must be a finite non-zero number"):
        stored_to_hu(np.zeros(3, np.uint16), 0, 0)
    with pytest.raises(ValueError, match="RescaleSlope and RescaleIntercept must be numbers"):
        stored_to_hu(np.zeros(3, np.uint16), "one", 0)
    with pytest.raises(ValueError, match="out must be a float32 array of shape"):
        stored_to_hu(np.zeros(3, np.uint16), 1, 0, out=np.zeros(3))


# --- writing -------------------------------------------------------------------------------


def test_write_series_tags_and_stored_values(tmp_path):
    hu = _ramp() - 1000  # -1000 .. -566
    paths = write_series(hu, (2.5, 0.8, 0.6), tmp_path, origin=(-10, -20, -30), seed=3,
                         window=(1500, -600), rescale_slope=2.0, rescale_intercept=-1024.0)
    assert len(paths) == 4 and all(p.parent == tmp_path for p in paths)
    first = pydicom.dcmread(paths[0])
    assert first.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert first.file_meta.MediaStorageSOPClassUID == CTImageStorage
    assert first.SOPClassUID == CTImageStorage
    assert first.file_meta.MediaStorageSOPInstanceUID == first.SOPInstanceUID
    assert str(first.PatientName) == "Synthetic^Phantom" and first.PatientID == "SYNTH-0001"
    assert first.Modality == "CT" and first.PhotometricInterpretation == "MONOCHROME2"
    assert (first.Rows, first.Columns) == (3, 5)
    assert [float(v) for v in first.PixelSpacing] == [0.8, 0.6]   # (dy, dx)
    assert float(first.SliceThickness) == 2.5
    assert (first.BitsAllocated, first.BitsStored, first.PixelRepresentation) == (16, 16, 0)
    assert (float(first.WindowWidth), float(first.WindowCenter)) == (1500.0, -600.0)
    assert (float(first.RescaleSlope), float(first.RescaleIntercept)) == (2.0, -1024.0)
    assert first.RescaleType == "HU"
    # stored = round((hu - intercept) / slope): hu -1000 -> 12, hu -996 -> 14
    stored = first.pixel_array
    assert stored.dtype == np.uint16
    assert stored[0, 0] == 12 and stored[0, 4] == round((-996 + 1024) / 2)
    for k, path in enumerate(paths):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        assert ds.InstanceNumber == k + 1
        assert [float(v) for v in ds.ImagePositionPatient] == [-10, -20, -30 + 2.5 * k]
        assert float(ds.SliceLocation) == pytest.approx(-30 + 2.5 * k)
        assert ds.SeriesInstanceUID == first.SeriesInstanceUID
        assert path.name == f"{ds.SOPInstanceUID}.dcm"
    # names do not give the slice order
    assert sorted(paths) != paths


def test_write_series_uids_are_deterministic(tmp_path):
    hu = np.zeros((2, 2, 2), np.float32)
    a = write_series(hu, (1, 1, 1), tmp_path / "a", seed=7)
    b = write_series(hu, (1, 1, 1), tmp_path / "b", seed=7)
    c = write_series(hu, (1, 1, 1), tmp_path / "c", seed=8)
    assert [p.name for p in a] == [p.name for p in b]
    assert not set(p.name for p in a) & set(p.name for p in c)
    da, dc = (pydicom.dcmread(p[0]) for p in (a, c))
    assert da.StudyInstanceUID != dc.StudyInstanceUID
    assert da.SeriesInstanceUID != dc.SeriesInstanceUID


def test_write_series_rejects_bad_input(tmp_path):
    hu = np.zeros((2, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"HU range \[-2000, 0\] does not fit in uint16"):
        write_series(hu - 2000 * (np.arange(2)[:, None, None] == 0), (1, 1, 1), tmp_path)
    with pytest.raises(ValueError, match=r"representable: \[-1024, 64511\] HU"):
        write_series(hu + 70000, (1, 1, 1), tmp_path)
    with pytest.raises(ValueError, match="hu contains NaN"):
        write_series(np.full((1, 2, 2), np.nan), (1, 1, 1), tmp_path)
    with pytest.raises(ValueError, match=r"hu must be a 3D volume \[z, y, x\]"):
        write_series(np.zeros((2, 2)), (1, 1), tmp_path)
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        write_series(hu, (1, 0, 1), tmp_path)
    with pytest.raises(ValueError, match="row and column cosines must be perpendicular"):
        write_series(hu, (1, 1, 1), tmp_path, orientation=(1, 0, 0, 1, 1, 0))
    with pytest.raises(ValueError, match="orientation must be 6 numbers"):
        write_series(hu, (1, 1, 1), tmp_path, orientation=(1, 0, 0))
    with pytest.raises(ValueError, match=r"window must be \(width, level\) with width > 0"):
        write_series(hu, (1, 1, 1), tmp_path, window=(0, 40))
    assert not list(tmp_path.iterdir())  # nothing written on bad input


# --- reading a series ---------------------------------------------------------------------


def test_round_trip_slope_2_5_and_stored_values_above_32767(tmp_path):
    hu = _ramp() * 100.0 - 1000.0           # -1000 .. 33240 HU
    hu[0, 0, 0] = 60000.0                    # stored (60000 + 1024) / 2.5 = 24409.6 -> 24410
    write_series(hu, (2.0, 0.5, 0.5), tmp_path, rescale_slope=2.5, rescale_intercept=-1024)
    vol = read_series(tmp_path)
    assert vol.hu.dtype == np.float32 and vol.shape == (4, 3, 5)
    # HU survive within half a stored step (slope / 2 = 1.25 HU)
    np.testing.assert_allclose(vol.hu, hu, atol=1.25)
    assert vol.hu[0, 0, 0] == 24410 * 2.5 - 1024   # = 59001: positive, not wrapped
    stored = pydicom.dcmread(sorted(tmp_path.iterdir())[0]).pixel_array
    assert stored.dtype == np.uint16


def test_unsigned_stored_values_above_32767_read_back(tmp_path):
    hu = np.full((2, 2, 2), 40000.0 - 1024.0, np.float32)    # stored 40000 > 32767
    write_series(hu, (1, 1, 1), tmp_path)
    vol = read_series(tmp_path)
    np.testing.assert_array_equal(vol.hu, 38976.0)


def test_shuffled_series_with_wrong_instance_numbers_sorts_by_position(tmp_path):
    hu = _ramp(nz=20)   # enough slices for read_series to decode them in threads
    paths = write_series(hu, (1.5, 0.7, 0.7), tmp_path / "src", origin=(0, 0, 50))
    folder = tmp_path / "shuffled"
    folder.mkdir()
    order = np.random.default_rng(1).permutation(len(paths))
    for new_name, k in enumerate(order):
        ds = pydicom.dcmread(paths[k])
        ds.InstanceNumber = len(paths) - k if k % 2 else 1   # reversed, and some repeated
        ds.save_as(folder / f"IM{new_name:04d}", enforce_file_format=True)
    vol = read_series(folder)
    np.testing.assert_array_equal(vol.hu, hu)
    assert vol.spacing == (1.5, 0.7, 0.7)
    np.testing.assert_allclose(vol.origin, [0, 0, 50])
    positions = [float(h.ImagePositionPatient[2]) for h in vol.headers]
    assert positions == [50 + 1.5 * k for k in range(20)]


def test_descending_positions_sort_along_the_normal(tmp_path):
    # column cosine (0, -1, 0): normal = cross((1,0,0), (0,-1,0)) = (0, 0, -1)
    hu = _ramp()
    write_series(hu, (2.0, 1.0, 1.0), tmp_path, orientation=(1, 0, 0, 0, -1, 0),
                 origin=(0, 0, 100))
    vol = read_series(tmp_path)
    np.testing.assert_array_equal(vol.hu, hu)
    # slices go down in z: slice 3 is at z = 100 - 3 * 2
    np.testing.assert_allclose(vol.voxel_to_world((0, 0, 3)), [0, 0, 94])


def test_tilted_series_spacing_and_affine(tmp_path):
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    row, col = np.array([1.0, 0, 0]), np.array([0, c, -s])   # tilted 30 degrees about x
    normal = np.cross(row, col)                               # (0, s, c)
    hu = _ramp(nz=5)
    write_series(hu, (3.0, 0.8, 0.6), tmp_path, orientation=(*row, *col), origin=(1, 2, 3))
    vol = read_series(tmp_path)
    np.testing.assert_array_equal(vol.hu, hu)
    assert vol.spacing == pytest.approx((3.0, 0.8, 0.6))
    expected = affine_from_geometry((1, 2, 3), row, col, normal, (3.0, 0.8, 0.6))
    np.testing.assert_allclose(vol.affine, expected, atol=1e-6)
    # by hand: voxel (column 2, row 1, slice 4) = origin + 2*0.6*row + 0.8*col + 12*normal
    point = vol.voxel_to_world((2, 1, 4))
    np.testing.assert_allclose(point, [1 + 1.2, 2 + 0.8 * c + 12 * s, 3 - 0.8 * s + 12 * c],
                               atol=1e-6)
    np.testing.assert_allclose(vol.world_to_voxel(point), [2, 1, 4], atol=1e-6)


def test_non_square_pixel_spacing_from_the_header_builds_the_affine(tmp_path):
    # PixelSpacing = [row spacing, column spacing] = [dy, dx] = [0.5, 0.8], set in the header
    # directly (not by write_series) so a swap in both writer and reader cannot hide.
    row, col = np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.0, -1.0])
    paths = write_series(_ramp(), (2.0, 1.0, 1.0), tmp_path, orientation=(*row, *col),
                         origin=(10, 20, 30))
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.PixelSpacing = [0.5, 0.8]
        ds.save_as(path, enforce_file_format=True)
    vol = read_series(tmp_path)
    assert vol.spacing == pytest.approx((2.0, 0.5, 0.8))          # (dz, dy, dx)
    # ImageOrientationPatient's first triple is the direction of increasing COLUMN index:
    # moving one column goes dx = 0.8 mm along the row cosine, one row 0.5 mm along the
    # column cosine
    np.testing.assert_allclose(vol.affine[:3, 0], row * 0.8)
    np.testing.assert_allclose(vol.affine[:3, 1], col * 0.5)
    np.testing.assert_allclose(vol.voxel_to_world((4, 2, 0)),
                               [10 + 4 * 0.8 * 0.6, 20 + 4 * 0.8 * 0.8, 30 - 2 * 0.5])


def test_headers_are_kept_without_pixel_data(tmp_path):
    write_series(_ramp(), (1, 1, 1), tmp_path, series_description="My series")
    vol = read_series(tmp_path)
    assert len(vol.headers) == 4
    assert all("PixelData" not in h for h in vol.headers)
    assert vol.headers[0].SeriesDescription == "My series"


def test_padding_is_masked_in_stored_space(tmp_path):
    hu = np.full((2, 3, 3), 40.0, np.float32)
    hu[:, 0, 0] = -2048.0                     # stored 0 with intercept -2048
    paths = write_series(hu, (1, 1, 1), tmp_path, rescale_intercept=-2048.0)
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.add_new(0x00280120, "US", 0)   # PixelPaddingValue (US: unsigned pixels)
        ds.save_as(path, enforce_file_format=True)
    vol = read_series(tmp_path)
    assert np.all(vol.hu[:, 0, 0] == PADDING_HU)            # -1024, not -2048
    assert np.all(vol.hu[:, 1:, 1:] == 40.0)


def _signed_series(tmp_path, stored_slice):
    """A 2-slice series with signed (int16) stored values and intercept -1024."""
    paths = write_series(np.zeros((2, *stored_slice.shape), np.float32), (1, 1, 1), tmp_path)
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.PixelRepresentation = 1
        ds.PixelData = stored_slice.astype("<i2").tobytes()
        yield path, ds


@pytest.mark.parametrize("vr, value", [("SS", -2000), ("US", 63536)])   # 63536 = -2000 as uint16
def test_padding_value_follows_pixel_representation(tmp_path, vr, value):
    stored = np.full((3, 3), 1064, np.int16)            # 40 HU
    stored[0, 0] = -2000                                # padding
    stored[2, 2] = -1000                                # real air: -2024 HU, not padding
    for path, ds in _signed_series(tmp_path, stored):
        ds.add_new(0x00280120, vr, value)               # PixelPaddingValue
        ds.save_as(path, enforce_file_format=True)
    vol = read_series(tmp_path)
    assert np.all(vol.hu[:, 0, 0] == PADDING_HU)
    assert np.all(vol.hu[:, 2, 2] == -2024.0)
    assert np.all(vol.hu[:, 1, 1] == 40.0)
    hu, _ = read_slice(path)
    assert hu[0, 0] == PADDING_HU and hu[1, 1] == 40.0


def test_padding_range_limit_from_the_header(tmp_path):
    stored = np.array([[-3000, -2500], [-2000, 1064]], np.int16)
    for path, ds in _signed_series(tmp_path, stored):
        ds.add_new(0x00280120, "SS", -2000)             # PixelPaddingValue
        ds.add_new(0x00280121, "SS", -3000)             # PixelPaddingRangeLimit
        ds.save_as(path, enforce_file_format=True)
    vol = read_series(tmp_path)
    np.testing.assert_array_equal(vol.hu[0], [[PADDING_HU, PADDING_HU], [PADDING_HU, 40.0]])


def test_several_series_need_a_choice(tmp_path):
    a = write_series(np.zeros((2, 2, 2)), (1, 1, 1), tmp_path, seed=1,
                     series_description="Lung kernel")
    write_series(np.zeros((3, 2, 2)), (1, 1, 1), tmp_path, seed=2,
                 series_description="Soft kernel")
    uid_a = pydicom.dcmread(a[0]).SeriesInstanceUID
    with pytest.raises(ValueError, match="holds 2 series") as info:
        read_series(tmp_path)
    message = str(info.value)
    assert uid_a in message and "Lung kernel, 2 slices" in message
    assert "Soft kernel, 3 slices" in message and "series_uid=" in message
    assert read_series(tmp_path, series_uid=uid_a).shape == (2, 2, 2)
    with pytest.raises(ValueError, match="series_uid '1.2.3' is not in"):
        read_series(tmp_path, series_uid="1.2.3")


def test_non_dicom_files_are_skipped_with_a_warning(tmp_path):
    write_series(_ramp(), (1, 1, 1), tmp_path)
    (tmp_path / "notes.txt").write_text("scan notes")
    (tmp_path / "thumb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 200)
    with pytest.warns(UserWarning, match="skipped 2 file.*notes.txt.*thumb.png"):
        vol = read_series(tmp_path)
    assert vol.shape == (4, 3, 5)


def test_only_non_dicom_files(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.warns(UserWarning, match="readme.txt"):
        with pytest.raises(ValueError, match="no DICOM images in"):
            read_series(tmp_path)


def test_empty_missing_and_file_folders(tmp_path):
    with pytest.raises(ValueError, match="is empty: no files to read"):
        read_series(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_series(tmp_path / "nowhere")
    (tmp_path / "a.dcm").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        read_series(tmp_path / "a.dcm")


@pytest.mark.parametrize("keyword", ["ImagePositionPatient", "ImageOrientationPatient",
                                     "PixelSpacing"])
def test_missing_geometry_tags(tmp_path, keyword):
    paths = write_series(_ramp(), (1, 1, 1), tmp_path)
    ds = pydicom.dcmread(paths[2])
    delattr(ds, keyword)
    ds.save_as(paths[2], enforce_file_format=True)
    with pytest.raises(ValueError, match=f"{paths[2].name} has no valid {keyword} tag"):
        read_series(tmp_path)


def test_duplicate_positions(tmp_path):
    paths = write_series(_ramp(), (1, 1, 1), tmp_path)
    shutil.copy(paths[1], tmp_path / "copy_of_slice.dcm")
    ds = pydicom.dcmread(tmp_path / "copy_of_slice.dcm")
    ds.SOPInstanceUID = "1.2.3.4"
    ds.save_as(tmp_path / "copy_of_slice.dcm", enforce_file_format=True)
    with pytest.raises(ValueError, match=r"slices share a position.*1.000 mm.*duplicates"):
        read_series(tmp_path)


def test_non_uniform_spacing_names_the_gaps(tmp_path):
    paths = write_series(_ramp(nz=6), (2.0, 1, 1), tmp_path)
    os.remove(paths[3])                      # a missing slice: gaps 2, 2, 4, 2
    with pytest.raises(ValueError, match=r"non-uniform slice spacing: gaps of 2, 4 mm"):
        read_series(tmp_path)


def test_small_spacing_jitter_is_tolerated(tmp_path):
    paths = write_series(_ramp(nz=4), (2.0, 1, 1), tmp_path)
    ds = pydicom.dcmread(paths[2])
    ds.ImagePositionPatient = [0, 0, 4.004]   # 0.004 mm off: within 0.01 mm
    ds.save_as(paths[2], enforce_file_format=True)
    assert read_series(tmp_path).spacing[0] == pytest.approx(2.0)


def test_mixed_orientations(tmp_path):
    paths = write_series(_ramp(), (1, 1, 1), tmp_path)
    ds = pydicom.dcmread(paths[1])
    ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
    ds.save_as(paths[1], enforce_file_format=True)
    with pytest.raises(ValueError, match="mixed orientations in one series: 2 different"):
        read_series(tmp_path)


def test_gantry_tilt_shear_is_reported(tmp_path):
    paths = write_series(_ramp(), (1, 1, 1), tmp_path)
    for k, path in enumerate(paths):
        ds = pydicom.dcmread(path)
        ds.ImagePositionPatient = [0, 0.5 * k, k]   # y drifts along the stack
        ds.save_as(path, enforce_file_format=True)
    with pytest.raises(ValueError, match=r"drift by up to 1.500 mm.*gantry tilt"):
        read_series(tmp_path)


def _jpeg_ls_file(path):
    """pydicom's JPEG-LS test image, given the geometry of a one-slice series."""
    ds = pydicom.dcmread(get_testdata_file("JPEGLSNearLossless_16.dcm"))
    ds.ImagePositionPatient = [0, 0, 0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [1, 1]
    ds.SeriesInstanceUID = "1.2.3.4.5"
    ds.save_as(path)
    return path


def test_compressed_pixel_data_without_decoder_names_what_to_install(tmp_path):
    try:  # the test is about the missing decoder; skip it where one is installed
        pydicom.dcmread(get_testdata_file("JPEGLSNearLossless_16.dcm")).pixel_array
        pytest.skip("a JPEG-LS decoder is installed")
    except RuntimeError:
        pass
    folder = tmp_path / "series"
    folder.mkdir()
    _jpeg_ls_file(folder / "slice.dcm")
    message = r"JPEG-LS.*no decoder is installed.*pip install pylibjpeg pylibjpeg-libjpeg"
    with pytest.raises(RuntimeError, match=message):
        read_series(folder)
    with pytest.raises(RuntimeError, match=message):
        read_slice(get_testdata_file("JPEGLSNearLossless_16.dcm"))


# --- single files bundled with pydicom -------------------------------------------------------


def test_read_slice_ct_small_applies_intercept():
    hu, ds = read_slice(get_testdata_file("CT_small.dcm"))
    assert hu.shape == (128, 128) and hu.dtype == np.float32
    assert float(ds.RescaleIntercept) == -1024.0 and float(ds.RescaleSlope) == 1.0
    np.testing.assert_array_equal(hu, ds.pixel_array.astype(np.float32) - 1024.0)
    # plausible CT: fat/soft tissue/bone, nothing below air
    assert -1024 <= hu.min() < -500 and 500 < hu.max() < 3000
    assert -200 < np.median(hu) < 200


def test_read_slice_jpeg2000_ct_decodes_with_pillow():
    hu, ds = read_slice(get_testdata_file("693_J2KI.dcm"))
    assert hu.shape == (512, 512) and hu.dtype == np.float32
    assert ds.file_meta.TransferSyntaxUID.is_compressed
    inside = hu[hu > -1100]                 # field of view (lossy padding excluded)
    assert -1100 < np.percentile(inside, 1) < -500 and 0 < np.percentile(inside, 99) < 2000


def test_multi_frame_files_are_rejected_with_what_to_do(tmp_path):
    path = get_testdata_file("rtdose.dcm")            # 15 frames
    message = r"multi-frame image \(15 frames.*single-frame images only.*apply_modality_lut"
    with pytest.raises(ValueError, match="read_slice reads " + "single-frame"):
        read_slice(path)
    with pytest.raises(ValueError, match=message):
        read_slice(path)
    shutil.copy(path, tmp_path / "dose.dcm")
    with pytest.raises(ValueError, match="dose.dcm is a " + message):
        read_series(tmp_path)


def test_read_slice_mr_returns_modality_values_not_hu():
    values, ds = read_slice(get_testdata_file("MR_small.dcm"))
    assert ds.Modality == "MR" and "RescaleSlope" not in ds and "RescaleType" not in ds
    # no rescale tags: the stored values, unchanged, as float32 (arbitrary MR units, not HU)
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, ds.pixel_array.astype(np.float32))


def test_read_slice_rejects_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_slice(tmp_path / "missing.dcm")
    (tmp_path / "text.dcm").write_text("not dicom")
    with pytest.raises(ValueError, match="is not a DICOM file"):
        read_slice(tmp_path / "text.dcm")
    with pytest.raises(IsADirectoryError, match="use read_series"):
        read_slice(tmp_path)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.RescaleSlope = 0
    ds.save_as(tmp_path / "zero_slope.dcm")
    with pytest.raises(ValueError, match="RescaleSlope must be a finite non-zero number"):
        read_slice(tmp_path / "zero_slope.dcm")


# --- anonymization ---------------------------------------------------------------------------


def test_anonymize_ct_small_removes_identifiers():
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    clean = anonymize(ds, date_shift_days=-30)
    assert str(clean.PatientName) == "Anonymous" and clean.PatientID == "ANON"
    text = str(clean)
    for identifier in ("CompressedSamples", "1CT1", "ABCD1234", "1234ABCD",
                       "JFK IMAGING CENTER", "CT01_OC0"):
        assert identifier not in text, identifier
    for keyword in ("OtherPatientIDsSequence", "InstitutionName", "StationName"):
        assert keyword not in clean
    assert not any(elem.tag.is_private for elem in clean.iterall())
    assert clean.PatientBirthDate == "" and clean.AccessionNumber == ""
    assert clean.PatientIdentityRemoved == "YES"
    assert clean.StudyDate == "20031220"           # 2004-01-19 minus 30 days
    assert clean.SeriesDate == "19970331"
    assert clean.SOPInstanceUID != ds.SOPInstanceUID
    assert clean.file_meta.MediaStorageSOPInstanceUID == clean.SOPInstanceUID
    # deterministic: the same series UID maps to the same new UID
    assert anonymize(ds).SeriesInstanceUID == clean.SeriesInstanceUID
    # the original is untouched and the pixels are kept
    assert str(ds.PatientName) == "CompressedSamples^CT1" and "InstitutionName" in ds
    np.testing.assert_array_equal(clean.pixel_array, ds.pixel_array)


def _identified_dataset():
    """A header with identifiers at the top level and two sequence levels down."""
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "12345"
    ds.PatientBirthDate = "19700101"
    ds.PatientAge = "054Y"
    ds.PatientAddress = "1 Main Street"
    ds.InstitutionName = "General Hospital"
    ds.OperatorsName = "Tech^Tom"
    ds.StudyDate = "20200101"
    ds.StudyDescription = "CT chest for Jane Doe"
    ds.ImageComments = "call Dr House"
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = "1.2.3.4.5.6"
    ds.InstanceCreatorUID = "1.2.3.99"
    ds.add_new(0x60000022, "LO", "overlay description")      # OverlayDescription
    ds.add_new(0x60003000, "OW", b"\x00\x01")                # OverlayData
    ds.add_new(0x50000005, "US", 1)                          # CurveDimensions (retired)
    ds.add_new(0x00091010, "LO", "private: Doe")
    item = Dataset()
    item.PerformingPhysicianName = "House^Gregory"
    item.ReferringPhysicianName = "Wilson^James"
    item.StudyDate = "20200101"
    inner = Dataset()
    inner.VerifyingObserverName = "Cuddy^Lisa"
    inner.PersonName = "Chase^Robert"
    inner.ReferencedSOPInstanceUID = "1.2.3.4.5.6"
    inner.ReferencedSOPClassUID = CTImageStorage
    item.ContentSequence = [inner]
    ds.RequestedProcedureCodeSequence = [item]
    return ds


def test_anonymize_leaves_no_person_name_anywhere():
    clean = anonymize(_identified_dataset(), patient_name="Case^001", patient_id="C001")
    names = [(elem.keyword, str(elem.value)) for elem in clean.iterall() if elem.VR == "PN"]
    assert ("PatientName", "Case^001") in names
    assert [n for n in names if n[0] != "PatientName" and n[1]] == []    # all others empty
    text = str(clean)
    for identifier in ("Doe", "Jane", "12345", "19700101", "054Y", "Main Street", "General",
                       "Tom", "House", "Wilson", "Cuddy", "Chase", "overlay"):
        assert identifier not in text, identifier
    assert clean.PatientID == "C001" and clean.PatientBirthDate == ""
    inner = clean.RequestedProcedureCodeSequence[0]
    assert "PerformingPhysicianName" not in inner and inner.ReferringPhysicianName == ""
    assert inner.StudyDate == "20200101"           # dates kept unless shifted
    assert clean.LongitudinalTemporalInformationModified == "UNMODIFIED"
    assert clean.PatientIdentityRemoved == "YES"
    assert "dates kept" in clean.DeidentificationMethod
    assert len(clean.DeidentificationMethod) <= 64      # LO


def test_anonymize_removes_overlays_curves_private_and_replaces_uids_consistently():
    ds = _identified_dataset()
    clean = anonymize(ds, date_shift_days=365)
    assert not [elem for elem in clean if elem.tag.group in (0x5000, 0x6000)]
    assert not [elem for elem in clean.iterall() if elem.tag.is_private]
    assert clean.SOPClassUID == CTImageStorage            # standard UIDs stay
    assert clean.InstanceCreatorUID != ds.InstanceCreatorUID
    assert clean.SOPInstanceUID != ds.SOPInstanceUID
    inner = clean.RequestedProcedureCodeSequence[0].ContentSequence[0]
    assert inner.ReferencedSOPInstanceUID == clean.SOPInstanceUID   # references still match
    assert inner.ReferencedSOPClassUID == CTImageStorage
    assert clean.StudyDate == "20201231"                  # 2020 is a leap year
    assert clean.LongitudinalTemporalInformationModified == "MODIFIED"
    assert "shifted +365 days" in clean.DeidentificationMethod
    kept = anonymize(ds, replace_uids=False)
    assert kept.SOPInstanceUID == ds.SOPInstanceUID
    assert anonymize(ds, salt="secret").SOPInstanceUID != clean.SOPInstanceUID


def test_anonymize_warns_about_burned_in_annotation():
    ds = _identified_dataset()
    ds.BurnedInAnnotation = "YES"
    with pytest.warns(UserWarning, match="BurnedInAnnotation is YES.*does not remove"):
        anonymize(ds)


def test_anonymize_rejects_bad_input():
    ds = _identified_dataset()
    with pytest.raises(TypeError, match="ds must be a pydicom Dataset"):
        anonymize({"PatientName": "x"})
    with pytest.raises(TypeError, match="date_shift_days must be an integer"):
        anonymize(ds, date_shift_days=1.5)
    with pytest.raises(TypeError, match="patient_name must be a str, got int"):
        anonymize(ds, patient_name=1)
    with pytest.raises(TypeError, match="salt must be a str"):
        anonymize(ds, salt=None)
