"""The GitHub Classroom workflow (.github/workflows/classroom.yml), exercised here.

It cannot run on GitHub from the course's machines, so these tests do what it does:

- the wheel of the course is built and installed, with the lean grading requirements, into a
  fresh virtual environment, which grades a solution at full marks with ``python -I``;
- the workflow's ``run:`` blocks run in order, with the files and variables a runner sets
  (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, RUNNER_TEMP...) and its
  ``${{ ... }}`` expressions substituted, on a learner repository made here; the steps that
  only use an action are simulated (the sparse checkouts copy the paths they name, setup-python
  puts the fresh environment first on PATH, `sudo` is a stand-in that resets the environment
  like sudo and skips apt-get, bubblewrap being installed already);
- the job summary, the outputs the report job reads and the reporter's ``NOTEBOOKS_RESULTS``
  JSON are checked against the reporter's own arithmetic (v1: the table's score is
  passed / tests x max_score, the "Points" annotation the sum of the scores);
- the COURSE_REF guard, and that no step of the grading job can see solutions/.

The fresh environment is installed from a wheelhouse of the pinned requirements, downloaded
once from the package index into ~/.cache/course_utils (or $COURSE_UTILS_WHEELHOUSE).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "classroom.yml"
LEAN = REPO / "requirements-grading.txt"
SOLVED = "01_dicom_basics"          # the exercise the test learner has solved
REPORTER = "classroom-resources/autograding-grading-reporter"


def _workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


# --------------------------------------------------------------------------- static checks

def test_lean_requirements_are_pinned_like_the_full_set():
    lean, full = _pins(LEAN), _pins(REPO / "requirements.txt")
    assert lean and all(full.get(name) == version for name, version in lean.items()), (
        {name: (version, full.get(name)) for name, version in lean.items()
         if full.get(name) != version})
    for heavy in ("jupyter-book", "sphinx", "selenium", "simpleitk", "pytest", "jupyterlab",
                  "nbval", "nbconvert"):
        assert heavy not in lean
    lines = [line for line in LEAN.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert all("==" in line for line in lines), "every grading requirement has an exact pin"


def test_jobs_are_separate_and_the_reporter_reads_job_outputs():
    workflow = _workflow()
    assert workflow["permissions"] == {}
    grade, report = workflow["jobs"]["grade"], workflow["jobs"]["report"]
    assert grade["permissions"] == {"contents": "read"}
    assert report["permissions"] == {}
    assert "checks" not in json.dumps(workflow["permissions"]) + json.dumps(grade["permissions"])
    assert report["needs"] == "grade"
    assert report["if"].split("&&")[0].strip() == "always()"
    # the same conditions as the grading job, on top of always()
    assert grade["if"].strip() in report["if"].replace("\n", " ")
    assert grade["outputs"] == {"result": "${{ steps.notebooks.outputs.result }}",
                                "zero": "${{ steps.zero.outputs.result }}"}
    ids = [step.get("id") for step in grade["steps"]]
    assert "notebooks" in ids and "zero" in ids
    (step,) = report["steps"]
    action, _, ref = step["uses"].partition("@")
    assert action == REPORTER and re.fullmatch(r"[0-9a-f]{40}", ref), "pinned by commit"
    runners = step["with"]["runners"].split(",")
    # the reporter reads process.env[`${runner.trim().toUpperCase()}_RESULTS`]
    assert sorted(step["env"]) == sorted(f"{r.strip().upper()}_RESULTS" for r in runners)
    assert runners == ["notebooks"]
    expression = " ".join(step["env"]["NOTEBOOKS_RESULTS"].split())
    assert expression == ("${{ (needs.grade.result == 'success' && needs.grade.outputs.result) "
                          "|| needs.grade.outputs.zero || env.NO_RESULT }}")
    # nothing of the grading job's environment or files is read by the report job
    assert "steps." not in json.dumps(report) and "GITHUB_ENV" not in json.dumps(report)
    fallback = json.loads(base64.b64decode(report["env"]["NO_RESULT"]))
    assert fallback["status"] == "fail" and sum(t["score"] for t in fallback["tests"]) == 0
    assert fallback["max_score"] > 0   # the reporter posts no annotation for max_score 0


def test_the_grading_step_runs_the_isolated_grader_in_the_sandbox():
    steps = {step.get("id"): step for step in _workflow()["jobs"]["grade"]["steps"]}
    script = steps["notebooks"]["run"]
    assert "-I -m course_utils.grade" in script and "--require-sandbox" in script
    assert "::stop-commands::" in script
    install = next(step["run"] for step in _workflow()["jobs"]["grade"]["steps"]
                   if "pip install" in step.get("run", ""))
    assert "apt-get install -y -q --no-install-recommends bubblewrap" in install
    assert "requirements-grading.txt" in install and "requirements.txt " not in install
    assert "--no-deps ./course" in install


def test_the_course_checkout_is_sparse_and_blob_less():
    steps = _workflow()["jobs"]["grade"]["steps"]
    course = next(step for step in steps if step.get("with", {}).get("path") == "course")
    assert course["with"]["filter"] == "blob:none"
    assert course["with"]["sparse-checkout-cone-mode"] is False
    paths = course["with"]["sparse-checkout"].split()
    assert paths == ["/course_utils/", "/pyproject.toml", "/README.md", "/LICENSE",
                     "/requirements-grading.txt"]
    learner = next(step for step in steps if step.get("with", {}).get("path") == "learner")
    assert learner["with"]["sparse-checkout"].split() == ["/exercises/"]
    for step in (course, learner):
        assert step["with"]["persist-credentials"] is False


# --------------------------------------------------------------------------- COURSE_REF guard

def _guard_script() -> str:
    return _workflow()["jobs"]["grade"]["steps"][0]["run"]


@pytest.mark.parametrize("ref, ok", [
    ("main", False), ("master", False), ("", False), ("v1.0", False),
    ("0123456789abcdef0123456789abcdef0123abcd", True),
    ("0123456789ABCDEF0123456789ABCDEF0123ABCD", False),       # not how git writes a SHA
    ("0123456789abcdef", False),                              # abbreviated
    ("refs/tags/v1.0", True), ("refs/tags/2025-spring", True),
    ("refs/tags/", False), ("refs/tags/../heads/main", False), ("refs/heads/main", False),
    ("refs/tags/v1 main", False), ("refs/tags/x.lock", False),
])
def test_course_ref_guard(tmp_path, ref, ok):
    env = {"PATH": os.environ["PATH"], "COURSE_REF": ref}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", _guard_script()],
                          env=env, capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr


def test_the_placeholder_course_ref_is_refused():
    ref = _workflow()["env"]["COURSE_REF"]
    done = subprocess.run(["bash", "-e", "-c", _guard_script()], capture_output=True,
                          env={"PATH": os.environ["PATH"], "COURSE_REF": ref}, text=True)
    assert done.returncode != 0 and "COURSE_REF" in done.stdout


# --------------------------------------------------------------------------- fresh environment

def _wheelhouse() -> Path:
    digest = hashlib.sha256(LEAN.read_bytes()).hexdigest()[:12]
    root = Path(os.environ.get("COURSE_UTILS_WHEELHOUSE")
                or Path.home() / ".cache" / "course_utils" / f"wheelhouse-{digest}")
    marker = root / ".complete"
    if not marker.exists():
        root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(root),
                               "-r", str(LEAN), "setuptools>=77"],
                              capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"the grading requirements could not be downloaded: {done.stderr[-500:]}")
        marker.write_text("ok\n")
    return root


@pytest.fixture(scope="module")
def fresh_env():
    """A virtual environment with only the lean grading requirements (no course_utils).

    Made outside /tmp: the sandbox gives each kernel a private /tmp, which would hide a Python
    installed there (on GitHub the Python is in /opt/hostedtoolcache).
    """
    wheelhouse = _wheelhouse()
    root = Path(tempfile.mkdtemp(prefix="course-classroom-", dir="/var/tmp"))
    os.chmod(root, 0o755)
    try:
        base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
        subprocess.run([base, "-m", "venv", str(root / "venv")], check=True, timeout=300)
        python = root / "venv" / "bin" / "python"
        pip_env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
        pip_env.pop("PYTHONPATH", None)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(LEAN)],
                       check=True, env=pip_env, timeout=600)
        yield {"python": python, "wheelhouse": wheelhouse, "pip_env": pip_env, "root": root}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "COURSE_UTILS", "GITHUB_", "RUNNER_"))}
    env.update(extra or {})
    return env


def _sandbox_flag() -> list[str]:
    return ["--require-sandbox"] if shutil.which("bwrap") else []


@pytest.mark.slow
def test_the_wheel_installs_whole_and_grades_a_solution_with_python_isolated(fresh_env,
                                                                           tmp_path):
    started = time.monotonic()
    python, pip_env = fresh_env["python"], fresh_env["pip_env"]
    source = tmp_path / "source"      # what the workflow checks out: no solutions/, no tests/
    _sparse_copy(REPO, source, ["/course_utils/", "/pyproject.toml", "/README.md", "/LICENSE",
                                "/requirements-grading.txt"])
    subprocess.run([str(python), "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(source)], check=True, env=pip_env, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("course_utils-*.whl")
    with zipfile.ZipFile(wheel) as packed:
        names = packed.namelist()
    for needed in ("course_utils/grade.py", "course_utils/checks/__init__.py",
                   "course_utils/checks/_plain.py", "course_utils/checks/ex12_capstone.py",
                   "course_utils/grading/sandbox.py"):
        assert needed in names, f"{needed} is not in the wheel"
    assert any(name.endswith(".mplstyle") for name in names)
    assert not any(part in ("solutions", "tests") for name in names
                   for part in Path(name).parts)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, env=pip_env, timeout=300)
    work = tmp_path / "work"          # graded from a folder that has no course files
    work.mkdir()
    shutil.copy(REPO / "solutions" / f"{SOLVED}.ipynb", work / f"{SOLVED}.ipynb")
    done = subprocess.run([str(python), "-I", "-m", "course_utils.grade", f"{SOLVED}.ipynb",
                           *_sandbox_flag(), "--json", "grades.json"], cwd=work,
                          env=_clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    grades = json.loads((work / "grades.json").read_text())
    assert grades["points"] == grades["max_points"] > 0 and grades["full_marks"]
    located = subprocess.run([str(python), "-I", "-c",
                              "import course_utils; print(course_utils.__file__)"],
                             cwd=work, env=_clean_env(), capture_output=True, text=True)
    assert located.stdout.startswith(str(fresh_env["root"])), located.stdout
    print(f"wheel test: {time.monotonic() - started:.0f} s")


# --------------------------------------------------------------------------- the workflow, run

def _sparse_copy(source: Path, target: Path, patterns: list[str]) -> None:
    """What a non-cone sparse checkout of ``patterns`` (``/dir/``, ``/file``) leaves."""
    target.mkdir(parents=True, exist_ok=True)
    for pattern in patterns:
        path = source / pattern.strip("/")
        if path.is_dir():
            shutil.copytree(path, target / pattern.strip("/"),
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy(path, target / pattern.strip("/"))


def _learner_repository(root: Path) -> Path:
    """A learner's repository: the blank exercises, one of them solved (the solution copied)."""
    repo = root / "learner-repo"
    (repo / "exercises").mkdir(parents=True)
    for blank in sorted((REPO / "exercises").glob("*.ipynb")):
        shutil.copy(blank, repo / "exercises" / blank.name)
    shutil.copy(REPO / "solutions" / f"{SOLVED}.ipynb", repo / "exercises" / f"{SOLVED}.ipynb")
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, repo / ".github" / "workflows" / "classroom.yml")
    (repo / "README.md").write_text("my exercises\n")
    return repo


SUDO = """#!/bin/sh
# Stand-in for sudo in the test: no apt-get (bubblewrap is installed here), and the
# environment reset as sudo resets it (GITHUB_* and the rest stay behind).
[ "$1" = "--" ] && shift
case "$1" in apt-get) echo "(test) skipped: sudo $*"; exit 0 ;; esac
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \\
    LANG=C.UTF-8 "$@"
"""


def _substitute(text: Any, context: dict[str, str]) -> Any:
    if not isinstance(text, str):
        return text

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in context, f"no value for ${{{{ {expression} }}}} in the test"
        return context[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text, flags=re.S)


def _read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            outputs[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            outputs[key] = value
        i += 1
    return outputs


def _solution_digests() -> set[str]:
    return {hashlib.sha256(path.read_bytes()).hexdigest()
            for path in (REPO / "solutions").glob("*.ipynb")}


def _visible_solutions(roots: list[Path], allowed: Path) -> list[str]:
    """Paths under ``roots`` named solutions/ or holding a solution notebook's bytes (other
    than the learner's own exercises/, where the test learner put a solution on purpose)."""
    digests = _solution_digests()
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if allowed in path.parents:
                continue
            if path.name == "solutions":
                found.append(str(path))
            elif path.is_file() and path.suffix == ".ipynb" and \
                    hashlib.sha256(path.read_bytes()).hexdigest() in digests:
                found.append(str(path))
    return found


def _run_grading_job(fresh_env, root: Path, course_ref: str) -> dict[str, Any]:
    """Run the grade job's steps like a runner would; returns what the report job gets."""
    workflow = _workflow()
    job = workflow["jobs"]["grade"]
    learner = _learner_repository(root)
    workspace, runner_temp, stub = root / "workspace", root / "runner_temp", root / "stub"
    for folder in (workspace, runner_temp, stub):
        folder.mkdir()
    (stub / "sudo").write_text(SUDO)
    (stub / "sudo").chmod(0o755)
    for folder in (workspace, runner_temp, root):
        os.chmod(folder, 0o755)
    env_file = runner_temp / "_runner_file_commands" / "set_env"
    env_file.parent.mkdir()
    env_file.touch()
    path = os.environ["PATH"]
    context = {"runner.temp": str(runner_temp), "github.actor": "octo-learner",
               "github.repository": "medviz-course/assignment-octo-learner",
               "github.workspace": str(workspace)}
    base = _clean_env({
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ENV": str(env_file), "GITHUB_ACTOR": "octo-learner",
        "GITHUB_REPOSITORY": context["github.repository"], "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux", "ACTIONS_RUNTIME_TOKEN": "not-a-token",
        # the package index, as the runner reaches it: here the test's wheelhouse
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(fresh_env["wheelhouse"]),
    })
    env_vars = {**workflow.get("env", {}), "COURSE_REF": course_ref}
    for key, value in env_vars.items():
        context[f"env.{key}"] = str(value)
    steps_outputs: dict[str, dict[str, str]] = {}
    summaries: dict[str, str] = {}
    log: list[str] = []
    status = "success"
    for number, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses")
        if status != "success" and "always()" not in str(step.get("if", "")):
            continue
        with_ = {key: _substitute(value, context) for key, value in step.get("with", {}).items()}
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action == "actions/checkout":
                source = learner if with_["path"] == "learner" else REPO
                _sparse_copy(source, workspace / with_["path"],
                             with_["sparse-checkout"].split())
            elif action == "actions/setup-python":
                path = f"{fresh_env['python'].parent}:{path}"
            continue
        for key, value in (workflow.get("env", {}) | job.get("env", {})).items():
            context[f"env.{key}"] = _substitute(str(value), context)
        output = runner_temp / "_runner_file_commands" / f"set_output_{number}"
        summary = runner_temp / "_runner_file_commands" / f"step_summary_{number}"
        output.touch()
        summary.touch()
        env = {**base, **{key: str(v) for key, v in env_vars.items()},
               **{key: _substitute(str(v), context) for key, v in step.get("env", {}).items()},
               "PATH": f"{stub}:{path}", "GITHUB_OUTPUT": str(output),
               "GITHUB_STEP_SUMMARY": str(summary)}
        cwd = Path(_substitute(step.get("working-directory", str(workspace)), context))
        done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c",
                               _substitute(step["run"], context)],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        log.append(f"--- {name} (exit {done.returncode})\n{done.stdout}\n{done.stderr}")
        if step.get("id"):
            steps_outputs[step["id"]] = _read_outputs(output)
            for key, value in steps_outputs[step["id"]].items():
                context[f"steps.{step['id']}.outputs.{key}"] = value
        summaries[name] = summary.read_text()
        # (d) after every step: no solutions/ and no solution notebook where this job can look
        visible = _visible_solutions([workspace, runner_temp], workspace / "learner" / "exercises")
        assert not visible, f"after step {name!r}: {visible}"
        if done.returncode != 0:
            status = "failure"
    final = dict(context)
    for sid in ("notebooks", "zero"):       # a step that never ran has no outputs
        final.setdefault(f"steps.{sid}.outputs.result", "")
    outputs = {key: _substitute(value, final) for key, value in job["outputs"].items()}
    return {"result": status, "outputs": outputs, "summaries": summaries, "log": "\n".join(log),
            "workspace": workspace, "runner_temp": runner_temp}


def _reporter_input(job: dict[str, Any]) -> dict[str, Any]:
    """What the report job hands the reporter: its NOTEBOOKS_RESULTS expression, evaluated."""
    report = _workflow()["jobs"]["report"]
    outputs = job["outputs"]
    value = ((job["result"] == "success" and outputs["result"]) or outputs["zero"]
             or report["env"]["NO_RESULT"])
    return json.loads(base64.b64decode(value))


def _reporter_arithmetic(results: dict[str, Any]) -> tuple[float, float, float]:
    """(table score, annotation points, max) as the reporter v1 computes them."""
    tests = results["tests"]
    table = sum(t["status"] == "pass" for t in tests) / len(tests) * (results["max_score"] or 0)
    points = sum(t["score"] for t in tests)
    return table, points, results["max_score"]


def _course_points() -> tuple[float, float]:
    code = ("import json; from course_utils.grade import preload; e = preload(); "
            f"print(json.dumps([e[{SOLVED!r}].max_points, "
            "sum(c.max_points for c in e.values())]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    solved, total = json.loads(done.stdout)
    return solved, total


@pytest.mark.slow
def test_the_workflow_steps_run_in_order_and_report_the_grade(fresh_env, tmp_path):
    if not shutil.which("bwrap") and os.environ.get("CI") != "true":
        pytest.skip("the workflow grades in the bubblewrap sandbox only")
    started = time.monotonic()
    job = _run_grading_job(fresh_env, tmp_path, "0123456789abcdef0123456789abcdef0123abcd")
    assert job["result"] == "success", job["log"]
    solved, total = _course_points()
    # the job summary: the grader's table, every line indented (an indented code block)
    (summary,) = [text for text in job["summaries"].values() if text]
    assert summary.startswith("## Exercise grades\n")
    table = summary.split("\n", 2)[2]
    assert all(line.startswith("    ") for line in table.splitlines() if line)
    assert re.search(rf"exercises/{SOLVED}\.ipynb\s+TOTAL\s+{solved:g}/{solved:g}\s+yes", table)
    assert re.search(r"ALL NOTEBOOKS\s+TOTAL\s+" + rf"{solved:g}/", table)
    assert "```" not in summary
    # the log: fenced against workflow commands
    assert re.search(r"::stop-commands::([0-9a-f]{32})\n(.|\n)*::\1::", job["log"])
    # the outputs the report job reads, and what the reporter makes of them
    results = _reporter_input(job)
    assert results["max_score"] == total
    assert all(t["score"] in (0, 1) for t in results["tests"]), "one test per point"
    assert len(results["tests"]) == total
    table_score, points, maximum = _reporter_arithmetic(results)
    assert table_score == points == solved and maximum == total
    solved_tests = [t for t in results["tests"] if t["name"].startswith(f"{SOLVED}: ")]
    assert solved_tests and all(t["status"] == "pass" for t in solved_tests)
    assert all(t["status"] == "fail" for t in results["tests"] if t not in solved_tests)
    assert results["status"] == "fail"       # the reporter fails its step: points are missing
    zero = json.loads(base64.b64decode(job["outputs"]["zero"]))
    assert zero["max_score"] == total and _reporter_arithmetic(zero)[:2] == (0, 0)
    assert [t["name"] for t in zero["tests"]] == [t["name"] for t in results["tests"]]
    # the runner's files were not changed by anything but the workflow's own lines
    env_file = job["runner_temp"] / "_runner_file_commands" / "set_env"
    assert env_file.read_text() == ""
    assert not (job["workspace"] / "course").exists(), "the course checkout is deleted"
    print(f"workflow test: {time.monotonic() - started:.0f} s")


@pytest.mark.slow
def test_a_failed_grading_job_reports_zero(fresh_env, tmp_path):
    """COURSE_REF `main`: the guard fails the job, nothing is graded, the report says 0."""
    job = _run_grading_job(fresh_env, tmp_path, "main")
    assert job["result"] == "failure"
    assert job["outputs"] == {"result": "", "zero": ""}
    results = _reporter_input(job)
    table_score, points, maximum = _reporter_arithmetic(results)
    assert table_score == points == 0 and maximum > 0 and results["status"] == "fail"


def test_the_workflow_grades_the_learners_variant_from_the_pinned_course():
    """(What tests/test_grade.py checked of the one-job workflow, for the two-job one.)"""
    workflow = _workflow()
    assert workflow["name"] == "Autograding Tests"
    assert "push" in workflow[True]  # YAML reads the key `on` as True
    assert workflow["env"]["COURSE_REPOSITORY"] == "medviz-course/medical-image-visualization"
    steps = workflow["jobs"]["grade"]["steps"]
    course = [s for s in steps if s.get("with", {}).get("repository")]
    assert course and course[0]["with"]["ref"] == "${{ env.COURSE_REF }}"
    assert all(s["with"]["persist-credentials"] is False
               for s in steps if s.get("uses", "").startswith("actions/checkout"))
    graded = next(s for s in steps if s.get("id") == "notebooks")
    assert graded["env"]["COURSE_UTILS_VARIANT"] == "${{ github.actor }}"
    assert '--variant "$COURSE_UTILS_VARIANT"' in graded["run"]   # sudo drops the variable
    assert "--no-hidden" not in graded["run"] and "--hidden-variant" not in graded["run"]
    assert "--json grading/grades.json" in graded["run"]
    assert "--classroom grading/classroom.json" in graded["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].endswith("grades.json") and upload["if"] == "always()"
