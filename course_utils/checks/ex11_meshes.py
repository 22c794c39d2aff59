"""Checks for exercise 11, 3D meshes.

The exercise uses the phantom on the grid of the synthetic series,
``chest_volume(shape=(72, 256, 256), spacing=(4.0, 1.5, 1.5), seed=0)``: the lesion (a ball of
radius 10 mm), the lesion cut at its centre slice (``lesion[k:]``, which touches the array
border), and both lungs.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from course_utils.checks import (CheckFailed, CheckList, get_array, get_number, get_path,
                                       is_blank, type_of)

checks = CheckList("11_meshes")
__all__ = ["checks", "closed_surface", "lesion_volume", "mesh_in_mm", "plotly_view",
           "stl_export"]

SHAPE, SPACING, SEED = (72, 256, 256), (4.0, 1.5, 1.5), 0
EXTENT_TOLERANCE_MM = 0.1     # a binary mask at level 0.5 puts the surface exactly half-way
VOLUME_TOLERANCE = 0.03       # relative: mesh volume, voxel count and step sizes agree this well
MAX_TRIANGLES = 50_000        # for a page that stays light
LUNG_SPAN = 0.75              # a coarse mesh (large step_size) cuts the lungs' ends short


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from course_utils.mesh import mask_to_mesh, mesh_volume
    from course_utils.phantom import chest_volume

    chest = chest_volume(shape=SHAPE, spacing=SPACING, seed=SEED)
    lesion = chest.mask("lesion")
    k = int(np.argwhere(lesion).mean(axis=0).round()[0])
    lesion_top = lesion[k:]
    spacing = np.array(SPACING)

    def box_extent(mask: np.ndarray) -> np.ndarray:
        where = np.argwhere(mask)
        return (where.max(axis=0) - where.min(axis=0) + 1) * spacing

    lesion_mesh = mask_to_mesh(lesion, SPACING)
    top_mesh = mask_to_mesh(lesion_top, SPACING)
    lungs = chest.mask("lung_right", "lung_left")
    return {"lesion_extent": box_extent(lesion),
            "lesion_extent_voxels": box_extent(lesion) / spacing,
            "lesion_ml": mesh_volume(lesion_mesh) / 1000,
            "lesion_faces": lesion_mesh.n_faces,
            "top_extent": np.ptp(top_mesh.verts, axis=0),
            "lungs_box_xyz": _box_xyz(lungs, spacing)}


def _box_xyz(mask: np.ndarray, spacing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box (low, high) in mm, (x, y, z) order, of a mask's voxels (half a voxel out)."""
    where = np.argwhere(mask)
    low = (where.min(axis=0) - 0.5) * spacing
    high = (where.max(axis=0) + 0.5) * spacing
    return low[::-1], high[::-1]


def _verts(value: Any, name: str) -> np.ndarray:
    verts = get_array(value, name, ndim=2)
    if verts.shape[1] != 3:
        raise CheckFailed(f"`{name}` should have one row per vertex and 3 columns, it has "
                          f"shape {tuple(verts.shape)}.")
    if len(verts) < 4:
        raise CheckFailed(f"`{name}` holds {len(verts)} vertices: that is not a surface yet.")
    return np.asarray(verts, dtype=float)


def _faces(value: Any, name: str, n_verts: int) -> np.ndarray:
    faces = get_array(value, name, ndim=2)
    if faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.number):
        raise CheckFailed(f"`{name}` should be triangles: one row of 3 vertex indices each.")
    faces = np.asarray(faces)
    if not np.array_equal(faces, np.round(faces)) or faces.min() < 0 \
            or faces.max() >= n_verts:
        raise CheckFailed(f"`{name}` holds values that are not indices into the vertices: "
                          "pass the faces marching cubes returned with these vertices.")
    return faces.astype(np.int64)


def _edge_counts(faces: np.ndarray) -> tuple[int, int]:
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]),
                    axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    return len(unique), int((counts == 1).sum())


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= tol))


@checks.add(points=1)
def mesh_in_mm(lesion_verts):
    """Marching-cubes vertices of the lesion in mm, in the array's (z, y, x) order."""
    verts = _verts(lesion_verts, "lesion_verts")
    data = _data()
    extent = np.ptp(verts, axis=0)
    expected = data["lesion_extent"]
    if _close(extent, expected, EXTENT_TOLERANCE_MM):
        return
    if _close(extent, data["lesion_extent_voxels"], EXTENT_TOLERANCE_MM):
        raise CheckFailed("The vertices are in voxel indices, not mm: marching cubes needs "
                          "the voxel size through its `spacing` argument.")
    if _close(extent, expected[::-1], EXTENT_TOLERANCE_MM):
        raise CheckFailed("The columns are in (x, y, z) order; keep marching cubes' order, "
                          "the array's (z, y, x), for this task.")
    if _close(np.sort(extent), np.sort(data["lesion_extent_voxels"] * np.array(SPACING)[::-1]),
              EXTENT_TOLERANCE_MM):
        raise CheckFailed("The size along each axis is off: `spacing` goes in the array's "
                          "axis order, (dz, dy, dx), slice spacing first.")
    raise CheckFailed("The mesh's bounding box does not match the lesion's size in mm: mesh "
                      "the lesion mask at level 0.5 with the voxel spacing.")


@checks.add(points=1)
def lesion_volume(lesion_volume_ml):
    """The lesion's volume from its mesh, in mL."""
    value = get_number(lesion_volume_ml, "lesion_volume_ml")
    expected = _data()["lesion_ml"]
    voxel_mm3 = float(np.prod(SPACING))

    def near(x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=VOLUME_TOLERANCE)

    if near(value, expected):
        return
    if near(value, expected * 1000):
        raise CheckFailed("This looks like mm³: 1 mL is 1 cm³, that is 1000 mm³.")
    if near(value, expected / voxel_mm3) or near(value, expected * 1000 / voxel_mm3):
        raise CheckFailed("This volume is in voxels, not mm³ or mL: mesh with the voxel "
                          "spacing so the vertices, and the volume, are in mm.")
    if value < 0:
        raise CheckFailed("A volume is positive: the sign of the summed tetrahedra depends on "
                          "the face orientation, take its absolute value.")
    raise CheckFailed("`lesion_volume_ml` is not the volume enclosed by the lesion's mesh in "
                      "mL: sum the signed tetrahedra (or use `mesh.mesh_volume`) and convert "
                      "mm³ to mL.")


@checks.add(points=1)
def closed_surface(top_verts, top_faces):
    """The cut lesion (touching the array border) meshed as a closed surface."""
    verts = _verts(top_verts, "top_verts")
    faces = _faces(top_faces, "top_faces", len(verts))
    data = _data()
    n_edges, n_open = _edge_counts(faces)
    if n_open:
        raise CheckFailed(f"The surface is open: {n_open} edges belong to one triangle only. "
                          "The mask touches the array border, where marching cubes finds no "
                          "background: pad the mask first.")
    euler = len(np.unique(faces)) - n_edges + len(faces)
    if euler != 2:
        raise CheckFailed("The surface is closed but is not one piece without holes: mesh "
                          "the cut lesion `lesion_top` only.")
    extent = np.ptp(verts, axis=0)
    if not _close(extent, data["top_extent"], EXTENT_TOLERANCE_MM):
        if _close(extent, data["top_extent"] / np.array(SPACING), EXTENT_TOLERANCE_MM):
            raise CheckFailed("The closed surface is in voxel indices: pass `spacing` to "
                              "marching cubes.")
        raise CheckFailed("This closed surface is not the size of the cut lesion in mm: mesh "
                          "`lesion_top` (padded) with the voxel spacing.")


@checks.add(points=1)
def stl_export(stl_path):
    """An STL file of the lesion mesh: every triangle, closed, in mm."""
    import io

    import trimesh

    from course_utils.checks._values import read_learner_file

    data = read_learner_file(get_path(stl_path, "stl_path", suffix=".stl"), "stl_path")
    try:
        surface = trimesh.load(io.BytesIO(data), file_type="stl", force="mesh", process=True)
    except Exception:
        raise CheckFailed("`stl_path` cannot be read as an STL file: write it with "
                          "`mesh.save_stl` or trimesh's `export`.") from None
    data = _data()
    n_faces = len(surface.faces)
    if n_faces == 0:
        raise CheckFailed("The STL file holds no triangles.")
    extent_sorted = np.sort(surface.extents)
    if _close(extent_sorted, np.sort(data["lesion_extent_voxels"]), EXTENT_TOLERANCE_MM):
        raise CheckFailed("The STL is in voxel units: STL has no unit field and is read as "
                          "mm, so the vertices must already be in mm.")
    if n_faces != data["lesion_faces"]:
        raise CheckFailed(f"The STL holds {n_faces} triangles, not those of the lesion's "
                          "full-resolution mesh: export the lesion mesh made with "
                          "`step_size=1`.")
    if not _close(extent_sorted, np.sort(data["lesion_extent"]), EXTENT_TOLERANCE_MM):
        raise CheckFailed("The STL's size does not match the lesion in mm: export the "
                          "lesion mesh made with the voxel spacing.")
    if not surface.is_watertight:
        raise CheckFailed("The STL surface is not closed (watertight); a 3D printer "
                          "rejects it: export the mesh of the padded mask.")


def _plotly(value: Any, name: str) -> dict[str, Any]:
    if is_blank(value):
        get_number(value, name)  # raises the "still ..." message
    if type_of(value) != "plotly_figure":
        raise CheckFailed(f"`{name}` should be a plotly Figure (from `mesh.plotly_mesh` or "
                          "`go.Figure`), got something else.")
    return value


def _coordinates(trace: dict[str, Any], axis: str) -> np.ndarray:
    values = trace.get(axis)
    if values is None:
        return np.zeros(0)
    return np.asarray(values, dtype=float).ravel()


@checks.add(points=1)
def plotly_view(fig_mesh3d):
    """An interactive plotly view of lungs and lesion in mm, equal aspect, light enough."""
    figure = _plotly(fig_mesh3d, "fig_mesh3d")
    traces = [t for t in figure["data"] if isinstance(t, dict) and t.get("type") == "mesh3d"]
    if not traces:
        raise CheckFailed("`fig_mesh3d` has no Mesh3d trace: add the meshes with "
                          "`mesh.plotly_mesh(..., fig=...)` or `go.Mesh3d`.")
    if len(traces) < 2:
        raise CheckFailed("The figure shows one surface: put the lungs and the lesion in the "
                          "same figure (one trace each, or one per lung).")
    triangles = sum(len(_coordinates(t, "i")) for t in traces)
    if triangles > MAX_TRIANGLES:
        raise CheckFailed(f"The figure holds {triangles} triangles, several MB in the "
                          "notebook and the page: mesh the lungs with a larger `step_size`.")
    xyz = [np.concatenate([_coordinates(t, axis) for t in traces]) for axis in "xyz"]
    if any(a.size == 0 for a in xyz):
        raise CheckFailed("The Mesh3d traces have no x, y, z coordinates.")
    low = np.array([a.min() for a in xyz])
    high = np.array([a.max() for a in xyz])
    box_low, box_high = _data()["lungs_box_xyz"]
    spacing_xyz = np.array(SPACING)[::-1]

    def fits(lo: np.ndarray, hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray) -> bool:
        # inside the lungs' box (any step size cuts corners, never adds) and spanning most of it
        margin = spacing_xyz
        return bool(np.all(lo >= b_lo - margin) and np.all(hi <= b_hi + margin)
                    and np.all(hi - lo >= LUNG_SPAN * (b_hi - b_lo)))

    if not fits(low, high, box_low, box_high):
        if fits(low, high, box_low / spacing_xyz, box_high / spacing_xyz):
            raise CheckFailed("The meshes are in voxel units: mesh the masks with the voxel "
                              "spacing.")
        if fits(low, high, box_low[::-1], box_high[::-1]):
            raise CheckFailed("x and z are swapped: plotly's x, y, z are column, row, slice, "
                              "the reverse of marching cubes' vertex columns.")
        raise CheckFailed("The surfaces do not span both lungs in mm: add a mesh of each "
                          "lung (or of both) and of the lesion.")
    scene = (figure.get("layout") or {}).get("scene") or {}
    if scene.get("aspectmode") != "data":
        raise CheckFailed("The 3D scene does not keep equal units on its three axes: by "
                          "default plotly stretches each axis to a cube; look at the scene's "
                          "`aspectmode`.")
