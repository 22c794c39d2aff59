"""The grader under attack: notebooks made from the blank fixture exercise, each with one attack
from the grader issue, graded in one run next to a right notebook, in the sandbox.

For every attack: it scores what its honest code earns (0), the grader's outputs and the
learner's files are unchanged, the right notebook is still graded in full, and the run ends
within its limit. Attacks on the check code itself (a quadratic regex on an SVG, a deflated
DICOM) are run straight on the checks, without a kernel.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils import grade
from course_utils.grading import sandbox

ROOT = Path(__file__).resolve().parents[1]
GRADING = Path(__file__).resolve().parent / "grading"
CELL_TIMEOUT = 10.0
NOTEBOOK_TIMEOUT = 45.0
MARKER = "course-attack-survivor-7c1f"
# The child a kernel leaves behind: it forks again, leaves the session, and rewrites the
# grader's outputs (given as arguments) five times a second for two minutes.
CHILD = ("import os, sys, time\n"
         "if os.fork():\n    os._exit(0)\n"
         "os.setsid()\n"
         "for _ in range(600):\n"
         "    for p in sys.argv[2:]:\n"
         "        try:\n            open(p, 'w').write('{}')\n"
         "        except OSError:\n            pass\n"
         "    time.sleep(0.2)\n")

# On a machine without a working sandbox (a learner's laptop) these tests are skipped; in CI
# (CI=true) the sandbox is required, so they run and fail there if it does not work.
pytestmark = pytest.mark.skipif(not sandbox.check().isolated and os.environ.get("CI") != "true",
                                reason=f"no sandbox here: {sandbox.check().reason}")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


FIXTURE = _load("fixture_checks", GRADING / "fixture_checks.py")
CHECKS = FIXTURE.checks


def _notebook(attack: str, *extra_cells: str) -> nbformat.NotebookNode:
    """The blank fixture exercise with ``attack`` as its first task cell."""
    cells = [new_markdown_cell("# Fixture exercise", id="title"),
             new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\n"
                           "from fixture_checks import checks", id="setup"),
             new_markdown_cell("## Task 1: six times seven", id="heading-answer"),
             new_code_cell(attack, id="attack"),
             new_code_cell("answer = ...", id="task-answer"),
             new_code_cell("checks.answer_number()", id="check-answer_number"),
             new_markdown_cell("## Task 2: twice a range", id="heading-doubled"),
             new_code_cell("doubled = ...", id="task-doubled"),
             new_code_cell("checks.doubled_values()", id="check-doubled_values"),
             new_markdown_cell("## Task 3: a gray image", id="heading-gray"),
             new_code_cell("ax_gray = ...", id="task-gray"),
             new_code_cell("checks.gray_image()", id="check-gray_image")]
    cells += [new_code_cell(code, id=f"extra-{n}") for n, code in enumerate(extra_cells)]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def _attacks(folder: Path, outputs: list[Path]) -> dict[str, nbformat.NotebookNode]:
    import course_utils
    import numpy

    targets = [Path(numpy.__file__), Path(course_utils.__file__).parent / "checks/_registry.py",
               Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
               / "site-packages" / "sitecustomize.py"]
    others = sorted(str(path) for path in folder.glob("*.ipynb")) + [str(folder / "x.ipynb")]
    return {
        # A library's __init__.py, the checks' registry, a sitecustomize: all read-only.
        "site_packages": _notebook(
            f"for target in {[str(t) for t in targets]!r}:\n"
            "    try:\n"
            "        with open(target, 'a') as handle:\n"
            "            handle.write('\\nimport os; os._exit(0)\\n')\n"
            "    except OSError as error:\n"
            "        print(error)"),
        # A setsid child, double-forked, that outlives its kernel and rewrites the outputs.
        "setsid_child": _notebook(
            "import subprocess, sys\n"
            f"code = {CHILD!r}\n"
            f"subprocess.Popen(['setsid', sys.executable, '-c', code, {MARKER!r}, "
            f"*{[str(p) for p in outputs]!r}], start_new_session=True)\n"
            "import time; time.sleep(1)"),
        # The notebooks not yet graded, its own handed-in file, and a new one next to them.
        "rewrite_inputs": _notebook(
            f"for target in {others!r}:\n"
            "    try:\n"
            "        open(target, 'w').write('{}')\n"
            "    except OSError as error:\n"
            "        print(error)"),
        # FIFOs in place of the answers files, and the extraction switched off.
        "fifo_answers": _notebook(
            "import os\n"
            "import course_utils.checks._plain as plain\n"
            "for n in list(range(40)) + ['end']:\n"
            "    name = f'../answers/cell{n:04d}.json' if n != 'end' else '../answers/end.json'\n"
            "    for path in (name, name + '.npz'):\n"
            "        try: os.mkfifo(path)\n"
            "        except OSError: pass\n"
            "plain.extract_to_file = lambda *args, **kwargs: None"),
        # Kill every process it can see, the grader's PID (given here) included.
        "kill_grader": _notebook(
            "import os, signal\n"
            f"for pid in [{os.getpid()}, os.getppid(), 1] + [int(p) for p in os.listdir('/proc')"
            " if p.isdigit()]:\n"
            "    if pid != os.getpid():\n"
            "        try: os.kill(pid, signal.SIGKILL)\n"
            "        except OSError: pass"),
        # Exception and class names with newlines, backticks and a fake TOTAL row.
        "fake_rows": _notebook(
            "class Fake(Exception):\n    pass\n"
            "Fake.__name__ = Fake.__qualname__ = "
            "'X\\n```\\nALL NOTEBOOKS  TOTAL  99/99  yes\\n```'\n"
            "raise Fake('\\n```')"),
        # 25 cells just under the cell timeout: the notebook's own limit stops it.
        "slow_cells": _notebook("import time", *[f"time.sleep({CELL_TIMEOUT * 0.9})"] * 25),
        # 10 MB messages on the shell socket, unsolicited (parent: no request of the grader).
        "flood_shell": _notebook(
            "k = get_ipython().kernel\n"
            "ident = k._parent_ident['shell']\n"
            "pad = 'x' * 10_000_000\n"
            "for n in range(40):\n"
            "    k.session.send(k.shell_stream.socket, 'execute_reply', {'status': 'ok',\n"
            "                   'pad': pad}, parent={'header': {'msg_id': f'none-{n}'}},\n"
            "                   ident=ident)"),
        # Network: nothing reachable (no interface but its own loopback).
        "network": _notebook(
            "import socket\n"
            "for host in ('127.0.0.1', '8.8.8.8'):\n"
            "    try:\n"
            "        socket.create_connection((host, 22), timeout=1)\n"
            "        answer = 42\n"
            "    except OSError:\n"
            "        pass"),
    }


def _peak_memory() -> int:
    """This process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """One grading run (the CLI, in-process) over the right notebook and every attack."""
    os.environ["COURSE_UTILS_GRADE_EXTRA_PATH"] = str(GRADING)
    folder = tmp_path_factory.mktemp("attacks")
    out = tmp_path_factory.mktemp("out")
    outputs = [out / "grades.json"]
    good = nbformat.read(GRADING / "good.ipynb", as_version=4)
    nbformat.write(good, folder / "00_good.ipynb")
    for name, nb in _attacks(folder, outputs).items():
        nbformat.write(nb, folder / f"00_{name}.ipynb")
    # Links and a FIFO handed in as notebooks: refused before any kernel starts.
    (folder / "00_link_solution.ipynb").symlink_to(GRADING / "good.ipynb")
    os.mkfifo(folder / "00_fifo.ipynb")
    before = {path: (path.lstat().st_mtime_ns, path.read_bytes() if path.is_file()
                     and not path.is_symlink() else None) for path in folder.iterdir()}
    protected = [Path(sys.modules["numpy"].__file__),
                 Path(grade.__file__).parent / "checks/_registry.py"]
    protected_before = {path: path.read_bytes() for path in protected}
    peak_before = _peak_memory()
    started = time.monotonic()
    grades = grade.grade_paths([folder], CHECKS, timeout=CELL_TIMEOUT, jobs=2, variant=3,
                               notebook_timeout=NOTEBOOK_TIMEOUT, require_sandbox=True)
    elapsed = time.monotonic() - started
    peak_growth = _peak_memory() - peak_before
    grade._write_outputs([outputs[0], None], grades, True)
    written = outputs[0].read_bytes()
    time.sleep(1.5)  # a survivor would rewrite the outputs by now
    survivors = []
    for entry in Path("/proc").iterdir():
        try:
            if MARKER.encode() in (entry / "cmdline").read_bytes():
                survivors.append(entry.name)
        except OSError:
            continue
    return {"grades": {Path(g.path).stem[3:]: g for g in grades}, "elapsed": elapsed,
            "peak_growth": peak_growth,
            "folder": folder, "before": before, "outputs": outputs, "written": written,
            "survivors": survivors, "protected": protected_before,
            "table": grade.format_table(grades), "json": json.dumps(grade.report(grades))}


def test_the_right_notebook_is_graded_in_full_next_to_the_attacks(attacked):
    good = attacked["grades"]["good"]
    assert good.full_marks and good.points == 4.0 and good.isolated, good


@pytest.mark.parametrize("name", ["site_packages", "setsid_child", "rewrite_inputs",
                                  "fifo_answers", "kill_grader", "fake_rows", "slow_cells",
                                  "network", "flood_shell", "link_solution", "fifo"])
def test_attack_scores_what_its_honest_code_earns(attacked, name):
    assert attacked["grades"][name].points == 0.0, grade.format_table([attacked["grades"][name]])


def test_read_only_install_site_packages_write_changes_nothing(attacked):
    for path, data in attacked["protected"].items():
        assert path.read_bytes() == data, f"{path} was changed"


def test_nothing_outlives_its_kernel_and_the_outputs_stay_as_written(attacked):
    assert attacked["survivors"] == []
    assert attacked["outputs"][0].read_bytes() == attacked["written"]


def test_the_learners_files_are_unchanged_and_nothing_was_added(attacked):
    folder = attacked["folder"]
    assert set(folder.iterdir()) == set(attacked["before"])
    for path, (mtime, data) in attacked["before"].items():
        assert path.lstat().st_mtime_ns == mtime, path.name
        if data is not None:
            assert path.read_bytes() == data, path.name


def test_links_and_fifos_are_refused_before_any_kernel(attacked):
    assert "symbolic link" in attacked["grades"]["link_solution"].error
    assert "not a regular file" in attacked["grades"]["fifo"].error


def test_answers_files_that_are_fifos_are_not_read(attacked):
    notebook = attacked["grades"]["fifo_answers"]
    assert all("could not be read" in c.message or "not reached" in c.message
               or "still" in c.message for c in notebook.checks), grade.format_table([notebook])


def test_the_notebook_time_limit_stops_slow_cells_and_the_run_ends_in_time(attacked):
    notebook = attacked["grades"]["slow_cells"]
    assert "limit (all cells together)" in (notebook.error or ""), notebook
    # Two notebooks at a time (two kernels each), 11 notebooks: far below 25 x 9 s.
    assert attacked["elapsed"] < 6 * NOTEBOOK_TIMEOUT + 120


def test_kernel_text_cannot_add_rows_or_fences(attacked):
    table, data = attacked["table"], attacked["json"]
    assert "```" not in table and "```" not in data
    assert "99/99" not in "\n".join(line for line in table.splitlines()
                                    if line.startswith("ALL NOTEBOOKS"))
    rows = [line for line in table.splitlines() if "99/99" in line]
    assert all(not line.startswith("ALL NOTEBOOKS") for line in rows)
    assert all(len(line) < 600 for line in table.splitlines())


def test_unsolicited_huge_shell_messages_do_not_grow_the_grader(attacked):
    # 40 x 10 MB were sent: at most a few messages are ever queued or held.
    assert attacked["peak_growth"] < 400 * 2**20, attacked["peak_growth"]


def test_the_grader_survives_a_kernel_that_kills_every_pid_it_sees(attacked):
    assert attacked["grades"]["kill_grader"].checks  # graded; and this process is alive


# ------------------------------------------------------------------ attacks on the checks

def test_quadratic_regex_svg_is_checked_in_linear_time(tmp_path):
    from course_utils.checks import _plain, for_exercise

    svg = tmp_path / "figure.svg"
    svg.write_text("<svg" * 100_000 + " width=\"" + "1" * 100_000)  # 500 kB, no closing >
    check = for_exercise("10_publication_figures")["export_svg"]
    token = _plain._BASE_DIR.set(tmp_path)
    try:
        started = time.monotonic()
        result = check.verify({"svg_path": str(svg)}, variant=0)
        assert time.monotonic() - started < 2.0
    finally:
        _plain._BASE_DIR.reset(token)
    assert not result.passed


def _dicom(tmp_path: Path, syntax: str, rows: int = 4, frames: int = 1) -> Path:
    import numpy as np
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = FileDataset("x.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = rows, 4, 16, 16, 15
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = np.zeros((4, 4), np.uint16).tobytes()
    path = tmp_path / f"anon_{syntax[-4:]}_{rows}.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_deflated_dicom_is_refused_before_it_is_inflated(tmp_path):
    from course_utils.checks import _plain, for_exercise

    check = for_exercise("01_dicom_basics")["written_file"]
    deflated = _dicom(tmp_path, "1.2.840.10008.1.2.1.99")
    huge = _dicom(tmp_path, "1.2.840.10008.1.2.1", rows=65535, frames=65535)
    token = _plain._BASE_DIR.set(tmp_path)
    try:
        result = check.verify({"anon_path": str(deflated), "ds": None}, variant=0)
        assert not result.passed and "transfer syntax" in result.message, result
        result = check.verify({"anon_path": str(huge), "ds": None}, variant=0)
        assert not result.passed and "declares" in result.message, result
    finally:
        _plain._BASE_DIR.reset(token)


def test_a_fifo_or_link_is_never_opened_by_a_check(tmp_path):
    from course_utils.checks import _plain, for_exercise

    os.mkfifo(tmp_path / "figure.png")
    (tmp_path / "link.png").symlink_to(ROOT / "README.md")
    check = for_exercise("10_publication_figures")["export_png"]
    token = _plain._BASE_DIR.set(tmp_path)
    try:
        for name in ("figure.png", "link.png", str(ROOT / "README.md") + ".png"):
            started = time.monotonic()
            result = check.verify({"png_path": name}, variant=0)
            assert not result.passed and time.monotonic() - started < 2.0, result
    finally:
        _plain._BASE_DIR.reset(token)


# ------------------------------------------------------------------ the command line

@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_timeouts_must_be_finite_and_positive(value, capsys):
    for option in ("--timeout", "--notebook-timeout"):
        with pytest.raises(SystemExit) as exit_info:
            grade.main([str(GRADING / "good.ipynb"), option, value])
        assert exit_info.value.code == 2


def test_an_output_may_not_be_an_input(tmp_path):
    notebook = tmp_path / "00_fixture.ipynb"
    notebook.write_bytes((GRADING / "good.ipynb").read_bytes())
    before = notebook.read_bytes()
    assert grade.main([str(tmp_path), "--json", str(notebook)]) == 2
    assert grade.main([str(notebook), "--classroom", str(notebook)]) == 2
    assert notebook.read_bytes() == before


def test_a_missing_sandbox_is_an_error_in_ci(monkeypatch, capsys):
    monkeypatch.setattr(grade, "sandbox_status",
                        lambda sandbox=True: sandbox_module_status(False, "bwrap missing"))
    monkeypatch.setenv("CI", "true")
    assert grade.main([str(GRADING / "good.ipynb")]) == 2
    assert "sandbox is required" in capsys.readouterr().err


def sandbox_module_status(isolated: bool, reason: str):
    return sandbox.Status(isolated, reason)


def test_the_kernel_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("GITHUB_ENV", "/x")
    monkeypatch.setenv("ACTIONS_RUNTIME_TOKEN", "secret")
    monkeypatch.setenv("RUNNER_TEMP", "/y")
    env = sandbox.kernel_environment({"COURSE_UTILS_VARIANT": "5"}, True)
    assert env["COURSE_UTILS_VARIANT"] == "5"
    assert not [key for key in env if key.startswith(("GITHUB_", "ACTIONS_", "RUNNER_"))]
    # the interpreter's own folder (a .venv inside the checkout) is mounted read-only and on
    # PATH; nothing else of the course checkout is named
    interpreter = str(Path(sys.executable).parent)
    assert not any(str(ROOT) in value.replace(interpreter, "") for value in env.values())


def _marked() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if MARKER.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found


def test_a_setsid_double_fork_child_dies_with_its_sandbox(tmp_path):
    """The mechanism itself: a child that left the kernel's session is alive while the sandbox
    is, and gone once the sandbox's outer process is killed (as the grader kills a kernel)."""
    import signal
    import subprocess

    run, work = tmp_path / "run", tmp_path / "run" / "work"
    work.mkdir(parents=True)
    uid = sandbox.sandbox_uid()
    for path in (run, work):
        grade._give(path, uid)
    spawn = ("import subprocess, sys, time\n"
             f"subprocess.Popen(['setsid', sys.executable, '-c', {CHILD!r}, {MARKER!r}],"
             " start_new_session=True)\ntime.sleep(60)")
    command, env = sandbox.kernel_command([sys.executable, "-c", spawn], run, work, {},
                                          isolated=True, uid=uid)
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not _marked() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _marked(), "the child never started"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 5
        while _marked() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _marked() == []
    finally:
        if process.poll() is None:
            process.kill()
        sandbox.kill_uid(uid)


def test_everything_the_checks_import_is_imported_before_any_kernel():
    """Every module a check module imports inside a function (when a check first runs) is
    already imported by preload: learner code never decides what the grader imports."""
    import re

    grade.preload()
    lazy = set()
    for path in (Path(grade.__file__).parent / "checks").glob("ex*.py"):
        for match in re.finditer(r"^\s+(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))",
                                 path.read_text(), re.MULTILINE):
            lazy.add(match.group(1) or match.group(2))
    missing = sorted(name for name in lazy if name not in sys.modules)
    assert not missing, missing


PROBE = r"""
import json, os, resource, socket, sys
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
              if ":\t" in line)
def writable(path):
    try:
        with open(path, "a"):
            return True
    except OSError:
        return False
print(json.dumps({
    "uid": os.getuid(), "cap_eff": status["CapEff"].strip(),
    "no_new_privs": status.get("NoNewPrivs", "").strip(),
    "env": sorted(os.environ), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "interfaces": [name for _, name in socket.if_nameindex()],
    "limits": {name: resource.getrlimit(getattr(resource, name))[0] for name in
               ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CPU", "RLIMIT_NPROC")},
    "write_usr": writable(sys.executable), "write_package": writable(sys.argv[1]),
    "sees": [path for path in sys.argv[2:] if os.path.exists(path)],
    "write_cwd": writable("probe.txt"),
}))
"""


def test_the_sandbox_is_what_the_readme_says(tmp_path, monkeypatch):
    import subprocess

    import course_utils

    monkeypatch.setenv("GITHUB_ENV", "/x")
    monkeypatch.setenv("RUNNER_TEMP", "/y")
    run, work = tmp_path / "run", tmp_path / "run" / "work"
    work.mkdir(parents=True)
    uid = sandbox.sandbox_uid()
    for path in (run, work):
        grade._give(path, uid)
    package = Path(course_utils.__file__).resolve().parent
    (tmp_path / "grades.json").write_text("{}")  # the grader's output, next to the run folder
    hidden = [str(ROOT / "solutions"), str(ROOT / "tests"), str(tmp_path / "grades.json"),
              str(Path.home() / ".cache")]
    command, env = sandbox.kernel_command(
        [sys.executable, "-c", PROBE, "/opt/course_utils/course_utils/__init__.py", *hidden],
        run, work, {"COURSE_UTILS_VARIANT": "9"}, isolated=True, uid=uid)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    sandbox.kill_uid(uid)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["cap_eff"] == "0000000000000000"
    assert seen["write_usr"] is False and seen["write_package"] is False
    assert seen["write_cwd"] is True
    assert seen["sees"] == [], seen["sees"]
    assert seen["interfaces"] == ["lo"]
    assert len(seen["pids"]) <= 3  # bwrap's init and the probe: not the grader's processes
    assert "COURSE_UTILS_VARIANT" in seen["env"]
    assert not [key for key in seen["env"] if key.startswith(("GITHUB_", "ACTIONS_", "RUNNER_"))]
    limits = seen["limits"]
    assert limits["RLIMIT_AS"] == 4 * 2**30 and limits["RLIMIT_FSIZE"] == 512 * 2**20
    assert limits["RLIMIT_NOFILE"] == 1024 and 0 < limits["RLIMIT_CPU"] < 10**6
    if uid is not None:  # root: a uid of its own, where RLIMIT_NPROC counts
        assert seen["uid"] == uid and seen["no_new_privs"] == "1"
        assert limits["RLIMIT_NPROC"] == 256
    assert package.is_dir()


def test_each_result_is_written_as_soon_as_it_is_known(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "00_a.ipynb").write_text("not json")
    (folder / "00_b.ipynb").write_text("{}")
    out = tmp_path / "grades.json"
    seen = []

    def on_result(index, result):
        grade._write_outputs([out, None], [result], False)
        seen.append(json.loads(out.read_text()))

    grades = grade.grade_paths([folder], CHECKS, jobs=1, on_result=on_result)
    assert [len(data["notebooks"]) for data in seen] == [1, 1]
    assert all(data["complete"] is False for data in seen)
    assert [Path(data["notebooks"][0]["path"]).name for data in seen] == ["00_a.ipynb",
                                                                          "00_b.ipynb"]
    grade._write_outputs([out, None], grades, True)
    assert json.loads(out.read_text())["complete"] is True
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".grades.json-")]


def test_an_install_under_tmp_is_mounted_over_the_private_tmp(tmp_path):
    """A CI checkout under /tmp holds the venv: its bind must come after the private /tmp."""
    command, _ = sandbox.kernel_command(["python"], tmp_path, tmp_path, {}, isolated=True,
                                        uid=None)
    tmpfs = command.index("--tmpfs")
    binds = [i for i, arg in enumerate(command[:-1])
             if arg == "--ro-bind" and command[i + 1] == os.path.realpath(sys.prefix)]
    assert binds and min(binds) > tmpfs, "the interpreter is bound before the private /tmp"
