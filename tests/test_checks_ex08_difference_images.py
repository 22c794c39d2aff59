"""Tests for the checks of exercise 08 (difference images): correct answers written in other
ways pass on two variants, each classic mistake fails only the requirement it breaks."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.colors import CenteredNorm, Normalize, TwoSlopeNorm

from check_helpers import assert_fails, grade
from course_utils.checks import ex08_difference_images as ex
from course_utils.overlay import show_difference

VARIANTS = (0, 3)
ROOT = Path(__file__).resolve().parents[1]


def _task(variant):
    return ex.task(variant)


def _subtraction(data):
    return data.post_volume_hu[data.slice_index] - data.pre_volume_hu[data.slice_index]


def _axes(data, how="centered", image=None, cmap="RdBu_r", extend="both", label="HU",
          colorbar=True, extent="task"):
    """The subtraction drawn in one of several ways (correct unless an argument breaks it)."""
    fig, ax = plt.subplots()
    shown = _subtraction(data) if image is None else image
    h = data.half_range_hu
    extent = data.extent_mm if extent == "task" else extent
    if how == "helper":
        show_difference(data.post_volume_hu[data.slice_index],
                        data.pre_volume_hu[data.slice_index], ax=ax, vmax=h, extent=extent,
                        label=label)
        return ax
    norms = {"centered": dict(norm=CenteredNorm(vcenter=0, halfrange=h)),
             "two_slope": dict(norm=TwoSlopeNorm(vmin=-h, vcenter=0, vmax=h)),
             "vmin_vmax": dict(vmin=-h, vmax=h),
             "normalize": dict(norm=Normalize(-h, h)),
             "default": {}}
    drawn = ax.imshow(shown.astype(np.float32) if how == "vmin_vmax" else shown, cmap=cmap,
                      extent=extent, **norms[how])
    if colorbar == "scalar_mappable":
        fig.colorbar(ScalarMappable(Normalize(-h, h), cmap), ax=ax, extend=extend, label=label)
    elif colorbar == "viridis":
        fig.colorbar(ScalarMappable(Normalize(-h, h), "viridis"), ax=ax, extend=extend,
                     label=label)
    elif colorbar:
        fig.colorbar(drawn, ax=ax, extend=extend, label=label)
    return ax


def _passes(check, variants=VARIANTS, **makers):
    for variant in variants:
        data = _task(variant)
        result = grade(check, variant, **{name: make(data) for name, make in makers.items()})
        assert result.passed, (variant, result.message)


IMAGE_CHECKS = (ex.subtraction_colormap, ex.subtraction_norm, ex.colorbar_extend)


# --- task data ------------------------------------------------------------------------------

def test_task_data_vary():
    a, b = _task(0), _task(3)
    assert a.slice_index != b.slice_index and a.half_range_hu != b.half_range_hu
    assert (a.fp, a.fn) != (b.fp, b.fn) and a.truth.shape != b.truth.shape
    for data in (a, b):
        assert data.fp != data.fn and data.above       # swapped counts and clipping show


# --- difference_sign ------------------------------------------------------------------------

@pytest.mark.parametrize("compute", [
    lambda t, p: p.astype(np.int8) - t.astype(np.int8),
    lambda t, p: np.subtract(p, t, dtype=np.int16),
    lambda t, p: np.where(p & ~t, 1, 0) - np.where(t & ~p, 1, 0),
])
def test_difference_sign_accepts_other_methods(compute):
    _passes(ex.difference_sign, signed_difference=lambda d: compute(d.truth, d.prediction))


def test_difference_sign_mistakes():
    data = _task(3)
    t, p = data.truth, data.prediction
    cases = [(t.astype(np.int8) - p.astype(np.int8), "sign is reversed"),
             (p.astype(np.uint8) - t.astype(np.uint8), "wrapped around"),
             ((p ^ t).astype(np.int8), "no negative values"),
             (p.astype(float) - t.astype(float), "signed integer"),
             (t.astype(np.int8), "does not match"),
             (..., "still `...`")]
    for value, words in cases:
        assert_fails(grade(ex.difference_sign, 3, signed_difference=value), words)


# --- fp_fn_counts ---------------------------------------------------------------------------

@pytest.mark.parametrize("count", [
    lambda t, p: (int(np.count_nonzero(p & ~t)), int(np.count_nonzero(t & ~p))),
    lambda t, p: (np.sum(p > t), np.sum(t > p)),                 # numpy integers
    lambda t, p: (float((p.astype(int) - t).clip(0).sum()), float((t.astype(int) - p).clip(0)
                                                                 .sum())),
])
def test_fp_fn_counts_accept_other_methods(count):
    for variant in VARIANTS:
        data = _task(variant)
        fp, fn = count(data.truth, data.prediction)
        assert grade(ex.fp_fn_counts, variant, false_positive_count=fp,
                     false_negative_count=fn).passed


def test_fp_fn_counts_mistakes():
    data = _task(3)
    cases = [((data.fn, data.fp), "swapped"), ((data.fp + 1, data.fn), "false_positive_count"),
             ((data.fp, data.fn - 1), "false_negative_count")]
    for (fp, fn), words in cases:
        result = grade(ex.fp_fn_counts, 3, false_positive_count=fp, false_negative_count=fn)
        assert_fails(result, words, forbidden=(str(data.fp), str(data.fn)))


# --- the subtraction image ------------------------------------------------------------------

@pytest.mark.parametrize("how, cmap, colorbar", [
    ("two_slope", "coolwarm", True), ("vmin_vmax", "PuOr_r", True),
    ("normalize", "RdBu_r", "scalar_mappable"), ("helper", None, None)])
def test_subtraction_checks_accept_other_methods(how, cmap, colorbar):
    for check in IMAGE_CHECKS:
        _passes(check, ax_subtraction=lambda d: _axes(d, how, cmap=cmap or "RdBu_r",
                                                      colorbar=colorbar))


def test_subtraction_image_sign_slice_and_placement():
    data = _task(3)
    reversed_axes = _axes(data, image=-_subtraction(data))
    other = (data.slice_index + 1) % ex.N_SLICES
    other_axes = _axes(data, image=data.post_volume_hu[other] - data.pre_volume_hu[other])
    pixels = _axes(data, extent=None)
    for check in IMAGE_CHECKS:   # each image check reads item 1, and says what is wrong
        assert_fails(grade(check, 3, ax_subtraction=reversed_axes), "sign is reversed",
                     "pre minus post")
        assert_fails(grade(check, 3, ax_subtraction=other_axes), "another slice",
                     forbidden=(f"slice {data.slice_index}",))
        assert_fails(grade(check, 3, ax_subtraction=pixels), "not placed in mm")


@pytest.mark.parametrize("cmap, words", [
    ("RdYlGn", "red to green"), ("viridis", "not a diverging"), ("jet", "not a diverging"),
    ("gray", "not a diverging")])
def test_subtraction_colormap_mistakes(cmap, words):
    data = _task(3)
    ax = _axes(data, cmap=cmap)
    assert_fails(grade(ex.subtraction_colormap, 3, ax_subtraction=ax), words)
    assert grade(ex.subtraction_norm, 3, ax_subtraction=ax).passed


def test_subtraction_norm_mistakes():
    data = _task(3)
    h = data.half_range_hu
    assert_fails(grade(ex.subtraction_norm, 3, ax_subtraction=_axes(data, how="default")),
                 "not at the middle")
    fig, ax = plt.subplots()   # centred but lopsided limits
    shown = ax.imshow(_subtraction(data), cmap="RdBu_r", extent=data.extent_mm,
                      norm=TwoSlopeNorm(vmin=-h / 2, vcenter=0, vmax=h))
    fig.colorbar(shown, ax=ax, extend="both", label="HU")
    assert_fails(grade(ex.subtraction_norm, 3, ax_subtraction=ax), "not symmetric")
    fig, ax = plt.subplots()   # symmetric, but the largest value instead of the half-range
    ax.imshow(_subtraction(data), cmap="RdBu_r", extent=data.extent_mm,
              norm=CenteredNorm(vcenter=0))
    assert_fails(grade(ex.subtraction_norm, 3, ax_subtraction=ax), "half-range",
                 forbidden=(f"{h:g}",))


def test_colorbar_mistakes():
    data = _task(3)
    cases = [(dict(colorbar=False), "no colorbar"),
             (dict(colorbar="viridis"), "does not show the subtraction"),
             (dict(label=""), "no label"),
             (dict(extend="neither"), "clipped", "extend")]
    for kwargs, *words in cases:
        ax = _axes(data, **kwargs)
        assert_fails(grade(ex.colorbar_extend, 3, ax_subtraction=ax), *words)
        assert grade(ex.subtraction_norm, 3, ax_subtraction=ax).passed


# --- typed-in answers -----------------------------------------------------------------------

def test_variant_0_values_typed_in_fail_on_variant_3():
    zero, three = _task(0), _task(3)
    assert not grade(ex.fp_fn_counts, 3, false_positive_count=zero.fp,
                     false_negative_count=zero.fn).passed
    fig, ax = plt.subplots()   # variant 3's image with variant 0's half-range typed in
    shown = ax.imshow(_subtraction(three), cmap="RdBu_r", extent=three.extent_mm,
                      norm=CenteredNorm(vcenter=0, halfrange=zero.half_range_hu))
    fig.colorbar(shown, ax=ax, extend="both", label="HU")
    assert_fails(grade(ex.subtraction_norm, 3, ax_subtraction=ax), "half-range")
    # variant 0's figure and mask difference do not pass on variant 3
    assert not grade(ex.subtraction_colormap, 3, ax_subtraction=_axes(zero)).passed
    assert not grade(ex.difference_sign, 3, signed_difference=zero.signed).passed


# --- whole notebooks ------------------------------------------------------------------------

ALTERNATIVE_TASK_3 = """from matplotlib.colors import TwoSlopeNorm
from matplotlib.cm import ScalarMappable
fig_subtraction, ax_subtraction = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
post, pre = post_volume_hu[slice_index], pre_volume_hu[slice_index]
norm = TwoSlopeNorm(vmin=-half_range_hu, vcenter=0, vmax=half_range_hu)
ax_subtraction.imshow(post - pre, cmap="coolwarm", norm=norm, extent=extent_mm)
fig_subtraction.colorbar(ScalarMappable(norm, "coolwarm"), ax=ax_subtraction, extend="both",
                         label="post - pre (HU)")
"""

WRONG_TASK_3 = ALTERNATIVE_TASK_3.replace('extend="both"', 'extend="neither"')


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    solution = nbformat.read(ROOT / "solutions" / "08_difference_images.ipynb", as_version=4)
    grades = {}
    for name, source in (("alternative", ALTERNATIVE_TASK_3), ("wrong", WRONG_TASK_3)):
        notebook = nbformat.from_dict(solution)
        for cell in notebook.cells:
            if cell.get("id") == "cell-09":
                cell.source = source
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "08_difference_images.ipynb"
        nbformat.write(notebook, path)
        grades[name] = {c.name: c.passed for c in grade_notebook(path, hidden_variant=5).checks}
    assert all(grades["alternative"].values()), grades["alternative"]
    assert [name for name, passed in grades["wrong"].items() if not passed] == [
        "colorbar_extend"], grades["wrong"]
