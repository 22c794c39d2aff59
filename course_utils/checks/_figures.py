"""Helpers shared by the figure checks: outlines, colour-blind safety, subplot mosaics.

They read the plain descriptions made by :func:`course_utils.checks._core.describe_axes`.

Examples
--------
>>> color_blind_safe(np.array([0.0, 0.447, 0.698]), np.array([0.902, 0.624, 0.0]))
True
>>> red_green(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.8, 0.0]))
True
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from course_utils.checks._core import CheckFailed, get_axes, is_blank, type_of

__all__ = ["color_blind_safe", "mosaic_panels", "outline_box", "outlines", "red_green", "rgb"]

# Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB.
_SIMULATIONS = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}
_MIN_SIMULATED_DISTANCE = 0.4   # red/green ~0.1-0.35, Okabe-Ito blue/orange ~0.8


def outlines(axes: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in axes["collections"]
            if c["__type__"] == "contour" and not c.get("filled") and c["n_paths"] > 0
            and any(np.size(v) for v in c.get("vertices", []))]


def outline_box(contour: dict[str, Any]) -> np.ndarray:
    points = np.concatenate([np.asarray(v, dtype=float).reshape(-1, 2)
                             for v in contour["vertices"] if np.size(v)])
    return np.array([points[:, 0].min(), points[:, 0].max(),
                     points[:, 1].min(), points[:, 1].max()])


def rgb(color: Any) -> np.ndarray:
    return np.asarray(color, dtype=float).reshape(-1)[:3]


def _simulate(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(matrix @ linear, 0, 1)
    return np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)


def _hue(rgb: np.ndarray) -> tuple[float, float]:
    import colorsys
    h, _, s = colorsys.rgb_to_hls(*rgb)
    return h * 360, s


def red_green(a: np.ndarray, b: np.ndarray) -> bool:
    def kind(rgb: np.ndarray) -> str:
        hue, saturation = _hue(rgb)
        if saturation < 0.25:
            return "grey"
        if hue < 35 or hue >= 330:
            return "red"
        if 75 <= hue < 160:
            return "green"
        return "other"
    return {kind(a), kind(b)} == {"red", "green"}


def color_blind_safe(a: np.ndarray, b: np.ndarray) -> bool:
    if red_green(a, b):
        return False
    return all(np.linalg.norm(_simulate(a, m) - _simulate(b, m)) >= _MIN_SIMULATED_DISTANCE
               for m in _SIMULATIONS.values())


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
