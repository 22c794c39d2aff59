"""Tests of the checks of exercise 05: right answers pass, the usual mistakes get a hint."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from course_utils.checks import ex05_heatmap_overlays as ex
from course_utils.display import show_slice
from course_utils.overlay import overlay_heatmap
from course_utils.phantom import attention_heatmap, fake_ct_slice
from course_utils.windowing import apply_window

checks = ex.checks


@pytest.fixture(scope="module")
def data():
    image_hu, lesion = fake_ct_slice(256, seed=0)
    heat = attention_heatmap(lesion, sigma_mm=8, spacing=(1.5, 1.5), seed=0)
    return image_hu, heat


def run(name, **values):
    return checks[name].run(values)


def _base(image_hu):
    fig, ax = plt.subplots()
    show_slice(image_hu, window="lung", spacing=(1.5, 1.5), ax=ax)
    return fig, ax


def test_every_check_fails_on_blank_answers():
    for check in checks:
        result = check.run({name: ... for name in check.params})
        assert not result.passed and "still `...`" in result.message


# --- colormap ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["inferno", "magma", "viridis"])
def test_perceptual_colormaps_pass(name):
    assert run("perceptual_colormap", heat_cmap=name).passed
    assert run("perceptual_colormap", heat_cmap=colormaps[name]).passed


@pytest.mark.parametrize("name, hint", [("jet", "lightness"), ("rainbow", "lightness"),
                                        ("gray", "anatomy"), ("inferno_r", "reversed"),
                                        ("Reds", "perceptually uniform")])
def test_other_colormaps_fail(name, hint):
    result = run("perceptual_colormap", heat_cmap=name)
    assert not result.passed and hint in result.message
    assert "inferno'" not in result.message.replace("'inferno_r'", "")


# --- sparse overlay ------------------------------------------------------------------------

def test_rgba_sparse_overlay_passes(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    rgba = colormaps["inferno"](heat)
    rgba[..., 3] = 0.8 * heat
    rgba[heat < 0.1, 3] = 0
    ax.imshow(rgba, extent=ax.images[0].get_extent())
    assert run("sparse_alpha_overlay", fig_heat=fig).passed


def test_helper_and_masked_threshold_pass(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    overlay_heatmap(heat, ax=ax, alpha=0.8, threshold=0.1)
    assert run("sparse_alpha_overlay", fig_heat=fig).passed
    fig, ax = _base(image_hu)
    ax.imshow(np.ma.masked_less(heat, 0.2), cmap="inferno", vmin=0, vmax=1, alpha=0.6,
              extent=ax.images[0].get_extent())
    assert run("sparse_alpha_overlay", fig_heat=ax).passed


def test_uniform_alpha_fails(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    ax.imshow(heat, cmap="inferno", alpha=0.5, extent=ax.images[0].get_extent())
    result = run("sparse_alpha_overlay", fig_heat=fig)
    assert not result.passed and "same opacity everywhere" in result.message


def test_alpha_without_threshold_on_texture_fails(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    rgba = colormaps["inferno"](heat)
    rgba[..., 3] = 0.3 + 0.5 * heat          # a floor of opacity everywhere
    ax.imshow(rgba, extent=ax.images[0].get_extent())
    result = run("sparse_alpha_overlay", fig_heat=fig)
    assert not result.passed and "transparent" in result.message


def test_heat_under_the_slice_fails(data):
    image_hu, heat = data
    fig, ax = plt.subplots()
    ax.imshow(heat, cmap="inferno", alpha=heat)
    ax.imshow(image_hu, cmap="gray", vmin=-1350, vmax=150)
    result = run("sparse_alpha_overlay", fig_heat=fig)
    assert not result.passed and "not the heatmap" in result.message


# --- colorbar ------------------------------------------------------------------------------

def test_heat_colorbar_passes(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    overlay_heatmap(heat, ax=ax, alpha=0.8, threshold=0.1)
    fig.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap="inferno"), ax=ax, label="attention")
    assert run("heatmap_colorbar", fig_heat=fig).passed


def test_anatomy_colorbar_fails(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    overlay_heatmap(heat, ax=ax, alpha=0.8, threshold=0.1)
    fig.colorbar(ax.images[0], ax=ax, label="HU")
    result = run("heatmap_colorbar", fig_heat=fig)
    assert not result.passed and "anatomy" in result.message


def test_missing_or_unlabelled_colorbar_fails(data):
    image_hu, heat = data
    fig, ax = _base(image_hu)
    overlay_heatmap(heat, ax=ax, alpha=0.8, threshold=0.1)
    result = run("heatmap_colorbar", fig_heat=fig)
    assert not result.passed and "no colorbar" in result.message
    fig.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap="inferno"), ax=ax)
    result = run("heatmap_colorbar", fig_heat=fig)
    assert not result.passed and "Label" in result.message


# --- BGR -----------------------------------------------------------------------------------

def _bgr(data):
    image_hu, heat = data
    grey8 = np.round(apply_window(image_hu, 1500, -600) * 255).astype(np.uint8)
    grey3 = np.repeat(grey8[..., None], 3, axis=2)
    heat8 = np.round(heat * 255).astype(np.uint8)
    jet_bgr = np.round(colormaps["jet"](heat8)[..., :3] * 255).astype(np.uint8)[..., ::-1]
    return np.clip(0.6 * grey3 + 0.4 * jet_bgr, 0, 255).round().astype(np.uint8)


def test_bgr_reversed_passes(data):
    bgr = _bgr(data)
    assert run("bgr_to_rgb", rgb_blend=bgr[..., ::-1]).passed
    assert run("bgr_to_rgb", rgb_blend=bgr[..., ::-1] / 255.0).passed   # floats 0..1


def test_bgr_unchanged_fails(data):
    result = run("bgr_to_rgb", rgb_blend=_bgr(data))
    assert not result.passed and "still in OpenCV's channel order" in result.message


def test_bgr_rolled_channels_fail(data):
    result = run("bgr_to_rgb", rgb_blend=np.roll(_bgr(data), 1, axis=2))
    assert not result.passed and "reordered" in result.message
    assert "::-1" not in result.message
