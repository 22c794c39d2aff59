"""Checks for exercise 06, segmentation masks.

The exercise's data are rebuilt here: the phantom ``chest_volume(shape=(72, 256, 256),
spacing=(4.0, 1.5, 1.5), seed=0)``, its label map, and slice :data:`SLICE` (above the heart,
so not every class is present: automatic colour limits would shift the colours).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_axes, type_of

checks = CheckList("06_segmentation_masks")
__all__ = ["CHEST", "DICE_BAR", "SLICE", "checks", "class_legend", "fixed_limits_nearest",
           "lung_segmentation", "transparent_background"]

CHEST = {"shape": (72, 256, 256), "spacing": (4.0, 1.5, 1.5), "seed": 0}
#: The slice whose label map is drawn.
SLICE = 54
#: Dice score against the phantom's lungs that a lung mask must reach.
DICE_BAR = 0.95


@lru_cache(maxsize=1)
def _chest():
    from course_utils.phantom import chest_volume

    return chest_volume(shape=CHEST["shape"], spacing=CHEST["spacing"], seed=CHEST["seed"])


def _labels() -> np.ndarray:
    return _chest().labels[SLICE].astype(np.int64)


def _n_classes() -> int:
    return max(_chest().classes.values()) + 1


def _overlay(ax_labels) -> dict:
    ax = get_axes(ax_labels, "ax_labels")
    images = ax["images"]
    if len(images) < 2:
        raise CheckFailed("Draw two layers on `ax_labels`: the CT slice, then the label map on "
                          "top of it.")
    return images[-1]


def _image_data(image: dict) -> tuple[np.ndarray, np.ndarray | None]:
    array = image["array"]
    if type_of(array) == "masked_array":
        return np.asarray(array["data"]), np.asarray(array["mask"], dtype=bool)
    return np.asarray(array), None


def _colour_index(values: np.ndarray, image: dict) -> np.ndarray:
    """Index into the colormap's colours that matplotlib uses for each value (linear norm)."""
    vmin, vmax = image["clim"]
    n = int(image["cmap"]["N"])
    x = (np.asarray(values, dtype=float) - vmin) / (vmax - vmin)
    index = np.floor(x * n).astype(int)
    index[x == 1.0] = n - 1
    return index  # < 0: "under" colour, >= n: "over" colour


def _rgba_of(values: np.ndarray, image: dict) -> np.ndarray:
    cmap = image["cmap"]
    colours = np.asarray(cmap["colors"], dtype=float)
    index = _colour_index(values, image)
    out = colours[np.clip(index, 0, len(colours) - 1)].copy()
    out[index < 0] = cmap["under"]
    out[index >= len(colours)] = cmap["over"]
    return out


def _pixel_rgba(image: dict) -> np.ndarray:
    """The RGBA matplotlib paints for every pixel of a described image (before resampling)."""
    data, mask = _image_data(image)
    if data.ndim == 3:
        rgba = np.ones(data.shape[:2] + (4,))
        channels = data.astype(float) / (255.0 if data.dtype.kind in "iu" else 1.0)
        rgba[..., :channels.shape[-1]] = channels[..., :4]
    else:
        if "colors" not in image["cmap"]:
            raise CheckFailed("Use a colormap with one colour per class (a ListedColormap).")
        rgba = _rgba_of(data, image)
        if mask is not None:
            rgba[mask] = image["cmap"]["bad"]
    alpha = image["alpha"]
    if isinstance(alpha, np.ndarray):
        rgba[..., 3] = rgba[..., 3] * alpha
    elif alpha is not None:
        rgba[..., 3] = rgba[..., 3] * float(alpha)
    return rgba


@checks.add(points=1)
def transparent_background(ax_labels):
    """The label map of the slice over the CT, fully transparent where the label is 0."""
    image = _overlay(ax_labels)
    labels = _labels()
    data, mask = _image_data(image)
    if data.shape[:2] != labels.shape:
        raise CheckFailed(f"The top layer has shape {tuple(data.shape[:2])}, not the slice's "
                          f"{labels.shape}.")
    if data.ndim == 2:
        shown = ~mask if mask is not None else np.ones(labels.shape, bool)
        if not np.allclose(data[shown], labels[shown]):
            raise CheckFailed(f"The top layer is not the label map of slice {SLICE}: draw "
                              "`label_slice` (integer labels) over the CT.")
    rgba = _pixel_rgba(image)
    background = labels == 0
    if rgba[background, 3].max() > 1e-6:
        raise CheckFailed("The background (label 0) is drawn, so the whole slice is tinted: "
                          "make it fully transparent (mask it out, or give it alpha 0).")
    if np.any(rgba[~background, 3] <= 1e-6):
        raise CheckFailed("Some labelled pixels are invisible: only label 0 should be "
                          "transparent.")


@checks.add(points=1)
def fixed_limits_nearest(ax_labels):
    """Nearest interpolation on the RGBA stage and colour limits fixed for all classes."""
    image = _overlay(ax_labels)
    if image["interpolation"] not in ("nearest", "none"):
        raise CheckFailed(f"interpolation={image['interpolation']!r} mixes neighbouring labels "
                          "into classes that are not there: each pixel must keep its colour.")
    data, _ = _image_data(image)
    if data.ndim == 3:
        return  # an RGBA image: the colours are fixed already
    if image["interpolation_stage"] != "rgba":
        raise CheckFailed("Resampling for display may still happen on the label values: ask "
                          "matplotlib to interpolate the colours instead (interpolation_stage).")
    classes = np.arange(_n_classes())
    index = _colour_index(classes, image)
    n = int(image["cmap"]["N"])
    labels = _labels()
    vmin, vmax = image["clim"]
    if np.isclose(vmin, labels.min()) and np.isclose(vmax, labels.max()):
        raise CheckFailed("The colour limits are the smallest and largest label in this slice, "
                          "so each class's colour depends on which classes the slice holds. Fix "
                          "them for the whole set of classes.")
    if len(set(index.tolist())) != len(classes) or index.min() < 0 or index.max() >= n:
        raise CheckFailed("With these colour limits some classes share a colour or fall off the "
                          "colormap: every class from 0 to the largest label needs its own "
                          "colour.")


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


@checks.add(points=1)
def class_legend(ax_labels):
    """A legend with one entry per class present (not the background), in the overlay's colours."""
    ax = get_axes(ax_labels, "ax_labels")
    legend = ax["legend"]
    if legend is None:
        raise CheckFailed("`ax_labels` has no legend. An image adds no legend entries: make one "
                          "patch per class and pass them as handles.")
    chest = _chest()
    names = {value: name for name, value in chest.classes.items()}
    labels = _labels()
    present = [int(k) for k in np.unique(labels) if k != 0]
    given = [_normalise(text) for text in legend["labels"]]
    if "background" in given:
        raise CheckFailed("The background is not drawn, so it has no place in the legend.")
    wanted = {_normalise(names[k]) for k in present}
    if len(given) != len(present) or set(given) != wanted:
        raise CheckFailed(f"The legend has {len(given)} entries; it needs one per class present "
                          f"in slice {SLICE} (not the background), named as in `CLASSES`.")
    image = _overlay(ax_labels)
    rgba = _pixel_rgba(image)
    by_name = {_normalise(names[k]): rgba[labels == k][0, :3] for k in present}
    for handle in legend["handles"]:
        colour = handle.get("facecolor") or handle.get("color")
        if colour is None or np.ndim(colour) != 1:
            continue
        expected = by_name[_normalise(handle["label"])]
        if np.abs(np.asarray(colour[:3]) - expected).max() > 0.02:
            raise CheckFailed(f"The legend colour of {handle['label']!r} is not the colour of "
                              "that class in the overlay.")


@lru_cache(maxsize=1)
def _reference_lungs() -> np.ndarray:
    return _chest().mask("lung_right", "lung_left")


@checks.add(points=2)
def lung_segmentation(lung_mask_volume):
    """A 3D lung mask from HU (threshold, air inside the body, two largest components)."""
    from scipy import ndimage

    from course_utils.metrics import dice

    mask = get_array(lung_mask_volume, "lung_mask_volume")
    reference = _reference_lungs()
    if mask.shape != reference.shape:
        raise CheckFailed(f"`lung_mask_volume` has shape {tuple(mask.shape)}; it should have the "
                          f"shape of `chest.hu`, {reference.shape}.")
    if mask.dtype != bool:
        if not np.all(np.isin(np.unique(mask), (0, 1))):
            raise CheckFailed("`lung_mask_volume` should be a boolean mask (True in the lungs), "
                              "not HU or labels.")
        mask = mask.astype(bool)
    if not mask.any():
        raise CheckFailed("`lung_mask_volume` is empty: lungs are darker than the threshold, "
                          "tissue brighter.")
    edge = np.zeros(mask.shape, bool)
    edge[:, 0, :] = edge[:, -1, :] = edge[:, :, 0] = edge[:, :, -1] = True
    if (mask & edge).sum() > 100:
        raise CheckFailed("The mask reaches the edge of the image: it holds the air outside the "
                          "patient. Keep only the air inside the body.")
    count = ndimage.label(mask)[1]
    if count > 2:
        raise CheckFailed(f"The mask has {count} separate pieces: the lungs are two; keep the two "
                          "largest connected components (this drops the trachea and specks).")
    score = dice(mask, reference)
    if score < DICE_BAR:
        raise CheckFailed(f"The Dice score against the phantom's lungs is {score:.2f}, below "
                          f"{DICE_BAR}: check the threshold (lung is about -850 HU, soft "
                          "tissue about +40 HU).")
