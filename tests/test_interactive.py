"""course_utils.interactive: plotly figures for the book (page's own plotly.js) and Jupyter."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from course_utils import interactive
from course_utils.volume import Volume, affine_from_geometry


def _line():
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 0, 1]))


def _decode(source: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source[len(prefix):]))))


def _ramp_volume(nz=6, ny=5, nx=7):
    """HU that say where they come from: 100 * z + 10 * y + x (asymmetric in every axis)."""
    z, y, x = np.mgrid[0:nz, 0:ny, 0:nx]
    return (100.0 * z + 10.0 * y + x).astype(np.float32)


# ---------------------------------------------------------------- to_html / mimebundle / show

def test_to_html_calls_the_page_plotly_without_embedding_or_cdn():
    html = interactive.to_html(_line())
    assert 'class="plotly-graph-div"' in html and "Plotly.newPlot" in html
    assert len(html) < 20_000, "plotly.js must not be embedded"
    assert "<script src" not in html and "cdn" not in html.lower()
    assert "https://" not in html


def test_to_html_is_deterministic_and_the_id_follows_the_content():
    a, b = interactive.to_html(_line()), interactive.to_html(_line())
    assert a == b
    (div_id,) = set(re.findall(r'id="(plotly-[0-9a-f]{12})"', a))
    other = go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 0, 2]))
    assert div_id not in interactive.to_html(other)


def test_to_html_takes_an_explicit_id_and_the_figure_height():
    fig = _line().update_layout(height=300)
    html = interactive.to_html(fig, div_id="my-figure_1")
    assert 'id="my-figure_1"' in html and "height:300px" in html
    with pytest.raises(ValueError, match="div_id must be a non-empty string"):
        interactive.to_html(fig, div_id="bad id\"><script>")


def test_to_html_does_not_autoplay_animations():
    fig = interactive.slice_browser(_ramp_volume(), window=(1000, 300), spacing=(1, 1, 1))
    html = interactive.to_html(fig)
    assert "Plotly.addFrames" in html and "Plotly.animate" not in html


def test_figure_type_is_checked():
    import matplotlib.pyplot as plt

    mpl_fig = plt.figure()
    with pytest.raises(TypeError, match="matplotlib figure: myst-nb and Jupyter show it"):
        interactive.to_html(mpl_fig)
    with pytest.raises(TypeError, match="must be a plotly.graph_objects.Figure, got list"):
        interactive.show([1, 2])
    html = interactive.to_html({"data": [{"type": "bar", "y": [1, 2]}]})  # a figure dict
    assert "plotly-graph-div" in html


def test_mimebundle_outside_and_inside_the_book(monkeypatch):
    monkeypatch.delenv(interactive.BOOK_ENV, raising=False)
    bundle = interactive.mimebundle(_line())
    assert set(bundle) == {"text/plain", "text/html", interactive.PLOTLY_MIMETYPE}
    assert bundle[interactive.PLOTLY_MIMETYPE]["data"][0]["type"] == "scatter"
    monkeypatch.setenv(interactive.BOOK_ENV, "1")
    bundle = interactive.mimebundle(_line())
    assert set(bundle) == {"text/plain", "text/html"}, "myst-nb warns about the plotly JSON"
    assert bundle["text/plain"] == ("Interactive plotly figure (1 trace): run the notebook in "
                                    "Jupyter or see the book.")


def test_show_displays_the_bundle_with_unique_ids(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(interactive, "_get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False: shown.append((obj, raw)))
    monkeypatch.setattr(interactive, "_shown", {})
    monkeypatch.setenv(interactive.BOOK_ENV, "1")
    assert interactive.show(_line()) is None
    interactive.show(_line())
    interactive.show(_line(), div_id="chosen")
    ids = [re.search(r'id="([^"]+)"', bundle["text/html"]).group(1) for bundle, _ in shown]
    assert all(raw for _, raw in shown)
    assert ids[0] != ids[1] and ids[1] == ids[0] + "-2" and ids[2] == "chosen"


def test_show_hands_over_to_plotly_outside_ipython(monkeypatch):
    calls = []
    fig = _line()
    monkeypatch.setattr(interactive, "_get_ipython", lambda: None)
    monkeypatch.setattr(fig, "show", lambda *a, **k: calls.append("show"), raising=False)
    interactive.show(fig)
    assert calls == ["show"]


# ------------------------------------------------------------------------------ slice_browser

def test_slice_browser_frames_images_and_geometry():
    hu = _ramp_volume()
    fig = interactive.slice_browser(hu, window=(1000, 300), spacing=(2.5, 0.5, 0.8), step=2)
    assert [f.name for f in fig.frames] == ["0", "2", "4"]
    slider = fig.layout.sliders[0]
    assert [s.label for s in slider.steps] == ["0", "2", "4"]
    assert list(slider.steps[1].args[0]) == ["2"] and slider.steps[1].method == "animate"
    assert slider.active == 1 and fig.data[0].name == "slice 2"  # middle of 6 slices: 3 -> 2
    image = fig.data[0]
    assert (image.x0, image.dx, image.y0, image.dy) == (0.0, 0.8, 0.0, 0.5)
    assert fig.layout.yaxis.autorange == "reversed", "row 0 must be at the top"
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.xaxis.range == (-0.4, 6.5 * 0.8)
    assert "5 mm from the first" in fig.frames[1].layout.title.text


def test_slice_browser_windows_each_slice_into_a_png_with_row_0_on_top():
    hu = _ramp_volume()
    width, level = 1000, 300   # LINEAR_EXACT limits -200 .. 800
    fig = interactive.slice_browser(hu, window=(width, level), spacing=(1, 1, 1), step=1)
    for frame in fig.frames:
        k = int(frame.name)
        expected = np.round(np.clip((hu[k] - (-200)) / 1000, 0, 1) * 255).astype(np.uint8)
        pixels = _decode(frame.data[0].source)
        assert pixels.dtype == np.uint8 and pixels.shape == hu[k].shape
        np.testing.assert_array_equal(pixels, expected)
    top_left, bottom_left = _decode(fig.frames[5].data[0].source)[[0, 4], 0]
    assert (top_left, bottom_left) == (178, 189)   # 500 and 540 HU: row 0 is the PNG's top

def test_slice_browser_nan_shows_black_and_presets_work():
    hu = np.full((2, 4, 4), 40.0)
    hu[0, 0, 0] = np.nan
    fig = interactive.slice_browser(hu, window="brain", spacing=(1, 1, 1), start=0)
    pixels = _decode(fig.data[0].source)
    assert pixels[0, 0] == 0 and pixels[1, 1] == 128    # brain 80/40: 40 HU is mid-gray


def test_slice_browser_takes_a_volume_and_its_spacing():
    hu = _ramp_volume()
    vol = Volume(hu, (3.0, 0.7, 0.6),
                 affine_from_geometry((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (3, 0.7, 0.6)))
    fig = interactive.slice_browser(vol, window=(1000, 300))
    assert (fig.data[0].dx, fig.data[0].dy) == (0.6, 0.7)
    assert len(fig.frames) == 6


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"hu": np.zeros((4, 4)), "spacing": (1, 1)}, ValueError,
     r"3D volume indexed \[z, y, x\], got shape \(4, 4\); for one slice"),
    ({"hu": np.zeros((0, 4, 4)), "spacing": (1, 1, 1)}, ValueError, "hu is empty"),
    ({"hu": np.array([[["a"]]]), "spacing": (1, 1, 1)}, TypeError, "real numeric array"),
    ({"hu": np.zeros((2, 4, 4))}, ValueError, r"spacing is required .* spacing=\(dz, dy, dx\)"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 0, 1)}, ValueError,
     r"spacing must be 3 positive numbers \(dz, dy, dx\)"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "step": 0}, ValueError,
     "step must be a positive integer"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "step": 1.5}, ValueError,
     "step must be a positive integer"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "start": 2}, ValueError,
     r"start must be a slice index in \[0, 1\], got 2"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "window": "lungs"}, ValueError,
     "unknown window preset 'lungs'"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "max_mb": 0}, ValueError,
     "max_mb must be a positive number"),
    ({"hu": np.zeros((2, 4, 4)), "spacing": (1, 1, 1), "height": 10}, ValueError,
     r"height must be an integer number of pixels in \[100, 2000\]"),
])
def test_slice_browser_validates_its_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        interactive.slice_browser(**kwargs)


def test_slice_browser_says_which_step_fits_the_budget():
    rng = np.random.default_rng(0)
    hu = rng.uniform(-1000, 1000, size=(12, 64, 64))   # noise: PNG cannot compress it
    with pytest.raises(ValueError, match=r"12 slices \(step=1\) take .* MB as PNG, over "
                                         r"max_mb=0.02; pass step=\d+ or more"):
        interactive.slice_browser(hu, window=(2000, 0), spacing=(1, 1, 1), step=1, max_mb=0.02)
    fig = interactive.slice_browser(hu, window=(2000, 0), spacing=(1, 1, 1), max_mb=0.02)
    sizes = sum(len(f.data[0].source) for f in fig.frames)
    assert sizes <= 0.02e6 and 1 < len(fig.frames) < 12
    with pytest.raises(ValueError, match="even one slice is too large: raise max_mb"):
        interactive.slice_browser(hu, window=(2000, 0), spacing=(1, 1, 1), step=12,
                                  max_mb=0.001)


def test_slice_browser_of_the_synthetic_series_is_light():
    from course_utils import datasets

    vol = datasets.load("synthetic_ct")
    assert vol.shape == (72, 256, 256)
    fig = interactive.slice_browser(vol, window="lung")
    html = interactive.to_html(fig)
    assert len(html.encode()) < 1.0e6, f"{len(html.encode()) / 1e6:.2f} MB"
    assert len(fig.frames) >= 12, "at least a dozen slices to browse"
    assert interactive.to_html(interactive.slice_browser(vol, window="lung")) == html
