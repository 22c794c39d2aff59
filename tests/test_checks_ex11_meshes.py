"""Tests for the checks of exercise 11 (3D meshes): right answers pass, real mistakes fail."""

from __future__ import annotations

import functools
import numpy as np
import plotly.graph_objects as go
import pytest
import trimesh
from skimage import measure

from course_utils import mesh
from course_utils.checks import ex11_meshes as ex
from course_utils.phantom import chest_volume
from check_helpers import assert_fails

SHAPE, SPACING = (72, 256, 256), (4.0, 1.5, 1.5)


@pytest.fixture(scope="module")
def chest():
    return chest_volume(shape=SHAPE, spacing=SPACING, seed=0)


@pytest.fixture(scope="module")
def lesion(chest):
    return chest.mask("lesion")


@pytest.fixture(scope="module")
def lesion_top(lesion):
    k = int(np.argwhere(lesion).mean(axis=0).round()[0])
    return lesion[k:]


def _run(name, **values):
    return ex.checks[name].run(values)


_assert_fails = functools.partial(assert_fails, ignore_case=True)


def _march(mask, spacing=SPACING, pad=False):
    array = np.pad(mask, 1) if pad else mask
    verts, faces, _, _ = measure.marching_cubes(array.astype(np.float32), level=0.5,
                                                spacing=spacing)
    return verts, faces


# ----------------------------------------------------------------------------- mesh_in_mm

def test_mesh_in_mm_pass(lesion):
    verts, _ = _march(lesion)
    assert _run("mesh_in_mm", lesion_verts=verts).passed
    # the course helper and a padded mesh give the same size
    assert _run("mesh_in_mm", lesion_verts=mesh.mask_to_mesh(lesion, SPACING).verts).passed
    assert _run("mesh_in_mm", lesion_verts=_march(lesion, pad=True)[0]).passed


def test_mesh_in_mm_mistakes(lesion):
    _assert_fails(_run("mesh_in_mm", lesion_verts=...), "still `...`")
    verts, _ = _march(lesion, spacing=(1, 1, 1))
    _assert_fails(_run("mesh_in_mm", lesion_verts=verts), "voxel indices")
    verts, _ = _march(lesion)
    _assert_fails(_run("mesh_in_mm", lesion_verts=verts[:, ::-1]), "(x, y, z)")
    verts, _ = _march(lesion, spacing=SPACING[::-1])
    _assert_fails(_run("mesh_in_mm", lesion_verts=verts), "axis order")
    _assert_fails(_run("mesh_in_mm", lesion_verts=verts[:, :2]), "3 columns")


# ----------------------------------------------------------------------------- lesion_volume

def _volume_mm3(verts, faces):
    tri = np.asarray(verts, dtype=np.float64)[faces]
    return abs(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()) / 6


def test_lesion_volume_pass(lesion):
    verts, faces = _march(lesion)
    assert _run("lesion_volume", lesion_volume_ml=_volume_mm3(verts, faces) / 1000).passed
    # the helper, and the voxel count (within a few %), are accepted too
    helper = mesh.mesh_volume(mesh.mask_to_mesh(lesion, SPACING)) / 1000
    assert _run("lesion_volume", lesion_volume_ml=helper).passed
    voxels = lesion.sum() * np.prod(SPACING) / 1000
    assert _run("lesion_volume", lesion_volume_ml=voxels).passed


def test_lesion_volume_mistakes(lesion):
    verts, faces = _march(lesion)
    mm3 = _volume_mm3(verts, faces)
    _assert_fails(_run("lesion_volume", lesion_volume_ml=mm3), "mm³",
                  forbidden=(f"{mm3 / 1000:.2f}",))
    in_voxels = _volume_mm3(*_march(lesion, spacing=(1, 1, 1)))
    _assert_fails(_run("lesion_volume", lesion_volume_ml=in_voxels / 1000), "voxels")
    _assert_fails(_run("lesion_volume", lesion_volume_ml=-mm3 / 1000), "positive")
    assert "voxels" in _run("lesion_volume", lesion_volume_ml=float(lesion.sum())).message
    k = int(np.argwhere(lesion).mean(axis=0).round()[0])      # the cut lesion's volume
    half = mesh.mesh_volume(mesh.mask_to_mesh(lesion[k:], SPACING)) / 1000
    _assert_fails(_run("lesion_volume", lesion_volume_ml=half), "not the volume")
    _assert_fails(_run("lesion_volume", lesion_volume_ml=...), "still `...`")


# ----------------------------------------------------------------------------- closed_surface

def test_closed_surface_pass(lesion_top):
    verts, faces = _march(lesion_top, pad=True)
    assert _run("closed_surface", top_verts=verts, top_faces=faces).passed
    m = mesh.mask_to_mesh(lesion_top, SPACING)
    assert _run("closed_surface", top_verts=m.verts, top_faces=m.faces).passed


def test_closed_surface_without_padding(lesion_top):
    verts, faces = _march(lesion_top)
    _assert_fails(_run("closed_surface", top_verts=verts, top_faces=faces), "pad")


def test_closed_surface_other_mistakes(lesion, lesion_top):
    verts, faces = _march(lesion_top, spacing=(1, 1, 1), pad=True)
    _assert_fails(_run("closed_surface", top_verts=verts, top_faces=faces), "voxel indices")
    verts, faces = _march(lesion)        # the whole lesion, not the cut one
    _assert_fails(_run("closed_surface", top_verts=verts, top_faces=faces), "lesion_top")
    verts, faces = _march(lesion_top, pad=True)
    _assert_fails(_run("closed_surface", top_verts=verts, top_faces=faces + 10_000),
                  "not indices")
    _assert_fails(_run("closed_surface", top_verts=..., top_faces=faces), "still `...`")


# ----------------------------------------------------------------------------- stl_export

def test_stl_export_pass(lesion, tmp_path):
    path = mesh.save_stl(mesh.mask_to_mesh(lesion, SPACING), tmp_path / "lesion.stl")
    assert _run("stl_export", stl_path=path).passed
    assert _run("stl_export", stl_path=str(path)).passed
    # written by hand with trimesh, in marching cubes' order: same triangles, same size
    verts, faces = _march(lesion)
    by_hand = tmp_path / "by_hand.stl"
    trimesh.Trimesh(verts, faces, process=False).export(by_hand)
    assert _run("stl_export", stl_path=by_hand).passed


def test_stl_export_mistakes(lesion, tmp_path):
    voxels = mesh.save_stl(mesh.mask_to_mesh(lesion, (1, 1, 1)), tmp_path / "voxels.stl")
    _assert_fails(_run("stl_export", stl_path=voxels), "voxel units")
    coarse = mesh.save_stl(mesh.mask_to_mesh(lesion, SPACING, step_size=2),
                           tmp_path / "coarse.stl")
    expected_faces = mesh.mask_to_mesh(lesion, SPACING).n_faces
    _assert_fails(_run("stl_export", stl_path=coarse), "step_size",
                  forbidden=(str(expected_faces),))
    _assert_fails(_run("stl_export", stl_path=tmp_path / "missing.stl"), "does not exist")
    text = tmp_path / "notes.stl"
    text.write_text("not a mesh")
    _assert_fails(_run("stl_export", stl_path=text), "stl")
    _assert_fails(_run("stl_export", stl_path=...), "still `...`")


def test_stl_export_open_surface(lesion, tmp_path):
    k = int(np.argwhere(lesion).mean(axis=0).round()[0])
    top = lesion[k:]
    verts, faces = _march(top)                           # not padded: open
    path = tmp_path / "open.stl"
    trimesh.Trimesh(verts, faces, process=False).export(path)
    assert not _run("stl_export", stl_path=path).passed


# ----------------------------------------------------------------------------- plotly_view

def _view(chest, lesion, step=3, spacing=SPACING, aspect="data", lesion_only=False):
    fig = None
    if not lesion_only:
        lungs = mesh.mask_to_mesh(chest.mask("lung_right", "lung_left"), spacing, step_size=step)
        fig = mesh.plotly_mesh(lungs, name="lungs", opacity=0.3)
    fig = mesh.plotly_mesh(mesh.mask_to_mesh(lesion, spacing), name="lesion", fig=fig)
    if aspect is None:
        fig.layout.scene.aspectmode = None
    else:
        fig.update_layout(scene_aspectmode=aspect)
    return fig


def test_plotly_view_pass(chest, lesion):
    for step in (2, 3, 5):
        assert _run("plotly_view", fig_mesh3d=_view(chest, lesion, step=step)).passed
    # one trace per lung, built with go.Mesh3d by hand
    fig = go.Figure()
    for name in ("lung_right", "lung_left", "lesion"):
        m = mesh.mask_to_mesh(chest.mask(name), SPACING, step_size=3 if "lung" in name else 1)
        x, y, z = m.xyz.T
        fig.add_trace(go.Mesh3d(x=x, y=y, z=z, i=m.faces[:, 0], j=m.faces[:, 1],
                                k=m.faces[:, 2], name=name))
    fig.update_layout(scene=dict(aspectmode="data"))
    assert _run("plotly_view", fig_mesh3d=fig).passed


def test_plotly_view_mistakes(chest, lesion):
    _assert_fails(_run("plotly_view", fig_mesh3d=_view(chest, lesion, step=1)), "step_size")
    _assert_fails(_run("plotly_view", fig_mesh3d=_view(chest, lesion, aspect=None)),
                  "aspectmode")
    _assert_fails(_run("plotly_view", fig_mesh3d=_view(chest, lesion, aspect="cube")),
                  "aspectmode")
    _assert_fails(_run("plotly_view", fig_mesh3d=_view(chest, lesion, spacing=(1, 1, 1))),
                  "voxel units")
    _assert_fails(_run("plotly_view", fig_mesh3d=_view(chest, lesion, lesion_only=True)),
                  "one surface")
    _assert_fails(_run("plotly_view", fig_mesh3d=go.Figure(go.Scatter(x=[0], y=[1]))),
                  "no mesh3d")
    _assert_fails(_run("plotly_view", fig_mesh3d=...), "still `...`")
