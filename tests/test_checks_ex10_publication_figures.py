"""Tests for the checks of exercise 10 (mosaics and publication figures).

Every check gets several correct answers written differently from the solution (each on
variant 0 and on variant 3) and, for every requirement, a plausible wrong answer that breaks
only that requirement, with the message it must give. Figures are drawn here (Agg) and go
through ``grade``, which describes them exactly as the grader does.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from PIL import Image

from check_helpers import assert_fails, grade
from course_utils import layout
from course_utils.checks import ex10_publication_figures as ex
from course_utils.display import show_slice
from course_utils.volume import get_plane, plane_axis_labels, plane_spacing

VARIANTS = (0, 3)
ROOT = Path(__file__).resolve().parents[1]
MM = 25.4
_fails = functools.partial(assert_fails, ignore_case=True)


def _limits(data):
    width, level = data.window
    return level - width / 2, level + width / 2


def _figure(data, kind="mosaic", cmap="gray", size=None, letters=True, colorbar=True,
            planes=None, in_mm=True, window=None):
    """A three-panel figure of the task; returns (fig, dict of Axes)."""
    width, height = data.figure_mm if size is None else size
    figsize = (width / MM, height / MM)
    if kind == "mosaic":
        fig, axd = plt.subplot_mosaic([["axial", "axial", "coronal"],
                                       ["axial", "axial", "sagittal"]], figsize=figsize,
                                      layout="constrained")
    elif kind == "gridspec":
        fig = plt.figure(figsize=figsize, layout="constrained")
        grid = fig.add_gridspec(2, 3)
        axd = {"axial": fig.add_subplot(grid[:, :2]), "coronal": fig.add_subplot(grid[0, 2]),
               "sagittal": fig.add_subplot(grid[1, 2])}
    else:  # three panels in a row
        fig, axes = plt.subplots(1, 3, figsize=figsize, layout="constrained")
        axd = dict(zip(ex.PANELS, axes))
    vmin, vmax = _limits(data) if window is None else window
    image = None
    for plane, ax in axd.items():
        array = get_plane(data.hu, plane, data.index[plane]) if planes is None else planes[plane]
        image = show_slice(array, ax=ax, vmin=vmin, vmax=vmax, cmap=cmap,
                           spacing=plane_spacing(data.spacing, plane) if in_mm else None,
                           axis_labels=plane_axis_labels(plane), title=plane)
    if colorbar:
        fig.colorbar(image, ax=list(axd.values()), label="HU")
    if letters:
        layout.add_panel_labels([axd[p] for p in ex.PANELS])
    return fig, axd


# --------------------------------------------------------------------------- mosaic_panels

@pytest.mark.parametrize("variant", VARIANTS)
def test_mosaic_panels_correct_answers(variant):
    data = ex.task(variant)
    check = ex.checks.mosaic_panels
    assert grade(check, variant, mosaic_axd=_figure(data)[1]).passed
    assert grade(check, variant, mosaic_axd=_figure(data, kind="gridspec")[1]).passed
    # imshow with an extent from the pixel edges, labels and titles by hand
    fig, axd = _figure(data, letters=False, colorbar=False)
    for plane, ax in axd.items():
        ax.clear()
        array = get_plane(data.hu, plane, data.index[plane])
        dy, dx = plane_spacing(data.spacing, plane)
        ax.imshow(array, cmap="gray", extent=(0, array.shape[1] * dx, array.shape[0] * dy, 0))
        ax.set(xlabel="x (mm)", ylabel="y (mm)", title=f"{plane.capitalize()} plane")
    assert grade(check, variant, mosaic_axd=axd).passed


def test_mosaic_panels_wrong_answers():
    variant = 3
    data = ex.task(variant)
    check = ex.checks.mosaic_panels

    def result(axd):
        return grade(check, variant, mosaic_axd=axd)

    _fails(result(_figure(data, kind="row")[1]), "large one")
    fig, axd = _figure(data)
    _fails(result({"axial": axd["axial"], "coronal": axd["sagittal"],
                   "sagittal": axd["coronal"]}), "above the sagittal")
    _fails(result(_figure(data, size=(183, 100) if data.figure_mm[0] != 183 else (89, 60))[1]),
           "not the printed size")
    planes = {p: get_plane(data.hu, p, data.index[p]) for p in ex.PANELS}
    _fails(result(_figure(data, planes={**planes, "coronal": planes["coronal"][::-1]})[1]),
           "upside down")
    middle = {**planes, "axial": data.hu[data.hu.shape[0] // 2 - 5]}
    _fails(result(_figure(data, planes=middle)[1]), "through the lesion")
    transposed = {**planes, "sagittal": planes["sagittal"].T}
    _fails(result(_figure(data, planes=transposed)[1]), "transposed")
    _fails(result(_figure(data, in_mm=False)[1]), "not drawn in mm")
    fig, axd = _figure(data)
    axd["coronal"].set_xlabel("column")
    _fails(result(axd), "axis labels")
    fig, axd = _figure(data)
    axd["sagittal"].set_title("")
    _fails(result(axd), "title")
    fig, axd = _figure(data)
    _fails(result({"axial": axd["axial"], "coronal": axd["coronal"]}), "missing: sagittal")


# --------------------------------------------------------------------------- shared_window

@pytest.mark.parametrize("variant", VARIANTS)
def test_shared_window_correct_answers(variant):
    data = ex.task(variant)
    check = ex.checks.shared_window
    assert grade(check, variant, mosaic_axd=_figure(data, cmap="gist_gray")[1]).passed
    black_to_white = LinearSegmentedColormap.from_list("mine", ["black", "white"])
    assert grade(check, variant, mosaic_axd=_figure(data, cmap=black_to_white)[1]).passed
    # a colorbar made from a ScalarMappable, as chapter 5 teaches
    fig, axd = _figure(data, cmap="bone", colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(*_limits(data)), "bone"), ax=list(axd.values()),
                 label="Hounsfield units")
    assert grade(check, variant, mosaic_axd=axd).passed


def test_shared_window_wrong_answers():
    variant = 3
    data = ex.task(variant)
    check = ex.checks.shared_window

    def result(axd):
        return grade(check, variant, mosaic_axd=axd)

    _fails(result(_figure(data, window=(-1350, 150) if data.window_name != "lung"
                          else (-160, 240))[1]), "not shown in the")
    fig, axd = _figure(data, colorbar=False)
    axd["sagittal"].images[0].set_clim(-500, 500)
    fig.colorbar(axd["axial"].images[0], ax=list(axd.values()), label="HU")
    _fails(result(axd), "sagittal panel is not shown")
    _fails(result(_figure(data, cmap="gray_r")[1]), "inverted")
    _fails(result(_figure(data, cmap="viridis")[1]), "not a grey")
    _fails(result(_figure(data, colorbar=False)[1]), "no colorbar")
    fig, axd = _figure(data, colorbar=False)
    for ax in axd.values():
        fig.colorbar(ax.images[0], ax=ax, label="HU")
    _fails(result(axd), "3 colorbars")
    fig, axd = _figure(data, colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(-1000, 1000), "gray"), ax=list(axd.values()),
                 label="HU")
    _fails(result(axd), "does not show the greys")
    fig, axd = _figure(data, colorbar=False)
    fig.colorbar(axd["axial"].images[0], ax=list(axd.values()))
    _fails(result(axd), "no unit")


# --------------------------------------------------------------------------- panel_labels

@pytest.mark.parametrize("variant", VARIANTS)
def test_panel_labels_correct_answers(variant):
    data = ex.task(variant)
    check = ex.checks.panel_labels
    assert grade(check, variant, mosaic_axd=_figure(data)[1]).passed
    fig, axd = _figure(data, letters=False)
    for plane in ex.PANELS:
        axd[plane].set_title(f"({ex.LETTERS[plane].lower()})", loc="left", fontweight="bold")
    assert grade(check, variant, mosaic_axd=axd).passed
    fig, axd = _figure(data, letters=False)
    fig.draw_without_rendering()   # constrained layout places the panels at draw time
    for plane in ex.PANELS:
        left, bottom, width, height = axd[plane].get_position().bounds
        fig.text(left + 0.01, bottom + height - 0.01, ex.LETTERS[plane], va="top",
                 fontweight="bold")
    assert grade(check, variant, mosaic_axd=axd).passed


def test_panel_labels_wrong_answers():
    variant = 3
    data = ex.task(variant)
    check = ex.checks.panel_labels
    _fails(grade(check, variant, mosaic_axd=_figure(data, letters=False)[1]),
           "axial panel has no panel letter")
    fig, axd = _figure(data, letters=False)
    layout.add_panel_labels([axd["coronal"], axd["axial"], axd["sagittal"]])
    _fails(grade(check, variant, mosaic_axd=axd), "lettered B")
    fig, axd = _figure(data, letters=False)
    for plane in ex.PANELS:   # letters at the bottom-right corner
        axd[plane].text(0.95, 0.05, ex.LETTERS[plane], transform=axd[plane].transAxes)
    _fails(grade(check, variant, mosaic_axd=axd), "top-left corner")


# --------------------------------------------------------------------------- exports

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Files of variants 0 and 3, right and wrong: {(variant, kind): path}."""
    folder = tmp_path_factory.mktemp("ex10")
    files = {}
    for variant in VARIANTS:
        data = ex.task(variant)
        fig, _ = _figure(data, letters=False)
        wrong = (("png150", "c.png", {"dpi": 150}),
                 ("tight", "d.png", {"dpi": 300, "bbox_inches": "tight"}),
                 ("svg_tight", "b.svg", {"bbox_inches": "tight"})) if variant == 3 else ()
        for kind, name, options in (("png", "a.png", {"dpi": 300}),
                                    ("svg", "a.svg", {})) + wrong:
            path = folder / f"{variant}{name}"
            fig.savefig(path, **options)
            files[variant, kind] = path
        plt.close(fig)
        # a pillow-made PNG at 300 dpi of the right pixel size
        width, height = (round(v / MM * 300) for v in data.figure_mm)
        path = folder / f"{variant}pillow.png"
        Image.new("RGB", (width, height)).save(path, dpi=(300, 300))
        files[variant, "pillow"] = path
        path = folder / f"{variant}pillow600.png"
        Image.new("L", (2 * width, 2 * height)).save(path, dpi=(600, 600))
        files[variant, "png600"] = path
        fig, ax = plt.subplots(figsize=(data.figure_mm[0] / MM, data.figure_mm[1] / MM))
        ax.plot([0, 1])
        files[variant, "no_image_svg"] = folder / f"{variant}lines.svg"
        fig.savefig(files[variant, "no_image_svg"])
        plt.close(fig)
    return files


@pytest.mark.parametrize("variant", VARIANTS)
def test_export_png_correct_answers(variant, exported):
    check = ex.checks.export_png
    for kind in ("png", "png600", "pillow"):
        assert grade(check, variant, png_path=exported[variant, kind]).passed, kind
    assert grade(check, variant, png_path=str(exported[variant, "png"])).passed


def test_export_png_wrong_answers(exported):
    check = ex.checks.export_png
    _fails(grade(check, 3, png_path=exported[3, "png150"]), "150 dpi")
    _fails(grade(check, 3, png_path=exported[3, "tight"]), "bbox_inches=None")
    _fails(grade(check, 3, png_path=exported[0, "png"]), "not the size")   # variant 0's size
    _fails(grade(check, 3, png_path=exported[3, "svg"]), "should be a .png")
    _fails(grade(check, 3, png_path=Path("/nonexistent/figure.png")), "does not exist")


@pytest.mark.parametrize("variant", VARIANTS)
def test_export_svg_correct_answers(variant, exported, tmp_path):
    check = ex.checks.export_svg
    assert grade(check, variant, svg_path=exported[variant, "svg"]).passed
    assert grade(check, variant, svg_path=str(exported[variant, "svg"])).passed
    data = ex.task(variant)   # an SVG whose size is written in mm
    path = tmp_path / "mm.svg"
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{data.figure_mm[0]}mm" '
                    f'height="{data.figure_mm[1]}mm">' + "<image/>" * 3 + "</svg>")
    assert grade(check, variant, svg_path=path).passed


def test_export_svg_wrong_answers(exported, tmp_path):
    check = ex.checks.export_svg
    _fails(grade(check, 3, svg_path=exported[3, "svg_tight"]), "bbox_inches=None")
    _fails(grade(check, 3, svg_path=exported[0, "svg"]), "not the size")
    _fails(grade(check, 3, svg_path=exported[3, "no_image_svg"]), "no raster image")
    path = tmp_path / "one.svg"
    data = ex.task(3)
    path.write_text(f'<svg width="{data.figure_mm[0] / MM * 72}pt" '
                    f'height="{data.figure_mm[1] / MM * 72}pt"><image/></svg>')
    _fails(grade(check, 3, svg_path=path), "fewer raster images")
    path = tmp_path / "not.svg"
    path.write_text("hello")
    _fails(grade(check, 3, svg_path=path), "does not hold an svg")


# --------------------------------------------------------------------------- imsave

def _levels(data, tmp_path, window=None):
    hu_slice = data.hu[data.index["axial"]]
    vmin, vmax = _limits(data) if window is None else window
    path = tmp_path / "slice.png"
    plt.imsave(path, hu_slice, cmap="gray", vmin=vmin, vmax=vmax)
    with Image.open(path) as png:
        return len(np.unique(np.asarray(png)[..., 0]))


@pytest.mark.parametrize("variant", VARIANTS)
def test_imsave_quantization_correct_answers(variant, tmp_path):
    data = ex.task(variant)
    check = ex.checks.imsave_quantization
    levels = _levels(data, tmp_path)
    assert grade(check, variant, png_grey_levels=levels, npy_max_error=0.0).passed
    assert grade(check, variant, png_grey_levels=np.int64(levels),
                 npy_max_error=np.float32(0)).passed
    assert grade(check, variant, png_grey_levels=float(levels), npy_max_error=0).passed


def test_imsave_quantization_wrong_answers(tmp_path):
    variant = 3
    data = ex.task(variant)
    check = ex.checks.imsave_quantization
    levels = _levels(data, tmp_path)
    hu_levels = len(np.unique(data.hu[data.index["axial"]]))
    _fails(grade(check, variant, png_grey_levels=hu_levels, npy_max_error=0), "distinct hu")
    _fails(grade(check, variant, png_grey_levels=300, npy_max_error=0), "8-bit")
    other = _levels(data, tmp_path, window=(-1000, 1000))
    _fails(grade(check, variant, png_grey_levels=other, npy_max_error=0), "does not match",
           forbidden=(str(levels),))
    _fails(grade(check, variant, png_grey_levels=levels, npy_max_error=0.5), "exactly")


def test_typed_in_answers_of_variant_0_fail_on_variant_3(tmp_path, exported):
    solution = ex.task(0)
    levels = _levels(solution, tmp_path)
    assert grade(ex.checks.imsave_quantization, 0, png_grey_levels=levels,
                 npy_max_error=0).passed
    assert not grade(ex.checks.imsave_quantization, 3, png_grey_levels=levels,
                     npy_max_error=0).passed
    axd = _figure(solution)[1]
    for name in ("mosaic_panels", "shared_window"):
        assert grade(ex.checks[name], 0, mosaic_axd=axd).passed
        assert not grade(ex.checks[name], 3, mosaic_axd=axd).passed
    assert not grade(ex.checks.export_png, 3, png_path=exported[0, "png"]).passed
    assert not grade(ex.checks.export_svg, 3, svg_path=exported[0, "svg"]).passed


# --------------------------------------------------------------------------- whole notebooks

_ALTERNATIVE = {
    "cell-03": """fig_mosaic = plt.figure(figsize=np.array(figure_mm) / MM_PER_INCH,
                        layout="constrained")
grid = fig_mosaic.add_gridspec(2, 3)
mosaic_axd = {"axial": fig_mosaic.add_subplot(grid[:, :2]),
              "coronal": fig_mosaic.add_subplot(grid[0, 2]),
              "sagittal": fig_mosaic.add_subplot(grid[1, 2])}
width, level = window
for plane, ax in mosaic_axd.items():
    array = get_plane(hu, plane, index[plane])
    dy, dx = plane_spacing(spacing, plane)
    ct_image = ax.imshow(array, cmap="Greys_r", vmin=level - width / 2, vmax=level + width / 2,
                         extent=(0, array.shape[1] * dx, array.shape[0] * dy, 0))
    ax.set(xlabel="mm", ylabel="mm", title=plane)""",
    "cell-09": """for letter, plane in zip("ABC", ["axial", "coronal", "sagittal"]):
    mosaic_axd[plane].set_title(letter, loc="left", fontweight="bold")""",
}


def _notebook(tmp_path, replacements):
    nb = nbformat.read(ROOT / "solutions" / "10_publication_figures.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") in replacements:
            cell.source = replacements[cell["id"]]
            cell.outputs = []
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    path = folder / "10_publication_figures.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, _ALTERNATIVE), hidden_variant=5)
    assert alternative.error is None, alternative.error
    assert all(check.passed for check in alternative.checks), [
        (c.name, c.message) for c in alternative.checks if not c.passed]
    wrong = grade_notebook(_notebook(tmp_path, {"cell-12": """png_path = output_dir / "figure10.png"
svg_path = output_dir / "figure10.svg"
fig_mosaic.savefig(png_path, dpi=300, bbox_inches="tight")
fig_mosaic.savefig(svg_path, bbox_inches=None)"""}), hidden_variant=5)
    failed = [check.name for check in wrong.checks if not check.passed]
    assert failed == ["export_png"], [(c.name, c.message) for c in wrong.checks]
