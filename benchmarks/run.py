"""Benchmarks of course_utils against named alternatives, measured in the same run.

Run from the repository root::

    .venv/bin/python benchmarks/run.py            # 300 x 512 x 512 volume, under a minute
    .venv/bin/python benchmarks/run.py --quick    # 40 x 128 x 128, a few seconds (a smoke test)

Each measurement runs in a fresh Python process, so its peak resident memory (``ru_maxrss``) is
its own. Times are the best of ``--repeat`` runs. The machines are noisy, so the numbers to read
are the ratios between an operation and its alternative, which run back to back.

| benchmark | course_utils | alternative | target |
| --- | --- | --- | --- |
| read a series | ``dicom.read_series`` | SimpleITK ``ImageSeriesReader`` | ratio <= 1 |
| window a volume | ``windowing.apply_window`` | one ``np.clip`` pass | ratio <= 2 |
| phantom | ``phantom.chest_volume`` | filling the volume with noise only | (seconds) |
| mesh the lungs | ``mesh.mask_to_mesh`` | bare ``skimage.measure.marching_cubes`` | (overhead) |
| whole pipeline | phantom, write, read, window, mesh | | peak < 4 GB |
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL_SHAPE = (300, 512, 512)
QUICK_SHAPE = (40, 128, 128)
SPACING = (1.0, 0.75, 0.75)  # a 384 mm field of view at 512 x 512, like a chest CT
PEAK_TARGET_MB = 4096


def _best_seconds(function, repeat):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- stages: each runs in its own process and prints one JSON line -------------------------


def _stage_pipeline(workdir, shape, repeat):
    import numpy as np

    from course_utils import dicom, mesh, phantom, windowing

    steps = {}
    start = time.perf_counter()
    chest = phantom.chest_volume(shape=shape, spacing=SPACING, seed=0)
    steps["phantom"] = time.perf_counter() - start

    series = Path(workdir) / "series"
    start = time.perf_counter()
    dicom.write_series(chest.hu, chest.spacing, series, seed=0)
    steps["write"] = time.perf_counter() - start
    lungs = np.isin(chest.labels, [chest.classes["lung_right"], chest.classes["lung_left"]])
    np.save(Path(workdir) / "hu.npy", chest.hu)
    np.save(Path(workdir) / "lungs.npy", lungs)
    del chest

    start = time.perf_counter()
    volume = dicom.read_series(series)
    steps["read"] = time.perf_counter() - start

    start = time.perf_counter()
    display = windowing.apply_window(volume.hu, 1500, -600)
    steps["window"] = time.perf_counter() - start
    del display

    start = time.perf_counter()
    lung_mesh = mesh.mask_to_mesh(lungs, volume.spacing)
    steps["mesh"] = time.perf_counter() - start
    steps["mesh_faces"] = int(len(lung_mesh.faces))
    return steps


def _stage_read_course_utils(workdir, shape, repeat):
    from course_utils import dicom

    seconds, volume = _best_seconds(lambda: dicom.read_series(Path(workdir) / "series"), repeat)
    return {"seconds": seconds, "shape": list(volume.hu.shape)}


def _stage_read_simpleitk(workdir, shape, repeat):
    import SimpleITK as sitk

    def read():
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(Path(workdir) / "series")))
        image = reader.Execute()
        # HU as float32 z/y/x, the same product as read_series
        return sitk.GetArrayFromImage(sitk.Cast(image, sitk.sitkFloat32))

    seconds, array = _best_seconds(read, repeat)
    return {"seconds": seconds, "shape": list(array.shape)}


def _stage_window_course_utils(workdir, shape, repeat):
    import numpy as np

    from course_utils import windowing

    hu = np.load(Path(workdir) / "hu.npy")
    out = np.empty_like(hu)
    seconds, _ = _best_seconds(lambda: windowing.apply_window(hu, 1500, -600, out=out), repeat)
    return {"seconds": seconds}


def _stage_window_numpy_clip(workdir, shape, repeat):
    import numpy as np

    hu = np.load(Path(workdir) / "hu.npy")
    out = np.empty_like(hu)
    seconds, _ = _best_seconds(lambda: np.clip(hu, -1350.0, 150.0, out=out), repeat)
    return {"seconds": seconds}


def _stage_phantom_course_utils(workdir, shape, repeat):
    from course_utils import phantom

    seconds, _ = _best_seconds(
        lambda: phantom.chest_volume(shape=shape, spacing=SPACING, seed=0), repeat)
    return {"seconds": seconds}


def _stage_phantom_noise_only(workdir, shape, repeat):
    import numpy as np

    def noise():
        return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)

    seconds, _ = _best_seconds(noise, repeat)
    return {"seconds": seconds}


def _stage_mesh_course_utils(workdir, shape, repeat):
    import numpy as np

    from course_utils import mesh

    lungs = np.load(Path(workdir) / "lungs.npy")
    seconds, result = _best_seconds(lambda: mesh.mask_to_mesh(lungs, SPACING), repeat)
    return {"seconds": seconds, "faces": int(len(result.faces))}


def _stage_mesh_skimage(workdir, shape, repeat):
    import numpy as np
    from skimage import measure

    lungs = np.load(Path(workdir) / "lungs.npy")

    def bare():
        return measure.marching_cubes(lungs.astype(np.float32), level=0.5, spacing=SPACING)

    seconds, result = _best_seconds(bare, repeat)
    return {"seconds": seconds, "faces": int(len(result[1]))}


STAGES = {name[len("_stage_"):]: function
          for name, function in globals().items() if name.startswith("_stage_")}


def _run_stage(name, workdir, shape, repeat):
    command = [sys.executable, __file__, "--stage", name, "--workdir", str(workdir),
               "--shape", *map(str, shape), "--repeat", str(repeat)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark stage {name!r} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _compare(results, label, ours, theirs, target=None):
    ratio = results[ours]["seconds"] / results[theirs]["seconds"]
    verdict = ""
    if target is not None:
        verdict = "meets target" if ratio <= target else f"MISSES target <= {target:g}"
    print(f"{label:<34} {results[ours]['seconds']:8.3f} s {results[theirs]['seconds']:8.3f} s"
          f" {ratio:7.2f}x  {verdict}")
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"use a {QUICK_SHAPE} volume")
    parser.add_argument("--shape", type=int, nargs=3, default=None, metavar=("Z", "Y", "X"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shape = tuple(args.shape or (QUICK_SHAPE if args.quick else FULL_SHAPE))

    if args.stage:
        result = STAGES[args.stage](args.workdir, shape, args.repeat)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return 0

    results = {}
    with tempfile.TemporaryDirectory(prefix="course_utils_bench_") as workdir:
        results["pipeline"] = _run_stage("pipeline", workdir, shape, 1)
        for name in sorted(STAGES):
            if name != "pipeline":
                results[name] = _run_stage(name, workdir, shape, args.repeat)

    print(f"volume {shape[0]} x {shape[1]} x {shape[2]}, spacing {SPACING} mm, "
          f"best of {args.repeat}")
    print(f"{'':<34} {'ours':>10} {'other':>10} {'ratio':>8}")
    ratios = {
        "read": _compare(results, "read series vs SimpleITK", "read_course_utils",
                         "read_simpleitk", target=1.0),
        "window": _compare(results, "window vs one np.clip", "window_course_utils",
                           "window_numpy_clip", target=2.0),
        "phantom": _compare(results, "phantom vs noise-only fill", "phantom_course_utils",
                            "phantom_noise_only"),
        "mesh": _compare(results, "mesh vs bare marching_cubes", "mesh_course_utils",
                         "mesh_skimage"),
    }
    print("\npeak resident memory per process (MB)")
    for name in sorted(results):
        print(f"  {name:<24} {results[name]['peak_rss_mb']:8.0f}")
    pipeline = results["pipeline"]
    steps = ", ".join(f"{k} {pipeline[k]:.2f} s" for k in
                      ("phantom", "write", "read", "window", "mesh"))
    verdict = "meets" if pipeline["peak_rss_mb"] < PEAK_TARGET_MB else "MISSES"
    print(f"\nwhole pipeline: {steps}; peak {pipeline['peak_rss_mb']:.0f} MB "
          f"({verdict} target < {PEAK_TARGET_MB} MB)")
    if args.json:
        args.json.write_text(json.dumps({"shape": shape, "results": results,
                                         "ratios": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
