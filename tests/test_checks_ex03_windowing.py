"""Checks of exercise 03 (windowing): correct answers written several ways pass on two
variants; each wrong answer fails only the requirement it breaks, with a message naming it."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.colors import LinearSegmentedColormap, Normalize

from check_helpers import assert_fails, grade
from course_utils.checks import ex03_windowing as ex
from course_utils.display import show_slice
from course_utils.windowing import PRESETS, apply_window, get_window, window_limits

checks = ex.checks
VARIANTS = (0, 4)
ROOT = Path(__file__).resolve().parents[1]

WINDOW_OF = {"lung nodule": "lung", "pneumothorax": "lung",
             "acute subdural haematoma": "subdural", "vertebral fracture": "bone",
             "liver metastasis": "liver", "mediastinal lymph node": "mediastinum",
             "middle ear ossicles": "temporal_bone", "grey-white matter contrast": "brain"}


def task(variant):
    return checks.task(variant)


def test_there_are_at_least_four_checks_and_the_variants_differ():
    assert len(checks) >= 4 and checks.exercise == "03_windowing"
    a, b = task(0), task(3)
    assert a.preset != b.preset and a.test_width != b.test_width
    assert a.findings != b.findings and a.figure_slice != b.figure_slice
    assert a.figure_window != b.figure_window
    for variant in range(20):
        t = task(variant)
        assert t.test_width % 2 == 1
        assert t.chest_hu.shape[1] != t.chest_hu.shape[2]
        assert sorted(t.findings) == sorted(set(t.findings)) and set(t.findings) <= set(WINDOW_OF)


@pytest.mark.parametrize("name", checks.names)
def test_blank_answers_say_still_dots(name):
    result = grade(checks[name], 0, **{param: ... for param in checks[name].params})
    assert_fails(result, "still `...`")


def test_the_check_cell_says_not_implemented(capsys):
    import sys
    sys.last_value = NotImplementedError("replace this")
    try:
        checks.preset_limits()
    finally:
        del sys.last_value
    assert "NotImplementedError" in capsys.readouterr().out


# --- preset_limits -------------------------------------------------------------------------

def _limits_plain(variant):
    preset = PRESETS[task(variant).preset]
    return preset.level - preset.width / 2, preset.level + preset.width / 2


def _limits_helper(variant):
    low, high = window_limits(*get_window(task(variant).preset), "LINEAR_EXACT")
    return np.float32(low), np.float32(high)


def _limits_arrays(variant):
    width, level = get_window(task(variant).preset)
    limits = np.array([level, level]) + np.array([-1, 1]) * width / 2
    return limits[:1], int(limits[1])


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("answer", [_limits_plain, _limits_helper, _limits_arrays])
def test_preset_limits_pass(answer, variant):
    low, high = answer(variant)
    assert grade(checks.preset_limits, variant, preset_vmin=low, preset_vmax=high).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda w, l: (l + w / 2, l - w / 2), "swapped"),
    (lambda w, l: (l - w, l + w), "half the width"),
    (lambda w, l: (w - l / 2, w + l / 2), "mixed up"),
    (lambda w, l: window_limits(w, l, "LINEAR"), "LINEAR_EXACT"),
])
@pytest.mark.parametrize("variant", VARIANTS)
def test_preset_limits_classic_mistakes(wrong, words, variant):
    width, level = get_window(task(variant).preset)
    low, high = wrong(width, level)
    result = grade(checks.preset_limits, variant, preset_vmin=low, preset_vmax=high)
    assert_fails(result, words, forbidden=(f"{level - width / 2:g}",))


def test_preset_limits_of_another_preset_are_named():
    low, high = PRESETS["bone"].limits
    result = grade(checks.preset_limits, 0, preset_vmin=low, preset_vmax=high)
    assert_fails(result, "bone preset", forbidden=("-1350", "lung"))


# --- voi_functions -------------------------------------------------------------------------

def _voi_numpy(t):
    x, w, c = t.test_hu, t.test_width, t.test_level
    return (np.clip((x - (c - 0.5)) / (w - 1) + 0.5, 0, 1), np.clip((x - c) / w + 0.5, 0, 1))


def _voi_interp(t):
    x, w, c = t.test_hu.astype(np.float32), t.test_width, t.test_level
    ramp = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
    return (np.interp(x, ramp, [0, 1]).astype(np.float32),
            np.interp(x, [c - w / 2, c + w / 2], [0.0, 1.0]))


def _voi_python(t):
    w, c = t.test_width, t.test_level
    linear = [min(1.0, max(0.0, (v - (c - 0.5)) / (w - 1) + 0.5)) for v in t.test_hu.tolist()]
    exact = [min(1.0, max(0.0, (v - c) / w + 0.5)) for v in t.test_hu.tolist()]
    return linear, tuple(exact)


def _voi_helper(t):
    return (apply_window(t.test_hu, t.test_width, t.test_level),
            apply_window(t.test_hu, t.test_width, t.test_level, "LINEAR_EXACT"))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("answer", [_voi_numpy, _voi_interp, _voi_python, _voi_helper])
def test_voi_functions_pass(answer, variant):
    linear, exact = answer(task(variant))
    assert grade(checks.voi_functions, variant, grey_linear=linear, grey_exact=exact).passed


@pytest.mark.parametrize("variant", VARIANTS)
def test_voi_functions_other_correct_ways_pass(variant):
    """DICOM's piecewise definition as a list, LINEAR_EXACT by np.interp in float32, and the
    LINEAR output computed on 0..255 (ymin, ymax) and divided back."""
    t = task(variant)
    x, w, c = t.test_hu, t.test_width, t.test_level
    piecewise = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0,
                         np.where(x > c - 0.5 + (w - 1) / 2, 1.0, (x - (c - 0.5)) / (w - 1) + 0.5))
    exact = np.interp(x.astype(np.float32), [c - w / 2, c + w / 2], [0, 1]).astype(np.float32)
    on_255 = np.clip(((x - (c - 0.5)) / (w - 1) + 0.5) * 255, 0, 255) / 255
    for linear in (piecewise.tolist(), on_255):
        result = grade(checks.voi_functions, variant, grey_linear=linear, grey_exact=exact)
        assert result.passed, result.message


def _voi_fails(variant, words, linear=None, exact=None):
    t = task(variant)
    right_linear, right_exact = _voi_numpy(t)
    result = grade(checks.voi_functions, variant,
                   grey_linear=right_linear if linear is None else linear,
                   grey_exact=right_exact if exact is None else exact)
    assert_fails(result, *words)


@pytest.mark.parametrize("variant", VARIANTS)
def test_voi_functions_classic_mistakes(variant):
    t = task(variant)
    x, w, c = t.test_hu, t.test_width, t.test_level
    linear, exact = _voi_numpy(t)
    _voi_fails(variant, ("swapped",), linear=exact, exact=linear)
    # one formula used for both: named, and not called a swap
    result = grade(checks.voi_functions, variant, grey_linear=exact, grey_exact=exact)
    assert_fails(result, "`grey_linear` follows the LINEAR_EXACT formula", forbidden=("swap",))
    result = grade(checks.voi_functions, variant, grey_linear=linear, grey_exact=linear)
    assert_fails(result, "`grey_exact` follows the LINEAR formula", forbidden=("swap",))
    _voi_fails(variant, ("grey_exact", "clip"), exact=(x - c) / w + 0.5)
    _voi_fails(variant, ("width - 1",), linear=np.clip((x - (c - 0.5)) / w + 0.5, 0, 1))
    _voi_fails(variant, ("half-HU",), linear=np.clip((x - c) / (w - 1) + 0.5, 0, 1))
    half = w // 2
    _voi_fails(variant, ("grey_exact", "W // 2"),
               exact=np.clip((x - (c - half)) / (2 * half), 0, 1))
    _voi_fails(variant, ("quantized",), exact=np.round(exact * 255) / 255)
    _voi_fails(variant, ("grey_linear", "one grey value per value"), linear=linear[:-3])
    _voi_fails(variant, ("grey_exact", "formula"), exact=np.clip((x - c) / w, 0, 1))


# --- window_for_finding --------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("style", ["list", "tuple", "array", "spelled"])
def test_window_for_finding_pass(style, variant):
    names = [WINDOW_OF[f] for f in task(variant).findings]
    answer = {"list": names, "tuple": tuple(names), "array": np.array(names),
              "spelled": [n.replace("_", " ").title() + " " for n in names]}[style]
    assert grade(checks.window_for_finding, variant, finding_windows=answer).passed


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_for_finding_wrong_preset_names_the_item(variant):
    t = task(variant)
    names = [WINDOW_OF[f] for f in t.findings]
    names[1] = "soft_tissue"
    result = grade(checks.window_for_finding, variant, finding_windows=names)
    right = WINDOW_OF[t.findings[1]]
    assert_fails(result, "item 2", t.findings[1], forbidden=(repr(right), f"`{right}`"))


def test_window_for_finding_shape_and_names():
    names = [WINDOW_OF[f] for f in task(0).findings]
    assert_fails(grade(checks.window_for_finding, 0, finding_windows=names[:2]),
                 "has 2 names", "one name per finding")
    assert_fails(grade(checks.window_for_finding, 0, finding_windows="lung"), "a list")
    assert_fails(grade(checks.window_for_finding, 0,
                       finding_windows=["lungs", *names[1:]]), "item 1", "not a name in")


# --- window_figure -------------------------------------------------------------------------

def _title(name):
    width, level = get_window(name)
    return f"{name.replace('_', ' ')} window, W {width:g} / L {level:g}"


def _figure_solution(t, ax):
    low, high = PRESETS[t.figure_window].limits
    ax.imshow(t.chest_hu[t.figure_slice], cmap="gray", vmin=low, vmax=high)
    ax.set_title(_title(t.figure_window))


def _figure_norm(t, ax):
    width, level = get_window(t.figure_window)
    norm = Normalize(level - width / 2, level + width / 2)
    ax.imshow(t.chest_hu[t.figure_slice].astype(np.float64), cmap="gist_gray", norm=norm)
    ax.set_title(f"{t.figure_window.upper().replace('_', '-')} (W={width:g}, L={level:g})",
                 loc="left")


def _figure_prewindowed(t, ax):
    width, level = get_window(t.figure_window)
    grey = apply_window(t.chest_hu[t.figure_slice], width, level)   # DICOM LINEAR
    rows, columns = grey.shape
    ax.imshow(grey, cmap="Greys_r", vmin=0, vmax=1, extent=(0, columns * 2.0, rows * 2.0, 0))
    ax.figure.suptitle(_title(t.figure_window))


def _figure_helper(t, ax):
    show_slice(t.chest_hu[t.figure_slice], window=t.figure_window, spacing=t.spacing[1:],
               ax=ax, cmap="bone", title=_title(t.figure_window))


def _figure_uint8(t, ax):
    width, level = get_window(t.figure_window)
    grey = np.clip((t.chest_hu[t.figure_slice] - (level - width / 2)) / width, 0, 1)
    black_to_white = LinearSegmentedColormap.from_list("mine", ["black", "white"])
    ax.imshow(np.round(grey * 255).astype(np.uint8), cmap=black_to_white, vmin=0, vmax=255)
    ax.set_title(_title(t.figure_window).replace("W ", "width ").replace("L ", "level "))


def _figure_rgb(t, ax):
    width, level = get_window(t.figure_window)
    grey = np.clip((t.chest_hu[t.figure_slice] - (level - width / 2)) / width, 0, 1)
    ax.imshow(np.dstack([grey] * 3))
    ax.set_title(_title(t.figure_window))


def _draw(variant, painter):
    fig, ax = plt.subplots(figsize=(4, 3.5))
    painter(task(variant), ax)
    return grade(checks.window_figure, variant, ax_window=ax)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("painter", [_figure_solution, _figure_norm, _figure_prewindowed,
                                     _figure_helper, _figure_uint8, _figure_rgb])
def test_window_figure_pass(painter, variant):
    result = _draw(variant, painter)
    assert result.passed, result.message


def test_window_figure_a_figure_with_one_panel_passes():
    fig, ax = plt.subplots()
    _figure_solution(task(3), ax)
    assert grade(checks.window_figure, 3, ax_window=fig).passed


def _wrong(variant, words, change, forbidden=()):
    t = task(variant)
    width, level = get_window(t.figure_window)
    fig, ax = plt.subplots(figsize=(4, 3.5))
    change(t, ax, width, level)
    result = grade(checks.window_figure, variant, ax_window=ax)
    assert_fails(result, *words,
                 forbidden=(t.figure_window, f"W {width:g}", f"{level - width / 2:g}",
                            *forbidden))


def _shown(t, ax, image, window=None, **kwargs):
    low, high = PRESETS[window or t.figure_window].limits
    options = {"cmap": "gray", "vmin": low, "vmax": high, **kwargs}
    ax.imshow(image, **{k: v for k, v in options.items() if v is not None})
    ax.set_title(_title(t.figure_window))


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_figure_wrong_slice(variant):
    def change(t, ax, width, level):
        _shown(t, ax, t.chest_hu[t.figure_slice + 1])
    _wrong(variant, ("shows slice", "figure_slice"), change)


def test_window_figure_transposed_or_cropped():
    _wrong(0, ("transposed",), lambda t, ax, w, l: _shown(t, ax, t.chest_hu[t.figure_slice].T))
    _wrong(0, ("cropped",), lambda t, ax, w, l: _shown(t, ax, t.chest_hu[t.figure_slice, 5:]))


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_figure_prewindowed_in_another_window(variant):
    other = "lung" if task(variant).figure_window != "lung" else "bone"

    def change(t, ax, width, level):
        grey = apply_window(t.chest_hu[t.figure_slice], *get_window(other), "LINEAR_EXACT")
        _shown(t, ax, grey, vmin=0, vmax=1)
    _wrong(variant, (f"shows the {other} window",), change)


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_figure_limits_of_another_preset(variant):
    other = "bone" if task(variant).figure_window != "bone" else "lung"
    _wrong(variant, (f"shows the {other} window",),
           lambda t, ax, w, l: _shown(t, ax, t.chest_hu[t.figure_slice], window=other))


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_figure_min_max_scaling_and_auto_limits(variant):
    def min_max(t, ax, width, level):
        hu = t.chest_hu[t.figure_slice]
        _shown(t, ax, (hu - hu.min()) / (hu.max() - hu.min()), vmin=0, vmax=1)

    def auto(t, ax, width, level):
        _shown(t, ax, t.chest_hu[t.figure_slice], vmin=None, vmax=None)
    _wrong(variant, ("minimum", "maximum"), min_max)
    _wrong(variant, ("minimum", "maximum"), auto)


def test_window_figure_prewindowed_then_stretched_again():
    def change(t, ax, width, level):
        hu = t.chest_hu[t.figure_slice]
        _shown(t, ax, apply_window(hu, width, level, "LINEAR_EXACT"), vmin=0.1, vmax=0.9)
    _wrong(0, ("not 0 and 1", "stretches"), change)


def test_window_figure_prewindowed_with_auto_limits_shows_the_window():
    """The windowed slice holds 0 and 1, so auto limits are 0 and 1: what is shown is right."""
    fig, ax = plt.subplots()
    t = task(0)
    width, level = get_window(t.figure_window)
    grey = apply_window(t.chest_hu[t.figure_slice], width, level, "LINEAR_EXACT")
    _shown(t, ax, grey, vmin=None, vmax=None)
    assert grade(checks.window_figure, 0, ax_window=ax).passed


def test_window_figure_inverted_window():
    def change(t, ax, width, level):
        hu = t.chest_hu[t.figure_slice]
        _shown(t, ax, 1 - apply_window(hu, width, level, "LINEAR_EXACT"), vmin=0, vmax=1)
    _wrong(0, ("inverted", "white"), change)


@pytest.mark.parametrize("cmap, words", [("gray_r", ("inverted grey",)),
                                         ("Greys", ("inverted grey",)),
                                         ("jet", ("'jet'", "not a grey")),
                                         ("viridis", ("not a grey",))])
def test_window_figure_colormap(cmap, words):
    _wrong(3, words, lambda t, ax, w, l: _shown(t, ax, t.chest_hu[t.figure_slice], cmap=cmap))


def test_window_figure_coloured_rgb():
    def change(t, ax, width, level):
        grey = apply_window(t.chest_hu[t.figure_slice], width, level, "LINEAR_EXACT")
        ax.imshow(np.dstack([grey, grey, grey * 0.2]))
        ax.set_title(_title(t.figure_window))
    _wrong(0, ("coloured",), change)


@pytest.mark.parametrize("variant", VARIANTS)
def test_window_figure_titles(variant):
    other = "brain"

    def titled(text):
        def change(t, ax, width, level):
            _shown(t, ax, t.chest_hu[t.figure_slice])
            ax.set_title(text)
        return change

    def untitled(t, ax, width, level):
        _shown(t, ax, t.chest_hu[t.figure_slice])
        ax.set_title("")
    _wrong(variant, ("no title",), untitled)
    _wrong(variant, ("does not name the window",), titled("W 400 / L 40 window"))
    _wrong(variant, ("names the brain window",), titled(_title(other)))
    name = task(variant).figure_window.replace("_", " ")
    _wrong(variant, ("width and its level",), titled(f"{name} window"))
    width, level = get_window(task(variant).figure_window)
    _wrong(variant, ("width as the level",), titled(f"{name} window, W {level:g} / L {width:g}"),
           forbidden=(f"{width:g}", f"{level:g}"))
    _wrong(variant, ("level the title gives",),
           titled(f"{name} window, W {width:g} / L {level + 10:g}"), forbidden=(f"{level:g}",))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("title", ["{name}: width={width:g}, level={level:g}",
                                   "{name} window (C {level:g}, W {width:g})",
                                   "{name} WW {width:g} WL {level:g} HU",
                                   "{name} window {width:g}/{level:g}"])
def test_window_figure_title_spellings_pass(title, variant):
    """Other spellings of the width and level; pyplot style with set_clim on a masked slice."""
    t = task(variant)
    width, level = get_window(t.figure_window)
    fig = plt.figure(figsize=(3, 3))
    image = plt.imshow(np.ma.masked_less(t.chest_hu[t.figure_slice], -2000), cmap=plt.cm.gray)
    image.set_clim(level - width / 2, level + width / 2)
    plt.title(title.format(name=t.figure_window.replace("_", " "), width=width, level=level))
    result = grade(checks.window_figure, variant, ax_window=plt.gca())
    assert result.passed, result.message


def test_the_module_does_not_hand_out_the_finding_answers():
    """_FINDINGS keeps a digest of each finding's preset, not its name."""
    for finding, (digest, hint) in ex._FINDINGS.items():
        assert digest not in PRESETS
        assert ex._preset_digest(finding, WINDOW_OF[finding]) == digest


def test_window_figure_nothing_drawn():
    fig, ax = plt.subplots()
    assert_fails(grade(checks.window_figure, 0, ax_window=ax), "Nothing is drawn")


# --- typed-in answers ------------------------------------------------------------------------

def test_the_solutions_variant_0_values_typed_in_fail_on_another_variant():
    t0 = task(0)
    low, high = _limits_plain(0)
    linear, exact = _voi_numpy(t0)
    names = [WINDOW_OF[f] for f in t0.findings]
    fig, ax = plt.subplots()
    _figure_solution(t0, ax)
    answers = {"preset_limits": {"preset_vmin": low, "preset_vmax": high},
               "voi_functions": {"grey_linear": linear, "grey_exact": exact},
               "window_for_finding": {"finding_windows": names},
               "window_figure": {"ax_window": ax}}
    for name, values in answers.items():
        assert grade(checks[name], 0, **values).passed, name
        assert not grade(checks[name], 3, **values).passed, name
    # the figure of variant 0 drawn with variant 3's slice index and window still fails:
    # variant 3's chest has its own noise
    t3 = task(3)
    fig, ax = plt.subplots()
    low, high = PRESETS[t3.figure_window].limits
    ax.imshow(t0.chest_hu[t3.figure_slice], cmap="gray", vmin=low, vmax=high)
    ax.set_title(_title(t3.figure_window))
    assert not grade(checks.window_figure, 3, ax_window=ax).passed


# --- whole notebooks -------------------------------------------------------------------------

ALTERNATIVE = {  # the whole code cell of each task
    "Task 1": '''from course_utils.windowing import window_limits

preset = PRESETS[preset_name]
preset_vmin, preset_vmax = window_limits(preset.width, preset.level, "LINEAR_EXACT")''',
    "Task 2": '''half = (test_width - 1) / 2
low, high = test_level - 0.5 - half, test_level - 0.5 + half
grey_linear = np.interp(test_hu, [low, high], [0.0, 1.0])
grey_exact = np.interp(test_hu, [test_level - test_width / 2, test_level + test_width / 2],
                       [0, 1])''',
    "Task 3": '''rules = {"lung": ("lung nodule", "pneumothorax"),
         "subdural": ("acute subdural haematoma",),
         "bone": ("vertebral fracture",), "liver": ("liver metastasis",),
         "mediastinum": ("mediastinal lymph node",), "temporal_bone": ("middle ear ossicles",),
         "brain": ("grey-white matter contrast",)}
finding_windows = tuple(next(p for p, fs in rules.items() if f in fs) for f in findings)''',
    "Task 4": '''fig, ax_window = plt.subplots()
width, level = PRESETS[figure_window].width, PRESETS[figure_window].level
grey = np.clip((chest_hu[figure_slice] - (level - width / 2)) / width, 0, 1)
ax_window.imshow(grey, cmap="Greys_r", vmin=0, vmax=1)
fig.suptitle(f"{figure_window} window (W {width:g}, L {level:g})")''',
}


def _notebook(tmp_path, replace, folder):
    """The solution notebook with the code cell of each task in ``replace`` replaced."""
    nb = nbformat.read(ROOT / "solutions" / "03_windowing.ipynb", as_version=4)
    current = None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## Task"):
            current = cell.source.split(":")[0][3:]
        elif cell.cell_type == "code" and current in replace:
            cell.source = replace[current]
            current = None
    path = tmp_path / folder / "03_windowing.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, ALTERNATIVE, "alternative"),
                                 variant=0, hidden_variant=5)
    assert alternative.full_marks, [(c.name, c.message) for c in alternative.checks]
    wrong = dict(ALTERNATIVE)
    wrong["Task 4"] = '''fig, ax_window = plt.subplots()
hu = chest_hu[figure_slice]
ax_window.imshow((hu - hu.min()) / (hu.max() - hu.min()), cmap="gray", vmin=0, vmax=1)
ax_window.set_title(f"{figure_window} window, W {PRESETS[figure_window].width:g} / L "
                    f"{PRESETS[figure_window].level:g}")'''
    graded = grade_notebook(_notebook(tmp_path, wrong, "wrong"), variant=0, hidden_variant=5)
    failed = [c.name for c in graded.checks if not c.passed]
    assert failed == ["window_figure"], [(c.name, c.message) for c in graded.checks]
