"""The exercise generator: each transformation, each error, and the committed exercises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import exercises
from course_utils.checks import CheckFailed, CheckList, get_number
from course_utils.exercises import STUB_COMMENT, STUB_RAISE, ExerciseError, strip_solution

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

CHECKS = CheckList("00_fixture")


@CHECKS.add(points=1)
def answer_number(answer):
    """The answer is 42."""
    if get_number(answer, "answer") != 42:
        raise CheckFailed("no")


@CHECKS.add(points=2)
def two_values(low, high):
    """Two numbers."""
    get_number(low, "low"), get_number(high, "high")


# --------------------------------------------------------------------------- one line

def test_solution_line_becomes_ellipsis():
    assert strip_solution("vmin = level - width / 2  # SOLUTION") == \
        f"vmin = ...  {STUB_COMMENT}"


def test_solution_line_keeps_indentation_annotation_and_tuple_targets():
    source = ("if True:\n"
              "    vmin = -1350.0 # SOLUTION\n"
              "ratio: float = 0.5  #SOLUTION\n"
              "low, high = -1350, 150  # SOLUTION\n"
              "a = b = 3  # SOLUTION")
    assert strip_solution(source).split("\n") == [
        "if True:",
        f"    vmin = ...  {STUB_COMMENT}",
        f"ratio: float = ...  {STUB_COMMENT}",
        f"low, high = ..., ...  {STUB_COMMENT}",
        f"a = b = ...  {STUB_COMMENT}",
    ]


def test_unmarked_code_is_untouched():
    source = "import numpy as np\n\nx = np.arange(3)  # not a marker\n"
    assert strip_solution(source) == source


@pytest.mark.parametrize("line", [
    "print(answer)  # SOLUTION",
    "answer += 1  # SOLUTION",
    "answer = f(  # SOLUTION",
    "    return 2 * x  # SOLUTION",
    "first, *rest = values  # SOLUTION",
])
def test_solution_marker_on_a_line_that_is_not_an_assignment(line):
    with pytest.raises(ExerciseError, match=r"line 1: `# SOLUTION` marks a line that is not"):
        strip_solution(line, "cell 3")


# --------------------------------------------------------------------------- blocks

def test_block_becomes_stub_at_its_indentation():
    source = ("def to_hu(stored, slope, intercept):\n"
              '    """Stored values to HU."""\n'
              "    # BEGIN SOLUTION\n"
              "    hu = stored.astype(float) * slope\n"
              "    return hu + intercept\n"
              "    # END SOLUTION\n"
              "\n"
              "hu_slice = to_hu(stored, 1, -1024)")
    assert strip_solution(source).split("\n") == [
        "def to_hu(stored, slope, intercept):",
        '    """Stored values to HU."""',
        f"    {STUB_COMMENT}",
        f"    {STUB_RAISE}",
        "",
        "hu_slice = to_hu(stored, 1, -1024)",
    ]


def test_top_level_blocks_and_lines_together():
    source = ("fig, ax = plt.subplots()\n"
              "# BEGIN SOLUTION\n"
              "ax.imshow(img, cmap='gray')\n"
              "# END SOLUTION\n"
              "n = 3  # SOLUTION\n"
              "# BEGIN SOLUTION\n"
              "ax.set_title('x')\n"
              "# END SOLUTION")
    assert strip_solution(source).split("\n") == [
        "fig, ax = plt.subplots()", STUB_COMMENT, STUB_RAISE, f"n = ...  {STUB_COMMENT}",
        STUB_COMMENT, STUB_RAISE]


def test_stub_raises_not_implemented_when_run():
    namespace: dict = {}
    with pytest.raises(NotImplementedError):
        exec(strip_solution("# BEGIN SOLUTION\nx = 1\n# END SOLUTION"), namespace)


@pytest.mark.parametrize("source, message", [
    ("# BEGIN SOLUTION\nx = 1", r"line 1: `# BEGIN SOLUTION` is never closed"),
    ("x = 1\n# END SOLUTION", r"line 2: `# END SOLUTION` without a `# BEGIN SOLUTION`"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION",
     r"line 2: `# BEGIN SOLUTION` inside the block opened at line 1"),
])
def test_unbalanced_markers(source, message):
    with pytest.raises(ExerciseError, match=message):
        strip_solution(source, "cell 2")


@pytest.mark.parametrize("line", [
    "# BEGIN  SOLUTION", "# begin solution", "x = 1  # solution here", "# End Solution",
])
def test_misspelt_markers_left_in_the_exercise_are_errors(line):
    with pytest.raises(ExerciseError, match="a solution marker is left in the exercise"):
        strip_solution(f"y = 2\n{line}\nz = 3")


# --------------------------------------------------------------------------- notebooks

def solution_notebook(**changes):
    """A small solution notebook for CHECKS; ``changes`` maps cell ids to new sources."""
    cells = [
        ("title", "markdown", "# Exercise 00: Fixture\n\n`# SOLUTION` in markdown stays."),
        ("setup", "code", "import numpy as np\n%matplotlib inline"),
        ("task-answer", "code", "answer = 6 * 7  # SOLUTION"),
        ("check-answer_number", "code", "checks.answer_number()"),
        ("task-values", "code", "# BEGIN SOLUTION\nlow, high = -1350, 150\n# END SOLUTION"),
        ("check-two_values", "code", "checks.two_values()"),
    ]
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    for cell_id, kind, source in cells:
        if cell_id in changes and changes[cell_id] is None:
            continue
        source = changes.get(cell_id, source)
        cell = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        cell["id"] = cell_id
        if kind == "code":
            cell["execution_count"] = 7
            cell["outputs"] = [new_output("stream", name="stdout", text="✔ passed\n")]
            cell["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
        nb.cells.append(cell)
    return nb


def test_exercise_has_stubs_no_outputs_and_the_same_ids():
    solution = solution_notebook()
    exercise = exercises.make_exercise(solution, CHECKS, "solution")
    assert [c["id"] for c in exercise.cells] == [c["id"] for c in solution.cells]
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all("execution" not in c.metadata for c in code)
    assert exercise.cells[2].source == f"answer = ...  {STUB_COMMENT}"
    assert exercise.cells[4].source == f"{STUB_COMMENT}\n{STUB_RAISE}"
    assert exercise.cells[0].source == solution.cells[0].source
    assert exercise.cells[3].source == "checks.answer_number()"
    assert exercise.metadata["course_utils"] == {"exercise": "00_fixture"}
    assert exercise.metadata["kernelspec"]["name"] == "python3"
    assert solution.cells[2].outputs and solution.cells[2].source.endswith("# SOLUTION")


def test_same_solution_same_bytes(tmp_path):
    path = tmp_path / "00_fixture.ipynb"
    nbformat.write(solution_notebook(), path)
    first = exercises.exercise_bytes(path, CHECKS)
    assert first == exercises.exercise_bytes(path, CHECKS)
    assert first.endswith(b"\n") and b'"outputs": []' in first
    assert nbformat.reads(first.decode(), as_version=4).cells[1].source.startswith("import")


def test_a_solution_without_markers_is_refused():
    nb = solution_notebook(**{"task-answer": "answer = 42",
                              "task-values": "low, high = -1350, 150"})
    with pytest.raises(ExerciseError, match="no solution markers"):
        exercises.make_exercise(nb, CHECKS, "sol.ipynb")


def test_marker_errors_name_the_notebook_and_cell():
    nb = solution_notebook(**{"task-values": "# BEGIN SOLUTION\nlow, high = 1, 2"})
    with pytest.raises(ExerciseError) as caught:
        exercises.make_exercise(nb, CHECKS, "sol.ipynb")
    assert caught.value.problems == [
        "sol.ipynb: cell 5 (id 'task-values'), line 1: `# BEGIN SOLUTION` is never closed by "
        "`# END SOLUTION` in the same cell."]


def test_stub_that_no_longer_parses_is_refused():
    nb = solution_notebook(**{"task-values": "if True:\n# BEGIN SOLUTION\n    low = 1\n"
                                             "# END SOLUTION\nhigh = 2"})
    with pytest.raises(ExerciseError, match="not valid Python once stubbed"):
        exercises.make_exercise(nb, CHECKS, "sol.ipynb")


@pytest.mark.parametrize("changes, message", [
    ({"check-two_values": None}, r"check 'two_values' has no check cell; add a code cell "
                                 r"holding only `checks.two_values\(\)`"),
    ({"setup": "import numpy as np\nchecks.answer_number()"},
     "check 'answer_number' is called in cells 2, 4"),
    ({"check-two_values": "checks.two_values(high, low)"},
     r"should be exactly `checks.two_values\(\)` \(a check reads its variables, low, high"),
    ({"check-two_values": "checks.two_values(high=high)"},
     r"should be exactly `checks.two_values\(\)`"),
    ({"check-answer_number": "print(1)\nchecks.answer_number()"},
     "calls `checks.answer_number` among other code"),
    ({"check-answer_number": "checks.not_a_check()"}, "which is not a check of 00_fixture"),
])
def test_check_cells_must_match_the_checklist(changes, message):
    with pytest.raises(ExerciseError, match=message):
        exercises.make_exercise(solution_notebook(**changes), CHECKS, "sol.ipynb")


def test_the_exercise_modules_helpers_may_be_called_outside_check_cells():
    """``task = checks.task()`` in the setup cell is the task data, not a check."""
    nb = solution_notebook(setup="import numpy as np\ntask = checks.task()\n"
                                 "checks.write_series(task, 'folder')")
    exercises.make_exercise(nb, CHECKS, "sol.ipynb")


def test_check_cell_ids_are_required_and_stale_ones_refused():
    nb = solution_notebook()
    nb.cells[3]["id"] = "a1b2c3"
    nb.cells[1]["id"] = "check-old_name"
    with pytest.raises(ExerciseError) as caught:
        exercises.make_exercise(nb, CHECKS, "sol.ipynb")
    text = str(caught.value)
    assert "its id is not 'check-answer_number'; run `python -m course_utils.exercises " \
           "--fix-ids`" in text
    assert "has a check id but 00_fixture has no check 'old_name'" in text


def test_fix_ids_sets_check_cell_ids(tmp_path):
    nb = solution_notebook()
    nb.cells[3]["id"] = "a1b2c3"
    nb.cells[1]["id"] = "check-answer_number"   # taken by the wrong cell
    path = tmp_path / "00_fixture.ipynb"
    nbformat.write(nb, path)
    changes = exercises.fix_check_ids(path, CHECKS)
    assert changes
    fixed = nbformat.read(path, as_version=4)
    assert fixed.cells[3]["id"] == "check-answer_number"
    assert fixed.cells[1]["id"] != "check-answer_number"
    assert len({c["id"] for c in fixed.cells}) == len(fixed.cells)
    assert fixed.cells[3].outputs == nb.cells[3].outputs   # outputs are kept
    exercises.exercise_bytes(path, CHECKS)                  # now valid
    mtime = path.stat().st_mtime_ns
    assert exercises.fix_check_ids(path, CHECKS) == []       # nothing left to fix
    assert path.stat().st_mtime_ns == mtime


# --------------------------------------------------------------------------- command line

@pytest.fixture
def fixture_course(tmp_path, monkeypatch):
    """A course folder with one solution of the fixture exercise; the CLI finds its checks."""
    (tmp_path / "solutions").mkdir()
    nbformat.write(solution_notebook(), tmp_path / "solutions" / "00_fixture.ipynb")
    monkeypatch.chdir(tmp_path)
    from course_utils import checks
    real = checks.for_exercise
    monkeypatch.setattr(checks, "for_exercise",
                        lambda stem: CHECKS if stem == "00_fixture" else real(stem))
    return tmp_path


def test_cli_generates_then_check_passes(fixture_course, capsys):
    assert exercises.main(["--check"]) == 1
    assert "exercises/00_fixture.ipynb: missing" in capsys.readouterr().err
    assert exercises.main([]) == 0
    written = fixture_course / "exercises" / "00_fixture.ipynb"
    assert written.read_bytes() == exercises.exercise_bytes(
        fixture_course / "solutions" / "00_fixture.ipynb", CHECKS)
    mtime = written.stat().st_mtime_ns
    assert exercises.main([]) == 0
    assert written.stat().st_mtime_ns == mtime        # unchanged files are not rewritten
    assert exercises.main(["--check"]) == 0


def test_cli_check_lists_stale_and_orphan_exercises(fixture_course, capsys):
    exercises.main([])
    written = fixture_course / "exercises" / "00_fixture.ipynb"
    written.write_bytes(written.read_bytes().replace(b"YOUR CODE HERE", b"MY CODE HERE"))
    (fixture_course / "exercises" / "99_orphan.ipynb").write_text("{}")
    before = written.read_bytes()
    capsys.readouterr()
    assert exercises.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "exercises/00_fixture.ipynb: differs from what solutions/00_fixture.ipynb generates" \
        in err
    assert "exercises/99_orphan.ipynb: has no solution notebook" in err
    assert written.read_bytes() == before              # --check writes nothing


def test_cli_reports_problems_and_usage_errors(fixture_course, capsys):
    bad = fixture_course / "solutions" / "00_fixture.ipynb"
    nbformat.write(solution_notebook(**{"check-two_values": None}), bad)
    assert exercises.main([str(bad), "--out", "out"]) == 1
    assert "error: " in capsys.readouterr().err
    assert not (fixture_course / "out").exists()
    assert exercises.main(["solutions/missing.ipynb"]) == 2
    (fixture_course / "solutions" / "42_unknown.ipynb").write_text("not json")
    assert exercises.main(["solutions/42_unknown.ipynb"]) == 1
    assert "no checks for exercise '42_unknown'" in capsys.readouterr().err


def test_cli_fix_ids(fixture_course):
    path = fixture_course / "solutions" / "00_fixture.ipynb"
    nb = solution_notebook()
    nb.cells[5]["id"] = "zz"
    nbformat.write(nb, path)
    assert exercises.main([]) == 1
    assert exercises.main(["--fix-ids"]) == 0
    assert nbformat.read(path, as_version=4).cells[5]["id"] == "check-two_values"


# --------------------------------------------------------------------------- the course

@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_committed_exercise_is_what_the_generator_makes(solution):
    exercise = ROOT / "exercises" / solution.name
    assert exercise.is_file(), f"exercises/{solution.name} is missing: run " \
                               "`python -m course_utils.exercises`"
    assert exercise.read_bytes() == exercises.exercise_bytes(solution), (
        f"exercises/{solution.name} differs from what solutions/{solution.name} generates: "
        "run `python -m course_utils.exercises`")


def test_cli_check_on_the_course():
    result = subprocess.run([sys.executable, "-m", "course_utils.exercises", "--check"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("stem", __import__("course_utils.checks", fromlist=["x"]).exercise_names())
def test_every_exercise_has_four_checks_each_tested_on_a_wrong_answer(stem):
    """Each check is exercised by its own test file, on a failing answer too (a `not ...passed`)."""
    from course_utils.checks import for_exercise

    checks = for_exercise(stem)
    assert len(checks) >= 4, f"{stem} has {len(checks)} checks; the course asks for four or more"
    test_file = ROOT / "tests" / f"test_checks_ex{stem}.py"
    assert test_file.exists(), f"{stem}: no {test_file.name}"
    text = test_file.read_text()
    untested = [name for name in checks.names if text.count(name) < 2]
    assert not untested, f"{test_file.name} barely mentions the checks {untested}"
    asserts_a_failure = "assert_fails(" in text or ("not " in text and ".passed" in text)
    assert asserts_a_failure, f"{test_file.name} never asserts that a check fails on a wrong answer"
