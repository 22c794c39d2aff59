"""Tests for the checks of exercise 12 (capstone): right answers pass, real mistakes fail.

The figure is drawn here in three styles (the course helpers; plain matplotlib with
``contour``, a proxy legend and ``AnchoredSizeBar``; a pre-windowed image with a hand-made
grey map, ``find_contours`` + ``plot``, a line + text scalebar and ``fig.legend``), on
variant 0 and variant 3. Each fault of the issue's 8/8 capstone is a wrong answer of its own.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Polygon
from matplotlib_scalebar.scalebar import ScaleBar
from mpl_toolkits.axes_grid1.inset_locator import inset_axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.lines import Line2D
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
import trimesh
from skimage import measure
from skimage.measure import find_contours

from course_utils import annotate, display, layout, mesh, metrics, overlay, volume
from course_utils.checks import _plain
from course_utils.checks import ex12_capstone as ex
from check_helpers import assert_fails, grade

VARIANTS = (0, 3)
STYLES = ("helpers", "plain", "prewindowed", "alternative")
FIGURE_CHECKS = ("axial_panel", "coronal_panel", "heatmap_panel", "comparison_panel")
BLUE, ORANGE = "#0072B2", "#E69F00"
GREY = LinearSegmentedColormap.from_list("black_white", ["black", "white"])
DPI = 20          # the checks judge data coordinates and the figure size, not pixels


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request):
    return request.param


@pytest.fixture(scope="module")
def t(variant):
    return ex.task(variant)


def extract(**values):
    """Live values to the grader's plain answers, once (as ``grade`` does for one check)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file(values, list(values), path)
        return _plain.load_answers(path)


def verify_all(answers, variant, names=FIGURE_CHECKS):
    """Every named check on answers extracted once: {name: result}."""
    return {name: ex.checks[name].verify(answers, variant=variant) for name in names}


def expected(t):
    """What the checks compute from the task data: display volume, (dz, dy, dx), positions."""
    return ex._display_hu(t), ex._spacing(t), ex._positions(t)


# ----------------------------------------------------------------------------- a figure

def _extent(shape, pixel):
    return (-0.5 * pixel[1], (shape[1] - 0.5) * pixel[1], (shape[0] - 0.5) * pixel[0],
            -0.5 * pixel[0])


def _show(ax, image, pixel, style, title, lower=False):
    """The CT plane (screen order); ``lower``: drawn flipped with origin='lower' (as seen the
    same)."""
    if style == "helpers":
        display.show_slice(image, window="lung", spacing=pixel, ax=ax, title=title)
        return
    if style == "plain":
        ax.imshow(image, cmap="gray", vmin=-1350, vmax=150, extent=_extent(image.shape, pixel))
    elif style == "prewindowed":
        scaled = np.clip((image + 1350) / 1500, 0, 1).astype(np.float32)
        ax.imshow(scaled, cmap=GREY, vmin=0, vmax=1, extent=_extent(image.shape, pixel))
    else:
        left, right, bottom, top = _extent(image.shape, pixel)
        if lower:   # row 0 at the bottom, y up: superior still at the top
            ax.imshow(image[::-1], cmap="Greys_r", norm=Normalize(-1350, 150), origin="lower",
                      extent=(left, right, top, bottom))
        else:
            ax.imshow(image, cmap="Greys_r", norm=Normalize(-1350, 150),
                      extent=(left, right, bottom, top))
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
    elif style == "prewindowed":
        for i, piece in enumerate(find_contours(mask.astype(float), 0.5)):
            ax.plot(piece[:, 1] * pixel[1], piece[:, 0] * pixel[0], color=color,
                    linestyle=linestyle, label=label if i == 0 else "_")
    else:   # Polygon patches, labelled: the legend takes them as they are
        for i, piece in enumerate(find_contours(np.pad(mask, 1).astype(float), 0.5)):
            xy = np.column_stack([(piece[:, 1] - 1) * pixel[1], (piece[:, 0] - 1) * pixel[0]])
            ax.add_patch(Polygon(xy, closed=True, fill=False, edgecolor=color,
                                 linestyle=linestyle, linewidth=1.5,
                                 label=label if i == 0 else "_"))


def _scalebar(ax, length, style, label=None, drawn=None):
    label = f"{length:g} mm" if label is None else label
    drawn = length if drawn is None else drawn
    if style == "helpers" and drawn == length and label == f"{length:g} mm":
        annotate.add_scalebar(ax, length_mm=length)
    elif style == "plain":
        ax.add_artist(AnchoredSizeBar(ax.transData, drawn, label, "lower right",
                                      color="white", frameon=False))
    elif style == "alternative" and drawn == length:
        ax.add_artist(ScaleBar(1, "mm", fixed_value=length, fixed_units="mm",
                               location="upper right", color="white", box_alpha=0,
                               rotation="horizontal-only"))
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
        if style == "alternative":
            ax.annotate(text, xy=(x, y), xycoords="axes fraction", ha="center",
                        va="center", color="yellow")
        else:
            ax.text(x, y, text, transform=ax.transAxes, ha="center", va="center", color="w")


def build(t, style="helpers", **fault):
    """The capstone figure for task ``t``; ``fault`` names one mistake to make."""
    hu, (dz, dy, dx), _ = expected(t)
    if style == "alternative":      # the learner's reorientation, another way
        hu = np.flip(t.stored_hu, axis=(0, 1))
    pixel = (dy, dx)
    k, row, col = t.k, t.row, t.col
    size = fault.get("figsize", (183 / 25.4, 170 / 25.4))
    if style == "alternative":      # subplots packed into a dict
        fig, grid = plt.subplots(2, 2, figsize=size, dpi=DPI)
        axd = dict(zip(ex.PANELS, grid.ravel()))
    else:
        fig, axd = plt.subplot_mosaic([["axial", "coronal"], ["heatmap", "comparison"]],
                                      figsize=size, dpi=DPI)
    ax = axd["axial"]
    axial = hu[k, ::-1] if fault.get("upside_down") else hu[k]
    _show(ax, axial, pixel, style, "Axial, lung window")
    _outline(ax, t.truth[k], pixel, style, BLUE, "-", "reference")
    if fault.get("legend", True):
        (fig.legend if style == "prewindowed" else ax.legend)(loc="lower left")
    _scalebar(ax, t.axial_bar_mm, style)
    top, bottom = ("P", "A") if fault.get("swap_ap") else ("A", "P")
    _letters(ax, "R", "L", top, bottom, style)

    ax = axd["coronal"]
    coronal = volume.get_plane(hu, "coronal", row)
    _show(ax, coronal, (dz, dx), style, "Coronal, lung window", lower=True)
    if fault.get("square_coronal"):
        axd["coronal"].images[0].set_extent(_extent(coronal.shape, (dx, dx)))
    if style == "alternative":
        ax.set_aspect("equal")
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
    elif fault.get("heat_lower"):   # the same extent, origin 'lower': upside down over the CT
        ax.imshow(heat, cmap="magma", vmin=0, vmax=1, alpha=heat, extent=extent,
                  origin="lower")
        fig.colorbar(ScalarMappable(Normalize(0, 1), "magma"), ax=ax, label="attention")
    elif style == "helpers":
        image = overlay.overlay_heatmap(heat, ax=ax, cmap="inferno", alpha=0.8, colorbar=True)
        image.colorbar.set_label("attention (0-1)")
    elif style == "plain":
        ax.imshow(heat, cmap="magma", vmin=0, vmax=1, alpha=heat, extent=extent)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "magma"), ax=ax, label="attention")
    elif style == "prewindowed":
        rgba = plt.get_cmap("viridis")(heat)
        rgba[..., 3] = np.clip(heat, 0, 1)
        ax.imshow(rgba, extent=extent)
        fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), ax=ax,
                     label="attention (0-1)")
    else:   # an alpha array, the colorbar in an inset
        image = ax.imshow(heat, cmap="cividis", vmin=0, vmax=1, extent=extent,
                          alpha=np.clip(1.5 * heat, 0, 1))
        bar = fig.colorbar(image, cax=inset_axes(ax, width="4%", height="50%",
                                                 loc="lower right"))
        bar.set_label("attention")

    ax = axd["comparison"]
    if style == "alternative":      # by hand
        a, b = t.truth[k], t.prediction[k]
        dice = 2 * np.logical_and(a, b).sum() / (a.sum() + b.sum())
    else:
        dice = metrics.dice(t.truth[k], t.prediction[k])
    _show(ax, hu[k], pixel, style, f"Reference vs prediction, Dice {dice:.2f}")
    _outline(ax, t.truth[k], pixel, style, BLUE, "-", "reference")
    _outline(ax, t.prediction[k], pixel, style, ORANGE, "--", "prediction")
    ax.legend(loc="lower left")
    if style == "alternative":
        ax.axis([col * dx - 30, col * dx + 30, row * dy + 30, row * dy - 30])
    else:
        ax.set_xlim(col * dx - 30, col * dx + 30)
        ax.set_ylim(row * dy + 30, row * dy - 30)
    if fault.get("bar_50_33"):
        _scalebar(ax, 50, "plain", label="50 mm", drawn=33)
    else:
        _scalebar(ax, t.zoom_bar_mm, style)
    if fault.get("letters", True):
        if style == "helpers":
            layout.add_panel_labels(list(axd.values()), labels=list("abcd"))
        elif style == "alternative":
            for letter, name in zip("abcd", ex.PANELS):
                axd[name].annotate(letter, xy=(0.03, 0.97), xycoords="axes fraction",
                                   va="top", fontweight="bold", color="white")
        else:
            for letter, name in zip("abcd", ex.PANELS):
                axd[name].text(0.02, 0.98, f"({letter})", transform=axd[name].transAxes,
                               va="top", fontweight="bold")
    return fig, axd, dice


@pytest.fixture(scope="module")
def drawn(t, variant):
    """Each style's figure, drawn once per variant and extracted once (read-only)."""
    figures = {}
    for style in STYLES:
        fig, axd, dice = build(t, style)
        figures[style] = (extract(capstone_axd=axd, dice_slice=np.float32(dice)), dice)
        plt.close(fig)
    return figures


# ----------------------------------------------------------------------------- series

def test_task_data_hold_inputs_only_and_show_the_series_mistakes():
    for v in (0, 3, 5):
        data = ex.task(v)
        for answer in ("hu", "spacing", "positions", "lesion_ml", "voxel_ml", "dice_slice",
                       "dice_3d", "z_of_positions"):
            assert not hasattr(data, answer), answer
        _, (dz, _, _), _ = expected(data)
        normal = np.cross(data.row_cosine, data.col_cosine)
        assert data.slice_thickness != dz
        assert normal[2] < 0                      # sorting by z reverses the order
        assert not np.array_equal(np.sort(data.instance_numbers), data.instance_numbers)
        mesh_ml, voxel_ml, ball_ml = ex._expected_volumes(data)
        for wrong in (voxel_ml, ball_ml):
            assert abs(wrong - mesh_ml) > 2 * ex.VOLUME_TOLERANCE * mesh_ml


def test_series_geometry(t, variant):
    check = ex.checks.series_geometry
    _, (dz, dy, dx), positions = expected(t)
    normal = np.cross(t.row_cosine, t.col_cosine)
    projected = t.image_positions @ normal
    good = [(positions, dz), (list(positions), np.float32(dz)),
            (np.sort(positions[::-1]), float(np.median(np.diff(positions)))),
            (sorted(np.einsum("ij,j->i", t.image_positions, normal)), np.diff(positions)[0]),
            (np.sort(projected).astype(np.float32), round(float(np.ptp(projected))
                                                           / (len(projected) - 1), 3))]
    for values, spacing in good:
        assert grade(check, variant, slice_positions_mm=values,
                     slice_spacing_mm=spacing).passed
    forbidden = (f"{dz:g}",)
    by_instance = projected[np.argsort(t.instance_numbers)]
    assert_fails(grade(check, variant, slice_positions_mm=by_instance, slice_spacing_mm=dz),
                 "InstanceNumber")
    assert_fails(grade(check, variant, slice_positions_mm=positions[::-1],
                       slice_spacing_mm=dz), "sorting by z")
    assert_fails(grade(check, variant, slice_positions_mm=np.sort(t.image_positions[:, 2]),
                       slice_spacing_mm=dz), "z coordinates")
    assert_fails(grade(check, variant, slice_positions_mm=np.sort(-projected),
                       slice_spacing_mm=dz), "reversed", "row cosine")
    assert_fails(grade(check, variant, slice_positions_mm=positions,
                       slice_spacing_mm=t.slice_thickness), "SliceThickness",
                 forbidden=forbidden)
    assert_fails(grade(check, variant, slice_positions_mm=positions,
                       slice_spacing_mm=abs(dz * normal[2])), "step of z",
                 forbidden=forbidden)
    assert_fails(grade(check, variant, slice_positions_mm=positions, slice_spacing_mm=dy),
                 "PixelSpacing", forbidden=forbidden)
    assert_fails(grade(check, variant, slice_positions_mm=positions[1:],
                       slice_spacing_mm=dz), "one per file")
    assert_fails(grade(check, variant, slice_positions_mm=..., slice_spacing_mm=dz),
                 "still `...`")


def test_series_written_for_the_task(tmp_path):
    import nibabel as nib

    from course_utils import dicom, nifti

    data = ex.task(0)
    hu, spacing, positions = expected(data)
    ct = dicom.read_series(ex.write_series(data, tmp_path))
    assert np.allclose(ct.hu[::-1, ::-1, :], hu, atol=0.51)
    assert np.allclose(ct.spacing, spacing, atol=1e-3)
    assert float(ct.headers[0].SliceThickness) == pytest.approx(data.slice_thickness)
    numbers = [int(h.InstanceNumber) for h in ct.headers]
    assert numbers != sorted(numbers)
    # reoriented with nibabel.orientations instead of by hand: the same volume. The codes say
    # where (column, row, slice) point; the masks' display frame has slice S, row P, column L
    codes = nifti.orientation_codes(ct.affine)     # as the notebook prints them
    display_codes = ("S", "P", "L")                # for ct.hu's axes (slice, row, column)
    now = nib.orientations.axcodes2ornt(codes[::-1])
    wanted = nib.orientations.axcodes2ornt(display_codes)
    reoriented = nib.orientations.apply_orientation(
        ct.hu, nib.orientations.ornt_transform(now, wanted))
    assert np.allclose(reoriented, hu, atol=0.51)


# ----------------------------------------------------------------------------- figure

def test_figure_passes_in_every_style(drawn, variant):
    for style, (answers, _) in drawn.items():
        results = verify_all(answers, variant)
        for name, result in results.items():
            assert result.passed, (style, name, result.message)


@pytest.mark.parametrize("fault, check, words", [
    ({"swap_ap": True}, "axial_panel", ("are swapped",)),
    ({"upside_down": True}, "axial_panel", ("upside down",)),
    ({"figsize": (183 / 25.4, 120 / 25.4)}, "axial_panel", ("figsize",)),
    ({"legend": False}, "axial_panel", ("legend",)),
    ({"swap_rl": True}, "coronal_panel", ("are swapped",)),
    ({"square_coronal": True}, "coronal_panel", ("size in mm",)),
    ({"jet_rgba": True}, "heatmap_panel", ("jet",)),
    ({"heat_lower": True}, "heatmap_panel", ("flipped relative to the CT",)),
    ({"bar_50_33": True}, "comparison_panel", ("labelled 50 mm", "33 mm long")),
    ({"letters": False}, "comparison_panel", ("panel letter",)),
])
def test_figure_faults(t, variant, fault, check, words):
    fig, axd, dice = build(t, "plain", **fault)
    results = verify_all(extract(capstone_axd=axd, dice_slice=dice), variant)
    assert_fails(results[check], *words)
    for other, result in results.items():      # the fault breaks its own check only
        if other != check:
            assert result.passed, (other, result.message)


def test_viridis_bar_for_a_jet_layer_fails_and_a_matching_bar_passes(t, variant):
    fig, axd, dice = build(t, "plain")
    ax = axd["heatmap"]
    ax.images[1].remove()
    rgba = plt.get_cmap("magma")(t.heat)
    rgba[..., 3] = t.heat
    ax.imshow(rgba, extent=_extent(t.heat.shape, t.pixel_spacing))
    assert grade(ex.checks.heatmap_panel, variant, capstone_axd=axd).passed  # magma bar
    fig, axd, dice = build(t, "prewindowed")
    fig.axes[-1].remove()                              # the viridis colorbar
    assert_fails(grade(ex.checks.heatmap_panel, variant, capstone_axd=axd), "no colorbar")


def test_dice_and_volume(t, variant, drawn):
    answers, dice = drawn["plain"]
    dice_3d = metrics.dice(t.truth, t.prediction)
    wrong = dict(answers, dice_slice=_plain.to_plain(dice_3d))
    assert_fails(ex.checks.comparison_panel.verify(wrong, variant=variant), "whole",
                 forbidden=(f"{dice:.2f}",))
    volume_check = ex.checks.lesion_volume_from_mesh
    _, spacing, _ = expected(t)
    helper = mesh.mesh_volume(mesh.mask_to_mesh(t.truth, spacing)) / 1000
    # marching cubes on a padded mask (np.pad constant 0), trimesh, and the divergence theorem
    verts, faces, _, _ = measure.marching_cubes(np.pad(t.truth, 1, constant_values=0)
                                                .astype(np.float32), 0.5, spacing=spacing)
    by_trimesh = abs(trimesh.Trimesh(verts, faces).volume) / 1000
    tri = verts.astype(np.float64)[faces]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]) / 2   # area vectors
    by_divergence = abs((tri.mean(axis=1) * normals).sum() / 3) / 1000
    padded = np.pad(t.truth, 1, mode="constant").astype(np.float64)
    verts, faces, _, _ = measure.marching_cubes(padded, 0.5, spacing=list(spacing))
    by_hand = abs(np.einsum("ij,ij->i", verts[faces[:, 0]],
                            np.cross(verts[faces[:, 1]], verts[faces[:, 2]])).sum()) / 6e3
    for good in (helper, np.float32(helper), [helper], by_trimesh, by_divergence, by_hand):
        assert grade(volume_check, variant, lesion_volume_ml=good).passed, good
    forbidden = (f"{helper:.2f}",)
    voxels = metrics.volume_ml(t.truth, spacing)
    assert_fails(grade(volume_check, variant, lesion_volume_ml=voxels), "voxel count",
                 forbidden=forbidden)
    ball = 4 / 3 * np.pi * t.radius_mm ** 3 / 1000
    assert_fails(grade(volume_check, variant, lesion_volume_ml=ball), "ideal ball",
                 forbidden=forbidden)
    assert_fails(grade(volume_check, variant, lesion_volume_ml=helper * 1000), "mm³",
                 forbidden=forbidden)
    in_voxels = mesh.mesh_volume(mesh.mask_to_mesh(t.truth, (1, 1, 1)))
    assert_fails(grade(volume_check, variant, lesion_volume_ml=in_voxels), "in voxels",
                 forbidden=forbidden)
    # marching cubes with the series' SliceThickness as the slice spacing
    thick = mesh.mesh_volume(mesh.mask_to_mesh(t.truth, (t.slice_thickness, *spacing[1:])))
    assert_fails(grade(volume_check, variant, lesion_volume_ml=thick / 1000), "not the volume",
                 forbidden=forbidden)


def test_values_typed_in_for_variant_0_fail_on_another_variant():
    t0 = ex.task(0)
    fig, axd, dice = build(t0, "helpers")
    _, (dz, _, _), positions = expected(t0)
    mesh_ml = ex._expected_volumes(t0)[0]
    answers = extract(slice_positions_mm=positions.round(3), slice_spacing_mm=dz,
                      capstone_axd=axd, dice_slice=round(dice, 3),
                      lesion_volume_ml=round(mesh_ml, 3))
    for check in ex.checks:
        assert check.verify(answers, variant=0).passed, check.name
        assert not check.verify(answers, variant=3).passed, check.name


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
