"""Tests of course_utils.phantom: anatomy, determinism, heatmap, imperfect predictions."""

import numpy as np
import pytest
from skimage.feature import peak_local_max

from course_utils import phantom
from course_utils.phantom import (CLASSES, ChestPhantom, attention_heatmap, chest_volume,
                                  fake_ct_slice, imperfect_prediction)


@pytest.fixture(scope="module")
def chest():
    return chest_volume(shape=(24, 96, 96), spacing=(12.0, 4.0, 4.0), seed=0)


def test_classes_contract():
    assert CLASSES == {"background": 0, "body": 1, "lung_right": 2, "lung_left": 3,
                       "lesion": 4, "spine": 5, "heart": 6}


def test_slice_shape_dtype_range():
    img, lesion = fake_ct_slice(128, seed=0)
    assert img.shape == lesion.shape == (128, 128)
    assert img.dtype == np.float32 and lesion.dtype == bool
    assert img.min() >= -1024 and img.max() <= 3071


def test_slice_deterministic_and_seeded():
    a, _ = fake_ct_slice(64, seed=3)
    b, _ = fake_ct_slice(64, seed=3)
    c, _ = fake_ct_slice(64, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_slice_anatomy():
    img, lesion = fake_ct_slice(256, seed=0)
    assert np.median(img[:10, :10]) < -950  # air in the corner
    # lungs dark, one on each side of the midline at mid-height
    row = img[128]
    assert np.median(row[50:80]) < -700 and np.median(row[176:206]) < -700
    # spine posterior at bottom-centre: bright bone below the centre
    assert img[165:175, 124:132].mean() > 200  # cancellous bone, brighter than soft tissue
    # lesion: round, in the patient's right lung (low columns), soft tissue HU
    rows, cols = np.nonzero(lesion)
    assert cols.mean() < 128
    assert 20 < np.median(img[lesion]) < 60
    radius_px = np.sqrt(lesion.sum() / np.pi)
    assert abs(radius_px - phantom.LESION_RADIUS_MM / (phantom.SLICE_FOV_MM / 256)) < 1
    # body wider than tall
    body = img > -500
    body_rows, body_cols = np.nonzero(body[:205])  # above the table
    assert np.ptp(body_cols) > np.ptp(body_rows) * 1.2
    # noise of about 15 HU in air
    assert 10 < img[:20, :20].std() < 20


def test_slice_heart_on_patient_left():
    img, _ = fake_ct_slice(256)
    # heart: soft tissue between the lungs, anterior, more to the patient's left
    heart_row = img[95, 100:180]
    assert np.median(heart_row) > 0


def test_slice_bad_size():
    with pytest.raises(ValueError, match="size must be an integer >= 32"):
        fake_ct_slice(10)
    with pytest.raises(ValueError, match="size must be an integer"):
        fake_ct_slice(64.5)
    with pytest.raises(TypeError, match="seed must be a non-negative integer"):
        fake_ct_slice(64, seed=-1)


def test_volume_types(chest):
    assert isinstance(chest, ChestPhantom)
    assert chest.hu.shape == chest.labels.shape == chest.shape == (24, 96, 96)
    assert chest.hu.dtype == np.float32 and chest.labels.dtype == np.uint8
    assert chest.spacing == (12.0, 4.0, 4.0)
    assert chest.classes == CLASSES
    assert set(np.unique(chest.labels)) == set(CLASSES.values())


def test_volume_labels_match_hu(chest):
    lungs = chest.mask("lung_right", "lung_left")
    assert np.median(chest.hu[lungs]) == pytest.approx(-850, abs=10)
    assert np.median(chest.hu[chest.mask("spine")]) > 250
    assert np.median(chest.hu[chest.labels == 0][:1000]) < -900


def test_volume_orientation(chest):
    right = np.argwhere(chest.labels == CLASSES["lung_right"]).mean(axis=0)
    left = np.argwhere(chest.labels == CLASSES["lung_left"]).mean(axis=0)
    heart = np.argwhere(chest.labels == CLASSES["heart"]).mean(axis=0)
    spine = np.argwhere(chest.labels == CLASSES["spine"]).mean(axis=0)
    lesion = np.argwhere(chest.labels == CLASSES["lesion"]).mean(axis=0)
    assert right[2] < 48 < left[2]  # patient's right = low column index
    assert heart[1] < spine[1]  # heart anterior (low row) of the spine
    assert heart[2] > 48  # heart to the patient's left
    assert heart[0] < right[0]  # heart low in the chest (inferior = low slice index)
    assert abs(lesion[2] - right[2]) < 8


def test_volume_lungs_taper():
    chest = chest_volume(shape=(40, 96, 96), spacing=(8.0, 4.0, 4.0))
    area = chest.mask("lung_right").sum(axis=(1, 2))
    middle = area[len(area) // 2]
    nonzero = np.nonzero(area)[0]
    assert area[nonzero[0]] < middle / 2 and area[nonzero[-1]] < middle / 2
    assert area[0] == 0 and area[-1] == 0  # lungs end inside the field of view


def test_volume_anatomy_in_mm():
    # the same chest on two grids: the lesion has the same size in mm
    coarse = chest_volume(shape=(24, 80, 80), spacing=(6.0, 3.0, 3.0))
    fine = chest_volume(shape=(48, 160, 160), spacing=(3.0, 1.5, 1.5))
    vol = [c.mask("lesion").sum() * np.prod(c.spacing) for c in (coarse, fine)]
    expected = 4 / 3 * np.pi * phantom.LESION_RADIUS_MM ** 3
    assert vol[0] == pytest.approx(expected, rel=0.25)
    assert vol[1] == pytest.approx(expected, rel=0.1)


def test_volume_deterministic():
    a = chest_volume(shape=(8, 32, 32), spacing=(10, 6, 6), seed=1)
    b = chest_volume(shape=(8, 32, 32), spacing=(10, 6, 6), seed=1)
    np.testing.assert_array_equal(a.hu, b.hu)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_volume_bad_input():
    with pytest.raises(ValueError, match="shape must be 3 positive integers"):
        chest_volume(shape=(64, 256))
    with pytest.raises(ValueError, match="shape must be 3 positive integers"):
        chest_volume(shape=(0, 16, 16))
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        chest_volume(shape=(4, 16, 16), spacing=(1, 0, 1))
    with pytest.raises(ValueError, match="spacing must be 3 positive numbers"):
        chest_volume(shape=(4, 16, 16), spacing="abc")


def test_mask_bad_name(chest):
    with pytest.raises(ValueError, match="unknown class name"):
        chest.mask("liver")


def test_heatmap_peak_on_lesion():
    img, lesion = fake_ct_slice(128)
    heat = attention_heatmap(lesion, sigma_mm=6, spacing=(1.5, 1.5), seed=0)
    assert heat.dtype == np.float32 and heat.shape == lesion.shape
    assert heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    assert lesion[np.unravel_index(heat.argmax(), heat.shape)]
    # smooth: far from the lesion and the off-target blob it is low
    assert heat[lesion].mean() > 0.7
    assert np.median(heat) < 0.3
    # there is a secondary, weaker maximum away from the lesion (the off-target blob)
    peaks = peak_local_max(heat, min_distance=5, threshold_abs=0.2)
    values = sorted(heat[tuple(peaks.T)], reverse=True)
    assert len(values) >= 2 and values[0] == pytest.approx(1.0) and 0.2 < values[1] < 0.8


def _blob_peak(heat, lesion, spacing, sigma_mm):
    """Position of the off-target blob: the maximum beyond 3 sigma of the lesion."""
    from scipy import ndimage
    away = heat.copy()
    away[ndimage.distance_transform_edt(~lesion, sampling=spacing) < 3 * sigma_mm] = 0
    return np.unravel_index(away.argmax(), away.shape)


@pytest.mark.parametrize("seed", range(6))
def test_heatmap_blob_inside_the_body(seed):
    img, lesion = fake_ct_slice(128, seed=seed)
    heat = attention_heatmap(lesion, sigma_mm=12, spacing=(3.0, 3.0), seed=seed)
    peak = _blob_peak(heat, lesion, (3.0, 3.0), 12)
    assert img[peak] > -950  # not the air outside the patient
    body = img > -500
    rows, cols = np.nonzero(body[:100])
    assert rows.min() < peak[0] < rows.max() and cols.min() < peak[1] < cols.max()


def test_heatmap_blob_inside_given_body_on_wide_field_of_view():
    # 768 mm field of view: the central half of the array reaches outside the chest
    chest = chest_volume(shape=(8, 128, 128), spacing=(20.0, 6.0, 6.0))
    lesion, body = chest.mask("lesion"), chest.labels > 0
    inside = [body[_blob_peak(attention_heatmap(lesion, 15, chest.spacing, seed=s, body=body),
                              lesion, chest.spacing, 15)] for s in range(8)]
    assert all(inside)
    with pytest.raises(ValueError, match="body has shape"):
        attention_heatmap(lesion, 15, chest.spacing, body=body[:4])


def test_lesion_inside_the_right_lung(chest):
    from scipy import ndimage
    lesion = chest.mask("lesion")
    ring = ndimage.binary_dilation(lesion, iterations=1) & ~lesion
    neighbours = chest.labels[ring]
    assert (neighbours == CLASSES["lung_right"]).mean() > 0.9
    assert not (neighbours == CLASSES["lung_left"]).any()
    img, lesion2d = fake_ct_slice(256)
    ring2d = ndimage.binary_dilation(lesion2d, iterations=2) & ~lesion2d
    assert np.median(img[ring2d]) < -700  # surrounded by lung
    assert np.argwhere(lesion2d)[:, 1].max() < 128  # wholly on the patient's right


def test_heatmap_deterministic_3d(chest):
    lesion = chest.mask("lesion")
    a = attention_heatmap(lesion, sigma_mm=10, spacing=chest.spacing, seed=2)
    b = attention_heatmap(lesion, sigma_mm=10, spacing=chest.spacing, seed=2)
    np.testing.assert_array_equal(a, b)
    assert a.ndim == 3 and lesion[np.unravel_index(a.argmax(), a.shape)]


def test_heatmap_bad_input():
    with pytest.raises(ValueError, match="lesion_mask is empty"):
        attention_heatmap(np.zeros((8, 8), bool))
    with pytest.raises(ValueError, match="must be a binary mask"):
        attention_heatmap(np.full((8, 8), 0.3))
    lesion = np.zeros((8, 8), bool)
    lesion[4, 4] = True
    with pytest.raises(ValueError, match="sigma_mm must be a positive number"):
        attention_heatmap(lesion, sigma_mm=0)
    with pytest.raises(ValueError, match=r"spacing must be 2 positive numbers \(dy, dx\)"):
        attention_heatmap(lesion, spacing=(1, 1, 1))
    with pytest.raises(ValueError, match="image > 127 for a 0-255 image"):
        attention_heatmap(lesion * 255.0)


def _disk(n=64, r=10):
    yy, xx = np.mgrid[:n, :n]
    return (yy - n // 2) ** 2 + (xx - n // 2) ** 2 <= r ** 2


def test_prediction_identity_and_shift():
    disk = _disk()
    same = imperfect_prediction(disk, shift=(0, 0), scale=1.0, noise=0)
    np.testing.assert_array_equal(same, disk)
    moved = imperfect_prediction(disk, shift=(3, -2), noise=0)
    np.testing.assert_array_equal(moved, np.roll(np.roll(disk, 3, axis=0), -2, axis=1))


def test_prediction_scale():
    disk = _disk(r=12)
    big = imperfect_prediction(disk, shift=(0, 0), scale=1.5, noise=0)
    small = imperfect_prediction(disk, shift=(0, 0), scale=0.5, noise=0)
    assert big.sum() / disk.sum() == pytest.approx(1.5 ** 2, rel=0.08)
    assert small.sum() / disk.sum() == pytest.approx(0.5 ** 2, rel=0.15)
    assert (big | disk).sum() == big.sum()  # grows outward
    assert (small & ~disk).sum() == 0  # shrinks inward


def test_prediction_noise_3d_seeded():
    ball = np.zeros((20, 32, 32), bool)
    zz, yy, xx = np.ogrid[:20, :32, :32]
    ball[(zz - 10) ** 2 + (yy - 16) ** 2 + (xx - 16) ** 2 <= 36] = True
    a = imperfect_prediction(ball, seed=1)
    b = imperfect_prediction(ball, seed=1)
    c = imperfect_prediction(ball, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.dtype == bool and a.shape == ball.shape
    # default shift: along rows and columns only; overlap stays substantial
    overlap = (a & ball).sum() / ball.sum()
    assert 0.3 < overlap < 1.0


def test_prediction_bad_input():
    disk = _disk()
    with pytest.raises(ValueError, match="shift must be 2 finite numbers"):
        imperfect_prediction(disk, shift=(1, 2, 3))
    with pytest.raises(ValueError, match="scale must be a positive number"):
        imperfect_prediction(disk, scale=0)
    with pytest.raises(ValueError, match="noise must be a non-negative"):
        imperfect_prediction(disk, noise=-1)
    with pytest.raises(ValueError, match="mask is empty"):
        imperfect_prediction(np.zeros((8, 8), bool))
    with pytest.raises(ValueError, match="must be a 2D or 3D array"):
        imperfect_prediction(np.ones(5, bool))


def test_public_api():
    assert set(phantom.__all__) == {"CLASSES", "LESION_RADIUS_MM", "SLICE_FOV_MM", "ChestPhantom",
                                    "attention_heatmap",
                                    "chest_volume", "fake_ct_slice", "imperfect_prediction"}
