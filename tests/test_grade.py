"""The grader: tampering learners on fixture notebooks, and every real exercise through the CLI.

Fixture notebooks (``tests/grading/*.ipynb``, written by ``tests/grading/make_fixtures.py``)
answer small fixture exercises whose checks live in ``tests/grading/fixture_checks.py``. Each
tampering case is graded next to a right notebook, to show that the others are still graded,
and the learner's files must come out byte for byte and mtime for mtime unchanged. Every
notebook is graded as in CI, twice (the learner's variant and a hidden one); the
``00_variant`` fixtures show that a value typed in or taken from another variant earns nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_utils import grade
from course_utils.checks import exercise_names

ROOT = Path(__file__).resolve().parents[1]
GRADING = Path(__file__).resolve().parent / "grading"
PYTHON = sys.executable


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


FIXTURE = _load("fixture_checks", GRADING / "fixture_checks.py")
MAKE = _load("make_fixtures", GRADING / "make_fixtures.py")
CHECKS = FIXTURE.checks
VARIANT_CHECKS = FIXTURE.variant_checks
TIMEOUT = 10.0  # seconds per cell for the fixtures (the slowest real cell imports matplotlib)


@pytest.fixture(autouse=True)
def _fixture_checks_importable(monkeypatch):
    """The fixture notebooks' kernels import ``fixture_checks`` for their in-notebook feedback."""
    paths = [str(GRADING), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    # In the sandbox the kernel sees none of the grader's environment: the grader binds this
    # folder read-only for it.
    monkeypatch.setenv("COURSE_UTILS_GRADE_EXTRA_PATH", str(GRADING))


def _stat(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def grade_with_good(name: str, timeout: float = TIMEOUT) -> grade.NotebookGrade:
    """Grade fixture ``name`` together with the right notebook; check nothing was touched."""
    paths = [GRADING / f"{name}.ipynb", GRADING / "good.ipynb"]
    before = {path: _stat(path) for path in paths}
    tampered, good = grade.grade_paths(paths, CHECKS, timeout=timeout, jobs=2)
    for path in paths:
        assert _stat(path) == before[path], f"{path.name} was modified by the grader"
    assert good.points == good.max_points == 4.0 and good.full_marks, good
    assert good.error is None
    assert tampered.max_points == 4.0
    assert tampered.points == MAKE.EXPECTED[name], grade.format_table([tampered])
    return tampered


def by_name(notebook: grade.NotebookGrade) -> dict[str, grade.CheckGrade]:
    return {check.name: check for check in notebook.checks}


def test_fixtures_are_what_make_fixtures_writes(tmp_path):
    for name in [*MAKE.NOTEBOOKS, *MAKE.VARIANT_NOTEBOOKS]:
        import nbformat
        text = nbformat.writes(MAKE.notebook(name)) + "\n"
        assert (GRADING / f"{name}.ipynb").read_text(encoding="utf-8") == text, name


# --------------------------------------------------------------------------- honest learners

def test_right_answers_earn_full_marks():
    notebook = grade.grade_notebook(GRADING / "good.ipynb", CHECKS, timeout=TIMEOUT)
    assert notebook.full_marks and notebook.points == 4.0
    assert notebook.error is None and notebook.notes == []
    assert all(check.message == "" for check in notebook.checks)


def test_blank_notebook_scores_zero_on_every_check():
    notebook = grade_with_good("blank")
    checks = by_name(notebook)
    assert not any(check.passed for check in notebook.checks)
    assert "still `...`" in checks["answer_number"].message
    assert "imshow" in checks["gray_image"].message
    # Named as the learner finds the cell, the same in both runs (so without saying which).
    assert "Task 3 (its 1st code cell) raised NotImplementedError" in notebook.notes


def test_wrong_answer_loses_only_its_check():
    checks = by_name(grade_with_good("wrong"))
    assert not checks["answer_number"].passed
    assert checks["answer_number"].message == "`answer` is not six times seven yet."
    assert checks["doubled_values"].passed and checks["gray_image"].points == 2.0


# --------------------------------------------------------------------------- tampering

def test_redefined_and_monkeypatched_checks_do_not_count():
    """The notebook patches Check.verify, replaces a check's function and `checks` itself."""
    checks = by_name(grade_with_good("redefine_checks"))
    assert not checks["answer_number"].passed
    assert checks["answer_number"].message == "`answer` is not six times seven yet."


def test_printed_fake_passed_lines_do_not_count():
    checks = by_name(grade_with_good("fake_print"))
    assert not checks["answer_number"].passed


def test_edited_check_cell_grades_the_variables_not_the_call():
    """`checks.answer_number(42)` in the check cell: the grader reads `answer` (41)."""
    notebook = grade_with_good("edited_check_cell")
    checks = by_name(notebook)
    assert not checks["answer_number"].passed
    assert checks["doubled_values"].passed  # a check cell without its call still counts


def test_deleted_check_cells_fall_back_to_the_end_of_the_notebook():
    """No check cells: only the end of the notebook is read, where `answer` is 0 again."""
    checks = by_name(grade_with_good("deleted_check_cells"))
    assert not checks["answer_number"].passed
    assert checks["doubled_values"].passed and checks["gray_image"].passed


def test_forged_figure_description_is_not_a_figure():
    """A hand-written dict shaped like a described Axes does not pass for a drawn one."""
    checks = by_name(grade_with_good("forged_figure"))
    assert not checks["gray_image"].passed
    assert "got a dict" in checks["gray_image"].message


def test_endless_loop_is_interrupted_and_the_rest_graded():
    started = time.monotonic()
    notebook = grade_with_good("forever_loop")
    assert time.monotonic() - started < 60
    assert notebook.error is None
    assert any("ran over 10 s and was interrupted" in note for note in notebook.notes)


def test_loop_that_ignores_interrupts_gets_its_kernel_killed():
    notebook = grade_with_good("unstoppable_loop")
    checks = by_name(notebook)
    assert checks["answer_number"].passed  # extracted at its check cell, before the loop
    assert "did not stop when interrupted" in notebook.error
    assert checks["gray_image"].message.startswith("not reached:")


def test_sys_exit_is_an_error_in_ipython_and_grading_goes_on():
    """IPython turns SystemExit into an error in the cell; the kernel (and grading) go on."""
    notebook = grade_with_good("sys_exit")
    assert notebook.error is None
    assert any("SystemExit" in note for note in notebook.notes)


def test_exit_stops_the_kernel_and_what_was_extracted_counts():
    notebook = grade_with_good("exit_builtin")
    assert notebook.error == "kernel died at Task 1 (its 3rd code cell) (the cell called exit())"
    assert by_name(notebook)["answer_number"].passed


def test_os_exit_kernel_died_at_its_cell():
    notebook = grade_with_good("os_exit")
    assert notebook.error == "kernel died at Task 1 (its 3rd code cell)"
    checks = by_name(notebook)
    assert checks["answer_number"].passed
    assert (checks["doubled_values"].message
            == "not reached: kernel died at Task 1 (its 3rd code cell)")


def test_kernel_that_kills_itself():
    notebook = grade_with_good("kill_kernel")
    assert notebook.error == "kernel died at Task 1 (its 3rd code cell)"
    assert by_name(notebook)["answer_number"].passed


def test_megabytes_of_output_are_never_received():
    """60 MB printed by the kernel: the grader's memory does not grow by anything like it."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    notebook = grade_with_good("megabytes_output")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert notebook.full_marks
    assert grown_mib < 30, f"the grader grew by {grown_mib:.0f} MiB"
    assert "x" * 1000 not in json.dumps(grade.report([notebook]))


def test_huge_error_reply_is_never_received():
    """A 40 MB error message: the reply is dropped unread, the kernel is idle, grading goes on."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    notebook = grade_with_good("huge_error")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert notebook.full_marks and notebook.error is None
    assert any("too large to read" in note for note in notebook.notes)
    assert grown_mib < 30, f"the grader grew by {grown_mib:.0f} MiB"


@pytest.mark.parametrize("name", ["invalid_json", "not_a_notebook"])
def test_not_a_notebook_scores_zero_and_the_others_are_graded(name):
    notebook = grade_with_good(name)
    assert notebook.error.startswith("not a notebook")
    assert all(check.message.startswith("not graded: not a notebook")
               for check in notebook.checks)


def test_kernel_output_and_learner_files_stay_out_of_the_report():
    data = grade.report(grade.grade_paths([GRADING / "fake_print.ipynb"], CHECKS,
                                          timeout=TIMEOUT))
    assert "TOTAL  4/4" not in json.dumps(data)
    assert data["points"] == 3.0 and data["max_points"] == 4.0 and not data["full_marks"]


# --------------------------------------------------------------------------- variants

def _grade_variant_fixtures(names, **options) -> dict[str, grade.NotebookGrade]:
    """Grade ``00_variant`` fixtures together (their kernels two at a time)."""
    paths = [GRADING / f"{name}.ipynb" for name in names]
    graded = grade.grade_paths(paths, VARIANT_CHECKS, timeout=TIMEOUT, jobs=2, **options)
    return dict(zip(names, graded))


def test_typed_in_value_earns_nothing_and_computed_value_full_marks():
    """Variant 0's value typed in passes on variant 0, fails on the hidden one: 0 points."""
    graded = _grade_variant_fixtures(["variant_typed", "variant_computed"], variant=0,
                                     hidden_variant=5)
    (typed,) = graded["variant_typed"].checks
    assert typed.points == 0 and not typed.passed
    assert typed.message.startswith(grade.HIDDEN_FAILED)
    assert "70" not in typed.message and "105" not in typed.message  # no expected value
    computed = graded["variant_computed"]
    assert computed.full_marks and computed.points == 1 and computed.error is None
    assert computed.notes == [] and computed.checks[0].message == ""
    assert computed.to_dict()["variant"] == 0 and computed.to_dict()["hidden_variant"] == 5


def test_each_learner_variant_has_its_own_expected_values():
    """On variant 3 the expected value is 7 * 13: variant 0's value fails on the learner's run."""
    graded = _grade_variant_fixtures(["variant_typed", "variant_computed"], variant=3,
                                     hidden_variant=0)
    (typed,) = graded["variant_typed"].checks
    assert not typed.passed
    assert typed.message == "`seeded` is not seven times the task's base yet."
    assert graded["variant_computed"].full_marks


def test_cli_variant_from_a_login_hidden_variant_and_json(tmp_path, monkeypatch):
    """``--variant octocat`` reaches the kernel as the number the checks expect."""
    from course_utils.checks._registry import variant_from

    monkeypatch.setitem(grade._CHECKLISTS, "00_variant", VARIANT_CHECKS)
    learner = tmp_path / "00_variant.ipynb"
    learner.write_bytes((GRADING / "variant_computed.ipynb").read_bytes())
    out = tmp_path / "grades.json"
    status = grade.main([str(learner), "--variant", "octocat", "--hidden-variant", "5",
                         "--json", str(out), "--timeout", str(TIMEOUT)])
    data = json.loads(out.read_text(encoding="utf-8"))
    (notebook,) = data["notebooks"]
    assert status == 0 and notebook["full_marks"], notebook
    assert notebook["variant"] == variant_from("octocat") != 0
    assert notebook["hidden_variant"] == 5 and notebook["feedback_only"] is False


def test_no_hidden_runs_once_and_says_feedback_only(tmp_path, monkeypatch, capsys):
    runs = []
    execute = grade._execute_notebook

    def counting(run, *args, **kwargs):
        runs.append(run.variant)
        return execute(run, *args, **kwargs)

    monkeypatch.setattr(grade, "_execute_notebook", counting)
    monkeypatch.setitem(grade._CHECKLISTS, "00_variant", VARIANT_CHECKS)
    monkeypatch.setenv("COURSE_UTILS_VARIANT", "0")
    learner = tmp_path / "00_variant.ipynb"
    learner.write_bytes((GRADING / "variant_typed.ipynb").read_bytes())
    out = tmp_path / "grades.json"
    status = grade.main([str(learner), "--no-hidden", "--json", str(out)])
    assert runs == [0]
    assert status == 0  # typed-in values pass when nothing else is run...
    assert "for feedback only" in capsys.readouterr().out  # ...and the report says what it is
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["feedback_only"] is True and data["notebooks"][0]["hidden_variant"] is None
    with pytest.raises(SystemExit) as raised:
        grade.main([str(learner), "--no-hidden", "--classroom", str(tmp_path / "c.json")])
    assert raised.value.code == 2


def test_notes_say_which_run_only_where_the_runs_differ():
    """A cell that fails on the hidden variant only: its note and the check say so."""
    learner = grade._Run(0, Path("."), notes=["the setup cell before Task 1 raised OSError",
                                              "Task 1 (its 1st code cell) raised ValueError"])
    other = grade._Run(5, Path("."), notes=["the setup cell before Task 1 raised OSError"],
                       stopped="kernel died at Task 2 (its 1st code cell)")
    learner.outcomes = {"answer_number": grade._Outcome(True, 1.0, ""),
                        "doubled_values": grade._Outcome(True, 1.0, ""),
                        "gray_image": grade._Outcome(False, 0.0, "not gray")}
    other.outcomes = {"answer_number": grade._Outcome(False, 0.0, "not six times seven"),
                      "doubled_values": grade._Outcome(False, 0.0, "not reached: kernel died",
                                                       reached=False),
                      "gray_image": grade._Outcome(True, 2.0, "")}
    notebook = grade._combine(Path("x.ipynb"), CHECKS, learner, other)
    assert notebook.notes == [
        "the setup cell before Task 1 raised OSError",
        "on your data: Task 1 (its 1st code cell) raised ValueError"]
    assert notebook.error == ("on the other variant of the data: kernel died at Task 2 "
                              "(its 1st code cell)")
    checks = by_name(notebook)
    assert checks["answer_number"].message == (
        grade.HIDDEN_FAILED + " (on that variant: not six times seven)")
    assert checks["doubled_values"].message.startswith(
        "passes on your data, but the run on another variant of the data did not get to it")
    assert checks["gray_image"].message == "not gray" and notebook.points == 0


def test_learner_variant_from_the_option_then_the_environment(monkeypatch):
    from course_utils.checks._registry import variant_from

    monkeypatch.delenv("COURSE_UTILS_VARIANT", raising=False)
    assert grade.learner_variant() == 0
    monkeypatch.setenv("COURSE_UTILS_VARIANT", "octocat")
    assert grade.learner_variant() == variant_from("octocat")
    assert grade.learner_variant("12") == 12


def test_hidden_variant_is_random_and_never_the_learners(monkeypatch):
    draws = iter([7, 7, 9])
    monkeypatch.setattr(grade.secrets, "randbelow", lambda n: next(draws))
    assert grade.hidden_variant_for(7) == 9
    with pytest.raises(ValueError, match="must differ"):
        grade.grade_notebook(GRADING / "good.ipynb", CHECKS, variant=4, hidden_variant=4)


# --------------------------------------------------------------------------- cell names

def _cell(kind: str, source: str) -> dict[str, str]:
    return {"cell_type": kind, "source": source}


def test_cells_are_named_by_their_task():
    cells = [_cell("markdown", "# Exercise 01"), _cell("code", "import numpy"),
             _cell("code", "import pydicom"),
             _cell("markdown", "Some text.\n\n## Tasks 1 to 3: a label map"),
             _cell("code", "a = 1"), _cell("raw", "x"), _cell("code", "checks.a()"),
             _cell("markdown", "## Task 4: HU"), _cell("markdown", "more text"),
             _cell("code", "b = 2"), _cell("markdown", "## Going further \x1b[31m"),
             _cell("code", "c = 3")]
    assert grade.cell_labels(cells) == {
        2: "the 1st setup cell before Tasks 1 to 3",
        3: "the 2nd setup cell before Tasks 1 to 3",
        5: "Tasks 1 to 3 (its 1st code cell)", 7: "Tasks 1 to 3 (its 2nd code cell)",
        10: "Task 4 (its 1st code cell)",
        12: 'the section "Going further 31m" (its 1st code cell)'}


def test_cells_without_headings_are_counted_among_code_cells_only():
    cells = [_cell("markdown", "# Title"), _cell("code", "a"), _cell("markdown", "text"),
             _cell("code", "b"), _cell("code", "c")]
    assert grade.cell_labels(cells) == {2: "code cell 1 of the notebook",
                                        4: "code cell 2 of the notebook",
                                        5: "code cell 3 of the notebook"}


# --------------------------------------------------------------------------- pieces

def test_preload_imports_every_check_module_first():
    grade.preload()
    for name in exercise_names():
        assert f"course_utils.checks.ex{name}" in sys.modules


def test_identify_exercise_by_name_then_metadata_then_prefix():
    names = exercise_names()
    if not names:
        pytest.skip("no exercise has checks yet")
    name = names[0]
    assert grade.identify_exercise(f"somewhere/{name}.ipynb", {}) == name
    tagged = {"course_utils": {"exercise": name}}
    assert grade.identify_exercise("my_work.ipynb", tagged) == name
    assert grade.identify_exercise(f"{name}-Copy1.ipynb", None) == name
    assert grade.identify_exercise("my_work.ipynb", {"course_utils": "x"}) is None


def test_notebook_paths(tmp_path):
    (tmp_path / "b.ipynb").write_text("{}")
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    assert [p.name for p in grade.notebook_paths([tmp_path])] == ["a.ipynb", "b.ipynb"]
    with pytest.raises(grade.UsageError, match="no such file"):
        grade.notebook_paths([tmp_path / "missing.ipynb"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(grade.UsageError, match="no notebooks"):
        grade.notebook_paths([empty])


def test_unknown_exercise_is_reported(tmp_path):
    path = tmp_path / "homework.ipynb"
    path.write_bytes((GRADING / "good.ipynb").read_bytes())
    notebook = grade.grade_notebook(path)
    assert notebook.error.startswith("cannot tell which exercise")
    assert notebook.max_points == 0 and not notebook.full_marks


def test_table_and_report():
    notebooks = [
        grade.NotebookGrade("a/01_x.ipynb", "01_x", [
            grade.CheckGrade("first", 1.0, 1.0, True),
            grade.CheckGrade("second", 0.0, 2.0, False, "`y` is still `...`.")]),
        grade.NotebookGrade("b.ipynb", "01_x", [], error="not a notebook: invalid JSON"),
    ]
    for notebook in notebooks:
        notebook.variant, notebook.hidden_variant = 7, 123456
    table = grade.format_table(notebooks)
    assert "second" in table and "0/2" in table and "`y` is still `...`." in table
    assert "1/3" in table and "b.ipynb [01_x]" in table and "not a notebook" in table
    total = next(line for line in table.splitlines() if line.startswith("ALL NOTEBOOKS"))
    assert total.split()[:4] == ["ALL", "NOTEBOOKS", "TOTAL", "1/3"]
    assert table.splitlines()[-2].startswith("Run twice, on your data (variant 7) and on "
                                             "another variant of the data")
    assert table.splitlines()[-1].startswith("Isolated: each kernel ran in a bubblewrap")
    assert "123456" not in table  # the hidden variant is in the JSON only
    data = grade.report(notebooks)
    assert data["points"] == 1.0 and data["max_points"] == 3.0 and not data["full_marks"]
    assert data["notebooks"][0]["variant"] == 7 and data["notebooks"][0]["hidden_variant"] == 123456
    assert data["feedback_only"] is False
    assert data["notebooks"][0]["checks"][1] == {
        "name": "second", "points": 0.0, "max_points": 2.0, "passed": False,
        "message": "`y` is still `...`."}
    json.dumps(data)


def test_classroom_result_counts_each_exercise_once():
    right = grade.NotebookGrade("exercises/00_fixture.ipynb", "00_fixture", [
        grade.CheckGrade("answer_number", 1.0, 1.0, True),
        grade.CheckGrade("doubled_values", 0.0, 1.0, False, "`doubled` is still `...`."),
        grade.CheckGrade("gray_image", 2.0, 2.0, True)])
    copy = grade.NotebookGrade("exercises/00_fixture-Copy1.ipynb", "00_fixture", [
        grade.CheckGrade(name, 0.0, points, False, "no") for name, points in
        [("answer_number", 1.0), ("doubled_values", 1.0), ("gray_image", 2.0)]])
    other = _other_exercise()
    result = grade.classroom_result([copy, right], {"00_fixture": CHECKS, "01_other": other})
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == 5  # the course's points, however many copies are handed in
    assert [t["name"] for t in result["tests"]] == [
        "00_fixture: answer_number", "00_fixture: doubled_values", "00_fixture: gray_image",
        "01_other: only"]
    assert [t["score"] for t in result["tests"]] == [1, 0, 2, 0]
    assert [t["status"] for t in result["tests"]] == ["pass", "fail", "pass", "fail"]
    assert result["tests"][1]["message"] == "`doubled` is still `...`."
    assert result["tests"][3]["message"] == "no notebook 01_other.ipynb was graded"
    full = grade.classroom_result([right], {"01_other": other})
    assert full["max_score"] == 1 and full["status"] == "fail"
    # Only the canonical notebook (exactly 00_fixture.ipynb) counts, not the best of copies.
    better_copy = grade.NotebookGrade("exercises/00_fixture-Copy2.ipynb", "00_fixture", [
        grade.CheckGrade(name, points, points, True) for name, points in
        [("answer_number", 1.0), ("doubled_values", 1.0), ("gray_image", 2.0)]])
    result = grade.classroom_result([better_copy, right], {"00_fixture": CHECKS})
    assert [t["score"] for t in result["tests"]] == [1, 0, 2]
    alone = grade.classroom_result([better_copy], {"00_fixture": CHECKS})
    assert [t["score"] for t in alone["tests"]] == [0, 0, 0]


def _other_exercise():
    from course_utils.checks._registry import CheckList
    other = CheckList("01_other")

    @other.add(points=1)
    def only(value):
        """A check of another exercise."""

    return other


def test_cli_usage_errors_exit_2(tmp_path):
    result = subprocess.run([PYTHON, "-m", "course_utils.grade", str(tmp_path / "nope.ipynb")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert "no such file" in result.stderr
    result = subprocess.run([PYTHON, "-m", "course_utils.grade"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    good = str(GRADING / "good.ipynb")
    assert grade.main([good, "--variant", "3", "--hidden-variant", "3"]) == 2
    for options in (["--no-hidden", "--hidden-variant", "4"], ["--hidden-variant", "-1"]):
        with pytest.raises(SystemExit) as raised:
            grade.main([good, *options])
        assert raised.value.code == 2


# --------------------------------------------------------------------------- real exercises

EXERCISES = exercise_names()


def _cli(folder: str, tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict, float]:
    out = tmp_path_factory.mktemp("grade") / "grades.json"
    if not (ROOT / folder).is_dir() or not list((ROOT / folder).glob("*.ipynb")):
        pytest.fail(f"no notebooks in {folder}/")
    started = time.monotonic()
    classroom = out.with_name("classroom.json")
    result = subprocess.run(
        [PYTHON, "-m", "course_utils.grade", f"{folder}/", "--json", str(out), "--jobs", "2",
         "--classroom", str(classroom), "--require-sandbox"],  # as CI and Classroom grade
        capture_output=True, text=True, cwd=ROOT, timeout=900)
    elapsed = time.monotonic() - started
    data = json.loads(out.read_text(encoding="utf-8"))
    data["classroom"] = json.loads(classroom.read_text(encoding="utf-8"))
    return result, data, elapsed


@pytest.fixture(scope="module")
def solutions_cli(tmp_path_factory):
    return _cli("solutions", tmp_path_factory)


@pytest.fixture(scope="module")
def exercises_cli(tmp_path_factory):
    return _cli("exercises", tmp_path_factory)


def _entry(data: dict, folder: str, name: str) -> dict:
    for notebook in data["notebooks"]:
        if Path(notebook["path"]).name == f"{name}.ipynb" and notebook["exercise"] == name:
            return notebook
    pytest.fail(f"{folder}/{name}.ipynb was not graded: is it committed?")


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES)
def test_solution_scores_full_marks(name, solutions_cli):
    result, data, _ = solutions_cli
    notebook = _entry(data, "solutions", name)
    failed = [f"{c['name']}: {c['message']}" for c in notebook["checks"] if not c["passed"]]
    assert notebook["full_marks"], f"{name}: {failed} {notebook['error'] or ''}"
    assert notebook["points"] == notebook["max_points"] > 0
    assert notebook["error"] is None


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES)
def test_blank_exercise_scores_zero_on_every_check(name, exercises_cli):
    result, data, _ = exercises_cli
    notebook = _entry(data, "exercises", name)
    passed = [c["name"] for c in notebook["checks"] if c["passed"]]
    assert passed == [], f"the blank {name} passes {passed}"
    assert notebook["points"] == 0 and notebook["max_points"] > 0
    assert notebook["error"] is None, notebook["error"]


@pytest.mark.slow
def test_cli_on_solutions_exit_0_json_and_under_3_minutes(solutions_cli):
    result, data, elapsed = solutions_cli
    assert result.returncode == (0 if data["full_marks"] else 1), result.stderr
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ALL NOTEBOOKS" in result.stdout
    assert data["points"] == data["max_points"] > 0
    assert {Path(n["path"]).stem for n in data["notebooks"]} >= set(EXERCISES)
    assert elapsed < 180, f"grading the solutions took {elapsed:.0f} s"
    classroom = data["classroom"]
    assert classroom["status"] == "pass" and classroom["max_score"] == data["max_points"]
    assert sum(test["score"] for test in classroom["tests"]) == classroom["max_score"]


@pytest.mark.slow
def test_cli_on_blank_exercises_exit_1(exercises_cli):
    result, data, _ = exercises_cli
    assert result.returncode == 1
    assert data["points"] == 0 and not data["full_marks"]
    assert data["classroom"]["status"] == "fail"
    assert all(test["score"] == 0 for test in data["classroom"]["tests"])
