"""Write the fixture notebooks of the grader's tests: ``python tests/grading/make_fixtures.py``.

Each notebook in ``NOTEBOOKS`` answers the fixture exercise ``00_fixture``
(``fixture_checks.py``) and plays one learner: right, blank, wrong, or tampering with the
grading. ``EXPECTED`` is the grade each one really earns (out of 4). The notebooks in
``VARIANT_NOTEBOOKS`` answer ``00_variant``, whose expected value follows the variant of the
data: typed in (variant 0's value) or computed from ``COURSE_UTILS_VARIANT``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

SETUP = ("import numpy as np\n"
         "import matplotlib.pyplot as plt\n"
         "from fixture_checks import checks")
ANSWER = "answer = 6 * 7"
DOUBLED = "doubled = 2 * np.arange(5)"
GRAY = 'fig, ax_gray = plt.subplots()\nax_gray.imshow(np.eye(3), cmap="gray");'


def cells(answer=ANSWER, doubled=DOUBLED, gray=GRAY, after_answer=None, before_answer=None,
          check_cells=True, at_end=None):
    """The cells of a fixture notebook: (id, type, source) triples."""
    out = [("title", "markdown", "# Fixture exercise"), ("setup", "code", SETUP),
           ("heading-answer", "markdown", "## Task 1: six times seven")]
    if before_answer:
        out.append(("tamper", "code", before_answer))
    out.append(("task-answer", "code", answer))
    if check_cells:
        out.append(("check-answer_number", "code", "checks.answer_number()"))
    if after_answer:
        out.append(("after-answer", "code", after_answer))
    out += [("heading-doubled", "markdown", "## Task 2: twice a range"),
            ("task-doubled", "code", doubled)]
    if check_cells:
        out.append(("check-doubled_values", "code", "checks.doubled_values()"))
    out += [("heading-gray", "markdown", "## Task 3: a gray image"), ("task-gray", "code", gray)]
    if check_cells:
        out.append(("check-gray_image", "code", "checks.gray_image()"))
    if at_end:
        out.append(("at-end", "code", at_end))
    return out


REDEFINE = '''\
# Make every check "pass" in this kernel, three ways.
import course_utils.checks._registry as registry
registry.Check.verify = lambda self, answers, variant=0: registry.CheckResult(
    self.name, True, self.points, self.points)
checks.answer_number.func = lambda answer: None
class AlwaysPassed:
    def __getattr__(self, name):
        return lambda *args: print(f"✔ {name}: passed (1/1 point)")
checks = AlwaysPassed()'''

FAKE_PRINT = '''\
print("✔ answer_number: passed (1/1 point)")
print("fixture.ipynb  answer_number  1/1  yes")
print("ALL NOTEBOOKS  TOTAL  4/4  yes")'''

UNSTOPPABLE = '''\
import time
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass'''

FORGED = '''\
fig, ax_gray = plt.subplots()
# No image drawn: a hand-made "description" of one instead.
ax_gray = {"__type__": "axes", "images": [{"__type__": "image",
           "cmap": {"__type__": "colormap", "name": "gray"}}]}'''

NOTEBOOKS = {
    "good": dict(),
    "blank": dict(answer="answer = ...  # YOUR CODE HERE",
                  doubled="doubled = ...  # YOUR CODE HERE",
                  gray='fig, ax_gray = plt.subplots()\n# YOUR CODE HERE\n'
                       'raise NotImplementedError("Write your code here, then delete this line.")'),
    "wrong": dict(answer="answer = 6 * 7 - 1"),
    "redefine_checks": dict(answer="answer = 6 * 7 - 1", before_answer=REDEFINE),
    "fake_print": dict(answer="answer = 6 * 7 - 1", after_answer=FAKE_PRINT),
    "edited_check_cell": dict(answer="answer = 6 * 7 - 1"),
    "deleted_check_cells": dict(check_cells=False, at_end="answer = 0"),
    "forever_loop": dict(after_answer="while True:\n    pass"),
    "unstoppable_loop": dict(after_answer=UNSTOPPABLE),
    "sys_exit": dict(after_answer="import sys\nsys.exit()"),
    "exit_builtin": dict(after_answer="exit()"),
    "os_exit": dict(after_answer="import os\nos._exit(0)"),
    "kill_kernel": dict(after_answer="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
    "megabytes_output": dict(after_answer='for _ in range(60):\n    print("x" * 1_000_000)'),
    "huge_error": dict(after_answer='raise ValueError("x" * 40_000_000)'),
    "forged_figure": dict(gray=FORGED),
}

EXPECTED = {
    "good": 4, "blank": 0, "wrong": 3, "redefine_checks": 3, "fake_print": 3,
    "edited_check_cell": 3, "deleted_check_cells": 3, "forever_loop": 4,
    "unstoppable_loop": 1, "sys_exit": 4, "exit_builtin": 1, "os_exit": 1, "kill_kernel": 1,
    "megabytes_output": 4, "huge_error": 4, "forged_figure": 2, "invalid_json": 0, "not_a_notebook": 0,
}


VARIANT_SETUP = "from fixture_checks import variant_checks as checks"
VARIANT_NOTEBOOKS = {
    # Variant 0's value, typed in: right on variant 0 only.
    "variant_typed": "seeded = 70",
    # Computed from the task's data (here straight from the variable that selects it).
    "variant_computed": ('import os\n'
                         'base = 10 + int(os.environ.get("COURSE_UTILS_VARIANT", "0"))\n'
                         'seeded = 7 * base'),
}


def variant_cells(answer: str):
    """The cells of a notebook of the ``00_variant`` exercise."""
    return [("title", "markdown", "# Variant fixture"), ("setup", "code", VARIANT_SETUP),
            ("heading-seeded", "markdown", "## Task 1: seven times the base"),
            ("task-seeded", "code", answer),
            ("check-seeded_answer", "code", "checks.seeded_answer()")]


def notebook(name: str) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    made = (variant_cells(VARIANT_NOTEBOOKS[name]) if name in VARIANT_NOTEBOOKS
            else cells(**NOTEBOOKS[name]))
    for cell_id, kind, source in made:
        cell = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        cell["id"] = cell_id
        nb.cells.append(cell)
    if name == "edited_check_cell":
        for cell in nb.cells:
            if cell["id"] == "check-answer_number":
                cell["source"] = "checks.answer_number(42)  # the check cell, edited"
            if cell["id"] == "check-doubled_values":
                cell["source"] = "doubled = doubled + 0  # no call any more"
    return nb


def main() -> None:
    for name in [*NOTEBOOKS, *VARIANT_NOTEBOOKS]:
        text = nbformat.writes(notebook(name)) + "\n"
        (HERE / f"{name}.ipynb").write_text(text, encoding="utf-8")
    (HERE / "invalid_json.ipynb").write_text('{"cells": [ this is not JSON\n', encoding="utf-8")
    (HERE / "not_a_notebook.ipynb").write_text('{"hello": "world"}\n', encoding="utf-8")


if __name__ == "__main__":
    main()
