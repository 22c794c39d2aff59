"""Tests of the checks of exercise 06: right answers pass, the usual mistakes get a hint."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import ListedColormap, to_rgba
from matplotlib.patches import Patch

from course_utils.checks import ex06_segmentation_masks as ex
from course_utils.display import show_slice
from course_utils.overlay import LABEL_COLORS, overlay_labels
from course_utils.phantom import CLASSES, chest_volume
from course_utils.segment import body_mask, largest_component, lung_mask

checks = ex.checks
NAMES = {value: name for name, value in CLASSES.items()}


@pytest.fixture(scope="module")
def chest():
    return chest_volume(shape=ex.CHEST["shape"], spacing=ex.CHEST["spacing"], seed=ex.CHEST["seed"])


def run(name, **values):
    return checks[name].run(values)


def _draw(chest, *, background="transparent", limits="fixed", interpolation="nearest",
          stage="rgba", legend="classes"):
    hu, labels = chest.hu[ex.SLICE], chest.labels[ex.SLICE]
    fig, ax = plt.subplots()
    show_slice(hu, window="soft_tissue", spacing=(1.5, 1.5), ax=ax)
    first = (0, 0, 0, 0) if background == "transparent" else (0.2, 0.2, 0.2, 1)
    cmap = ListedColormap([first] + [to_rgba(c) for c in LABEL_COLORS[:6]])
    clim = {"vmin": -0.5, "vmax": len(CLASSES) - 0.5} if limits == "fixed" else {}
    ax.imshow(labels, cmap=cmap, alpha=0.5, interpolation=interpolation,
              interpolation_stage=stage, extent=ax.images[0].get_extent(), **clim)
    present = [int(k) for k in np.unique(labels) if k != 0]
    if legend == "classes":
        handles = [Patch(facecolor=cmap(k), label=NAMES[k]) for k in present]
    elif legend == "with background":
        handles = [Patch(facecolor=cmap(k), label=NAMES[k]) for k in [0] + present]
    elif legend == "wrong colours":
        handles = [Patch(facecolor=cmap(k % 6 + 1), label=NAMES[k]) for k in present]
    else:
        handles = []
    if handles:
        ax.legend(handles=handles)
    return ax


def test_every_check_fails_on_blank_answers():
    for check in checks:
        result = check.run({name: ... for name in check.params})
        assert not result.passed and "still `...`" in result.message


def test_by_hand_overlay_passes_all_three(chest):
    ax = _draw(chest)
    for name in ("transparent_background", "fixed_limits_nearest", "class_legend"):
        assert run(name, ax_labels=ax).passed, name


def test_helper_overlay_passes_all_three(chest):
    fig, ax = plt.subplots()
    show_slice(chest.hu[ex.SLICE], window="soft_tissue", spacing=(1.5, 1.5), ax=ax)
    overlay_labels(chest.labels[ex.SLICE], ax=ax, class_names=CLASSES)
    for name in ("transparent_background", "fixed_limits_nearest", "class_legend"):
        assert run(name, ax_labels=ax).passed, name


def test_masked_array_background_passes(chest):
    labels = chest.labels[ex.SLICE]
    fig, ax = plt.subplots()
    ax.imshow(chest.hu[ex.SLICE], cmap="gray")
    cmap = ListedColormap([to_rgba(c) for c in ("k",) + LABEL_COLORS[:6]])
    ax.imshow(np.ma.masked_equal(labels, 0), cmap=cmap, vmin=-0.5, vmax=6.5, alpha=0.5,
              interpolation="nearest", interpolation_stage="rgba")
    assert run("transparent_background", ax_labels=ax).passed
    assert run("fixed_limits_nearest", ax_labels=ax).passed


def test_opaque_background_fails(chest):
    result = run("transparent_background", ax_labels=_draw(chest, background="opaque"))
    assert not result.passed and "transparent" in result.message


def test_automatic_limits_fail(chest):
    result = run("fixed_limits_nearest", ax_labels=_draw(chest, limits="auto"))
    assert not result.passed and "smallest and largest label" in result.message
    assert "-0.5" not in result.message


def test_bilinear_or_data_stage_fail(chest):
    result = run("fixed_limits_nearest", ax_labels=_draw(chest, interpolation="bilinear"))
    assert not result.passed and "interpolation" in result.message
    result = run("fixed_limits_nearest", ax_labels=_draw(chest, stage="data"))
    assert not result.passed and "interpolation_stage" in result.message


@pytest.mark.parametrize("legend, hint", [("none", "no legend"),
                                          ("with background", "background"),
                                          ("wrong colours", "colour")])
def test_legend_mistakes_fail(chest, legend, hint):
    result = run("class_legend", ax_labels=_draw(chest, legend=legend))
    assert not result.passed and hint in result.message


# --- lung segmentation ---------------------------------------------------------------------

def test_lung_mask_by_hand_and_helper_pass(chest):
    by_hand = largest_component((chest.hu < -400) & body_mask(chest.hu), n=2)
    assert run("lung_segmentation", lung_mask_volume=by_hand).passed
    assert run("lung_segmentation", lung_mask_volume=lung_mask(chest.hu)).passed


def test_threshold_only_fails(chest):
    result = run("lung_segmentation", lung_mask_volume=chest.hu < -400)
    assert not result.passed and "outside the patient" in result.message


def test_without_largest_component_fails(chest):
    result = run("lung_segmentation", lung_mask_volume=(chest.hu < -400) & body_mask(chest.hu))
    assert not result.passed and "two largest" in result.message


def test_wrong_threshold_direction_fails(chest):
    wrong = largest_component((chest.hu > -400) & body_mask(chest.hu), n=2)
    result = run("lung_segmentation", lung_mask_volume=wrong)
    assert not result.passed and "Dice" in result.message
