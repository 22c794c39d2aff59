"""Grading speed: the grader against one bare nbclient execution of the same notebook.

Run from the repository root::

    .venv/bin/python benchmarks/grading.py            # the 12 solutions, then all 12 at --jobs 2
    .venv/bin/python benchmarks/grading.py --quick    # one solution, a smoke test (tens of seconds)

For each ``solutions/*.ipynb``, back to back in one run:

- **bare**: ``nbclient.NotebookClient(...).execute()`` on a copy in a temporary folder (a fresh
  kernel, outputs received and kept, no checks): what running the notebook costs;
- **ours**: ``course_utils.grade.grade_notebook``, both of its runs (the learner's variant and
  a hidden one, side by side in two kernels), extractions and checks included.

Then all the notebooks are graded together as CI does, ``grade_paths(..., jobs=2)``, in the
bubblewrap sandbox where it works here; ``--no-sandbox`` grades them all once more with the
sandbox off (``sandbox=False``), back to back, and prints the ratio sandbox / no sandbox.
``--totals-only`` skips the per-notebook lines.

| line | ours | the alternative | target |
| --- | --- | --- | --- |
| one notebook | ``grade_notebook`` (two runs) | one bare nbclient execution | ratio <= 2.5 |
| all 12 solutions | ``grade_paths(jobs=2)`` | | under 180 s on 2 cores |

The machines are shared and noisy: read the ratios, whose two sides run back to back, and
run it again before believing a single slow line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RATIO_TARGET = 2.5
TOTAL_TARGET = 180.0   # seconds for all 12 solutions at --jobs 2
CELL_TIMEOUT = 300     # seconds per cell, both sides (generous: this measures, not polices)


def _bare_seconds(path: Path) -> float:
    """One bare nbclient execution of ``path`` in a fresh kernel, in a temporary folder."""
    import nbclient
    import nbformat

    folder = Path(tempfile.mkdtemp(prefix="course-bench-bare-"))
    try:
        shutil.copy(path, folder / path.name)
        nb = nbformat.read(folder / path.name, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         allow_errors=True,  # the grader goes on, too
                                         resources={"metadata": {"path": str(folder)}})
        start = time.perf_counter()
        # The kernel's own stdout and stderr are dropped, as the grader drops them.
        client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _graded_seconds(path: Path) -> tuple[float, object]:
    """Grading ``path`` with both runs: (seconds, the NotebookGrade)."""
    from course_utils import grade

    start = time.perf_counter()
    result = grade.grade_notebook(path, timeout=CELL_TIMEOUT, variant=0)
    return time.perf_counter() - start, result


def _total_seconds(paths: list[Path], jobs: int,
                   sandbox: bool = True) -> tuple[float, list[object]]:
    from course_utils import grade

    start = time.perf_counter()
    results = grade.grade_paths(paths, timeout=CELL_TIMEOUT, jobs=jobs, variant=0,
                                sandbox=sandbox)
    return time.perf_counter() - start, results


def _verdict(value: float, target: float) -> str:
    return "meets target" if value <= target else f"MISSES target <= {target:g}"


def _marks(result) -> str:
    return "full marks" if result.full_marks else (
        f"{result.points:g}/{result.max_points:g} {result.error or ''}".strip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one solution only (the first), as a smoke test")
    parser.add_argument("--jobs", type=int, default=2, help="jobs for the total (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="also grade all without the sandbox, and print the ratio")
    parser.add_argument("--totals-only", action="store_true",
                        help="skip the per-notebook comparison with bare nbclient")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: every solutions/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(SOLUTIONS.glob("*.ipynb"))
    if args.quick:
        paths = paths[:1]
    if not paths:
        parser.error(f"no notebooks in {SOLUTIONS}")

    from course_utils import grade

    grade.preload()
    _bare_seconds(paths[0])  # warm the disk cache and the imports, untimed
    rows = []
    print(f"{'notebook':<34} {'ours':>9} {'bare':>9} {'ratio':>7}")
    for path in ([] if args.totals_only else paths):
        bare = _bare_seconds(path)
        ours, result = _graded_seconds(path)
        ratio = ours / bare
        rows.append({"notebook": path.name, "ours_seconds": ours, "bare_seconds": bare,
                     "ratio": ratio, "full_marks": result.full_marks})
        print(f"{path.stem:<34} {ours:7.2f} s {bare:7.2f} s {ratio:6.2f}x  "
              f"{_verdict(ratio, RATIO_TARGET)}; {_marks(result)}", flush=True)
    worst = max((row["ratio"] for row in rows), default=float("nan"))
    if rows:
        print(f"\nworst ratio {worst:.2f}x ({_verdict(worst, RATIO_TARGET)})")
    print(f"sandbox: {grade.sandbox_status()}")

    total, results = _total_seconds(paths, args.jobs)
    full = sum(1 for result in results if result.full_marks)
    target = "" if len(paths) < 12 else f" ({_verdict(total, TOTAL_TARGET)} s)"
    bare_sum = sum(row["bare_seconds"] for row in rows)
    print(f"all {len(paths)} graded with --jobs {args.jobs}: {total:.1f} s{target}; "
          f"{full}/{len(paths)} at full marks")
    if rows:
        print(f"(one bare execution of each, one after the other: {bare_sum:.1f} s; "
              f"ratio {total / bare_sum:.2f}x)")
    loose = None
    if args.no_sandbox:
        loose, loose_results = _total_seconds(paths, args.jobs, sandbox=False)
        loose_full = sum(1 for result in loose_results if result.full_marks)
        print(f"all {len(paths)} graded without the sandbox: {loose:.1f} s, "
              f"{loose_full}/{len(paths)} at full marks; sandbox / no sandbox: "
              f"{total / loose:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"notebooks": rows, "worst_ratio": worst,
                                         "total_seconds": total, "bare_sum_seconds": bare_sum,
                                         "jobs": args.jobs,
                                         "no_sandbox_total_seconds": loose,
                                         "full_marks": full}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
