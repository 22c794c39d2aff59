"""Figure descriptions (checks/_describe.py) and the shared predicates (checks/_predicates.py).

Each predicate is tried with several correct ways of drawing the same thing, and with the
mistake it exists to catch. Figures go through the same path as in the grader: described in
untrusted mode, written to an answers file, read back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.colors import (CenteredNorm, LinearSegmentedColormap, ListedColormap, Normalize,
                               TwoSlopeNorm)
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib_scalebar.scalebar import ScaleBar
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from skimage import measure

from course_utils.checks import _plain
from course_utils.checks import _predicates as P
from course_utils.checks._values import get_axes

ROWS, COLUMNS = 40, 60
DY, DX = 0.5, 0.8                       # mm: non-square pixels
EXTENT = (0, COLUMNS * DX, ROWS * DY, 0)


def described(**values):
    """Live objects -> plain data, exactly as the grader receives them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file(values, list(values), path)
        return _plain.load_answers(path)


def axes_of(ax):
    return get_axes(described(ax=ax)["ax"], "ax")


def blob():
    mask = np.zeros((ROWS, COLUMNS), dtype=bool)
    mask[10:20, 20:40] = True
    return mask


# --------------------------------------------------------------------------- colormaps

GREYS = ["gray", "gist_gray", "Greys_r", "binary_r", "bone",
         LinearSegmentedColormap.from_list("mine", ["black", "white"]),
         ListedColormap(np.linspace(0, 1, 64)[:, None].repeat(3, axis=1))]


@pytest.mark.parametrize("cmap", GREYS, ids=lambda c: c if isinstance(c, str) else c.name)
def test_every_black_to_white_map_is_grey(cmap):
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((2, 2)), cmap=cmap)
    assert P.grey_direction(axes_of(ax)["images"][0]["cmap"]) == "black-to-white"


@pytest.mark.parametrize("cmap, direction", [("gray_r", "white-to-black"),
                                             ("Greys", "white-to-black"),
                                             ("viridis", "not grey"), ("pink", "not grey"),
                                             ("jet", "not grey")])
def test_inverted_and_coloured_maps_are_told_apart(cmap, direction):
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((2, 2)), cmap=cmap)
    assert P.grey_direction(axes_of(ax)["images"][0]["cmap"]) == direction


def test_lightness_and_diverging_maps():
    def colors(name):
        return matplotlib.colormaps[name](np.linspace(0, 1, 256))
    for name in ("viridis", "inferno", "magma", "cividis", "gray"):
        assert P.monotone_lightness(colors(name)), name
    for name in ("jet", "hsv", "RdBu_r"):
        assert not P.monotone_lightness(colors(name)), name
    for name in ("RdBu_r", "coolwarm", "bwr", "PuOr", "seismic", "RdYlBu", "Spectral"):
        assert P.diverging(colors(name)), name
    for name in ("jet", "turbo", "viridis", "gray", "twilight"):
        assert not P.diverging(colors(name)), name


@pytest.mark.parametrize("norm", [CenteredNorm(), TwoSlopeNorm(0, -3, 2), Normalize(-3, 3)],
                         ids=["CenteredNorm", "TwoSlopeNorm", "symmetric Normalize"])
def test_zero_is_neutral_with_any_centred_norm(norm):
    fig, ax = plt.subplots()
    ax.imshow(np.linspace(-3, 2, 12).reshape(3, 4), cmap="RdBu_r", norm=norm)
    assert P.neutral_at(axes_of(ax)["images"][0]["norm"]) == pytest.approx(0.5)


def test_default_limits_put_the_neutral_colour_off_zero():
    fig, ax = plt.subplots()
    ax.imshow(np.linspace(-1, 3, 12).reshape(3, 4), cmap="RdBu_r")
    assert P.neutral_at(axes_of(ax)["images"][0]["norm"]) == pytest.approx(0.25)


def test_colour_blind_pairs():
    assert P.color_blind_safe("#0072B2", "#E69F00")
    assert not P.color_blind_safe("red", "green") and P.red_green([1, 0, 0], [0, 0.8, 0])
    assert not P.color_blind_safe("#d62728", "#2ca02c")


# --------------------------------------------------------------------------- images

def heat():
    values = np.zeros((ROWS, COLUMNS))
    values[10:20, 20:40] = np.linspace(0.2, 1, 20)
    return values


@pytest.mark.parametrize("method", ["alpha array", "rgba image"])
def test_an_alpha_array_and_an_rgba_image_show_the_same(method):
    fig, ax = plt.subplots()
    values = heat()
    if method == "alpha array":
        ax.imshow(values, cmap="magma", vmin=0, vmax=1, alpha=0.8 * values, extent=EXTENT)
    else:
        rgba = matplotlib.colormaps["magma"](values)
        rgba[..., 3] = 0.8 * values
        ax.imshow(rgba, extent=EXTENT)
    image = axes_of(ax)["images"][0]
    assert np.allclose(P.visible_alpha(image), 0.8 * values, atol=1 / 255)
    assert image["extent"] == list(map(float, EXTENT))


def test_images_aligned_only_with_the_same_extent():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((ROWS, COLUMNS)), cmap="gray", extent=EXTENT)
    ax.imshow(heat(), cmap="magma", extent=EXTENT)
    ax.imshow(heat(), cmap="magma")                         # forgot the extent
    base, right, forgot = axes_of(ax)["images"]
    assert P.images_aligned(base, right)
    assert not P.images_aligned(base, forgot)


def test_pixel_centres_and_values_in_data_coordinates():
    fig, (upper, lower) = plt.subplots(1, 2)
    values = np.arange(ROWS * COLUMNS, dtype=float).reshape(ROWS, COLUMNS)
    upper.imshow(values, extent=EXTENT)
    lower.imshow(values, origin="lower", extent=(0, COLUMNS * DX, 0, ROWS * DY))
    for ax in (upper, lower):
        image = axes_of(ax)["images"][0]
        x, y = P.pixel_centres(image)
        assert x[0] == pytest.approx(DX / 2) and y[0] == pytest.approx(DY / 2)
        assert P.image_value_at(image, x[3], y[2], key="array") == values[2, 3]
    assert P.image_value_at(axes_of(upper)["images"][0], -1, 0) is None


# --------------------------------------------------------------------------- colorbars

def layer_colours(image):
    values = P.image_array(image).filled(np.nan).ravel()
    colours = np.asarray(image["rgba"], dtype=float).reshape(-1, 4) / 255
    keep = np.isfinite(values)
    return values[keep], colours[keep]


@pytest.mark.parametrize("method", ["colorbar of the image", "free ScalarMappable",
                                    "colorbar through cax"])
def test_a_colorbar_made_any_way_shows_the_layer(method):
    fig, ax = plt.subplots()
    image = ax.imshow(heat(), cmap="magma", vmin=0, vmax=1, alpha=0.8 * heat())
    if method == "colorbar of the image":
        fig.colorbar(image, ax=ax)
    elif method == "free ScalarMappable":
        fig.colorbar(ScalarMappable(Normalize(0, 1), "magma"), ax=ax, label="heat")
    else:
        fig.colorbar(ScalarMappable(Normalize(0, 1), "magma"), cax=fig.add_axes([0.9, 0.1, 0.02, 0.8]))
    axes = axes_of(ax)
    (colorbar,) = P.colorbars_of(axes)
    assert P.colorbar_shows(colorbar, *layer_colours(axes["images"][0]))


def test_a_viridis_bar_next_to_a_jet_rgba_layer_does_not_show_it():
    fig, ax = plt.subplots()
    rgba = matplotlib.colormaps["jet"](heat())
    image = ax.imshow(rgba)
    fig.colorbar(image, ax=ax)          # an RGBA image's colorbar shows viridis
    axes = axes_of(ax)
    values = heat().ravel()
    colours = np.asarray(axes["images"][0]["rgba"], dtype=float).reshape(-1, 4) / 255
    assert not P.colorbar_shows(P.colorbars_of(axes)[0], values, colours)
    assert P.colorbars_of(axes)[0]["cmap"]["name"] == "viridis"


def test_wrong_limits_on_a_colorbar_do_not_show_the_layer():
    fig, ax = plt.subplots()
    ax.imshow(heat(), cmap="magma", vmin=0, vmax=1)
    fig.colorbar(ScalarMappable(Normalize(0, 2), "magma"), ax=ax)
    axes = axes_of(ax)
    assert not P.colorbar_shows(P.colorbars_of(axes)[0], *layer_colours(axes["images"][0]))


# --------------------------------------------------------------------------- scalebars

def image_panel():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.imshow(np.zeros((ROWS, COLUMNS)), cmap="gray", extent=EXTENT)
    return fig, ax


@pytest.mark.parametrize("method", ["ScaleBar fixed", "ScaleBar in cm", "AnchoredSizeBar",
                                    "line and text", "rectangle and text"])
def test_a_scalebar_of_any_kind_has_its_true_length(method):
    fig, ax = image_panel()
    if method == "ScaleBar fixed":
        ax.add_artist(ScaleBar(1, "mm", fixed_value=10, location="lower right"))
    elif method == "ScaleBar in cm":
        ax.add_artist(ScaleBar(1, "mm", fixed_value=1, fixed_units="cm"))
    elif method == "AnchoredSizeBar":
        ax.add_artist(AnchoredSizeBar(ax.transData, 10, "10 mm", "lower left"))
    elif method == "line and text":
        ax.plot([30, 40], [18, 18], color="white", linewidth=3)
        ax.text(35, 17, "10 mm", color="white", ha="center")
    else:
        ax.add_patch(Rectangle((30, 18), 10, 0.6, color="white"))
        ax.text(35, 17, "1 cm", color="white", ha="center")
    (bar,) = P.scalebars(axes_of(ax))
    assert bar["axis"] == "x"
    assert bar["length"] == pytest.approx(10) and bar["label_mm"] == pytest.approx(10)


def test_a_bar_labelled_50_mm_that_is_33_mm_long_is_seen_as_such():
    fig, ax = image_panel()
    ax.add_artist(AnchoredSizeBar(ax.transData, 33, "50 mm", "lower left"))
    (bar,) = P.scalebars(axes_of(ax))
    assert bar["length"] == pytest.approx(33) and bar["label_mm"] == 50


def test_an_automatic_scalebar_reports_what_it_drew():
    fig, ax = image_panel()
    ax.add_artist(ScaleBar(1, "mm"))
    (bar,) = P.scalebars(axes_of(ax))
    assert bar["label_mm"] == pytest.approx(bar["length"])


def test_a_line_without_a_length_label_is_no_scalebar():
    fig, ax = image_panel()
    ax.plot([30, 40], [18, 18])
    ax.text(35, 17, "profile")
    assert P.scalebars(axes_of(ax)) == []


# --------------------------------------------------------------------------- legends, texts

@pytest.mark.parametrize("method", ["Line2D", "square marker", "Patch", "figure legend"])
def test_legend_entries_have_the_colour_a_reader_sees(method):
    fig, ax = image_panel()
    blue, orange = "#0072B2", "#E69F00"
    if method == "Line2D":
        handles = [Line2D([], [], color=blue, label="truth"),
                   Line2D([], [], color=orange, linestyle="--", label="prediction")]
    elif method == "square marker":
        handles = [Line2D([], [], marker="s", linestyle="none", color=blue, label="truth"),
                   Line2D([], [], marker="s", linestyle="none", color=orange,
                          label="prediction")]
    else:
        handles = [Patch(facecolor=blue, label="truth"),
                   Patch(facecolor="none", edgecolor=orange, linestyle="--",
                         label="prediction")]
    (fig if method == "figure legend" else ax).legend(handles=handles)
    entries = P.legend_entries(axes_of(ax))
    assert [entry["label"] for entry in entries] == ["truth", "prediction"]
    assert P.same_color(entries[0]["colors"][0], matplotlib.colors.to_rgba(blue))
    assert P.same_color(entries[1]["colors"][0], matplotlib.colors.to_rgba(orange))


def test_dash_kinds():
    assert [P.dash_kind(s) for s in ("-", "solid", "--", ":", "None")] == \
        ["solid", "solid", "dashed", "dashed", "none"]
    assert P.dash_kind([0.0, [4.0, 2.0]]) == "dashed" and P.dash_kind([0.0, None]) == "solid"


@pytest.mark.parametrize("method", ["axes text", "left title", "figure text", "bold (a)"])
def test_a_panel_letter_however_written(method):
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    if method == "axes text":
        left.text(0.02, 0.98, "a", transform=left.transAxes, va="top")
    elif method == "left title":
        left.set_title("a", loc="left", fontweight="bold")
    elif method == "figure text":
        fig.text(0.1, 0.9, "a")
    else:
        left.text(-0.1, 1.05, r"$\bf{(a)}$", transform=left.transAxes)
    described_figure = described(left=left, right=right)
    assert P.panel_label(get_axes(described_figure["left"], "left"), "a")
    assert not P.panel_label(get_axes(described_figure["right"], "right"), "a")


def test_a_letter_in_the_middle_is_no_panel_label():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "a", transform=ax.transAxes)
    assert not P.panel_label(axes_of(ax), "a")


def test_orientation_letters_by_edge_in_data_or_axes_coordinates():
    fig, ax = image_panel()
    ax.text(0.02, 0.5, "R", transform=ax.transAxes)
    ax.text(COLUMNS * DX - 1, ROWS * DY / 2, "L")            # data coordinates
    ax.text(0.5, 0.97, "A", transform=ax.transAxes)
    ax.text(0.5, 0.03, "P", transform=ax.transAxes)
    ax.text(0.5, 0.5, "X", transform=ax.transAxes)           # not at an edge
    assert P.orientation_letters(axes_of(ax)) == {"left": {"R"}, "right": {"L"},
                                                  "top": {"A"}, "bottom": {"P"}}


def test_orientation_letters_follow_an_inverted_axis():
    fig, ax = image_panel()
    ax.text(1, ROWS * DY / 2, "R")
    ax.invert_xaxis()                                        # x = 1 mm is now on the right
    assert P.orientation_letters(axes_of(ax))["right"] == {"R"}


# --------------------------------------------------------------------------- outlines

@pytest.mark.parametrize("method", ["contour", "find_contours and plot", "polygon patch"])
def test_an_outline_however_drawn_lies_where_the_mask_is(method):
    fig, ax = image_panel()
    mask = blob()
    if method == "contour":
        x, y = (np.arange(COLUMNS) + 0.5) * DX, (np.arange(ROWS) + 0.5) * DY
        ax.contour(x, y, mask, levels=[0.5], colors="#0072B2")
    else:
        (contour,) = measure.find_contours(mask.astype(float), 0.5)
        x, y = (contour[:, 1] + 0.5) * DX, (contour[:, 0] + 0.5) * DY   # (row, col) -> (x, y)
        if method == "polygon patch":
            ax.add_patch(Polygon(np.column_stack([x, y]), fill=False, edgecolor="#0072B2"))
        else:
            ax.plot(x, y, color="#0072B2")
    (outline,) = P.outlines(axes_of(ax))
    box = P.outline_box(outline)
    assert box == pytest.approx([20 * DX, 40 * DX, 10 * DY, 20 * DY], abs=max(DX, DY))


def test_a_swapped_outline_is_elsewhere():
    fig, ax = image_panel()
    (contour,) = measure.find_contours(blob().astype(float), 0.5)
    ax.plot(contour[:, 0] * DX, contour[:, 1] * DY)         # rows as x: the classic swap
    box = P.outline_box(P.outlines(axes_of(ax))[0])
    assert not np.allclose(box, [20 * DX, 40 * DX, 10 * DY, 20 * DY], atol=max(DX, DY))


# --------------------------------------------------------------------------- layouts

@pytest.mark.parametrize("method", ["subplot_mosaic", "subplots into a dict"])
def test_mosaic_panels_from_any_layout(method):
    if method == "subplot_mosaic":
        fig, axd = plt.subplot_mosaic([["a", "b"]], figsize=(6, 3))
    else:
        fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3))
        axd = {"a": a, "b": b}
    panels = P.mosaic_panels(described(axd=axd)["axd"], "axd", ["a", "b"])
    assert panels["a"]["figure"]["size_inches"] == [6.0, 3.0]
    with pytest.raises(P.CheckFailed, match="missing: c"):
        P.mosaic_panels(described(axd=axd)["axd"], "axd", ["a", "c"])
