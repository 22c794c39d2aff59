"""Checks for exercise 03, windowing.

The task data (:func:`make_task`) differ per variant: which preset's limits are asked (task
1), the odd test width, the level and the test values (task 2), which findings are asked
(task 3), and which slice of a small synthetic chest CT is drawn in which window (task 4).
Expected values come from :data:`course_utils.windowing.PRESETS` and the DICOM VOI LUT
functions of :func:`course_utils.windowing.apply_window` (PS3.3 C.11.2.1.2), computed here in
the grader's process.

The figure of task 4 is judged by what it shows: the grey level of every pixel (the image's
norm applied to its data, whatever the data are: HU with the window's ``vmin``/``vmax``, or
grey values already windowed to [0, 1] and shown with ``vmin=0, vmax=1``) is compared with
the task's slice through the asked window; so a pre-windowed image of another window, or
min-max scaling, fails.

Examples
--------
>>> task = make_task(0)
>>> task.preset, task.test_width % 2, task.figure_window
('lung', 1.0, 'mediastinum')
>>> task.chest_hu.shape
(8, 168, 200)
"""

from __future__ import annotations

import re
import types

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array, get_axes,
                                 get_number, require)
from course_utils.checks._plain import type_of
from course_utils.checks._predicates import grey_direction, image_array

checks = CheckList("03_windowing")
task = checks.task
__all__ = ["checks", "make_task", "task", "FIGURE_WINDOWS",
           "preset_limits", "voi_functions", "window_for_finding", "window_figure"]

#: Task 3: the findings that may be asked, a digest of the preset made for each (so that the
#: module does not hand out the answers: see :func:`_preset_digest`), and a hint that does
#: not name it. The learner sees the names (``task.all_findings``), not the presets.
_FINDINGS = {
    "lung nodule": (
        "eaf657fa4af4954f",
        "a nodule surrounded by air-filled lung needs a window wide and low enough to show "
        "lung parenchyma"),
    "pneumothorax": (
        "ce2b92c0e6387ba8",
        "telling air in the pleural space from aerated lung needs a window centred far below "
        "water"),
    "acute subdural haematoma": (
        "950c977204575c60",
        "blood lying against the skull needs a window a little wider and higher than the "
        "brain window, so it does not merge with bone"),
    "vertebral fracture": (
        "c19ba78a9f9f91d4",
        "cortical and trabecular bone need a very wide window centred well above soft tissue"),
    "liver metastasis": (
        "a49833dc40d1d713",
        "a lesion a few tens of HU darker than liver needs a narrow abdominal window centred "
        "on liver"),
    "mediastinal lymph node": (
        "c850d868677e9b1d",
        "nodes, vessels and fat between the lungs need the chest's soft-tissue window"),
    "middle ear ossicles": (
        "4bf5af216b3ee960",
        "tiny bones inside dense bone need the widest, highest window"),
    "grey-white matter contrast": (
        "46d6ecb39dc8f744",
        "differences of a few HU inside the skull need the narrow head window"),
}


def _preset_digest(finding: str, preset: str) -> str:
    """The digest that :data:`_FINDINGS` stores for a finding and the preset made for it."""
    import hashlib

    text = f"03_windowing|{finding}|{preset}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


#: Task 4: the windows the figure may be asked in (chest windows).
FIGURE_WINDOWS = ("lung", "mediastinum", "soft_tissue", "bone")
_ALIASES = {"lung": ("lung", "pulmonary"), "mediastinum": ("mediastin",),
            "soft_tissue": ("soft tissue",), "bone": ("bone",), "brain": ("brain",),
            "subdural": ("subdural",), "stroke": ("stroke",),
            "temporal_bone": ("temporal bone",), "liver": ("liver",)}

_SHAPE = (8, 168, 200)            # slices, rows, columns: not square
_SPACING = (30.0, 2.0, 2.0)       # the slices spread over the whole chest
_TOLERANCE = 0.01                 # of the grey range: 8-bit grey values and LINEAR pass


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The data of exercise 03 for ``variant``: presets, test window, findings, chest slices.

    Variant 0 is what the book and nbval see: the lung preset, W 75 / L 40, the mediastinum
    window on the slice through the nodule.
    """
    from course_utils.phantom import chest_volume
    from course_utils.windowing import PRESETS

    rng = np.random.default_rng([3, variant])
    presets = list(PRESETS)
    findings = list(_FINDINGS)
    if variant == 0:
        preset, width, level = "lung", 75, 40
        chosen = [findings[0], findings[2], findings[3]]
        figure_slice, figure_window = 3, "mediastinum"
    else:
        preset = presets[int(rng.integers(len(presets)))]
        width = 2 * int(rng.integers(25, 100)) + 1          # odd, 51 to 199 HU
        level = int(rng.integers(-60, 121))
        chosen = []
        for index in rng.permutation(len(findings)):       # three findings, three presets
            if _preset_of(findings[index]) not in {_preset_of(f) for f in chosen}:
                chosen.append(findings[index])
            if len(chosen) == 3:
                break
        figure_slice = int(rng.integers(1, _SHAPE[0] - 1))
        figure_window = FIGURE_WINDOWS[int(rng.integers(len(FIGURE_WINDOWS)))]
    half = width // 2
    test_hu = np.arange(level - half - 6, level + half + 7, dtype=np.float64)
    chest = chest_volume(shape=_SHAPE, spacing=_SPACING, seed=int(variant) % 2**31)
    return types.SimpleNamespace(
        variant=int(variant), preset=preset,
        test_width=float(width), test_level=float(level), test_hu=test_hu,
        findings=chosen, all_findings=list(_FINDINGS),
        chest_hu=chest.hu, spacing=chest.spacing,
        figure_slice=figure_slice, figure_window=figure_window)


def _preset_of(finding: str) -> str:
    """The preset made for ``finding`` (the PRESETS key whose digest matches)."""
    from course_utils.windowing import PRESETS

    return next(key for key in PRESETS if _preset_digest(finding, key) == _FINDINGS[finding][0])


def _preset(name: str) -> tuple[float, float]:
    from course_utils.windowing import get_window

    return get_window(name)


# --------------------------------------------------------------------------- task 1

@checks.add(points=1)
def preset_limits(preset_vmin, preset_vmax, task):
    """vmin and vmax of the task's preset (LINEAR_EXACT limits)."""
    from course_utils.windowing import PRESETS, window_limits

    low = get_number(preset_vmin, "preset_vmin")
    high = get_number(preset_vmax, "preset_vmax")
    width, level = _preset(task.preset)
    if np.isclose(low, level - width / 2) and np.isclose(high, level + width / 2):
        return
    if np.isclose(low, level + width / 2) and np.isclose(high, level - width / 2):
        raise CheckFailed("`preset_vmin` and `preset_vmax` are swapped: vmin is the value "
                          "shown black, the lower one.")
    if np.isclose(low, level - width) and np.isclose(high, level + width):
        raise CheckFailed("the window is twice as wide as it should be: half the width goes "
                          "on each side of the level.")
    mixed = sorted((width - level / 2, width + level / 2))
    if np.isclose(min(low, high), mixed[0]) and np.isclose(max(low, high), mixed[1]):
        raise CheckFailed("width and level look mixed up: DICOM and PRESETS give the width "
                          "first, then the level (centre).")
    linear = window_limits(width, level, "LINEAR")
    if np.isclose(low, linear[0]) and np.isclose(high, linear[1]):
        raise CheckFailed("these are the limits of DICOM's LINEAR function; `imshow` needs "
                          "the LINEAR_EXACT limits, L - W/2 and L + W/2.")
    for other in PRESETS.values():
        if other.name != task.preset and np.allclose((low, high), other.limits):
            raise CheckFailed(f"these are the limits of the {other.name} preset, not of the "
                              "preset `preset_name` names.")
    raise CheckFailed("`preset_vmin`/`preset_vmax` are not the limits of the preset "
                      "`preset_name` names: take its width and level from PRESETS and put "
                      "half the width on each side of the level.")


# --------------------------------------------------------------------------- task 2

@checks.add(points=2)
def voi_functions(grey_linear, grey_exact, task):
    """`test_hu` through DICOM's LINEAR and LINEAR_EXACT for the test window, in [0, 1]."""
    from course_utils.windowing import apply_window

    x = np.asarray(task.test_hu, dtype=np.float64)
    width, level = task.test_width, task.test_level
    expected = {"LINEAR": apply_window(x, width, level, "LINEAR"),
                "LINEAR_EXACT": apply_window(x, width, level, "LINEAR_EXACT")}
    answers = {"LINEAR": get_array(grey_linear, "grey_linear"),
               "LINEAR_EXACT": get_array(grey_exact, "grey_exact")}
    names = {"LINEAR": "grey_linear", "LINEAR_EXACT": "grey_exact"}
    for function, values in answers.items():
        name = names[function]
        if values.shape != x.shape:
            raise CheckFailed(f"`{name}` has shape {values.shape}: it should hold one grey "
                              "value per value of `test_hu`.")
        values = np.asarray(values, dtype=np.float64)
        if np.allclose(values, expected[function], atol=1e-6):
            continue
        other = "LINEAR_EXACT" if function == "LINEAR" else "LINEAR"
        if np.allclose(values, expected[other], atol=1e-6):
            other_values = np.asarray(answers[other], dtype=np.float64)
            if other_values.shape == x.shape and np.allclose(other_values, expected[function],
                                                             atol=1e-6):
                raise CheckFailed(f"`{name}` follows {other}, not {function}: the two are "
                                  "swapped.")
            raise CheckFailed(f"`{name}` follows the {other} formula, not {function}.")
        if values.min() < -1e-9 or values.max() > 1 + 1e-9:
            raise CheckFailed(f"`{name}` has values outside [0, 1]: clip the result.")
        if np.allclose(values * 255, np.round(values * 255)) and \
                np.allclose(values, expected[function], atol=1 / 255):
            raise CheckFailed(f"`{name}` looks quantized to 8 bits: keep floats.")
        if function == "LINEAR":
            lazy = np.clip((x - (level - 0.5)) / width + 0.5, 0, 1)
            if np.allclose(values, lazy, atol=1e-6):
                raise CheckFailed("`grey_linear` divides by the width: DICOM's LINEAR divides "
                                  "by (width - 1).")
            no_half = np.clip((x - level) / (width - 1) + 0.5, 0, 1)
            if np.allclose(values, no_half, atol=1e-6):
                raise CheckFailed("`grey_linear` misses the half-HU shift of the centre in "
                                  "DICOM's LINEAR formula.")
        integer_half = width // 2
        floored = np.clip((x - (level - integer_half)) / (2 * integer_half), 0, 1)
        if np.allclose(values, floored, atol=1e-6):
            raise CheckFailed(f"`{name}` uses an integer half width: W // 2 drops half a HU "
                              "for odd widths. Divide with /.")
        raise CheckFailed(f"`{name}` does not follow the {function} formula of PS3.3 "
                          "C.11.2.1.2 / C.11.2.1.3 for `test_width` and `test_level` "
                          "(scaled to [0, 1]).")


# --------------------------------------------------------------------------- task 3

def _names_list(value) -> list:
    if type_of(value) == "list_array":
        value = value["items"]
    if not isinstance(value, (list, tuple)):
        raise CheckFailed("`finding_windows` should be a list of preset names, one per "
                          "finding of `findings`.")
    return list(value)


@checks.add(points=1)
def window_for_finding(finding_windows, task):
    """One PRESETS name per finding of `findings` (of this variant), the preset made for it."""
    from course_utils.windowing import PRESETS

    require(finding_windows, "finding_windows")
    names = _names_list(finding_windows)
    if len(names) != len(task.findings):
        raise CheckFailed(f"`finding_windows` has {len(names)} names; `findings` lists "
                          f"{len(task.findings)} findings: give one name per finding, in order.")
    keys = []
    for number, value in enumerate(names, 1):
        if not isinstance(value, str):
            raise CheckFailed(f"item {number} of `finding_windows` is not a string: give the "
                              "preset's name, a key of PRESETS.")
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in PRESETS:
            raise CheckFailed(f"item {number} of `finding_windows`, {value[:40]!r}, is not a "
                              "name in PRESETS.")
        keys.append(key)
    for number, (finding, key) in enumerate(zip(task.findings, keys), 1):
        digest, hint = _FINDINGS[finding]
        if _preset_digest(finding, key) != digest:
            raise CheckFailed(f"item {number} of `finding_windows` is not the preset made for "
                              f"the {finding} (item {number} of `findings`): {hint}.")


# --------------------------------------------------------------------------- task 4

def _window_grey(hu: np.ndarray, name: str, function: str = "LINEAR_EXACT") -> np.ndarray:
    from course_utils.windowing import apply_window

    width, level = _preset(name)
    return apply_window(hu, width, level, function)


def _shown_grey(image: dict) -> np.ndarray | None:
    """The grey level in [0, 1] the image gives each pixel: its norm applied to its data
    (2D data), or the brightest of its colour channels (RGB data); NaN where nothing is shown."""
    data = image_array(image)
    if data.ndim == 3:
        rgba = np.asarray(image["rgba"], dtype=float)
        grey = rgba[..., :3].max(axis=-1) / 255
        return np.where(rgba[..., 3] > 0, grey, np.nan)
    samples = (image.get("norm") or {}).get("samples")
    if samples is None:
        return None
    x = np.asarray(samples["x"], dtype=float)
    y = np.asarray(samples["y"], dtype=float)
    if not np.all(np.isfinite(y)):
        return None
    values = np.ma.filled(data, np.nan)
    return np.where(np.isfinite(values), np.interp(values, x, y), np.nan)


def _close(shown: np.ndarray, expected: np.ndarray) -> bool:
    valid = np.isfinite(shown)
    return bool(valid.mean() > 0.99
                and np.max(np.abs(shown[valid] - expected[valid])) <= _TOLERANCE)


def _best_slice(data: np.ndarray, volume: np.ndarray) -> int | None:
    """The slice of ``volume`` of which ``data`` is a monotone function (any window, any
    direction): sorted by that slice's values, ``data`` changes least from pixel to pixel."""
    flat = np.nan_to_num(np.asarray(data, dtype=float).ravel())
    if flat.std() == 0:
        return None
    roughness = [np.abs(np.diff(flat[np.argsort(s.ravel(), kind="stable")])).mean()
                 for s in volume]
    return int(np.argmin(roughness))


def _title_text(axes: dict) -> str:
    parts = [t for t in (axes.get("titles") or {}).values() if t.strip()]
    suptitle = (axes.get("figure") or {}).get("suptitle") or ""
    if suptitle.strip():
        parts.append(suptitle)
    return " ".join(parts)


#: A width or a level written in a title: "W 80", "width: 80", "WW=80", "L 40", "level 40",
#: "C 40", "centre 40" (read in the title in lower case, with U+2212 as a minus sign).
_LABELS = {"width": r"(?<![a-z])(?:w|ww|width)\s*[=:]?\s*",
           "level": r"(?<![a-z])(?:l|wl|wc|c|level|center|centre)\s*[=:]?\s*"}
_NUMBER = r"([+-]?\d+(?:\.\d+)?)(?![\d.])"


def _numbers(text: str) -> list[float]:
    text = text.replace("\u2212", "-")
    return [float(n) for n in re.findall(r"(?<![\d.])-?\d+(?:\.\d+)?", text)]


@checks.add(points=2)
def window_figure(ax_window, task):
    """Slice `figure_slice` of `chest_hu` in the `figure_window` window, grey, with a title."""
    from course_utils.windowing import PRESETS

    axes = get_axes(ax_window, "ax_window")
    image = first_image(axes, "ax_window")
    hu = np.asarray(task.chest_hu[task.figure_slice], dtype=np.float64)
    data = image_array(image)
    # 1. the slice
    if data.ndim == 3 and data.shape[-1] in (3, 4):
        plane = np.asarray(image["rgba"], dtype=float)[..., :3].max(axis=-1)
    elif data.ndim == 2:
        plane = np.ma.filled(data, np.nan)
    else:
        raise CheckFailed(f"the image on `ax_window` has shape {tuple(data.shape)}: show one "
                          "2D slice of `chest_hu`.")
    if plane.shape != hu.shape:
        raise CheckFailed(f"the image on `ax_window` has shape {plane.shape}, a slice of "
                          f"`chest_hu` has shape {hu.shape}: show the whole slice, not "
                          "transposed or cropped.")
    best = _best_slice(plane, task.chest_hu)
    if best is None:
        raise CheckFailed("the image on `ax_window` is one flat value: show the slice.")
    if best != task.figure_slice:
        raise CheckFailed(f"the image on `ax_window` shows slice {best} of `chest_hu`, not "
                          "slice `figure_slice`.")
    # 2. the window
    width, level = _preset(task.figure_window)
    shown = _shown_grey(image)
    if shown is None:
        raise CheckFailed("the display limits of the image cannot be read (is vmin above "
                          "vmax?): give vmin < vmax.")
    expected = _window_grey(hu, task.figure_window)
    if not (_close(shown, expected)
            or _close(shown, _window_grey(hu, task.figure_window, "LINEAR"))):
        finite = plane[np.isfinite(plane)]
        low, high = image["clim"]
        if (data.ndim == 2 and finite.min() >= 0 and finite.max() <= 1
                and not (np.isclose(low, 0) and np.isclose(high, 1))):
            raise CheckFailed("the image holds grey values in [0, 1] but its display limits "
                              "are not 0 and 1: matplotlib stretches them again.")
        span = hu.max() - hu.min()
        if _close(shown, (hu - hu.min()) / span):
            raise CheckFailed("the grey values run from the slice's own minimum to its "
                              "maximum (auto-scaling or min-max scaling): that is no preset "
                              "window.")
        if _close(shown, 1 - expected):
            raise CheckFailed("the window is inverted: the low end of the window is shown "
                              "white and the high end black.")
        for other in PRESETS:
            if other != task.figure_window and _close(shown, _window_grey(hu, other)):
                raise CheckFailed(f"the image shows the {other} window, not the "
                                  "`figure_window` window.")
        raise CheckFailed("the grey values shown are not those of the `figure_window` "
                          "window: give vmin = L - W/2 and vmax = L + W/2 of that preset, or "
                          "window the slice to [0, 1] and show it with vmin=0, vmax=1.")
    # 3. grey, black to white
    if data.ndim == 3:
        colours = np.asarray(image["rgba"], dtype=float)[..., :3]
        if np.max(np.ptp(colours, axis=-1)) > 8:
            raise CheckFailed("the RGB image on `ax_window` is coloured: anatomy is shown "
                              "in grey.")
    else:
        direction = grey_direction(image["cmap"])
        if direction == "white-to-black":
            raise CheckFailed(f"the colormap {image['cmap']['name']!r} is an inverted grey "
                              "(white to black): low HU should be black, high HU white.")
        if direction != "black-to-white":
            raise CheckFailed(f"the colormap {image['cmap']['name']!r} is not a grey scale: "
                              "anatomy is shown in grey, black to white.")
    # 4. the title
    title = _title_text(axes)
    if not title.strip():
        raise CheckFailed("`ax_window` has no title: name the window, its width and level.")
    plain = title.lower().replace("_", " ").replace("-", " ")
    aliases = _ALIASES.get(task.figure_window, (task.figure_window.replace("_", " "),))
    if not any(alias in plain for alias in aliases):
        named = [name for name, words in _ALIASES.items()
                 if any(word in plain for word in words)]
        if named:
            raise CheckFailed(f"the title names the {named[0].replace('_', ' ')} window, not "
                              "the window the figure shows.")
        raise CheckFailed("the title does not name the window.")
    numbers = _numbers(title)
    lowered = title.lower().replace("\u2212", "-")
    labelled = {kind: [float(n) for n in re.findall(pattern + _NUMBER, lowered)]
                for kind, pattern in _LABELS.items()}
    if labelled["width"] and labelled["level"] and \
            np.isclose(labelled["width"][0], level) and np.isclose(labelled["level"][0], width):
        raise CheckFailed("the title gives the width as the level and the level as the width: "
                          "W is the width of the window, L its level (centre).")
    for kind, wanted in (("width", width), ("level", level)):
        if labelled[kind] and not np.isclose(labelled[kind][0], wanted):
            raise CheckFailed(f"the {kind} the title gives is not the {kind} of the window the "
                              "figure shows.")
    if not (any(np.isclose(n, width) for n in numbers)
            and any(np.isclose(n, level) for n in numbers)):
        raise CheckFailed("the title names the window but does not give both its width and "
                          "its level, as in \"W 80 / L 40\".")
