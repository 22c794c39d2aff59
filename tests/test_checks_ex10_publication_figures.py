"""Tests for the checks of exercise 10 (publication figures): right answers pass, real mistakes fail."""

from __future__ import annotations

import functools
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from course_utils import layout
from course_utils.checks import ex10_publication_figures as ex
from course_utils.display import show_slice
from course_utils.phantom import chest_volume
from course_utils.volume import get_plane, plane_spacing
from course_utils.windowing import PRESETS, window_limits
from check_helpers import assert_fails

SHAPE, SPACING = (72, 256, 256), (4.0, 1.5, 1.5)
MOSAIC = [["axial", "axial", "coronal"], ["axial", "axial", "sagittal"]]
MM_PER_INCH = 25.4


@pytest.fixture(scope="module")
def volume():
    chest = chest_volume(shape=SHAPE, spacing=SPACING, seed=0)
    k, row, col = np.argwhere(chest.mask("lesion")).mean(axis=0).round().astype(int)
    return chest.hu, {"axial": k, "coronal": row, "sagittal": col}


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _mosaic(volume, mosaic=MOSAIC, window="lung", in_mm=True, planes=None, flip=(),
            colorbar="shared", labels=("A", "B", "C"), width_mm=183):
    hu, index = volume
    fig, axd = plt.subplot_mosaic(mosaic, figsize=(width_mm / MM_PER_INCH, 100 / MM_PER_INCH),
                                  layout="constrained")
    images = []
    for plane, ax in axd.items():
        array = get_plane(hu, plane, index[plane]) if planes is None else planes[plane]
        if plane in flip:
            array = array[::-1]
        kwargs = {"window": window} if isinstance(window, str) else {}
        if isinstance(window, dict):
            kwargs = {"vmin": window[plane][0], "vmax": window[plane][1]}
        spacing = plane_spacing(SPACING, plane) if in_mm else None
        images.append(show_slice(array, spacing=spacing, ax=ax, **kwargs))
    if colorbar == "shared":
        fig.colorbar(images[0], ax=list(axd.values()), label="HU")
    elif colorbar == "each":
        for image, ax in zip(images, axd.values()):
            fig.colorbar(image, ax=ax, label="HU")
    elif colorbar == "unlabelled":
        fig.colorbar(images[0], ax=list(axd.values()))
    if labels:
        layout.add_panel_labels([axd[p] for p in ("axial", "coronal", "sagittal")],
                                labels=list(labels))
    return fig, axd


# ----------------------------------------------------------------------------- mosaic_panels

def test_mosaic_panels_pass(volume):
    _, axd = _mosaic(volume)
    assert _run("mosaic_panels", mosaic_axd=axd).passed


def test_mosaic_panels_blank_and_wrong_type(volume):
    _assert_fails(_run("mosaic_panels", mosaic_axd=...), "still `...`")
    fig, ax = plt.subplots()
    _assert_fails(_run("mosaic_panels", mosaic_axd=ax), "dict of axes")


def test_mosaic_panels_wrong_names(volume):
    hu, index = volume
    fig, axd = plt.subplot_mosaic([["A", "A", "B"], ["A", "A", "C"]])
    _assert_fails(_run("mosaic_panels", mosaic_axd=axd), "missing")


def test_mosaic_panels_in_pixels(volume):
    _, axd = _mosaic(volume, in_mm=False)
    _assert_fails(_run("mosaic_panels", mosaic_axd=axd), "not drawn in mm")


def test_mosaic_panels_upside_down(volume):
    _, axd = _mosaic(volume, flip=("coronal",))
    _assert_fails(_run("mosaic_panels", mosaic_axd=axd), "upside down")


def test_mosaic_panels_wrong_slice(volume):
    hu, index = volume
    planes = {p: get_plane(hu, p, index[p]) for p in ("axial", "coronal", "sagittal")}
    planes["axial"] = get_plane(hu, "axial", index["axial"] + 5)
    _, axd = _mosaic(volume, planes=planes)
    result = _run("mosaic_panels", mosaic_axd=axd)
    _assert_fails(result, "lesion centre", forbidden=(str(index["axial"]),))


def test_mosaic_panels_equal_sizes(volume):
    _, axd = _mosaic(volume, mosaic=[["axial", "coronal", "sagittal"]])
    _assert_fails(_run("mosaic_panels", mosaic_axd=axd), "large one")


# ----------------------------------------------------------------------------- shared_window

def test_shared_window_pass(volume):
    _, axd = _mosaic(volume)
    assert _run("shared_window", mosaic_axd=axd).passed


def test_shared_window_accepts_linear_limits(volume):
    lung = PRESETS["lung"]
    limits = window_limits(lung.width, lung.level, "LINEAR")
    _, axd = _mosaic(volume, window={p: limits for p in ("axial", "coronal", "sagittal")})
    assert _run("shared_window", mosaic_axd=axd).passed


def test_shared_window_autoscaled_panels(volume):
    hu, index = volume
    limits = {p: (float(get_plane(hu, p, index[p]).min()), float(get_plane(hu, p, index[p]).max()))
              for p in ("axial", "coronal", "sagittal")}
    _, axd = _mosaic(volume, window=limits)
    _assert_fails(_run("shared_window", mosaic_axd=axd), "different display limits")


def test_shared_window_other_window(volume):
    _, axd = _mosaic(volume, window="soft_tissue")
    vmin, vmax = window_limits(1500, -600)
    result = _run("shared_window", mosaic_axd=axd)
    _assert_fails(result, "not the lung window", forbidden=(f"{vmin:g}", f"{vmax:g}"))


def test_shared_window_colorbars(volume):
    _, axd = _mosaic(volume, colorbar="each")
    _assert_fails(_run("shared_window", mosaic_axd=axd), "3 colorbars")
    _, axd = _mosaic(volume, colorbar=None)
    _assert_fails(_run("shared_window", mosaic_axd=axd), "no colorbar")
    _, axd = _mosaic(volume, colorbar="unlabelled")
    _assert_fails(_run("shared_window", mosaic_axd=axd), "no unit")


# ----------------------------------------------------------------------------- panel_labels

def test_panel_labels_pass(volume):
    _, axd = _mosaic(volume)
    assert _run("panel_labels", mosaic_axd=axd).passed
    _, axd = _mosaic(volume, labels=("(a)", "(b)", "(c)"))
    assert _run("panel_labels", mosaic_axd=axd).passed


def test_panel_labels_missing_and_order(volume):
    _, axd = _mosaic(volume, labels=None)
    _assert_fails(_run("panel_labels", mosaic_axd=axd), "no panel letter")
    _, axd = _mosaic(volume, labels=("B", "A", "C"))
    _assert_fails(_run("panel_labels", mosaic_axd=axd), "reading order")


# ----------------------------------------------------------------------------- exports

def test_export_png_pass_and_mistakes(volume, tmp_path):
    fig, _ = _mosaic(volume)
    good = tmp_path / "good.png"
    fig.savefig(good, dpi=300, bbox_inches=None)
    assert _run("export_png", png_path=good).passed
    assert _run("export_png", png_path=str(good)).passed

    screen = tmp_path / "screen.png"
    fig.savefig(screen, dpi=100, bbox_inches=None)
    _assert_fails(_run("export_png", png_path=screen), "dpi")

    with layout.course_style():          # the style sheet saves with a tight bounding box
        tight = tmp_path / "tight.png"
        fig.savefig(tight, dpi=300)
    with Image.open(tight) as png:
        assert abs(png.size[0] / 300 * MM_PER_INCH - 183) > ex.WIDTH_TOLERANCE_MM
    _assert_fails(_run("export_png", png_path=tight), "bbox_inches", forbidden=("183",))

    _assert_fails(_run("export_png", png_path=tmp_path / "never_saved.png"), "does not exist")
    _assert_fails(_run("export_png", png_path=...), "still `...`")


def test_export_png_single_column_is_wrong(volume, tmp_path):
    fig, _ = _mosaic(volume, width_mm=89)
    path = tmp_path / "narrow.png"
    fig.savefig(path, dpi=300, bbox_inches=None)
    _assert_fails(_run("export_png", png_path=path), "double-column")


def test_export_svg_pass_and_mistakes(volume, tmp_path):
    fig, _ = _mosaic(volume)
    good = tmp_path / "good.svg"
    fig.savefig(good, bbox_inches=None)
    assert _run("export_svg", svg_path=good).passed

    png_named_svg = tmp_path / "fake.svg"
    fig.savefig(png_named_svg, format="png")
    _assert_fails(_run("export_svg", svg_path=png_named_svg), "svg document")

    wrong_suffix = tmp_path / "figure.pdf"
    fig.savefig(wrong_suffix)
    _assert_fails(_run("export_svg", svg_path=wrong_suffix), ".svg")

    line_plot = tmp_path / "plot.svg"
    fig2, ax = plt.subplots(figsize=(183 / MM_PER_INCH, 3))
    ax.plot([0, 1], [1, 0])
    fig2.savefig(line_plot, bbox_inches=None)
    _assert_fails(_run("export_svg", svg_path=line_plot), "no raster")


# ----------------------------------------------------------------------------- imsave

def test_imsave_quantization(volume, tmp_path):
    hu, index = volume
    hu_slice = hu[index["axial"]]
    path = tmp_path / "slice.png"
    plt.imsave(path, hu_slice, cmap="gray", vmin=-1350, vmax=150)
    with Image.open(path) as png:
        levels = len(np.unique(np.asarray(png)[..., 0]))
    np.save(tmp_path / "slice.npy", hu_slice)
    error = float(np.abs(np.load(tmp_path / "slice.npy") - hu_slice).max())
    assert _run("imsave_quantization", png_grey_levels=levels, npy_max_error=error).passed

    # counted the HU values instead of the PNG's grey levels
    result = _run("imsave_quantization", png_grey_levels=len(np.unique(hu_slice)),
                  npy_max_error=error)
    _assert_fails(result, "distinct hu values")
    # counted all four RGBA channels together
    with Image.open(path) as png:
        rgba_levels = len(np.unique(np.asarray(png)))
    if rgba_levels != levels:
        _assert_fails(_run("imsave_quantization", png_grey_levels=rgba_levels,
                           npy_max_error=error), "channel 0", forbidden=(str(levels),))
    # saved in another window
    plt.imsave(tmp_path / "other.png", hu_slice, cmap="gray")
    with Image.open(tmp_path / "other.png") as png:
        other = len(np.unique(np.asarray(png)[..., 0]))
    assert other != levels
    _assert_fails(_run("imsave_quantization", png_grey_levels=other, npy_max_error=error),
                  "does not match", forbidden=(str(levels),))
    # the npy error taken from the PNG round trip
    _assert_fails(_run("imsave_quantization", png_grey_levels=levels, npy_max_error=6.0),
                  "exactly")
    _assert_fails(_run("imsave_quantization", png_grey_levels=..., npy_max_error=0.0),
                  "still `...`")
