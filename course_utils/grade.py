"""Grade exercise notebooks: ``python -m course_utils.grade PATH... [--json FILE]``.

For each notebook (a file, or every ``*.ipynb`` in a folder) the grader:

1. reads every learner's file once, before any kernel starts (a regular file only: no link,
   FIFO or device; its bytes are never written back), and identifies the exercise from the
   file name (``NN_skill.ipynb``) or the notebook metadata;
2. takes the exercise's pristine :class:`~course_utils.checks.CheckList`; every check module,
   every ``course_utils`` module and everything the checks import are imported in the grader
   *before* any learner code runs;
3. runs the notebook twice, each time on a copy in a fresh run folder and in a fresh IPython
   kernel inside a bubblewrap sandbox (:mod:`course_utils.grading.sandbox`: read-only
   install, private HOME and temp, no network, its own PID namespace and, as root, its own
   uid, limits), with a per-cell and a per-notebook time limit, discarding everything the
   kernel prints: once on the learner's variant of the exercise data and once on a hidden
   variant the grader picks (``COURSE_UTILS_VARIANT`` tells the kernel which one);
4. in each run, after each check cell (found by its id ``check-<name>``, whatever it holds
   now) and once more at the end, asks the kernel to save the variables the checks read as
   plain data (:func:`course_utils.checks._plain.extract_to_file`);
5. once the run's sandbox is gone, loads that data in its own process (copies made without
   following links or blocking; no pickle) and runs the pristine checks on it, with the
   expected values of that run's variant. A check passes in a run if any of its extractions
   passes, and earns its points only if it passes in both runs: values typed in by hand, or
   copied from a learner with other data, do not follow the hidden variant.

A notebook that loops forever is interrupted (and its sandbox killed if it does not stop); a
kernel that dies is reported with the cell where it died, named as the learner finds it (the
task it belongs to); the answers extracted before count. A file that is not a notebook scores
0 and the other notebooks are graded anyway. ``--json`` and ``--classroom`` are rewritten
atomically as soon as each notebook's grade is known. Where bubblewrap is missing, grading
still runs, unisolated, and the report says it is for self-feedback only;
``--require-sandbox`` (or ``CI=true``) makes that an error.

Command line::

    python -m course_utils.grade exercises/03_windowing.ipynb
    python -m course_utils.grade exercises/ --json grades.json --timeout 60 --jobs 2
    python -m course_utils.grade exercises/ --classroom result.json   # GitHub Classroom
    python -m course_utils.grade exercises/ --variant octocat         # a learner's own data
    python -m course_utils.grade exercises/ --no-hidden               # feedback only
    python -m course_utils.grade exercises/ --require-sandbox         # CI: isolated or exit 2

Exit status: 0 when every notebook has full marks, 1 otherwise, 2 for a usage error.

Examples
--------
>>> grade = NotebookGrade("x.ipynb", "00_example", [CheckGrade("a", 1.0, 1.0, True, "")])
>>> grade.points, grade.max_points, grade.full_marks
(1.0, 1.0, True)
>>> ordinal(1), ordinal(2), ordinal(3), ordinal(11), ordinal(22)
('1st', '2nd', '3rd', '11th', '22nd')
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import importlib
import json
import math
import os
import pkgutil
import queue
import re
import secrets
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
    "CheckGrade", "NotebookGrade", "cell_labels", "classroom_result", "format_table",
    "grade_notebook", "grade_paths", "hidden_variant_for", "identify_exercise",
    "learner_variant", "main", "notebook_paths", "ordinal", "preload", "report",
]

DEFAULT_TIMEOUT = 60.0          # seconds per cell
STARTUP_TIMEOUT = 60.0          # seconds for a kernel to answer
INTERRUPT_GRACE = 5.0           # seconds a cell gets to stop after an interrupt
MAX_REPLY_BYTES = 16 * 2**20    # larger replies from the kernel are never received
RECEIVE_QUEUE = 8               # unread messages ZMQ keeps per socket (the rest are dropped)
DEFAULT_NOTEBOOK_TIMEOUT = 900.0   # seconds per run of a notebook, all cells together
MAX_MESSAGE = 300               # characters of a message in a report
MAX_PATH_SHOWN = 120            # characters of a notebook's path in a report
NOT_ISOLATED = ("the kernels ran without the sandbox ({reason}), as this user, able to change "
                "files and the grader: a grade for self-feedback only")
# Modules the checks import when they first run: imported before any learner code runs.
CHECK_IMPORTS = ("pydicom", "pydicom.dataset", "pydicom.uid", "pydicom.errors",
                 "pydicom.filereader", "pydicom.pixels", "pydicom.data", "PIL.Image",
                 "PIL.PngImagePlugin", "skimage.filters", "skimage.measure", "scipy.ndimage",
                 "scipy.spatial", "trimesh", "trimesh.exchange.stl", "matplotlib",
                 "matplotlib.colors", "matplotlib.image", "nibabel", "zipfile", "zlib")
MAX_NOTEBOOK_BYTES = 256 * 2**20
VARIANT_RANGE = 2**31           # hidden variants are drawn from [0, VARIANT_RANGE)
MAX_HEADING = 60                # characters of a learner's section heading quoted in notes

HIDDEN_FAILED = ("passes on your data but not on another variant of the data: compute the "
                 "answer from the task's data instead of typing values in")
LEARNER_RUN = "on your data"
HIDDEN_RUN = "on the other variant of the data"

_VERIFY_LOCK = threading.Lock()
_START_LOCK = threading.Lock()
_PRELOADED = False
_CHECKLISTS: dict[str, Any] = {}   # the pristine check lists, loaded before any learner code


class UsageError(Exception):
    """A command-line mistake (no such path...): exit status 2."""


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e"
                      "\u2066-\u2069\ufeff]+")


def clean(text: Any, limit: int = MAX_MESSAGE) -> str:
    r"""Text as it may reach a table, a job summary or JSON: control characters and line
    breaks become spaces, runs of three or more backticks one quote (no code fence can be
    opened or closed; single backticks, which messages use for code, stay), capped.

    Examples
    --------
    >>> clean("a\nTOTAL 5/5 ```x`` \x1b[31m")
    "a TOTAL 5/5 'x`` [31m"
    >>> len(clean("x" * 1000))
    300
    """
    text = re.sub("`{3,}", "'", _CONTROL.sub(" ", str(text)))
    text = re.sub(" {2,}", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


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
    """The grade of one notebook: its checks, and what went wrong while running it.

    ``variant`` is the learner's variant of the exercise data, ``hidden_variant`` the other
    one the notebook was run on (None: one run only, a grade for feedback only).
    """

    path: str
    exercise: str | None
    checks: list[CheckGrade] = dataclasses.field(default_factory=list)
    error: str | None = None            # why the notebook could not be (fully) graded
    notes: list[str] = dataclasses.field(default_factory=list)   # timeouts, errors...
    variant: int = 0
    hidden_variant: int | None = None
    isolated: bool = True               # the kernels ran in the sandbox
    isolation: str = ""                 # why not, when they did not

    @property
    def points(self) -> float:
        return float(sum(check.points for check in self.checks))

    @property
    def max_points(self) -> float:
        return float(sum(check.max_points for check in self.checks))

    @property
    def full_marks(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def feedback_only(self) -> bool:
        """True when no hidden variant was run: typed-in values could not be told apart."""
        return self.hidden_variant is None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "exercise": self.exercise, "points": self.points,
                "max_points": self.max_points, "full_marks": self.full_marks,
                "variant": self.variant, "hidden_variant": self.hidden_variant,
                "feedback_only": self.feedback_only, "isolated": self.isolated,
                "isolation": clean(self.isolation) if not self.isolated else "",
                "error": clean(self.error) if self.error else None,
                "notes": [clean(note) for note in self.notes],
                "checks": [{"name": clean(check.name, 80), "points": check.points,
                            "max_points": check.max_points, "passed": check.passed,
                            "message": clean(check.message)} for check in self.checks]}

    @property
    def shown_path(self) -> str:
        """The path as reports show it: no control characters or fences, capped."""
        return clean(self.path, MAX_PATH_SHOWN)


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
        for module in CHECK_IMPORTS:
            try:
                importlib.import_module(module)
            except Exception:
                pass
        try:
            from PIL import Image
            Image.init()  # every image plugin now, not when a learner's file is opened
        except Exception:
            pass
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
    """The notebooks to grade: files as given, folders as their ``*.ipynb`` entries (sorted).

    A folder's entries are listed whatever they are (links, FIFOs...): :func:`read_notebook`
    refuses all but regular files, so a link out of the folder scores 0 and is reported.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            inside = sorted(p for p in path.glob("*.ipynb") if not p.is_dir())
            if not inside:
                raise UsageError(f"{path}: no notebooks (*.ipynb) in this folder")
            found += inside
        elif path.is_symlink():
            raise UsageError(f"{path}: a symbolic link; give the notebook or folder itself")
        elif path.exists():
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


# --------------------------------------------------------------------------- variants

def _registry() -> Any:
    from course_utils.checks import _registry
    return _registry


def learner_variant(value: str | int | None = None) -> int:
    """The learner's variant: ``value`` (``--variant``), else ``$COURSE_UTILS_VARIANT``, else 0.

    An integer is used as is; any other text (a GitHub login) is hashed to a number by
    :func:`course_utils.checks._registry.variant_from`, as the exercise notebooks do.
    """
    registry = _registry()
    if value is None or value == "":
        value = os.environ.get(registry.VARIANT_ENV) or None
    return int(registry.variant_from(value))


def hidden_variant_for(variant: int) -> int:
    """A hidden variant for a learner on ``variant``: random (``secrets``), never ``variant``."""
    while True:
        hidden = secrets.randbelow(VARIANT_RANGE)
        if hidden != variant:
            return hidden


# --------------------------------------------------------------------------- cell names

_HEADING = re.compile(r"^ {0,3}## +(.+?)\s*#*\s*$", re.MULTILINE)
_TASK = re.compile(r"^(Tasks? +\d+(?:\s*(?:,|-|–|—|to|and|&)\s*\d+)*)\b", re.IGNORECASE)
_UNPRINTABLE = re.compile(r"[^\w \-.,:;!?()'/&+]", re.UNICODE)


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``... ``11th``, ``21st``."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _section_name(heading: str) -> str:
    """``Task 2`` for ``## Task 2: value representations``; the quoted heading otherwise."""
    task = _TASK.match(heading)
    if task:
        return task.group(1)[:MAX_HEADING]
    text = _UNPRINTABLE.sub("", heading).strip()[:MAX_HEADING]
    return f'the section "{text}"'


def cell_labels(cells: Sequence[Any]) -> dict[int, str]:
    """How a learner finds each code cell: ``{1-based cell number: label}``.

    A code cell is named after the nearest level-2 markdown heading above it, ``Task 2 (its
    1st code cell)`` under ``## Task 2: ...``; a code cell above every heading is ``the setup
    cell before Task 1`` (``the 2nd setup cell before Task 1`` when there are several), or
    ``code cell 3 of the notebook`` in a notebook without such headings.

    Examples
    --------
    >>> cells = [{"cell_type": "markdown", "source": "# Exercise"},
    ...          {"cell_type": "code", "source": "import numpy"},
    ...          {"cell_type": "markdown", "source": "## Task 1: the answer"},
    ...          {"cell_type": "code", "source": "answer = 42"},
    ...          {"cell_type": "code", "source": "checks.answer()"}]
    >>> for number, label in cell_labels(cells).items():
    ...     print(number, label)
    2 the setup cell before Task 1
    4 Task 1 (its 1st code cell)
    5 Task 1 (its 2nd code cell)
    """
    labels: dict[int, str] = {}
    section: str | None = None
    in_section = 0
    before: list[int] = []
    first_section: str | None = None
    code_count = 0
    for index, cell in enumerate(cells, start=1):
        kind, source = cell.get("cell_type"), cell.get("source", "")
        if kind == "markdown" and isinstance(source, str):
            headings = _HEADING.findall(source)
            if headings:
                section, in_section = _section_name(headings[-1]), 0
                first_section = first_section or section
        elif kind == "code":
            code_count += 1
            if section is None:
                before.append(index)
                labels[index] = f"code cell {code_count} of the notebook"
            else:
                in_section += 1
                labels[index] = f"{section} (its {ordinal(in_section)} code cell)"
    if first_section is not None:
        for number, index in enumerate(before, start=1):
            which = "the" if len(before) == 1 else f"the {ordinal(number)}"
            labels[index] = f"{which} setup cell before {first_section}"
    return labels


# --------------------------------------------------------------------------- the kernel

def _give(path: Path, uid: int | None) -> None:
    """Hand ``path`` to the sandbox's own uid (root only); the grader, as root, still reads it."""
    if uid is not None:
        os.chown(path, uid, uid)
        os.chmod(path, 0o711 if path.is_dir() else 0o644)


_BINDS: dict[str, str] | None = None


def _sandbox_binds() -> dict[str, str]:
    """Files the kernels read from the grader's caches, read-only: the synthetic series (made
    once by the grader, before any learner code) and matplotlib's font list."""
    global _BINDS
    if _BINDS is None:
        binds: dict[str, str] = {}
        try:
            from course_utils import datasets

            series = datasets.get_path("synthetic_ct")
            # A copy that any sandbox uid can read (the cache folder is the grader's, 0700).
            shared = Path(tempfile.mkdtemp(prefix="course-grade-data-"))
            atexit.register(shutil.rmtree, shared, True)
            copy = shared / series.name
            shutil.copytree(series, copy)
            for path in [shared, copy, *copy.rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
            binds[str(copy)] = f"cache/course_utils/{series.name}"
        except Exception:
            pass
        try:
            import matplotlib

            for font_list in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
                binds[str(font_list)] = f"mpl/{font_list.name}"
        except Exception:
            pass
        _BINDS = binds
    return dict(_BINDS)


class _Kernel:
    """A fresh IPython kernel in its sandbox, whose output is never received (no IOPub).

    The kernel runs under :func:`course_utils.grading.sandbox.kernel_command` (bubblewrap
    namespaces when ``isolated``, limits always); the grader talks to it over ZMQ ``ipc``
    sockets in ``run_folder/ipc``, and interrupts it with a message on the control channel
    (a signal could not cross the PID namespace).
    """

    def __init__(self, run_folder: Path, cwd: Path, startup_timeout: float = STARTUP_TIMEOUT,
                 variables: dict[str, str] | None = None, *, isolated: bool = True,
                 uid: int | None = None, limits: Any = None):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        from course_utils.grading import sandbox

        ipc = run_folder / "ipc"
        ipc.mkdir(exist_ok=True)
        _give(ipc, uid)
        command, env = sandbox.kernel_command(
            [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            run_folder, cwd, dict(variables or {}), isolated=isolated, uid=uid,
            limits=limits or sandbox.Limits(), binds=_sandbox_binds())
        self.uid = uid

        class _SpecManager(KernelSpecManager):
            # Always this interpreter's ipykernel in its sandbox, whatever the notebook names.
            def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
                return KernelSpec(argv=command, display_name="Python 3", language="python",
                                  interrupt_mode="message")

        self.manager = KernelManager(kernel_name="python3", kernel_spec_manager=_SpecManager(),
                                     transport="ipc", ip=str(ipc / "k"))
        self.manager.connection_file = str(ipc / "kernel.json")
        self.manager.write_connection_file()
        _give(Path(self.manager.connection_file), uid)
        self._ipc = ipc
        with _START_LOCK:
            self.manager.start_kernel(cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.context = None
        self._pending = ""
        deadline = time.monotonic() + startup_timeout
        while not self._sockets_ready():
            if not self.alive():
                self.kill()
                raise RuntimeError("the kernel died while starting")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the kernel did not start")
            time.sleep(0.05)
        self._connect()
        while not self.responsive(1.0):
            if not self.alive():
                self.kill()
                raise RuntimeError("the kernel died while starting")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the kernel did not start")

    def _sockets_ready(self) -> bool:
        """True once the kernel's shell and control sockets exist, as sockets (not links)."""
        import stat as stat_module

        for port in (self.manager.shell_port, self.manager.control_port):
            try:
                info = os.lstat(f"{self.manager.ip}-{port}")
            except OSError:
                return False
            if not stat_module.S_ISSOCK(info.st_mode):
                raise RuntimeError("the kernel's sockets are not sockets")
        return True

    def _connect(self) -> None:
        import zmq

        self._sockets_ready()
        self.context = zmq.Context()
        # Replies larger than MAX_REPLY_BYTES (a huge error message...) are dropped unread
        # (ZMQ then drops the connection: see interrupt); at most RECEIVE_QUEUE messages wait
        # unread (a flood of unsolicited messages cannot grow this process); no send waits
        # forever.
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        self.context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        self.context.setsockopt(zmq.SNDTIMEO, 5000)
        self.context.setsockopt(zmq.LINGER, 0)
        self.client = self.manager.client(context=self.context)
        # Only shell: the kernel's prints (IOPub) are dropped by ZMQ, never reach this process.
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False,
                                   control=False)

    def _disconnect(self) -> None:
        if self.context is None:
            return
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
        return "error", _UNPRINTABLE.sub("", str(content.get("ename", "")))[:80]

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
        from course_utils.grading import sandbox

        sandbox.kill_uid(self.uid)  # anything of the sandbox's own uid still there


# --------------------------------------------------------------------------- one run

@dataclasses.dataclass
class _Extraction:
    file: Path
    checks: list[str]
    cell: str | None      # the label of the cell it follows, None for the end of the notebook


@dataclasses.dataclass
class _Outcome:
    """What one run says about one check."""

    passed: bool
    points: float
    message: str
    reached: bool = True    # False: the run never verified the check (stopped, unreadable)


@dataclasses.dataclass
class _Run:
    """One execution of a notebook on one variant, and what its checks said."""

    variant: int
    workdir: Path
    extractions: list[_Extraction] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    stopped: str | None = None     # why the run ended early
    outcomes: dict[str, _Outcome] = dataclasses.field(default_factory=dict)
    isolated: bool = True          # the kernel ran in the sandbox
    uid: int | None = None         # the sandbox's own uid (when the grader is root)

    @property
    def cwd(self) -> Path:
        return self.workdir / "work"


def _extraction_code(names: list[str], path: Path) -> str:
    return ('__import__("course_utils.checks._plain", fromlist=["extract_to_file"])'
            f".extract_to_file(globals(), {names!r}, {str(path)!r})")


def _execute_notebook(run: _Run, name: str, data: bytes, nb: Any, checklist: Any,
                      timeout: float, startup_timeout: float,
                      notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT) -> None:
    """Run the notebook's code cells in a fresh sandboxed kernel on ``run.variant``."""
    from course_utils.grading import sandbox

    answers_dir = run.workdir / "answers"
    run.cwd.mkdir()
    answers_dir.mkdir()
    (run.cwd / name).write_bytes(data)
    (run.workdir / "tmp").mkdir()
    for path in (run.workdir, run.cwd, answers_dir, run.workdir / "tmp", run.cwd / name):
        _give(path, run.uid)
    labels = cell_labels(nb.cells)
    limits = sandbox.Limits(cpu_seconds=int(min(notebook_timeout, 10**6)) + 60)
    deadline = time.monotonic() + notebook_timeout
    try:
        kernel = _Kernel(run.workdir, run.cwd, startup_timeout,
                         {_registry().VARIANT_ENV: str(run.variant)}, isolated=run.isolated,
                         uid=run.uid, limits=limits)
    except Exception as error:
        run.stopped = f"the kernel did not start ({error})"
        sandbox.kill_uid(run.uid)
        return

    def execute(code: str, label: str, silent: bool) -> bool:
        """Run one piece of code; False when the kernel is gone and the run must stop."""
        left = deadline - time.monotonic()
        what = label if not silent else f"reading the answers after {label}"
        if left <= 0:
            run.stopped = (f"the notebook ran over its {notebook_timeout:g} s limit (all cells "
                           f"together) before {what}: the kernel was stopped")
            kernel.kill()
            return False
        status, error_name = kernel.run(code, min(timeout, left), silent=silent)
        if status == "timeout" and time.monotonic() >= deadline:
            run.stopped = (f"{what} reached the notebook's {notebook_timeout:g} s limit (all "
                           "cells together): the kernel was stopped")
            kernel.kill()
            return False
        if status == "timeout":
            if kernel.interrupt(INTERRUPT_GRACE):
                run.notes.append(f"{what} ran over {timeout:g} s and was interrupted "
                                 "(or its reply was too large to read)")
                return True
            run.stopped = (f"{what} ran over {timeout:g} s and did not stop when "
                           "interrupted: the kernel was stopped")
            kernel.kill()
            return False
        if status == "dead":
            run.stopped = f"kernel died at {label}"
            return False
        if status == "exit":
            run.stopped = f"kernel died at {label} (the cell called exit())"
            kernel.kill()
            return False
        if status == "error" and not silent:
            run.notes.append(f"{label} raised {error_name or 'an error'}")
        return True

    try:
        by_id = {f"check-{check.name}": check for check in checklist}
        last = "the last cell"
        for index, cell in enumerate(nb.cells, start=1):
            label = labels.get(index, f"cell {index}")
            if cell.get("cell_type") == "code" and cell.get("source", "").strip():
                last = label
                if not execute(cell["source"], label, silent=False):
                    break
            check = by_id.get(cell.get("id"))
            if check is not None:
                file = answers_dir / f"cell{index:04d}.json"
                run.extractions.append(_Extraction(file, [check.name], label))
                if not execute(_extraction_code(list(check.params), file), label, silent=True):
                    break
        else:
            file = answers_dir / "end.json"
            run.extractions.append(_Extraction(file, checklist.names, None))
            execute(_extraction_code(checklist.variables, file), last, silent=True)
    finally:
        kernel.kill()


def _verify_run(run: _Run, checklist: Any) -> None:
    """Run the pristine checks on the run's extractions, in this process, on plain data."""
    from course_utils.checks import _plain

    results: dict[str, list[Any]] = {name: [] for name in checklist.names}
    unreadable: dict[str, str] = {}
    private = Path(tempfile.mkdtemp(prefix="course-answers-"))
    try:
        _verify_extractions(run, checklist, results, unreadable, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    for check in checklist:
        outcomes = results[check.name]
        passed = next((result for result in outcomes if result.passed), None)
        if passed is not None:
            run.outcomes[check.name] = _Outcome(True, float(passed.points), "")
        elif outcomes:
            run.outcomes[check.name] = _Outcome(False, 0.0, outcomes[0].message)
        else:
            message = unreadable.get(check.name) or (
                f"not reached: {run.stopped}" if run.stopped else "not graded")
            run.outcomes[check.name] = _Outcome(False, 0.0, message, reached=False)


def _safe_copy(source: Path, target: Path) -> None:
    """Copy a file the kernel wrote, opened without following links or blocking (no FIFO),
    regular and bounded in size; the grader reads only such copies."""
    from course_utils.checks import _plain
    from course_utils.checks._values import read_learner_file

    limit = max(_plain.MAX_JSON_BYTES, _plain.MAX_NPZ_BYTES)
    target.write_bytes(read_learner_file(source, source.name, max_bytes=limit))


def _verify_extractions(run: _Run, checklist: Any, results: dict[str, list[Any]],
                        unreadable: dict[str, str], private: Path) -> None:
    from course_utils.checks import _plain, _values

    for number, extraction in enumerate(run.extractions):
        try:
            copy = private / f"{number}.json"
            _safe_copy(extraction.file, copy)
            _safe_copy(Path(str(extraction.file) + ".npz"), Path(str(copy) + ".npz"))
            answers = _plain.load_answers(copy)
        except Exception as error:
            where = ("at the end" if extraction.cell is None
                     else f"after {extraction.cell}")
            reason = ("the cell that reads them did not finish" if not extraction.file.exists()
                      else f"{type(error).__name__}")
            for name in extraction.checks:
                unreadable.setdefault(name, f"the answers could not be read {where} ({reason})")
            continue
        with _VERIFY_LOCK:
            token = _plain._BASE_DIR.set(run.cwd)  # relative paths: the learner's folder
            allowed = _values.ALLOWED_DIR.set(run.workdir)  # files: only the run's own folder
            try:
                for name in extraction.checks:
                    results[name].append(checklist[name].verify(answers, variant=run.variant))
            finally:
                _values.ALLOWED_DIR.reset(allowed)
                _plain._BASE_DIR.reset(token)


def _grade_run(run: _Run, name: str, data: bytes, nb: Any, checklist: Any, timeout: float,
               startup_timeout: float, slots: threading.Semaphore | None,
               notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT) -> _Run:
    """Execute and verify one run (holding one of ``slots`` while its kernel runs).

    The checks run only once the kernel and everything it started are gone.
    """
    if slots is not None:
        slots.acquire()
    try:
        _execute_notebook(run, name, data, nb, checklist, timeout, startup_timeout,
                          notebook_timeout)
    finally:
        if slots is not None:
            slots.release()
    _verify_run(run, checklist)
    return run


# --------------------------------------------------------------------------- both runs

def sandbox_status(sandbox: bool | None = True) -> Any:
    """The :class:`~course_utils.grading.sandbox.Status` kernels will run with: isolated when
    bubblewrap works here (``sandbox=False`` turns it off, for comparisons only)."""
    from course_utils.grading import sandbox as sandbox_module

    if sandbox is False:
        return sandbox_module.Status(False, "turned off with sandbox=False")
    return sandbox_module.check()


def grade_notebook(path: str | os.PathLike[str], checklist: Any = None, *,
                   timeout: float = DEFAULT_TIMEOUT,
                   startup_timeout: float = STARTUP_TIMEOUT,
                   variant: int | None = None, hidden_variant: int | None = None,
                   hidden: bool = True,
                   slots: threading.Semaphore | None = None,
                   notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
                   sandbox: bool | None = True, data: bytes | None = None) -> NotebookGrade:
    """Grade one notebook (see the module docstring); never raises for a bad notebook.

    Parameters
    ----------
    path
        The learner's notebook; read once (unless ``data`` holds its bytes), never written.
    checklist
        A :class:`~course_utils.checks.CheckList` overriding the exercise found from the
        notebook's name or metadata (the tests grade fixture exercises this way).
    timeout, startup_timeout, notebook_timeout
        Seconds per cell, for a kernel to start, and for one run of the whole notebook.
    variant
        The learner's variant of the exercise data (default: :func:`learner_variant`).
    hidden_variant
        The variant of the second run (default: a random one, see :func:`hidden_variant_for`);
        it must differ from ``variant``.
    hidden
        False runs the notebook once, on ``variant`` only: a grade for feedback only.
    slots
        Limits how many kernels run at once (:func:`grade_paths` shares one between the
        notebooks); None lets the notebook's two runs go side by side.
    sandbox
        True (default): in bubblewrap where it works here, else unisolated (the grade says
        so); False: never isolated (for speed comparisons).

    Raises
    ------
    ValueError
        if ``hidden_variant`` equals ``variant``.
    """
    if not _PRELOADED:
        preload()
    _check_times(timeout, notebook_timeout)
    variant = learner_variant() if variant is None else int(variant)
    if not hidden:
        hidden_variant = None
    elif hidden_variant is None:
        hidden_variant = hidden_variant_for(variant)
    elif int(hidden_variant) == variant:
        raise ValueError(f"the hidden variant must differ from the learner's ({variant})")
    else:
        hidden_variant = int(hidden_variant)
    path = Path(path)
    status = sandbox_status(sandbox)
    if data is None:
        data, problem = read_notebook(path)
    else:
        problem = None
    grade = _grade_notebook(path, checklist, timeout, startup_timeout, variant,
                            hidden_variant, slots, data, problem, notebook_timeout,
                            status.isolated)
    grade.variant, grade.hidden_variant = variant, hidden_variant
    grade.isolated = status.isolated
    grade.isolation = "" if status.isolated else status.reason
    return grade


def _check_times(timeout: float, notebook_timeout: float) -> None:
    for name, value in (("timeout", timeout), ("notebook_timeout", notebook_timeout)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number of seconds above 0, not {value}")


def read_notebook(path: Path) -> tuple[bytes, str | None]:
    """A notebook's bytes, or (b"", why it is not graded): a regular file (no link, FIFO or
    device), opened without following links or blocking, of at most MAX_NOTEBOOK_BYTES."""
    import stat as stat_module

    try:
        info = path.lstat()
    except OSError as error:
        return b"", f"cannot read the file ({error.strerror})"
    if stat_module.S_ISLNK(info.st_mode):
        return b"", "not a notebook: a symbolic link (hand in the notebook itself)"
    if not stat_module.S_ISREG(info.st_mode):
        return b"", "not a notebook: not a regular file"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return b"", f"not a notebook: over {MAX_NOTEBOOK_BYTES // 2**20} MB"
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        return b"", f"cannot read the file ({error.strerror})"
    try:
        if not stat_module.S_ISREG(os.fstat(descriptor).st_mode):
            return b"", "not a notebook: not a regular file"
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > MAX_NOTEBOOK_BYTES:
        return b"", f"not a notebook: over {MAX_NOTEBOOK_BYTES // 2**20} MB"
    return b"".join(chunks), None


def _grade_notebook(path: Path, checklist: Any, timeout: float, startup_timeout: float,
                    variant: int, hidden_variant: int | None,
                    slots: threading.Semaphore | None, data: bytes, problem: str | None,
                    notebook_timeout: float, isolated: bool) -> NotebookGrade:
    if problem is not None:
        exercise = identify_exercise(path, None) if checklist is None else checklist.exercise
        checklist = checklist if checklist is not None else _CHECKLISTS.get(exercise or "")
        if problem.startswith("cannot read"):
            return NotebookGrade(str(path), exercise, error=problem)
        return _zero(path, exercise, checklist, problem, "not graded: " + problem)
    nb, problem = _parse_notebook(data)
    if checklist is None:
        exercise = identify_exercise(path, nb.get("metadata") if nb is not None else None)
        checklist = _CHECKLISTS.get(exercise) if exercise is not None else None
        if checklist is None and problem is None:
            problem = ("cannot tell which exercise this is: keep the exercise's file name "
                       f"(one of: {', '.join(sorted(_CHECKLISTS)) or 'none'})")
    exercise = checklist.exercise if checklist is not None else None
    if problem is not None:
        return _zero(path, exercise, checklist, problem, "not graded: " + problem)

    from course_utils.grading import sandbox

    variants = [variant] if hidden_variant is None else [variant, hidden_variant]
    # A uid of its own only inside the sandbox (outside, that uid could not even read a Python
    # installed under root's home).
    runs = [_Run(v, Path(tempfile.mkdtemp(prefix="course-grade-")), isolated=isolated,
                 uid=sandbox.sandbox_uid() if isolated else None) for v in variants]
    name = "notebook.ipynb" if not _SAFE_NAME.fullmatch(path.name) else path.name
    try:
        if len(runs) == 1:
            _grade_run(runs[0], name, data, nb, checklist, timeout, startup_timeout, slots,
                       notebook_timeout)
        else:
            with ThreadPoolExecutor(max_workers=len(runs)) as pool:
                futures = [pool.submit(_grade_run, run, name, data, nb, checklist,
                                       timeout, startup_timeout, slots, notebook_timeout)
                           for run in runs]
                for future in futures:
                    future.result()
    finally:
        for run in runs:
            sandbox.kill_uid(run.uid)
            shutil.rmtree(run.workdir, ignore_errors=True)
    return _combine(path, checklist, runs[0], runs[1] if len(runs) > 1 else None)


_SAFE_NAME = re.compile(r"[\w.\-]{1,100}\.ipynb")


def _zero(path: Path, exercise: str | None, checklist: Any, error: str,
          message: str) -> NotebookGrade:
    checks = [] if checklist is None else [
        CheckGrade(check.name, 0.0, check.points, False, message) for check in checklist]
    return NotebookGrade(str(path), exercise, checks, error=error)


def _combine(path: Path, checklist: Any, learner: _Run, other: _Run | None) -> NotebookGrade:
    """One grade from the learner's run and the hidden run: points only where both pass."""
    if learner.stopped and learner.stopped.startswith("the kernel did not start"):
        return _zero(path, checklist.exercise, checklist, learner.stopped,
                     "not graded: the kernel did not start")
    grade = NotebookGrade(str(path), checklist.exercise)
    for check in checklist:
        mine = learner.outcomes[check.name]
        theirs = other.outcomes[check.name] if other is not None else None
        if not mine.passed:
            grade.checks.append(CheckGrade(check.name, 0.0, check.points, False, mine.message))
        elif theirs is None or theirs.passed:
            points = mine.points if theirs is None else min(mine.points, theirs.points)
            grade.checks.append(CheckGrade(check.name, points, check.points, True, ""))
        else:
            grade.checks.append(CheckGrade(check.name, 0.0, check.points, False,
                                           _hidden_failure(theirs)))
    if other is None:
        grade.notes = list(learner.notes)
        grade.error = learner.stopped
    else:
        grade.notes = _merge_notes(learner.notes, other.notes)
        grade.error = _merge_errors(learner.stopped, other.stopped)
    return grade


def _hidden_failure(outcome: _Outcome) -> str:
    """The message of a check that passed on the learner's data but not on the hidden run."""
    if not outcome.reached:
        return ("passes on your data, but the run on another variant of the data did not get "
                f"to it ({outcome.message})")
    return HIDDEN_FAILED + (f" (on that variant: {outcome.message})" if outcome.message else "")


def _merge_notes(mine: list[str], theirs: list[str]) -> list[str]:
    """The notes of both runs; those of only one run say which."""
    common = [note for note in mine if note in theirs]
    merged = list(common)
    merged += [f"{LEARNER_RUN}: {note}" for note in mine if note not in common]
    merged += [f"{HIDDEN_RUN}: {note}" for note in theirs if note not in common]
    return merged


def _merge_errors(mine: str | None, theirs: str | None) -> str | None:
    if mine == theirs:
        return mine
    parts = [f"{LEARNER_RUN}: {mine}" if mine else None,
             f"{HIDDEN_RUN}: {theirs}" if theirs else None]
    return "; ".join(part for part in parts if part)


def grade_paths(paths: Sequence[str | os.PathLike[str]], checklist: Any = None, *,
                timeout: float = DEFAULT_TIMEOUT, jobs: int = 2, variant: int | None = None,
                hidden_variant: int | None = None, hidden: bool = True,
                notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
                sandbox: bool | None = True, require_sandbox: bool = False,
                on_result: Any = None) -> list[NotebookGrade]:
    """Grade notebooks (files or folders), ``jobs`` kernels at a time; results in order.

    Every notebook is read (and its bytes kept) before the first kernel starts. Each notebook
    runs in two kernels (its learner run and its hidden run, side by side when two of the
    ``jobs`` slots are free). ``variant``, ``hidden_variant``, ``hidden``,
    ``notebook_timeout`` and ``sandbox`` are as in :func:`grade_notebook`; with no
    ``hidden_variant``, each notebook gets its own. ``require_sandbox`` raises
    :class:`UsageError` when kernels cannot be isolated here. ``on_result(index, grade)`` is
    called as soon as each notebook's grade is known.
    """
    _check_times(timeout, notebook_timeout)
    notebooks = notebook_paths(paths)
    preload()
    _sandbox_binds()  # the synthetic series, made by the grader before any learner code
    status = sandbox_status(sandbox)
    if require_sandbox and not status.isolated:
        raise UsageError(f"the sandbox is required but {status.reason}: install bubblewrap "
                         "(Debian: apt-get install bubblewrap)")
    contents = [read_notebook(path) for path in notebooks]  # all read before any kernel
    variant = learner_variant() if variant is None else int(variant)
    if hidden and hidden_variant is not None and int(hidden_variant) == variant:
        raise UsageError(f"the hidden variant must differ from the learner's ({variant})")
    slots = threading.BoundedSemaphore(max(1, jobs))
    lock = threading.Lock()

    def one(index: int) -> NotebookGrade:
        path = notebooks[index]
        data, problem = contents[index]
        try:
            if problem is not None:
                exercise = (checklist.exercise if checklist is not None
                            else identify_exercise(path, None))
                listed = checklist if checklist is not None else _CHECKLISTS.get(exercise or "")
                if problem.startswith("cannot read"):
                    grade = NotebookGrade(str(path), exercise, error=problem)
                else:
                    grade = _zero(path, exercise, listed, problem, "not graded: " + problem)
                grade.variant = variant
                grade.isolated, grade.isolation = status.isolated, status.reason
            else:
                grade = grade_notebook(path, checklist, timeout=timeout, variant=variant,
                                       hidden_variant=hidden_variant, hidden=hidden,
                                       slots=slots, notebook_timeout=notebook_timeout,
                                       sandbox=sandbox, data=data)
        except Exception as error:  # a grader bug on one notebook must not lose the others
            grade = NotebookGrade(str(path), None, variant=variant,
                                  error=f"grader error: {type(error).__name__}: {error}")
        if on_result is not None:
            with lock:
                on_result(index, grade)
        return grade

    if jobs <= 1 or len(notebooks) <= 1:
        return [one(index) for index in range(len(notebooks))]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, range(len(notebooks))))


# --------------------------------------------------------------------------- reports

def report(grades: Sequence[NotebookGrade]) -> dict[str, Any]:
    """The grades as JSON-ready data (what ``--json`` writes)."""
    return {"notebooks": [grade.to_dict() for grade in grades],
            "points": float(sum(grade.points for grade in grades)),
            "max_points": float(sum(grade.max_points for grade in grades)),
            "full_marks": bool(grades) and all(grade.full_marks for grade in grades),
            "feedback_only": any(grade.feedback_only or not grade.isolated for grade in grades),
            "isolated": bool(grades) and all(grade.isolated for grade in grades)}


def classroom_result(grades: Sequence[NotebookGrade],
                     exercises: dict[str, Any] | None = None) -> dict[str, Any]:
    """The grades as a GitHub Classroom runner result (``--classroom``).

    This is the JSON that ``classroom-resources/autograding-grading-reporter`` reads,
    base64-encoded, from ``<RUNNER>_RESULTS``: one test per check of every exercise of the
    course (``exercises``, default: all of them), scored from the exercise's canonical
    notebook, the file named exactly ``NN_skill.ipynb`` (the first one given); copies under
    other names are graded and listed in the table but score nothing here. An exercise
    without its notebook scores 0, and the maximum is the course's.
    """
    exercises = preload() if exercises is None else exercises
    tests: list[dict[str, Any]] = []
    for name in sorted(exercises):
        canonical = next((grade for grade in grades if Path(grade.path).name == f"{name}.ipynb"
                          and grade.exercise == name), None)
        graded = ({check.name: check for check in canonical.checks}
                  if canonical is not None else {})
        for check in exercises[name]:
            result = graded.get(check.name)
            if result is None:
                message = f"no notebook {name}.ipynb was graded"
                passed, score = False, 0.0
            else:
                message = result.message or ""
                passed, score = result.passed, result.points
            tests.append({"name": clean(f"{name}: {check.name}", 120),
                          "status": "pass" if passed else "fail",
                          "score": _number(score), "message": clean(message), "line_no": 0,
                          "execution_time": "0s"})
    max_score = sum(checklist.max_points for checklist in exercises.values())
    return {"version": 1,
            "status": "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail",
            "max_score": _number(max_score), "tests": tests}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _pts(points: float, max_points: float) -> str:
    return f"{points:g}/{max_points:g}"


def _runs_line(grades: Sequence[NotebookGrade]) -> str:
    """The line under the table saying which data the notebooks ran on (no hidden variant)."""
    variants = sorted({grade.variant for grade in grades})
    data = (f"your data (variant {variants[0]})" if len(variants) == 1
            else f"your data (variants {', '.join(map(str, variants))})")
    if any(grade.feedback_only for grade in grades):
        return (f"Run once, on {data} only (--no-hidden): for feedback only, not a grade; "
                "values typed in by hand pass here.")
    return (f"Run twice, on {data} and on another variant of the data: a check earns its "
            "points only if it passes on both.")


def _isolation_line(grades: Sequence[NotebookGrade]) -> str:
    """The line saying whether the kernels ran in the sandbox."""
    loose = [grade for grade in grades if not grade.isolated]
    if loose:
        return "NOT ISOLATED: " + clean(NOT_ISOLATED.format(reason=loose[0].isolation or
                                                            "not used"), 400)
    return ("Isolated: each kernel ran in a bubblewrap sandbox (read-only install, no network, "
            "its own folder and processes, limits).")


def format_table(grades: Sequence[NotebookGrade]) -> str:
    """A table for people: one row per check, a total per notebook and overall."""
    rows: list[tuple[str, str, str, str, str]] = []
    for grade in grades:
        name = grade.shown_path
        if grade.exercise and Path(grade.path).stem != grade.exercise:
            name += f" [{grade.exercise}]"
        for check in grade.checks:
            rows.append((name, clean(check.name, 80), _pts(check.points, check.max_points),
                         "yes" if check.passed else "no", clean(check.message)))
        if grade.error:
            rows.append((name, "(problem)", "", "", clean(grade.error)))
        for note in grade.notes:
            rows.append((name, "(note)", "", "", clean(note)))
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
    if grades:
        lines += ["", _runs_line(grades), _isolation_line(grades)]
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line

def main(argv: Sequence[str] | None = None) -> int:
    """Command line; returns the exit status (0 full marks, 1 otherwise, 2 usage error)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grade",
        description="Grade exercise notebooks in fresh kernels against the course's checks, "
                    "on the learner's variant of the data and on a hidden one.")
    parser.add_argument("paths", nargs="+", help="notebooks, or folders of notebooks")
    parser.add_argument("--json", metavar="FILE", help="also write the grades as JSON to FILE")
    parser.add_argument("--classroom", metavar="FILE",
                        help="also write a GitHub Classroom result (autograding-grading-reporter "
                             "runner format): one test per check of every exercise")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per cell (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="kernels run at the same time (default 2; each notebook runs in "
                             "two)")
    parser.add_argument("--variant", metavar="VALUE",
                        help="the learner's variant of the data: a number, or a login that is "
                             "turned into one (default: $COURSE_UTILS_VARIANT, else 0)")
    parser.add_argument("--hidden-variant", type=int, metavar="N",
                        help="the variant of the second run (default: a random one, never the "
                             "learner's); for tests and reproducible re-grades")
    parser.add_argument("--no-hidden", action="store_true",
                        help="run each notebook once, on the learner's variant only: feedback, "
                             "not a grade (typed-in values pass)")
    parser.add_argument("--notebook-timeout", type=float, default=DEFAULT_NOTEBOOK_TIMEOUT,
                        metavar="SECONDS", help="time limit per run of a notebook, all cells "
                        f"together (default {DEFAULT_NOTEBOOK_TIMEOUT:g})")
    parser.add_argument("--require-sandbox", action="store_true",
                        help="fail (exit 2) unless the kernels can run in the bubblewrap "
                             "sandbox (implied when the environment has CI=true)")
    args = parser.parse_args(argv)
    for option, value in (("--timeout", args.timeout),
                          ("--notebook-timeout", args.notebook_timeout)):
        if not (math.isfinite(value) and value > 0):
            parser.error(f"{option} must be a finite number of seconds above 0")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.no_hidden and args.hidden_variant is not None:
        parser.error("--no-hidden and --hidden-variant exclude each other")
    if args.no_hidden and args.classroom:
        parser.error("--no-hidden grades for feedback only: it cannot write a Classroom result")
    if args.hidden_variant is not None and not 0 <= args.hidden_variant < VARIANT_RANGE:
        parser.error(f"--hidden-variant must be in [0, {VARIANT_RANGE})")
    require = args.require_sandbox or os.environ.get("CI", "").lower() == "true"
    try:
        outputs = _check_outputs(args.paths, [args.json, args.classroom])
        variant = learner_variant(args.variant)
        total = len(notebook_paths(args.paths))
        known: dict[int, NotebookGrade] = {}

        def on_result(index: int, grade: NotebookGrade) -> None:
            # Each notebook's result is on disk as soon as it is known.
            known[index] = grade
            try:
                _write_outputs(outputs, [known[i] for i in sorted(known)], len(known) == total)
            except OSError as error:
                print(f"warning: cannot write the results yet ({error})", file=sys.stderr)

        grades = grade_paths(args.paths, timeout=args.timeout, jobs=args.jobs, variant=variant,
                             hidden_variant=args.hidden_variant, hidden=not args.no_hidden,
                             notebook_timeout=args.notebook_timeout, require_sandbox=require,
                             on_result=on_result)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_table(grades))
    _write_outputs(outputs, grades, True)
    return 0 if report(grades)["full_marks"] else 1


def _check_outputs(inputs: Sequence[str], outputs: Sequence[str | None]) -> list[Path | None]:
    """The output paths, refused (UsageError) where one is a link, a folder, or an input."""
    notebooks = [Path(os.path.realpath(path)) for path in notebook_paths(inputs)]
    folders = [Path(os.path.realpath(path)) for path in inputs if Path(path).is_dir()]
    checked: list[Path | None] = []
    for output in outputs:
        if output is None:
            checked.append(None)
            continue
        path = Path(output)
        real = Path(os.path.realpath(path))
        if path.is_symlink() or path.is_dir():
            raise UsageError(f"{output}: an output must be a plain file path (not a link or "
                             "folder)")
        if real in notebooks or real.parent in folders and real.suffix == ".ipynb":
            raise UsageError(f"{output}: an output may not be one of the notebooks graded")
        if any(real == other for other in checked if other is not None):
            raise UsageError(f"{output}: given twice as an output")
        checked.append(real)
    return checked


def _write_outputs(outputs: Sequence[Path | None], grades: Sequence[NotebookGrade],
                   complete: bool) -> None:
    """(Re)write --json and --classroom atomically (a temporary file renamed over them)."""
    json_path, classroom_path = outputs
    if json_path is not None:
        data = report(grades)
        data["complete"] = complete
        _atomic_write(json_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    if classroom_path is not None:
        _atomic_write(classroom_path, json.dumps(classroom_result(grades), indent=1,
                                                 ensure_ascii=False) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
