"""course_utils: helpers for the course *Medical Image Visualization with Python*.

One module per concern, layered like a radiology figure: base image (``display``),
overlay (``overlay``), annotation (``annotate``), arranged by ``layout``; data comes from
``phantom``, ``dicom``, ``nifti`` and ``datasets``; ``windowing``, ``volume``,
``segment``, ``metrics`` and ``mesh`` do the maths.

Submodules load on first use (``course_utils.windowing``), so importing the package is
quick and changes nothing (no rcParams, no backend).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "annotate",
    "checks",
    "datasets",
    "dicom",
    "display",
    "exercises",
    "grade",
    "interactive",
    "layout",
    "mesh",
    "metrics",
    "nifti",
    "overlay",
    "phantom",
    "segment",
    "volume",
    "windowing",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}; "
                         f"its submodules are: {', '.join(__all__)}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
