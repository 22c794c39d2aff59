"""The annotation layer: contours, ground truth vs prediction, scalebars, arrows, profiles.

Coordinates: masks and images are ``[row, column]``; points such as the ends of a profile are
``(row, column)`` in pixels, as in :func:`skimage.measure.profile_line`. When an image is drawn
in mm (``show_slice(..., spacing=(dy, dx))``), pixel ``(r, c)`` sits at ``x = c * dx``,
``y = r * dy``; contours and overlays reuse the base image's extent to line up.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.text import Annotation

from ._validation import as_float as _as_float
from .display import (_check_2d, _check_spacing, _extent_for, _get_ax, _window_clim,
                      show_slice)

__all__ = [
    "GROUND_TRUTH_COLOR",
    "PREDICTION_COLOR",
    "add_arrow",
    "add_scalebar",
    "compare_contours",
    "draw_contour",
    "line_profile",
    "plot_profile",
    "scalebar_pixels",
]

#: Okabe-Ito blue and orange: a pair that colour-blind readers tell apart (red/green is not).
GROUND_TRUTH_COLOR = "#0072B2"
PREDICTION_COLOR = "#E69F00"


def draw_contour(mask: Any, ax: Axes | None = None, color: Any = GROUND_TRUTH_COLOR,
                 linestyle: str = "-", linewidth: float = 1.5, label: str | None = None,
                 extent: Any = None, **kwargs: Any) -> QuadContourSet:
    """Draw the outline of a binary mask (the 0.5 level of the mask as float).

    Parameters
    ----------
    mask : array_like of bool, 2D
        The structure to outline.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    color, linestyle, linewidth
        Line properties.
    label : str, optional
        A contour set has no legend entry of its own; with a label, an empty
        :class:`~matplotlib.lines.Line2D` proxy with the same style is added to the axes, so
        ``ax.legend()`` lists it.
    extent : (left, right, bottom, top), optional
        Defaults to the extent of the base image on ``ax``, and the contour is placed like
        ``imshow(origin="upper", extent=...)``; a base of another shape is an error. With no
        image on the axes, pixel ``(r, c)`` is at ``x = c, y = r``, as imshow draws it.
    **kwargs
        Passed to ``ax.contour``.

    Returns
    -------
    QuadContourSet

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> mask = np.zeros((5, 5), dtype=bool); mask[1:4, 1:4] = True
    >>> cs = draw_contour(mask, ax=ax)
    >>> cs.levels
    array([0.5])
    >>> plt.close(fig)
    """
    array = _check_2d(mask, "mask")
    ax = _get_ax(ax)
    extent = _extent_for(ax, array.shape, extent, "mask")
    if extent is not None:
        kwargs.setdefault("origin", "upper")
    cs = ax.contour(array.astype(float), levels=[0.5], colors=[color], linestyles=[linestyle],
                    linewidths=[linewidth], extent=extent, **kwargs)
    if label is not None:
        ax.add_line(Line2D([], [], color=color, linestyle=linestyle, linewidth=linewidth,
                           label=label))
    return cs


def _dice_jaccard(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Dice and Jaccard of two boolean masks (both empty -> 1.0, 1.0)."""
    intersection = int(np.count_nonzero(a & b))
    total = int(np.count_nonzero(a)) + int(np.count_nonzero(b))
    if total == 0:
        return 1.0, 1.0
    dice = 2 * intersection / total
    return dice, intersection / (total - intersection)


def compare_contours(truth: Any, prediction: Any, ax: Axes | None = None,
                     colors: Sequence[Any] = (GROUND_TRUTH_COLOR, PREDICTION_COLOR),
                     linestyles: Sequence[str] = ("-", "--"),
                     labels: Sequence[str] = ("Ground truth", "Prediction"),
                     legend: bool = True, show_scores: bool = False, linewidth: float = 1.5,
                     extent: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Outline ground truth and prediction in two colour-blind-safe colours and line styles.

    Colours alone are not enough (red/green fails for many readers, and print may be grey),
    so the two outlines also differ in line style. Contour sets have no legend labels, so the
    legend is built from :class:`~matplotlib.lines.Line2D` proxies.

    Parameters
    ----------
    truth, prediction : array_like of bool, 2D
        Masks of the same shape.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    colors : (truth colour, prediction colour)
        Default Okabe-Ito blue and orange.
    linestyles : (str, str)
        Default solid for ground truth, dashed for the prediction.
    labels : (str, str)
        Legend texts.
    legend : bool
        Add the proxy legend (upper right, clear of a scalebar in the lower right).
    show_scores : bool
        Write Dice and Jaccard in the upper left corner.
    linewidth : float
        Width of both outlines.
    extent : (left, right, bottom, top), optional
        As in :func:`draw_contour`.
    **kwargs
        Passed to ``ax.contour``.

    Returns
    -------
    dict
        ``truth`` and ``prediction`` (QuadContourSet), ``legend`` (Legend or None), ``text``
        (Text or None), ``dice`` and ``jaccard`` (float; both masks empty gives 1.0).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> truth = np.zeros((6, 6), bool); truth[1:5, 1:5] = True
    >>> pred = np.zeros((6, 6), bool); pred[1:5, 2:6] = True
    >>> drawn = compare_contours(truth, pred, ax=ax)
    >>> round(drawn["dice"], 3), [t.get_text() for t in drawn["legend"].get_texts()]
    (0.75, ['Ground truth', 'Prediction'])
    >>> plt.close(fig)
    """
    a = _check_2d(truth, "truth") != 0
    b = _check_2d(prediction, "prediction") != 0
    if a.shape != b.shape:
        raise ValueError(f"truth and prediction must have the same shape, got {a.shape} and "
                         f"{b.shape}; resample the prediction onto the ground-truth grid")
    for name, value in (("colors", colors), ("linestyles", linestyles), ("labels", labels)):
        if isinstance(value, str) or len(value) != 2:
            raise ValueError(f"{name} must hold 2 entries (ground truth, prediction), "
                             f"got {value!r}")
    ax = _get_ax(ax)
    sets = [draw_contour(mask, ax=ax, color=color, linestyle=style, linewidth=linewidth,
                         extent=extent, **kwargs)
            for mask, color, style in zip((a, b), colors, linestyles)]
    dice, jaccard = _dice_jaccard(a, b)
    result: dict[str, Any] = {"truth": sets[0], "prediction": sets[1], "legend": None,
                              "text": None, "dice": dice, "jaccard": jaccard}
    if legend:
        handles = [Line2D([], [], color=color, linestyle=style, linewidth=linewidth, label=text)
                   for color, style, text in zip(colors, linestyles, labels)]
        result["legend"] = ax.legend(handles=handles, loc="upper right", fontsize="small",
                                     framealpha=0.85)
    if show_scores:
        result["text"] = ax.text(0.02, 0.98, f"Dice {dice:.2f}\nJaccard {jaccard:.2f}",
                                 transform=ax.transAxes, ha="left", va="top", fontsize="small",
                                 color="white",
                                 path_effects=[path_effects.withStroke(linewidth=2,
                                                                       foreground="black")])
    return result


def _check_length(value: Any, name: str) -> float:
    number = _as_float(value)
    if not 0 < number < math.inf:
        raise ValueError(f"{name} must be a positive number in mm, got {value!r}")
    return number


def _mm_per_pixel(spacing: Any, direction: str) -> float:
    """Pixel size along a bar: ``dx`` across columns (horizontal), ``dy`` down rows
    (vertical). ``spacing`` is one number (square pixels) or ``(dy, dx)``."""
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    if np.ndim(spacing) == 0:
        return _check_length(spacing, "spacing")
    dy, dx = _check_spacing(spacing)
    return dx if direction == "horizontal" else dy


def scalebar_pixels(length_mm: float, spacing: Any, direction: str = "horizontal") -> float:
    """Length in pixels of a bar of ``length_mm``: mm / column spacing, or mm / row spacing.

    Parameters
    ----------
    length_mm : float
        Bar length in mm.
    spacing : float or (dy, dx)
        Pixel spacing in mm (PixelSpacing order: row spacing, column spacing).
    direction : {"horizontal", "vertical"}
        A horizontal bar runs along a row, across columns, so it uses ``dx``; a vertical bar
        uses ``dy``.

    Returns
    -------
    float

    Examples
    --------
    >>> scalebar_pixels(50, (0.5, 0.8))
    62.5
    >>> scalebar_pixels(50, (0.5, 0.8), "vertical")
    100.0
    """
    return _check_length(length_mm, "length_mm") / _mm_per_pixel(spacing, direction)


def add_scalebar(ax: Axes | None = None, pixel_size_mm: Any = None, length_mm: float | None = None,
                 location: str = "lower right", color: Any = "white",
                 direction: str = "horizontal", **kwargs: Any) -> Any:
    """Add a scalebar in mm with :class:`matplotlib_scalebar.scalebar.ScaleBar`.

    Parameters
    ----------
    ax : Axes, optional
        Axes holding the image; defaults to ``plt.gca()``.
    pixel_size_mm : float or (dy, dx), optional
        Size of one data unit in mm when the image was drawn in pixels (no ``extent``). For
        ``(dy, dx)`` the bar uses ``dx`` when horizontal, ``dy`` when vertical. Leave it
        ``None`` when the axes are already in mm (``show_slice(..., spacing=...)``): then one
        data unit is 1 mm.
    length_mm : float, optional
        Fixed bar length in mm (a whole number is labelled "50 mm", not "50.0 mm"); by
        default ScaleBar picks a round length.
    location : str
        Matplotlib location code.
    color : colour
        Bar and text colour; the box is transparent by default.
    direction : {"horizontal", "vertical"}
        Passed to ScaleBar as ``rotation="<direction>-only"``: the bar measures along that
        direction alone, which is what non-square pixels need.
    **kwargs
        Passed to ``ScaleBar``.

    Returns
    -------
    matplotlib_scalebar.scalebar.ScaleBar

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> bar = add_scalebar(ax, pixel_size_mm=(0.5, 0.7), length_mm=50)
    >>> bar.dx, bar.units, bar.fixed_value
    (0.7, 'mm', 50)
    >>> plt.close(fig)
    """
    from matplotlib_scalebar.scalebar import ScaleBar

    ax = _get_ax(ax)
    # one data unit in mm along the bar: 1 when the axes are already in mm
    dx = _mm_per_pixel(1.0 if pixel_size_mm is None else pixel_size_mm, direction)
    if length_mm is not None:
        length = _check_length(length_mm, "length_mm")
        kwargs.setdefault("fixed_value", int(length) if length.is_integer() else length)
        kwargs.setdefault("fixed_units", "mm")
    kwargs.setdefault("box_alpha", 0.0)
    # "-only": dx holds for this direction alone, so unequal pixel aspect is fine
    bar = ScaleBar(dx, units="mm", location=location, color=color,
                   rotation=f"{direction}-only", **kwargs)
    ax.add_artist(bar)
    return bar


def add_arrow(ax: Axes | None, xy: Sequence[float], text: str = "", xytext: Sequence[float] | None = None,
              color: Any = "#F0E442", textcoords: str | None = None,
              **kwargs: Any) -> Annotation:
    """Point at a finding with an arrow and a short text.

    Parameters
    ----------
    ax : Axes or None
        The axes; None for ``plt.gca()``.
    xy : (x, y)
        Arrow tip in data coordinates (``(column, row)`` for an image in pixels, mm for an
        image drawn in mm). Note the order: x first, unlike ``(row, column)`` indices.
    text : str
        Label at the arrow's tail.
    xytext : (x, y), optional
        Tail position; default 40 points up and to the left of the tip
        (``textcoords="offset points"``).
    color : colour
        Arrow and text colour (default Okabe-Ito yellow); the text gets a dark outline so it
        reads on bright and dark pixels.
    textcoords : str, optional
        Coordinate system of ``xytext``; default data coordinates when ``xytext`` is given.
    **kwargs
        Passed to ``ax.annotate``.

    Returns
    -------
    matplotlib.text.Annotation

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> arrow = add_arrow(ax, (10, 20), "lesion")
    >>> arrow.get_text(), arrow.xy
    ('lesion', (10.0, 20.0))
    >>> plt.close(fig)
    """
    point = tuple(_as_float(v) for v in xy) if np.ndim(xy) == 1 else ()
    if len(point) != 2 or not all(math.isfinite(v) for v in point):
        raise ValueError(f"xy must be 2 finite numbers (x, y) in data coordinates, got {xy!r}")
    ax = _get_ax(ax)
    if xytext is None:
        xytext, textcoords = (-40, 40), textcoords or "offset points"
    elif textcoords is None:
        textcoords = "data"
    kwargs.setdefault("arrowprops", {"arrowstyle": "->", "color": color, "linewidth": 1.5,
                                     "shrinkA": 2, "shrinkB": 2})
    kwargs.setdefault("fontweight", "bold")
    kwargs.setdefault("path_effects", [path_effects.withStroke(linewidth=2.5,
                                                               foreground="black")])
    return ax.annotate(text, xy=point, xytext=xytext,
                       textcoords=textcoords, color=color, ha="center", va="center", **kwargs)


def _check_point(point: Any, name: str) -> tuple[float, float]:
    values = tuple(_as_float(v) for v in point) if np.ndim(point) == 1 else ()
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise ValueError(f"{name} must be 2 finite numbers (row, column) in pixels, "
                         f"got {point!r}")
    return values  # type: ignore[return-value]


def line_profile(image: Any, start: Sequence[float], end: Sequence[float],
                 spacing: Sequence[float] | None = None, order: int = 1,
                 linewidth: int = 1, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sample an image along a line with :func:`skimage.measure.profile_line`.

    Parameters
    ----------
    image : array_like, 2D
        The slice.
    start, end : (row, column)
        End points in pixels (both included), as for ``profile_line``.
    spacing : (dy, dx), optional
        Pixel spacing in mm; then the distances are in mm. Without it they are in pixels.
    order : int
        Spline interpolation order (1 = linear; 0 for label maps).
    linewidth : int
        Width of the sampled band in pixels (values averaged across it).
    **kwargs
        Passed to ``profile_line`` (``mode`` defaults to ``"reflect"``).

    Returns
    -------
    distance, values : ndarray
        Distance of each sample from ``start`` (mm, or pixels without spacing), and the
        sampled values.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile(np.arange(5.0), (3, 1))
    >>> distance, values = line_profile(image, (1, 0), (1, 4), spacing=(1.0, 0.5))
    >>> distance
    array([0. , 0.5, 1. , 1.5, 2. ])
    >>> values
    array([0., 1., 2., 3., 4.])
    """
    from skimage.measure import profile_line

    array = _check_2d(image)
    r0, c0 = _check_point(start, "start")
    r1, c1 = _check_point(end, "end")
    if (r0, c0) == (r1, c1):
        raise ValueError("start and end are the same point; a profile needs a line")
    dy, dx = (1.0, 1.0) if spacing is None else _check_spacing(spacing)
    kwargs.setdefault("mode", "reflect")
    values = profile_line(array.astype(float, copy=False), (r0, c0), (r1, c1), order=order,
                          linewidth=linewidth, **kwargs)
    length = math.hypot((r1 - r0) * dy, (c1 - c0) * dx)
    # profile_line samples evenly from start to end, both included
    distance = np.linspace(0.0, length, len(values))
    return distance, values


def plot_profile(image: Any, start: Sequence[float], end: Sequence[float],
                 spacing: Sequence[float] | None = None, axes: Sequence[Axes] | None = None,
                 window: Any = None, color: Any = "#E69F00", **kwargs: Any
                 ) -> tuple[Any, np.ndarray]:
    """Show an image with a line drawn on it and the profile along that line beside it.

    Parameters
    ----------
    image : array_like, 2D
        The slice, e.g. in HU.
    start, end : (row, column)
        End points of the line in pixels.
    spacing : (dy, dx), optional
        Pixel spacing in mm: the image is drawn in mm and distances are in mm.
    axes : (Axes, Axes), optional
        Where to draw the image and the profile; default a new 1 x 2 figure.
    window : str, WindowPreset or (width, level), optional
        Display window of the image; its limits are shaded on the profile plot.
    color : colour
        Colour of the line and of the profile curve.
    **kwargs
        Passed to :func:`line_profile`.

    Returns
    -------
    fig, axes : Figure, ndarray of 2 Axes

    Examples
    --------
    >>> import numpy as np
    >>> fig, axes = plot_profile(np.tile(np.arange(5.0), (3, 1)), (1, 0), (1, 4))
    >>> axes[1].get_xlabel()
    'distance (pixels)'
    >>> plt.close(fig)
    """
    array = _check_2d(image)
    distance, values = line_profile(array, start, end, spacing=spacing, **kwargs)
    clim = None if window is None else _window_clim(window)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    else:
        if len(axes) != 2:
            raise ValueError(f"axes must be 2 Axes (image, profile), got {len(axes)}")
        fig = axes[0].figure
    axes = np.asarray(axes, dtype=object)
    show_slice(array, window=window, spacing=spacing, ax=axes[0])
    (r0, c0), (r1, c1) = _check_point(start, "start"), _check_point(end, "end")
    dy, dx = (1.0, 1.0) if spacing is None else _check_spacing(spacing)
    axes[0].plot([c0 * dx, c1 * dx], [r0 * dy, r1 * dy], color=color, linewidth=1.5)
    axes[0].plot([c0 * dx], [r0 * dy], "o", color=color, markersize=4)  # start = distance 0
    axes[1].plot(distance, values, color=color, linewidth=1.5)
    axes[1].set_xlabel("distance (mm)" if spacing is not None else "distance (pixels)")
    axes[1].set_ylabel("HU" if window is not None else "value")
    if clim is not None:
        axes[1].axhspan(*clim, color="0.85", zorder=0, label="display window")
        axes[1].legend(loc="best", fontsize="small")
    axes[1].set_xlim(distance[0], distance[-1])
    return fig, axes
