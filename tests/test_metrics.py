"""Tests of course_utils.metrics with hand-worked numbers."""

import numpy as np
import pytest

from course_utils import metrics
from course_utils.metrics import dice, jaccard, volume_ml

A = np.array([[1, 1, 0],
              [1, 0, 0]], dtype=bool)  # 3 pixels
B = np.array([[0, 1, 1],
              [1, 0, 1]], dtype=bool)  # 4 pixels; overlap 2, union 5


def test_dice_hand_worked():
    assert dice(A, B) == pytest.approx(2 * 2 / (3 + 4))
    assert dice(A, A) == 1.0
    assert dice(A, ~A) == 0.0


def test_jaccard_hand_worked():
    assert jaccard(A, B) == pytest.approx(2 / 5)
    assert jaccard(A, A) == 1.0
    assert jaccard(A, ~A) == 0.0


def test_dice_jaccard_relation():
    d, j = dice(A, B), jaccard(A, B)
    assert j == pytest.approx(d / (2 - d))


def test_empty_masks_are_perfect_agreement():
    empty = np.zeros((3, 3), bool)
    assert dice(empty, empty) == 1.0
    assert jaccard(empty, empty) == 1.0
    one = empty.copy()
    one[1, 1] = True
    assert dice(empty, one) == 0.0 and jaccard(empty, one) == 0.0


def test_int_masks_and_3d():
    a = np.zeros((2, 2, 2), int)
    b = np.zeros((2, 2, 2), int)
    a[0] = 1
    b[:, 0] = 1
    assert dice(a, b) == pytest.approx(2 * 2 / 8)
    assert isinstance(dice(a, b), float)


def test_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(3, 2\)"):
        dice(A, B.T)
    with pytest.raises(ValueError, match="same shape"):
        jaccard(A, B[:1])


def test_non_binary():
    with pytest.raises(ValueError, match="a must be a binary mask"):
        dice(A * 0.7, B)
    with pytest.raises(ValueError, match="b must be a binary mask"):
        jaccard(A, B * 2)
    with pytest.raises(ValueError, match=r"a must be a binary mask.*image > 127 for a 0-255"):
        dice(A * 255.0, B)  # an 8-bit image of a mask
    with pytest.raises(ValueError, match="a must be a binary mask"):
        dice(np.array(["x", "y"]), np.array([True, False]))


def test_volume_ml_hand_worked():
    m = np.zeros((4, 4, 4), bool)
    m[:2, :2, :2] = True  # 8 voxels of 2 x 5 x 10 = 100 mm^3
    assert volume_ml(m, (2.0, 5.0, 10.0)) == pytest.approx(0.8)
    assert volume_ml(np.ones((10, 10, 10), bool), (1, 1, 1)) == pytest.approx(1.0)  # 1 cm^3


def test_volume_ml_bad_input():
    with pytest.raises(ValueError, match="mask must be 3D"):
        volume_ml(np.ones((3, 3), bool), (1, 1))
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        volume_ml(np.ones((3, 3, 3), bool), (1, 1))
    with pytest.raises(ValueError, match="spacing must be 3 positive numbers"):
        volume_ml(np.ones((3, 3, 3), bool), (1, -1, 1))


def test_public_api():
    assert set(metrics.__all__) == {"dice", "jaccard", "volume_ml"}
