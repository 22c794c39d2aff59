"""Figure predicates shared by every exercise: what a described figure shows a reader.

They read the plain descriptions of :mod:`course_utils.checks._describe` and answer the
questions the tasks ask, the same way for every exercise: is this colormap grey (and which
way round), is its lightness monotone, is it diverging and centred on zero; where does an
image lie in data coordinates and which value does it show at a point; which colorbar shows
this layer's colours; how long is this scalebar and what does it say; which legend entries,
texts, panel letters and orientation letters does a panel carry; which outlines does it draw.

Colour science: sRGB to CIELAB (D65) for lightness and chroma; colour-vision deficiency
simulated with Machado, Oliveira & Fernandes (2009), severity 1.

Examples
--------
>>> import matplotlib
>>> cmap = lambda name: {"colors": matplotlib.colormaps[name](np.linspace(0, 1, 256))}
>>> grey_direction(cmap("gray")), grey_direction(cmap("Greys")), grey_direction(cmap("bone"))
('black-to-white', 'white-to-black', 'black-to-white')
>>> monotone_lightness(cmap("inferno")), monotone_lightness(cmap("jet"))
(True, False)
>>> diverging(cmap("RdBu_r")), diverging(cmap("viridis"))
(True, False)
>>> color_blind_safe([0.0, 0.447, 0.698], [0.902, 0.624, 0.0])
True
>>> parse_length_mm("50 mm"), parse_length_mm("$5\\\\,\\\\mathrm{cm}$"), parse_length_mm("a")
(50.0, 50.0, None)
"""

from __future__ import annotations

import colorsys
import re
from typing import Any, Iterable, Sequence

import numpy as np

from course_utils.checks._plain import type_of
from course_utils.checks._registry import CheckFailed
from course_utils.checks._values import get_axes, is_blank

__all__ = [
    "FLIPS", "FLIP_NAMES", "all_texts", "color_blind_safe", "flip", "image_array", "outline_box", "colorbars_of", "colorbar_shows", "dash_kind",
    "diverging", "grey_direction", "image_box", "image_value_at", "images_aligned",
    "lab", "legend_entries", "lightness", "monotone_lightness", "mosaic_panels",
    "neutral_at", "orientation_letters", "outlines", "panel_label", "parse_length_mm",
    "pixel_centres", "red_green", "rgb", "same_color", "scalebars", "visible_alpha",
    "on_grid_of",
]


# --------------------------------------------------------------------------- colour science

def rgb(color: Any) -> np.ndarray:
    """The first three channels of a colour (any matplotlib colour) or of an array of colours."""
    if isinstance(color, str):
        from matplotlib.colors import to_rgba
        color = to_rgba(color)
    array = np.asarray(color, dtype=float)
    return array[..., :3] if array.ndim > 1 else array.reshape(-1)[:3]


def lab(colors: Any) -> np.ndarray:
    """sRGB colours (..., 3 or 4) in [0, 1] as CIELAB (D65), shape (..., 3)."""
    c = np.clip(rgb(colors), 0, 1)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def lightness(colors: Any) -> np.ndarray:
    """CIELAB L* (0 black to 100 white) of colours."""
    return lab(colors)[..., 0]


def _colors(cmap: Any) -> np.ndarray:
    """The sampled colours of a described colormap (or an array of colours)."""
    if isinstance(cmap, dict):
        return np.asarray(cmap["colors"], dtype=float)
    return np.asarray(cmap, dtype=float)


def grey_direction(cmap: Any, max_chroma: float = 25.0) -> str:
    """``"black-to-white"``, ``"white-to-black"`` or ``"not grey"`` for a colormap.

    Grey means: low chroma everywhere (bone's blue tint is still grey) and lightness that
    runs monotonically over most of the black-to-white range.
    """
    colors = _colors(cmap)
    values = lab(colors)
    chroma = np.hypot(values[..., 1], values[..., 2])
    light = values[..., 0]
    if chroma.max() > max_chroma or abs(light[-1] - light[0]) < 60:
        return "not grey"
    steps = np.diff(light)
    if np.all(steps >= -0.5):
        return "black-to-white"
    if np.all(steps <= 0.5):
        return "white-to-black"
    return "not grey"


def monotone_lightness(cmap: Any, tolerance: float = 0.5) -> bool:
    """True if lightness only rises (or only falls) along the colormap: no false edges."""
    light = lightness(_colors(cmap))
    steps = np.diff(light)
    return bool(abs(light[-1] - light[0]) > 20 and (np.all(steps >= -tolerance)
                                                    or np.all(steps <= tolerance)))


def diverging(cmap: Any) -> bool:
    """True for a diverging colormap: lightness peaks (or dips) inside at a near-neutral colour,
    and the two ends differ in hue (RdBu, coolwarm, bwr, PuOr, RdYlBu; not jet or turbo)."""
    colors = _colors(cmap)
    light = lightness(colors)
    middle = int(np.argmax(np.abs(light - (light[0] + light[-1]) / 2)))
    if not 0.25 * len(light) < middle < 0.75 * len(light):
        return False
    rising, falling = np.diff(light[:middle + 1]), np.diff(light[middle:])
    peak = light[middle] > max(light[0], light[-1])
    monotone = (np.all(rising >= -0.5) and np.all(falling <= 0.5)) if peak else (
        np.all(rising <= 0.5) and np.all(falling >= -0.5))
    ends = lab(colors[[0, -1]])
    centre = lab(colors[middle])
    neutral_centre = np.hypot(centre[1], centre[2]) < 45   # RdYlBu's pale yellow: ~32
    return bool(monotone and neutral_centre and np.linalg.norm(ends[0, 1:] - ends[1, 1:]) > 40)


def neutral_at(norm: dict[str, Any]) -> float | None:
    """Where a described norm puts 0 on the colormap (0.5 = the centre), None if unknown."""
    return None if norm is None else norm.get("zero_at")


def same_color(a: Any, b: Any, tolerance: float = 0.02) -> bool:
    return bool(np.max(np.abs(rgb(a) - rgb(b))) <= tolerance)


_SIMULATIONS = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}
_MIN_SIMULATED_DISTANCE = 0.4   # red/green ~0.1-0.35, Okabe-Ito blue/orange ~0.8


def _simulate(color: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    linear = np.where(color <= 0.04045, color / 12.92, ((color + 0.055) / 1.055) ** 2.4)
    seen = np.clip(matrix @ linear, 0, 1)
    return np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)


def red_green(a: Any, b: Any) -> bool:
    """True if one colour is a red and the other a green (the pair to avoid)."""
    def kind(color: np.ndarray) -> str:
        hue, _, saturation = colorsys.rgb_to_hls(*color)
        if saturation < 0.25:
            return "grey"
        hue *= 360
        if hue < 35 or hue >= 330:
            return "red"
        if 75 <= hue < 160:
            return "green"
        return "other"
    return {kind(rgb(a)), kind(rgb(b))} == {"red", "green"}


def color_blind_safe(a: Any, b: Any) -> bool:
    """True if two colours stay apart for deuteranopes and protanopes, and are not red/green."""
    a, b = np.clip(rgb(a), 0, 1), np.clip(rgb(b), 0, 1)
    if red_green(a, b):
        return False
    return all(np.linalg.norm(_simulate(a, m) - _simulate(b, m)) >= _MIN_SIMULATED_DISTANCE
               for m in _SIMULATIONS.values())


def dash_kind(style: Any) -> str:
    """``"solid"``, ``"none"`` or ``"dashed"`` (any dash pattern) for a described line style."""
    if style is None or style in ("-", "solid"):
        return "solid"
    if style in ("None", "none", "", " "):
        return "none"
    if isinstance(style, str):
        return "dashed"
    if isinstance(style, (list, tuple)) and len(style) == 2:
        pattern = style[1]
        if pattern is None or len(pattern) == 0:
            return "solid"
        return "dashed" if any(float(gap) > 0 for gap in list(pattern)[1::2]) else "solid"
    return "dashed"


# --------------------------------------------------------------------------- images

def image_array(image: dict[str, Any]) -> np.ma.MaskedArray:
    """The data an image was drawn from, as a float masked array (RGB images: (rows, cols, n))."""
    data = image["array"]
    if type_of(data) == "masked_array":
        return np.ma.MaskedArray(np.asarray(data["data"], dtype=float), mask=data["mask"])
    return np.ma.asarray(np.asarray(data, dtype=float))


FLIPS = ((False, False), (True, False), (False, True), (True, True))
FLIP_NAMES = {(True, False): "upside down", (False, True): "mirrored left to right",
              (True, True): "rotated by 180 degrees"}


def flip(array: np.ndarray, flips: tuple[bool, bool]) -> np.ndarray:
    """``array`` with its rows (``flips[0]``) and/or columns (``flips[1]``) reversed."""
    if flips[0]:
        array = array[::-1]
    if flips[1]:
        array = array[:, ::-1]
    return array


def image_box(image: dict[str, Any]) -> np.ndarray:
    """``[xmin, xmax, ymin, ymax]`` of an image in data coordinates."""
    left, right, bottom, top = image["extent"]
    return np.array([min(left, right), max(left, right), min(bottom, top), max(bottom, top)])


def pixel_centres(image: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Data coordinates of the centres of the image's columns (x) and rows (y)."""
    rows, columns = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    x = left + (np.arange(columns) + 0.5) * (right - left) / columns
    if image.get("origin", "upper") == "upper":
        y = top + (np.arange(rows) + 0.5) * (bottom - top) / rows
    else:
        y = bottom + (np.arange(rows) + 0.5) * (top - bottom) / rows
    return x, y


def image_value_at(image: dict[str, Any], x: float, y: float, key: str = "rgba") -> Any:
    """What the image shows at data point (x, y) (``key``: ``"rgba"`` or ``"array"``), or None."""
    rows, columns = image["shape"][:2]
    left, right, bottom, top = image["extent"]
    column = int(np.floor((x - left) / (right - left) * columns))
    if image.get("origin", "upper") == "upper":
        row = int(np.floor((y - top) / (bottom - top) * rows))
    else:
        row = int(np.floor((y - bottom) / (top - bottom) * rows))
    if not (0 <= row < rows and 0 <= column < columns):
        return None
    source = image[key]
    if type_of(source) == "masked_array":
        source = np.ma.MaskedArray(source["data"], mask=source["mask"])
    return source[row, column]


def images_aligned(a: dict[str, Any], b: dict[str, Any], tolerance: float = 0.5) -> bool:
    """True if two images cover the same data rectangle, within ``tolerance`` of a's pixel."""
    box_a, box_b = image_box(a), image_box(b)
    rows, columns = a["shape"][:2]
    pixel = np.array([(box_a[1] - box_a[0]) / columns] * 2 + [(box_a[3] - box_a[2]) / rows] * 2)
    return bool(np.all(np.abs(box_a - box_b) <= tolerance * pixel + 1e-9))


def visible_alpha(image: dict[str, Any]) -> np.ndarray:
    """The opacity of every pixel as drawn, in [0, 1]."""
    return np.asarray(image["rgba"], dtype=float)[..., 3] / 255


# --------------------------------------------------------------------------- colorbars

def colorbars_of(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every colorbar of the figure an Axes belongs to (and those its layers carry)."""
    found = list((axes.get("figure") or {}).get("colorbars") or [])
    for layer in axes["images"] + axes["collections"]:
        colorbar = layer.get("colorbar")
        if colorbar is not None and not any(_same_colorbar(colorbar, c) for c in found):
            found.append(colorbar)
    return found


def _same_colorbar(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("position") == b.get("position") and a.get("vmin") == b.get("vmin")


def colorbar_shows(colorbar: dict[str, Any], values: np.ndarray, colors: np.ndarray,
                   tolerance: float = 0.06) -> bool:
    """True if the colorbar gives ``values`` the RGB ``colors`` a layer draws for them.

    ``values`` (n,) are data values, ``colors`` (n, 3 or 4) what the layer shows for them.
    Values outside the colorbar's limits are compared with its end colours.
    """
    shown = colorbar.get("shown")
    if shown is None or len(values) == 0:
        return False
    scale_values = np.asarray(shown["values"], dtype=float)
    scale_colors = rgb(np.asarray(shown["colors"], dtype=float))
    wanted = np.clip(np.asarray(values, dtype=float), scale_values[0], scale_values[-1])
    expected = np.stack([np.interp(wanted, scale_values, scale_colors[:, channel])
                         for channel in range(3)], axis=-1)
    difference = np.abs(expected - rgb(np.asarray(colors, dtype=float)))
    return bool(np.percentile(difference.max(axis=-1), 95) <= tolerance)


# --------------------------------------------------------------------------- texts

def all_texts(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every text of a panel with ``position_axes``: its texts, titles, and figure texts
    converted from figure fractions to this panel's axes fractions."""
    texts = [t for t in axes["texts"] if t.get("visible", True) and t["text"].strip()]
    for loc, title in (axes.get("titles") or {}).items():
        if title.strip():
            x = {"left": 0.0, "center": 0.5, "right": 1.0}[loc]
            texts.append({"__type__": "title", "text": title, "position_axes": [x, 1.02],
                          "loc": loc})
    left, bottom, width, height = axes["position"]
    for text in (axes.get("figure") or {}).get("texts") or []:
        fx, fy = text.get("position_figure", [np.nan, np.nan])
        if width > 0 and height > 0 and text["text"].strip():
            texts.append({**text, "position_axes": [(fx - left) / width, (fy - bottom) / height],
                          "coords": "figure"})
    return texts


_LENGTH = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:\\[,;! ]|\\mathrm\{|\\text\{|\{|\s|~)*"
                     r"(mm|cm|µm|\\mu\s*m|\$\\mu\$m|m)\b")


def parse_length_mm(label: Any) -> float | None:
    """The length a scalebar label states, in mm (``"5 cm"`` -> 50.0), or None."""
    if not isinstance(label, str):
        return None
    match = _LENGTH.search(label.replace("$", " "))
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = match.group(2)
    factor = {"mm": 1.0, "cm": 10.0, "m": 1000.0}.get(unit, 0.001)
    return number * factor


def panel_label(axes: dict[str, Any], letter: str) -> bool:
    """True if the panel carries ``letter`` (a, (a), a), A, **a**...) at its top-left corner:
    a text near that corner, a left title, or a figure text nearer to this panel's top-left
    corner than to any other panel's."""
    wanted = letter.strip().lower()
    figure = axes.get("figure") or {}
    corners = [(left, bottom + height) for left, bottom, width, height
               in figure.get("panel_positions") or []]
    left, bottom, width, height = axes["position"]
    own = np.array([left, bottom + height])
    for text in all_texts(axes):
        content = re.sub(r"\\(bf|mathbf|textbf)|[\s()\[\].:$\\{}*]", "", text["text"]).lower()
        if content != wanted:
            continue
        if text.get("__type__") == "title":
            if text.get("loc") == "left":
                return True
            continue
        if text.get("coords") == "figure":
            point = np.asarray(text["position_figure"], dtype=float)
            distances = [np.hypot(*(point - corner)) for corner in corners] or [np.inf]
            nearest = np.hypot(*(point - own)) <= min(distances) + 1e-9
            if nearest and point[0] <= left + 0.25 * width and point[1] >= own[1] - 0.25 * height:
                return True
            continue
        x, y = text["position_axes"]
        if -0.4 < x <= 0.25 and 0.75 <= y < 1.4:
            return True
    return False


_EDGES = {"left": lambda x, y: x <= 0.15 and 0.15 <= y <= 0.85,
          "right": lambda x, y: x >= 0.85 and 0.15 <= y <= 0.85,
          "top": lambda x, y: y >= 0.85 and 0.15 <= x <= 0.85,
          "bottom": lambda x, y: y <= 0.15 and 0.15 <= x <= 0.85}


def orientation_letters(axes: dict[str, Any]) -> dict[str, set[str]]:
    """The single capital letters written at each edge of a panel (inside or just outside),
    e.g. ``{"left": {"R"}, "right": {"L"}, "top": {"A"}, "bottom": {"P"}}``."""
    found: dict[str, set[str]] = {edge: set() for edge in _EDGES}
    for text in axes["texts"] + [t for t in all_texts(axes) if t.get("coords") == "figure"]:
        content = text["text"].strip().strip("$").strip()
        if not (len(content) == 1 and content.isalpha() and content.isupper()):
            continue
        x, y = text.get("position_axes", [np.nan, np.nan])
        if not (-0.3 <= x <= 1.3 and -0.3 <= y <= 1.3):
            continue
        for edge, inside in _EDGES.items():
            if inside(x, y):
                found[edge].add(content)
    return found


# --------------------------------------------------------------------------- legends

def legend_entries(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries of the panel's legend and of every figure legend, visible ones only."""
    legends = [axes.get("legend")] + list((axes.get("figure") or {}).get("legends") or [])
    entries = []
    for legend in legends:
        if legend is not None and legend.get("visible", True):
            entries += [e for e in legend["entries"] if e["label"].strip()
                        and not e["label"].startswith("_")]
    return entries


# --------------------------------------------------------------------------- scalebars

def scalebars(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every scalebar on a panel: ``{"kind", "axis", "length" (data units), "label",
    "label_mm"}``. Recognised: matplotlib-scalebar's ScaleBar, AnchoredSizeBar, and a straight
    horizontal or vertical line in data coordinates (``plot``, ``hlines``/``vlines``, a thin
    ``Rectangle``) with a length label (``"10 mm"``) next to it."""
    found = []
    for artist in axes["artists"]:
        if artist.get("__type__") == "scalebar" and artist.get("visible", True):
            found.append({"kind": artist["kind"], "axis": artist.get("axis", "x"),
                          "length": artist.get("length"), "label": artist.get("label"),
                          "label_mm": parse_length_mm(artist.get("label"))})
    labels = [t for t in axes["texts"] if parse_length_mm(t["text"]) is not None]
    x_span = abs(np.diff(axes["xlim"])[0]) or 1.0
    y_span = abs(np.diff(axes["ylim"])[0]) or 1.0
    for line in axes["lines"] + _patch_bars(axes) + _segments(axes):
        xy = np.asarray(line["xy"], dtype=float).reshape(-1, 2)
        if len(xy) < 2 or not np.all(np.isfinite(xy)):
            continue
        width, height = np.ptp(xy[:, 0]), np.ptp(xy[:, 1])
        if height <= 0.02 * y_span and width > 0:
            axis, length = "x", float(width)
        elif width <= 0.02 * x_span and height > 0:
            axis, length = "y", float(height)
        else:
            continue
        centre = xy.mean(axis=0)
        for text in labels:
            tx, ty = text.get("position_data", [np.nan, np.nan])
            if abs(tx - centre[0]) <= 0.25 * x_span and abs(ty - centre[1]) <= 0.15 * y_span:
                found.append({"kind": "line", "axis": axis, "length": length,
                              "label": text["text"], "label_mm": parse_length_mm(text["text"])})
                break
    return found


def _segments(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """The straight pieces of line collections (``ax.hlines``, ``ax.vlines``,
    ``LineCollection``) in data coordinates, as lines ``{"xy"}``."""
    pieces = []
    for collection in axes["collections"]:
        if collection.get("class") == "LineCollection" and collection.get("visible", True):
            pieces += [{"xy": np.asarray(path, dtype=float)} for path in collection["paths"]
                       if len(path) >= 2]
    return pieces


def _patch_bars(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Filled rectangles in data coordinates, as bars: ``Rectangle`` scalebars drawn by hand."""
    bars = []
    for patch in axes["patches"]:
        if patch["class"] == "Rectangle" and patch.get("coords") == "data" and patch["paths"]:
            points = np.asarray(patch["paths"][0], dtype=float)
            extent = np.ptp(points, axis=0)
            if min(extent) > 0 and max(extent) / min(extent) >= 8:
                axis = 0 if extent[0] >= extent[1] else 1
                centre = points.mean(axis=0)
                ends = np.array([centre, centre])
                ends[0, axis] -= extent[axis] / 2
                ends[1, axis] += extent[axis] / 2
                bars.append({"xy": ends})
    return bars


# --------------------------------------------------------------------------- outlines

def outlines(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every outline a panel draws: ``{"points" (n, 2) data coordinates, "color", "style",
    "source"}`` from line contours (one per level), plotted lines with at least 4 points in
    data coordinates, and unfilled polygons."""
    found = []
    for collection in axes["collections"]:
        if collection["__type__"] != "contour" or collection.get("filled"):
            continue
        colors = collection["edgecolors"] or [[0, 0, 0, 1]]
        styles = collection["linestyles"] or ["-"]
        for index, level in enumerate(collection.get("level_paths", [])):
            points = [np.asarray(p, dtype=float) for p in level if len(p)]
            if points:
                found.append({"points": np.concatenate(points), "pieces": points,
                              "color": colors[min(index, len(colors) - 1)],
                              "style": dash_kind(styles[min(index, len(styles) - 1)]),
                              "source": "contour", "label": collection["label"]})
    for line in axes["lines"]:
        xy = np.asarray(line["xy"], dtype=float).reshape(-1, 2)
        if (line.get("coords") == "data" and len(xy) >= 4 and line.get("visible", True)
                and dash_kind(line["linestyle"]) != "none"):
            finite = xy[np.all(np.isfinite(xy), axis=1)]
            found.append({"points": finite, "pieces": [finite], "color": line["color"],
                          "style": dash_kind(line["linestyle"]), "source": "line",
                          "label": line["label"]})
    for patch in axes["patches"]:
        if patch["class"] in ("Polygon", "PathPatch") and not patch["fill"] and patch["paths"]:
            points = np.concatenate([np.asarray(p, dtype=float) for p in patch["paths"]])
            found.append({"points": points, "pieces": patch["paths"],
                          "color": patch["edgecolor"], "style": dash_kind(patch["linestyle"]),
                          "source": "patch", "label": patch["label"]})
    return found


def outline_box(outline: dict[str, Any]) -> np.ndarray:
    """``[xmin, xmax, ymin, ymax]`` of an outline's points."""
    points = np.asarray(outline["points"], dtype=float)
    return np.array([points[:, 0].min(), points[:, 0].max(),
                     points[:, 1].min(), points[:, 1].max()])


# --------------------------------------------------------------------------- layouts

def mosaic_panels(value: Any, name: str, panels: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The described Axes of a ``plt.subplot_mosaic`` dict, one per expected panel name."""
    if is_blank(value):
        get_axes(value, name)  # raises the "still ..." message
    if type_of(value) in ("axes", "figure") or not isinstance(value, dict):
        raise CheckFailed(f"`{name}` should be the dict of Axes that `plt.subplot_mosaic` "
                          "returns (the second of its two results), keyed by panel name.")
    missing = [panel for panel in panels if panel not in value]
    if missing:
        raise CheckFailed(f"`{name}` has panels {sorted(value)}; the layout should name its "
                          f"panels {', '.join(panels)} (missing: {', '.join(missing)}).")
    return {panel: get_axes(value[panel], f"{name}[{panel!r}]") for panel in panels}


def first_true(items: Iterable[Any]) -> Any:
    return next((item for item in items if item), None)


def on_grid_of(reference: dict[str, Any], image: dict[str, Any], values: Any = None) -> np.ndarray:
    """``values`` of ``image`` (default: its effective colours ``rgba``), rows and columns
    reordered so that element ``[i, j]`` lies where pixel ``[i, j]`` of ``reference`` lies in
    data coordinates.

    The two images must cover the same rectangle (:func:`images_aligned`) on grids of the same
    shape; they may differ by ``origin`` or by a reversed extent, which flip one image in data
    space: ``origin="lower"`` with the bottom and top of the extent swapped draws exactly where
    ``origin="upper"`` does.
    """
    x_ref, y_ref = pixel_centres(reference)
    x_img, y_img = pixel_centres(image)
    out = np.asarray(image["rgba"] if values is None else values)
    if len(y_ref) > 1 and (y_ref[-1] - y_ref[0]) * (y_img[-1] - y_img[0]) < 0:
        out = out[::-1]
    if len(x_ref) > 1 and (x_ref[-1] - x_ref[0]) * (x_img[-1] - x_img[0]) < 0:
        out = out[:, ::-1]
    return out
