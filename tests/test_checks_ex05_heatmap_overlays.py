"""Tests of the checks of exercise 05: correct answers written in other ways pass on two
variants, each plausible wrong answer fails only the requirement it breaks, with a true message.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from check_helpers import assert_fails, grade
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize

from course_utils.checks import ex05_heatmap_overlays as ex
from course_utils.display import physical_extent, show_slice
from course_utils.overlay import overlay_heatmap

checks = ex.checks
VARIANTS = (0, 3)
SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "05_heatmap_overlays.ipynb"


def base(t):
    fig, ax = plt.subplots(figsize=(4, 3))
    show_slice(t.image_hu, window="lung", spacing=t.spacing, ax=ax)
    ax.set_axis_off()  # the checks do not read ticks; fewer of them to lay out
    return fig, ax


def sparse_rgba(t, cmap="inferno", alpha_max=None, threshold=None):
    rgba = colormaps[cmap](t.heat)
    rgba[..., 3] = (t.alpha_max if alpha_max is None else alpha_max) * t.heat
    rgba[t.heat < (t.threshold if threshold is None else threshold), 3] = 0.0
    return rgba


def solution_figure(t, cmap="inferno", colorbar=True, **kwargs):
    fig, ax = base(t)
    ax.imshow(sparse_rgba(t, cmap, **kwargs), extent=ax.images[0].get_extent())
    if colorbar:
        fig.colorbar(ScalarMappable(Normalize(0, 1), cmap), ax=ax, label="attention")
    return fig, ax


def test_task_data_follow_the_variant_and_expose_the_mistakes():
    a, b = ex.task(0), ex.task(3)
    assert a.image_hu.shape != b.image_hu.shape
    assert (a.threshold, a.alpha_max) != (b.threshold, b.alpha_max)
    for t in (a, b):
        rows, columns = t.image_hu.shape
        assert rows != columns and t.spacing[0] != t.spacing[1]       # Rows/Columns, dy/dx
        assert t.heat.shape == t.image_hu.shape and t.lesion.any()
        peak = np.unravel_index(t.heat.argmax(), t.heat.shape)
        assert t.lesion[peak]                                          # hot spot on the lesion
        assert (t.heat < t.threshold).mean() > 0.5 and (t.heat > t.threshold).any()
    assert not np.array_equal(ex.task(0).lesion_centre, ex.task(5).lesion_centre)


def test_every_check_fails_on_blank_answers():
    for check in checks:
        result = grade(check, 0, **{name: ... for name in check.params})
        assert_fails(result, "still `...`")


# --- task 1: colormap ---------------------------------------------------------------------

@pytest.mark.parametrize("cmap", ["magma", colormaps["viridis"], "cividis", "hot",
                                  plt.get_cmap("plasma"), colormaps["magma"].resampled(16),
                                  LinearSegmentedColormap.from_list(
                                      "mine", ["black", "darkred", "orange", "lightyellow"])])
def test_colormaps_whose_lightness_rises_pass(cmap):
    for variant in VARIANTS:
        assert grade(checks.perceptual_colormap, variant, heat_cmap=cmap).passed


@pytest.mark.parametrize("cmap, words", [
    ("jet", ("goes up and down",)), ("turbo", ("goes up and down",)),
    ("twilight", ("goes up and down", "some heat values look brighter than higher ones")),
    ("gray", ("grey map",)), ("gist_gray", ("grey map",)),
    (LinearSegmentedColormap.from_list("bw", ["black", "white"]), ("grey map",)),
    ("inferno_r", ("darker as the heat rises",)), ("Inferno", ("not the name",))])
def test_wrong_colormaps_fail(cmap, words):
    assert_fails(grade(checks.perceptual_colormap, 0, heat_cmap=cmap), *words)


# --- task 2: sparse overlay ---------------------------------------------------------------

def alt_alpha_array(t):
    fig, ax = base(t)
    alpha = np.where(t.heat < t.threshold, 0.0, t.alpha_max * t.heat)
    ax.imshow(t.heat, cmap="magma", vmin=0, vmax=1, alpha=alpha,
              extent=ax.images[0].get_extent())
    return fig, "magma"


def alt_helper(t):
    fig, ax = base(t)
    overlay_heatmap(t.heat, ax=ax, cmap="viridis", alpha=t.alpha_max, threshold=t.threshold)
    return fig, colormaps["viridis"]


def alt_uint8_plain(t):
    fig, ax = plt.subplots()
    extent = physical_extent(t.image_hu.shape, t.spacing)
    ax.imshow(t.image_hu, cmap="gist_gray", vmin=-1350, vmax=150, extent=extent)
    rgba = np.round(sparse_rgba(t, "plasma") * 255).astype(np.uint8)
    ax.imshow(rgba, extent=extent, interpolation="nearest")
    return ax, "plasma"


def alt_masked_float32(t):
    fig, ax = base(t)
    heat = t.heat.astype(np.float32)
    ax.imshow(np.ma.masked_less(heat, t.threshold), cmap=colormaps["inferno"],
              norm=Normalize(vmin=0.0, vmax=1.0), alpha=(t.alpha_max * heat).astype(np.float64),
              extent=tuple(ax.images[0].get_extent()), zorder=2)
    return fig, "inferno"


def alt_origin_lower(t):
    fig, ax = plt.subplots()
    rows, columns = t.image_hu.shape
    dy, dx = t.spacing
    extent = (0, columns * dx, 0, rows * dy)
    ax.imshow(t.image_hu[::-1], cmap="gray", vmin=-1350, vmax=150, origin="lower", extent=extent)
    ax.imshow(sparse_rgba(t, "cividis")[::-1], origin="lower", extent=extent)
    return fig, "cividis"


def _opacity(t):
    return np.where(t.heat >= t.threshold, t.alpha_max * t.heat, 0.0)


def alt_masked_where_normalize(t):
    fig, ax = base(t)
    ax.imshow(np.ma.masked_where(t.heat < t.threshold, t.heat), cmap=plt.get_cmap("inferno"),
              norm=Normalize(0, 1), alpha=np.clip(t.alpha_max * t.heat, 0, 1),
              extent=ax.images[0].get_extent())
    return fig, "inferno"


def alt_ramp_from_threshold(t):
    fig, ax = base(t)
    opacity = np.clip((t.heat - t.threshold) / (1 - t.threshold), 0, 1) * t.alpha_max
    ax.imshow(t.heat.tolist(), cmap="magma", vmin=0, vmax=1, alpha=opacity,
              extent=ax.images[0].get_extent())
    return fig, colormaps["magma"]


def alt_nan_bad_transparent(t):
    fig, ax = base(t)
    cmap = colormaps["inferno"].with_extremes(bad=(0, 0, 0, 0))
    heat = np.where(t.heat < t.threshold, np.nan, t.heat).astype(np.float32)
    ax.imshow(heat, cmap=cmap, norm=Normalize(vmin=0, vmax=1),
              alpha=(t.alpha_max * t.heat).astype(np.float32), extent=ax.images[0].get_extent())
    return fig, "inferno"


def alt_under_sentinel(t):
    fig, ax = base(t)
    cmap = colormaps["viridis"].with_extremes(under=(0, 0, 0, 0))
    ax.imshow(np.where(t.heat < t.threshold, -1.0, t.heat), cmap=cmap, vmin=0, vmax=1,
              alpha=t.alpha_max * t.heat, extent=ax.images[0].get_extent())
    return fig, "viridis"


def alt_lower_origin_swapped_extent(t):
    fig, ax = base(t)
    left, right, bottom, top = ax.images[0].get_extent()
    ax.imshow(t.heat, cmap="inferno", vmin=0, vmax=1, alpha=_opacity(t), origin="lower",
              extent=(left, right, top, bottom))
    return fig, "inferno"


def alt_flipped_data_lower_origin(t):
    fig, ax = base(t)
    ax.imshow(t.heat[::-1], cmap="inferno", vmin=0, vmax=1, alpha=_opacity(t)[::-1],
              origin="lower", extent=ax.images[0].get_extent())
    return fig, "inferno"


def alt_uint8_heat_quadratic(t):
    fig, ax = base(t)
    opacity = np.where(t.heat >= t.threshold, t.alpha_max * t.heat ** 2, 0.0)
    ax.imshow(np.round(t.heat * 255).astype(np.uint8), cmap="inferno", vmin=0, vmax=255,
              alpha=opacity, extent=ax.images[0].get_extent())
    return fig, "inferno"


def alt_rgba_times_scalar_alpha(t):
    fig, ax = base(t)
    rgba = colormaps["plasma"](t.heat)
    rgba[..., 3] = np.where(t.heat >= t.threshold, t.heat, 0.0)
    ax.imshow(rgba, alpha=t.alpha_max, extent=ax.images[0].get_extent(),
              interpolation="bilinear", zorder=3)
    return fig, "plasma"


ALTERNATIVES = [alt_alpha_array, alt_helper, alt_uint8_plain, alt_masked_float32,
                alt_origin_lower, alt_masked_where_normalize, alt_ramp_from_threshold,
                alt_nan_bad_transparent, alt_under_sentinel, alt_lower_origin_swapped_extent,
                alt_flipped_data_lower_origin, alt_uint8_heat_quadratic,
                alt_rgba_times_scalar_alpha]


@pytest.mark.parametrize("draw", ALTERNATIVES)
def test_correct_overlays_pass(draw):
    for variant in VARIANTS:
        fig, cmap = draw(ex.task(variant))
        result = grade(checks.sparse_alpha_overlay, variant, fig_heat=fig, heat_cmap=cmap)
        assert result.passed, result.message


def wrong_under(t):
    fig, ax = plt.subplots()
    extent = physical_extent(t.image_hu.shape, t.spacing)
    ax.imshow(sparse_rgba(t), extent=extent)
    ax.imshow(t.image_hu, cmap="gray", vmin=-1350, vmax=150, extent=extent)
    return fig


def wrong_no_extent(t):
    fig, ax = base(t)
    ax.imshow(sparse_rgba(t))
    return fig


def wrong_jet(t):
    return solution_figure(t, cmap="jet", colorbar=False)[0]


def wrong_autoscaled(t):
    fig, ax = base(t)
    ax.imshow(np.ma.masked_less(t.heat, t.threshold), cmap="inferno",
              alpha=t.alpha_max * t.heat, extent=ax.images[0].get_extent())
    return fig


def wrong_no_threshold(t):
    return solution_figure(t, threshold=0.0, colorbar=False)[0]


def wrong_high_threshold(t):
    return solution_figure(t, threshold=t.threshold + 0.15, colorbar=False)[0]


def wrong_uniform(t):
    fig, ax = base(t)
    ax.imshow(np.ma.masked_less(t.heat, t.threshold), cmap="inferno", vmin=0, vmax=1,
              alpha=t.alpha_max, extent=ax.images[0].get_extent())
    return fig


def wrong_falling(t):
    fig, ax = base(t)
    rgba = sparse_rgba(t)
    rgba[..., 3] = np.where(t.heat < t.threshold, 0, t.alpha_max * (1.2 - t.heat))
    ax.imshow(rgba, extent=ax.images[0].get_extent())
    return fig


def wrong_opaque(t):
    return solution_figure(t, alpha_max=1.0, colorbar=False)[0]


def wrong_origin_lower(t):
    fig, ax = base(t)
    ax.imshow(t.heat, cmap="inferno", vmin=0, vmax=1, alpha=_opacity(t), origin="lower",
              extent=ax.images[0].get_extent())
    return fig


def wrong_extent_reversed(t):
    fig, ax = base(t)
    left, right, bottom, top = ax.images[0].get_extent()
    ax.imshow(sparse_rgba(t), extent=(left, right, top, bottom))
    return fig


def wrong_spacing_swapped(t):
    fig, ax = base(t)
    rows, columns = t.heat.shape
    dy, dx = t.spacing
    ax.imshow(sparse_rgba(t), extent=(0, columns * dy, rows * dx, 0))
    return fig


def wrong_vmin_threshold(t):
    fig, ax = base(t)
    cmap = colormaps["inferno"].with_extremes(under=(0, 0, 0, 0))
    ax.imshow(t.heat, cmap=cmap, vmin=t.threshold, vmax=1, alpha=t.alpha_max * t.heat,
              extent=ax.images[0].get_extent())
    return fig


def wrong_threshold_on_opacity(t):
    fig, ax = base(t)
    rgba = colormaps["inferno"](t.heat)
    rgba[..., 3] = t.alpha_max * t.heat
    rgba[rgba[..., 3] < t.threshold, 3] = 0.0
    ax.imshow(rgba, extent=ax.images[0].get_extent())
    return fig


def wrong_heat_only(t):
    fig, ax = plt.subplots()
    ax.imshow(sparse_rgba(t))
    return fig


@pytest.mark.parametrize("draw, words", [
    (wrong_under, ("under the CT slice",)),
    (wrong_no_extent, ("does not lie on the slice", "without `extent=`")),
    (wrong_jet, ("'jet'", "not in `heat_cmap`")),
    (wrong_autoscaled, ("heat 0 and 1 at its two ends",)),
    (wrong_no_threshold, ("below `threshold`", "still visible")),
    (wrong_high_threshold, ("higher heat than `threshold`",)),
    (wrong_uniform, ("does not grow with the heat",)),
    (wrong_falling, ("falls as the heat rises",)),
    (wrong_opaque, ("more than `alpha_max`",)),
    (wrong_heat_only, ("slice is no longer drawn",)),
    (wrong_origin_lower, ("upside down",)),
    (wrong_extent_reversed, ("upside down",)),
    (wrong_spacing_swapped, ("does not lie on the slice",)),
    (wrong_vmin_threshold, ("heat 0 and 1 at its two ends",)),
    (wrong_threshold_on_opacity, ("higher heat than `threshold`",)),
    (lambda t: base(t)[0], ("Only one layer",)),
])
def test_wrong_overlays_fail_their_requirement(draw, words):
    t = ex.task(0)
    result = grade(checks.sparse_alpha_overlay, 0, fig_heat=draw(t), heat_cmap="inferno")
    assert_fails(result, *words, forbidden=(f"{t.alpha_max}", f"{t.threshold}"))


def test_wrong_overlays_fail_only_the_overlay_check():
    t = ex.task(0)
    for draw in (wrong_no_extent, wrong_opaque, wrong_no_threshold, wrong_origin_lower):
        fig = draw(t)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno"), ax=fig.axes[0], label="heat")
        assert grade(checks.heatmap_colorbar, 0, fig_heat=fig).passed


# --- task 3: colorbar ---------------------------------------------------------------------

def bar_chapter(t):
    return solution_figure(t, cmap="magma")[0]


def bar_of_alpha_image(t):
    fig, ax = base(t)
    alpha = np.where(t.heat < t.threshold, 0.0, t.alpha_max * t.heat)
    image = ax.imshow(t.heat, cmap="viridis", vmin=0, vmax=1, alpha=alpha,
                      extent=ax.images[0].get_extent())
    fig.colorbar(image, ax=ax, label="attention (a.u.)", orientation="horizontal")
    return fig


def bar_of_helper(t):
    fig, ax = base(t)
    image = overlay_heatmap(t.heat, ax=ax, alpha=t.alpha_max, threshold=t.threshold,
                            colorbar=True)
    image.colorbar.set_label("Grad-CAM")
    return fig


def bar_in_own_axes(t):
    fig, ax = solution_figure(t, cmap="inferno", colorbar=False)
    cax = fig.add_axes((0.85, 0.1, 0.03, 0.8))
    bar = plt.colorbar(ScalarMappable(cmap=colormaps["inferno"],
                                      norm=Normalize(vmin=np.float32(0), vmax=1.0)), cax=cax)
    bar.set_label("attention")
    return ax


def bar_pyplot_style(t):
    fig, ax = solution_figure(t, colorbar=False)
    plt.sca(ax)
    plt.colorbar(ScalarMappable(Normalize(0, 1), plt.get_cmap("inferno")), ax=plt.gca(),
                 label="attention")
    return fig


def bar_axes_divider(t):
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    fig, ax = solution_figure(t, colorbar=False)
    cax = make_axes_locatable(ax).append_axes("right", size="5%", pad=0.05)
    fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno"), cax=cax).set_label("attention")
    return fig


def bar_horizontal_constrained(t):
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    show_slice(t.image_hu, window="lung", spacing=t.spacing, ax=ax)
    ax.imshow(sparse_rgba(t), extent=ax.images[0].get_extent())
    fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno"), ax=ax, location="bottom",
                 label="attention")
    return fig


def bar_titled(t):
    fig, ax = solution_figure(t, colorbar=False)
    bar = fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno"), ax=ax)
    bar.ax.set_title("heat")
    return fig


def bar_of_flipped_layer(t):
    fig, ax = base(t)
    image = ax.imshow(t.heat[::-1], cmap="cividis", vmin=0, vmax=1, alpha=_opacity(t)[::-1],
                      origin="lower", extent=ax.images[0].get_extent())
    fig.colorbar(image, ax=ax, label="attention")
    return fig


def bar_set_array(t):
    fig, ax = solution_figure(t, colorbar=False)
    scale = ScalarMappable(cmap="inferno")
    scale.set_array(t.heat)
    scale.set_clim(0, 1)
    fig.colorbar(scale, ax=ax, label="attention", ticks=[0, 0.5, 1])
    return fig


@pytest.mark.parametrize("draw", [bar_chapter, bar_of_alpha_image, bar_of_helper,
                                  bar_in_own_axes, bar_pyplot_style, bar_axes_divider,
                                  bar_horizontal_constrained, bar_titled, bar_of_flipped_layer,
                                  bar_set_array])
def test_correct_colorbars_pass(draw):
    for variant in VARIANTS:
        result = grade(checks.heatmap_colorbar, variant, fig_heat=draw(ex.task(variant)))
        assert result.passed, result.message


def bar_none(t):
    return solution_figure(t, colorbar=False)[0]


def bar_viridis_of_rgba_jet(t):
    fig, ax = solution_figure(t, cmap="jet", colorbar=False)
    fig.colorbar(ax.images[-1], ax=ax, label="attention")
    return fig


def bar_of_anatomy(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ax.images[0], ax=ax, label="HU")
    return fig


def bar_0_255(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(0, 255), "inferno"), ax=ax, label="attention")
    return fig


def bar_unlabelled(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno"), ax=ax)
    return fig


def bar_wide(t):
    fig, ax = base(t)
    alpha = np.where(t.heat < t.threshold, 0.0, t.alpha_max * t.heat)
    image = ax.imshow(t.heat, cmap="inferno", vmin=-0.5, vmax=1.5, alpha=alpha,
                      extent=ax.images[0].get_extent())
    fig.colorbar(image, ax=ax, label="attention")
    return fig


def bar_reversed(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(0, 1), "inferno_r"), ax=ax, label="attention")
    return fig


def bar_other_map(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), ax=ax, label="attention")
    return fig


def bar_from_threshold(t):
    fig, ax = solution_figure(t, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(t.threshold, 1), "inferno"), ax=ax, label="heat")
    return fig


@pytest.mark.parametrize("draw, words, not_words", [
    (bar_none, ("no colorbar",), ()),
    (bar_viridis_of_rgba_jet, ("not those the heatmap shows", "made from an RGBA image"), ()),
    (bar_reversed, ("other way", "reversed"), ()),
    (bar_other_map, ("not those the heatmap shows",), ("RGBA",)),
    (bar_from_threshold, ("heatmap's colormap", "give it the heat's norm, 0 to 1"), ()),
    (bar_of_anatomy, ("anatomy",), ()),
    (bar_0_255, ("runs from 0 to 255",), ()),
    (bar_unlabelled, ("no label",), ()),
    (bar_wide, ("runs from -0.5 to 1.5",), ()),
])
def test_wrong_colorbars_fail_their_requirement(draw, words, not_words):
    result = grade(checks.heatmap_colorbar, 0, fig_heat=draw(ex.task(0)))
    assert_fails(result, *words)
    assert not any(word in result.message for word in not_words), result.message


def test_the_capstone_fault_jet_with_a_viridis_bar_fails_both():
    t = ex.task(0)
    fig = bar_viridis_of_rgba_jet(t)
    assert not grade(checks.sparse_alpha_overlay, 0, fig_heat=fig, heat_cmap="inferno").passed
    assert not grade(checks.heatmap_colorbar, 0, fig_heat=fig).passed


# --- task 4: BGR ----------------------------------------------------------------------------

@pytest.mark.parametrize("fix", [
    lambda bgr: np.flip(bgr, axis=-1),
    lambda bgr: bgr[:, :, [2, 1, 0]],
    lambda bgr: np.stack([bgr[..., 2], bgr[..., 1], bgr[..., 0]], axis=-1) / 255.0,
    lambda bgr: (bgr[..., ::-1] / 255).astype(np.float32),
    lambda bgr: bgr[..., ::-1].tolist(),
    lambda bgr: np.dstack((bgr[..., 2], bgr[..., 1], bgr[..., 0])),
    lambda bgr: np.ascontiguousarray(bgr[:, :, ::-1]).astype(np.int64),
])
def test_correct_channel_swaps_pass(fix):
    for variant in VARIANTS:
        result = grade(checks.bgr_to_rgb, variant, rgb_blend=fix(ex.task(variant).opencv_bgr))
        assert result.passed, result.message


@pytest.mark.parametrize("wrong, words", [
    (lambda bgr: bgr, ("still in OpenCV's channel order",)),
    (lambda bgr: bgr[..., [1, 2, 0]], ("not into red, green, blue",)),
    (lambda bgr: bgr[..., ::-1].transpose(1, 0, 2), ("has shape",)),
    (lambda bgr: bgr[..., ::-1][..., :2], ("has shape",)),
    (lambda bgr: np.clip(bgr[..., ::-1].astype(int) + 40, 0, 255), ("change only the order",)),
    (lambda bgr: bgr[..., ::-1].astype(float), ("floats up to", "0 to 1")),
    (lambda bgr: bgr[::-1], ("rows are reversed", "still in BGR order")),
    (lambda bgr: bgr[:, ::-1, ::-1], ("columns are reversed", "channels in RGB order")),
])
def test_wrong_channel_swaps_fail(wrong, words):
    assert_fails(grade(checks.bgr_to_rgb, 0, rgb_blend=wrong(ex.task(0).opencv_bgr)), *words)


# --- typed-in answers ------------------------------------------------------------------------

def test_variant_0_answers_fail_every_value_check_on_another_variant():
    t0 = ex.task(0)
    fig = solution_figure(t0)[0]
    rgb_blend = np.array(t0.opencv_bgr[..., ::-1].tolist(), dtype=np.uint8)  # as literals
    for variant in (3, 5):
        assert not grade(checks.sparse_alpha_overlay, variant, fig_heat=fig,
                         heat_cmap="inferno").passed
        assert not grade(checks.heatmap_colorbar, variant, fig_heat=fig).passed
        assert not grade(checks.bgr_to_rgb, variant, rgb_blend=rgb_blend).passed
    assert grade(checks.bgr_to_rgb, 0, rgb_blend=rgb_blend).passed


# --- whole notebooks -------------------------------------------------------------------------

ALTERNATIVE_CELLS = {
    "c0fbafe0": 'heat_cmap = colormaps["magma"]',
    "d5143182": (
        "fig_heat, ax_heat = plt.subplots(figsize=(5, 4))\n"
        "show_slice(image_hu, window='lung', spacing=spacing, ax=ax_heat)\n"
        "opacity = np.where(heat >= threshold, alpha_max * heat, 0.0)\n"
        "heat_layer = ax_heat.imshow(heat, cmap=heat_cmap, vmin=0, vmax=1, alpha=opacity,\n"
        "                            extent=ax_heat.images[0].get_extent())"),
    "08282331": "fig_heat.colorbar(heat_layer, ax=ax_heat, label='attention')",
    "4f68fcfd": "rgb_blend = np.flip(opencv_bgr, axis=-1)",
}
WRONG_CELLS = {
    "d5143182": (
        "fig_heat, ax_heat = plt.subplots(figsize=(5, 4))\n"
        "show_slice(image_hu, window='lung', spacing=spacing, ax=ax_heat)\n"
        "rgba = colormaps[heat_cmap](heat)\n"
        "rgba[..., 3] = alpha_max * heat\n"
        "rgba[heat < threshold, 3] = 0.0\n"
        "ax_heat.imshow(rgba)  # no extent: pixel indices over a slice in mm"),
}


def _write(folder, replacements):
    folder.mkdir()
    nb = nbformat.read(SOLUTION, as_version=4)
    for cell in nb.cells:
        if cell.get("id") in replacements:
            cell.source = replacements[cell["id"]]
            cell.outputs = []
    path = folder / SOLUTION.name
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_write(tmp_path / "a", ALTERNATIVE_CELLS), hidden_variant=5)
    assert alternative.checks and all(check.passed for check in alternative.checks), [
        (c.name, c.message) for c in alternative.checks]
    wrong = grade_notebook(_write(tmp_path / "w", WRONG_CELLS), hidden_variant=5)
    failed = [check.name for check in wrong.checks if not check.passed]
    assert failed == ["sparse_alpha_overlay"], [(c.name, c.message) for c in wrong.checks]
