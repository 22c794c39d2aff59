"""show_slice and physical_extent: the artists they draw and the messages they raise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.testing.decorators import check_figures_equal

from course_utils.display import _extent_for, physical_extent, show_slice


def test_physical_extent_hand_worked():
    # 4 rows of 2 mm, 3 columns of 0.5 mm: centres at 0, 0.5, 1 mm and 0, 2, 4, 6 mm
    assert physical_extent((4, 3), (2.0, 0.5)) == (-0.25, 1.25, 7.0, -1.0)
    assert physical_extent((10, 4, 3), (2.0, 0.5)) == (-0.25, 1.25, 7.0, -1.0)


def test_physical_extent_messages():
    with pytest.raises(ValueError, match=r"spacing must be 2 positive numbers \(dy, dx\) in mm, "
                                         r"got \(0, 1\); pass PixelSpacing"):
        physical_extent((4, 3), (0, 1))
    with pytest.raises(ValueError, match="spacing must be 2 positive numbers"):
        physical_extent((4, 3), (1.0, 1.0, 2.5))
    with pytest.raises(ValueError, match="spacing must be 2 positive numbers"):
        physical_extent((4, 3), None)
    with pytest.raises(ValueError, match="shape must have at least 2 dimensions"):
        physical_extent((4,), (1, 1))


def test_show_slice_window_sets_linear_exact_limits():
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    fig, ax = plt.subplots()
    im = show_slice(image, window="brain", ax=ax)
    assert im.get_clim() == (0.0, 80.0)
    assert im.cmap.name == "gray"
    assert im.get_interpolation() == "nearest"
    np.testing.assert_array_equal(im.get_array(), image)
    assert not ax.axison  # pixels: no axes
    im2 = show_slice(image, window=(1500, -600), ax=ax)
    assert im2.get_clim() == (-1350.0, 150.0)


def test_show_slice_spacing_gives_mm_axes():
    image = np.zeros((4, 3))
    fig, ax = plt.subplots()
    im = show_slice(image, spacing=(2.0, 0.5), ax=ax, title="anisotropic")
    assert tuple(im.get_extent()) == (-0.25, 1.25, 7.0, -1.0)
    assert ax.get_xlabel() == "x (mm)" and ax.get_ylabel() == "y (mm)"
    assert ax.get_title() == "anisotropic"
    assert ax.axison
    # origin upper: row 0 at the top (the y axis is inverted)
    assert ax.get_ylim()[0] > ax.get_ylim()[1]


def test_show_slice_defaults_to_gca_and_passes_kwargs():
    fig, ax = plt.subplots()
    im = show_slice(np.eye(3), vmin=0, vmax=2, cmap="bone", interpolation="bilinear")
    assert im.axes is ax
    assert im.get_clim() == (0, 2)
    assert im.cmap.name == "bone"
    assert im.get_interpolation() == "bilinear"


def test_show_slice_colorbar_labelled_hu():
    fig, ax = plt.subplots()
    im = show_slice(np.zeros((3, 3)), window="lung", ax=ax, colorbar=True)
    assert im.colorbar is not None
    assert im.colorbar.ax.get_ylabel() == "HU"


@check_figures_equal(extensions=["png"])
def test_show_slice_equals_plain_imshow(fig_test, fig_ref):
    image = np.random.default_rng(0).normal(0, 100, (8, 8))
    show_slice(image, window=(400, 40), ax=fig_test.subplots())
    ax = fig_ref.subplots()
    ax.imshow(image, cmap="gray", vmin=-160, vmax=240, interpolation="nearest")
    ax.set_axis_off()


def test_show_slice_messages():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"image must be a 2D array \(rows, columns\), got shape "
                                         r"\(2, 3, 3\); pick a slice first"):
        show_slice(np.zeros((2, 3, 3)), ax=ax)
    with pytest.raises(TypeError, match="image must be a real numeric array"):
        show_slice(np.array([["a", "b"]]), ax=ax)
    with pytest.raises(ValueError, match="width and level must be finite"):
        show_slice(np.zeros((3, 3)), window=(np.nan, 40), ax=ax)
    with pytest.raises(ValueError, match="unknown window preset 'lungs'"):
        show_slice(np.zeros((3, 3)), window="lungs", ax=ax)
    with pytest.raises(ValueError, match="pass either window or vmin/vmax, not both"):
        show_slice(np.zeros((3, 3)), window="lung", vmin=0, ax=ax)
    with pytest.raises(ValueError, match="vmin must be a finite number"):
        show_slice(np.zeros((3, 3)), vmin=np.inf, ax=ax)
    with pytest.raises(ValueError, match="vmin must be below vmax, got vmin=5, vmax=1"):
        show_slice(np.zeros((3, 3)), vmin=5, vmax=1, ax=ax)
    with pytest.raises(ValueError, match="spacing must be 2 positive numbers"):
        show_slice(np.zeros((3, 3)), spacing=(1, -1), ax=ax)


def test_extent_for_reuses_the_base_image_extent():
    fig, ax = plt.subplots()
    assert _extent_for(ax, (5, 3)) is None  # nothing drawn yet: pixels
    show_slice(np.zeros((4, 3)), spacing=(2.0, 0.5), ax=ax)
    assert _extent_for(ax, (4, 3)) == (-0.25, 1.25, 7.0, -1.0)
    # an explicit extent may stretch another grid over the image
    assert _extent_for(ax, (5, 3), (0, 1, 2, 3)) == (0.0, 1.0, 2.0, 3.0)
    # a layer of another shape would land on the wrong pixels
    with pytest.raises(ValueError, match=r"mask has shape \(5, 3\) but the image on the axes "
                                         r"has shape \(4, 3\); resample it onto the image grid"):
        _extent_for(ax, (5, 3), name="mask")
    with pytest.raises(ValueError, match="extent must be 4 finite numbers"):
        _extent_for(ax, (4, 3), (0, 1))
    with pytest.raises(ValueError, match="extent must be 4 finite numbers"):
        _extent_for(ax, (4, 3), 5)


def test_show_slice_axis_labels_follow_the_plane():
    from course_utils.volume import plane_axis_labels

    ax = plt.figure().add_subplot()
    show_slice(np.zeros((4, 6)), spacing=(2.5, 0.7), ax=ax,
               axis_labels=plane_axis_labels("coronal"))
    assert ax.get_xlabel() == "mm, patient right to left"
    assert ax.get_ylabel() == "mm, superior to inferior"  # not "z": patient z grows upward
    with pytest.raises(ValueError, match="axis_labels must be two strings"):
        show_slice(np.zeros((4, 6)), spacing=(1, 1), ax=ax, axis_labels="x")
    assert len(ax.images) == 1  # validated before drawing


def test_show_slice_square_mm_even_when_rcparams_say_auto():
    with plt.rc_context({"image.aspect": "auto"}):
        fig, ax = plt.subplots()
        show_slice(np.zeros((4, 6)), spacing=(2.5, 0.7), ax=ax)
    assert ax.get_aspect() == 1.0  # 1 mm across = 1 mm down


def test_show_slice_rejects_an_array_of_axes_and_bad_limits():
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes \(or None for the "
                                        r"current axes\), got ndarray; pass one of them"):
        show_slice(np.zeros((3, 3)), ax=axes)
    with pytest.raises(ValueError, match="vmax must be a finite number, got 'high'"):
        show_slice(np.zeros((3, 3)), vmax="high", ax=axes[0])
    assert not axes[0].images
