"""Checks for exercise 11, 3D meshes.

The task data (:func:`make_task`, one variant per learner) put a ball-shaped lesion of a
variant's radius, centred off the voxel grid, into the lungs of the phantom
(:func:`course_utils.phantom.chest_volume`) on an anisotropic grid of the variant's spacing.
The grid is coarse enough that the three volumes a learner may report differ by more than
:data:`VOLUME_TOLERANCE`: the mesh volume, the voxel count times the voxel volume, and the
ideal ball's 4/3 pi r^3 (each variant is chosen so that any two of them are at
least :data:`MIN_VOLUME_GAP` apart).
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

from course_utils.checks._values import per_task
from course_utils.checks import (CheckFailed, CheckList, get_array, get_number, get_path,
                                 is_blank, type_of)

checks = CheckList("11_meshes")
__all__ = ["checks", "closed_surface", "lesion_volume", "make_task", "mesh_in_mm",
           "plotly_view", "stl_export", "task"]

FOV_MM = (300.0, 300.0, 340.0)  # (z, y, x) field of view of the task grid
EXTENT_TOLERANCE_MM = 0.1       # a binary mask at level 0.5 puts the surface exactly half-way
VOLUME_TOLERANCE = 0.01         # relative; the variants keep the wrong volumes >= 2.5 % away
MIN_VOLUME_GAP = 0.025
MAX_TRIANGLES = 50_000          # for a page that stays light
LUNG_SPAN = 0.75                # a coarse mesh (large step_size) cuts the lungs' ends short
ASPECT_TOLERANCE = 0.03         # relative, for plotly's manual aspect ratio
_LESION_CENTRE_MM = (-10.0, 20.0, -92.0)   # the phantom's lesion, from the FOV centre (z, y, x)


def _ball(shape: tuple[int, ...], spacing: tuple[float, ...], centre: np.ndarray,
          radius: float) -> np.ndarray:
    """A bool mask of the voxels whose centres lie in the ball (computed in its box only)."""
    step = np.array(spacing)
    low = np.maximum(np.floor((centre - radius) / step).astype(int) - 1, 0)
    high = np.minimum(np.ceil((centre + radius) / step).astype(int) + 2, shape)
    axes = [(np.arange(lo, hi) * s - c) / radius
            for lo, hi, s, c in zip(low, high, step, centre)]
    mask = np.zeros(shape, dtype=bool)
    mask[tuple(slice(lo, hi) for lo, hi in zip(low, high))] = (
        axes[0][:, None, None] ** 2 + axes[1][None, :, None] ** 2
        + axes[2][None, None, :] ** 2) <= 1.0
    return mask


def _box_extent(mask: np.ndarray, spacing: np.ndarray) -> np.ndarray:
    where = np.argwhere(mask)
    return (where.max(axis=0) - where.min(axis=0) + 1) * spacing


def _box_xyz(mask: np.ndarray, spacing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box (low, high) in mm, (x, y, z) order, of a mask's voxels (half a voxel out)."""
    low, high = np.zeros(3), np.zeros(3)
    for axis in range(3):
        where = np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != axis)))
        low[axis] = (where[0] - 0.5) * spacing[axis]
        high[axis] = (where[-1] + 0.5) * spacing[axis]
    return low[::-1], high[::-1]


@checks.task_data
def make_task(variant: int) -> types.SimpleNamespace:
    """The exercise's input data for ``variant``: grid, lesion and lungs (no expected values).

    Attributes: ``spacing`` (dz, dy, dx) mm, ``shape``, ``radius_mm``, ``lesion`` and
    ``lungs`` (bool masks on the grid), ``k`` (the lesion's centre slice; ``lesion[k:]`` is
    the cut lesion). What the checks expect is computed from these by the checks
    (:func:`_expected_volumes` and the other helpers), never stored where a learner reads it.
    """
    from course_utils.mesh import mask_to_mesh, mesh_volume
    from course_utils.phantom import chest_volume

    rng = np.random.default_rng([11, variant])
    while True:
        spacing = (float(rng.choice([3.0, 3.5, 4.0, 4.5, 5.0])),
                   float(rng.choice([1.2, 1.4, 1.6, 1.8])),
                   float(rng.choice([1.0, 1.3, 1.5, 1.7])))
        radius = float(rng.choice([6.0, 7.0, 8.0, 9.0]))
        jitter = rng.uniform(-0.5, 0.5, 3)
        offset = rng.uniform(-8.0, 8.0, 3)      # mm, so the lesion's place follows the variant
        if spacing[1] == spacing[2]:
            continue
        step = np.array(spacing)
        shape = tuple(int(round(f / s)) for f, s in zip(FOV_MM, spacing))
        centre = ((np.array(shape) - 1) / 2 * step + np.array(_LESION_CENTRE_MM) + offset
                  + jitter * step)
        corner = np.floor((centre - radius) / step).astype(int) - 2   # the ball's small box
        box = tuple(int(2 * radius / s) + 6 for s in spacing)
        small = _ball(box, spacing, centre - corner * step, radius)
        # the box's sides differ, so axis order and spacing order show in the extent
        voxels = _box_extent(small, np.ones(3))
        sides = [voxels * step, voxels * step[::-1], (voxels * step)[::-1]]
        apart = min(np.abs(a - b).max() for i, a in enumerate(sides) for b in sides[i + 1:])
        slices = np.flatnonzero(small.any(axis=(1, 2)))
        centre_slice = int(np.argwhere(small).mean(axis=0).round()[0])
        below = small[:centre_slice].sum() / small.sum()   # lesion[k:] must cut it well
        if apart <= 1.0 or len(slices) < 3 or not 0.2 <= below <= 0.6:
            continue
        mesh_ml = mesh_volume(mask_to_mesh(small, spacing)) / 1000
        voxel_ml = float(small.sum()) * float(np.prod(spacing)) / 1000
        ball_ml = 4 / 3 * math.pi * radius ** 3 / 1000
        gaps = (voxel_ml - mesh_ml, ball_ml - mesh_ml, ball_ml - voxel_ml)
        if min(abs(gap) for gap in gaps) > MIN_VOLUME_GAP * mesh_ml:
            break
    lesion = np.zeros(shape, dtype=bool)
    lesion[tuple(slice(c, c + n) for c, n in zip(corner, box))] = small
    k = int(corner[0] + centre_slice)
    chest = chest_volume(shape=shape, spacing=spacing, seed=variant % 1000)
    lungs = chest.mask("lung_right", "lung_left") & ~lesion
    return types.SimpleNamespace(variant=variant, spacing=spacing, shape=shape,
                                 radius_mm=radius, lesion=lesion, lungs=lungs, k=k)


task = checks.task




# ----------------------------------------------------------------------------- expected values

def _lesion_mesh(data: Any) -> Any:
    """The lesion's full-resolution mesh in mm (made once per task data)."""
    from course_utils.mesh import mask_to_mesh

    return per_task(data, "mesh", lambda: mask_to_mesh(data.lesion, data.spacing))


def _expected_volumes(data: Any) -> tuple[float, float, float]:
    """The lesion's mesh, voxel-count and ideal-ball volumes in mL, from the task data."""
    from course_utils.mesh import mesh_volume

    def compute() -> tuple[float, float, float]:
        mesh_ml = mesh_volume(_lesion_mesh(data)) / 1000
        voxel_ml = float(data.lesion.sum()) * float(np.prod(data.spacing)) / 1000
        return mesh_ml, voxel_ml, 4 / 3 * math.pi * data.radius_mm ** 3 / 1000
    return per_task(data, "volumes", compute)


def _expected_top(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Extent and lowest corner (z, y, x) in mm of the closed mesh of ``lesion[k:]``."""
    from course_utils.mesh import mask_to_mesh

    verts = per_task(data, "top", lambda: mask_to_mesh(data.lesion[data.k:], data.spacing).verts)
    return np.ptp(verts, axis=0), verts.min(axis=0)


def _lesion_extents(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """The lesion's bounding box size in mm and in voxels, (z, y, x)."""
    return per_task(data, "extents", lambda: (_box_extent(data.lesion, np.array(data.spacing)),
                                           _box_extent(data.lesion, np.ones(3))))


# ----------------------------------------------------------------------------- helpers

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


def _close(a: Any, b: Any, tol: float) -> bool:
    return bool(np.all(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) <= tol))


# ----------------------------------------------------------------------------- checks

@checks.add(points=1)
def mesh_in_mm(lesion_verts, task):
    """Marching-cubes vertices of the lesion in mm, in the array's (z, y, x) order."""
    verts = _verts(lesion_verts, "lesion_verts")
    extent = np.ptp(verts, axis=0)
    expected, voxels = _lesion_extents(task)
    if _close(extent, expected, EXTENT_TOLERANCE_MM):
        return
    if _close(extent, voxels, EXTENT_TOLERANCE_MM):
        raise CheckFailed("The vertices are in voxel indices, not mm: marching cubes needs "
                          "the voxel size through its `spacing` argument.")
    if _close(extent, expected[::-1], EXTENT_TOLERANCE_MM):
        raise CheckFailed("The columns are in (x, y, z) order; keep marching cubes' order, "
                          "the array's (z, y, x), for this task.")
    if _close(extent, voxels * np.array(task.spacing)[::-1], EXTENT_TOLERANCE_MM):
        raise CheckFailed("The size along each axis is off: `spacing` goes in the array's "
                          "axis order, (dz, dy, dx), slice spacing first.")
    raise CheckFailed("The mesh's bounding box does not match the lesion's size in mm: mesh "
                      "the lesion mask at level 0.5 with the voxel spacing.")


@checks.add(points=1)
def lesion_volume(lesion_volume_ml, task):
    """The lesion's volume enclosed by its mesh, in mL."""
    value = get_number(lesion_volume_ml, "lesion_volume_ml")
    voxel_mm3 = float(np.prod(task.spacing))
    mesh_ml, voxel_ml, ball_ml = _expected_volumes(task)

    def near(x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=VOLUME_TOLERANCE)

    if near(value, mesh_ml):
        return
    if value < 0 and near(-value, mesh_ml):
        raise CheckFailed("The volume is negative: the sign of the summed tetrahedra depends "
                          "on the faces' orientation, take its absolute value.")
    if near(value, voxel_ml):
        raise CheckFailed("This is the volume of the voxel count (voxels x voxel volume), "
                          "not the volume the mesh encloses: sum the mesh's signed "
                          "tetrahedra.")
    if near(value, ball_ml):
        raise CheckFailed("This is the volume of an ideal ball (4/3 pi r^3), not of the "
                          "mesh: on this coarse grid the mesh encloses another volume; sum "
                          "the mesh's signed tetrahedra.")
    for mm3 in (mesh_ml, voxel_ml):
        if near(value, mm3 * 1000):
            raise CheckFailed("This looks like mm³: 1 mL is 1 cm³, that is 1000 mm³.")
        if near(value, mm3 / voxel_mm3) or near(value, mm3 * 1000 / voxel_mm3):
            raise CheckFailed("This volume is in voxels, not mm³ or mL: mesh with the voxel "
                              "spacing so the vertices, and the volume, are in mm.")
    raise CheckFailed("`lesion_volume_ml` is not the volume enclosed by the lesion's mesh in "
                      "mL: sum the signed tetrahedra (or use `mesh.mesh_volume`) and convert "
                      "mm³ to mL.")


@checks.add(points=1)
def closed_surface(top_verts, top_faces, task):
    """The cut lesion (touching the array border) meshed in mm as a closed surface."""
    verts = _verts(top_verts, "top_verts")
    faces = _faces(top_faces, "top_faces", len(verts))
    extent = np.ptp(verts, axis=0)
    top_extent, top_low = _expected_top(task)
    if not _close(extent, top_extent, EXTENT_TOLERANCE_MM):
        if _close(extent, top_extent / np.array(task.spacing), EXTENT_TOLERANCE_MM):
            raise CheckFailed("The surface is in voxel indices: pass `spacing` to marching "
                              "cubes.")
        n_edges, n_open = _edge_counts(faces)
        if n_open:
            raise CheckFailed(f"The surface is open: {n_open} edges belong to one triangle "
                              "only. The mask touches the array border, where marching cubes "
                              "finds no background: pad the mask first.")
        raise CheckFailed("This surface is not the size of the cut lesion in mm: mesh "
                          "`lesion_top` (padded) with the voxel spacing.")
    n_edges, n_open = _edge_counts(faces)
    if n_open:
        raise CheckFailed(f"The surface is open: {n_open} edges belong to one triangle only. "
                          "The mask touches the array border, where marching cubes finds no "
                          "background: pad the mask first.")
    euler = len(np.unique(faces)) - n_edges + len(faces)
    if euler != 2:
        raise CheckFailed("The surface is closed but is not one piece without holes: mesh "
                          "the cut lesion `lesion_top` only.")
    shift = verts.min(axis=0) - top_low
    if not _close(shift, 0, EXTENT_TOLERANCE_MM):
        if _close(shift, task.spacing, EXTENT_TOLERANCE_MM):
            raise CheckFailed("The surface sits one voxel off: padding added a voxel before "
                              "each axis; subtract the spacing so vertex = index x spacing "
                              "in `lesion_top`'s frame.")
        raise CheckFailed("The surface is not placed in `lesion_top`'s frame (vertex = index "
                          "x spacing): it is shifted by "
                          f"{', '.join(f'{s:.1f}' for s in shift)} mm (z, y, x).")


@checks.add(points=1)
def stl_export(stl_path, task):
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
    n_faces = len(surface.faces)
    if n_faces == 0:
        raise CheckFailed("The STL file holds no triangles.")
    extent_sorted = np.sort(surface.extents)
    lesion_extent, lesion_voxels = _lesion_extents(task)
    if _close(extent_sorted, np.sort(lesion_voxels), EXTENT_TOLERANCE_MM):
        raise CheckFailed("The STL is in voxel units: STL has no unit field and is read as "
                          "mm, so the vertices must already be in mm.")
    size_ok = _close(extent_sorted, np.sort(lesion_extent), EXTENT_TOLERANCE_MM)
    roughly = _close(extent_sorted, np.sort(lesion_extent), 2 * max(task.spacing))
    if n_faces != _lesion_mesh(task).n_faces and (size_ok or roughly):
        raise CheckFailed(f"The STL holds {n_faces} triangles, not those of the lesion's "
                          "full-resolution mesh: export the lesion mesh made with "
                          "`step_size=1`.")
    if not size_ok:
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


def _aspect_mode(scene: dict[str, Any]) -> str:
    """plotly's aspect mode as plotly.js resolves it (an aspect ratio alone means manual)."""
    mode = scene.get("aspectmode")
    if mode in (None, ""):
        return "manual" if scene.get("aspectratio") else "auto"
    return str(mode)


def _equal_units(scene: dict[str, Any], low: np.ndarray, high: np.ndarray) -> bool:
    """True if the 3D scene draws 1 mm the same length on x, y and z."""
    ranges = []
    for axis, lo, hi in zip("xyz", low, high):
        given = (scene.get(f"{axis}axis") or {}).get("range")
        ranges.append(abs(float(given[1]) - float(given[0])) if given is not None
                      and len(given) == 2 else float(hi - lo))
    ranges = np.array(ranges)
    mode = _aspect_mode(scene)
    if mode == "auto":  # plotly.js: "data" unless one axis is over 4 times the others
        mode = "cube" if ranges.max() > 4 * np.sort(ranges)[1] else "data"
    if mode == "data":
        return True
    if mode == "cube":
        return _ratio_equal(np.ones(3), ranges)
    if mode == "manual":
        ratio = scene.get("aspectratio") or {}
        try:
            values = np.array([float(ratio[axis]) for axis in "xyz"])
        except (KeyError, TypeError, ValueError):
            return False
        return _ratio_equal(values, ranges)
    return False


def _ratio_equal(drawn: np.ndarray, ranges: np.ndarray) -> bool:
    if np.any(drawn <= 0) or np.any(ranges <= 0):
        return False
    per_mm = drawn / ranges
    return bool(np.ptp(per_mm) <= ASPECT_TOLERANCE * per_mm.mean())


@checks.add(points=1)
def plotly_view(fig_mesh3d, task):
    """An interactive plotly view of lungs and lesion in mm, equal units, light enough."""
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
    box_low, box_high = per_task(task, "lungs_box", lambda: _box_xyz(task.lungs | task.lesion,
                                                                   np.array(task.spacing)))
    spacing_xyz = np.array(task.spacing)[::-1]

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
    lesion_low, lesion_high = per_task(task, "lesion_box",
                                    lambda: _box_xyz(task.lesion, np.array(task.spacing)))
    boxes = [(np.array([_coordinates(t, axis).min() for axis in "xyz"]),
              np.array([_coordinates(t, axis).max() for axis in "xyz"])) for t in traces
             if all(_coordinates(t, axis).size for axis in "xyz")]
    if not any(_close(lo, lesion_low, 1.01 * spacing_xyz.max())
               and _close(hi, lesion_high, 1.01 * spacing_xyz.max()) for lo, hi in boxes):
        raise CheckFailed("No trace is the lesion at its place in mm: add the mesh of "
                          "`lesion` (in mm, x, y, z = column, row, slice) as a trace of its "
                          "own.")
    scene = (figure.get("layout") or {}).get("scene") or {}
    if not _equal_units(scene, low, high):
        raise CheckFailed(f"The 3D scene (aspectmode {_aspect_mode(scene)!r}) does not draw "
                          "1 mm the same length on its three axes: the surfaces are "
                          "stretched. Use aspectmode 'data', or an `aspectratio` in "
                          "proportion to the axes' ranges in mm.")
