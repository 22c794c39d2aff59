"""What a matplotlib figure shows, as plain data in data coordinates.

A check never looks at a live artist: the learner's kernel describes the figure
(:func:`describe_axes`, :func:`describe_figure`) and the check reads the description. The
description holds what a reader sees, whatever call drew it:

- every image with its extent in data coordinates and its *effective colours* (``rgba``: the
  colormap and norm applied, the alpha array or the RGBA alpha channel multiplied in, 8 bits
  per channel, as drawn before compositing), plus its colormap sampled at 256 points, its norm
  and its interpolation;
- every colorbar of the figure (``fig.colorbar`` of an image, of a contour set, of a free
  ``ScalarMappable``) with the colours and limits it shows, and which drawn layer it belongs to;
- contours, lines and patches as vertices in data coordinates (and lines in axes fractions);
- texts with their positions in data coordinates and in axes fractions (titles, labels, panel
  letters, orientation letters), figure texts in figure fractions;
- scalebars of any kind (matplotlib-scalebar's ``ScaleBar``, ``AnchoredSizeBar``) with their
  drawn length in data units next to their label (a line plus a text is recognised later, by
  :func:`course_utils.checks._predicates.scalebars`);
- legends wherever they sit (``ax.legend``, ``fig.legend``), each entry with the colours and
  line style that a reader sees, whatever the proxy artist;
- the figure's size.

Every artist is taken for what its real class is (``type(artist)`` and its MRO, through
:func:`course_utils.checks._plain.is_a`), never for what ``isinstance`` believes (it trusts
``__class__``), its class name or its ``__module__``: an object that only claims to be an Axes, a
line or a ``ScaleBar`` is described as an unknown artist or object, not through its own getters.
A real subclass is what it subclasses (its getters are the learner's, like everything in the
kernel; the hidden variant is what tells a drawing that follows the data from one that does not).

The figure is laid out once before it is described (``Figure.draw_without_rendering``), so
scalebar lengths and constrained-layout positions are what the reader sees.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.imshow(np.zeros((2, 3)), cmap="gray", vmin=-1, vmax=1, extent=(0, 3, 2, 0))
>>> described = describe_axes(ax)
>>> described["images"][0]["extent"], described["images"][0]["rgba"][0, 0].tolist()
([0.0, 3.0, 2.0, 0.0], [128, 128, 128, 255])
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

import numpy as np

from course_utils.checks._plain import is_a as _is
from course_utils.checks._plain import is_class as _is_class

__all__ = ["describe", "describe_axes", "describe_figure", "laying_out"]

MAX_TEXT = 2_000
MAX_PATHS = 200            # polylines kept per artist
MAX_VERTICES = 20_000      # vertices kept per artist
CMAP_SAMPLES = 256


def describe(value: Any) -> dict[str, Any] | None:
    """The description of a matplotlib object, or None if it is not one we describe."""
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.image import AxesImage
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    if _is(value, Axes):
        return describe_axes(value)
    if _is(value, (Figure, SubFigure)):
        return describe_figure(value)
    if _is(value, Colormap):
        return _cmap(value)
    if _is(value, Normalize):
        return _norm(value, None)
    if _is(value, Colorbar):
        return _colorbar(value)
    if _is(value, Artist) and value.axes is not None:
        _layout(value.axes.figure)
        if _is(value, AxesImage):
            return _image(value)
        if _is(value, Legend):
            return _legend(value)
        if _is(value, Text):
            return _text(value, value.axes)
        return _artist(value, value.axes)
    return None


# --------------------------------------------------------------------------- small values

def _str(value: Any, limit: int = MAX_TEXT) -> str:
    """``str(value)`` as a plain ``str`` of at most ``limit`` characters (a ``str`` subclass
    that a getter returns could slice itself into anything)."""
    return str.__str__(str(value))[:limit]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _rgba(color: Any) -> list[float] | None:
    from matplotlib.colors import to_rgba
    try:
        return [float(c) for c in to_rgba(color)]
    except (TypeError, ValueError):
        return None


def _rgba_list(colors: Any) -> list[list[float]]:
    from matplotlib.colors import to_rgba_array
    try:
        return to_rgba_array(colors).astype(float).tolist()
    except (TypeError, ValueError):
        return []


def _plain_style(style: Any) -> Any:
    """A line style as a string ('-', '--', ...) or [offset, [on, off, ...]] / [offset, None]."""
    if _is(style, str) or style is None:
        return style
    try:
        offset, pattern = style
        return [float(offset), None if pattern is None else [float(p) for p in pattern]]
    except (TypeError, ValueError):
        return _str(style)


_NAMED_DASHES = {"--": "dashed", "dashed": "dashed", ":": "dotted", "dotted": "dotted",
                 "-.": "dashdot", "dashdot": "dashdot"}


def _line_style(artist: Any) -> Any:
    """A line's or patch's style as drawn. ``Line2D.get_linestyle`` reports every tuple style,
    even the solid ``(0, None)`` of ``ContourSet.legend_elements``, as ``"--"``, and a legend's
    patch handle copies the dashes of its original but reports ``"solid"``: the drawn dash
    pattern tells (matplotlib has no public getter for it)."""
    style = artist.get_linestyle()
    unscaled = getattr(artist, "_unscaled_dash_pattern", None)
    if not isinstance(style, str) or unscaled is None or style in ("None", "none", "", " "):
        return _plain_style(style)
    offset, dashes = unscaled
    if dashes is None or not any(float(d) > 0 for d in dashes):
        return style if style in ("-", "solid") else "-"
    from matplotlib import rcParams
    name = _NAMED_DASHES.get(style)
    if name and [float(d) for d in dashes] == [float(d) for d in
                                               rcParams[f"lines.{name}_pattern"]]:
        return style
    return [float(offset or 0), [float(d) for d in dashes]]


_LAID_OUT: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("laid_out",
                                                                            default=None)
_LAYOUT_DPI = 20   # positions and scalebar lengths do not depend on the dpi; resampling does


def _layout(figure: Any) -> None:
    """Lay the figure out (positions, scalebar lengths), once per :func:`laying_out` block.

    The layout pass runs at a low dpi, then the dpi is restored: figure fractions, data
    coordinates and text sizes in points are the same at any dpi, and images resample faster.
    """
    root = figure.get_figure(root=True)
    done = _LAID_OUT.get()
    if done is not None and id(root) in done:
        return
    dpi = root.get_dpi()
    try:
        root.set_dpi(_LAYOUT_DPI)
        root.draw_without_rendering()
    except Exception:  # an unrenderable figure is still described as it stands
        pass
    finally:
        root.set_dpi(dpi)
    if done is not None:
        done.add(id(root))


@contextlib.contextmanager
def laying_out() -> Iterator[None]:
    """Within the block, each figure is laid out once however many of its Axes are described."""
    token = _LAID_OUT.set(set())
    try:
        yield
    finally:
        _LAID_OUT.reset(token)


def _to_data(ax: Any, transform: Any, points: np.ndarray) -> np.ndarray:
    """Points in ``transform`` coordinates as data coordinates of ``ax``."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if transform is ax.transData or not len(points):
        return points
    return ax.transData.inverted().transform(transform.transform(points))


def _to_axes(ax: Any, transform: Any, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if transform is ax.transAxes or not len(points):
        return points
    return ax.transAxes.inverted().transform(transform.transform(points))


def _coords(ax: Any, transform: Any) -> str:
    if transform is ax.transData:
        return "data"
    if transform is ax.transAxes:
        return "axes"
    figure = ax.get_figure(root=False)
    if transform is figure.transFigure:
        return "figure"
    return "other"


# --------------------------------------------------------------------------- colour

def _cmap(cmap: Any) -> dict[str, Any]:
    return {"__type__": "colormap", "name": _str(cmap.name, 200), "N": int(cmap.N),
            "colors": np.asarray(cmap(np.linspace(0, 1, CMAP_SAMPLES)), dtype=float),
            "bad": [float(c) for c in cmap.get_bad()],
            "under": [float(c) for c in cmap.get_under()],
            "over": [float(c) for c in cmap.get_over()]}


def _norm(norm: Any, data: Any) -> dict[str, Any]:
    """A norm: its class and limits, where 0 falls, and the mapping sampled at 65 values."""
    out: dict[str, Any] = {"__type__": "norm", "type": type(norm).__name__,
                           "vmin": _num(norm.vmin), "vmax": _num(norm.vmax),
                           "clip": bool(getattr(norm, "clip", False))}
    for attribute in ("vcenter", "halfrange", "linthresh", "gamma"):
        if hasattr(norm, attribute):
            out[attribute] = _num(getattr(norm, attribute))
    low, high = out["vmin"], out["vmax"]
    if (low is None or high is None) and data is not None:
        finite = np.asarray(np.ma.filled(np.ma.asarray(data, dtype=float), np.nan))
        finite = finite[np.isfinite(finite)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
    out["zero_at"] = None
    out["samples"] = None
    if low is not None and high is not None and high > low:
        x = np.linspace(low, high, 65)
        try:
            with np.errstate(all="ignore"):
                y = np.ma.filled(np.ma.asarray(norm(x), dtype=float), np.nan)
                zero = np.ma.filled(np.ma.asarray(norm(np.array([0.0])), dtype=float), np.nan)
            out["samples"] = {"x": x, "y": np.asarray(y, dtype=float)}
            out["zero_at"] = _num(zero[0])
        except Exception:  # a norm that cannot map these values (LogNorm of negatives)
            pass
    return out


def _effective_rgba(image: Any) -> np.ndarray | None:
    """The image's colours as drawn, alpha included, as uint8 (rows, columns, 4)."""
    data = image.get_array()
    if data is None:
        return None
    try:
        if np.ndim(data) == 2:
            rgba = image.to_rgba(data, bytes=False, norm=True)
        else:
            rgba = image.to_rgba(np.asarray(data), bytes=False)
        rgba = np.array(rgba, dtype=float)
        alpha = image.get_alpha()
        if alpha is not None:
            rgba[..., 3] = rgba[..., 3] * np.clip(np.asarray(alpha, dtype=float), 0, 1)
        return np.round(np.clip(rgba, 0, 1) * 255).astype(np.uint8)
    except Exception:
        return None


def _colorbar(colorbar: Any) -> dict[str, Any]:
    """A colorbar: the colours it shows between its limits, its extend and its label."""
    from matplotlib.contour import ContourSet

    axis = colorbar.ax.yaxis if colorbar.orientation == "vertical" else colorbar.ax.xaxis
    mappable = colorbar.mappable
    low, high = _num(colorbar.vmin), _num(colorbar.vmax)
    shown = None
    if low is not None and high is not None and high > low:
        values = np.linspace(low, high, 65)
        with np.errstate(all="ignore"):
            shown = {"values": values,
                     "colors": np.asarray(colorbar.cmap(colorbar.norm(values)), dtype=float)}
    return {"__type__": "colorbar", "extend": _str(colorbar.extend),
            "orientation": _str(colorbar.orientation),
            "label": _str(axis.get_label().get_text()),
            "title": _str(colorbar.ax.get_title()),  # a label set as the bar's title
            "vmin": low, "vmax": high, "shown": shown,
            "cmap": _cmap(colorbar.cmap), "norm": _norm(colorbar.norm, None),
            "mappable": type(mappable).__name__,
            "mappable_is_contour": _is(mappable, ContourSet),
            "mappable_axes": None,  # filled in by describe_figure: index of the mappable's Axes
            "position": _bounds(colorbar.ax)}


def _figure_colorbars(figure: Any) -> list[Any]:
    """Every Colorbar of a figure: the colorbar Axes know theirs (``Axes._colorbar``)."""
    from matplotlib.colorbar import Colorbar

    found = []
    for ax in _figure_axes(figure):
        colorbar = getattr(ax, "_colorbar", None)  # matplotlib's one link from axes to colorbar
        if _is(colorbar, Colorbar):
            found.append(colorbar)
    return found


def _figure_axes(figure: Any) -> list[Any]:
    """The figure's Axes, those that really are Axes (``add_axes`` believes ``__class__``)."""
    from matplotlib.axes import Axes

    return [ax for ax in figure.get_axes() if _is(ax, Axes)]


def _is_colorbar_axes(ax: Any) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


# --------------------------------------------------------------------------- artists

def _image(image: Any) -> dict[str, Any]:
    from course_utils.checks._plain import to_plain

    alpha = image.get_alpha()
    data = image.get_array()
    stage = getattr(image, "get_interpolation_stage", None)
    return {
        "__type__": "image",
        "array": to_plain(data),
        "shape": [int(s) for s in np.shape(data)],
        "rgba": _effective_rgba(image),
        "cmap": _cmap(image.get_cmap()),
        "norm": _norm(image.norm, data),
        "clim": [_num(v) for v in image.get_clim()],
        "alpha": None if alpha is None else (float(alpha) if np.ndim(alpha) == 0
                                             else np.asarray(alpha, dtype=float)),
        "interpolation": image.get_interpolation(),
        "interpolation_stage": stage() if callable(stage) else None,
        "extent": [float(v) for v in image.get_extent()],
        "origin": image.origin,
        "zorder": float(image.get_zorder()),
        "visible": bool(image.get_visible()),
        "label": _str(image.get_label()),
        "colorbar": None if image.colorbar is None else _colorbar(image.colorbar),
    }


def _polylines(ax: Any, artist: Any, paths: list[Any]) -> list[np.ndarray]:
    transform = artist.get_transform()
    out: list[np.ndarray] = []
    total = 0
    for path in paths:
        for polygon in path.to_polygons(closed_only=False):
            if total > MAX_VERTICES or len(out) >= MAX_PATHS:
                return out
            points = _to_data(ax, transform, polygon)
            total += len(points)
            out.append(points)
    return out


def _line(line: Any, ax: Any) -> dict[str, Any]:
    xy = np.column_stack([np.asarray(line.get_xdata(), dtype=float).ravel(),
                          np.asarray(line.get_ydata(), dtype=float).ravel()])[:MAX_VERTICES]
    transform = line.get_transform()
    return {"__type__": "line", "label": _str(line.get_label()),
            "color": _rgba(line.get_color()), "linestyle": _line_style(line),
            "linewidth": float(line.get_linewidth()), "marker": _str(line.get_marker()),
            "markerfacecolor": _rgba(line.get_markerfacecolor()),
            "markeredgecolor": _rgba(line.get_markeredgecolor()),
            "alpha": _num(line.get_alpha()), "coords": _coords(ax, transform),
            "xy": _to_data(ax, transform, xy), "xy_axes": _to_axes(ax, transform, xy),
            "zorder": float(line.get_zorder()), "visible": bool(line.get_visible())}


def _collection(collection: Any, ax: Any) -> dict[str, Any]:
    from matplotlib.collections import QuadMesh
    from matplotlib.contour import ContourSet

    contour = _is(collection, ContourSet)
    # a QuadMesh has one face colour per cell: its array, cmap and norm say what they are
    keep = MAX_PATHS if _is(collection, QuadMesh) else None
    out: dict[str, Any] = {
        "__type__": "contour" if contour else "collection",
        "class": type(collection).__name__,
        "label": _str(collection.get_label()),
        "edgecolors": _rgba_list(collection.get_edgecolor())[:keep],
        "facecolors": _rgba_list(collection.get_facecolor())[:keep],
        "linewidths": [float(w) for w in np.atleast_1d(collection.get_linewidth())],
        "linestyles": [_plain_style(s) for s in collection.get_linestyle()],
        "alpha": _num(collection.get_alpha()) if np.ndim(collection.get_alpha()) == 0 else None,
        "zorder": float(collection.get_zorder()),
        "visible": bool(collection.get_visible()),
        "colorbar": None if getattr(collection, "colorbar", None) is None
        else _colorbar(collection.colorbar),
    }
    if _is(collection, QuadMesh):   # get_paths() would build one Path per cell
        rows, columns = np.shape(collection.get_coordinates())[:2]
        paths: list[Any] = []
        out["n_paths"] = max(rows - 1, 0) * max(columns - 1, 0)
    else:
        paths = collection.get_paths()
        out["n_paths"] = len(paths)
    if contour:
        out["levels"] = np.asarray(collection.levels, dtype=float)
        out["zrange"] = [_num(getattr(collection, "zmin", None)),   # the contoured data's range
                         _num(getattr(collection, "zmax", None))]
        out["filled"] = bool(collection.filled)
        # one path per level: keep each level's polylines apart
        out["level_paths"] = [_polylines(ax, collection, [path]) for path in paths[:MAX_PATHS]]
        out["paths"] = [p for level in out["level_paths"] for p in level]
    elif _is(collection, QuadMesh):
        out["coordinates"] = _to_data(ax, collection.get_transform(),
                                      collection.get_coordinates().reshape(-1, 2)).reshape(
            collection.get_coordinates().shape)
        out["paths"] = []
    else:
        out["paths"] = _polylines(ax, collection, list(paths[:MAX_PATHS]))
        offsets = np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)
        offset_transform = collection.get_offset_transform()
        out["offsets"] = _to_data(ax, offset_transform, offsets[:MAX_VERTICES])
    array = collection.get_array()
    if array is not None:
        from course_utils.checks._plain import to_plain
        out["array"] = to_plain(array)
        out["cmap"] = _cmap(collection.get_cmap())
        out["norm"] = _norm(collection.norm, array)
        out["clim"] = [_num(v) for v in collection.get_clim()]
    return out


def _patch(patch: Any, ax: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "__type__": "patch", "class": type(patch).__name__,
        "label": _str(patch.get_label()),
        "facecolor": _rgba(patch.get_facecolor()), "edgecolor": _rgba(patch.get_edgecolor()),
        "linestyle": _plain_style(patch.get_linestyle()),
        "linewidth": float(patch.get_linewidth()), "alpha": _num(patch.get_alpha()),
        "fill": bool(patch.get_fill()), "hatch": patch.get_hatch(),
        "zorder": float(patch.get_zorder()), "visible": bool(patch.get_visible())}
    try:
        out["paths"] = _polylines(ax, patch, [patch.get_path()])
    except Exception:
        out["paths"] = []
    out["coords"] = _coords(ax, patch.get_data_transform())
    return out


def _text(text: Any, ax: Any | None) -> dict[str, Any]:
    from matplotlib.text import Annotation

    transform = text.get_transform()
    position = np.array([[_num(v) or 0.0 for v in text.get_position()]])
    if _is(text, Annotation):
        # An annotation's transform is frozen in display units of its last draw (the layout
        # pass draws at a low dpi): place its text from ``xyann`` and ``anncoords`` instead.
        from matplotlib.transforms import IdentityTransform
        try:
            display = np.asarray(text._get_xy(None, text.xyann, text.anncoords),  # no getter
                                 dtype=float).reshape(1, 2)
            transform, position = IdentityTransform(), display
            figure = text.get_figure(root=False)
            live = {"data": getattr(text.axes, "transData", None),
                    "axes fraction": getattr(text.axes, "transAxes", None),
                    "figure fraction": getattr(figure, "transFigure", None)}.get(
                text.anncoords if isinstance(text.anncoords, str) else None)
            if live is not None:
                transform, position = live, live.inverted().transform(display)
        except Exception:  # an annotation placed by a callable or an artist
            pass
    out: dict[str, Any] = {
        "__type__": "text", "text": _str(text.get_text()),
        "color": _rgba(text.get_color()), "fontsize": float(text.get_fontsize()),
        "fontweight": _str(text.get_fontweight()),
        "ha": _str(text.get_horizontalalignment()), "va": _str(text.get_verticalalignment()),
        "rotation": float(text.get_rotation()), "visible": bool(text.get_visible()),
    }
    figure = text.get_figure(root=True)
    if figure is not None:
        fig_xy = figure.transFigure.inverted().transform(transform.transform(position))[0]
        out["position_figure"] = [float(v) for v in fig_xy]
    if ax is not None:
        out["coords"] = _coords(ax, transform)
        out["position_data"] = [float(v) for v in _to_data(ax, transform, position)[0]]
        out["position_axes"] = [float(v) for v in _to_axes(ax, transform, position)[0]]
    if _is(text, Annotation):
        out["__type__"] = "annotation"
        out["has_arrow"] = text.arrow_patch is not None
        out["xycoords"] = text.xycoords if _is(text.xycoords, str) else "other"
        out["xy"] = [_num(v) for v in text.xy]
        if ax is not None:
            try:  # where the arrow points, in data coordinates, whatever xycoords says
                display = np.asarray(text._get_xy(None, text.xy, text.xycoords),  # xy, not the text
                                     dtype=float).reshape(1, 2)
                out["xy_data"] = [float(v) for v in ax.transData.inverted().transform(display)[0]]
            except Exception:
                out["xy_data"] = None
    return out


def _legend_entry(handle: Any, label: str) -> dict[str, Any]:
    """One legend entry: the colours a reader sees and its line style, whatever the proxy."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    colors: list[list[float]] = []
    line_colors: list[list[float]] = []   # the colours drawn as a line or an edge
    style: Any = None
    kind = type(handle).__name__

    def visible(color: Any, line: bool = False) -> None:
        rgba = _rgba(color)
        if rgba is not None and rgba[3] > 0:
            colors.append(rgba)
            if line:
                line_colors.append(rgba)

    if _is(handle, Line2D):
        style = _line_style(handle)
        if style not in ("None", "none", "", " ") and handle.get_linewidth() > 0:
            visible(handle.get_color(), line=True)
        if _str(handle.get_marker()) not in ("None", "none", "", " "):
            visible(handle.get_markerfacecolor())
            visible(handle.get_markeredgecolor())
    elif _is(handle, Patch):
        style = _line_style(handle)
        if handle.get_fill():
            visible(handle.get_facecolor())
        if handle.get_linewidth() > 0:
            visible(handle.get_edgecolor(), line=True)
    elif _is(handle, Collection):
        styles = handle.get_linestyle()
        style = _plain_style(styles[0]) if len(styles) else None
        for color in _rgba_list(handle.get_facecolor()):
            visible(color)
        for color in _rgba_list(handle.get_edgecolor()):
            visible(color, line=True)
    return {"label": _str(label), "class": kind, "colors": colors,
            "line_colors": line_colors, "linestyle": style}


def _legend(legend: Any) -> dict[str, Any] | None:
    from matplotlib.legend import Legend

    if not _is(legend, Legend):
        return None
    texts = legend.get_texts()
    entries = [_legend_entry(handle, text.get_text())
               for handle, text in zip(legend.legend_handles, texts) if handle is not None]
    return {"__type__": "legend", "entries": entries,
            "labels": [_str(t.get_text()) for t in texts],
            "title": _str(legend.get_title().get_text()),
            "visible": bool(legend.get_visible())}


def _artist(artist: Any, ax: Any) -> dict[str, Any]:
    """Artists of ``ax.artists``: scalebars of any make, else class and label."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    name = _str(type(artist).__name__, 200)
    if _is_class(artist, "matplotlib_scalebar.scalebar", "ScaleBar"):   # matplotlib-scalebar
        out: dict[str, Any] = {"__type__": "scalebar", "kind": "ScaleBar",
                               "dx": _num(artist.dx), "units": _str(artist.units)}
        try:
            info = artist.info
        except ValueError:  # not drawn
            info = None
        rotation = _str(artist.rotation or "horizontal").lower()
        out["axis"] = "y" if rotation.startswith("vertical") else "x"
        out["length"] = None if info is None else float(info.length_px)
        out["label"] = None if info is None else _str(info.scale_text)
        out["value"] = None if info is None else _num(info.value)
        out["value_units"] = None if info is None else _str(info.units)
        out["visible"] = bool(artist.get_visible())
        return out
    if _is_class(artist, "mpl_toolkits.axes_grid1.anchored_artists", "AnchoredSizeBar"):
        rectangles = [child for child in artist.size_bar.get_children() if _is(child, Patch)]
        out = {"__type__": "scalebar", "kind": "AnchoredSizeBar", "axis": "x",
               "visible": bool(artist.get_visible())}
        if rectangles:
            rectangle = rectangles[0]
            corners = np.array([[0.0, 0.0], [rectangle.get_width(), rectangle.get_height()]])
            in_data = _to_data(ax, artist.size_bar.get_transform(), corners) \
                if artist.size_bar.get_transform() is not ax.transData else corners
            width, height = np.abs(np.diff(in_data, axis=0))[0]
            out["length"] = float(width) if width >= height else float(height)
            out["axis"] = "x" if width >= height else "y"
        else:
            out["length"] = None
        out["label"] = _str(artist.txt_label.get_text())
        return out
    if _is(artist, Line2D):
        return _line(artist, ax)
    if _is(artist, Patch):
        return _patch(artist, ax)
    if _is(artist, Collection):
        return _collection(artist, ax)
    from matplotlib.offsetbox import TextArea
    texts = [_str(area.get_text()) for area in artist.findobj(TextArea)] \
        if hasattr(artist, "findobj") else []   # AnchoredText and other offset boxes
    return {"__type__": "artist", "class": name, "label": _str(artist.get_label()),
            "texts": texts}


# --------------------------------------------------------------------------- axes, figure

def _figure_context(figure: Any) -> dict[str, Any]:
    """What belongs to the figure rather than to one Axes: size, texts, legends, colorbars."""
    suptitle = figure.get_suptitle() if hasattr(figure, "get_suptitle") else ""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    axes = _figure_axes(figure)
    colorbars = []
    for colorbar in _figure_colorbars(figure):
        described = _colorbar(colorbar)
        mappable_axes = getattr(colorbar.mappable, "axes", None)
        described["mappable_axes"] = axes.index(mappable_axes) if mappable_axes in axes else None
        colorbars.append(described)
    root = figure.get_figure(root=True)
    return {"size_inches": [float(v) for v in root.get_size_inches()],
            "dpi": float(root.dpi), "suptitle": _str(suptitle),
            "texts": [_text(t, None) for t in figure.texts if _is(t, Text)],
            "legends": [_legend(legend) for legend in figure.legends if _is(legend, Legend)],
            "colorbars": colorbars,
            "panel_positions": [_bounds(ax) for ax in axes
                                if not _is_colorbar_axes(ax)]}


def _bounds(ax: Any) -> list[float]:
    """``[left, bottom, width, height]`` of an Axes in fractions of the root figure (an Axes
    of a subfigure reports its position in fractions of its subfigure)."""
    position = ax.get_position()
    parent = ax.get_figure(root=False)
    root = ax.get_figure(root=True)
    if parent is not root:
        position = position.transformed(parent.transSubfigure).transformed(
            root.transFigure.inverted())
    return [float(v) for v in position.bounds]


def _axes(ax: Any) -> dict[str, Any]:
    figure = ax.get_figure(root=True)
    bounds = _bounds(ax)
    width_in, height_in = figure.get_size_inches()
    aspect = ax.get_aspect()
    children = _children(ax)
    described: dict[str, Any] = {
        "__type__": "axes",
        "name": ax.name,
        "label": _str(ax.get_label()),
        "index": next((i for i, other in enumerate(_figure_axes(figure)) if other is ax), None),
        "title": _str(ax.get_title()),
        "titles": {loc: _str(ax.get_title(loc=loc)) for loc in ("left", "center", "right")},
        "xlabel": _str(ax.get_xlabel()), "ylabel": _str(ax.get_ylabel()),
        "xlim": [float(v) for v in ax.get_xlim()], "ylim": [float(v) for v in ax.get_ylim()],
        "aspect": aspect if _is(aspect, str) else float(aspect),
        "axis_on": bool(ax.axison),
        "is_colorbar": _is_colorbar_axes(ax),
        "position": bounds,
        "size_mm": [float(bounds[2] * width_in * 25.4), float(bounds[3] * height_in * 25.4)],
        "images": [_image(im) for im in children["images"]],
        "lines": [_line(line, ax) for line in children["lines"]],
        "collections": [_collection(c, ax) for c in children["collections"]],
        "patches": [_patch(p, ax) for p in children["patches"]],
        "texts": [_text(t, ax) for t in children["texts"]],
        "artists": [_artist(a, ax) for a in children["artists"]],
        "legend": _legend(ax.get_legend()),
    }
    if ax.name == "3d":
        from course_utils.checks._plain import to_plain
        described["zlim"] = [float(v) for v in ax.get_zlim()]
        described["zlabel"] = _str(ax.get_zlabel())
        described["box_aspect"] = to_plain(ax.get_box_aspect())
    return described


def _children(ax: Any) -> dict[str, list[Any]]:
    """``ax.images``, ``ax.lines``... sorted by each artist's real class.

    Matplotlib files an artist under ``ax.lines`` (and the others) by ``isinstance``, which
    believes ``__class__``: an artist that only claims to be a line goes with ``ax.artists``.
    """
    from matplotlib.collections import Collection
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    typed = {"images": (ax.images, AxesImage), "lines": (ax.lines, Line2D),
             "collections": (ax.collections, Collection), "patches": (ax.patches, Patch),
             "texts": (ax.texts, Text)}
    out = {key: [a for a in artists if _is(a, kind)] for key, (artists, kind) in typed.items()}
    out["artists"] = [*ax.artists, *(a for artists, kind in typed.values() for a in artists
                                     if not _is(a, kind))]
    return out


def describe_axes(ax: Any) -> dict[str, Any]:
    """What an Axes shows, as plain data, with its figure's size, texts, legends and colorbars.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.imshow(np.zeros((2, 3)), cmap="gray", vmin=-1, vmax=1)
    >>> described = describe_axes(ax)
    >>> described["images"][0]["clim"], described["figure"]["size_inches"]
    ([-1.0, 1.0], [4.0, 3.0])
    >>> plt.close(fig)
    """
    figure = ax.get_figure(root=False)
    _layout(figure)
    described = _axes(ax)
    described["figure"] = _figure_context(figure)
    return described


def describe_figure(fig: Any) -> dict[str, Any]:
    """A Figure as plain data: its size, every Axes (without the figure context) and the rest."""
    _layout(fig)
    context = _figure_context(fig)
    return {"__type__": "figure", **context, "axes": [_axes(ax) for ax in _figure_axes(fig)]}
