"""The gallery script draws one PNG per plotting helper from the synthetic series."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_gallery_draws_every_figure(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gallery.py"), str(tmp_path)],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr
    pngs = sorted(tmp_path.glob("*.png"))
    assert [p.stem for p in pngs] == sorted(
        ["layout_window_panel", "display_planes", "overlay_heatmap", "overlay_labels_mask",
         "annotate_contours_difference", "annotate_profile", "layout_montage", "mesh_lungs"])
    assert all(p.stat().st_size > 10_000 for p in pngs)  # a real picture, not an empty canvas
