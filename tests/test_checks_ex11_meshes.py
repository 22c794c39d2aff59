"""Tests for the checks of exercise 11 (3D meshes): right answers pass, real mistakes fail.

Every correct answer is written differently from the solution and passes on variant 0 and on
variant 3; every wrong answer breaks one requirement and fails with its message.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
import trimesh
from skimage import measure

from course_utils import mesh
from course_utils.checks import ex11_meshes as ex
from check_helpers import assert_fails, grade

VARIANTS = (0, 3)


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request):
    return request.param


@pytest.fixture(scope="module")
def t(variant):
    return ex.task(variant)


def _march(mask, spacing, pad=False, dtype=np.float32):
    array = np.pad(mask, 1) if pad else mask
    verts, faces, _, _ = measure.marching_cubes(array.astype(dtype), level=0.5,
                                                spacing=spacing)
    return verts, faces


def _volume_mm3(verts, faces):
    tri = np.asarray(verts, dtype=np.float64)[faces]
    return abs(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()) / 6


def test_task_data_show_the_mistakes():
    for v in (0, 1, 3, 5):
        data = ex.task(v)
        assert set(vars(data)) == {"variant", "spacing", "shape", "radius_mm", "lesion",
                                   "lungs", "k"}          # inputs only, no expected values
        assert data.spacing[1] != data.spacing[2]
        mesh_ml, voxel_ml, ball_ml = ex._expected_volumes(data)
        for wrong in (voxel_ml, ball_ml):
            assert abs(wrong - mesh_ml) > 2 * ex.VOLUME_TOLERANCE * mesh_ml
    assert ex.task(0).spacing != ex.task(3).spacing or ex.task(0).radius_mm != \
        ex.task(3).radius_mm


# ----------------------------------------------------------------------------- mesh_in_mm

def test_mesh_in_mm_pass(t, variant):
    check = ex.checks.mesh_in_mm
    assert grade(check, variant, lesion_verts=_march(t.lesion, t.spacing)[0]).passed
    # the course helper, a padded float64 mesh with spacing as a list, a list of lists
    assert grade(check, variant,
                 lesion_verts=mesh.mask_to_mesh(t.lesion, t.spacing).verts).passed
    padded = _march(t.lesion, list(t.spacing), pad=True, dtype=np.float64)[0]
    assert grade(check, variant, lesion_verts=padded).passed
    assert grade(check, variant,
                 lesion_verts=_march(t.lesion, t.spacing)[0].tolist()).passed


def test_mesh_in_mm_mistakes(t, variant):
    check = ex.checks.mesh_in_mm
    assert_fails(grade(check, variant, lesion_verts=...), "still `...`")
    verts, _ = _march(t.lesion, (1, 1, 1))
    assert_fails(grade(check, variant, lesion_verts=verts), "voxel indices")
    verts, _ = _march(t.lesion, t.spacing)
    assert_fails(grade(check, variant, lesion_verts=verts[:, ::-1]), "(x, y, z)")
    verts, _ = _march(t.lesion, t.spacing[::-1])
    assert_fails(grade(check, variant, lesion_verts=verts), "axis order")
    assert_fails(grade(check, variant, lesion_verts=verts[:, :2]), "3 columns")


# ----------------------------------------------------------------------------- lesion_volume

def test_lesion_volume_pass(t, variant):
    check = ex.checks.lesion_volume
    verts, faces = _march(t.lesion, t.spacing)
    assert grade(check, variant, lesion_volume_ml=_volume_mm3(verts, faces) / 1000).passed
    helper = mesh.mesh_volume(mesh.mask_to_mesh(t.lesion, t.spacing)) / 1000
    assert grade(check, variant, lesion_volume_ml=np.float32(helper)).passed
    surface = trimesh.Trimesh(verts, faces)
    assert grade(check, variant, lesion_volume_ml=abs(surface.volume) * 1e-3).passed
    assert grade(check, variant, lesion_volume_ml=np.array([helper])).passed
    # the divergence theorem (centroid . area vector / 3), on a mesh of the padded mask
    verts, faces = _march(np.pad(t.lesion, 1, constant_values=0), t.spacing, dtype=float)
    tri = verts[faces]
    area = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]) / 2
    divergence = abs((tri.mean(axis=1) * area).sum()) / 3 / 1000
    assert grade(check, variant, lesion_volume_ml=divergence).passed
    assert grade(check, variant, lesion_volume_ml=float(f"{helper:.4f}")).passed


def test_lesion_volume_mistakes(t, variant):
    check = ex.checks.lesion_volume
    mesh_ml = ex._expected_volumes(t)[0]
    forbidden = (f"{mesh_ml:.2f}", f"{mesh_ml:.3f}")
    voxels = float(t.lesion.sum()) * float(np.prod(t.spacing)) / 1000
    assert_fails(grade(check, variant, lesion_volume_ml=voxels), "voxel count",
                 forbidden=forbidden)
    ball = 4 / 3 * np.pi * t.radius_mm ** 3 / 1000
    assert_fails(grade(check, variant, lesion_volume_ml=ball), "ideal ball",
                 forbidden=forbidden)
    assert_fails(grade(check, variant, lesion_volume_ml=mesh_ml * 1000), "mm³",
                 forbidden=forbidden)
    in_voxels = _volume_mm3(*_march(t.lesion, (1, 1, 1))) / 1000
    assert_fails(grade(check, variant, lesion_volume_ml=in_voxels), "in voxels")
    assert_fails(grade(check, variant, lesion_volume_ml=-mesh_ml), "negative")
    half = mesh.mesh_volume(mesh.mask_to_mesh(t.lesion[t.k:], t.spacing)) / 1000
    assert_fails(grade(check, variant, lesion_volume_ml=half), "not the volume")
    assert_fails(grade(check, variant, lesion_volume_ml=...), "still `...`")


# ----------------------------------------------------------------------------- closed_surface

def test_closed_surface_pass(t, variant):
    check = ex.checks.closed_surface
    top = t.lesion[t.k:]
    verts, faces = _march(top, t.spacing, pad=True)
    assert grade(check, variant, top_verts=verts - np.array(t.spacing), top_faces=faces).passed
    m = mesh.mask_to_mesh(top, t.spacing)
    assert grade(check, variant, top_verts=m.verts, top_faces=m.faces).passed
    # padded on the cut side only (np.pad with one pad width per axis), shifted along z
    array = np.pad(top, ((1, 0), (0, 0), (0, 0))).astype(np.float64)
    verts, faces, _, _ = measure.marching_cubes(array, 0.5, spacing=t.spacing)
    verts[:, 0] -= t.spacing[0]
    assert grade(check, variant, top_verts=verts, top_faces=faces.astype(np.int32)).passed
    # np.pad with mode="constant" on every side, shifted back with a broadcast subtraction
    verts, faces, _, _ = measure.marching_cubes(np.pad(top, 1, mode="constant").astype(float),
                                                0.5, spacing=list(t.spacing))
    assert grade(check, variant, top_verts=(verts - t.spacing).tolist(),
                 top_faces=faces.tolist()).passed


def test_closed_surface_mistakes(t, variant):
    check = ex.checks.closed_surface
    top = t.lesion[t.k:]
    verts, faces = _march(top, t.spacing)                       # not padded: open
    assert_fails(grade(check, variant, top_verts=verts, top_faces=faces), "open", "pad")
    verts, faces = _march(top, t.spacing, pad=True)             # padded, not shifted back
    assert_fails(grade(check, variant, top_verts=verts, top_faces=faces), "one voxel off")
    verts, faces = _march(top, (1, 1, 1), pad=True)
    assert_fails(grade(check, variant, top_verts=verts, top_faces=faces), "voxel indices")
    verts, faces = _march(t.lesion, t.spacing)                  # the whole lesion
    assert_fails(grade(check, variant, top_verts=verts, top_faces=faces), "lesion_top")
    verts, faces = _march(top, t.spacing, pad=True)
    assert_fails(grade(check, variant, top_verts=verts, top_faces=faces + 10_000),
                 "not indices")
    assert_fails(grade(check, variant, top_verts=..., top_faces=faces), "still `...`")


# ----------------------------------------------------------------------------- stl_export

def test_stl_export_pass(t, variant, tmp_path):
    check = ex.checks.stl_export
    path = mesh.save_stl(mesh.mask_to_mesh(t.lesion, t.spacing), tmp_path / "lesion.stl")
    assert grade(check, variant, stl_path=path).passed
    assert grade(check, variant, stl_path=str(path)).passed
    # by hand with trimesh, in marching cubes' (z, y, x) order, and in (x, y, z)
    verts, faces = _march(t.lesion, t.spacing)
    for name, points in (("zyx.stl", verts), ("xyz.stl", verts[:, ::-1])):
        trimesh.Trimesh(points, faces, process=False).export(tmp_path / name)
        assert grade(check, variant, stl_path=tmp_path / name).passed


def test_stl_export_mistakes(t, variant, tmp_path):
    check = ex.checks.stl_export
    voxels = mesh.save_stl(mesh.mask_to_mesh(t.lesion, (1, 1, 1)), tmp_path / "voxels.stl")
    assert_fails(grade(check, variant, stl_path=voxels), "voxel units")
    coarse = mesh.save_stl(mesh.mask_to_mesh(t.lesion, t.spacing, step_size=2),
                           tmp_path / "coarse.stl")
    assert_fails(grade(check, variant, stl_path=coarse), "step_size",
                 forbidden=(str(ex._lesion_mesh(t).n_faces),))
    verts, faces = _march(t.lesion, t.spacing)
    broken = faces.copy()
    broken[0] = [faces[0, 0], faces[0, 1], faces[len(faces) // 2, 2]]   # a torn triangle
    trimesh.Trimesh(verts, broken, process=False).export(tmp_path / "torn.stl")
    assert_fails(grade(check, variant, stl_path=tmp_path / "torn.stl"), "watertight")
    assert_fails(grade(check, variant, stl_path=tmp_path / "missing.stl"), "does not exist")
    text = tmp_path / "notes.stl"
    text.write_text("not a mesh")
    assert_fails(grade(check, variant, stl_path=text), "STL")
    assert_fails(grade(check, variant, stl_path=tmp_path / "lesion.obj"), ".stl")
    assert_fails(grade(check, variant, stl_path=...), "still `...`")


# ----------------------------------------------------------------------------- plotly_view

def _traces(t, step=3, spacing=None, per_lung=False):
    spacing = t.spacing if spacing is None else spacing
    masks = [("lungs", t.lungs, step), ("lesion", t.lesion, 1)]
    if per_lung:  # two pieces of the lung mask, split at the middle column
        middle = t.lungs.shape[2] // 2
        right, left = t.lungs.copy(), t.lungs.copy()
        right[:, :, middle:] = False
        left[:, :, :middle] = False
        masks = [("right lung", right, step), ("left lung", left, step), masks[1]]
    traces = []
    for name, mask, size in masks:
        m = mesh.mask_to_mesh(mask, spacing, step_size=size)
        x, y, z = m.xyz.T
        traces.append(go.Mesh3d(x=x, y=y, z=z, i=m.faces[:, 0], j=m.faces[:, 1],
                                k=m.faces[:, 2], name=name, opacity=0.4))
    return traces


def _ranges(fig):
    points = np.concatenate([np.column_stack([tr.x, tr.y, tr.z]) for tr in fig.data])
    return np.ptp(points, axis=0)


def test_plotly_view_pass(t, variant):
    check = ex.checks.plotly_view
    # the course helper, aspectmode "data"
    lungs = mesh.mask_to_mesh(t.lungs, t.spacing, step_size=4)
    fig = mesh.plotly_mesh(lungs, name="lungs", opacity=0.3)
    fig = mesh.plotly_mesh(mesh.mask_to_mesh(t.lesion, t.spacing), name="lesion", fig=fig)
    assert grade(check, variant, fig_mesh3d=fig).passed
    # go.Mesh3d by hand, one trace per lung, aspectmode "manual" with equal units
    fig = go.Figure(_traces(t, per_lung=True))
    x, y, z = _ranges(fig) / _ranges(fig).max()
    fig.update_layout(scene=dict(aspectmode="manual", aspectratio=dict(x=x, y=y, z=z)))
    assert grade(check, variant, fig_mesh3d=fig).passed
    # an aspect ratio alone (plotly then uses it as manual), in other units of length
    fig = go.Figure(_traces(t, step=2))
    x, y, z = 2 * _ranges(fig) / _ranges(fig).sum()
    fig.update_layout(scene_aspectratio=dict(x=x, y=y, z=z))
    assert grade(check, variant, fig_mesh3d=fig).passed
    # the default "auto" is "data" for a chest (no axis four times the others)
    assert grade(check, variant, fig_mesh3d=go.Figure(_traces(t, step=5))).passed
    # trimesh meshes, reversed to (x, y, z), update_scenes, explicit equal ranges per axis
    fig = go.Figure()
    for name, mask, step in (("lungs", t.lungs, 3), ("lesion", t.lesion, 1)):
        m = mesh.mask_to_mesh(mask, t.spacing, step_size=step)
        surface = trimesh.Trimesh(m.verts[:, ::-1], m.faces, process=False)
        x, y, z = surface.vertices.T
        fig.add_trace(go.Mesh3d(x=x, y=y, z=z, i=surface.faces[:, 0],
                                j=surface.faces[:, 1], k=surface.faces[:, 2], name=name))
    ranges = _ranges(fig)
    fig.update_scenes(aspectmode="manual",
                      aspectratio=dict(zip("xyz", (ranges / ranges[0]).tolist())))
    assert grade(check, variant, fig_mesh3d=fig).passed


def test_plotly_view_mistakes(t, variant):
    check = ex.checks.plotly_view
    fig = go.Figure(_traces(t, step=1))
    fig.update_layout(scene_aspectmode="data")
    assert_fails(grade(check, variant, fig_mesh3d=fig), "step_size")
    fig = go.Figure(_traces(t))
    fig.update_layout(scene_aspectmode="cube")
    assert_fails(grade(check, variant, fig_mesh3d=fig), "'cube'", "same length")
    fig = go.Figure(_traces(t))
    fig.update_layout(scene=dict(aspectmode="manual", aspectratio=dict(x=1, y=1, z=2)))
    assert_fails(grade(check, variant, fig_mesh3d=fig), "'manual'", "same length")
    fig = go.Figure(_traces(t, spacing=(1, 1, 1)))
    assert_fails(grade(check, variant, fig_mesh3d=fig), "voxel units")
    swapped = []
    for trace in _traces(t):
        swapped.append(go.Mesh3d(x=trace.z, y=trace.y, z=trace.x, i=trace.i, j=trace.j,
                                 k=trace.k))
    assert_fails(grade(check, variant, fig_mesh3d=go.Figure(swapped)), "x and z are swapped")
    fig = go.Figure(_traces(t)[1:])
    assert_fails(grade(check, variant, fig_mesh3d=fig), "one surface")
    fig = go.Figure(_traces(t, per_lung=True)[:2])          # the two lungs, no lesion
    assert_fails(grade(check, variant, fig_mesh3d=fig), "No trace is the lesion")
    assert_fails(grade(check, variant, fig_mesh3d=go.Figure(go.Scatter(x=[0], y=[1]))),
                 "no Mesh3d")
    assert_fails(grade(check, variant, fig_mesh3d=...), "still `...`")


# ----------------------------------------------------------------------------- typed in

def test_values_typed_in_for_variant_0_fail_on_another_variant(tmp_path):
    t0 = ex.task(0)
    verts, faces = _march(t0.lesion, t0.spacing)
    top = mesh.mask_to_mesh(t0.lesion[t0.k:], t0.spacing)
    path = mesh.save_stl(mesh.mask_to_mesh(t0.lesion, t0.spacing), tmp_path / "lesion.stl")
    fig = go.Figure(_traces(t0))
    values = {"lesion_verts": verts,
              "lesion_volume_ml": round(ex._expected_volumes(t0)[0], 3),
              "top_verts": top.verts, "top_faces": top.faces, "stl_path": path,
              "fig_mesh3d": fig}
    for check in ex.checks:
        answer = {name: values[name] for name in check.params}
        assert grade(check, 0, **answer).passed, check.name
        assert not grade(check, 3, **answer).passed, check.name


# ----------------------------------------------------------------------------- notebook

@pytest.mark.slow
def test_whole_notebook_alternative_and_wrong(tmp_path):
    import nbformat

    from course_utils.grade import grade_notebook

    source = nbformat.read("solutions/11_meshes.ipynb", as_version=4)
    cells = {cell.get("id"): cell for cell in source.cells}
    alternative = nbformat.from_dict(source)
    by_id = {cell.get("id"): cell for cell in alternative.cells}
    by_id["cell-06"].source = (
        "import trimesh\n"
        "lesion_volume_ml = abs(trimesh.Trimesh(lesion_verts, lesion_faces).volume) / 1000")
    by_id["cell-15"].source = (
        "import plotly.graph_objects as go\n"
        "fig_mesh3d = go.Figure()\n"
        "for mask, step in ((lungs, 3), (lesion, 1)):\n"
        "    m = mesh.mask_to_mesh(mask, spacing, step_size=step)\n"
        "    fig_mesh3d.add_trace(go.Mesh3d(x=m.xyz[:, 0], y=m.xyz[:, 1], z=m.xyz[:, 2],\n"
        "                                   i=m.faces[:, 0], j=m.faces[:, 1], k=m.faces[:, 2]))\n"
        "points = np.concatenate([np.column_stack([t.x, t.y, t.z]) for t in fig_mesh3d.data])\n"
        "ratio = np.ptp(points, axis=0) / np.ptp(points, axis=0).max()\n"
        "fig_mesh3d.update_layout(scene=dict(aspectmode='manual', aspectratio=dict(\n"
        "    x=ratio[0], y=ratio[1], z=ratio[2])))")
    wrong = nbformat.from_dict(source)
    by_id = {cell.get("id"): cell for cell in wrong.cells}
    by_id["cell-06"].source = (
        "lesion_volume_ml = metrics.volume_ml(lesion, spacing)   # the voxel count")
    assert cells["cell-06"].source != by_id["cell-06"].source
    results = {}
    for name, notebook in (("alternative", alternative), ("wrong", wrong)):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "11_meshes.ipynb"
        nbformat.write(notebook, path)
        results[name] = {c.name: c.passed for c in grade_notebook(path, hidden_variant=5).checks}
    assert all(results["alternative"].values()), results["alternative"]
    assert [name for name, passed in results["wrong"].items() if not passed] == \
        ["lesion_volume"], results["wrong"]
