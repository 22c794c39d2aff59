"""Checks of exercise 03 (windowing): right answers pass, learners' mistakes get a hint."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.checks import ex03_windowing as ex
from course_utils.phantom import fake_ct_slice
from course_utils.windowing import PRESETS, apply_window, window_limits
from check_helpers import assert_fails

checks = ex.checks


def run(name, **values):
    return checks[name].run(values)


def test_there_are_at_least_four_checks():
    assert len(checks) >= 4
    assert checks.exercise == "03_windowing"


@pytest.mark.parametrize("name", [c.name for c in ex.checks if c.name != "mediastinum_figure"])
def test_blank_answers_say_still_dots(name):
    result = checks[name].run({param: ... for param in checks[name].params})
    assert not result.passed
    assert "still `...`" in result.message


def test_blank_figure_says_nothing_drawn():
    fig, ax = plt.subplots()
    assert_fails(run("mediastinum_figure", ax_mediastinum=ax), "Nothing is drawn")
    assert_fails(run("mediastinum_figure", ax_mediastinum=...), "still `...`")


# --- window_limits_lung --------------------------------------------------------------------

@pytest.fixture
def lung():
    return PRESETS["lung"]


def test_window_limits_lung_pass(lung):
    low, high = lung.level - lung.width / 2, lung.level + lung.width / 2
    assert run("window_limits_lung", lung_vmin=low, lung_vmax=high).passed
    assert run("window_limits_lung", lung_vmin=np.float32(low), lung_vmax=int(high)).passed


def test_window_limits_lung_full_width_each_side(lung):
    result = run("window_limits_lung", lung_vmin=lung.level - lung.width,
                 lung_vmax=lung.level + lung.width)
    assert_fails(result, "half the width", answer=lung.level - lung.width / 2)


def test_window_limits_lung_swapped(lung):
    low, high = lung.limits
    assert_fails(run("window_limits_lung", lung_vmin=high, lung_vmax=low), "swapped")


def test_window_limits_lung_width_and_level_mixed_up(lung):
    low = lung.width - lung.level / 2
    high = lung.width + lung.level / 2
    assert_fails(run("window_limits_lung", lung_vmin=low, lung_vmax=high), "mixed up")


def test_window_limits_lung_another_preset():
    low, high = PRESETS["mediastinum"].limits
    result = run("window_limits_lung", lung_vmin=low, lung_vmax=high)
    assert_fails(result, "lung preset", answer=PRESETS["lung"].limits[0])


# --- voi_functions -------------------------------------------------------------------------

@pytest.fixture
def test_hu():
    return np.array(ex.TEST_HU, dtype=float)


def _linear(x):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    return np.clip((x - (c - 0.5)) / (w - 1) + 0.5, 0, 1)


def _exact(x):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    return np.clip((x - c) / w + 0.5, 0, 1)


def test_voi_functions_pass(test_hu):
    assert run("voi_functions", grey_linear=_linear(test_hu), grey_exact=_exact(test_hu)).passed
    with_helper = {"grey_linear": apply_window(test_hu, ex.TEST_WIDTH, ex.TEST_LEVEL, "LINEAR"),
                   "grey_exact": apply_window(test_hu.astype(np.float32), ex.TEST_WIDTH,
                                              ex.TEST_LEVEL, "LINEAR_EXACT")}
    assert checks["voi_functions"].run(with_helper).passed


def test_voi_functions_swapped(test_hu):
    result = run("voi_functions", grey_linear=_exact(test_hu), grey_exact=_linear(test_hu))
    assert_fails(result, "swapped")


def test_voi_functions_not_clipped(test_hu):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    result = run("voi_functions", grey_linear=_linear(test_hu),
                 grey_exact=(test_hu - c) / w + 0.5)
    assert_fails(result, "clip")


def test_voi_functions_linear_divides_by_width(test_hu):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    lazy = np.clip((test_hu - (c - 0.5)) / w + 0.5, 0, 1)
    result = run("voi_functions", grey_linear=lazy, grey_exact=_exact(test_hu))
    assert_fails(result, "width - 1")


def test_voi_functions_linear_without_half(test_hu):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    no_half = np.clip((test_hu - c) / (w - 1) + 0.5, 0, 1)
    result = run("voi_functions", grey_linear=no_half, grey_exact=_exact(test_hu))
    assert_fails(result, "half-HU")


def test_voi_functions_integer_half_width(test_hu):
    c, w = ex.TEST_LEVEL, ex.TEST_WIDTH
    assert w % 2 == 1, "the task uses an odd width on purpose"
    half = w // 2
    floored = np.clip((test_hu - (c - half)) / (2 * half), 0, 1)
    result = run("voi_functions", grey_linear=_linear(test_hu), grey_exact=floored)
    assert_fails(result, "W // 2")


def test_voi_functions_wrong_length(test_hu):
    result = run("voi_functions", grey_linear=_linear(test_hu[:10]), grey_exact=_exact(test_hu))
    assert_fails(result, "one grey value per value")


# --- window_for_finding --------------------------------------------------------------------

def test_window_for_finding_pass():
    assert run("window_for_finding", nodule_window="lung", subdural_window="subdural").passed
    assert run("window_for_finding", nodule_window="Lung", subdural_window=" Subdural").passed


def test_window_for_finding_soft_tissue_for_a_nodule():
    result = run("window_for_finding", nodule_window="soft_tissue", subdural_window="subdural")
    assert_fails(result, "nodule_window", answer="'lung'")


def test_window_for_finding_brain_for_a_subdural():
    result = run("window_for_finding", nodule_window="lung", subdural_window="brain")
    assert_fails(result, "subdural_window", answer="'subdural'")


def test_window_for_finding_not_a_preset():
    result = run("window_for_finding", nodule_window="W1500 L-600", subdural_window="subdural")
    assert_fails(result, "PRESETS")


# --- mediastinum_figure --------------------------------------------------------------------

@pytest.fixture(scope="module")
def chest_slice():
    hu, _ = fake_ct_slice(size=128, seed=0)
    return hu


def _figure(image, **kwargs):
    fig, ax = plt.subplots()
    ax.imshow(image, **kwargs)
    return fig, ax


def test_mediastinum_figure_pass(chest_slice):
    low, high = PRESETS[ex.FIGURE_WINDOW].limits
    _, ax = _figure(chest_slice, cmap="gray", vmin=low, vmax=high)
    assert run("mediastinum_figure", ax_mediastinum=ax).passed


def test_mediastinum_figure_pass_with_a_figure_and_linear_limits(chest_slice):
    preset = PRESETS[ex.FIGURE_WINDOW]
    low, high = window_limits(preset.width, preset.level, "LINEAR")
    fig, _ = _figure(chest_slice, cmap="gray", vmin=low, vmax=high)
    assert run("mediastinum_figure", ax_mediastinum=fig).passed


def test_mediastinum_figure_pass_with_windowed_grey_values(chest_slice):
    preset = PRESETS[ex.FIGURE_WINDOW]
    grey = apply_window(chest_slice, preset.width, preset.level)
    _, ax = _figure(grey, cmap="gray", vmin=0, vmax=1)
    assert run("mediastinum_figure", ax_mediastinum=ax).passed


def test_mediastinum_figure_auto_scaled(chest_slice):
    _, ax = _figure(chest_slice, cmap="gray")
    assert_fails(run("mediastinum_figure", ax_mediastinum=ax), "auto-scaling")


def test_mediastinum_figure_windowed_then_auto_scaled(chest_slice):
    preset = PRESETS[ex.FIGURE_WINDOW]
    grey = apply_window(chest_slice, preset.width, preset.level)[40:60, 60:70]  # soft tissue
    _, ax = _figure(grey, cmap="gray")
    assert_fails(run("mediastinum_figure", ax_mediastinum=ax), "stretches")


def test_mediastinum_figure_jet(chest_slice):
    low, high = PRESETS[ex.FIGURE_WINDOW].limits
    _, ax = _figure(chest_slice, cmap="jet", vmin=low, vmax=high)
    assert_fails(run("mediastinum_figure", ax_mediastinum=ax), "grayscale")


def test_mediastinum_figure_brain_window_called_soft_tissue(chest_slice):
    _, ax = _figure(chest_slice, cmap="gray", vmin=0, vmax=80)
    result = run("mediastinum_figure", ax_mediastinum=ax)
    preset = PRESETS[ex.FIGURE_WINDOW]
    assert_fails(result, "limits", answer=f"{preset.limits[0]:g}")
