"""Tests of course_utils.segment on hand-made arrays and on the phantom."""

import numpy as np
import pytest

from course_utils import segment
from course_utils.metrics import dice
from course_utils.phantom import chest_volume, fake_ct_slice
from course_utils.segment import body_mask, largest_component, lung_mask


@pytest.fixture(scope="module")
def chest():
    return chest_volume(shape=(32, 96, 96), spacing=(10.0, 4.0, 4.0), seed=0)


def test_largest_component_hand_worked():
    m = np.array([[1, 1, 0, 1],
                  [1, 0, 0, 0],
                  [0, 0, 1, 1]], dtype=bool)
    expected1 = np.array([[1, 1, 0, 0],
                          [1, 0, 0, 0],
                          [0, 0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(largest_component(m), expected1)
    two = largest_component(m, n=2)
    np.testing.assert_array_equal(two, expected1 | np.array([[0, 0, 0, 0], [0, 0, 0, 0],
                                                             [0, 0, 1, 1]], dtype=bool))
    np.testing.assert_array_equal(largest_component(m, n=5), m)  # fewer components: all


def test_largest_component_face_connectivity_3d():
    m = np.zeros((3, 3, 3), dtype=bool)
    m[0, 0, 0] = m[1, 1, 1] = m[2, 2, 2] = True  # diagonal: not face-connected
    m[2, 2, 1] = True
    out = largest_component(m)
    assert out.sum() == 2 and out[2, 2, 2] and out[2, 2, 1]


def test_largest_component_empty_and_int_input():
    assert not largest_component(np.zeros((4, 4), bool)).any()
    out = largest_component(np.array([[0, 1], [0, 1]]))
    assert out.dtype == bool and out.sum() == 2


def test_largest_component_bad_input():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        largest_component(np.ones((3, 3), bool), n=0)
    with pytest.raises(ValueError, match="must be a binary mask"):
        largest_component(np.full((3, 3), 0.7))
    with pytest.raises(ValueError, match="2D or 3D"):
        largest_component(np.ones(4, bool))


def test_body_mask_hand_worked():
    hu = np.full((9, 9), -1000.0)
    hu[2:7, 2:7] = 40  # a square body
    hu[4, 4] = -900  # air inside: a hole to fill
    hu[0, 0] = 100  # a speck outside: not the largest component
    body = body_mask(hu)
    expected = np.zeros((9, 9), bool)
    expected[2:7, 2:7] = True
    np.testing.assert_array_equal(body, expected)


def test_body_mask_slice_excludes_table():
    img, _ = fake_ct_slice(128)
    body = body_mask(img)
    assert body[64, 64] and not body[0, 0]
    table_row = 64 + int(round(64.0 / 1.5))  # the table 64 mm behind the centre
    assert not body[table_row, 64]
    assert body[55:75, 15:45].all()  # the right lung is filled in


def test_body_mask_volume(chest):
    body = body_mask(chest.hu)
    assert dice(body, chest.labels > 0) > 0.99


def test_lung_mask_slice():
    img, lesion = fake_ct_slice(128)
    lungs = lung_mask(img)
    from scipy import ndimage
    assert ndimage.label(lungs)[1] == 2
    assert lungs[lesion].all()  # the lesion is a hole inside the lung: filled


def test_lung_mask_phantom_dice(chest):
    lungs = lung_mask(chest.hu)
    truth = chest.mask("lung_right", "lung_left")
    assert dice(lungs, truth) > 0.9
    # the trachea (air inside the body, separate from the lungs) is excluded
    trachea = (chest.hu < -900) & (chest.labels == chest.classes["body"])
    assert trachea.any() and not (lungs & trachea).any()


def test_lung_mask_given_body(chest):
    body = body_mask(chest.hu)
    np.testing.assert_array_equal(lung_mask(chest.hu, body=body), lung_mask(chest.hu))


@pytest.mark.parametrize("crop", [np.s_[:, :, 20:76], np.s_[:, 35:62, :]],
                         ids=["lungs cut laterally", "lungs cut in front and behind"])
def test_lung_mask_truncated_field_of_view(chest, crop):
    # a field of view smaller than the chest: body and lungs touch the image edge
    hu, truth = chest.hu[crop], chest.mask("lung_right", "lung_left")[crop]
    assert truth[:, [0, -1]].any() or truth[:, :, [0, -1]].any()
    with pytest.warns(UserWarning, match="field of view cuts the lungs"):
        lungs = lung_mask(hu)
    assert dice(lungs, truth) > 0.9


def test_lung_mask_truncated_slice(chest):
    mid = chest.shape[0] // 2
    hu, truth = chest.hu[mid, :, 20:76], chest.mask("lung_right", "lung_left")[mid, :, 20:76]
    with pytest.warns(UserWarning, match="field of view cuts the lungs"):
        assert dice(lung_mask(hu), truth) > 0.9
    # cut in front of and behind the lungs, a slice falls apart into pieces of body:
    # the lungs are not inside the largest piece, and the error says what to try
    with pytest.raises(ValueError, match=r"field of view cuts the body.*pass body="):
        lung_mask(chest.hu[mid, 35:62])


def test_body_mask_truncated_keeps_lungs_inside():
    hu = np.full((7, 9), -1000.0)
    hu[1:6, :] = 40  # the body crosses the whole image: cut on both sides
    hu[2:5, 0:3] = -850  # a lung cut by the left edge
    body = body_mask(hu)
    expected = np.zeros((7, 9), bool)
    expected[1:6, :] = True
    np.testing.assert_array_equal(body, expected)


def test_lung_mask_inside_field_of_view_does_not_warn(chest):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lung_mask(chest.hu)


def test_bad_input():
    with pytest.raises(ValueError, match="2D slice or a 3D volume"):
        body_mask(np.zeros(5))
    with pytest.raises(TypeError, match="numeric array of Hounsfield units"):
        body_mask(np.zeros((4, 4), bool))
    with pytest.raises(ValueError, match="no voxel is above threshold"):
        body_mask(np.full((4, 4), -1000.0))
    with pytest.raises(TypeError, match="threshold must be a number"):
        body_mask(np.zeros((4, 4)), threshold="low")
    hu = np.full((6, 6), 40.0)
    with pytest.raises(ValueError, match="no voxel below threshold"):
        lung_mask(hu)
    with pytest.raises(ValueError, match="body has shape"):
        lung_mask(hu, body=np.ones((5, 5), bool))
    with pytest.raises(ValueError, match="image > 127 for a 0-255 image"):
        lung_mask(hu, body=np.full((6, 6), 255.0))
    with pytest.raises(TypeError, match="numeric array of Hounsfield units"):
        body_mask(np.zeros((4, 4), complex))
    speck = np.full((6, 6), 40.0)
    speck[1, 1] = speck[4, 4] = -900  # single voxels of air: removed by the opening
    with pytest.raises(ValueError, match="no lung left after removing one-voxel specks"):
        lung_mask(speck, body=np.ones((6, 6), bool))


def test_public_api():
    assert set(segment.__all__) == {"body_mask", "lung_mask", "largest_component"}
