"""Graded checks for the exercises, one module per exercise: ``exNN_skill``.

In an exercise notebook::

    from course_utils.checks import ex03_windowing as checks
    task = checks.task()          # this notebook's data (variant: COURSE_UTILS_VARIANT)
    ...                           # the learner's code
    checks.preset_limits()        # reads preset_vmin, preset_vmax; prints ✔ or ✘ with a hint

The grader (``python -m course_utils.grade``) runs the same checks outside the learner's
kernel, on plain data extracted from it. The layer, one concern a module:

- ``_registry``: checks, check lists, task data per variant (``COURSE_UTILS_VARIANT``);
- ``_plain``: live objects to plain data, answers files (JSON + npz, no pickle);
- ``_describe``: what a matplotlib figure shows, in data coordinates;
- ``_values``: getters that turn plain answers into what a check needs, or say what is wrong;
- ``_predicates``: figure predicates shared by every exercise (grey, diverging, colorbars,
  scalebars, legends, panel and orientation letters, outlines).

Examples
--------
>>> "03_windowing" in exercise_names() or exercise_names() == [] or True
True
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from ._describe import describe_axes, describe_figure
from ._plain import to_plain, type_of
from ._registry import (VARIANT_ENV, Check, CheckFailed, CheckList, CheckResult, current_variant,
                        variant_from)
from ._values import (first_image, get_array, get_axes, get_figure, get_number, get_path,
                      get_string, is_blank, require)

__all__ = [
    "VARIANT_ENV", "Check", "CheckFailed", "CheckList", "CheckResult", "current_variant",
    "describe_axes", "describe_figure", "exercise_names", "first_image", "for_exercise",
    "get_array", "get_axes", "get_figure", "get_number", "get_path", "get_string", "is_blank",
    "require", "to_plain", "type_of", "variant_from",
]

_STEM = re.compile(r"^(\d\d)_([a-z0-9_]+)$")


def _module_name(stem: str) -> str:
    return f"ex{stem}"


def exercise_names() -> list[str]:
    """Stems of the exercises that have checks, e.g. ``["01_dicom_basics", ...]``, sorted."""
    names = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ex") and _STEM.match(info.name[2:]):
            names.append(info.name[2:])
    return sorted(names)


def for_exercise(stem: str) -> CheckList:
    """The :class:`CheckList` of exercise ``stem`` (``"03_windowing"``).

    Raises
    ------
    KeyError
        if no exercise has that name; the message lists the ones that exist.
    """
    if not isinstance(stem, str) or not _STEM.match(stem) or stem not in exercise_names():
        raise KeyError(f"no exercise called {stem!r}; the exercises are: "
                       f"{', '.join(exercise_names()) or 'none yet'}")
    module = importlib.import_module(f"{__name__}.{_module_name(stem)}")
    checks = getattr(module, "checks", None)
    if not isinstance(checks, CheckList) or checks.exercise != stem:
        raise KeyError(f"{module.__name__} must define `checks = CheckList({stem!r})`")
    return checks
