"""Checks for exercise 07, contours: ground truth vs prediction.

The exercise uses ``fake_ct_slice(size=512, seed=0)`` (0.75 mm pixels), its lesion mask as the
ground truth and ``imperfect_prediction(truth, seed=0)`` as the prediction.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np

from course_utils.checks._predicates import color_blind_safe, outline_box, outlines, red_green, rgb
from course_utils.checks import (CheckFailed, CheckList, first_image, get_axes,
                                       get_number)

checks = CheckList("07_contours")
__all__ = ["checks", "dice_and_jaccard", "gt_vs_prediction_styles", "legend_with_proxies",
           "outline_in_mm", "scores_on_figure"]

SIZE, SEED = 512, 0
PIXEL_SPACING = (0.75, 0.75)
TOLERANCE_MM = 1.5          # two pixels: any contouring of the 0.5 level lands within this



@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from skimage.measure import find_contours

    from course_utils.display import physical_extent
    from course_utils.metrics import dice, jaccard
    from course_utils.phantom import fake_ct_slice, imperfect_prediction

    image, truth = fake_ct_slice(size=SIZE, seed=SEED)
    prediction = imperfect_prediction(truth, seed=SEED)
    dy, dx = PIXEL_SPACING

    def box(mask: np.ndarray) -> np.ndarray:
        points = np.concatenate(find_contours(mask.astype(float), 0.5))
        x, y = points[:, 1] * dx, points[:, 0] * dy
        return np.array([x.min(), x.max(), y.min(), y.max()])

    return {"extent": np.array(physical_extent(image.shape, PIXEL_SPACING)),
            "truth_box": box(truth), "prediction_box": box(prediction),
            "dice": dice(truth, prediction), "jaccard": jaccard(truth, prediction)}


def _matches(box: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.all(np.abs(box - expected) <= TOLERANCE_MM))


def _diagnose_placement(box: np.ndarray) -> str:
    """Why an outline is not where the lesion is, without saying where that is."""
    data = _data()
    dy, dx = PIXEL_SPACING
    expected = data["truth_box"]
    in_pixels = expected / np.array([dx, dx, dy, dy])
    left, right, bottom, top = data["extent"]
    flipped = np.array([expected[0], expected[1], bottom + top - expected[3],
                        bottom + top - expected[2]])
    if np.all(np.abs(box - in_pixels) <= TOLERANCE_MM / dx):
        return ("The outline is drawn in pixel units while the image is in mm: give the "
                "contour the same `extent` as the image.")
    if np.all(np.abs(box - flipped) <= TOLERANCE_MM):
        return ("The outline is upside down compared with the image: `contour` puts row 0 "
                "at the bottom unless you tell it the image's `origin`.")
    if _matches(box, data["prediction_box"]):
        return "This outline is the prediction's; this task outlines the ground truth."
    return ("The outline does not lie on the lesion's edge: contour the ground-truth mask "
            "(as float) at the level half-way between 0 and 1, with the image's extent.")


@checks.add(points=1)
def outline_in_mm(ax_outline):
    """The image in mm and the ground-truth outline at level 0.5 on top of it, in mm."""
    axes = get_axes(ax_outline, "ax_outline")
    image = first_image(axes, "ax_outline")
    extent = np.asarray(image["extent"], dtype=float)
    if not np.allclose(extent, _data()["extent"], atol=0.5):
        raise CheckFailed("The image on `ax_outline` is not drawn in mm: give `imshow` an "
                          "`extent` computed from the pixel spacing (pixel centres at "
                          "index x spacing).")
    contours = outlines(axes)
    if not contours:
        raise CheckFailed("No outline on `ax_outline` yet: draw one with `ax.contour` (a "
                          "filled `contourf` or an overlay is not an outline).")
    for contour in contours:
        levels = np.asarray(contour.get("levels", []), dtype=float)
        if levels.size != 1 or not math.isclose(float(levels[0]), 0.5, abs_tol=1e-6):
            raise CheckFailed("The outline should be exactly one contour level, half-way "
                              "between the mask's 0 and 1: look at the `levels` argument.")
    boxes = [outline_box(c) for c in contours]
    if not any(_matches(box, _data()["truth_box"]) for box in boxes):
        raise CheckFailed(_diagnose_placement(boxes[0]))


def _is_solid(contour: dict[str, Any]) -> bool:
    dashes = contour.get("dashes") or [[0.0, None]]
    return dashes[0][1] is None


def _style_key(contour: dict[str, Any]) -> Any:
    dashes = contour.get("dashes") or [[0.0, None]]
    pattern = dashes[0][1]
    return None if pattern is None else tuple(round(p, 2) for p in pattern)


def _truth_and_prediction(axes: dict[str, Any], name: str) -> tuple[dict, dict]:
    data = _data()
    contours = outlines(axes)
    truth = [c for c in contours if _matches(outline_box(c), data["truth_box"])]
    prediction = [c for c in contours if _matches(outline_box(c), data["prediction_box"])
                  and not any(c is t for t in truth)]
    if not truth or not prediction:
        if len(contours) < 2:
            raise CheckFailed(f"`{name}` needs two outlines, the ground truth and the "
                              "prediction, each drawn with `ax.contour` at level 0.5.")
        missing = "ground truth" if not truth else "prediction"
        raise CheckFailed(f"No outline on `{name}` matches the {missing} in mm: contour each "
                          "mask with the image's `extent` and `origin`.")
    return truth[0], prediction[0]


@checks.add(points=1)
def gt_vs_prediction_styles(ax_compare):
    """Ground truth and prediction outlined in colour-blind-safe colours and two line styles."""
    axes = get_axes(ax_compare, "ax_compare")
    truth, prediction = _truth_and_prediction(axes, "ax_compare")
    colour_truth = rgb(truth["edgecolors"][0])
    colour_prediction = rgb(prediction["edgecolors"][0])
    if red_green(colour_truth, colour_prediction):
        raise CheckFailed("Red and green are the pair that about 1 man in 12 cannot tell "
                          "apart: pick a colour-blind-safe pair (see the Okabe-Ito palette).")
    if not color_blind_safe(colour_truth, colour_prediction):
        raise CheckFailed("The two outline colours look alike to readers with red-green "
                          "colour blindness: pick a pair that differs in lightness and hue "
                          "(see the Okabe-Ito palette).")
    if _style_key(truth) == _style_key(prediction):
        raise CheckFailed("Both outlines have the same line style: colour alone fails in "
                          "greyscale print; give one of them another `linestyles`.")


_TRUTH_WORDS = ("truth", "ground", "reference", "gt", "manual", "expert", "annotation")
_PREDICTION_WORDS = ("predict", "model", "output", "automatic", "network", "pred")


def _legend_entry(legend: dict[str, Any], words: tuple[str, ...]) -> dict[str, Any] | None:
    for handle in legend["handles"]:
        label = handle["label"].lower()
        if any(re.search(rf"\b{word}", label) for word in words):
            return handle
    return None


def _handle_matches(handle: dict[str, Any], contour: dict[str, Any]) -> bool:
    colour = handle.get("color") or handle.get("edgecolor")
    if colour is None or np.ndim(colour) != 1:
        return False
    same_colour = np.allclose(rgb(colour), rgb(contour["edgecolors"][0]), atol=0.02)
    style = handle.get("linestyle")
    handle_solid = style in ("-", "solid") or (isinstance(style, list) and style[1] is None)
    return bool(same_colour and handle_solid == _is_solid(contour))


@checks.add(points=1)
def legend_with_proxies(ax_compare):
    """A legend naming ground truth and prediction, styled like the two outlines."""
    axes = get_axes(ax_compare, "ax_compare")
    legend = axes["legend"]
    if legend is None or not legend["handles"]:
        raise CheckFailed("`ax_compare` has no legend entries yet. Contour sets have no "
                          "legend handle of their own: make one proxy artist per outline "
                          "(a line with the same colour and style, and a label) and look "
                          "at the `handles` argument of `ax.legend`.")
    truth_entry = _legend_entry(legend, _TRUTH_WORDS)
    prediction_entry = _legend_entry(legend, _PREDICTION_WORDS)
    if truth_entry is None or prediction_entry is None:
        raise CheckFailed("The legend should name both outlines, e.g. one entry that says "
                          "ground truth and one that says prediction.")
    truth, prediction = _truth_and_prediction(axes, "ax_compare")
    if not (_handle_matches(truth_entry, truth) and _handle_matches(prediction_entry, prediction)):
        raise CheckFailed("A legend entry does not look like the outline it names: give "
                          "each proxy the colour and line style of its contour.")


@checks.add(points=1)
def dice_and_jaccard(dice_score, jaccard_score):
    """Dice and Jaccard of the ground truth and the prediction."""
    dice_value = get_number(dice_score, "dice_score")
    jaccard_value = get_number(jaccard_score, "jaccard_score")
    expected_dice, expected_jaccard = _data()["dice"], _data()["jaccard"]
    for value, name in ((dice_value, "dice_score"), (jaccard_value, "jaccard_score")):
        if not 0 <= value <= 1:
            raise CheckFailed(f"`{name}` should lie between 0 and 1 (a fraction of pixels, "
                              "not a percentage or a pixel count).")
    close = functools.partial(math.isclose, abs_tol=1e-3)
    if close(dice_value, expected_jaccard) and close(jaccard_value, expected_dice):
        raise CheckFailed("The two scores are swapped: Jaccard (intersection over union) is "
                          "never larger than Dice.")
    if not close(dice_value, expected_dice):
        if close(dice_value, expected_dice / 2):
            raise CheckFailed("`dice_score` is half of what it should be: Dice counts the "
                              "intersection twice over the sum of both mask sizes.")
        raise CheckFailed("`dice_score` is not the Dice coefficient of the two masks: count "
                          "the pixels in both masks (intersection) and in each mask.")
    if not close(jaccard_value, expected_jaccard):
        if close(jaccard_value, expected_dice / 2):
            raise CheckFailed("`jaccard_score` divides by the sum of the mask sizes: Jaccard "
                              "divides the intersection by the union.")
        raise CheckFailed("`jaccard_score` is not the Jaccard index: intersection over union "
                          "of the two masks.")


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _shows(text: str, value: float) -> bool:
    for token in _NUMBER.findall(text):
        number = float(token)
        decimals = len(token.split(".")[1]) if "." in token else 0
        tolerance = 0.5 * 10 ** -decimals + 1e-9
        if decimals >= 2 and abs(number - value) <= tolerance:
            return True
        if abs(number - 100 * value) <= max(tolerance, 0.05) and decimals <= 2 and number > 1:
            return True
    return False


@checks.add(points=1)
def scores_on_figure(ax_compare):
    """Dice and Jaccard written on the comparison figure."""
    axes = get_axes(ax_compare, "ax_compare")
    texts = [t["text"] for t in axes["texts"]] + [axes["title"], *axes["titles"].values()]
    if axes["legend"] is not None:
        texts.append(axes["legend"]["title"])
    joined = "\n".join(t for t in texts if t)
    lowered = joined.lower()
    if "dice" not in lowered or not ("jaccard" in lowered or "iou" in lowered):
        raise CheckFailed("Write both scores on `ax_compare` (e.g. with `ax.text`), each "
                          "with its name, Dice and Jaccard.")
    data = _data()
    if not (_shows(joined, data["dice"]) and _shows(joined, data["jaccard"])):
        raise CheckFailed("The text on `ax_compare` names the scores but does not show "
                          "their values (to at least two decimals, or as a percentage).")
