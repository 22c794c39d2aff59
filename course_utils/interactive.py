"""Interactive plotly figures that work in the built book and in Jupyter.

Two helpers:

- :func:`show` displays a plotly figure. In the built book the output is a small HTML
  fragment that draws the figure with the page's own copy of plotly.js (the book serves
  plotly.js once, from its static files, on the pages that need it: nothing is embedded in the
  page and nothing loads from a CDN). In Jupyter the output also carries the figure as plotly
  JSON, which JupyterLab, Notebook 7 and VS Code render live.
- :func:`slice_browser` makes a figure with a slider through the axial slices of a volume,
  windowed, in mm, in radiological orientation, with each slice stored as a PNG image so the
  page stays light.

The book build sets the environment variable ``COURSE_UTILS_BOOK`` (see ``_ext/`` in the
course repository): executed notebooks then keep only the HTML, because myst-nb warns about
(and drops) the plotly JSON output, and the book is built with warnings as errors.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import numbers
import os
import sys
from typing import Any

import numpy as np

from ._validation import check_spacing as _check_spacing
from .windowing import get_window, window_limits

__all__ = ["BOOK_ENV", "PLOTLY_MIMETYPE", "mimebundle", "show", "slice_browser", "to_html"]

#: Environment variable set (to ``"1"``) by the book build: :func:`show` then writes HTML only.
BOOK_ENV = "COURSE_UTILS_BOOK"
#: The MIME type of a plotly figure as JSON, rendered live by Jupyter front ends.
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"

_CONFIG = {"displaylogo": False, "responsive": True}
_shown: dict[str, int] = {}  # figure hash -> times shown in this kernel (unique div ids)


def _check_figure(fig: Any) -> Any:
    """``fig`` if it is a plotly Figure, else a TypeError that says what to pass."""
    import plotly.graph_objects as go

    if isinstance(fig, go.Figure):
        return fig
    if isinstance(fig, dict) and "data" in fig:
        return go.Figure(fig)
    hint = ""
    if type(fig).__module__.startswith("matplotlib"):
        hint = "; this is a matplotlib figure: myst-nb and Jupyter show it without help"
    raise TypeError(f"fig must be a plotly.graph_objects.Figure, got {type(fig).__name__}"
                    f"{hint}")


def _figure_hash(fig: Any) -> str:
    return hashlib.sha1(fig.to_json().encode("utf-8")).hexdigest()[:12]


def to_html(fig: Any, div_id: str | None = None) -> str:
    """The HTML fragment that draws ``fig`` with the page's own plotly.js.

    No plotly.js is embedded and none is loaded from a CDN: the page must provide
    ``window.Plotly`` (the course book does, on the pages that contain a plotly figure).
    Animations do not start on their own.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    div_id : str, optional
        The ``id`` of the figure's ``<div>``. By default it is derived from the figure's
        content, so the same figure gives the same HTML in every run (a stable executed
        notebook, a stable book).

    Returns
    -------
    str
        A ``<div>`` with class ``plotly-graph-div`` and the ``<script>`` that fills it.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))
    >>> html = to_html(fig)
    >>> 'class="plotly-graph-div"' in html, "Plotly.newPlot" in html
    (True, True)
    >>> html == to_html(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))   # deterministic
    True
    >>> len(html) < 20_000    # no plotly.js inside
    True
    """
    fig = _check_figure(fig)
    if div_id is None:
        div_id = f"plotly-{_figure_hash(fig)}"
    elif not (isinstance(div_id, str) and div_id and div_id.replace("-", "").replace(
            "_", "").isalnum()):
        raise ValueError(f"div_id must be a non-empty string of letters, digits, '-' and "
                         f"'_', got {div_id!r}")
    height = fig.layout.height
    return fig.to_html(include_plotlyjs=False, full_html=False, div_id=div_id,
                       config=_CONFIG, auto_play=False, default_width="100%",
                       default_height=f"{int(height)}px" if height else "480px")


def mimebundle(fig: Any, div_id: str | None = None,
               book: bool | None = None) -> dict[str, Any]:
    """The outputs :func:`show` displays for ``fig``, as a MIME bundle (a dict).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    div_id : str, optional
        See :func:`to_html`.
    book : bool, optional
        ``True`` gives only ``text/html`` (what the book needs), ``False`` adds the plotly
        JSON for Jupyter. By default ``True`` when the environment variable
        :data:`BOOK_ENV` is set (the book build sets it), else ``False``.

    Returns
    -------
    dict
        MIME type -> data: ``text/plain`` (a short, stable description), ``text/html``
        (:func:`to_html`) and, outside the book, :data:`PLOTLY_MIMETYPE`.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    >>> sorted(mimebundle(fig, book=False))
    ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']
    >>> sorted(mimebundle(fig, book=True))
    ['text/html', 'text/plain']
    >>> mimebundle(fig, book=True)["text/plain"]
    'Interactive plotly figure (1 trace): run the notebook in Jupyter or see the book.'
    """
    fig = _check_figure(fig)
    if book is None:
        book = bool(os.environ.get(BOOK_ENV))
    n = len(fig.data)
    frames = f", {len(fig.frames)} frames" if fig.frames else ""
    bundle: dict[str, Any] = {
        "text/plain": f"Interactive plotly figure ({n} trace{'s' if n != 1 else ''}{frames}): "
                      "run the notebook in Jupyter or see the book.",
        "text/html": to_html(fig, div_id=div_id),
    }
    if not book:
        bundle[PLOTLY_MIMETYPE] = fig.to_plotly_json()
    return bundle


def show(fig: Any, div_id: str | None = None) -> None:
    """Display a plotly figure in the book (HTML, the page's plotly.js) and in Jupyter (live).

    Use it instead of ``fig.show()`` in the course's notebooks. It displays the figure and
    returns ``None``, so it may stand anywhere in a cell.

    - In the built book: HTML that calls the page's own copy of plotly.js (served once by the
      book, on the pages that need it). No plotly.js inside the page, no CDN.
    - In JupyterLab, Notebook 7 and VS Code: the live figure from the plotly JSON output.
    - In Google Colab, and outside IPython (a plain script), it hands over to ``fig.show()``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure, e.g. from :func:`slice_browser` or :func:`course_utils.mesh.plotly_mesh`.
    div_id : str, optional
        The figure's HTML ``id``; by default derived from the figure's content (deterministic).
        A figure shown twice in one kernel gets ``-2``, ``-3``... so ids stay unique on a page.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[0, 1, 4]))
    >>> show(fig)     # doctest: +SKIP
    """
    fig = _check_figure(fig)
    ipython = _get_ipython()
    if ipython is None or "google.colab" in sys.modules:
        fig.show()
        return
    if div_id is None:
        key = _figure_hash(fig)
        _shown[key] = _shown.get(key, 0) + 1
        div_id = f"plotly-{key}" + (f"-{_shown[key]}" if _shown[key] > 1 else "")
    from IPython.display import display

    display(mimebundle(fig, div_id=div_id), raw=True)


def _get_ipython() -> Any:
    """The running IPython shell, or None (a plain Python process)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def _png_data_uri(image: np.ndarray) -> str:
    """A uint8 2D array as a ``data:image/png;base64,...`` URI (deterministic bytes)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image, mode=None).save(buffer, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _check_volume(hu: Any, spacing: Any) -> tuple[np.ndarray, tuple[float, float, float]]:
    """The volume as a 3D real array and its spacing, from an array or a Volume."""
    if hasattr(hu, "hu") and hasattr(hu, "spacing"):  # a course_utils.volume.Volume
        if spacing is None:
            spacing = hu.spacing
        hu = hu.hu
    array = np.asarray(hu)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_) or \
            np.iscomplexobj(array):
        raise TypeError(f"hu must be a real numeric array (HU), got dtype {array.dtype}")
    if array.ndim != 3:
        hint = "; for one slice, pass hu[np.newaxis] or use display.show_slice" \
            if array.ndim == 2 else ""
        raise ValueError(f"hu must be a 3D volume indexed [z, y, x], got shape {array.shape}"
                         f"{hint}")
    if 0 in array.shape:
        raise ValueError(f"hu is empty (shape {array.shape}); pass a volume with slices")
    if spacing is None:
        raise ValueError("spacing is required for an array: pass spacing=(dz, dy, dx) in mm "
                         "(e.g. volume.spacing), or pass the Volume itself")
    dz, dy, dx = _check_spacing(spacing, 3, hint="pass the voxel spacing, e.g. volume.spacing")
    return array, (dz, dy, dx)


def _check_step(step: Any) -> int | None:
    if step is None:
        return None
    if not isinstance(step, numbers.Integral) or isinstance(step, bool) or step < 1:
        raise ValueError(f"step must be a positive integer (1 = every slice, 4 = every "
                         f"fourth) or None to choose one, got {step!r}")
    return int(step)


def slice_browser(hu: Any, window: Any = "lung", spacing: Any = None, step: int | None = None,
                  start: int | None = None, title: str | None = None,
                  max_mb: float = 1.0, height: int = 560) -> Any:
    """A plotly figure with a slider through the axial slices of a volume.

    Each slice is windowed (LINEAR_EXACT limits, as :func:`course_utils.display.show_slice`),
    stored as an 8-bit grayscale PNG, and placed in mm: pixel centres at ``i * dx`` and
    ``j * dy``, equal scales on both axes, row 0 at the top. For an axial slice of a volume
    read by :func:`course_utils.dicom.read_series` (columns toward the patient's left) this is
    the radiological convention: the patient's right on the viewer's left.

    Parameters
    ----------
    hu : array_like or Volume
        Volume indexed ``[z, y, x]`` in HU, or a :class:`course_utils.volume.Volume` (its
        spacing is used when ``spacing`` is not given).
    window : str, WindowPreset or (float, float)
        Window preset name (``"lung"``, ``"mediastinum"``, ...) or ``(width, level)`` in HU.
    spacing : (float, float, float)
        ``(dz, dy, dx)`` in mm. Required for an array.
    step : int, optional
        Keep every ``step``-th slice (1 = all). By default the smallest step whose frames fit
        in ``max_mb``. A given step whose frames do not fit is an error that says which step
        would.
    start : int, optional
        Index (in the full volume) of the slice shown first; the kept slice nearest to it is
        used. Default: the middle slice.
    title : str, optional
        Title above the image; the current slice and its distance from the first slice in mm
        are added to it.
    max_mb : float
        Budget for the encoded images, in MB (10**6 bytes). The whole page stays light:
        the synthetic series (72 x 256 x 256) fits in 1 MB with every fourth slice.
    height : int
        Figure height in pixels (the width follows the page).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Image`` trace (the first slice shown), one frame per kept slice, a slider.
        Display it with :func:`show`.

    Raises
    ------
    ValueError
        If the volume is not 3D, the spacing is missing or not three positive numbers, the
        step or start is out of range, or the frames do not fit in ``max_mb``.

    Examples
    --------
    >>> import numpy as np
    >>> z, y, x = np.mgrid[0:8, 0:40, 0:50]
    >>> hu = np.where((y - 20) ** 2 + (x - 25) ** 2 < (10 + z) ** 2, 40.0, -1000.0)
    >>> fig = slice_browser(hu, window="lung", spacing=(4.0, 0.8, 0.8), step=2)
    >>> len(fig.frames), fig.frames[0].name
    (4, '0')
    >>> [s.label for s in fig.layout.sliders[0].steps]
    ['0', '2', '4', '6']
    >>> fig.data[0].dx, fig.data[0].dy, fig.layout.yaxis.autorange
    (0.8, 0.8, 'reversed')
    >>> fig.layout.sliders[0].active     # the middle slice, 4
    2
    >>> slice_browser(hu[0], spacing=(0.8, 0.8))
    Traceback (most recent call last):
    ...
    ValueError: hu must be a 3D volume indexed [z, y, x], got shape (40, 50); for one slice, pass hu[np.newaxis] or use display.show_slice
    """
    import plotly.graph_objects as go

    array, (dz, dy, dx) = _check_volume(hu, spacing)
    width, level = get_window(window)
    lo, hi = window_limits(width, level, "LINEAR_EXACT")
    step = _check_step(step)
    if not (isinstance(max_mb, numbers.Real) and math.isfinite(max_mb) and max_mb > 0):
        raise ValueError(f"max_mb must be a positive number of megabytes, got {max_mb!r}")
    if not (isinstance(height, numbers.Integral) and 100 <= height <= 2000):
        raise ValueError(f"height must be an integer number of pixels in [100, 2000], "
                         f"got {height!r}")
    nz, ny, nx = array.shape
    if start is None:
        start = nz // 2
    if not isinstance(start, numbers.Integral) or isinstance(start, bool) or \
            not 0 <= start < nz:
        raise ValueError(f"start must be a slice index in [0, {nz - 1}], got {start!r}")

    def encode(k: int) -> str:
        slice_hu = np.nan_to_num(array[k].astype(np.float64), nan=lo)
        scaled = np.clip((slice_hu - lo) / (hi - lo), 0.0, 1.0)
        return _png_data_uri(np.round(scaled * 255).astype(np.uint8))

    budget = max_mb * 1e6
    cache: dict[int, str] = {}

    def size_of(ks: range) -> int:
        for k in ks:
            if k not in cache:
                cache[k] = encode(k)
        return sum(len(cache[k]) for k in ks)

    if step is None:
        # estimate the size of one frame from a few, then grow the step until it fits
        sample = range(0, nz, max(1, nz // 8))
        per_frame = size_of(sample) / len(sample)
        step = max(1, math.ceil(nz * per_frame / budget))
        while size_of(range(0, nz, step)) > budget and step < nz:
            step += 1
    kept = range(0, nz, step)
    total = size_of(kept)
    if total > budget:
        per_frame = total / len(kept)
        fits = math.ceil(nz * per_frame / budget)
        advice = (f"pass step={fits} or more, or leave step=None to choose it"
                  if fits < nz else "even one slice is too large: raise max_mb")
        raise ValueError(f"{len(kept)} slices (step={step}) take {total / 1e6:.1f} MB as PNG, "
                         f"over max_mb={max_mb:g}; {advice} (pages should stay light)")

    first = min(range(len(kept)), key=lambda i: abs(kept[i] - start))
    base_title = title if title is not None else "Axial slices"

    def image(k: int) -> Any:
        return go.Image(source=cache[k], x0=0.0, dx=dx, y0=0.0, dy=dy, name=f"slice {k}",
                        hovertemplate="x %{x:.1f} mm, y %{y:.1f} mm<extra></extra>")

    def heading(k: int) -> str:
        return f"{base_title}: slice {k} of {nz - 1}, {k * dz:g} mm from the first"

    frames = [go.Frame(name=str(k), data=[image(k)], layout={"title": {"text": heading(k)}})
              for k in kept]
    steps = [{"label": str(k), "method": "animate",
              "args": [[str(k)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                  "transition": {"duration": 0}}]}
             for k in kept]
    fig = go.Figure(data=[image(kept[first])], frames=frames)
    fig.update_layout(
        title={"text": heading(kept[first]), "x": 0.0, "xanchor": "left"},
        height=int(height), margin={"l": 60, "r": 20, "t": 50, "b": 20},
        template="plotly_white",
        xaxis={"title": {"text": "x (mm)"}, "range": [-dx / 2, (nx - 0.5) * dx],
               "constrain": "domain", "showgrid": False, "zeroline": False},
        yaxis={"title": {"text": "y (mm)"}, "range": [(ny - 0.5) * dy, -dy / 2],
               "autorange": "reversed", "scaleanchor": "x", "scaleratio": 1,
               "constrain": "domain", "showgrid": False, "zeroline": False},
        sliders=[{"active": first, "steps": steps, "pad": {"t": 30},
                  "currentvalue": {"prefix": "Slice ", "visible": True}}],
    )
    return fig
