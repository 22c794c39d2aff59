"""Tests for the checks of exercise 12 (capstone): right answers pass, real mistakes fail.

The figure is drawn here in three styles (the course helpers; plain matplotlib with
``contour``, a proxy legend and ``AnchoredSizeBar``; a pre-windowed image with a hand-made
grey map, ``find_contours`` + ``plot``, a line + text scalebar and ``fig.legend``), on
variant 0 and variant 3. Each fault of the issue's 8/8 capstone is a wrong answer of its own.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.lines import Line2D
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from skimage.measure import find_contours

from course_utils import annotate, display, layout, mesh, metrics, overlay, volume
from course_utils.checks import ex12_capstone as ex
from check_helpers import assert_fails, grade

VARIANTS = (0, 3)
STYLES = ("helpers", "plain", "prewindowed")
BLUE, ORANGE = "#0072B2", "#E69F00"
GREY = LinearSegmentedColormap.from_list("black_white", ["black", "white"])


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request):
    return request.param


@pytest.fixture(scope="module")
def t(variant):
    return ex.task(variant)


# ----------------------------------------------------------------------------- a figure

def _extent(shape, pixel):
    return (-0.5 * pixel[1], (shape[1] - 0.5) * pixel[1], (shape[0] - 0.5) * pixel[0],
            -0.5 * pixel[0])


def _show(ax, image, pixel, style, title):
    if style == "helpers":
        display.show_slice(image, window="lung", spacing=pixel, ax=ax, title=title)
        return
    if style == "plain":
        ax.imshow(image, cmap="gray", vmin=-1350, vmax=150, extent=_extent(image.shape, pixel))
    else:
        scaled = np.clip((image + 1350) / 1500, 0, 1).astype(np.float32)
        ax.imshow(scaled, cmap=GREY, vmin=0, vmax=1, extent=_extent(image.shape, pixel))
    ax.set_title(title)


def _outline(ax, mask, pixel, style, color, linestyle, label):
    if style == "helpers":
        annotate.draw_contour(mask, ax=ax, color=color, linestyle=linestyle, label=label)
    elif style == "plain":
        rows, cols = mask.shape
        x = (np.arange(cols)) * pixel[1]
        y = (np.arange(rows)) * pixel[0]
        ax.contour(x, y, mask.astype(float), levels=[0.5], colors=[color],
                   linestyles=[linestyle])
        ax.add_line(Line2D([], [], color=color, linestyle=linestyle, label=label))
    else:
        for i, piece in enumerate(find_contours(mask.astype(float), 0.5)):
            ax.plot(piece[:, 1] * pixel[1], piece[:, 0] * pixel[0], color=color,
                    linestyle=linestyle, label=label if i == 0 else "_")


def _scalebar(ax, length, style, label=None, drawn=None):
    label = f"{length:g} mm" if label is None else label
    drawn = length if drawn is None else drawn
    if style == "helpers" and drawn == length and label == f"{length:g} mm":
        annotate.add_scalebar(ax, length_mm=length)
    elif style == "plain":
        ax.add_artist(AnchoredSizeBar(ax.transData, drawn, label, "lower right",
                                      color="white", frameon=False))
    else:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        x = x0 + 0.6 * (x1 - x0)
        y = y0 + 0.1 * (y1 - y0)
        ax.plot([x, x + drawn], [y, y], color="white", linewidth=2)
        ax.text(x + drawn / 2, y + 0.04 * (y1 - y0), label, color="white", ha="center")


def _letters(ax, left, right, top, bottom, style):
    spots = ((left, 0.02, 0.5), (right, 0.98, 0.5), (top, 0.5, 0.98), (bottom, 0.5, 0.02))
    for text, x, y in spots:
        ax.text(x, y, text, transform=ax.transAxes, ha="center", va="center", color="w")


def build(t, style="helpers", **fault):
    """The capstone figure for task ``t``; ``fault`` names one mistake to make."""
    hu = t.hu
    dz, dy, dx = t.spacing
    pixel = (dy, dx)
    k, row, col = t.k, t.row, t.col
    fig, axd = plt.subplot_mosaic([["axial", "coronal"], ["heatmap", "comparison"]],
                                  figsize=fault.get("figsize", (183 / 25.4, 170 / 25.4)))
    ax = axd["axial"]
    axial = hu[k, ::-1] if fault.get("upside_down") else hu[k]
    _show(ax, axial, pixel, style, "Axial, lung window")
    _outline(ax, t.truth[k], pixel, style, BLUE, "-", "reference")
    if fault.get("legend", True):
        (ax.legend if style != "prewindowed" else fig.legend)(loc="lower left")
    _scalebar(ax, t.axial_bar_mm, style)
    top, bottom = ("P", "A") if fault.get("swap_ap") else ("A", "P")
    _letters(ax, "R", "L", top, bottom, style)

    ax = axd["coronal"]
    coronal = volume.get_plane(hu, "coronal", row)
    _show(ax, coronal, (dz, dx), style, "Coronal, lung window")
    if fault.get("square_coronal"):
        axd["coronal"].images[0].set_extent(_extent(coronal.shape, (dx, dx)))
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("z (mm)")
    left, right = ("L", "R") if fault.get("swap_rl") else ("R", "L")
    _letters(ax, left, right, "S", "I", style)

    ax = axd["heatmap"]
    _show(ax, hu[k], pixel, style, "Attention heatmap")
    heat = t.heat
    extent = _extent(heat.shape, pixel)
    if fault.get("jet_rgba"):
        rgba = plt.get_cmap("jet")(heat)
        rgba[..., 3] = heat
        ax.imshow(rgba, extent=extent)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), ax=ax, label="attention")
    elif style == "helpers":
        image = overlay.overlay_heatmap(heat, ax=ax, cmap="inferno", alpha=0.8, colorbar=True)
        image.colorbar.set_label("attention (0-1)")
    elif style == "plain":
        ax.imshow(heat, cmap="magma", vmin=0, vmax=1, alpha=heat, extent=extent)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "magma"), ax=ax, label="attention")
    else:
        rgba = plt.get_cmap("viridis")(heat)
        rgba[..., 3] = np.clip(heat, 0, 1)
        ax.imshow(rgba, extent=extent)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), ax=ax,
                     label="attention (0-1)")

    ax = axd["comparison"]
    dice = metrics.dice(t.truth[k], t.prediction[k])
    _show(ax, hu[k], pixel, style, f"Reference vs prediction, Dice {dice:.2f}")
    _outline(ax, t.truth[k], pixel, style, BLUE, "-", "reference")
    _outline(ax, t.prediction[k], pixel, style, ORANGE, "--", "prediction")
    ax.legend(loc="lower left")
    ax.set_xlim(col * dx - 30, col * dx + 30)
    ax.set_ylim(row * dy + 30, row * dy - 30)
    if fault.get("bar_50_33"):
        _scalebar(ax, 50, "plain", label="50 mm", drawn=33)
    else:
        _scalebar(ax, t.zoom_bar_mm, style)
    if fault.get("letters", True):
        if style == "helpers":
            layout.add_panel_labels(list(axd.values()), labels=list("abcd"))
        else:
            for letter, name in zip("abcd", ex.PANELS):
                axd[name].text(0.02, 0.98, f"({letter})", transform=axd[name].transAxes,
                               va="top", fontweight="bold")
    return fig, axd, dice


# ----------------------------------------------------------------------------- series

def test_task_data_show_the_series_mistakes():
    for v in (0, 3, 5):
        data = ex.task(v)
        assert data.slice_thickness != data.spacing[0]
        assert data.normal[2] < 0                      # sorting by z reverses the order
        assert not np.array_equal(np.sort(data.instance_numbers), data.instance_numbers)
        assert abs(data.voxel_ml - data.lesion_ml) > 2 * ex.VOLUME_TOLERANCE * data.lesion_ml


def test_series_geometry(t, variant):
    check = ex.checks.series_geometry
    dz = t.spacing[0]
    good = [(t.positions, dz), (list(t.positions), np.float32(dz)),
            (np.sort(t.positions[::-1]), float(np.median(np.diff(t.positions))))]
    for positions, spacing in good:
        assert grade(check, variant, slice_positions_mm=positions,
                     slice_spacing_mm=spacing).passed
    by_instance = t.positions[np.argsort(t.instance_numbers)]
    assert_fails(grade(check, variant, slice_positions_mm=by_instance, slice_spacing_mm=dz),
                 "InstanceNumber")
    assert_fails(grade(check, variant, slice_positions_mm=t.positions[::-1],
                       slice_spacing_mm=dz), "sorting by z")
    assert_fails(grade(check, variant, slice_positions_mm=np.sort(t.z_of_positions),
                       slice_spacing_mm=dz), "z coordinates")
    assert_fails(grade(check, variant, slice_positions_mm=t.positions,
                       slice_spacing_mm=t.slice_thickness), "SliceThickness",
                 forbidden=(f"{dz:g}",))
    assert_fails(grade(check, variant, slice_positions_mm=t.positions,
                       slice_spacing_mm=abs(dz * t.normal[2])), "step of z")
    assert_fails(grade(check, variant, slice_positions_mm=t.positions[1:],
                       slice_spacing_mm=dz), "one per file")
    assert_fails(grade(check, variant, slice_positions_mm=..., slice_spacing_mm=dz),
                 "still `...`")


def test_series_written_for_the_task(tmp_path):
    from course_utils import dicom

    data = ex.task(0)
    ct = dicom.read_series(ex.write_series(data, tmp_path))
    assert np.allclose(ct.hu[::-1, ::-1, :], data.hu, atol=0.51)
    assert float(ct.headers[0].SliceThickness) == pytest.approx(data.slice_thickness)
    numbers = [int(h.InstanceNumber) for h in ct.headers]
    assert numbers != sorted(numbers)


# ----------------------------------------------------------------------------- figure

@pytest.mark.parametrize("style", STYLES)
def test_figure_passes_in_every_style(t, variant, style):
    fig, axd, dice = build(t, style)
    for check in (ex.checks.axial_panel, ex.checks.coronal_panel, ex.checks.heatmap_panel):
        result = grade(check, variant, capstone_axd=axd)
        assert result.passed, (check.name, result.message)
    result = grade(ex.checks.comparison_panel, variant, capstone_axd=axd,
                   dice_slice=np.float32(dice))
    assert result.passed, result.message


@pytest.mark.parametrize("fault, check, words", [
    ({"swap_ap": True}, "axial_panel", ("are swapped",)),
    ({"upside_down": True}, "axial_panel", ("upside down",)),
    ({"figsize": (183 / 25.4, 120 / 25.4)}, "axial_panel", ("figsize",)),
    ({"legend": False}, "axial_panel", ("legend",)),
    ({"swap_rl": True}, "coronal_panel", ("are swapped",)),
    ({"square_coronal": True}, "coronal_panel", ("size in mm",)),
    ({"jet_rgba": True}, "heatmap_panel", ("jet",)),
    ({"bar_50_33": True}, "comparison_panel", ("labelled 50 mm", "33 mm long")),
    ({"letters": False}, "comparison_panel", ("panel letter",)),
])
def test_figure_faults(t, variant, fault, check, words):
    fig, axd, dice = build(t, "plain", **fault)
    values = {"capstone_axd": axd}
    if check == "comparison_panel":
        values["dice_slice"] = dice
    assert_fails(grade(ex.checks[check], variant, **values), *words)
    # the fault breaks its own check only
    for other in ("axial_panel", "coronal_panel", "heatmap_panel", "comparison_panel"):
        if other != check:
            extra = {"dice_slice": dice} if other == "comparison_panel" else {}
            assert grade(ex.checks[other], variant, capstone_axd=axd, **extra).passed, other


def test_viridis_bar_for_a_jet_layer_fails_and_a_matching_bar_passes(t, variant):
    fig, axd, dice = build(t, "plain")
    ax = axd["heatmap"]
    ax.images[1].remove()
    rgba = plt.get_cmap("magma")(t.heat)
    rgba[..., 3] = t.heat
    ax.imshow(rgba, extent=_extent(t.heat.shape, t.spacing[1:]))
    assert grade(ex.checks.heatmap_panel, variant, capstone_axd=axd).passed  # magma bar
    fig, axd, dice = build(t, "prewindowed")
    fig.axes[-1].remove()                              # the viridis colorbar
    assert_fails(grade(ex.checks.heatmap_panel, variant, capstone_axd=axd), "no colorbar")


def test_dice_and_volume(t, variant):
    check = ex.checks.comparison_panel
    fig, axd, dice = build(t, "plain")
    assert_fails(grade(check, variant, capstone_axd=axd, dice_slice=t.dice_3d), "whole")
    volume_check = ex.checks.lesion_volume_from_mesh
    helper = mesh.mesh_volume(mesh.mask_to_mesh(t.truth, t.spacing)) / 1000
    assert grade(volume_check, variant, lesion_volume_ml=helper).passed
    assert grade(volume_check, variant, lesion_volume_ml=np.float32(helper)).passed
    assert grade(volume_check, variant, lesion_volume_ml=[helper]).passed
    voxels = metrics.volume_ml(t.truth, t.spacing)
    assert_fails(grade(volume_check, variant, lesion_volume_ml=voxels), "voxel count",
                 forbidden=(f"{helper:.2f}",))
    ball = 4 / 3 * np.pi * t.radius_mm ** 3 / 1000
    assert_fails(grade(volume_check, variant, lesion_volume_ml=ball),
                 "ideal ball")
    assert_fails(grade(volume_check, variant, lesion_volume_ml=helper * 1000), "mm³")


def test_values_typed_in_for_variant_0_fail_on_another_variant():
    t0 = ex.task(0)
    fig, axd, dice = build(t0, "helpers")
    values = {"slice_positions_mm": t0.positions.round(3), "slice_spacing_mm": t0.spacing[0],
              "capstone_axd": axd, "dice_slice": round(dice, 3),
              "lesion_volume_ml": round(t0.lesion_ml, 3)}
    for check in ex.checks:
        answer = {name: values[name] for name in check.params}
        assert grade(check, 0, **answer).passed, check.name
        assert not grade(check, 3, **answer).passed, check.name


# ----------------------------------------------------------------------------- notebook

@pytest.mark.slow
def test_whole_notebook_alternative_and_wrong(tmp_path):
    import nbformat

    from course_utils.grade import grade_notebook

    source = nbformat.read("solutions/12_capstone.ipynb", as_version=4)
    alternative = nbformat.from_dict(source)
    by_id = {cell.get("id"): cell for cell in alternative.cells}
    by_id["cell-18"].source = (
        "from skimage import measure\n"
        "import trimesh\n"
        "verts, faces, _, _ = measure.marching_cubes(np.pad(truth, 1).astype(float), 0.5,\n"
        "                                            spacing=spacing)\n"
        "lesion_volume_ml = abs(trimesh.Trimesh(verts, faces).volume) / 1000")
    wrong = nbformat.from_dict(source)
    by_id = {cell.get("id"): cell for cell in wrong.cells}
    by_id["cell-18"].source = "lesion_volume_ml = metrics.volume_ml(truth, spacing)  # voxels"
    results = {}
    for name, notebook in (("alternative", alternative), ("wrong", wrong)):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "12_capstone.ipynb"
        nbformat.write(notebook, path)
        graded = grade_notebook(path, hidden_variant=5)
        results[name] = {c.name: c.passed for c in graded.checks}
    assert all(results["alternative"].values()), results["alternative"]
    assert [name for name, passed in results["wrong"].items() if not passed] == \
        ["lesion_volume_from_mesh"], results["wrong"]
