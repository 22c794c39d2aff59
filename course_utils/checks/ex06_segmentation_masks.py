"""Checks for exercise 06, segmentation masks.

The task data (:func:`make_task`, one per variant) are a synthetic chest volume on a
non-square grid with non-square pixels, two ground-glass regions (one per lung) whose HU lie
just below and just above the variant's air threshold (so a cut-off off in either direction
changes the lung mask), the slice whose label map is drawn (never holding the largest class, so
automatic colour limits shift the colours), which classes that label map shows, their colours
and the overlay's opacity. They hold the exercise's input only: the expected lung mask and the
hazy regions (:func:`expected`) stay in the grader's process.

The overlay is judged by what it shows: where it lies (the slice is drawn in mm), the colour and
opacity of every pixel, the colour the colormap and norm give to every class (present or not),
its interpolation, and the legend entries' names and colours whatever the proxy artist.

Examples
--------
>>> t = task(0)
>>> t.label_slice.shape == t.hu_slice.shape, int(t.label_slice.max()) < max(t.classes.values())
(True, True)
>>> hasattr(t, "lungs"), expected(t).lungs.shape == t.hu.shape
(False, True)
"""

from __future__ import annotations

import functools
import types
from typing import Any

import numpy as np

from course_utils.checks import CheckFailed, CheckList, get_array, get_axes
from course_utils.checks._predicates import (FLIP_NAMES, FLIPS, flip,
                                             image_array, image_box, images_aligned,
                                             legend_entries, on_grid_of, rgb)

checks = CheckList("06_segmentation_masks")
__all__ = ["checks", "class_legend", "expected", "fixed_limits_nearest", "lung_segmentation",
           "make_task", "task", "transparent_background"]

#: Okabe-Ito colours; each variant gives them to the classes 1..6 in another order.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#D55E00")
_SHAPES = ((44, 168, 192), (42, 176, 184), (46, 160, 200), (40, 172, 196))
_SPACINGS = ((6.0, 2.2, 2.0), (6.5, 2.15, 2.0), (6.0, 2.3, 1.9), (6.5, 2.15, 1.95))
#: The air threshold of each variant. Two hazy regions sit just on either side of it
#: (``_HAZE_OFFSET`` HU), one per lung, so that a cut-off off by more than that changes the mask.
_THRESHOLDS = (-400, -350, -450, -300, -500, -380)
_HAZE_OFFSET = 40.0
_ALPHAS = (0.5, 0.6, 0.4, 0.55)
_SHOWN = (("lung_right", "lung_left", "lesion", "spine"),
          ("lung_right", "lung_left", "spine"),
          ("body", "lung_right", "lung_left", "spine"),
          ("lung_right", "lung_left", "lesion"),
          ("lung_left", "lung_right", "spine", "lesion"))


def _hazy_ball(lungs: np.ndarray, lung: np.ndarray, lung_name: str,
               spacing: tuple[float, ...], radius: float = 28.0) -> np.ndarray:
    """A ball on the outer border of one lung, cut to that lung: a bite, not a hole."""
    z, y = (int(round(np.mean(axis))) for axis in np.nonzero(lung)[:2])
    row = np.flatnonzero(lung[z, y])
    x = int(row[0] if lung_name == "lung_right" else row[-1])
    reach = [int(np.ceil(radius / s)) for s in spacing]
    box = tuple(slice(max(c - r, 0), c + r + 1) for c, r in zip((z, y, x), reach))
    grid = np.ogrid[box]
    ball = np.zeros(lungs.shape, bool)
    ball[box] = sum(((g - c) * s) ** 2 for g, c, s in zip(grid, (z, y, x), spacing)) <= radius**2
    return ball & lung


@functools.lru_cache(maxsize=4)
def _build(variant: int) -> tuple[types.SimpleNamespace, types.SimpleNamespace]:
    """(task data, what only the checks see) of ``variant``: the learner's notebook gets the
    first; the expected lung mask and the hazy regions stay in the grader's process."""
    from course_utils.phantom import CLASSES, chest_volume
    from course_utils.segment import body_mask, largest_component

    rng = np.random.default_rng(2000 + variant)
    shape = _SHAPES[variant % len(_SHAPES)]
    spacing = _SPACINGS[variant % len(_SPACINGS)]
    chest = chest_volume(shape=shape, spacing=spacing, seed=variant)
    threshold = float(_THRESHOLDS[variant % len(_THRESHOLDS)])
    # two ground-glass regions (partly aerated lung), one per lung, on either side of the
    # threshold: which lung holds the one below it follows the variant
    below_name, above_name = (("lung_right", "lung_left"), ("lung_left", "lung_right"))[
        variant % 2]
    hu = chest.hu
    hazes = {}
    for name, offset in ((below_name, -_HAZE_OFFSET), (above_name, _HAZE_OFFSET)):
        region = _hazy_ball(chest.labels, chest.labels == CLASSES[name], name, spacing)
        hu[region] = (np.float32(threshold + offset)
                      + rng.standard_normal(int(region.sum())).astype(np.float32) * 12)
        hazes[offset < 0] = region
    lungs = largest_component((hu < threshold) & body_mask(hu), n=2)
    # the drawn slice: through the lungs, without the heart (the largest label)
    heart = (chest.labels == CLASSES["heart"]).any(axis=(1, 2))
    lung_area = (chest.labels == CLASSES["lung_right"]).sum(axis=(1, 2))
    candidates = np.flatnonzero(~heart & (lung_area > 0.5 * lung_area.max()))
    index = int(candidates[int(rng.integers(len(candidates)))])
    shown = _SHOWN[variant % len(_SHOWN)]
    labels = chest.labels[index].astype(np.int64)
    label_slice = np.where(np.isin(labels, [CLASSES[n] for n in shown]), labels, 0)
    order = rng.permutation(len(OKABE_ITO))
    label_colors = [OKABE_ITO[k] for k in order]
    data = types.SimpleNamespace(
        variant=variant, hu=hu, spacing=spacing, classes=dict(CLASSES), slice_index=index,
        hu_slice=hu[index], label_slice=label_slice, shown=tuple(shown),
        label_colors=label_colors, label_alpha=_ALPHAS[variant % len(_ALPHAS)],
        air_threshold=threshold)
    hidden = types.SimpleNamespace(lungs=lungs, haze_below=hazes[True], haze_above=hazes[False])
    return data, hidden


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The chest volume, drawn slice, classes, colours, opacity and threshold of ``variant``:
    the exercise's input only (the expected lung mask is computed in the check)."""
    return _build(variant)[0]


def expected(t: types.SimpleNamespace) -> types.SimpleNamespace:
    """What the checks compare with for the task data ``t``: the recipe's lung mask
    (``lungs``) and the two hazy regions just below and above the threshold."""
    return _build(t.variant)[1]


task = checks.task


# --------------------------------------------------------------------------- helpers

def _class_rgb(t: types.SimpleNamespace, k: int) -> np.ndarray:
    from matplotlib.colors import to_rgb
    return np.array(to_rgb(t.label_colors[k - 1]))




def _agreement(alpha: np.ndarray, labelled: np.ndarray) -> float:
    """Share of pixels where "drawn" (opacity above 0) and "labelled" agree."""
    return float(np.mean((alpha > 0.5 / 255) == labelled))


def _composite(rgbas: list[np.ndarray]) -> np.ndarray:
    """Layers (rows, columns, 4) in [0, 1], first at the bottom, composited ("over")."""
    colour = np.zeros(rgbas[0].shape[:2] + (3,))
    alpha = np.zeros(rgbas[0].shape[:2])
    for rgba in rgbas:
        a = rgba[..., 3]
        colour = rgba[..., :3] * a[..., None] + colour * (1 - a[..., None])
        alpha = a + alpha * (1 - a)
    with np.errstate(invalid="ignore", divide="ignore"):
        colour = np.where(alpha[..., None] > 0, colour / alpha[..., None], 0.0)
    return np.concatenate([colour, alpha[..., None]], axis=-1)


class _Overlay(types.SimpleNamespace):
    """The slice layer (``base``, flipped by ``base_flips`` relative to ``hu_slice``), the
    label layers drawn above it (``layers``), and their composite colours pixel for pixel of
    ``label_slice`` (``rgba``, in whichever row and column order the layers hold the labels)."""


def _layers(ax_labels: Any, t: types.SimpleNamespace) -> _Overlay:
    """The slice and the label layers on top of it, or a CheckFailed that says what is drawn.

    The labels may be one image (a label map, an RGBA image) or several (one masked layer per
    class): what counts is what they show together."""
    ax = get_axes(ax_labels, "ax_labels")
    order = sorted(range(len(ax["images"])), key=lambda i: (ax["images"][i]["zorder"], i))
    images = [ax["images"][i] for i in order if ax["images"][i]["visible"]]
    if len(images) < 2:
        raise CheckFailed("Only one layer is drawn on `ax_labels`: draw `label_slice` on top of "
                          "the CT slice.")
    shape = list(t.label_slice.shape)
    slices, base_flips = [], (False, False)
    for k, im in enumerate(images):
        if im["shape"] != shape:
            continue
        values = np.ma.filled(image_array(im), np.nan)
        for flips in FLIPS:
            if np.allclose(values, flip(t.hu_slice, flips), atol=0.5, equal_nan=True):
                if not slices:
                    base_flips = flips
                slices.append(k)
                break
    if not slices:
        raise CheckFailed("The CT slice `hu_slice` is no longer drawn on `ax_labels`: keep the "
                          "`show_slice` line and draw the labels on top of it.")
    base = slices[0]
    others = [k for k in range(len(images)) if k not in slices]
    if not others:
        raise CheckFailed("Only the CT slice is drawn on `ax_labels`: draw `label_slice` on "
                          "top of it.")
    above = [k for k in others if k > base]
    if not above:
        raise CheckFailed("The label map is drawn under the CT slice, which hides it: draw the "
                          "slice first, then the labels.")
    layers = [images[k] for k in above]
    for layer in layers:
        if layer["shape"][:2] != shape:
            raise CheckFailed(f"A layer over the slice has shape {tuple(layer['shape'][:2])}, "
                              f"not that of `label_slice`, {tuple(shape)}.")
    if len(layers) == 1 and len(layers[0]["shape"]) == 2:
        data = image_array(layers[0])
        shown = ~np.ma.getmaskarray(data)
        values = np.ma.filled(data, 0)
        if not any(np.allclose(values[shown], flip(t.label_slice, flips)[shown])
                   for flips in FLIPS):
            raise CheckFailed("The layer over the slice is not `label_slice` of the setup "
                              "cell: draw that label map (integer labels) over the CT.")
    raw = _composite([np.asarray(layer["rgba"], dtype=float) / 255 for layer in layers])
    labelled = t.label_slice > 0
    held = max(FLIPS, key=lambda flips: _agreement(raw[..., 3], flip(labelled, flips)))
    return _Overlay(ax=ax, base=images[base], base_flips=base_flips, layers=layers,
                    rgba=flip(raw, held))


def _class_colours(layer: dict, n_classes: int) -> np.ndarray | None:
    """The RGB the layer's colormap and norm give to each class 0..n-1 (None for RGB data)."""
    if len(layer["shape"]) == 3:
        return None
    norm, cmap = layer["norm"], layer["cmap"]
    samples = norm.get("samples")
    values = np.arange(n_classes, dtype=float)
    if norm["type"] == "Normalize" and norm["vmin"] is not None and norm["vmax"] is not None:
        x = (values - norm["vmin"]) / (norm["vmax"] - norm["vmin"])
    elif samples is not None:
        x = np.interp(values, samples["x"], samples["y"], left=-1.0, right=2.0)
        if norm["type"] == "BoundaryNorm":
            x = (x + 0.5) / int(cmap["N"])  # colour indices, as fractions of the colormap
    else:
        return None
    n = int(cmap["N"])
    index = np.floor(x * n)
    index[x == 1.0] = n - 1
    colours = np.asarray(cmap["colors"], dtype=float)
    out = colours[np.clip(np.round((np.clip(index, 0, n - 1) + 0.5) / n * 255).astype(int), 0,
                          255), :3]
    out[index < 0] = rgb(np.asarray(cmap["under"]))
    out[index >= n] = rgb(np.asarray(cmap["over"]))
    return out


def _names(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


# --------------------------------------------------------------------------- checks

@checks.add(points=1)
def transparent_background(ax_labels, task):
    """The label map on top of the slice, on its extent, background fully transparent, every
    labelled pixel drawn with opacity `label_alpha`."""
    drawn = _layers(ax_labels, task)
    base = drawn.base
    for layer in drawn.layers:
        if not images_aligned(base, layer):
            shift = np.abs(image_box(base) - image_box(layer)).max()
            raise CheckFailed(f"The label map does not lie on the slice (its corners are up to "
                              f"{shift:.0f} units from the slice's): the slice is drawn in mm, "
                              "and imshow without `extent=` places the labels in pixel indices.")
    placed = flip(_composite([on_grid_of(base, layer).astype(float) / 255
                               for layer in drawn.layers]), drawn.base_flips)
    labelled = task.label_slice > 0
    scores = {flips: _agreement(placed[..., 3], flip(labelled, flips)) for flips in FLIPS}
    best = max(scores, key=scores.get)
    if best != (False, False) and scores[best] > scores[(False, False)] + 0.005:
        raise CheckFailed(f"The label map is drawn {FLIP_NAMES[best]} relative to the slice "
                          "(another `origin`, or an `extent` in another order than the "
                          "slice's), so the labels land on other anatomy.")
    alpha = drawn.rgba[..., 3]
    background = ~labelled
    if alpha[background].max() > 0.5 / 255:
        raise CheckFailed("The background (label 0) is drawn, so the whole slice is tinted: "
                          "make it fully transparent (a transparent first colour, a masked array, "
                          "or alpha 0).")
    opacity = alpha[labelled]
    if np.mean(opacity <= 0.5 / 255) > 0.001:
        raise CheckFailed("Some labelled pixels are invisible: only label 0 should be "
                          "transparent.")
    if np.abs(np.median(opacity) - task.label_alpha) > 0.03 or np.ptp(opacity) > 0.03:
        raise CheckFailed(f"The labelled pixels are drawn with opacity {np.median(opacity):.2f}"
                          f"{' (not the same everywhere)' if np.ptp(opacity) > 0.03 else ''}:"
                          " the task asks for `label_alpha` on every labelled pixel.")


@checks.add(points=1)
def fixed_limits_nearest(ax_labels, task):
    """Nearest interpolation on the RGBA stage, and every class in its colour from
    `label_colors` whatever the slice holds (fixed colour limits)."""
    drawn = _layers(ax_labels, task)
    for layer in drawn.layers:
        if layer["interpolation"] not in ("nearest", "none"):
            raise CheckFailed(f"interpolation={layer['interpolation']!r} can blend neighbouring "
                              "labels into classes that are not there: each pixel must keep "
                              "its colour (nearest).")
        if len(layer["shape"]) == 2 and layer["interpolation_stage"] != "rgba":
            raise CheckFailed(f"interpolation_stage={layer['interpolation_stage']!r}: "
                              "resampling for display may still happen on the label values; "
                              "ask matplotlib to resample the colours instead (the RGBA "
                              "stage).")
    colours = drawn.rgba[..., :3]
    present = [int(k) for k in np.unique(task.label_slice) if k != 0]
    names = {value: name for name, value in task.classes.items()}
    n_classes = max(task.classes.values()) + 1
    single = drawn.layers[0] if len(drawn.layers) == 1 else None
    limits = (single or {}).get("clim") or [None, None]
    automatic = (limits[0] is not None and limits[1] is not None
                 and np.isclose(limits[0], task.label_slice.min())
                 and np.isclose(limits[1], task.label_slice.max()))
    for k in present:
        shade = np.median(colours[task.label_slice == k], axis=0)
        if np.abs(shade - _class_rgb(task, k)).max() > 0.03:
            if automatic:
                raise CheckFailed("The colour limits are the smallest and largest label of "
                                  "this slice, so each class's colour depends on which classes "
                                  "the slice holds: fix them for the whole set of classes.")
            raise CheckFailed(f"Class {names[k]!r} is not drawn in its colour from "
                              "`label_colors` (class k has colour k - 1 of the list).")
    for layer in drawn.layers:
        # a layer that maps several labels through a colormap: its limits must hold for every
        # class (a layer of one class in one colour keeps its colour whatever the limits)
        if len(layer["shape"]) != 2:
            continue
        data = image_array(layer)
        held = np.unique(np.ma.filled(data, 0)[~np.ma.getmaskarray(data)])
        many_colours = np.ptp(np.asarray(layer["cmap"]["colors"])[:, :3], axis=0).max() > 0.03
        if len(held[held != 0]) < 2 or not many_colours:
            continue
        by_class = _class_colours(layer, n_classes)
        if by_class is None:
            continue
        wrong = [names[k] for k in range(1, n_classes)
                 if np.abs(by_class[k] - _class_rgb(task, k)).max() > 0.03]
        if wrong:
            raise CheckFailed(f"With these colour limits, classes that are not in this slice "
                              f"({', '.join(wrong)}) would not get their colour from "
                              "`label_colors`: the limits must hold for all classes 0 to "
                              f"{n_classes - 1}, not only those of this slice.")


@checks.add(points=1)
def class_legend(ax_labels, task):
    """A legend (on the Axes or the figure) with one entry per class present, named as in
    `CLASSES`, in the class's colour; no entry for the background."""
    ax = get_axes(ax_labels, "ax_labels")
    entries = legend_entries(ax)
    if not entries:
        raise CheckFailed("`ax_labels` has no legend. An image adds no legend entries: make one "
                          "proxy (a Patch, a square marker...) per class and pass them as "
                          "handles.")
    names = {value: name for name, value in task.classes.items()}
    present = {names[int(k)]: int(k) for k in np.unique(task.label_slice) if k != 0}
    given = [_names(entry["label"]) for entry in entries]
    if "background" in given:
        raise CheckFailed("The legend has an entry for the background, which is not drawn.")
    unknown = [entry["label"] for entry in entries if _names(entry["label"]) not in task.classes]
    if unknown:
        raise CheckFailed(f"Legend entries {unknown} are not class names of `CLASSES`.")
    absent = [label for label in given if label not in present]
    if absent:
        raise CheckFailed(f"The legend names {absent}, which are not drawn in `label_slice`: one "
                          "entry per class present, no more.")
    missing = [name for name in present if name not in given]
    if missing or len(given) != len(set(given)):
        raise CheckFailed(f"The legend has {len(given)} entries for {len(present)} classes "
                          f"present in `label_slice`: one entry per class, each once"
                          f"{' (some are missing)' if missing else ''}.")
    for entry in entries:
        expected = _class_rgb(task, present[_names(entry["label"])])
        if not any(np.abs(rgb(np.asarray(c)) - expected).max() <= 0.03
                   for c in entry["colors"]):
            raise CheckFailed(f"The legend entry {entry['label']!r} is not in the colour of that "
                              "class in `label_colors`.")


@checks.add(points=2)
def lung_segmentation(lung_mask_volume, task):
    """A 3D lung mask: HU below `air_threshold` inside the body, the two largest components."""
    from scipy import ndimage

    from course_utils.metrics import dice

    mask = get_array(lung_mask_volume, "lung_mask_volume")
    secret = expected(task)
    if mask.shape != secret.lungs.shape:
        raise CheckFailed(f"`lung_mask_volume` has shape {tuple(mask.shape)}; it should have the "
                          "shape of `hu`, the whole volume.")
    if mask.dtype != bool:
        if not np.all(np.isin(np.unique(mask), (0, 1))):
            raise CheckFailed("`lung_mask_volume` should be a boolean mask (True in the lungs), "
                              "not HU or labels.")
        mask = mask.astype(bool)
    if not mask.any():
        raise CheckFailed("`lung_mask_volume` is empty: no voxel is selected.")
    threshold = task.air_threshold
    if np.mean(task.hu[mask] > threshold) > 0.5:
        if mask[secret.lungs].mean() < 0.5:
            raise CheckFailed("The mask is inverted: it is True where the HU are above "
                              "`air_threshold` (tissue) and False in the lungs. Select the "
                              "voxels below the threshold.")
        raise CheckFailed("Most voxels of the mask have HU above `air_threshold`: it holds "
                          "tissue besides the lungs. Keep only the voxels below the "
                          "threshold.")
    edge = np.zeros(mask.shape, bool)
    edge[:, 0, :] = edge[:, -1, :] = edge[:, :, 0] = edge[:, :, -1] = True
    if (mask & edge).sum() > 100:
        raise CheckFailed("The mask reaches the edge of the image: it holds the air outside the "
                          "patient. Keep only the air inside the body.")
    # pieces that touch even by a corner are one piece: any connectivity a learner uses is fine
    count = ndimage.label(mask, structure=np.ones((3, 3, 3)))[1]
    if count > 2:
        raise CheckFailed(f"The mask has {count} separate pieces: the lungs are two; keep the two "
                          "largest connected components (this drops the trachea and specks).")
    if count < 2:
        raise CheckFailed("The mask is one piece: the lungs are two; keep the two largest "
                          "connected components, not only the largest.")
    if mask[secret.haze_below].mean() < 0.5:
        raise CheckFailed("The mask leaves out lung voxels whose HU are below `air_threshold` "
                          "(a hazy region in one lung): threshold at `air_threshold` exactly, "
                          "your cut-off is lower.")
    if mask[secret.haze_above].mean() > 0.5:
        raise CheckFailed("The mask holds voxels whose HU are above `air_threshold` (a hazy "
                          "region in one lung): threshold at `air_threshold` exactly, your "
                          "cut-off is higher.")
    score = dice(mask, secret.lungs)
    if score < 0.97:
        raise CheckFailed(f"The mask overlaps the lungs found by the task's recipe with a Dice "
                          f"score of only {score:.2f}: check each step (threshold, inside the "
                          "body, two largest components).")
