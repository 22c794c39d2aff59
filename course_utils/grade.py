"""Grade exercise notebooks: ``python -m course_utils.grade PATH... [--json FILE]``.

For each notebook (a file, or every ``*.ipynb`` in a folder) the grader:

1. reads the learner's file once (its bytes are never written back) and identifies the exercise
   from the file name (``NN_skill.ipynb``) or the notebook metadata;
2. takes the exercise's pristine :class:`~course_utils.checks.CheckList`; every check module
   and every ``course_utils`` module is imported in the grader *before* any learner code runs;
3. copies the notebook into a fresh temporary folder and runs its code cells there in a fresh
   IPython kernel, with a per-cell timeout, discarding everything the kernel prints;
4. after each check cell (found by its id ``check-<name>``, whatever it holds now) and once
   more at the end, asks the kernel to save the variables the checks read as plain data
   (:func:`course_utils.checks._core.extract_to_file`);
5. loads that data in its own process (no pickle) and runs the pristine checks on it. A check
   passes if any of its extractions passes.

A notebook that loops forever is interrupted (and its kernel killed if it does not stop); a
kernel that dies is reported with the cell where it died; the answers extracted before count.
A file that is not a notebook scores 0 and the other notebooks are graded anyway.

Command line::

    python -m course_utils.grade exercises/03_windowing.ipynb
    python -m course_utils.grade exercises/ --json grades.json --timeout 60 --jobs 2
    python -m course_utils.grade exercises/ --classroom result.json   # GitHub Classroom

Exit status: 0 when every notebook has full marks, 1 otherwise, 2 for a usage error.

Examples
--------
>>> grade = NotebookGrade("x.ipynb", "00_example", [CheckGrade("a", 1.0, 1.0, True, "")])
>>> grade.points, grade.max_points, grade.full_marks
(1.0, 1.0, True)
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

__all__ = [
    "CheckGrade", "NotebookGrade", "classroom_result", "format_table", "grade_notebook", "grade_paths",
    "identify_exercise", "main", "notebook_paths", "preload", "report",
]

DEFAULT_TIMEOUT = 60.0          # seconds per cell
STARTUP_TIMEOUT = 60.0          # seconds for a kernel to answer
INTERRUPT_GRACE = 5.0           # seconds a cell gets to stop after an interrupt
MAX_REPLY_BYTES = 16 * 2**20    # larger replies from the kernel are never received
MAX_NOTEBOOK_BYTES = 256 * 2**20

_VERIFY_LOCK = threading.Lock()
_START_LOCK = threading.Lock()
_PRELOADED = False
_CHECKLISTS: dict[str, Any] = {}   # the pristine check lists, loaded before any learner code


class UsageError(Exception):
    """A command-line mistake (no such path...): exit status 2."""


# --------------------------------------------------------------------------- results

@dataclasses.dataclass
class CheckGrade:
    """The grade of one check in one notebook."""

    name: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclasses.dataclass
class NotebookGrade:
    """The grade of one notebook: its checks, and what went wrong while running it."""

    path: str
    exercise: str | None
    checks: list[CheckGrade] = dataclasses.field(default_factory=list)
    error: str | None = None            # why the notebook could not be (fully) graded
    notes: list[str] = dataclasses.field(default_factory=list)   # timeouts, errors...

    @property
    def points(self) -> float:
        return float(sum(check.points for check in self.checks))

    @property
    def max_points(self) -> float:
        return float(sum(check.max_points for check in self.checks))

    @property
    def full_marks(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "exercise": self.exercise, "points": self.points,
                "max_points": self.max_points, "full_marks": self.full_marks,
                "error": self.error, "notes": list(self.notes),
                "checks": [dataclasses.asdict(check) for check in self.checks]}


# --------------------------------------------------------------------------- preparation

def preload() -> dict[str, Any]:
    """Import every course_utils module and every check module; return the checks by exercise.

    Call it before any learner code runs (``grade_paths`` and the command line do): learner
    code runs as the same user, and whatever it might write into the package's files later is
    never imported by the grader, which only uses the check lists loaded here.
    """
    global _PRELOADED
    import course_utils
    from course_utils import checks

    if not _PRELOADED:
        for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
            if info.name.endswith("__main__"):
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # a broken optional module must not stop the grading
                pass
        _PRELOADED = True
    for name in checks.exercise_names():
        if name not in _CHECKLISTS:
            try:
                _CHECKLISTS[name] = checks.for_exercise(name)
            except Exception:  # reported as "cannot tell which exercise" when graded
                pass
    return dict(_CHECKLISTS)


def notebook_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The notebooks to grade: files as given, folders as their ``*.ipynb`` files (sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb") if p.is_file())
            if not inside:
                raise UsageError(f"{path}: no notebooks (*.ipynb) in this folder")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


def identify_exercise(path: str | os.PathLike[str], metadata: Any) -> str | None:
    """The exercise a notebook answers: its file stem, else its metadata, else a stem prefix.

    Only exercises whose checks were loaded by :func:`preload` count.
    """
    names = list(_CHECKLISTS) if _PRELOADED else list(preload())
    stem = Path(path).stem
    if stem in names:
        return stem
    if isinstance(metadata, dict):
        tagged = metadata.get("course_utils")
        if isinstance(tagged, dict) and tagged.get("exercise") in names:
            return str(tagged["exercise"])
    for name in sorted(names, key=len, reverse=True):  # 03_windowing-Copy1.ipynb
        if stem.startswith(name):
            return name
    return None


def _parse_notebook(data: bytes) -> tuple[Any, str | None]:
    """A notebook from bytes, or (None, why not)."""
    import nbformat

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not UTF-8 text"
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        return None, f"not a notebook: invalid JSON ({str(error)[:200]})"
    if not isinstance(document, dict) or not ("cells" in document or "worksheets" in document):
        return None, "not a notebook: the JSON has no cells"
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError("'cells' is not a list")
        for cell in cells:
            if cell["cell_type"] not in ("code", "markdown", "raw"):
                raise ValueError(f"unknown cell type {cell['cell_type']!r}")
            if not isinstance(cell["source"], str):
                raise TypeError("a cell's source is not text")
    except Exception as error:
        return None, f"not a notebook: {type(error).__name__}: {str(error)[:200]}"
    return nb, None


# --------------------------------------------------------------------------- the kernel

class _Kernel:
    """A fresh IPython kernel whose output is never received (no IOPub subscription)."""

    def __init__(self, cwd: Path, startup_timeout: float = STARTUP_TIMEOUT):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        class _SpecManager(KernelSpecManager):
            # Always this interpreter's ipykernel, whatever kernel the notebook names.
            def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
                return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher",
                                        "-f", "{connection_file}"],
                                  display_name="Python 3", language="python")

        env = dict(os.environ)
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        env.pop("MPLBACKEND", None)  # the inline backend, as in Jupyter (figures close per cell)
        self.manager = KernelManager(kernel_name="python3", kernel_spec_manager=_SpecManager())
        with _START_LOCK:
            self.manager.start_kernel(cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._connect()
        self._pending = ""
        deadline = time.monotonic() + startup_timeout
        while not self.responsive(1.0):
            if not self.alive():
                self.kill()
                raise RuntimeError("the kernel died while starting")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the kernel did not start")

    def _connect(self) -> None:
        import zmq

        self.context = zmq.Context()
        # Replies larger than MAX_REPLY_BYTES (a huge error message...) are dropped unread
        # (ZMQ then drops the connection: see interrupt); no send waits forever.
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        self.context.setsockopt(zmq.SNDTIMEO, 5000)
        self.context.setsockopt(zmq.LINGER, 0)
        self.client = self.manager.client(context=self.context)
        # Only shell: the kernel's prints (IOPub) are dropped by ZMQ, never reach this process.
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False,
                                   control=False)

    def _disconnect(self) -> None:
        try:
            self.client.stop_channels()
        except Exception:
            pass
        try:
            self.context.destroy(linger=0)
        except Exception:
            pass

    def alive(self) -> bool:
        try:
            return bool(self.manager.is_alive())
        except Exception:
            return False

    def _reply(self, msg_id: str, timeout: float) -> dict[str, Any] | None:
        """The shell reply to ``msg_id`` within ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = self.client.shell_channel.get_msg(timeout=min(remaining, 0.25))
            except queue.Empty:
                if not self.alive():
                    return None
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    def run(self, code: str, timeout: float, silent: bool = False) -> tuple[str, str]:
        """Run code; return (status, error name).

        status is ``"ok"``, ``"error"``, ``"exit"`` (the code called ``exit()``, after which
        Jupyter shuts the kernel down), ``"timeout"`` (still running) or ``"dead"``.
        """
        if not self.alive():
            return "dead", ""
        try:
            msg_id = self.client.execute(code, silent=silent, store_history=not silent,
                                         allow_stdin=False, stop_on_error=False)
        except Exception:  # the connection is gone (see interrupt)
            self._pending = ""
            return ("timeout" if self.alive() else "dead"), ""
        self._pending = msg_id
        reply = self._reply(msg_id, timeout)
        if reply is None:
            return ("timeout" if self.alive() else "dead"), ""
        content = reply.get("content", {})
        for payload in content.get("payload", None) or []:
            if (isinstance(payload, dict) and payload.get("source") == "ask_exit"
                    and not payload.get("keepkernel")):
                return "exit", ""
        if content.get("status") == "ok":
            return "ok", ""
        return "error", str(content.get("ename", ""))[:80]

    def interrupt(self, grace: float) -> bool:
        """Interrupt the running cell; True if the kernel is idle again within ``grace`` s."""
        try:
            self.manager.interrupt_kernel()
        except Exception:
            return False
        if self._pending and self._reply(self._pending, grace) is not None:
            return self.alive()
        # No reply: the cell still runs, or its reply was too large and ZMQ dropped it with the
        # connection. A new connection tells: the kernel answers kernel_info only when idle.
        self._disconnect()
        self._connect()
        return self.responsive(grace)

    def responsive(self, timeout: float) -> bool:
        """True if the kernel answers a kernel_info request (it does only when idle)."""
        if not self.alive():
            return False
        try:
            msg_id = self.client.kernel_info()
        except Exception:
            return False
        return self._reply(msg_id, timeout) is not None

    def kill(self) -> None:
        self._disconnect()
        try:
            self.manager.shutdown_kernel(now=True)
        except Exception:
            try:
                self.manager.kill_kernel()
            except Exception:
                pass
        try:
            self.manager.cleanup_resources()
        except Exception:
            pass


# --------------------------------------------------------------------------- grading

@dataclasses.dataclass
class _Extraction:
    file: Path
    checks: list[str]
    cell: int | None      # 1-based cell number, None for the end of the notebook


def _extraction_code(names: list[str], path: Path) -> str:
    return ('__import__("course_utils.checks._core", fromlist=["extract_to_file"])'
            f".extract_to_file(globals(), {names!r}, {str(path)!r})")


def grade_notebook(path: str | os.PathLike[str], checklist: Any = None, *,
                   timeout: float = DEFAULT_TIMEOUT,
                   startup_timeout: float = STARTUP_TIMEOUT) -> NotebookGrade:
    """Grade one notebook (see the module docstring); never raises for a bad notebook.

    ``checklist`` (a :class:`~course_utils.checks.CheckList`) overrides the exercise found
    from the notebook's name or metadata (the tests grade fixture exercises this way).
    """
    if not _PRELOADED:
        preload()
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            data, too_large = b"", True
        else:
            data, too_large = path.read_bytes(), False  # the only read of the learner's file
    except OSError as error:
        return NotebookGrade(str(path), None, error=f"cannot read the file ({error})")
    nb, problem = _parse_notebook(data)
    if too_large:
        nb, problem = None, f"not a notebook: over {MAX_NOTEBOOK_BYTES // 2**20} MB"
    if checklist is None:
        exercise = identify_exercise(path, nb.get("metadata") if nb is not None else None)
        checklist = _CHECKLISTS.get(exercise) if exercise is not None else None
        if checklist is None and problem is None:
            problem = ("cannot tell which exercise this is: keep the exercise's file name "
                       f"(one of: {', '.join(sorted(_CHECKLISTS)) or 'none'})")
    exercise = checklist.exercise if checklist is not None else None
    if problem is not None:
        return _zero(path, exercise, checklist, problem, "not graded: " + problem)

    workdir = Path(tempfile.mkdtemp(prefix="course-grade-"))
    try:
        return _run_and_check(path, data, nb, checklist, workdir, timeout, startup_timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _zero(path: Path, exercise: str | None, checklist: Any, error: str,
          message: str) -> NotebookGrade:
    checks = [] if checklist is None else [
        CheckGrade(check.name, 0.0, check.points, False, message) for check in checklist]
    return NotebookGrade(str(path), exercise, checks, error=error)


def _run_and_check(path: Path, data: bytes, nb: Any, checklist: Any, workdir: Path,
                   timeout: float, startup_timeout: float) -> NotebookGrade:
    from course_utils.checks import _core

    cwd = workdir / "work"
    answers_dir = workdir / "answers"
    cwd.mkdir()
    answers_dir.mkdir()
    (cwd / path.name).write_bytes(data)

    grade = NotebookGrade(str(path), checklist.exercise)
    extractions: list[_Extraction] = []
    stopped: str | None = None       # why the run ended early
    errors: list[str] = []           # cells that raised
    try:
        kernel = _Kernel(cwd, startup_timeout)
    except Exception as error:
        return _zero(path, checklist.exercise, checklist, f"the kernel did not start ({error})",
                     "not graded: the kernel did not start")

    def execute(code: str, cell: int, silent: bool) -> bool:
        """Run one piece of code; False when the kernel is gone and the run must stop."""
        nonlocal stopped
        status, error_name = kernel.run(code, timeout, silent=silent)
        what = f"cell {cell}" if not silent else f"reading the answers after cell {cell}"
        if status == "timeout":
            if kernel.interrupt(INTERRUPT_GRACE):
                grade.notes.append(f"{what} ran over {timeout:g} s and was interrupted "
                                   "(or its reply was too large to read)")
                return True
            stopped = (f"{what} ran over {timeout:g} s and did not stop when interrupted: "
                       "the kernel was stopped")
            kernel.kill()
            return False
        if status == "dead":
            stopped = f"kernel died at cell {cell}"
            return False
        if status == "exit":
            stopped = f"kernel died at cell {cell} (the cell called exit())"
            kernel.kill()
            return False
        if status == "error" and not silent:
            errors.append(f"{cell} ({error_name})" if error_name else str(cell))
        return True

    try:
        by_id = {f"check-{check.name}": check for check in checklist}
        last = 0
        for index, cell in enumerate(nb.cells, start=1):
            last = index
            if cell.get("cell_type") == "code" and cell.get("source", "").strip():
                if not execute(cell["source"], index, silent=False):
                    break
            check = by_id.get(cell.get("id"))
            if check is not None:
                file = answers_dir / f"cell{index:04d}.json"
                extractions.append(_Extraction(file, [check.name], index))
                if not execute(_extraction_code(list(check.params), file), index, silent=True):
                    break
        else:
            file = answers_dir / "end.json"
            extractions.append(_Extraction(file, checklist.names, None))
            execute(_extraction_code(checklist.variables, file), last, silent=True)
    finally:
        kernel.kill()
    if errors:
        grade.notes.insert(0, f"cell{'s' if len(errors) > 1 else ''} {', '.join(errors)} "
                              "raised an error")
    if stopped:
        grade.error = stopped

    # Everything below runs in the grader's process, on plain data, with the pristine checks.
    results: dict[str, list[Any]] = {name: [] for name in checklist.names}
    unreadable: dict[str, str] = {}
    for extraction in extractions:
        try:
            answers = _core.load_answers(extraction.file)
        except Exception as error:
            where = "at the end" if extraction.cell is None else f"after cell {extraction.cell}"
            reason = ("the cell that reads them did not finish" if not extraction.file.exists()
                      else f"{type(error).__name__}")
            for name in extraction.checks:
                unreadable.setdefault(name, f"the answers could not be read {where} ({reason})")
            continue
        with _VERIFY_LOCK:
            token = _core._BASE_DIR.set(cwd)  # relative paths: the learner's working folder
            try:
                for name in extraction.checks:
                    results[name].append(checklist[name].verify(answers))
            finally:
                _core._BASE_DIR.reset(token)
    for check in checklist:
        outcomes = results[check.name]
        passed = next((result for result in outcomes if result.passed), None)
        if passed is not None:
            grade.checks.append(CheckGrade(check.name, passed.points, check.points, True, ""))
        elif outcomes:
            grade.checks.append(CheckGrade(check.name, 0.0, check.points, False,
                                           outcomes[0].message))
        else:
            message = unreadable.get(check.name) or (
                f"not reached: {stopped}" if stopped else "not graded")
            grade.checks.append(CheckGrade(check.name, 0.0, check.points, False, message))
    return grade


def grade_paths(paths: Sequence[str | os.PathLike[str]], checklist: Any = None, *,
                timeout: float = DEFAULT_TIMEOUT, jobs: int = 2) -> list[NotebookGrade]:
    """Grade notebooks (files or folders), ``jobs`` at a time; results in the given order."""
    notebooks = notebook_paths(paths)
    preload()

    def one(path: Path) -> NotebookGrade:
        try:
            return grade_notebook(path, checklist, timeout=timeout)
        except Exception as error:  # a grader bug on one notebook must not lose the others
            return NotebookGrade(str(path), None,
                                 error=f"grader error: {type(error).__name__}: {error}")

    if jobs <= 1 or len(notebooks) <= 1:
        return [one(path) for path in notebooks]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, notebooks))


# --------------------------------------------------------------------------- reports

def report(grades: Sequence[NotebookGrade]) -> dict[str, Any]:
    """The grades as JSON-ready data (what ``--json`` writes)."""
    return {"notebooks": [grade.to_dict() for grade in grades],
            "points": float(sum(grade.points for grade in grades)),
            "max_points": float(sum(grade.max_points for grade in grades)),
            "full_marks": bool(grades) and all(grade.full_marks for grade in grades)}


def classroom_result(grades: Sequence[NotebookGrade],
                     exercises: dict[str, Any] | None = None) -> dict[str, Any]:
    """The grades as a GitHub Classroom runner result (``--classroom``).

    This is the JSON that ``classroom-resources/autograding-grading-reporter`` reads,
    base64-encoded, from ``<RUNNER>_RESULTS``: one test per check of every exercise of the
    course (``exercises``, default: all of them), scored from the best notebook graded for that
    exercise; an exercise without a notebook scores 0. Extra copies of a notebook therefore
    add nothing, and the maximum is the course's, not the number of notebooks handed in.
    """
    exercises = preload() if exercises is None else exercises
    tests: list[dict[str, Any]] = []
    for name in sorted(exercises):
        candidates = [grade for grade in grades if grade.exercise == name and grade.checks]
        best = max(candidates, key=lambda grade: grade.points, default=None)
        graded = {check.name: check for check in best.checks} if best is not None else {}
        for check in exercises[name]:
            result = graded.get(check.name)
            if result is None:
                message = f"no notebook for exercise {name} was graded"
                passed, score = False, 0.0
            else:
                message = result.message or ""
                passed, score = result.passed, result.points
            tests.append({"name": f"{name}: {check.name}", "status": "pass" if passed else "fail",
                          "score": _number(score), "message": message, "line_no": 0,
                          "execution_time": "0s"})
    max_score = sum(checklist.max_points for checklist in exercises.values())
    return {"version": 1,
            "status": "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail",
            "max_score": _number(max_score), "tests": tests}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _pts(points: float, max_points: float) -> str:
    return f"{points:g}/{max_points:g}"


def format_table(grades: Sequence[NotebookGrade]) -> str:
    """A table for people: one row per check, a total per notebook and overall."""
    rows: list[tuple[str, str, str, str, str]] = []
    for grade in grades:
        name = grade.path
        if grade.exercise and Path(grade.path).stem != grade.exercise:
            name += f" [{grade.exercise}]"
        for check in grade.checks:
            rows.append((name, check.name, _pts(check.points, check.max_points),
                         "yes" if check.passed else "no", check.message))
        if grade.error:
            rows.append((name, "(problem)", "", "", grade.error))
        for note in grade.notes:
            rows.append((name, "(note)", "", "", note))
        rows.append((name, "TOTAL", _pts(grade.points, grade.max_points),
                     "yes" if grade.full_marks else "no", ""))
    total = report(grades)
    rows.append(("ALL NOTEBOOKS", "TOTAL", _pts(total["points"], total["max_points"]),
                 "yes" if total["full_marks"] else "no", ""))
    header = ("notebook", "check", "points", "passed", "message")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = []
    for i, row in enumerate([header, *rows]):
        cells = [row[j].ljust(widths[j]) for j in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  -------")
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line

def main(argv: Sequence[str] | None = None) -> int:
    """Command line; returns the exit status (0 full marks, 1 otherwise, 2 usage error)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grade",
        description="Grade exercise notebooks in fresh kernels against the course's checks.")
    parser.add_argument("paths", nargs="+", help="notebooks, or folders of notebooks")
    parser.add_argument("--json", metavar="FILE", help="also write the grades as JSON to FILE")
    parser.add_argument("--classroom", metavar="FILE",
                        help="also write a GitHub Classroom result (autograding-grading-reporter "
                             "runner format): one test per check of every exercise")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per cell (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="notebooks graded at the same time (default 2)")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.jobs < 1:
        parser.error("--timeout must be positive and --jobs at least 1")
    try:
        grades = grade_paths(args.paths, timeout=args.timeout, jobs=args.jobs)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_table(grades))
    data = report(grades)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    if args.classroom:
        Path(args.classroom).write_text(json.dumps(classroom_result(grades), indent=1,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if data["full_marks"] else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
