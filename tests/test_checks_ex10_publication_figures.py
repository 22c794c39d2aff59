"""Tests for the checks of exercise 10 (mosaics and publication figures).

Every check gets several correct answers written differently from the solution (each on
variant 0 and on variant 3) and, for every requirement, a plausible wrong answer that breaks
only that requirement, with the message it must give. Figures are drawn here (Agg) and go
through ``grade``, which describes them exactly as the grader does.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.gridspec import GridSpecFromSubplotSpec
from mpl_toolkits.axes_grid1.inset_locator import inset_axes
from PIL import Image

from check_helpers import assert_fails, grade
from course_utils import layout
from course_utils.checks import _plain
from course_utils.checks import ex10_publication_figures as ex
from course_utils.display import show_slice
from course_utils.volume import get_plane, plane_axis_labels, plane_spacing

VARIANTS = (0, 3)
ROOT = Path(__file__).resolve().parents[1]
MM = 25.4
FIGURE_CHECKS = ("mosaic_panels", "shared_window", "panel_labels")
_fails = functools.partial(assert_fails, ignore_case=True)


def _limits(data):
    width, level = data.window
    return level - width / 2, level + width / 2


def _grade_all(variant, axd, names=FIGURE_CHECKS):
    """Extract ``mosaic_axd`` once, as the grader does for a notebook, and verify ``names``."""
    params = sorted({param for name in names for param in ex.checks[name].params})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file({"mosaic_axd": axd}, params, path)
        answers = _plain.load_answers(path)
    return {name: ex.checks[name].verify(answers, variant=variant) for name in names}


def _assert_all_pass(results, what):
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert not failed, (what, failed)


def _fill(data, axd, cmap="gray", extent=False):
    """Draw the three planes on the panels of ``axd``; returns the last image."""
    vmin, vmax = _limits(data)
    image = None
    for plane, ax in axd.items():
        array = get_plane(data.hu, plane, data.index[plane])
        if extent:   # imshow with an extent from the pixel edges, labels by hand
            dy, dx = plane_spacing(data.spacing, plane)
            image = ax.imshow(array, cmap=cmap, vmin=vmin, vmax=vmax,
                              extent=(0, array.shape[1] * dx, array.shape[0] * dy, 0))
            ax.set(xlabel="x (mm)", ylabel="mm", title=f"{plane.capitalize()} plane")
        else:
            image = show_slice(array, ax=ax, vmin=vmin, vmax=vmax, cmap=cmap,
                               spacing=plane_spacing(data.spacing, plane),
                               axis_labels=plane_axis_labels(plane), title=plane)
    return image


def _figure(data, kind="mosaic", cmap="gray", size=None, letters=True, colorbar=True,
            planes=None, in_mm=True, window=None, layout_engine=None):
    """A three-panel figure of the task; returns (fig, dict of Axes).

    No layout engine by default: the checks read positions relative to each other, which a
    constrained layout does not reorder, and each constrained draw costs a second.
    """
    width, height = data.figure_mm if size is None else size
    figsize = (width / MM, height / MM)
    if kind == "mosaic":
        fig, axd = plt.subplot_mosaic([["axial", "axial", "coronal"],
                                       ["axial", "axial", "sagittal"]], figsize=figsize,
                                      layout=layout_engine)
    elif kind == "gridspec":
        fig = plt.figure(figsize=figsize, layout=layout_engine)
        grid = fig.add_gridspec(2, 3)
        axd = {"axial": fig.add_subplot(grid[:, :2]), "coronal": fig.add_subplot(grid[0, 2]),
               "sagittal": fig.add_subplot(grid[1, 2])}
    else:  # three panels in a row
        fig, axes = plt.subplots(1, 3, figsize=figsize, layout=layout_engine)
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


@pytest.fixture(scope="module")
def solution_figures():
    """The solution's figure for each variant (constrained layout), used read-only."""
    return {variant: _figure(ex.task(variant), layout_engine="constrained")
            for variant in VARIANTS}


def test_task_data_hold_only_what_the_learner_is_given():
    data = ex.task(0)
    assert set(vars(data)) == {"hu", "spacing", "index", "window_name", "window", "figure_mm"}
    other = ex.task(3)
    assert (data.spacing, data.window, data.figure_mm) != (other.spacing, other.window,
                                                           other.figure_mm)


# --------------------------------------------------------------------------- figures, correct

@pytest.mark.parametrize("variant", VARIANTS)
def test_figure_checks_pass_the_solution_figure(variant, solution_figures):
    _assert_all_pass(_grade_all(variant, solution_figures[variant][1]), "solution")


def _gridspec_annotate(data):
    """add_gridspec + add_subplot, colorbar on the list of Axes, letters by annotate."""
    fig = plt.figure(figsize=np.array(data.figure_mm) / MM, layout="constrained")
    grid = fig.add_gridspec(2, 3)
    axd = {"axial": fig.add_subplot(grid[:, 0:2]), "coronal": fig.add_subplot(grid[0, 2]),
           "sagittal": fig.add_subplot(grid[1, 2])}
    fig.colorbar(_fill(data, axd, cmap="gist_gray"), ax=list(axd.values()), label="HU")
    for letter, plane in zip("ABC", ex.PANELS):
        axd[plane].annotate(letter, xy=(0.02, 0.98), xycoords="axes fraction", va="top",
                            color="w", fontweight="bold")
    return axd


def _subplot2grid_inset_colorbar(data):
    """plt.subplot2grid, no layout engine, a colorbar on a cax from inset_axes, ax.text."""
    fig = plt.figure(figsize=np.array(data.figure_mm) / MM)
    axd = {"axial": plt.subplot2grid((2, 3), (0, 0), rowspan=2, colspan=2, fig=fig),
           "coronal": plt.subplot2grid((2, 3), (0, 2), fig=fig),
           "sagittal": plt.subplot2grid((2, 3), (1, 2), fig=fig)}
    image = _fill(data, axd, cmap="bone", extent=True)
    cax = inset_axes(axd["sagittal"], width="5%", height="100%", loc="lower left",
                     bbox_to_anchor=(1.05, 0, 1, 1), bbox_transform=axd["sagittal"].transAxes,
                     borderpad=0)
    fig.colorbar(image, cax=cax).set_label("Hounsfield units")
    for letter, plane in zip("ABC", ex.PANELS):
        axd[plane].text(0.02, 0.95, letter, transform=axd[plane].transAxes, va="top")
    return axd


def _nested_gridspec_left_titles(data):
    """GridSpecFromSubplotSpec, a horizontal colorbar below, letters as left titles."""
    fig = plt.figure(figsize=np.array(data.figure_mm) / MM)
    outer = fig.add_gridspec(1, 2, width_ratios=[2, 1])
    inner = GridSpecFromSubplotSpec(2, 1, subplot_spec=outer[1])
    axd = {"axial": fig.add_subplot(outer[0]), "coronal": fig.add_subplot(inner[0]),
           "sagittal": fig.add_subplot(inner[1])}
    black_to_white = LinearSegmentedColormap.from_list("mine", ["black", "white"])
    image = _fill(data, axd, cmap=black_to_white)
    fig.colorbar(image, ax=list(axd.values()), location="bottom", shrink=0.6).set_label("HU")
    for letter, plane in zip("ABC", ex.PANELS):
        axd[plane].set_title(letter, loc="left", fontweight="bold")
    return axd


def _subfigures(data):
    """fig.subfigures: the axial panel in one, coronal over sagittal in the other."""
    fig = plt.figure(figsize=np.array(data.figure_mm) / MM, layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[2, 1])
    axd = {"axial": left.subplots()}
    axd["coronal"], axd["sagittal"] = right.subplots(2, 1)
    image = _fill(data, axd)
    for ax in axd.values():   # print-sized text, as the solution's course style gives
        ax.tick_params(labelsize=5)
        ax.xaxis.label.set_size(6)
        ax.yaxis.label.set_size(6)
        ax.title.set_size(6)
    colorbar = left.colorbar(image, ax=axd["axial"], location="bottom", label="HU")
    colorbar.ax.tick_params(labelsize=5)
    layout.add_panel_labels([axd[p] for p in ex.PANELS])
    return axd


def _string_mosaic_figure_text(data):
    """A string mosaic "AAB;AAC", a colorbar in an added cax, letters with fig.text."""
    fig, named = plt.subplot_mosaic("AAB;AAC", figsize=np.array(data.figure_mm) / MM)
    axd = {"axial": named["A"], "coronal": named["B"], "sagittal": named["C"]}
    image = _fill(data, axd)
    fig.subplots_adjust(right=0.85)
    fig.colorbar(image, cax=fig.add_axes([0.88, 0.15, 0.03, 0.7]), label="CT number (HU)")
    for letter, plane in zip("ABC", ex.PANELS):
        left, bottom, width, height = axd[plane].get_position().bounds
        fig.text(left, bottom + height, letter, va="bottom", fontweight="bold")
    return axd


def _scalar_mappable_colorbar(data):
    """A colorbar made from a ScalarMappable, as chapter 5 teaches."""
    fig, axd = _figure(data, cmap="bone", colorbar=False)
    fig.colorbar(ScalarMappable(Normalize(*_limits(data)), "bone"), ax=list(axd.values()),
                 label="Hounsfield units")
    return axd


def _extent_and_letters_by_hand(data):
    """The gridspec helper of this file with imshow + extent and lower-case bold titles."""
    fig, axd = _figure(data, kind="gridspec", letters=False, colorbar=False)
    for ax in axd.values():
        ax.clear()
    fig.colorbar(_fill(data, axd, extent=True), ax=list(axd.values()), label="HU")
    for plane in ex.PANELS:
        axd[plane].set_title(f"({ex.LETTERS[plane].lower()})", loc="left", fontweight="bold")
    return axd


ALTERNATIVES = [_gridspec_annotate, _subplot2grid_inset_colorbar, _nested_gridspec_left_titles,
                _subfigures, _string_mosaic_figure_text, _scalar_mappable_colorbar,
                _extent_and_letters_by_hand]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("make", ALTERNATIVES, ids=lambda make: make.__name__.strip("_"))
def test_figure_checks_pass_other_correct_figures(variant, make):
    _assert_all_pass(_grade_all(variant, make(ex.task(variant))), make.__name__)


# --------------------------------------------------------------------------- mosaic_panels

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
    _fails(result(_figure(data, size=np.array(data.figure_mm) * MM / 10)[1]),   # figsize in cm
           "not the printed size", "mm / 25.4")
    planes = {p: get_plane(data.hu, p, data.index[p]) for p in ex.PANELS}
    _fails(result(_figure(data, planes={**planes, "coronal": planes["coronal"][::-1]})[1]),
           "upside down")
    unflipped = {**planes, "sagittal": data.hu[:, :, data.index["sagittal"]]}   # no get_plane
    _fails(result(_figure(data, planes=unflipped)[1]), "sagittal panel is upside down")
    middle = {**planes, "axial": data.hu[data.hu.shape[0] // 2 - 5]}
    _fails(result(_figure(data, planes=middle)[1]), "through the lesion")
    other_index = {**planes, "sagittal": get_plane(data.hu, "sagittal", data.index["coronal"])}
    _fails(result(_figure(data, planes=other_index)[1]), "sagittal panel does not show",
           forbidden=(str(data.index["sagittal"]),))
    transposed = {**planes, "sagittal": planes["sagittal"].T}
    _fails(result(_figure(data, planes=transposed)[1]), "transposed")
    _fails(result(_figure(data, in_mm=False)[1]), "not drawn in mm")
    fig, axd = _figure(data, letters=False)   # the coronal pixel size given as (dx, dz)
    axd["coronal"].clear()
    show_slice(planes["coronal"], ax=axd["coronal"], window=data.window,
               spacing=plane_spacing(data.spacing, "coronal")[::-1],
               axis_labels=plane_axis_labels("coronal"), title="coronal")
    _fails(result(axd), "coronal panel is not drawn in mm")
    fig, axd = _figure(data)
    axd["coronal"].set_xlabel("column")
    _fails(result(axd), "axis labels")
    fig, axd = _figure(data)
    axd["sagittal"].set_title("")
    _fails(result(axd), "title")
    fig, axd = _figure(data)
    _fails(result({"axial": axd["axial"], "coronal": axd["coronal"]}), "missing: sagittal")


# --------------------------------------------------------------------------- shared_window

def test_shared_window_wrong_answers():
    variant = 3
    data = ex.task(variant)
    check = ex.checks.shared_window

    def result(axd):
        return grade(check, variant, mosaic_axd=axd)

    _fails(result(_figure(data, window=(-1350, 150) if data.window_name != "lung"
                          else (-160, 240))[1]), "not shown in the")
    width, level = data.window   # vmin, vmax = level -/+ width
    _fails(result(_figure(data, window=(level - width, level + width))[1]),
           "axial panel is not shown in the", forbidden=(f"{level - width / 2:g}",))
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
    fig, axd = _figure(data, letters=False)
    for plane in ex.PANELS:   # annotate in axes fraction, at the bottom-left corner
        axd[plane].annotate(ex.LETTERS[plane], xy=(0.02, 0.05), xycoords="axes fraction")
    _fails(grade(check, variant, mosaic_axd=axd), "top-left corner")


# --------------------------------------------------------------------------- exports

def _light_figure(data, size_mm=None):
    """A figure of the task's size with one small image: fast to save at any dpi."""
    width, height = data.figure_mm if size_mm is None else size_mm
    fig, ax = plt.subplots(figsize=(width / MM, height / MM))
    ax.imshow(np.zeros((4, 4)), cmap="gray")
    ax.set_title("panel")
    return fig


@pytest.fixture(scope="module")
def exported(tmp_path_factory, solution_figures):
    """Files of variants 0 and 3, right and wrong: {(variant, kind): path}."""
    folder = tmp_path_factory.mktemp("ex10")
    files = {}
    for variant in VARIANTS:
        data = ex.task(variant)
        fig = solution_figures[variant][0]
        light = _light_figure(data)
        # the solution's figure as PNG for variant 0 (the light one, faster, for variant 3)
        files[variant, "png"] = folder / f"{variant}a.png"
        (fig if variant == 0 else light).savefig(files[variant, "png"], dpi=300)
        files[variant, "svg"] = folder / f"{variant}a.svg"
        fig.savefig(files[variant, "svg"])
        if variant == 3:
            for kind, name, options in (("png100", "c.png", {}),   # the default dpi
                                        ("png150", "d.png", {"dpi": 150}),
                                        ("tight", "e.png", {"dpi": 300, "bbox_inches": "tight"}),
                                        ("svg_tight", "b.svg", {"bbox_inches": "tight"}),
                                        ("pdf", "f.pdf", {}),
                                        ("jpeg_as_png", "g.png", {"dpi": 300, "format": "jpg"})):
                path = folder / f"{variant}{name}"
                light.savefig(path, **options)
                files[variant, kind] = path
        plt.close(light)
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
    _fails(grade(check, 3, png_path=exported[3, "png100"]), "100 dpi")
    _fails(grade(check, 3, png_path=exported[3, "png150"]), "150 dpi")
    _fails(grade(check, 3, png_path=exported[3, "tight"]), "bbox_inches=None")
    _fails(grade(check, 3, png_path=exported[0, "png"]), "not the size")   # variant 0's size
    _fails(grade(check, 3, png_path=exported[3, "svg"]), "should be a .png")
    _fails(grade(check, 3, png_path=exported[3, "jpeg_as_png"]), "jpeg image, not a png")
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
    _fails(grade(check, 3, svg_path=exported[3, "pdf"]), "should be a .svg")
    path = tmp_path / "one.svg"
    data = ex.task(3)
    path.write_text(f'<svg width="{data.figure_mm[0] / MM * 72}pt" '
                    f'height="{data.figure_mm[1] / MM * 72}pt"><image/></svg>')
    _fails(grade(check, 3, svg_path=path), "fewer raster images")
    path = tmp_path / "not.svg"
    path.write_text("hello")
    _fails(grade(check, 3, svg_path=path), "does not hold an svg")


# --------------------------------------------------------------------------- imsave

def _levels(data, tmp_path, window=None, reader="pillow"):
    hu_slice = data.hu[data.index["axial"]]
    vmin, vmax = _limits(data) if window is None else window
    path = tmp_path / "slice.png"
    plt.imsave(path, hu_slice, cmap="gray", vmin=vmin, vmax=vmax)
    if reader == "plt":
        return len(np.unique(plt.imread(path)[..., 0]))
    with Image.open(path) as png:
        if reader == "L":
            return len(np.unique(np.asarray(png.convert("L"))))
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
    for reader in ("plt", "L"):   # read back with plt.imread, or as a grey Pillow image
        assert grade(check, variant, png_grey_levels=_levels(data, tmp_path, reader=reader),
                     npy_max_error=0).passed, reader


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
    hu_slice = data.hu[data.index["axial"]]
    plt.imsave(tmp_path / "auto.png", hu_slice, cmap="gray")   # no window: min-max scaling
    with Image.open(tmp_path / "auto.png") as png:
        auto = len(np.unique(np.asarray(png)[..., 0]))
    if auto != levels:
        _fails(grade(check, variant, png_grey_levels=auto, npy_max_error=0), "does not match")
    _fails(grade(check, variant, png_grey_levels=levels, npy_max_error=0.5), "exactly")
    _fails(grade(check, variant, png_grey_levels=levels, npy_max_error="0"), "a number")


def test_typed_in_answers_of_variant_0_fail_on_variant_3(tmp_path, exported, solution_figures):
    solution = ex.task(0)
    levels = _levels(solution, tmp_path)
    assert grade(ex.checks.imsave_quantization, 0, png_grey_levels=levels,
                 npy_max_error=0).passed
    assert not grade(ex.checks.imsave_quantization, 3, png_grey_levels=levels,
                     npy_max_error=0).passed
    results = _grade_all(3, solution_figures[0][1], names=("mosaic_panels", "shared_window"))
    assert not any(r.passed for r in results.values()), results
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
