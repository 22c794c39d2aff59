"""Checks for exercise 08, difference images.

The exercise uses ``fake_ct_slice(size=512, seed=0)``, its lesion mask as ground truth and
``imperfect_prediction(truth, seed=0)`` as the prediction; and a synthetic subtraction image:
pre-contrast = the seed-0 slice, post-contrast = the seed-1 slice plus ``ENHANCEMENT_HU`` in the
heart and the lesion (labels from ``chest_volume(shape=(2, 512, 512), spacing=(20, .75, .75))``).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, first_image, get_array,
                                       get_axes, get_number)

checks = CheckList("08_difference_images")
__all__ = ["checks", "colorbar_extend", "difference_sign", "fp_fn_counts",
           "subtraction_colormap", "subtraction_norm"]

SIZE, SEED = 512, 0
#: Added attenuation of the synthetic post-contrast image, by phantom class name (HU).
ENHANCEMENT_HU = {"heart": 180.0, "lesion": 35.0}
#: Half-range of the colour scale the exercise asks for (HU).
HALF_RANGE_HU = 100.0

#: Diverging colormaps that keep both sides apart for red-green colour-blind readers.
DIVERGING = {"RdBu", "RdGy", "PuOr", "BrBG", "PRGn", "PiYG", "RdYlBu", "coolwarm", "bwr",
             "seismic", "berlin", "managua", "vanimo"}
#: Diverging, but red against green: not colour-blind safe.
RED_GREEN_DIVERGING = {"RdYlGn", "Spectral"}


def make_images() -> dict[str, np.ndarray]:
    """The exercise's arrays: truth, prediction, pre- and post-contrast slices (HU)."""
    from course_utils.phantom import (CLASSES, chest_volume, fake_ct_slice,
                                      imperfect_prediction)

    pre_hu, truth = fake_ct_slice(size=SIZE, seed=SEED)
    labels = chest_volume(shape=(2, SIZE, SIZE), spacing=(20.0, 384 / SIZE, 384 / SIZE)).labels[0]
    enhancement = np.zeros_like(pre_hu)
    for name, hu in ENHANCEMENT_HU.items():
        enhancement[labels == CLASSES[name]] = hu
    post_hu = fake_ct_slice(size=SIZE, seed=SEED + 1)[0] + enhancement
    return {"truth": truth, "prediction": imperfect_prediction(truth, seed=SEED),
            "pre_hu": pre_hu, "post_hu": post_hu}


@functools.lru_cache(maxsize=1)
def _expected() -> dict[str, Any]:
    images = make_images()
    truth, prediction = images["truth"], images["prediction"]
    subtraction = images["post_hu"] - images["pre_hu"]
    return {"signed": prediction.astype(np.int8) - truth.astype(np.int8),
            "fp": int(np.count_nonzero(prediction & ~truth)),
            "fn": int(np.count_nonzero(truth & ~prediction)),
            "subtraction": subtraction,
            "below": bool((subtraction < -HALF_RANGE_HU).any()),
            "above": bool((subtraction > HALF_RANGE_HU).any())}


@checks.add(points=1)
def difference_sign(signed_difference):
    """Prediction minus ground truth as signed integers: +1 false positive, -1 false negative."""
    expected = _expected()["signed"]
    array = get_array(signed_difference, "signed_difference", ndim=2, shape=expected.shape)
    values = np.asarray(array, dtype=float)
    if np.array_equal(values, expected):
        return
    if np.array_equal(values, -expected):
        raise CheckFailed("The sign is reversed: the task asks for prediction minus ground "
                          "truth, so a predicted pixel that is not in the truth is positive.")
    if np.any(values > 1):
        raise CheckFailed("Some pixels are larger than 1: an unsigned integer wrapped around "
                          "below zero. Convert both masks to a signed type before "
                          "subtracting.")
    if np.array_equal(values, np.abs(expected)):
        raise CheckFailed("There are no negative values: this is where the masks differ, "
                          "not how. Subtract (with a signed type) instead of xor/abs.")
    raise CheckFailed("`signed_difference` does not match prediction minus ground truth "
                      "pixel by pixel; use the exercise's `prediction` and `truth`.")


@checks.add(points=1)
def fp_fn_counts(false_positive_count, false_negative_count):
    """Numbers of false positive and false negative pixels."""
    fp = get_number(false_positive_count, "false_positive_count")
    fn = get_number(false_negative_count, "false_negative_count")
    expected = _expected()
    if fp == expected["fn"] and fn == expected["fp"] and fp != fn:
        raise CheckFailed("The two counts are swapped: a false positive is predicted but not "
                          "in the ground truth (+1 in prediction minus truth).")
    if fp != expected["fp"]:
        raise CheckFailed("`false_positive_count` is not the number of pixels predicted but "
                          "absent from the ground truth: count the +1 pixels.")
    if fn != expected["fn"]:
        raise CheckFailed("`false_negative_count` is not the number of ground-truth pixels "
                          "the prediction missed: count the -1 pixels.")


def _base_name(name: str) -> str:
    return name[:-2] if name.endswith("_r") else name


def _subtraction_image(ax_subtraction: Any) -> dict[str, Any]:
    axes = get_axes(ax_subtraction, "ax_subtraction")
    expected = _expected()["subtraction"]
    for image in axes["images"]:
        array = image["array"]
        if isinstance(array, dict) and array.get("__type__") == "masked_array":
            array = array["data"]
        array = np.asarray(array, dtype=float)
        if array.shape == expected.shape and (np.allclose(array, expected, atol=0.01)
                                              or np.allclose(array, -expected, atol=0.01)):
            return image
    first_image(axes, "ax_subtraction")
    raise CheckFailed("No image on `ax_subtraction` shows the subtraction: draw "
                      "`post_hu - pre_hu` itself with `imshow`.")


@checks.add(points=1)
def subtraction_colormap(ax_subtraction):
    """The subtraction post - pre drawn with a colour-blind-safe diverging colormap."""
    image = _subtraction_image(ax_subtraction)
    array = image["array"]
    if isinstance(array, dict):
        array = array["data"]
    if np.allclose(np.asarray(array, dtype=float), -_expected()["subtraction"], atol=0.01):
        raise CheckFailed("The image shows pre minus post: enhancement should be positive, "
                          "so subtract the pre-contrast image from the post-contrast one.")
    name = _base_name(image["cmap"]["name"])
    if name in RED_GREEN_DIVERGING:
        raise CheckFailed("This diverging colormap runs from red to green, which many "
                          "colour-blind readers cannot tell apart; pick another diverging "
                          "map.")
    if name not in DIVERGING:
        raise CheckFailed("The colormap is not a diverging one: a signed difference needs "
                          "two hues for the two signs and a neutral colour for zero.")


@checks.add(points=1)
def subtraction_norm(ax_subtraction):
    """Colour scale centred on zero with symmetric limits of the half-range the task gives."""
    image = _subtraction_image(ax_subtraction)
    vmin, vmax = (float(v) for v in image["clim"])
    norm = image["norm"]
    centre = norm.get("vcenter")
    if centre is not None and not math.isclose(centre, 0.0, abs_tol=1e-6):
        raise CheckFailed("The norm's centre is not zero: zero difference must get the "
                          "colormap's middle colour.")
    if not math.isclose(vmin, -vmax, abs_tol=0.5):
        raise CheckFailed("The colour limits are not symmetric around zero, so zero is not "
                          "on the neutral middle colour: set limits of equal size on both "
                          "sides (or centre the norm).")
    if not math.isclose(vmax, HALF_RANGE_HU, abs_tol=0.5):
        raise CheckFailed("The limits are symmetric but not the half-range the task asks "
                          "for: the lesion's enhancement should stand out, the heart may "
                          "saturate.")


@checks.add(points=1)
def colorbar_extend(ax_subtraction):
    """The colorbar says that values beyond the limits are clipped."""
    image = _subtraction_image(ax_subtraction)
    colorbar = image.get("colorbar")
    if colorbar is None:
        raise CheckFailed("The subtraction image has no colorbar: add one for this image "
                          "(`fig.colorbar(the_image, ax=...)`).")
    expected = _expected()
    allowed = {"both"}
    if expected["above"] and not expected["below"]:
        allowed.add("max")
    if expected["below"] and not expected["above"]:
        allowed.add("min")
    if colorbar["extend"] not in allowed:
        raise CheckFailed("Some values lie beyond the colour limits and are clipped, but the "
                          "colorbar does not show it: look at the colorbar's `extend` "
                          "argument.")
