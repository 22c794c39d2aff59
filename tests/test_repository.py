"""The repository keeps its promises: the README's quick start is what CI runs, pins are exact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _commands(lines):
    """Shell commands in ``lines``, without comments and blank lines."""
    commands = []
    for line in lines:
        command = line.split("#", 1)[0].strip()
        if command and not command.startswith(("set ", "cd ")):
            commands.append(command)
    return commands


def _readme_quick_start():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Quick start has no ```bash block"
    return _commands(block.group(1).splitlines())


def test_readme_quick_start_is_two_commands():
    commands = _readme_quick_start()
    assert len(commands) == 2, commands
    assert commands[0] == "bash setup.sh"


INSTALL_CHROMIUM = "apt-get update && $SUDO apt-get install -y chromium chromium-driver"


def test_ci_installs_chromium_then_runs_exactly_the_readme_commands():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()[1:]  # skip the shebang
    commands = _commands(ci_lines)
    install = [i for i, command in enumerate(commands) if INSTALL_CHROMIUM in command]
    assert len(install) == 1, f".ci/run must install Chromium once with apt-get: {commands}"
    # after the install block (its closing `fi`), the README's commands and nothing else
    rest = commands[install[0] + 1:]
    assert rest and rest[0] == "fi", rest
    assert rest[1:] == _readme_quick_start()


def test_setup_script_builds_the_book_with_warnings_as_errors():
    setup = (ROOT / "setup.sh").read_text()
    assert "jupyter-book build . -W -n --keep-going" in setup
    assert "pip install --quiet -r requirements.txt" in setup


def test_requirements_are_exact_pins_and_jupyter_book_1():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line == "-e .":
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.txt: {line!r} is not an exact pin (name==version)"
        pins[name.lower()] = version
    assert pins["jupyter-book"].startswith("1."), "Jupyter Book 2 fails offline: stay on 1.x"
    assert "-e ." in (ROOT / "requirements.txt").read_text()


def test_import_is_silent_under_deprecation_errors_and_touches_no_rcparams():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams); "
        "import course_utils; "
        "[getattr(course_utils, name) for name in course_utils.__all__]; "
        "assert dict(mpl.rcParams) == before, 'importing course_utils changed rcParams'"
    )
    completed = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "" and completed.stderr == ""


def test_every_module_has_a_test_file():
    import course_utils

    missing = [name for name in course_utils.__all__
               if not (ROOT / "tests" / f"test_{name}.py").exists()]
    assert not missing, f"modules without tests/test_<module>.py: {missing}"


def test_binder_uses_the_course_pins_and_python_3_11():
    """repo2docker reads binder/ instead of the root: it must point back at the same pins."""
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    assert "-r ../requirements.txt" in (binder / "requirements.txt").read_text()
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "set-default-viewer markdown myst" in post_build.read_text()


@pytest.mark.slow
def test_the_wheel_holds_the_checks_and_the_grading_extra_declares_its_imports(tmp_path):
    """A non-editable install (what the Classroom workflow does) must carry every check module."""
    import subprocess
    import sys
    import tomllib
    import zipfile

    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("course_utils-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {str(path.relative_to(ROOT)) for path in (ROOT / "course_utils").rglob("*.py")}
    assert sources <= names, f"missing from the wheel: {sorted(sources - names)}"
    assert "course_utils/course.mplstyle" in names and "course_utils/py.typed" in names

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["grading"]
    declared = {requirement.split(">")[0].split("=")[0].lower() for requirement in extra}
    grading_code = ((ROOT / "course_utils" / "grade.py").read_text()
                    + (ROOT / "course_utils" / "exercises.py").read_text())
    for module, package in (("nbformat", "nbformat"), ("jupyter_client", "jupyter_client"),
                            ("zmq", "pyzmq"), ("ipykernel", "ipykernel")):
        if module in grading_code:
            assert package in declared, f"the grading side imports {module}: declare {package}"
