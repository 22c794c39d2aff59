"""The overlay layer: heatmaps, masks, label maps and difference images.

Each function draws on top of whatever is already on the axes (usually a slice from
:func:`course_utils.display.show_slice`) and reuses that image's extent, so overlays line up
in mm without repeating the spacing. Transparency is carried per pixel in an RGBA image or a
colormap whose first colour is fully transparent, so the anatomy stays visible where there is
nothing to show.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import CenteredNorm, Colormap, ListedColormap, Normalize, to_rgba
from matplotlib.image import AxesImage
from matplotlib.patches import Patch

from ._validation import as_float as _as_float
from ._validation import check_finite as _check_finite
from .display import _check_2d, _colorbar, _extent_for, _get_ax

__all__ = [
    "LABEL_COLORS",
    "OKABE_ITO",
    "overlay_heatmap",
    "overlay_labels",
    "overlay_mask",
    "show_difference",
]

#: Okabe & Ito (2008) colour-blind-safe palette, without black: orange, sky blue,
#: bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

#: Default colours of label classes 1, 2, 3, ...: Okabe-Ito reordered so that the two blues
#: are far apart (a translucent sky blue over dark lung looks like blue over bright bone).
LABEL_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#D55E00", "#0072B2")


def _check_alpha(alpha: Any) -> float:
    value = _as_float(alpha)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"alpha must be a number between 0 and 1, got {alpha!r}")
    return value


def _nearest(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Default to nearest interpolation done on the RGBA image: each pixel keeps its colour
    (classes, mask edges and heat never blend into invented in-between colours)."""
    kwargs.setdefault("interpolation", "nearest")
    kwargs.setdefault("interpolation_stage", "rgba")
    return kwargs


def _get_cmap(cmap: Any) -> Colormap:
    if isinstance(cmap, Colormap):
        return cmap
    try:
        return colormaps[cmap]
    except KeyError:
        raise ValueError(f"unknown colormap {cmap!r}; use a name from "
                         "matplotlib.colormaps, e.g. 'inferno' or 'magma'") from None


def overlay_heatmap(heat: Any, ax: Axes | None = None, cmap: Any = "inferno", alpha: float = 0.6,
                    threshold: float = 0.0, sparse: bool = True, vmin: float = 0.0,
                    vmax: float = 1.0, extent: Any = None, colorbar: bool = False,
                    **kwargs: Any) -> AxesImage:
    """Draw a heatmap over an image, with transparency that follows the heat.

    The overlay is an RGBA image: colours from ``cmap`` for the heat normalized to
    ``[vmin, vmax]``, opacity ``alpha * normalized heat`` (``sparse=True``) or a constant
    ``alpha`` (``sparse=False``), and fully transparent where ``heat < threshold`` or NaN.
    A uniform blend halves the anatomical contrast everywhere; a sparse one leaves the
    anatomy untouched where the heat is low.

    Parameters
    ----------
    heat : array_like, 2D
        The heatmap, same shape as the base image.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    cmap : str or Colormap
        A perceptually uniform map (inferno, magma, viridis), not jet.
    alpha : float
        Maximum opacity, in [0, 1].
    threshold : float
        Heat values below it are not drawn at all.
    sparse : bool
        Opacity proportional to the heat (True) or uniform (False).
    vmin, vmax : float
        Heat values mapped to the two ends of the colormap.
    extent : (left, right, bottom, top), optional
        Defaults to the extent of the base image on ``ax``; a base of another shape is an
        error. Pass ``extent`` to stretch a coarser heatmap over the image on purpose.
    colorbar : bool
        Add a colorbar for the heat (drawn from a ScalarMappable with the same cmap and norm,
        since the RGBA image itself has no colour scale).
    **kwargs
        Passed to ``ax.imshow`` (``interpolation`` defaults to ``"nearest"``).

    Returns
    -------
    AxesImage
        The RGBA overlay; the colorbar, if any, is ``image.colorbar``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from course_utils.display import show_slice
    >>> fig, ax = plt.subplots()
    >>> base = show_slice(np.zeros((2, 2)), window="lung", spacing=(0.7, 0.7), ax=ax)
    >>> heat = np.array([[0.0, 0.5], [1.0, 0.2]])
    >>> im = overlay_heatmap(heat, ax=ax, alpha=0.8, threshold=0.3)
    >>> np.asarray(im.get_array())[..., 3].round(2)
    array([[0. , 0.4],
           [0.8, 0. ]])
    >>> im.get_extent() == base.get_extent()  # lines up with the base in mm
    True
    >>> plt.close(fig)
    """
    heat = _check_2d(heat, "heat").astype(float, copy=False)
    alpha = _check_alpha(alpha)
    vmin, vmax = _check_finite(vmin, "vmin"), _check_finite(vmax, "vmax")
    if vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin:g}, vmax={vmax:g}; "
                         "they are the heat values at the two ends of the colormap")
    threshold = _check_finite(threshold, "threshold")
    colormap = _get_cmap(cmap)
    ax = _get_ax(ax)
    extent = _extent_for(ax, heat.shape, extent, "heat")
    finite = np.isfinite(heat)  # NaN (no value) is drawn fully transparent
    scaled = np.clip((np.where(finite, heat, vmin) - vmin) / (vmax - vmin), 0.0, 1.0)
    rgba = colormap(scaled)
    rgba[..., 3] = alpha * scaled if sparse else alpha
    rgba[~finite | (heat < threshold), 3] = 0.0
    im = ax.imshow(rgba, extent=extent, **_nearest(kwargs))
    if colorbar:
        mappable = ScalarMappable(norm=Normalize(vmin=vmin, vmax=vmax), cmap=colormap)
        im.colorbar = _colorbar(ax, mappable)
    return im


def overlay_mask(mask: Any, ax: Axes | None = None, color: Any = "#D55E00", alpha: float = 0.4,
                 extent: Any = None, **kwargs: Any) -> AxesImage:
    """Fill a binary mask with a colour; everything outside it stays transparent.

    Drawn as a two-colour :class:`~matplotlib.colors.ListedColormap` (transparent, colour)
    with fixed ``vmin, vmax = -0.5, 1.5`` and nearest interpolation, so no pixel of the
    background gets tinted.

    Parameters
    ----------
    mask : array_like of bool, 2D
        Nonzero inside the structure.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    color : matplotlib colour
        Fill colour (default Okabe-Ito vermillion).
    alpha : float
        Opacity of the fill, in [0, 1].
    extent : (left, right, bottom, top), optional
        Defaults to the extent of the base image on ``ax`` (the first image); a base of
        another shape is an error, unless ``extent`` places the layer explicitly.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    AxesImage

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> im = overlay_mask(np.eye(3, dtype=bool), ax=ax)
    >>> float(im.cmap(0)[3]), im.get_clim()
    (0.0, (-0.5, 1.5))
    >>> plt.close(fig)
    """
    array = _check_2d(mask, "mask")
    alpha = _check_alpha(alpha)
    cmap = ListedColormap([(0.0, 0.0, 0.0, 0.0), to_rgba(color)], name="mask")
    ax = _get_ax(ax)
    extent = _extent_for(ax, array.shape, extent, "mask")
    return ax.imshow((array != 0).astype(np.uint8), cmap=cmap, vmin=-0.5, vmax=1.5, alpha=alpha,
                     extent=extent, **_nearest(kwargs))


def _class_names(class_names: Any, n: int) -> dict[int, str]:
    """Map label value -> name from a {name: value} or {value: name} dict or a sequence."""
    if class_names is None:
        return {k: f"class {k}" for k in range(1, n)}
    if isinstance(class_names, Mapping):
        items = list(class_names.items())
        if all(isinstance(k, str) for k, _ in items):
            return {int(v): str(k) for k, v in items}
        return {int(k): str(v) for k, v in items}
    if isinstance(class_names, Sequence) and not isinstance(class_names, str):
        return {k: str(name) for k, name in enumerate(class_names)}
    raise TypeError("class_names must be a dict {name: value} (like phantom.CLASSES), "
                    f"a dict {{value: name}} or a list indexed by label, got {class_names!r}")


def overlay_labels(labels: Any, ax: Axes | None = None, class_names: Any = None,
                   colors: Sequence[Any] | None = None, alpha: float = 0.5, legend: bool = True,
                   extent: Any = None, legend_kwargs: dict[str, Any] | None = None,
                   **kwargs: Any) -> AxesImage:
    """Overlay a multi-class label map with a transparent background and a legend.

    Class ``k`` gets ``colors[k - 1]``; class 0 is fully transparent. The map is drawn with a
    :class:`~matplotlib.colors.ListedColormap`, fixed ``vmin, vmax = -0.5, n - 0.5``,
    ``interpolation="nearest"`` and ``interpolation_stage="rgba"`` so that classes never blend
    into in-between colours, whatever the figure size.

    Parameters
    ----------
    labels : array_like of int, 2D
        Label map, 0 = background.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    class_names : dict or sequence, optional
        ``{name: value}`` (e.g. ``phantom.CLASSES``), ``{value: name}`` or a list indexed by
        value. Names label the legend; default "class k".
    colors : sequence of colours, optional
        One per class 1, 2, ...; default the Okabe-Ito palette (colour-blind safe), then tab20.
    alpha : float
        Opacity of the classes, in [0, 1].
    legend : bool
        Add a legend (Patch proxies) for the classes present, in the upper right corner
        (usually air on an axial CT slice), with a frame so it reads on any background.
    extent : (left, right, bottom, top), optional
        Defaults to the extent of the base image on ``ax`` (the first image); a base of
        another shape is an error, unless ``extent`` places the layer explicitly.
    legend_kwargs : dict, optional
        Passed to ``ax.legend``, e.g. ``{"loc": "upper left", "bbox_to_anchor": (1.02, 1)}``
        to put it outside the axes.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    AxesImage
        The legend, if any, is ``ax.get_legend()``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> names = ["background", "lung", "bone"]
    >>> im = overlay_labels(np.array([[0, 1], [2, 2]]), ax=ax, class_names=names)
    >>> im.get_clim(), float(im.cmap(0)[3])
    ((-0.5, 2.5), 0.0)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['lung', 'bone']
    >>> plt.close(fig)
    """
    array = _check_2d(labels, "labels")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.mod(array, 1) == 0):
        raise TypeError("labels must hold whole numbers (an integer label map), got "
                        f"non-integer {array.dtype} values (or NaN); resample label maps with "
                        "order 0 so they stay integers, and show a probability map with "
                        "overlay_heatmap")
    array = array.astype(np.int64, copy=False)
    if array.size and array.min() < 0:
        raise ValueError(f"labels must be >= 0 (0 = background), got minimum {array.min()}")
    alpha = _check_alpha(alpha)
    names = _class_names(class_names, int(array.max(initial=0)) + 1)
    n = max(int(array.max(initial=0)), max(names, default=0)) + 1
    if colors is None:
        palette = list(LABEL_COLORS) + [colormaps["tab20"](i) for i in range(20)]
        if n - 1 > len(palette):
            raise ValueError(f"{n - 1} classes but only {len(palette)} default colours; "
                             "pass colors=")
        colors = palette[:n - 1]
    colors = list(colors)
    if len(colors) < n - 1:
        raise ValueError(f"colors has {len(colors)} entries but the labels need {n - 1} "
                         f"(classes 1 to {n - 1}); pass one colour per class")
    rgba = [(0.0, 0.0, 0.0, 0.0)] + [to_rgba(c) for c in colors[:n - 1]]
    cmap = ListedColormap(rgba, name="labels")
    ax = _get_ax(ax)
    extent = _extent_for(ax, array.shape, extent, "labels")
    im = ax.imshow(array, cmap=cmap, vmin=-0.5, vmax=n - 0.5, alpha=alpha, extent=extent,
                   **_nearest(kwargs))
    if legend:
        present = [int(k) for k in np.unique(array) if k != 0]
        handles = [Patch(facecolor=rgba[k][:3], alpha=alpha, edgecolor=rgba[k][:3],
                         label=names.get(k, f"class {k}")) for k in present]
        if handles:
            options = {"loc": "upper right", "fontsize": "small", "framealpha": 0.85}
            options.update(legend_kwargs or {})
            ax.legend(handles=handles, **options)
    return im


def show_difference(a: Any, b: Any = None, ax: Axes | None = None, cmap: Any = "RdBu_r",
                    vmax: float | None = None, colorbar: bool = True, extent: Any = None,
                    label: str | None = "difference", **kwargs: Any) -> AxesImage:
    """Show ``a - b`` with a diverging colormap centred on zero.

    The norm is a :class:`~matplotlib.colors.CenteredNorm` with ``halfrange=vmax``, so the
    limits are symmetric, ``-vmax .. vmax``, and zero sits at the colormap's midpoint (for
    RdBu a near-white, not pure white). The colorbar gets ``extend="both"`` when some values
    lie beyond the limits (they are clipped), else ``"neither"``.

    Parameters
    ----------
    a : array_like, 2D
        First image, or the difference itself when ``b`` is None.
    b : array_like, 2D, optional
        Second image, same shape.
    ax : Axes, optional
        Defaults to ``plt.gca()``.
    cmap : str or Colormap
        A diverging map.
    vmax : float, optional
        Half-range of the colour scale; default the largest absolute difference.
    colorbar : bool
        Add a colorbar (``image.colorbar``).
    extent : (left, right, bottom, top), optional
        Defaults to the extent of the base image on ``ax`` (the first image); a base of
        another shape is an error, unless ``extent`` places the layer explicitly.
    label : str, optional
        Colorbar label.
    **kwargs
        Passed to ``ax.imshow`` (``interpolation`` defaults to ``"nearest"``).

    Returns
    -------
    AxesImage

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> im = show_difference(np.array([[3.0, 0.0]]), np.array([[1.0, 1.0]]), ax=ax, vmax=1.5)
    >>> im.get_clim(), im.colorbar.extend
    ((-1.5, 1.5), 'both')
    >>> plt.close(fig)
    """
    first = _check_2d(a, "a").astype(float)
    if b is not None:
        second = _check_2d(b, "b")
        if second.shape != first.shape:
            raise ValueError(f"a and b must have the same shape, got {first.shape} and "
                             f"{second.shape}; resample one onto the other's grid first")
        diff = first - second
    else:
        diff = first
    largest = float(np.nanmax(np.abs(diff))) if np.any(np.isfinite(diff)) else 0.0
    if vmax is None:
        vmax = largest if largest > 0 else 1.0
    elif not 0 < _as_float(vmax) < math.inf:
        raise ValueError(f"vmax must be a positive number (the half-range), got {vmax!r}")
    vmax = float(vmax)
    ax = _get_ax(ax)
    extent = _extent_for(ax, diff.shape, extent, "difference")
    kwargs.setdefault("interpolation", "nearest")
    im = ax.imshow(diff, cmap=cmap, norm=CenteredNorm(vcenter=0.0, halfrange=vmax),
                   extent=extent, **kwargs)
    if colorbar:
        # values beyond +/- vmax are clipped to the end colours: say so with arrows
        _colorbar(ax, im, label, extend="both" if largest > vmax else "neither")
    return im
