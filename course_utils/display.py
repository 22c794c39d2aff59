"""The base layer of a radiology figure: one slice, in a window, with its physical extent.

Conventions (see the course's API notes): a 2D slice is indexed ``[row, column]`` and drawn
with ``imshow(origin="upper")`` (row 0 at the top). ``spacing`` is ``(dy, dx)`` in mm, the
DICOM PixelSpacing order (row spacing, column spacing). Pixel centres sit at ``i * dx`` mm, so
the extent of an image is ``(-dx/2, (nx - 0.5) dx, (ny - 0.5) dy, -dy/2)``.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from .windowing import get_window, window_limits

__all__ = ["physical_extent", "show_slice"]


def _check_2d(image: Any, name: str = "image") -> np.ndarray:
    """Return ``image`` as a 2D numeric array or raise with a hint."""
    array = np.asarray(image)
    if array.ndim != 2:
        hint = ("; pick a slice first, e.g. volume[k] or volume.get_plane(...)"
                if array.ndim == 3 else "")
        raise ValueError(f"{name} must be a 2D array (rows, columns), got shape {array.shape}"
                         f"{hint}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_) or \
            np.iscomplexobj(array):
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    return array


def _check_spacing(spacing: Any) -> tuple[float, float]:
    """Validate a 2D spacing ``(dy, dx)`` in mm."""
    try:
        values = tuple(float(v) for v in spacing)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 2 or not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"spacing must be 2 positive numbers (dy, dx) in mm, got {spacing!r}; "
                         "pass PixelSpacing from the header (row spacing, column spacing)")
    return values  # type: ignore[return-value]


def physical_extent(shape: Sequence[int], spacing: Sequence[float]
                    ) -> tuple[float, float, float, float]:
    """Return the imshow ``extent`` (left, right, bottom, top) in mm for ``origin="upper"``.

    Pixel centres are at ``column * dx`` and ``row * dy``; the extent runs to the outer pixel
    edges, half a pixel beyond the first and last centres.

    Parameters
    ----------
    shape : (int, int)
        ``(rows, columns)`` of the image (extra leading dimensions are ignored).
    spacing : (float, float)
        ``(dy, dx)`` in mm: row spacing, column spacing (DICOM PixelSpacing order).

    Returns
    -------
    (left, right, bottom, top) : tuple of float

    Examples
    --------
    >>> physical_extent((4, 3), (2.0, 0.5))
    (-0.25, 1.25, 7.0, -1.0)
    """
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (rows, columns), got {shape!r}")
    ny, nx = int(shape[-2]), int(shape[-1])
    dy, dx = _check_spacing(spacing)
    return (-dx / 2, (nx - 0.5) * dx, (ny - 0.5) * dy, -dy / 2)


def _extent_for(ax: Axes, shape: Sequence[int], extent: Any = None) -> Any:
    """The extent for a layer drawn on top of ``ax``'s base image.

    An explicit ``extent`` wins; otherwise reuse the extent of the first image on the axes
    when its shape matches, so overlays line up with a base drawn in mm.
    """
    if extent is not None:
        if len(extent) != 4 or not all(math.isfinite(float(v)) for v in extent):
            raise ValueError(f"extent must be 4 finite numbers (left, right, bottom, top), "
                             f"got {extent!r}")
        return tuple(float(v) for v in extent)
    for image in ax.images:
        array = image.get_array()
        if array is not None and tuple(array.shape[:2]) == tuple(shape[:2]):
            return tuple(image.get_extent())
    return None


def show_slice(image: Any, window: Any = None, spacing: Sequence[float] | None = None,
               ax: Axes | None = None, cmap: Any = "gray", vmin: float | None = None,
               vmax: float | None = None, title: str | None = None, colorbar: bool = False,
               axis_labels: Sequence[str] = ("x (mm)", "y (mm)"), **kwargs: Any) -> AxesImage:
    """Show a 2D slice in a window, in mm when the pixel spacing is known.

    Parameters
    ----------
    image : array_like, 2D
        The slice ``[row, column]``, e.g. in HU.
    window : str, WindowPreset or (width, level), optional
        Sets ``vmin, vmax = L - W/2, L + W/2``: the DICOM LINEAR_EXACT limits, which is what
        matplotlib's linear colour mapping between ``vmin`` and ``vmax`` computes. (DICOM's
        default LINEAR function differs by half a HU at each end; use
        :func:`course_utils.windowing.apply_window` for it.) Cannot be combined with
        ``vmin``/``vmax``.
    spacing : (dy, dx), optional
        Pixel spacing in mm. When given, the axes are in mm (``extent`` from
        :func:`physical_extent`, labelled axes) and non-square pixels get the right aspect.
        Without it, the axes are in pixels and hidden.
    ax : matplotlib Axes, optional
        Defaults to ``plt.gca()``.
    cmap : str or Colormap
        ``"gray"`` for anatomy.
    vmin, vmax : float, optional
        Explicit display limits (instead of ``window``).
    title : str, optional
        Axes title.
    colorbar : bool
        Add a colorbar (labelled "HU" when a window is given).
    axis_labels : (str, str)
        Labels of the horizontal and vertical axes when ``spacing`` is given; the defaults
        suit an axial slice. For other planes see
        :func:`course_utils.volume.plane_axis_labels`.
    **kwargs
        Passed to ``ax.imshow``. ``interpolation`` defaults to ``"nearest"``: each pixel is
        drawn as the square it is, with no invented in-between values, and the base image
        agrees with label maps and masks drawn on top (which must be nearest). Pass
        ``interpolation="antialiased"`` for a smoother thumbnail of a large image.

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> import numpy as np
    >>> im = show_slice(np.zeros((4, 6)), window="lung", spacing=(0.5, 0.5))
    >>> im.get_clim()
    (-1350.0, 150.0)
    >>> im.get_extent()
    [-0.25, 2.75, 1.75, -0.25]
    """
    array = _check_2d(image)
    if window is not None:
        if vmin is not None or vmax is not None:
            raise ValueError("pass either window or vmin/vmax, not both")
        width, level = get_window(window)
        vmin, vmax = window_limits(width, level, "LINEAR_EXACT")
    for name, value in (("vmin", vmin), ("vmax", vmax)):
        if value is not None and not math.isfinite(float(value)):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin}, vmax={vmax}")
    if ax is None:
        ax = plt.gca()
    kwargs.setdefault("interpolation", "nearest")
    kwargs.setdefault("origin", "upper")
    if spacing is not None:
        kwargs.setdefault("extent", physical_extent(array.shape, spacing))
    im = ax.imshow(array, cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
    if spacing is not None:
        if isinstance(axis_labels, str) or len(axis_labels) != 2:
            raise ValueError(f"axis_labels must be two strings (horizontal, vertical), "
                             f"got {axis_labels!r}")
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
    else:
        ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    if colorbar:
        cbar = ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        if window is not None:
            cbar.set_label("HU")
    return im
