"""Overlays: alpha arrays, colormaps with a transparent class 0, centred difference norms."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import CenteredNorm, ListedColormap, to_rgba

from course_utils.display import show_slice
from course_utils.overlay import (LABEL_COLORS, overlay_heatmap, overlay_labels, overlay_mask,
                                  show_difference)

HEAT = np.array([[0.0, 0.25], [0.5, 1.0]])


def _rgba(im):
    return np.asarray(im.get_array())


def test_heatmap_sparse_alpha_follows_the_heat():
    fig, ax = plt.subplots()
    im = overlay_heatmap(HEAT, ax=ax, alpha=0.8)
    rgba = _rgba(im)
    assert rgba.shape == (2, 2, 4)
    np.testing.assert_allclose(rgba[..., 3], 0.8 * HEAT)
    # colours come from the colormap at the normalized heat
    inferno = plt.get_cmap("inferno")
    np.testing.assert_allclose(rgba[1, 1, :3], inferno(1.0)[:3])
    assert im.get_interpolation() == "nearest"
    assert im.get_interpolation_stage() == "rgba"


def test_heatmap_uniform_alpha_and_threshold():
    fig, ax = plt.subplots()
    im = overlay_heatmap(HEAT, ax=ax, alpha=0.6, sparse=False, threshold=0.3)
    np.testing.assert_allclose(_rgba(im)[..., 3], [[0.0, 0.0], [0.6, 0.6]])


def test_heatmap_vmin_vmax_nan_and_colorbar():
    fig, ax = plt.subplots()
    heat = np.array([[np.nan, 5.0], [10.0, 20.0]])
    im = overlay_heatmap(heat, ax=ax, alpha=1.0, vmin=0, vmax=10, colorbar=True, cmap="magma")
    np.testing.assert_allclose(_rgba(im)[..., 3], [[0.0, 0.5], [1.0, 1.0]])  # clipped at vmax
    cbar = im.colorbar
    assert cbar.mappable.cmap.name == "magma"
    assert (cbar.mappable.norm.vmin, cbar.mappable.norm.vmax) == (0, 10)


def test_overlays_reuse_the_base_extent_in_mm():
    fig, ax = plt.subplots()
    base = show_slice(np.zeros((2, 2)), spacing=(2.0, 1.0), ax=ax)
    assert overlay_heatmap(HEAT, ax=ax).get_extent() == base.get_extent()
    assert overlay_mask(HEAT > 0.3, ax=ax).get_extent() == base.get_extent()
    assert overlay_labels(np.eye(2, dtype=int), ax=ax).get_extent() == base.get_extent()
    explicit = overlay_mask(HEAT > 0.3, ax=ax, extent=(0, 1, 1, 0))
    assert explicit.get_extent() == [0, 1, 1, 0]


def test_heatmap_messages():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="alpha must be a number between 0 and 1, got 1.5"):
        overlay_heatmap(HEAT, ax=ax, alpha=1.5)
    with pytest.raises(ValueError, match="vmin must be below vmax, got vmin=1, vmax=0"):
        overlay_heatmap(HEAT, ax=ax, vmin=1, vmax=0)
    with pytest.raises(ValueError, match="vmin must be a finite number, got None"):
        overlay_heatmap(HEAT, ax=ax, vmin=None)
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        overlay_heatmap(HEAT, ax=ax, threshold=np.nan)
    with pytest.raises(ValueError, match=r"heat must be a 2D array \(rows, columns\)"):
        overlay_heatmap(np.zeros((2, 2, 2)), ax=ax)
    with pytest.raises(ValueError, match="unknown colormap 'jett'"):
        overlay_heatmap(HEAT, ax=ax, cmap="jett")


def test_heatmap_all_nan_is_transparent_not_an_error():
    fig, ax = plt.subplots()
    im = overlay_heatmap(np.full((2, 2), np.nan), ax=ax)
    assert np.all(_rgba(im)[..., 3] == 0)


def test_overlays_of_another_shape_than_the_image_are_refused():
    fig, ax = plt.subplots()
    show_slice(np.zeros((4, 4)), spacing=(1.0, 1.0), ax=ax)
    small = np.ones((2, 2))
    for draw, name in ((overlay_heatmap, "heat"), (overlay_mask, "mask"),
                       (overlay_labels, "labels")):
        with pytest.raises(ValueError, match=rf"{name} has shape \(2, 2\) but the image on the "
                                             r"axes has shape \(4, 4\); resample"):
            draw(small.astype(int), ax=ax)
    with pytest.raises(ValueError, match=r"difference has shape \(2, 2\) but the image"):
        show_difference(small, ax=ax)
    assert len(ax.images) == 1  # nothing half-drawn
    # stretched on purpose: an explicit extent
    im = overlay_heatmap(small, ax=ax, extent=(-0.5, 3.5, 3.5, -0.5))
    assert im.get_extent() == [-0.5, 3.5, 3.5, -0.5]


def test_overlays_reject_an_array_of_axes():
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        overlay_mask(np.eye(2), ax=axes)


def test_mask_background_transparent():
    fig, ax = plt.subplots()
    mask = np.array([[True, False], [False, True]])
    im = overlay_mask(mask, ax=ax, color="#0072B2", alpha=0.3)
    np.testing.assert_array_equal(im.get_array(), mask.astype(np.uint8))
    assert isinstance(im.cmap, ListedColormap)
    assert im.cmap(0)[3] == 0.0
    assert im.cmap(1) == pytest.approx(to_rgba("#0072B2"))
    assert im.get_clim() == (-0.5, 1.5)
    assert im.get_alpha() == 0.3
    assert im.get_interpolation() == "nearest"
    assert im.get_interpolation_stage() == "rgba"


def test_labels_colormap_legend_and_fixed_limits():
    fig, ax = plt.subplots()
    labels = np.array([[0, 1], [4, 4]], dtype=np.uint8)
    classes = {"background": 0, "body": 1, "lung_right": 2, "lung_left": 3, "lesion": 4}
    im = overlay_labels(labels, ax=ax, class_names=classes)
    assert im.get_clim() == (-0.5, 4.5)  # fixed by the class count, not the data
    assert im.cmap.N == 5
    assert im.cmap(0)[3] == 0.0
    for k in range(1, 5):
        assert im.cmap(k)[:3] == pytest.approx(to_rgba(LABEL_COLORS[k - 1])[:3])
    assert im.get_interpolation() == "nearest"
    assert im.get_interpolation_stage() == "rgba"
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["body", "lesion"]  # present classes
    patch = legend.get_patches()[1]
    assert patch.get_facecolor()[:3] == pytest.approx(to_rgba(LABEL_COLORS[3])[:3])


def test_labels_colours_stay_fixed_on_a_slice_without_the_last_class():
    # the same class keeps the same colour on every slice: limits come from class_names
    fig, ax = plt.subplots()
    classes = {"background": 0, "body": 1, "lung": 2, "lesion": 3}
    im = overlay_labels(np.array([[0, 1], [1, 1]]), ax=ax, class_names=classes)
    assert im.get_clim() == (-0.5, 3.5) and im.cmap.N == 4
    rgba = im.to_rgba(np.array([[1]]), alpha=1.0)[0, 0]
    assert tuple(rgba[:3]) == pytest.approx(to_rgba(LABEL_COLORS[0])[:3])


def test_labels_names_as_value_dict_list_or_default_and_custom_colors():
    labels = np.array([[0, 1, 2]])
    fig, axes = plt.subplots(1, 3)
    overlay_labels(labels, ax=axes[0], class_names={1: "a", 2: "b"})
    overlay_labels(labels, ax=axes[1], class_names=["bg", "x", "y"], colors=["red", "blue"])
    overlay_labels(labels.astype(float), ax=axes[2], legend_kwargs={"loc": "lower left"})
    texts = [[t.get_text() for t in a.get_legend().get_texts()] for a in axes]
    assert texts == [["a", "b"], ["x", "y"], ["class 1", "class 2"]]
    assert axes[1].images[0].cmap(2) == pytest.approx(to_rgba("blue"))
    assert axes[2].get_legend()._loc == 3  # lower left
    fig, ax = plt.subplots()
    overlay_labels(np.zeros((2, 2), dtype=int), ax=ax)
    assert ax.get_legend() is None  # nothing to name


def test_labels_messages():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="labels must hold whole numbers .* resample label maps "
                                        "with order 0"):
        overlay_labels(np.array([[0.0, 0.5]]), ax=ax)
    with pytest.raises(TypeError, match="labels must hold whole numbers"):
        overlay_labels(np.array([[0.0, np.nan]]), ax=ax)
    with pytest.raises(ValueError, match="labels must be >= 0 \\(0 = background\\), got minimum -1"):
        overlay_labels(np.array([[0, -1]]), ax=ax)
    with pytest.raises(ValueError, match=r"colors has 1 entries but the labels need 2 "
                                         r"\(classes 1 to 2\)"):
        overlay_labels(np.array([[0, 1, 2]]), ax=ax, colors=["red"])
    with pytest.raises(TypeError, match="class_names must be a dict"):
        overlay_labels(np.array([[0, 1]]), ax=ax, class_names="lung")
    with pytest.raises(ValueError, match="alpha must be a number between 0 and 1"):
        overlay_mask(np.eye(2), ax=ax, alpha=-0.1)


def test_difference_centered_norm_and_extend():
    fig, ax = plt.subplots()
    a = np.array([[3.0, 0.0], [1.0, 1.0]])
    b = np.ones((2, 2))
    im = show_difference(a, b, ax=ax)
    np.testing.assert_array_equal(im.get_array(), [[2, -1], [0, 0]])
    assert isinstance(im.norm, CenteredNorm)
    assert im.get_clim() == (-2.0, 2.0)  # symmetric about 0, from max |a - b|
    assert im.norm(0.0) == 0.5
    assert im.cmap.name == "RdBu_r"
    assert im.colorbar.extend == "neither"
    assert im.colorbar.ax.get_ylabel() == "difference"


def test_difference_clipping_extends_both_and_single_input():
    fig, ax = plt.subplots()
    im = show_difference(np.array([[3.0, -0.5]]), ax=ax, vmax=1.0, label="HU")
    assert im.get_clim() == (-1.0, 1.0)
    assert im.colorbar.extend == "both"
    assert im.colorbar.ax.get_ylabel() == "HU"
    fig, ax = plt.subplots()
    im = show_difference(np.zeros((2, 2)), ax=ax, colorbar=False)
    assert im.get_clim() == (-1.0, 1.0) and im.colorbar is None


def test_difference_messages():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2, 2\) and "
                                         r"\(3, 3\); resample"):
        show_difference(np.zeros((2, 2)), np.zeros((3, 3)), ax=ax)
    with pytest.raises(ValueError, match="vmax must be a positive number"):
        show_difference(np.zeros((2, 2)), ax=ax, vmax=0)
    with pytest.raises(ValueError, match="vmax must be a positive number"):
        show_difference(np.zeros((2, 2)), ax=ax, vmax="1")
