"""The solution notebooks run and reproduce their stored outputs (nbval, outputs compared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_solutions_reproduce_their_outputs():
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    assert solutions, "no solution notebooks in solutions/"
    # One notebook per worker (--dist loadfile: the default would split a notebook's cells).
    command = [sys.executable, "-m", "pytest", "--nbval", "solutions/", "-p", "no:cacheprovider",
               "-n", "2", "--dist", "loadfile", "--nbval-cell-timeout", "300", "-q",
               "-o", "addopts="]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
