"""Figure layouts: the course style sheet, multi-window panels, slice montages, panel labels.

The style sheet is applied only inside :func:`course_style`, so importing or calling anything
here leaves the global rcParams alone.
"""

from __future__ import annotations

import contextlib
import math
import string
from pathlib import Path
from typing import Any, Iterator, Sequence

import matplotlib
import matplotlib.patheffects as path_effects
import matplotlib.style
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Text

from .display import _check_spacing, _window_clim, show_slice
from .windowing import PRESETS, _preset_key, get_window

__all__ = ["STYLE_PATH", "add_panel_labels", "course_style", "montage", "window_panel"]

#: Path of the course matplotlib style sheet shipped in the package.
STYLE_PATH = Path(__file__).with_name("course.mplstyle")


@contextlib.contextmanager
def course_style() -> Iterator[None]:
    """Apply the course style sheet inside a ``with`` block only.

    Every setting changed inside the block is restored afterwards, except interactive mode.
    Before the block starts, pyplot's backend is loaded: Jupyter's inline backend switches
    interactive mode on when it loads, and a style or ``rc_context`` block around that moment
    would switch it off again on exit, so that later figures would no longer show.

    Examples
    --------
    >>> import matplotlib
    >>> with course_style():
    ...     matplotlib.rcParams["axes.spines.top"]
    False
    >>> matplotlib.rcParams["axes.spines.top"]
    True
    """
    if not plt.get_fignums():
        plt.close(plt.figure())  # loads the backend outside the block (see above)
    with matplotlib.style.context(STYLE_PATH):
        yield
        interactive = matplotlib.is_interactive()
    matplotlib.interactive(interactive)

def _window_title(window: Any) -> str:
    width, level = get_window(window)
    if isinstance(window, str):
        name = PRESETS[_preset_key(window)].name.replace("_", " ")
        return f"{name}\nW {width:g} / L {level:g}"
    return f"W {width:g} / L {level:g}"


def _check_axes(axes: Any, n: int) -> np.ndarray:
    array = np.asarray(axes, dtype=object).ravel()
    if len(array) < n or not all(isinstance(a, Axes) for a in array[:n]):
        raise ValueError(f"axes must hold at least {n} matplotlib Axes, got {len(array)}")
    return array


def window_panel(image: Any, windows: Sequence[Any] = ("soft_tissue", "lung", "bone"),
                 spacing: Sequence[float] | None = None, axes: Any = None,
                 titles: Sequence[str] | None = None, **kwargs: Any) -> tuple[Any, np.ndarray]:
    """Show the same slice side by side in several windows.

    Parameters
    ----------
    image : array_like, 2D
        The slice in HU.
    windows : sequence
        Preset names, :class:`~course_utils.windowing.WindowPreset` or ``(W, L)`` pairs.
    spacing : (dy, dx), optional
        Pixel spacing in mm (axes in mm).
    axes : sequence of Axes, optional
        One per window; default a new 1 x n figure.
    titles : sequence of str, optional
        Default: the preset name and "W ... / L ...".
    **kwargs
        Passed to :func:`course_utils.display.show_slice`.

    Returns
    -------
    fig, axes : Figure, ndarray of Axes

    Examples
    --------
    >>> import numpy as np
    >>> fig, axes = window_panel(np.zeros((4, 4)))
    >>> [ax.images[0].get_clim() for ax in axes]
    [(-160.0, 240.0), (-1350.0, 150.0), (-500.0, 1300.0)]
    >>> plt.close(fig)
    """
    windows = list(windows)
    if not windows:
        raise ValueError("windows must name at least one window, e.g. ('soft_tissue', 'lung')")
    if titles is not None and len(titles) != len(windows):
        raise ValueError(f"titles has {len(titles)} entries for {len(windows)} windows")
    for window in windows:
        get_window(window)  # validate all before drawing
    if axes is None:
        fig, axes = plt.subplots(1, len(windows), figsize=(3.2 * len(windows), 3.6),
                                 layout="constrained", squeeze=False)
    axes = _check_axes(axes, len(windows))[:len(windows)]
    fig = axes[0].figure
    for k, (ax, window) in enumerate(zip(axes, windows)):
        title = titles[k] if titles is not None else _window_title(window)
        show_slice(image, window=window, spacing=spacing, ax=ax, title=title, **kwargs)
    return fig, axes


def montage(volume: Any, slices: Sequence[int] | None = None, n: int = 12, ncols: int = 4,
            window: Any = None, spacing: Sequence[float] | None = None,
            figsize: tuple[float, float] | None = None, **kwargs: Any) -> tuple[Any, np.ndarray]:
    """A lightbox of axial slices of a ``[z, y, x]`` volume, all in the same window.

    Every panel uses the same display limits (a window, or the volume's 1st-99th percentile
    when no window is given), so grey levels compare across panels. Each panel is labelled
    with its slice index and, with ``spacing``, its position ``z = k * dz`` in mm.

    Parameters
    ----------
    volume : array_like, 3D
        ``[slice, row, column]``.
    slices : sequence of int, optional
        Slice indices; default ``n`` evenly spaced slices from first to last.
    n : int
        Number of slices when ``slices`` is not given.
    ncols : int
        Panels per row.
    window : str, WindowPreset or (W, L), optional
        Display window for every panel.
    spacing : (dz, dy, dx), optional
        Voxel spacing in mm: in-plane extent in mm (right aspect) and positions in the labels.
    figsize : (float, float), optional
        Default 2.4 inches per panel.
    **kwargs
        Passed to :func:`course_utils.display.show_slice`.

    Returns
    -------
    fig, axes : Figure, 2D ndarray of Axes (rows x ncols); unused panels are hidden.

    Examples
    --------
    >>> import numpy as np
    >>> fig, axes = montage(np.zeros((10, 4, 4)), n=4, ncols=2, window="lung")
    >>> axes.shape, [ax.texts[0].get_text() for ax in axes.flat]
    ((2, 2), ['k=0', 'k=3', 'k=6', 'k=9'])
    >>> plt.close(fig)
    """
    array = np.asarray(volume)
    if array.ndim != 3:
        raise ValueError(f"volume must be a 3D array [z, y, x], got shape {array.shape}; "
                         "for one slice use display.show_slice")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_) or \
            np.iscomplexobj(array):
        raise TypeError(f"volume must be a real numeric array, got dtype {array.dtype}")
    nz = array.shape[0]
    if slices is None:
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        slices = np.unique(np.linspace(0, nz - 1, min(int(n), nz)).round().astype(int))
    slices = [int(k) for k in slices]
    if not slices:
        raise ValueError("slices is empty; pass at least one slice index")
    bad = [k for k in slices if not -nz <= k < nz]
    if bad:
        raise ValueError(f"slice indices {bad} are outside the volume's {nz} slices")
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    dz, in_plane = None, None
    if spacing is not None:
        dz, *in_plane = _check_spacing(spacing, 3)
    if window is not None:
        if "vmin" in kwargs or "vmax" in kwargs:
            raise ValueError("pass either window or vmin/vmax, not both")
        kwargs["vmin"], kwargs["vmax"] = _window_clim(window)
    elif "vmin" not in kwargs and "vmax" not in kwargs:
        chosen = array[slices]
        finite = chosen[np.isfinite(chosen)]
        lo, hi = (np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0))
        if hi <= lo:
            hi = lo + 1.0
        kwargs["vmin"], kwargs["vmax"] = float(lo), float(hi)

    ncols = min(int(ncols), len(slices))
    nrows = math.ceil(len(slices) / ncols)
    if figsize is None:
        figsize = (2.4 * ncols, 2.4 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False,
                             layout="constrained")
    for ax, k in zip(axes.flat, slices):
        show_slice(array[k], spacing=in_plane, ax=ax, **kwargs)
        ax.set_axis_off()  # a lightbox: labels in the panels, not axes
        k_pos = k % nz
        # the distance from the first slice: the patient z needs the origin, which we lack
        label = f"k={k_pos}" if dz is None else f"k={k_pos}\n+{k_pos * dz:.1f} mm"
        ax.text(0.03, 0.03, label, transform=ax.transAxes, ha="left", va="bottom",
                fontsize="small", color="white",
                path_effects=[path_effects.withStroke(linewidth=2, foreground="black")])
    for ax in axes.flat[len(slices):]:
        ax.set_visible(False)
    return fig, axes


def add_panel_labels(axes: Any, labels: Sequence[str] | None = None, fontsize: Any = "large",
                     **kwargs: Any) -> list[Text]:
    """Label panels A, B, C ... in bold in their top-left corner.

    The letter sits inside the corner on a white box, so it reads on images and plots alike.

    Parameters
    ----------
    axes : Axes or array of Axes
        Panels in reading order (a 2D array is read row by row); hidden axes are skipped.
    labels : sequence of str, optional
        Default "A", "B", "C", ...
    fontsize : str or float
        Label size.
    **kwargs
        Passed to ``ax.text``.

    Returns
    -------
    list of matplotlib.text.Text

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 3)
    >>> [t.get_text() for t in add_panel_labels(axes)]
    ['A', 'B', 'C']
    >>> plt.close(fig)
    """
    if isinstance(axes, Axes):
        axes = [axes]
    flat = list(np.asarray(axes, dtype=object).ravel())
    if not all(isinstance(ax, Axes) for ax in flat):
        raise TypeError("axes must be matplotlib Axes (one, or an array of them)")
    panels = [ax for ax in flat if ax.get_visible()]
    if labels is None:
        letters = string.ascii_uppercase
        labels = [letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]
                  for i in range(len(panels))]
    labels = list(labels)
    if len(labels) != len(panels):
        raise ValueError(f"got {len(labels)} labels for {len(panels)} panels; pass one per "
                         "visible panel")
    kwargs.setdefault("bbox", {"boxstyle": "square,pad=0.2", "facecolor": "white",
                               "edgecolor": "none", "alpha": 0.85})
    return [ax.text(0.02, 0.98, str(label), transform=ax.transAxes, ha="left", va="top",
                    fontweight="bold", fontsize=fontsize, color="black", zorder=10, **kwargs)
            for ax, label in zip(panels, labels)]
