"""The checks of two small fixture exercises for the grader's tests.

``00_fixture``: its notebooks (``tests/grading/*.ipynb``, written by ``make_fixtures.py``)
compute ``answer`` (6 * 7), ``doubled`` (2 * arange(5)) and draw ``ax_gray`` (an image in the
gray colormap): 4 points in all, the same on every variant.

``00_variant`` (``variant_checks``): one check whose expected value follows the variant of the
task data, ``seeded == 7 * (10 + variant)``, as real exercises' values follow their data.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks._registry import CheckFailed, CheckList
from course_utils.checks._values import first_image, get_array, get_axes, get_number

checks = CheckList("00_fixture")


@checks.add(points=1)
def answer_number(answer):
    """``answer`` is six times seven."""
    if get_number(answer, "answer") != 42:
        raise CheckFailed("`answer` is not six times seven yet.")


@checks.add(points=1)
def doubled_values(doubled):
    """``doubled`` is ``2 * np.arange(5)``."""
    values = get_array(doubled, "doubled", ndim=1)
    if values.shape != (5,) or not np.array_equal(values, 2 * np.arange(5)):
        raise CheckFailed("`doubled` does not hold twice 0, 1, 2, 3, 4.")


@checks.add(points=2)
def gray_image(ax_gray):
    """``ax_gray`` shows an image in the gray colormap."""
    image = first_image(get_axes(ax_gray, "ax_gray"), "ax_gray")
    if image["cmap"]["name"] != "gray":
        raise CheckFailed("The image on `ax_gray` is not in the gray colormap.")


variant_checks = CheckList("00_variant")


@variant_checks.task_data
def variant_task(variant: int) -> dict[str, int]:
    """The task data of a variant: the number to multiply by seven."""
    return {"base": 10 + variant}


@variant_checks.add(points=1)
def seeded_answer(seeded, task):
    """``seeded`` is seven times the task's base."""
    if get_number(seeded, "seeded") != 7 * task["base"]:
        raise CheckFailed("`seeded` is not seven times the task's base yet.")
