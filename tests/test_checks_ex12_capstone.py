"""Tests for the checks of exercise 12 (capstone): right answers pass, real mistakes fail."""

from __future__ import annotations

import functools
import matplotlib.pyplot as plt
import numpy as np
import pydicom
import pytest

from course_utils import annotate, datasets, dicom, display, layout, mesh, metrics, overlay, volume
from course_utils.checks import ex12_capstone as ex
from course_utils.phantom import attention_heatmap, chest_volume, imperfect_prediction
from check_helpers import assert_fails

PANELS = [["axial", "coronal"], ["heatmap", "comparison"]]


@pytest.fixture(scope="module")
def case():
    spec = datasets.SYNTHETIC_CT
    chest = chest_volume(shape=spec["shape"], spacing=spec["spacing"], seed=spec["seed"])
    truth = chest.mask("lesion")
    prediction = imperfect_prediction(truth, seed=0)
    k, row, col = (int(v) for v in np.argwhere(truth).mean(axis=0).round())
    heat = attention_heatmap(truth[k], sigma_mm=12, spacing=spec["spacing"][1:], seed=0)
    return {"hu": chest.hu, "spacing": tuple(spec["spacing"]), "truth": truth,
            "prediction": prediction, "k": k, "row": row, "col": col, "heat": heat}


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _orientation(ax, left, right, top, bottom):
    for text, x, y in ((left, 0.01, 0.5), (right, 0.99, 0.5), (top, 0.5, 0.99),
                       (bottom, 0.5, 0.01)):
        ax.text(x, y, text, transform=ax.transAxes)


def _figure(case, hu=None, axial_window="lung", contour=True, legend=True, scalebar=True,
            letters=("R", "L", "A", "P"), coronal_spacing="plane", coronal_flip=False,
            heat_mode="sparse", heat_cmap="inferno", colorbar_label="attention",
            compare_colors=(annotate.GROUND_TRUTH_COLOR, annotate.PREDICTION_COLOR),
            compare_styles=("-", "--"), zoom=True, compare_scalebar=True, dice_text=None):
    hu = case["hu"] if hu is None else hu
    k, row, col, spacing = case["k"], case["row"], case["col"], case["spacing"]
    truth, prediction, in_plane = case["truth"], case["prediction"], spacing[1:]
    fig, axd = plt.subplot_mosaic(PANELS, figsize=(7.2, 6.7))

    ax = axd["axial"]
    display.show_slice(hu[k], window=axial_window, spacing=in_plane, ax=ax)
    if contour:
        annotate.draw_contour(truth[k], ax=ax, label="lesion" if legend else None)
        if legend:
            ax.legend()
    if scalebar:
        annotate.add_scalebar(ax, length_mm=50)
    if letters:
        _orientation(ax, *letters)

    ax = axd["coronal"]
    plane = volume.get_plane(hu, "coronal", row)
    if coronal_flip:
        plane = plane[::-1]
    coronal_spacing = (volume.plane_spacing(spacing, "coronal") if coronal_spacing == "plane"
                       else coronal_spacing)
    display.show_slice(plane, window="lung", spacing=coronal_spacing, ax=ax)
    _orientation(ax, "R", "L", "S", "I")

    ax = axd["heatmap"]
    display.show_slice(hu[k], window="lung", spacing=in_plane, ax=ax)
    heat = case["heat"]
    if heat_mode == "sparse":
        image = overlay.overlay_heatmap(heat, ax=ax, cmap=heat_cmap, colorbar=True)
        image.colorbar.set_label(colorbar_label)
    elif heat_mode == "uniform":
        image = overlay.overlay_heatmap(heat, ax=ax, cmap=heat_cmap, sparse=False,
                                        colorbar=True)
        image.colorbar.set_label(colorbar_label)
    elif heat_mode == "imshow_alpha":       # by hand: an alpha array that follows the heat
        image = ax.imshow(heat, cmap=heat_cmap, alpha=0.8 * heat, vmin=0, vmax=1,
                          extent=ax.images[0].get_extent())
        fig.colorbar(image, ax=ax, label=colorbar_label)
    elif heat_mode == "imshow_uniform":
        image = ax.imshow(heat, cmap=heat_cmap, alpha=0.5, extent=ax.images[0].get_extent())
        fig.colorbar(image, ax=ax, label=colorbar_label)

    ax = axd["comparison"]
    dice = metrics.dice(truth[k], prediction[k])
    display.show_slice(hu[k], window="lung", spacing=in_plane, ax=ax,
                       title=f"Dice {dice:.2f}" if dice_text is None else dice_text)
    annotate.compare_contours(truth[k], prediction[k], ax=ax, colors=compare_colors,
                              linestyles=compare_styles)
    if zoom:
        cy, cx = row * in_plane[0], col * in_plane[1]
        ax.set_xlim(cx - 30, cx + 30)
        ax.set_ylim(cy + 30, cy - 30)
    if compare_scalebar:
        annotate.add_scalebar(ax, length_mm=10)
    layout.add_panel_labels(list(axd.values()), labels=list("abcd"))
    return axd, dice


# ----------------------------------------------------------------------------- series_geometry

def _positions(headers):
    orientation = np.array(headers[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    return np.array([np.dot(normal, np.array(h.ImagePositionPatient, dtype=float))
                     for h in headers])


@pytest.fixture(scope="module")
def series():
    folder = datasets.get_path("synthetic_ct")
    files = sorted(folder.glob("*.dcm"))
    in_name_order = [pydicom.dcmread(path, stop_before_pixels=True) for path in files]
    return dicom.read_series(folder), in_name_order


def test_series_geometry_pass(series):
    ct, _ = series
    positions = np.sort(_positions(ct.headers))
    spacing = float(np.diff(positions)[0])
    assert _run("series_geometry", slice_positions_mm=positions,
                slice_spacing_mm=spacing).passed
    assert _run("series_geometry", slice_positions_mm=list(positions),
                slice_spacing_mm=ct.spacing[0]).passed


def test_series_geometry_mistakes(series):
    ct, in_name_order = series
    positions = np.sort(_positions(ct.headers))
    unsorted = _positions(in_name_order)
    _assert_fails(_run("series_geometry", slice_positions_mm=unsorted,
                       slice_spacing_mm=4.0), "not sorted")
    _assert_fails(_run("series_geometry", slice_positions_mm=positions[::-1],
                       slice_spacing_mm=4.0), "superior to inferior")
    instance_numbers = np.array([float(h.InstanceNumber) for h in ct.headers])
    _assert_fails(_run("series_geometry", slice_positions_mm=instance_numbers,
                       slice_spacing_mm=4.0), "imagepositionpatient")
    pixel = float(ct.headers[0].PixelSpacing[0])
    _assert_fails(_run("series_geometry", slice_positions_mm=positions,
                       slice_spacing_mm=pixel), "pixelspacing")
    wrong_mean = float(np.mean(np.diff(unsorted)))       # differences in file order
    _assert_fails(_run("series_geometry", slice_positions_mm=positions,
                       slice_spacing_mm=wrong_mean), "differences of the sorted",
                  forbidden=("4 mm", "4.0"))
    _assert_fails(_run("series_geometry", slice_positions_mm=positions[:10],
                       slice_spacing_mm=4.0), "one per file")
    _assert_fails(_run("series_geometry", slice_positions_mm=...,
                       slice_spacing_mm=4.0), "still `...`")


# ----------------------------------------------------------------------------- axial_panel

def test_axial_panel_pass(case, series):
    axd, _ = _figure(case)
    assert _run("axial_panel", capstone_axd=axd).passed
    ct, _ = series                               # the volume read from DICOM passes too
    axd, _ = _figure(case, hu=ct.hu)
    assert _run("axial_panel", capstone_axd=axd).passed


def test_axial_panel_mistakes(case):
    _assert_fails(_run("axial_panel", capstone_axd=...), "still `...`")
    axd, _ = _figure(case, axial_window="soft_tissue")
    _assert_fails(_run("axial_panel", capstone_axd=axd), "lung window")
    axd, _ = _figure(case, contour=False)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "no outline")
    axd, _ = _figure(case, legend=False)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "legend")
    axd, _ = _figure(case, scalebar=False)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "scalebar")
    axd, _ = _figure(case, letters=("L", "R", "A", "P"))
    _assert_fails(_run("axial_panel", capstone_axd=axd), "viewer's left")
    axd, _ = _figure(case, letters=None)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "orientation letters")
    # a scalebar that thinks the axes are in pixels while they are in mm
    axd, _ = _figure(case, scalebar=False)
    annotate.add_scalebar(axd["axial"], pixel_size_mm=case["spacing"][1:], length_mm=50)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "one data unit")
    # the image mirrored left-right
    hu = case["hu"][:, :, ::-1]
    axd, _ = _figure(case, hu=hu)
    _assert_fails(_run("axial_panel", capstone_axd=axd), "mirrored")


def test_axial_panel_wrong_names(case):
    fig, axd = plt.subplot_mosaic([["A", "B"], ["C", "D"]])
    _assert_fails(_run("axial_panel", capstone_axd=axd), "missing")


# ----------------------------------------------------------------------------- coronal_panel

def test_coronal_panel_pass_and_mistakes(case):
    axd, _ = _figure(case)
    assert _run("coronal_panel", capstone_axd=axd).passed
    axd, _ = _figure(case, coronal_spacing=case["spacing"][1:])   # square pixels
    _assert_fails(_run("coronal_panel", capstone_axd=axd), "squashed")
    axd, _ = _figure(case, coronal_flip=True)
    _assert_fails(_run("coronal_panel", capstone_axd=axd), "upside down")
    # pixels with aspect = dz/dx instead of an extent in mm: accepted
    fig, axd2 = plt.subplot_mosaic(PANELS)
    dz, dx = volume.plane_spacing(case["spacing"], "coronal")
    axd2["coronal"].imshow(volume.get_plane(case["hu"], "coronal", case["row"]), cmap="gray",
                           vmin=-1350, vmax=150, aspect=dz / dx)
    _orientation(axd2["coronal"], "R", "L", "S", "I")
    assert _run("coronal_panel", capstone_axd=axd2).passed
    axd2["coronal"].set_aspect("auto")
    _assert_fails(_run("coronal_panel", capstone_axd=axd2), "auto")


# ----------------------------------------------------------------------------- heatmap_panel

def test_heatmap_panel_pass(case):
    for mode in ("sparse", "imshow_alpha"):
        axd, _ = _figure(case, heat_mode=mode)
        assert _run("heatmap_panel", capstone_axd=axd).passed, mode


def test_heatmap_panel_mistakes(case):
    axd, _ = _figure(case, heat_mode="uniform")
    _assert_fails(_run("heatmap_panel", capstone_axd=axd), "same opacity")
    axd, _ = _figure(case, heat_mode="imshow_uniform")
    _assert_fails(_run("heatmap_panel", capstone_axd=axd), "one opacity")
    axd, _ = _figure(case, heat_mode="imshow_alpha", heat_cmap="jet")
    _assert_fails(_run("heatmap_panel", capstone_axd=axd), "perceptually uniform")
    axd, _ = _figure(case, colorbar_label="")
    _assert_fails(_run("heatmap_panel", capstone_axd=axd), "no label")
    axd, _ = _figure(case, heat_mode=None)
    _assert_fails(_run("heatmap_panel", capstone_axd=axd), "ct only")


# ----------------------------------------------------------------------------- comparison_panel

def test_comparison_panel_pass(case):
    axd, dice = _figure(case)
    assert _run("comparison_panel", capstone_axd=axd, dice_slice=dice).passed


def test_comparison_panel_dice_mistakes(case):
    axd, dice = _figure(case)
    dice_3d = metrics.dice(case["truth"], case["prediction"])
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice_3d),
                  "whole volumes", forbidden=(f"{dice:.2f}",))
    jaccard = metrics.jaccard(case["truth"][case["k"]], case["prediction"][case["k"]])
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=jaccard),
                  "2 |a ∩ b|", forbidden=(f"{dice:.2f}",))
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=...), "still `...`")


def test_comparison_panel_figure_mistakes(case):
    axd, dice = _figure(case, compare_colors=("red", "green"))
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice), "colour-blind")
    axd, dice = _figure(case, compare_styles=("-", "-"))
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice), "line style")
    axd, dice = _figure(case, zoom=False)
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice), "zoomed")
    axd, dice = _figure(case, compare_scalebar=False)
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice), "scalebar")
    axd, dice = _figure(case, dice_text="Reference vs prediction")
    _assert_fails(_run("comparison_panel", capstone_axd=axd, dice_slice=dice), "not written")


# ----------------------------------------------------------------------------- lesion volume

def test_lesion_volume_from_mesh(case):
    truth, spacing = case["truth"], case["spacing"]
    ml = mesh.mesh_volume(mesh.mask_to_mesh(truth, spacing)) / 1000
    assert _run("lesion_volume_from_mesh", lesion_volume_ml=ml).passed
    _assert_fails(_run("lesion_volume_from_mesh", lesion_volume_ml=ml * 1000), "mm³",
                  forbidden=(f"{ml:.2f}",))
    in_voxels = mesh.mesh_volume(mesh.mask_to_mesh(truth, (1, 1, 1)))
    _assert_fails(_run("lesion_volume_from_mesh", lesion_volume_ml=in_voxels), "voxels")
    prediction_ml = mesh.mesh_volume(mesh.mask_to_mesh(case["prediction"], spacing)) / 1000
    _assert_fails(_run("lesion_volume_from_mesh", lesion_volume_ml=prediction_ml),
                  "reference lesion")
    _assert_fails(_run("lesion_volume_from_mesh", lesion_volume_ml=...), "still `...`")
