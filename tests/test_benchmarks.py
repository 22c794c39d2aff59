"""The benchmark command keeps running: a small volume, one repeat, every comparison printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmarks_quick_run_prints_every_ratio(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--repeat", "1",
         "--json", str(tmp_path / "bench.json")],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr
    for label in ("read series vs SimpleITK", "window vs one np.clip",
                  "phantom vs noise-only fill", "mesh vs bare marching_cubes"):
        line = next((l for l in completed.stdout.splitlines() if l.startswith(label)), None)
        assert line is not None, f"no line for {label!r} in:\n{completed.stdout}"
        assert re.search(r"\d+\.\d\dx", line), line
    assert "whole pipeline:" in completed.stdout
    assert (tmp_path / "bench.json").stat().st_size > 0


@pytest.mark.slow
def test_grading_benchmark_quick_run_prints_the_ratio(tmp_path):
    """One solution, bare nbclient against the grader's two runs, then the total."""
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "grading.py"), "--quick",
         "--json", str(tmp_path / "grading.json")],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=600)
    assert completed.returncode == 0, completed.stderr
    line = next((l for l in completed.stdout.splitlines() if l.startswith("01_")), None)
    assert line is not None, completed.stdout
    assert re.search(r"\d+\.\d\d s +\d+\.\d\d s +\d+\.\d\dx", line), line
    assert re.search(r"^all 1 graded with --jobs 2: \d+\.\d s", completed.stdout, re.M)
    assert (tmp_path / "grading.json").stat().st_size > 0
