"""Checks for exercise 08, difference images.

The task data (:func:`make_task`) are a small synthetic pre-contrast chest volume and a
post-contrast one (new noise, added attenuation in the heart and in a lesion), of which the
tasks use one slice (``slice_index``, chosen per variant); the lesion's mask on that slice as
the ground truth and an imperfect prediction of it. Per variant change: the slice, the pixel
spacing (non-square), the lesion and prediction shapes, the enhancement, and the half-range
of the colour scale the task asks for (``half_range_hu``), so values typed in from another
variant fail.

Examples
--------
>>> data = task(3)
>>> data.pre_volume_hu.shape == data.post_volume_hu.shape
True
>>> data.truth.shape == data.pre_volume_hu.shape[1:]
True
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_axes, get_number
from course_utils.checks._predicates import (colorbar_shows, colorbars_of, diverging,
                                             image_array, neutral_at, red_green)
from course_utils.checks.ex07_contours import _data_space

checks = CheckList("08_difference_images")
task = checks.task
__all__ = ["checks", "colorbar_extend", "difference_sign", "fp_fn_counts", "make_task",
           "subtraction_colormap", "subtraction_norm", "task"]

HALF_RANGES_HU = (60.0, 75.0, 90.0, 110.0, 125.0, 150.0)
N_SLICES = 4


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's data for ``variant``: volumes, slice, masks, spacing, half-range."""
    from course_utils.checks.ex07_contours import _lesion
    from course_utils.display import physical_extent
    from course_utils.phantom import CLASSES, chest_volume, imperfect_prediction

    rng = np.random.default_rng([8, variant])
    dy = round(float(rng.uniform(0.85, 1.05)), 2)
    dx = round(float(rng.uniform(0.65, dy - 0.15)), 2)
    dz = round(float(rng.uniform(4.0, 8.0)), 1)
    shape = (N_SLICES, int(round(280 / dy)), int(round(368 / dx)))
    seed = variant % 2**15
    pre = chest_volume(shape=shape, spacing=(dz, dy, dx), seed=seed)
    pre_hu = pre.hu
    # a new acquisition: its own noise, so the difference has sqrt(2) x the noise of one image
    new_noise = np.random.default_rng([10, variant]).standard_normal(shape, dtype=np.float32)
    post_hu = pre_hu + np.float32(15 * math.sqrt(2)) * new_noise
    slice_index = int(rng.integers(0, N_SLICES))
    lung = pre.labels[slice_index] == CLASSES["lung_right"]
    truth, _ = _lesion(shape[1:], (dy, dx), rng)
    truth &= lung
    noise = np.random.default_rng([9, variant]).standard_normal((2,) + shape[1:])
    pre_hu[slice_index][truth] = (40 + 15 * noise[0][truth]).astype(np.float32)
    post_hu[slice_index][truth] = (40 + 15 * noise[1][truth]).astype(np.float32)
    heart_hu = round(float(rng.uniform(150, 250)))
    lesion_hu = round(float(rng.uniform(25, 50)))
    post_hu[pre.labels == CLASSES["heart"]] += np.float32(heart_hu)
    post_hu[slice_index][truth] += np.float32(lesion_hu)
    shift = (float(rng.choice([-1, 1]) * rng.integers(1, 5)),
             float(rng.choice([-1, 1]) * rng.integers(2, 7)))
    prediction = imperfect_prediction(truth, shift=shift, scale=float(rng.uniform(0.75, 1.3)),
                                      seed=seed, noise=1.0)
    half_range = float(HALF_RANGES_HU[int(rng.integers(0, len(HALF_RANGES_HU)))])
    subtraction = post_hu[slice_index] - pre_hu[slice_index]
    return types.SimpleNamespace(
        variant=variant, pre_volume_hu=pre_hu, post_volume_hu=post_hu,
        slice_index=slice_index, truth=truth, prediction=prediction,
        pixel_spacing=(dy, dx), extent_mm=physical_extent(shape[1:], (dy, dx)),
        half_range_hu=half_range, subtraction=subtraction,
        signed=prediction.astype(np.int8) - truth.astype(np.int8),
        fp=int(np.count_nonzero(prediction & ~truth)),
        fn=int(np.count_nonzero(truth & ~prediction)),
        below=bool((subtraction < -half_range).any()),
        above=bool((subtraction > half_range).any()))


# --------------------------------------------------------------------------- masks

@checks.add(points=1)
def difference_sign(signed_difference, task):
    """Task 1: prediction minus ground truth as signed integers: +1 FP, -1 FN, 0 elsewhere."""
    expected = task.signed
    given = "dtype {}"
    if isinstance(signed_difference, (list, tuple)):   # a nested list of ints is fine
        try:
            signed_difference = np.asarray(signed_difference)
        except ValueError:
            raise CheckFailed("`signed_difference` is a list that NumPy cannot turn into a "
                              "2D array.") from None
        given = "a list of {} values"
    array = get_array(signed_difference, "signed_difference", ndim=2, shape=expected.shape)
    values = np.asarray(array, dtype=float)
    if np.array_equal(values, expected):
        if array.dtype.kind not in "i":
            kind = given.format(array.dtype if given.startswith("dtype") else
                                {"f": "float", "b": "bool", "u": "unsigned"}.get(
                                    array.dtype.kind, str(array.dtype)))
            raise CheckFailed("`signed_difference` holds the right values but not as a signed "
                              f"integer type ({kind}): convert it with `.astype(np.int8)` "
                              "(or int16).")
        return
    if np.array_equal(values, -expected):
        raise CheckFailed("The sign is reversed: the task asks for prediction minus ground "
                          "truth, so a predicted pixel that is not in the truth is +1.")
    if np.any(values > 1):
        raise CheckFailed("Some pixels are larger than 1: an unsigned integer wrapped around "
                          "below zero. Convert both masks to a signed type before "
                          "subtracting.")
    if np.array_equal(values, np.abs(expected)):
        raise CheckFailed("There are no negative values: this is where the masks differ, "
                          "not how. Subtract (with a signed type) instead of xor/abs.")
    raise CheckFailed("`signed_difference` does not match prediction minus ground truth "
                      "pixel by pixel; use the task's `prediction` and `truth`.")


@checks.add(points=1)
def fp_fn_counts(false_positive_count, false_negative_count, task):
    """Task 2: numbers of false positive and false negative pixels."""
    fp = get_number(false_positive_count, "false_positive_count")
    fn = get_number(false_negative_count, "false_negative_count")
    if fp == task.fn and fn == task.fp and fp != fn:
        raise CheckFailed("The two counts are swapped: a false positive is predicted but not "
                          "in the ground truth (+1 in prediction minus truth).")
    if fp != task.fp:
        raise CheckFailed("`false_positive_count` is not the number of pixels predicted but "
                          "absent from the ground truth: count the +1 pixels.")
    if fn != task.fn:
        raise CheckFailed("`false_negative_count` is not the number of ground-truth pixels "
                          "the prediction missed: count the -1 pixels.")


# --------------------------------------------------------------------------- the image

def _data_of(image: dict[str, Any]) -> np.ndarray:
    return np.asarray(np.ma.filled(image_array(image), np.nan), dtype=float)


def _subtraction_image(ax_subtraction: Any, data: Any) -> tuple[dict, dict]:
    """The panel and the image that shows the task's subtraction (post - pre) in mm."""
    axes = get_axes(ax_subtraction, "ax_subtraction")
    if not axes["images"]:
        if any(c.get("class") == "QuadMesh" for c in axes["collections"]):
            raise CheckFailed("The subtraction on `ax_subtraction` is drawn with "
                              "`pcolormesh`; the task asks for `imshow` with "
                              "`extent=extent_mm`.")
        raise CheckFailed("Nothing is drawn with `imshow` on `ax_subtraction` yet.")
    expected = data.subtraction
    candidates = [image for image in axes["images"]
                  if tuple(image["shape"]) == expected.shape]
    for image in candidates:   # compared where each pixel lies in mm (any origin)
        array = _data_space(image)[0]
        if np.allclose(array, expected, atol=0.01, equal_nan=True):
            _assert_in_mm(image, data)
            return axes, image
    for image in candidates:
        array = _data_space(image)[0]
        if np.allclose(array, expected[::-1], atol=0.01):
            raise CheckFailed("The subtraction image is upside down in mm: with "
                              "`origin=\"upper\"` (the default) use the task's `extent_mm`.")
        if np.allclose(array, np.abs(expected), atol=0.01):
            raise CheckFailed("The image shows the absolute difference: the sign (enhancement "
                              "positive, loss negative) is what the diverging colours show.")
        if np.allclose(array, -expected, atol=0.01):
            raise CheckFailed("The sign is reversed: the image shows pre minus post, so "
                              "enhancement comes out negative. Subtract the pre-contrast "
                              "slice from the post-contrast one.")
        for index in range(N_SLICES):
            other = data.post_volume_hu[index] - data.pre_volume_hu[index]
            if index != data.slice_index and np.allclose(np.abs(array), np.abs(other),
                                                         atol=0.01):
                raise CheckFailed("The image is the subtraction of another slice: use slice "
                                  "`slice_index` of both volumes.")
    raise CheckFailed("No image on `ax_subtraction` shows the subtraction post - pre of the "
                      "task's slice: draw the difference itself with `imshow` (not a "
                      "windowed or RGB copy).")


def _assert_in_mm(image: dict[str, Any], data: Any) -> None:
    dy, dx = data.pixel_spacing
    rows, cols = data.subtraction.shape
    _, x, y = _data_space(image)
    got = np.array([x[0], x[-1], y[0], y[-1]])
    wanted = np.array([0.0, (cols - 1) * dx, 0.0, (rows - 1) * dy])
    if not np.all(np.abs(got - wanted) <= np.array([dx, dx, dy, dy]) / 2 + 1e-6):
        raise CheckFailed("The subtraction image is not placed in mm like the anatomy: give "
                          "`imshow` the task's `extent_mm` (and the default "
                          "`origin=\"upper\"`).")


@checks.add(points=1)
def subtraction_colormap(ax_subtraction, task):
    """Task 3, items 1-2: post - pre of the task's slice in mm, with a colour-blind-safe
    diverging colormap."""
    _, image = _subtraction_image(ax_subtraction, task)
    colors = np.asarray(image["cmap"]["colors"], dtype=float)
    n = len(colors)
    if red_green(colors[0], colors[-1]) or red_green(colors[n // 8], colors[-1 - n // 8]):
        raise CheckFailed("This diverging colormap runs from red to green, which many "
                          "colour-blind readers cannot tell apart; pick another diverging "
                          "map.")
    if not diverging(image["cmap"]):
        raise CheckFailed("The colormap is not a diverging one: a signed difference needs "
                          "two hues for the two signs and a neutral light colour for zero.")


@checks.add(points=1)
def subtraction_norm(ax_subtraction, task):
    """Task 3, item 3: colour scale centred on 0, symmetric limits of +-half_range_hu."""
    _, image = _subtraction_image(ax_subtraction, task)
    norm = image["norm"]
    zero = neutral_at(norm)
    low, high = norm.get("vmin"), norm.get("vmax")
    if zero is None or not math.isclose(zero, 0.5, abs_tol=0.01):
        raise CheckFailed("Zero is not at the middle of the colormap, so \"no change\" does "
                          "not get the neutral colour: centre the norm on 0 (`CenteredNorm`, "
                          "`TwoSlopeNorm(vcenter=0, ...)` or `vmin=-v, vmax=v`).")
    if low is None or high is None or not math.isclose(low, -high, abs_tol=0.5):
        raise CheckFailed("The colour limits are not symmetric around zero: equal colour "
                          "strength should mean equal change on both sides.")
    if not math.isclose(high, task.half_range_hu, abs_tol=0.5):
        raise CheckFailed("The limits are symmetric but not the half-range the task gives "
                          "(`half_range_hu`).")


def _shown_colours(image: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A sample of the image's values and the colours it draws for them."""
    values = _data_of(image).ravel()
    rgba = np.asarray(image["rgba"], dtype=float).reshape(-1, 4) / 255
    finite = np.flatnonzero(np.isfinite(values))
    pick = finite[np.linspace(0, len(finite) - 1, min(len(finite), 4000)).astype(int)]
    order = np.argsort(values[pick])
    return values[pick][order], rgba[pick][order]


@checks.add(points=1)
def colorbar_extend(ax_subtraction, task):
    """Task 3, item 4: a labelled colorbar of the subtraction's colours whose pointed ends
    say that values beyond the limits are clipped."""
    axes, image = _subtraction_image(ax_subtraction, task)
    colorbars = colorbars_of(axes)
    if not colorbars:
        raise CheckFailed("The figure has no colorbar yet: add one for the subtraction image "
                          "(`fig.colorbar(the_image, ax=...)`).")
    values, colours = _shown_colours(image)
    matching = [c for c in colorbars if colorbar_shows(c, values, colours)]
    if not matching:
        raise CheckFailed("The colorbar on the figure does not show the subtraction image's "
                          "colours and limits: make it from the image (`fig.colorbar(image, "
                          "...)`) or with the same colormap and norm.")
    colorbar = matching[0]
    if not (colorbar["label"].strip() or (colorbar.get("title") or "").strip()):
        raise CheckFailed("The colorbar has no label: say what it shows and in which unit "
                          "(e.g. `label=\"post - pre (HU)\"`).")
    allowed = {"both"} if (task.below or task.above) else {"neither"}
    if task.above and not task.below:
        allowed.add("max")
    if task.below and not task.above:
        allowed.add("min")
    if colorbar["extend"] not in allowed:
        if task.below or task.above:
            raise CheckFailed("Values are clipped at an end of the colour scale where the "
                              "colorbar has no pointed end: look at the colorbar's `extend` "
                              "argument.")
        raise CheckFailed("The colorbar's pointed ends say values are clipped, but none are.")
