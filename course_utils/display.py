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

from ._validation import as_float as _as_float
from ._validation import check_finite as _check_finite
from ._validation import check_spacing as _check_spacing_n
from .windowing import get_window, window_limits

__all__ = ["physical_extent", "show_slice"]


def _get_ax(ax: Any) -> Axes:
    """``ax``, or the current axes when it is None; anything else is a TypeError."""
    if ax is None:
        return plt.gca()
    if not isinstance(ax, Axes):
        hint = ("; pass one of them, e.g. ax=axes[0]"
                if isinstance(ax, (np.ndarray, list, tuple)) else "")
        raise TypeError(f"ax must be a matplotlib Axes (or None for the current axes), "
                        f"got {type(ax).__name__}{hint}")
    return ax


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


def _check_spacing(spacing: Any, n: int = 2) -> tuple[float, ...]:
    """Validate a pixel spacing ``(dy, dx)`` (or a voxel spacing ``(dz, dy, dx)``) in mm."""
    hint = ("pass PixelSpacing from the header (row spacing, column spacing)" if n == 2
            else "pass the voxel spacing of the volume")
    return _check_spacing_n(spacing, n, hint=hint)


def _colorbar(ax: Axes, mappable: Any, label: str | None = None, **kwargs: Any) -> Any:
    """A colorbar beside ``ax``, as tall as the image; sets ``mappable.colorbar``."""
    cbar = ax.figure.colorbar(mappable, ax=ax, fraction=0.046, pad=0.04, **kwargs)
    if label:
        cbar.set_label(label)
    return cbar


def _window_clim(window: Any) -> tuple[float, float]:
    """``(vmin, vmax) = (L - W/2, L + W/2)`` of a window: the LINEAR_EXACT limits, which are
    what matplotlib's linear mapping between vmin and vmax computes."""
    return window_limits(*get_window(window), "LINEAR_EXACT")


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


def _extent_for(ax: Axes, shape: Sequence[int], extent: Any = None,
                name: str = "overlay") -> Any:
    """The extent for a layer drawn on top of ``ax``'s base image (its first image).

    An explicit ``extent`` wins (it may stretch a coarser grid over the image). Otherwise the
    layer takes the base image's extent, so it lines up with a base drawn in mm; a layer of
    another shape than the base would silently land on the wrong pixels, so that is an error.
    With no image on the axes, the layer is drawn in pixels (``None``).
    """
    if extent is not None:
        values = tuple(_as_float(v) for v in extent) if np.ndim(extent) == 1 else ()
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise ValueError(f"extent must be 4 finite numbers (left, right, bottom, top), "
                             f"got {extent!r}")
        return values
    if not ax.images:
        return None
    base = ax.images[0].get_array()
    if base is None:
        return None
    if tuple(base.shape[:2]) != tuple(shape[:2]):
        raise ValueError(f"{name} has shape {tuple(shape[:2])} but the image on the axes has "
                         f"shape {tuple(base.shape[:2])}; resample it onto the image grid "
                         "(order 0 for masks and labels) or pass extent= to place it")
    return tuple(ax.images[0].get_extent())


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
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> im = show_slice(np.zeros((4, 6)), window="lung", spacing=(0.5, 0.5), ax=ax)
    >>> im.get_clim()
    (-1350.0, 150.0)
    >>> im.get_extent()
    [-0.25, 2.75, 1.75, -0.25]
    >>> plt.close(fig)
    """
    array = _check_2d(image)
    if window is not None:
        if vmin is not None or vmax is not None:
            raise ValueError("pass either window or vmin/vmax, not both")
        vmin, vmax = _window_clim(window)
    vmin = None if vmin is None else _check_finite(vmin, "vmin")
    vmax = None if vmax is None else _check_finite(vmax, "vmax")
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin:g}, vmax={vmax:g}")
    if spacing is not None:
        extent = physical_extent(array.shape, spacing)
        if isinstance(axis_labels, str) or len(axis_labels) != 2:
            raise ValueError(f"axis_labels must be two strings (horizontal, vertical), "
                             f"got {axis_labels!r}")
        kwargs.setdefault("extent", extent)
        kwargs.setdefault("aspect", "equal")  # 1 mm across = 1 mm down, whatever rcParams say
    ax = _get_ax(ax)
    kwargs.setdefault("interpolation", "nearest")
    kwargs.setdefault("origin", "upper")
    im = ax.imshow(array, cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
    if spacing is not None:
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
    else:
        ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    if colorbar:
        _colorbar(ax, im, "HU" if window is not None else None)
    return im
