"""Tests of the checks of exercise 06: correct answers written in other ways pass on two
variants, each plausible wrong answer fails only the requirement it breaks, with a true message.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from check_helpers import assert_fails, grade
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import ndimage

from course_utils.checks import ex06_segmentation_masks as ex
from course_utils.display import physical_extent, show_slice
from course_utils.segment import body_mask, largest_component

checks = ex.checks
VARIANTS = (0, 3)
FIGURE_CHECKS = ("transparent_background", "fixed_limits_nearest", "class_legend")
SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "06_segmentation_masks.ipynb"


def names(t):
    return {value: name for name, value in t.classes.items()}


def present(t):
    return [int(k) for k in np.unique(t.label_slice) if k != 0]


def base(t):
    fig, ax = plt.subplots(figsize=(4, 3))
    show_slice(t.hu_slice, window="soft_tissue", spacing=t.spacing[1:], ax=ax)
    ax.set_axis_off()  # the checks do not read ticks; fewer of them to lay out
    return fig, ax


def solution(t, cmap=None, vmin=-0.5, vmax=6.5, alpha=None, legend=True, **kwargs):
    fig, ax = base(t)
    cmap = cmap or ListedColormap([(0, 0, 0, 0)] + [to_rgba(c) for c in t.label_colors])
    options = {"interpolation": "nearest", "interpolation_stage": "rgba",
               "extent": ax.images[0].get_extent(), **kwargs}
    ax.imshow(t.label_slice, cmap=cmap, vmin=vmin, vmax=vmax,
              alpha=t.label_alpha if alpha is None else alpha, **options)
    if legend:
        ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], label=names(t)[k])
                           for k in present(t)])
    return ax


def alt_boundary_norm_fig_legend(t):
    fig, ax = base(t)
    ax.imshow(np.ma.masked_equal(t.label_slice, 0), cmap=ListedColormap(t.label_colors),
              norm=BoundaryNorm(np.arange(0.5, 7.5), 6), alpha=t.label_alpha,
              interpolation="nearest", interpolation_stage="rgba",
              extent=tuple(ax.images[0].get_extent()))
    fig.legend(handles=[Line2D([], [], marker="s", linestyle="none", markersize=10,
                               markerfacecolor=t.label_colors[k - 1],
                               markeredgecolor=t.label_colors[k - 1],
                               label=names(t)[k].replace("_", " "))
                        for k in present(t)], loc="outside right upper")
    return ax


def alt_rgba(t):
    fig, ax = plt.subplots()
    extent = physical_extent(t.label_slice.shape, t.spacing[1:])
    ax.imshow(t.hu_slice, cmap="gray", vmin=-160, vmax=240, extent=extent)
    rgba = np.zeros(t.label_slice.shape + (4,), dtype=np.float32)
    for k in present(t):
        rgba[t.label_slice == k] = to_rgba(t.label_colors[k - 1], alpha=t.label_alpha)
    ax.imshow(rgba, interpolation="nearest", extent=extent)
    ax.legend(handles=[Patch(color=t.label_colors[k - 1], alpha=t.label_alpha,
                             label=names(t)[k].upper()) for k in present(t)],
              bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


def alt_masked_listed(t):
    fig, ax = base(t)
    ax.imshow(np.ma.masked_where(t.label_slice == 0, t.label_slice),
              cmap=ListedColormap(t.label_colors), vmin=0.5, vmax=6.5, alpha=t.label_alpha,
              interpolation="none", interpolation_stage="rgba", extent=ax.images[0].get_extent())
    handles = [Line2D([0], [0], color=t.label_colors[k - 1], linewidth=6, label=names(t)[k])
               for k in present(t)]
    ax.legend(handles=handles)
    return ax


def alt_alpha_array(t):
    fig, ax = base(t)
    cmap = ListedColormap(["black"] + list(t.label_colors))
    alpha = np.where(t.label_slice == 0, 0.0, t.label_alpha)
    ax.imshow(t.label_slice.astype(np.uint8), cmap=cmap, vmin=0, vmax=6, alpha=alpha,
              interpolation="nearest", interpolation_stage="rgba",
              extent=ax.images[0].get_extent())
    for k in present(t):
        ax.scatter([], [], marker="s", color=t.label_colors[k - 1], label=names(t)[k])
    ax.legend()
    return fig


def alt_bad_transparent_rgb_tuples_outside_legend(t):
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    show_slice(t.hu_slice, window="soft_tissue", spacing=t.spacing[1:], ax=ax)
    cmap = ListedColormap([to_rgb(c) for c in t.label_colors])
    cmap = cmap.with_extremes(bad=(0, 0, 0, 0))
    ax.imshow(np.ma.masked_equal(t.label_slice, 0), cmap=cmap,
              norm=BoundaryNorm(np.arange(0.5, 7.5), cmap.N), alpha=t.label_alpha,
              interpolation="nearest", interpolation_stage="rgba",
              extent=ax.images[0].get_extent())
    fig.legend(handles=[Patch(facecolor=to_rgb(t.label_colors[k - 1]), label=names(t)[k])
                        for k in present(t)], loc="outside right")
    return ax


def alt_list_vmin0_vmax6(t):
    fig, ax = base(t)
    ax.imshow(t.label_slice.tolist(), cmap=ListedColormap(["none"] + list(t.label_colors)),
              vmin=0, vmax=6, alpha=t.label_alpha, interpolation="nearest",
              interpolation_stage="rgba", extent=ax.images[0].get_extent())
    ax.legend(handles=[Patch(color=t.label_colors[k - 1].lower(), label=names(t)[k])
                       for k in present(t)])
    return ax


def alt_under_transparent(t):
    fig, ax = base(t)
    cmap = ListedColormap(t.label_colors).with_extremes(under=(0, 0, 0, 0))
    ax.imshow(t.label_slice.astype(np.uint8), cmap=cmap, vmin=0.5, vmax=6.5,
              alpha=t.label_alpha, interpolation="nearest", interpolation_stage="rgba",
              extent=ax.images[0].get_extent())
    for k in present(t):
        ax.plot([], [], "s", color=t.label_colors[k - 1], label=names(t)[k].replace("_", "-"))
    ax.legend(title="classes")
    return fig


def alt_one_layer_per_class(t):
    fig, ax = base(t)
    for k in present(t):
        ax.imshow(np.ma.masked_where(t.label_slice != k, t.label_slice),
                  cmap=ListedColormap([t.label_colors[k - 1]]), alpha=t.label_alpha,
                  interpolation="nearest", interpolation_stage="rgba",
                  extent=ax.images[0].get_extent())
    ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], edgecolor="black",
                             label=names(t)[k]) for k in present(t)])
    return ax


def alt_lower_origin_swapped_extent(t):
    fig, ax = base(t)
    left, right, bottom, top = ax.images[0].get_extent()
    cmap = ListedColormap([(0, 0, 0, 0)] + [to_rgba(c) for c in t.label_colors])
    ax.imshow(t.label_slice, cmap=cmap, vmin=-0.5, vmax=6.5, alpha=t.label_alpha,
              origin="lower", interpolation="nearest", interpolation_stage="rgba",
              extent=(left, right, top, bottom))
    ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], label=names(t)[k])
                       for k in present(t)])
    return ax


ALTERNATIVES = [solution, alt_boundary_norm_fig_legend, alt_rgba, alt_masked_listed,
                alt_alpha_array, alt_bad_transparent_rgb_tuples_outside_legend,
                alt_list_vmin0_vmax6, alt_under_transparent, alt_one_layer_per_class,
                alt_lower_origin_swapped_extent]


def test_task_data_follow_the_variant_and_expose_the_mistakes():
    a, b = ex.task(0), ex.task(3)
    assert a.hu.shape != b.hu.shape and a.label_colors != b.label_colors
    assert (a.label_alpha, a.air_threshold) != (b.label_alpha, b.air_threshold)
    assert present(a) != present(b)
    for t in (a, b, ex.task(5)):
        rows, columns = t.label_slice.shape
        assert rows != columns and t.spacing[1] != t.spacing[2]
        assert t.label_slice.max() < max(t.classes.values())   # automatic limits would shift
        # the variant's threshold changes the lung mask: a hazy region on either side of it
        hidden = ex.expected(t)
        assert hidden.lungs[hidden.haze_below].mean() > 0.95
        assert hidden.lungs[hidden.haze_above].mean() < 0.05
        # the task data are the exercise's input only: no expected mask to read off
        assert not {"lungs", "ggo", "ggo_is_air", "reference_lungs"} & set(vars(t))


def test_every_check_fails_on_blank_answers():
    for check in checks:
        assert_fails(grade(check, 0, **{name: ... for name in check.params}), "still `...`")


@pytest.mark.parametrize("draw", ALTERNATIVES)
def test_correct_label_overlays_pass_every_figure_check(draw):
    for variant in VARIANTS:
        answer = draw(ex.task(variant))
        for name in FIGURE_CHECKS:
            result = grade(checks[name], variant, ax_labels=answer)
            assert result.passed, (name, result.message)


def wrong_no_extent(t):
    fig, ax = base(t)
    cmap = ListedColormap([(0, 0, 0, 0)] + [to_rgba(c) for c in t.label_colors])
    ax.imshow(t.label_slice, cmap=cmap, vmin=-0.5, vmax=6.5, alpha=t.label_alpha,
              interpolation="nearest", interpolation_stage="rgba")
    ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], label=names(t)[k])
                       for k in present(t)])
    return ax


def wrong_under(t):
    fig, ax = plt.subplots()
    extent = physical_extent(t.label_slice.shape, t.spacing[1:])
    cmap = ListedColormap([(0, 0, 0, 0)] + [to_rgba(c) for c in t.label_colors])
    ax.imshow(t.label_slice, cmap=cmap, vmin=-0.5, vmax=6.5, alpha=t.label_alpha,
              interpolation="nearest", interpolation_stage="rgba", extent=extent)
    ax.imshow(t.hu_slice, cmap="gray", vmin=-160, vmax=240, extent=extent)
    return ax


def wrong_origin_lower(t):
    return solution(t, origin="lower")


def per_class_layers(t, colour=lambda k: k - 1, alpha=None, **kwargs):
    fig, ax = base(t)
    options = {"interpolation": "nearest", "interpolation_stage": "rgba",
               "extent": ax.images[0].get_extent(), **kwargs}
    for k in present(t):
        ax.imshow(np.ma.masked_where(t.label_slice != k, t.label_slice),
                  cmap=ListedColormap([t.label_colors[colour(k)]]),
                  alpha=t.label_alpha if alpha is None else alpha, **options)
    ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], label=names(t)[k])
                       for k in present(t)])
    return ax


def wrong_background(t):
    return solution(t, cmap=ListedColormap(["black"] + list(t.label_colors)))


@pytest.mark.parametrize("draw, words", [
    (wrong_no_extent, ("does not lie on the slice", "without `extent=`")),
    (wrong_under, ("under the CT slice",)),
    (wrong_background, ("background (label 0) is drawn",)),
    (lambda t: solution(t, alpha=1.0), ("opacity 1.00", "`label_alpha`")),
    (lambda t: solution(t, alpha=np.where(t.label_slice == 0, 0, 0.1 + 0.1 * t.label_slice)),
     ("not the same everywhere",)),
    (lambda t: base(t)[1], ("Only one layer",)),
    (wrong_origin_lower, ("upside down",)),
    (lambda t: per_class_layers(t, extent=None), ("does not lie on the slice",)),
    (lambda t: per_class_layers(t, alpha=1.0), ("opacity 1.00",)),
])
def test_wrong_overlays_fail_transparent_background(draw, words):
    t = ex.task(0)
    answer = draw(t)
    assert_fails(grade(checks.transparent_background, 0, ax_labels=answer), *words,
                 forbidden=(str(t.label_alpha),))
    if draw in (wrong_no_extent, wrong_background, wrong_origin_lower):
        for name in ("fixed_limits_nearest", "class_legend"):
            assert grade(checks[name], 0, ax_labels=answer).passed


def absent_classes_fall_off(t):
    top = max(present(t))
    colors = [(0, 0, 0, 0)] + [to_rgba(c) for c in t.label_colors[:top]]
    return solution(t, cmap=ListedColormap(colors), vmax=top + 0.5)


def six_colours_over_0_to_6(t):
    """Class k gets colour k of the list, not k - 1 (the colours shift by one)."""
    fig, ax = base(t)
    ax.imshow(np.ma.masked_equal(t.label_slice, 0), cmap=ListedColormap(t.label_colors),
              vmin=0, vmax=6, alpha=t.label_alpha, interpolation="nearest",
              interpolation_stage="rgba", extent=ax.images[0].get_extent())
    ax.legend(handles=[Patch(facecolor=t.label_colors[k - 1], label=names(t)[k])
                       for k in present(t)])
    return ax


@pytest.mark.parametrize("draw, words", [
    (lambda t: solution(t, interpolation="bilinear"), ("interpolation='bilinear'",)),
    (lambda t: solution(t, interpolation="antialiased"), ("interpolation='antialiased'",)),
    (lambda t: solution(t, interpolation_stage="data"), ("interpolation_stage='data'",)),
    (lambda t: solution(t, vmin=None, vmax=None), ("smallest and largest label",)),
    (lambda t: solution(t, cmap=ListedColormap([(0, 0, 0, 0)] + list(t.label_colors[::-1]))),
     ("not drawn in its colour",)),
    (absent_classes_fall_off, ("classes that are not in this slice", "heart")),
    (six_colours_over_0_to_6, ("not drawn in its colour",)),
    (lambda t: per_class_layers(t, colour=lambda k: k % 6), ("not drawn in its colour",)),
    (lambda t: per_class_layers(t, interpolation="antialiased"),
     ("interpolation='antialiased'",)),
])
def test_wrong_limits_or_interpolation_fail_fixed_limits_nearest(draw, words):
    t = ex.task(0)
    answer = draw(t)
    assert_fails(grade(checks.fixed_limits_nearest, 0, ax_labels=answer), *words)
    assert grade(checks.transparent_background, 0, ax_labels=answer).passed


def legend_of(t, handles):
    ax = solution(t, legend=False)
    ax.legend(handles=handles)
    return ax


@pytest.mark.parametrize("handles, words", [
    (lambda t: None, ("no legend",)),
    (lambda t: [Patch(color="black", label="background")]
     + [Patch(color=t.label_colors[k - 1], label=names(t)[k]) for k in present(t)],
     ("background",)),
    (lambda t: [Patch(color=t.label_colors[k - 1], label=names(t)[k]) for k in present(t)[1:]],
     ("entries for", "some are missing")),
    (lambda t: [Patch(color=t.label_colors[k - 1], label=names(t)[k])
                for k in present(t) + [6]], ("which are not drawn",)),
    (lambda t: [Patch(color=t.label_colors[-k], label=names(t)[k]) for k in present(t)],
     ("not in the colour",)),
    (lambda t: [Patch(color=t.label_colors[k - 1], label=f"class {k}") for k in present(t)],
     ("not class names",)),
])
def test_wrong_legends_fail_class_legend(handles, words):
    t = ex.task(0)
    chosen = handles(t)
    answer = solution(t, legend=False) if chosen is None else legend_of(t, chosen)
    assert_fails(grade(checks.class_legend, 0, ax_labels=answer), *words)
    assert grade(checks.fixed_limits_nearest, 0, ax_labels=answer).passed


# --- task 4: lung mask -----------------------------------------------------------------------

def lungs_recipe(t):
    return largest_component((t.hu < t.air_threshold) & body_mask(t.hu), n=2)


def lungs_by_hand(t):
    labelled, _ = ndimage.label(t.hu > -500)
    sizes = np.bincount(labelled.ravel())
    sizes[0] = 0
    body = np.stack([ndimage.binary_fill_holes(s) for s in labelled == sizes.argmax()])
    air, _ = ndimage.label((t.hu <= t.air_threshold) & body)
    sizes = np.bincount(air.ravel())
    sizes[0] = 0
    return np.isin(air, np.argsort(sizes)[-2:]).astype(np.uint8)


def lungs_cleaned(t):
    air = (t.hu < t.air_threshold) & body_mask(t.hu)
    air = ndimage.binary_opening(air, ndimage.generate_binary_structure(3, 1))
    return largest_component(air, n=2)


def lungs_corner_connected(t):
    air, _ = ndimage.label((t.hu < t.air_threshold) & body_mask(t.hu),
                           structure=np.ones((3, 3, 3)))
    sizes = np.bincount(air.ravel())
    sizes[0] = 0
    return np.isin(air, np.argsort(sizes)[-2:])


@pytest.mark.parametrize("segment", [lungs_recipe, lungs_by_hand, lungs_cleaned,
                                     lungs_corner_connected])
def test_correct_lung_masks_pass(segment):
    for variant in VARIANTS:
        result = grade(checks.lung_segmentation, variant,
                       lung_mask_volume=segment(ex.task(variant)))
        assert result.passed, result.message


@pytest.mark.parametrize("variant, segment, words", [
    (0, lambda t: (t.hu > t.air_threshold) & body_mask(t.hu), ("inverted",)),
    (0, lambda t: largest_component((t.hu > t.air_threshold) & body_mask(t.hu), n=2),
     ("inverted",)),
    (0, lambda t: largest_component(t.hu < t.air_threshold, n=2), ("outside the patient",)),
    (0, lambda t: (t.hu < t.air_threshold) & body_mask(t.hu), ("separate pieces",)),
    (3, lambda t: largest_component((t.hu < -400) & body_mask(t.hu), n=2),
     ("cut-off is lower",)),
    (5, lambda t: largest_component((t.hu < t.air_threshold + 80) & body_mask(t.hu), n=2),
     ("cut-off is higher",)),
    (0, lambda t: lungs_recipe(t)[ex.task(0).slice_index], ("has shape",)),
    (0, lambda t: np.where(lungs_recipe(t), t.hu, 0), ("boolean mask",)),
    (0, lambda t: np.zeros(t.hu.shape, bool), ("empty",)),
    (0, lambda t: body_mask(t.hu), ("tissue besides the lungs",)),
    (0, lambda t: largest_component((t.hu < t.air_threshold) & body_mask(t.hu), n=1),
     ("one piece",)),
    (0, lambda t: np.stack([largest_component(s, n=2)
                            for s in (t.hu < t.air_threshold) & body_mask(t.hu)]),
     ("separate pieces",)),
    # a cut-off typed in from variant 0 is too low on variant 1 and too high on variant 4
    (1, lambda t: largest_component((t.hu < -400) & body_mask(t.hu), n=2),
     ("cut-off is lower",)),
    (4, lambda t: largest_component((t.hu < -400) & body_mask(t.hu), n=2),
     ("cut-off is higher",)),
])
def test_wrong_lung_masks_fail_with_the_fault_named(variant, segment, words):
    t = ex.task(variant)
    result = grade(checks.lung_segmentation, variant, lung_mask_volume=segment(t))
    assert_fails(result, *words, forbidden=(str(t.air_threshold), str(int(t.air_threshold))))
    assert "too high" not in result.message and "too low" not in result.message


# --- typed-in answers ------------------------------------------------------------------------

def test_variant_0_answers_fail_every_value_check_on_another_variant():
    t0 = ex.task(0)
    answer = solution(t0)
    mask = lungs_recipe(t0)
    for variant in (3, 5):
        for name in FIGURE_CHECKS:
            assert not grade(checks[name], variant, ax_labels=answer).passed, name
        assert not grade(checks.lung_segmentation, variant, lung_mask_volume=mask).passed


# --- whole notebooks -------------------------------------------------------------------------

ALTERNATIVE_CELLS = {
    "9a4c9bcc": (
        "fig, ax_labels = plt.subplots(figsize=(6, 4.5), layout='constrained')\n"
        "show_slice(hu_slice, window='soft_tissue', spacing=spacing[1:], ax=ax_labels)\n"
        "rgba = np.zeros(label_slice.shape + (4,))\n"
        "for k in np.unique(label_slice)[1:]:\n"
        "    rgba[label_slice == k] = to_rgba(label_colors[k - 1], alpha=label_alpha)\n"
        "ax_labels.imshow(rgba, interpolation='nearest', extent=ax_labels.images[0].get_extent())\n"
        "names = {value: name for name, value in CLASSES.items()}\n"
        "fig.legend(handles=[Patch(color=label_colors[k - 1], label=names[k])\n"
        "                    for k in np.unique(label_slice)[1:]], loc='outside right upper')"),
    "6ee9c77a": (
        "from scipy import ndimage\n"
        "air, _ = ndimage.label((hu <= air_threshold) & body_mask(hu))\n"
        "sizes = np.bincount(air.ravel())\n"
        "sizes[0] = 0\n"
        "lung_mask_volume = np.isin(air, np.argsort(sizes)[-2:])"),
}
WRONG_CELLS = {
    "6ee9c77a": "lung_mask_volume = largest_component((hu > air_threshold) & body_mask(hu), n=2)",
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
    assert failed == ["lung_segmentation"], [(c.name, c.message) for c in wrong.checks]
