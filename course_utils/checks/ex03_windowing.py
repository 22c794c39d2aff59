"""Checks for exercise 03, windowing.

Expected values come from :data:`course_utils.windowing.PRESETS` and the DICOM VOI LUT
functions in :func:`course_utils.windowing.apply_window` (PS3.3 C.11.2.1.2), computed here in
the grader's process.
"""

from __future__ import annotations


import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array, get_axes,
                                       get_number, get_string)

checks = CheckList("03_windowing")
__all__ = ["checks", "window_limits_lung", "voi_functions", "window_for_finding",
           "mediastinum_figure", "TEST_HU", "TEST_WIDTH", "TEST_LEVEL", "FIGURE_WINDOW"]

#: Task 2: the input values and the (odd-width) window applied to them.
TEST_HU = tuple(range(-10, 91, 1))
TEST_WIDTH, TEST_LEVEL = 75.0, 40.0
#: Task 4: the window of the figure.
FIGURE_WINDOW = "mediastinum"

_GRAYS = ("gray", "grey", "Greys_r", "binary_r", "gist_gray", "gist_yarg_r")


def _preset(name: str) -> tuple[float, float]:
    from course_utils.windowing import get_window

    return get_window(name)


@checks.add(points=1)
def window_limits_lung(lung_vmin, lung_vmax):
    """vmin and vmax of the lung window (LINEAR_EXACT limits)."""
    low = get_number(lung_vmin, "lung_vmin")
    high = get_number(lung_vmax, "lung_vmax")
    width, level = _preset("lung")
    if np.isclose(low, level - width / 2) and np.isclose(high, level + width / 2):
        return
    if np.isclose(low, level + width / 2) and np.isclose(high, level - width / 2):
        raise CheckFailed("`lung_vmin` and `lung_vmax` are swapped: vmin is the value shown "
                          "black, the lower one.")
    if np.isclose(low, level - width) and np.isclose(high, level + width):
        raise CheckFailed("the window is twice as wide as it should be: half the width goes "
                          "on each side of the level.")
    mixed = sorted((width - level / 2, width + level / 2))
    if np.isclose(min(low, high), mixed[0]) and np.isclose(max(low, high), mixed[1]):
        raise CheckFailed("width and level look mixed up: DICOM and PRESETS give the width "
                          "first, then the level (centre).")
    raise CheckFailed("`lung_vmin`/`lung_vmax` are not the limits of the lung preset: take "
                      "its width and level from PRESETS and put half the width on each side "
                      "of the level.")


@checks.add(points=2)
def voi_functions(grey_linear, grey_exact):
    """TEST_HU through the DICOM LINEAR and LINEAR_EXACT functions (W 75 / L 40), in [0, 1]."""
    from course_utils.windowing import apply_window

    x = np.array(TEST_HU, dtype=np.float64)
    expected = {"LINEAR": apply_window(x, TEST_WIDTH, TEST_LEVEL, "LINEAR"),
                "LINEAR_EXACT": apply_window(x, TEST_WIDTH, TEST_LEVEL, "LINEAR_EXACT")}
    answers = {"LINEAR": get_array(grey_linear, "grey_linear"),
               "LINEAR_EXACT": get_array(grey_exact, "grey_exact")}
    names = {"LINEAR": "grey_linear", "LINEAR_EXACT": "grey_exact"}
    for function, values in answers.items():
        name = names[function]
        if values.shape != x.shape:
            raise CheckFailed(f"`{name}` should hold one grey value per value of TEST_HU "
                              f"({x.size} values).")
        values = np.asarray(values, dtype=np.float64)
        if np.allclose(values, expected[function], atol=1e-6):
            continue
        other = "LINEAR_EXACT" if function == "LINEAR" else "LINEAR"
        if np.allclose(values, expected[other], atol=1e-6):
            raise CheckFailed(f"`{name}` follows {other}, not {function}: the two are swapped.")
        if values.min() < -1e-9 or values.max() > 1 + 1e-9:
            raise CheckFailed(f"`{name}` has values outside [0, 1]: clip the result.")
        if np.allclose(values * 255, np.round(values * 255)) and \
                not np.allclose(values, expected[function], atol=1 / 255):
            raise CheckFailed(f"`{name}` is not {function} and looks quantized: keep floats.")
        if function == "LINEAR":
            lazy = np.clip((x - (TEST_LEVEL - 0.5)) / TEST_WIDTH + 0.5, 0, 1)
            if np.allclose(values, lazy, atol=1e-6):
                raise CheckFailed("`grey_linear` divides by the width: DICOM's LINEAR divides "
                                  "by (width - 1).")
            no_half = np.clip((x - TEST_LEVEL) / (TEST_WIDTH - 1) + 0.5, 0, 1)
            if np.allclose(values, no_half, atol=1e-6):
                raise CheckFailed("`grey_linear` misses the half-HU shift of the centre in "
                                  "DICOM's LINEAR formula.")
        integer_half = TEST_WIDTH // 2
        floored = np.clip((x - (TEST_LEVEL - integer_half)) / (2 * integer_half), 0, 1)
        if np.allclose(values, floored, atol=1e-6):
            raise CheckFailed(f"`{name}` uses an integer half width: W // 2 drops half a HU "
                              "for odd widths. Divide with /.")
        raise CheckFailed(f"`{name}` does not follow the {function} formula of PS3.3 "
                          "C.11.2.1.2 / C.11.2.1.3 (scaled to [0, 1]).")


@checks.add(points=1)
def window_for_finding(nodule_window, subdural_window):
    """The PRESETS names for a lung nodule and an acute subdural haematoma."""
    from course_utils.windowing import PRESETS

    answers = {"nodule_window": nodule_window, "subdural_window": subdural_window}
    hints = {
        "nodule_window": ("a small nodule surrounded by air-filled lung needs a window wide "
                          "and low enough to show lung parenchyma"),
        "subdural_window": ("blood lying against the skull needs a window a little wider and "
                            "higher than the brain window, so it does not merge with bone"),
    }
    wanted = {"nodule_window": "lung", "subdural_window": "subdural"}
    for name, value in answers.items():
        text = get_string(value, name).strip().lower().replace(" ", "_").replace("-", "_")
        if text not in PRESETS:
            raise CheckFailed(f"`{name}` should be one of the names in PRESETS.")
        if text != wanted[name]:
            raise CheckFailed(f"`{name}` is not the preset made for this finding: "
                              f"{hints[name]}.")


@checks.add(points=1)
def mediastinum_figure(ax_mediastinum):
    """The chest slice shown in HU with the mediastinum window's limits and a gray colormap."""
    from course_utils.windowing import window_limits

    axes = get_axes(ax_mediastinum, "ax_mediastinum")
    image = first_image(axes, "ax_mediastinum")
    data = np.ma.filled(np.ma.asarray(get_array(image["array"], "the image"), dtype=np.float64),
                        np.nan)
    if data.ndim != 2:
        raise CheckFailed("the image on `ax_mediastinum` should be one 2D slice, shown in "
                          "grayscale (not an RGB array).")
    cmap = image["cmap"]["name"]
    if cmap not in _GRAYS:
        raise CheckFailed(f"the image uses the colormap {cmap!r}: anatomy is shown in "
                          "grayscale.")
    low, high = image["clim"]
    width, level = _preset(FIGURE_WINDOW)
    finite = data[np.isfinite(data)]
    windowed = finite.size and finite.min() >= 0 and finite.max() <= 1
    if windowed:  # grey values already in [0, 1]: the limits must then be 0 and 1
        if not (np.isclose(low, 0) and np.isclose(high, 1)):
            raise CheckFailed("the image holds grey values in [0, 1] but the display limits "
                              "are not 0 and 1: matplotlib stretches them again.")
        return
    if finite.size and np.isclose(low, finite.min()) and np.isclose(high, finite.max()):
        raise CheckFailed("the display limits are the image's own minimum and maximum "
                          "(auto-scaling): give vmin and vmax from the window.")
    accepted = [window_limits(width, level, "LINEAR_EXACT"),
                window_limits(width, level, "LINEAR")]
    if not any(np.isclose(low, a, atol=0.51) and np.isclose(high, b, atol=0.51)
               for a, b in accepted):
        raise CheckFailed(f"the display limits are not those of the {FIGURE_WINDOW} preset: "
                          "compute them from its width and level.")
    if finite.size and finite.max() < 200 and finite.min() > -200 and data.size > 1:
        raise CheckFailed("the image does not look like a chest slice in HU (no air, no lung): "
                          "show the slice itself.")
