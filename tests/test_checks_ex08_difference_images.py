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
    fig, ax = plt.subplots(figsize=(2.5, 2))
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


def _grade_many(checks, variant, **values):
    """Extract the answers once, as the grader does, and verify several checks on them."""
    import tempfile

    from course_utils.checks import _plain

    names = sorted({name for check in checks for name in check.params})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file(values, names, path)
        answers = _plain.load_answers(path)
    return [check.verify(answers, variant=variant) for check in checks]


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
    for variant in VARIANTS:   # one figure, graded by the three checks that read it
        ax = _axes(_task(variant), how, cmap=cmap or "RdBu_r", colorbar=colorbar)
        results = _grade_many(IMAGE_CHECKS, variant, ax_subtraction=ax)
        assert all(r.passed for r in results), (variant, [r.message for r in results])


def test_subtraction_image_sign_slice_and_placement():
    data = _task(3)
    reversed_axes = _axes(data, image=-_subtraction(data))
    other = (data.slice_index + 1) % ex.N_SLICES
    other_axes = _axes(data, image=data.post_volume_hu[other] - data.pre_volume_hu[other])
    pixels = _axes(data, extent=None)
    # each image check reads item 1, and says what is wrong
    for result in _grade_many(IMAGE_CHECKS, 3, ax_subtraction=reversed_axes):
        assert_fails(result, "sign is reversed", "pre minus post")
    for result in _grade_many(IMAGE_CHECKS, 3, ax_subtraction=other_axes):
        assert_fails(result, "another slice", forbidden=(f"slice {data.slice_index}",))
    for result in _grade_many(IMAGE_CHECKS, 3, ax_subtraction=pixels):
        assert_fails(result, "not placed in mm")


@pytest.mark.parametrize("cmap, words", [
    ("RdYlGn", "red to green"), ("viridis", "not a diverging"), ("jet", "not a diverging"),
    ("gray", "not a diverging")])
def test_subtraction_colormap_mistakes(cmap, words):
    data = _task(3)
    colormap, norm = _grade_many((ex.subtraction_colormap, ex.subtraction_norm), 3,
                                 ax_subtraction=_axes(data, cmap=cmap))
    assert_fails(colormap, words)
    assert norm.passed, norm.message


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
        colorbar, norm = _grade_many((ex.colorbar_extend, ex.subtraction_norm), 3,
                                     ax_subtraction=_axes(data, **kwargs))
        assert_fails(colorbar, *words)
        assert norm.passed, norm.message


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


# --- more ways a learner writes it (review of the checks against issue 8) -------------------

def _drawn(how, data):
    """The subtraction figure drawn in one of the ways the other tests do not cover."""
    from matplotlib.colors import LinearSegmentedColormap
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    fig, ax = plt.subplots(figsize=(2.5, 2))
    h = data.half_range_hu
    difference = _subtraction(data)
    if how == "pyplot_colorbar":
        plt.sca(ax)
        plt.imshow(difference, cmap="RdBu_r", vmin=-h, vmax=h, extent=data.extent_mm)
        plt.colorbar(extend="both", label="HU")
    elif how == "axes_divider_clipping_norm":
        shown = ax.imshow(difference, cmap=plt.get_cmap("coolwarm"), extent=data.extent_mm,
                          norm=Normalize(vmin=-h, vmax=h, clip=True))
        cax = make_axes_locatable(ax).append_axes("right", size="5%", pad=0.05)
        fig.colorbar(shown, cax=cax, extend="both").set_label("post - pre [HU]")
    elif how == "colormap_object_float32_horizontal":
        half = np.float32(h)
        cmap = LinearSegmentedColormap.from_list("blue_white_orange",
                                                 ["#0072B2", "white", "#E69F00"])
        shown = ax.imshow(difference.astype(np.float32), cmap=cmap, extent=list(data.extent_mm),
                          norm=TwoSlopeNorm(0, -half, half))
        fig.colorbar(shown, ax=ax, extend="both", orientation="horizontal").ax.set_xlabel("HU")
    elif how == "volume_difference_colorbar_title":
        whole = (data.post_volume_hu.astype(float) - data.pre_volume_hu)[data.slice_index]
        shown = ax.imshow(whole, cmap="PuOr", norm=CenteredNorm(halfrange=h),
                          extent=data.extent_mm)
        fig.colorbar(shown, ax=ax, extend="both").ax.set_title("HU")
    elif how == "scalar_mappable_seismic":
        ax.imshow(difference, cmap="seismic", vmin=-h, vmax=h, extent=data.extent_mm)
        fig.colorbar(ScalarMappable(CenteredNorm(0, h), "seismic"), ax=ax, extend="both",
                     label="change (HU)")
    elif how == "origin_lower_flipped_array":   # draws exactly what origin="upper" draws
        shown = ax.imshow(difference[::-1], origin="lower", cmap="RdBu_r", vmin=-h, vmax=h,
                          extent=data.extent_mm)
        fig.colorbar(shown, ax=ax, extend="both", label="HU")
    # mistakes
    elif how == "pcolormesh":
        shown = ax.pcolormesh(difference, cmap="RdBu_r", vmin=-h, vmax=h)
        fig.colorbar(shown, ax=ax, extend="both", label="HU")
    elif how == "absolute_difference":
        shown = ax.imshow(np.abs(difference), cmap="RdBu_r", vmin=-h, vmax=h,
                          extent=data.extent_mm)
        fig.colorbar(shown, ax=ax, extend="both", label="HU")
    elif how == "upside_down":
        left, right, bottom, top = data.extent_mm
        shown = ax.imshow(difference, cmap="RdBu_r", vmin=-h, vmax=h,
                          extent=(left, right, top, bottom))
        fig.colorbar(shown, ax=ax, extend="both", label="HU")
    elif how == "extend_one_end":
        shown = ax.imshow(difference, cmap="RdBu_r", vmin=-h, vmax=h, extent=data.extent_mm)
        fig.colorbar(shown, ax=ax, extend="max", label="HU")
    else:
        raise ValueError(how)
    return ax


@pytest.mark.parametrize("how", [
    "pyplot_colorbar", "axes_divider_clipping_norm", "colormap_object_float32_horizontal",
    "volume_difference_colorbar_title", "scalar_mappable_seismic", "origin_lower_flipped_array"])
def test_subtraction_checks_accept_more_methods(how):
    for variant in (0, 4):
        results = _grade_many(IMAGE_CHECKS, variant, ax_subtraction=_drawn(how, _task(variant)))
        assert all(r.passed for r in results), (how, variant, [r.message for r in results])


@pytest.mark.parametrize("how, words", [
    ("pcolormesh", ("pcolormesh", "imshow")),
    ("absolute_difference", ("absolute difference",)),
    ("upside_down", ("upside down",)),
])
def test_subtraction_image_more_mistakes(how, words):
    for result in _grade_many(IMAGE_CHECKS, 4, ax_subtraction=_drawn(how, _task(4))):
        assert_fails(result, *words)


def test_colorbar_pointing_at_one_end_when_both_are_clipped():
    data = _task(0)
    assert data.below and data.above
    norm, colorbar = _grade_many((ex.subtraction_norm, ex.colorbar_extend), 0,
                                 ax_subtraction=_drawn("extend_one_end", data))
    assert norm.passed, norm.message
    assert_fails(colorbar, "no pointed end", "extend", forbidden=('"both"', "'both'"))


def test_difference_sign_lists():
    data = _task(4)
    signed = data.prediction.astype(int) - data.truth.astype(int)
    assert grade(ex.difference_sign, 4, signed_difference=signed.tolist()).passed
    result = grade(ex.difference_sign, 4, signed_difference=signed.astype(float).tolist())
    assert_fails(result, "a list of float values", "signed integer")
