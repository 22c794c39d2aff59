"""Draw one figure per course_utils plotting helper, from the synthetic series, to look at.

Run from the repository root::

    .venv/bin/python benchmarks/gallery.py [OUTPUT_FOLDER]    # default: _build/gallery

Every figure comes from the DICOM series that ``datasets`` writes, read back with
``dicom.read_series``, so the gallery checks the whole chain from file to picture: orientation
(the patient's right on the viewer's left), aspect in mm, windows, overlays and annotations.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_utils import (annotate, datasets, display, layout, mesh, overlay,  # noqa: E402
                          phantom, segment, volume)


def _save(fig, folder, name):
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def draw_gallery(folder: Path) -> list[Path]:
    """Draw every figure into ``folder``; return the PNG paths."""
    folder.mkdir(parents=True, exist_ok=True)
    ct = datasets.load("synthetic_ct")
    chest = phantom.chest_volume(shape=ct.shape, spacing=ct.spacing, seed=0)
    lesion_3d = chest.mask("lesion")
    k = int(np.argmax(lesion_3d.sum(axis=(1, 2))))  # the axial slice through the lesion
    image = ct.hu[k]
    spacing_2d = ct.spacing[1:]
    extent = display.physical_extent(image.shape, spacing_2d)
    lesion = lesion_3d[k]
    paths = []

    with layout.course_style():
        fig, axes = layout.window_panel(image, spacing=spacing_2d)
        layout.add_panel_labels(axes)
        paths.append(_save(fig, folder, "layout_window_panel"))

        fig, axes = plt.subplots(1, 3, figsize=(12, 4.5))
        for ax, plane in zip(axes, ("axial", "coronal", "sagittal")):
            index = k if plane == "axial" else None
            display.show_slice(volume.get_plane(ct.hu, plane, index), window="lung",
                               spacing=volume.plane_spacing(ct.spacing, plane), ax=ax,
                               title=plane, axis_labels=volume.plane_axis_labels(plane))
        paths.append(_save(fig, folder, "display_planes"))

        fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
        heat = phantom.attention_heatmap(lesion, sigma_mm=12, spacing=spacing_2d, seed=0)
        for ax, sparse in zip(axes, (False, True)):
            display.show_slice(image, window="lung", spacing=spacing_2d, ax=ax,
                               title=f"heatmap, sparse={sparse}")
            overlay.overlay_heatmap(heat, ax=ax, sparse=sparse, extent=extent,
                                    colorbar=True)
        paths.append(_save(fig, folder, "overlay_heatmap"))

        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        # the body label would tint everything: show the organs only
        labels = np.where(chest.labels[k] == chest.classes["body"], 0, chest.labels[k])
        display.show_slice(image, window="soft_tissue", spacing=spacing_2d, ax=axes[0],
                           title="label map")
        names = {value: name for name, value in chest.classes.items()
                 if name not in ("background", "body")}
        overlay.overlay_labels(labels, ax=axes[0], class_names=names, extent=extent,
                               alpha=0.6)
        lungs = segment.lung_mask(image)
        display.show_slice(image, window="lung", spacing=spacing_2d, ax=axes[1],
                           title="lung mask from HU")
        overlay.overlay_mask(lungs, ax=axes[1], extent=extent)
        paths.append(_save(fig, folder, "overlay_labels_mask"))

        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        prediction = phantom.imperfect_prediction(lesion, shift=(2, 3), scale=1.2, seed=0)
        display.show_slice(image, window="lung", spacing=spacing_2d, ax=axes[0],
                           title="ground truth vs prediction")
        annotate.compare_contours(lesion, prediction, ax=axes[0], extent=extent,
                                  show_scores=True)
        annotate.add_scalebar(axes[0], length_mm=50)  # axes already in mm
        rows, cols = np.nonzero(lesion)
        centre_mm = (cols.mean() * spacing_2d[1], rows.mean() * spacing_2d[0])
        annotate.add_arrow(axes[0], centre_mm, "lesion",
                           xytext=(centre_mm[0] + 60, centre_mm[1] - 70))
        # a subtraction image: the slice minus the slice two below it (8 mm), centred on 0
        below = ct.hu[max(k - 2, 0)]
        overlay.show_difference(image, below, ax=axes[1], extent=extent, vmax=300,
                                label="HU difference")
        axes[1].set(title="slice k minus slice k-2, centred on 0", xlabel="x (mm)",
                    ylabel="y (mm)")
        paths.append(_save(fig, folder, "annotate_contours_difference"))

        row = int(rows.mean())
        fig, axes = annotate.plot_profile(image, (row, 0), (row, image.shape[1] - 1),
                                          spacing=spacing_2d, window="lung")
        paths.append(_save(fig, folder, "annotate_profile"))

        fig, axes = layout.montage(ct.hu, n=8, ncols=4, window="lung", spacing=ct.spacing)
        paths.append(_save(fig, folder, "layout_montage"))

        lung_mesh = mesh.mask_to_mesh(chest.mask("lung_right", "lung_left"), ct.spacing,
                                      step_size=2)
        fig = plt.figure(figsize=(6, 6))
        ax = fig.add_subplot(projection="3d")
        mesh.plot_mesh(lung_mesh, ax=ax, color="#56B4E9")
        paths.append(_save(fig, folder, "mesh_lungs"))
    return paths


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("_build/gallery")
    for p in draw_gallery(out):
        print(p)
