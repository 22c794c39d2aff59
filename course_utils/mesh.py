"""Surface meshes from masks: marching cubes in mm, volume and area, rendering, STL export.

:func:`mask_to_mesh` runs :func:`skimage.measure.marching_cubes` with the voxel ``spacing``,
so vertices are in mm, and pads the mask with one voxel of background so that an object
touching the array border still gives a closed surface. Vertex coordinates are in the
array's ``[z, y, x]`` order, as marching cubes gives them: ``verts[:, k] = index_k *
spacing[k]``, the same frame as the voxel centres of the unpadded array.

Rendering: :func:`plot_mesh` (matplotlib, static, equal aspect) and :func:`plotly_mesh`
(interactive). Both, and :func:`save_stl`, put x = column, y = row, z = slice on their axes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import check_spacing as _check_spacing

__all__ = ["Mesh", "mask_to_mesh", "mesh_area", "mesh_volume", "plot_mesh", "plotly_mesh",
           "save_stl"]

_ORANGE = "#E69F00"  # Okabe-Ito orange


@dataclass
class Mesh:
    """A triangle mesh in mm.

    Attributes
    ----------
    verts : numpy.ndarray
        ``(n_verts, 3)`` float32 vertex coordinates in mm, ``[z, y, x]`` order.
    faces : numpy.ndarray
        ``(n_faces, 3)`` int indices into ``verts``.
    normals : numpy.ndarray
        ``(n_verts, 3)`` vertex normals, ``[z, y, x]`` order.
    """

    verts: np.ndarray
    faces: np.ndarray
    normals: np.ndarray

    @property
    def n_faces(self) -> int:
        """Number of triangles."""
        return int(len(self.faces))

    @property
    def xyz(self) -> np.ndarray:
        """Vertices in ``(x, y, z)`` = (column, row, slice) order, mm."""
        return self.verts[:, ::-1]


def _check_mesh(mesh) -> Mesh:
    if not isinstance(mesh, Mesh):
        raise TypeError(f"expected a course_utils.mesh.Mesh, got {type(mesh).__name__}; "
                        "make one with mask_to_mesh(mask, spacing)")
    return mesh


#: Smoothed masks (gaussian_filter of a 0/1 mask) stray outside [0, 1] by float rounding.
_MASK_TOLERANCE = 1e-6


def mask_to_mesh(mask, spacing: Sequence[float], level: float | None = None, pad: bool = True,
                 step_size: int = 1) -> Mesh:
    """Surface of a 3D mask by marching cubes, in mm.

    Parameters
    ----------
    mask : array_like, 3D
        Boolean mask (or a float map, e.g. probabilities) ``[z, y, x]``.
    spacing : sequence of 3 float
        ``(dz, dy, dx)`` in mm, passed to marching cubes.
    level : float, optional
        Iso-value of the surface. Default 0.5, half-way between background and object, for
        a boolean or 0/1 mask or a map in [0, 1]; for other values (a 0-255 image, HU)
        say which level you mean.
    pad : bool
        Pad with one voxel of background (0, or ``level - 1`` if ``level <= 0``) so objects
        touching the array border get a closed surface.
    step_size : int
        Marching cubes step in voxels; larger is coarser and faster.

    Returns
    -------
    Mesh
        Vertices in mm in the unpadded array's frame (``verts[:, k] = index * spacing[k]``).

    Notes
    -----
    Only the bounding box of the object (plus one voxel) is meshed, which is faster than
    meshing the whole array and gives the same surface.

    Examples
    --------
    >>> m = np.zeros((8, 8, 8), dtype=bool)
    >>> m[2:6, 2:6, 2:6] = True
    >>> surf = mask_to_mesh(m, spacing=(2.0, 1.0, 1.0))
    >>> surf.verts.min(axis=0).tolist(), surf.verts.max(axis=0).tolist()  # mm, z y x
    ([3.0, 1.5, 1.5], [11.0, 5.5, 5.5])
    """
    array = np.asarray(mask)
    if array.ndim != 3:
        raise ValueError(f"mask must be a 3D array [z, y, x], got {array.ndim}D with shape "
                         f"{array.shape}; for a 2D mask draw a contour instead")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"mask must be boolean or real numbers, got dtype {array.dtype}")
    spacing = _check_spacing(spacing)
    if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) \
            or step_size < 1:
        raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError("mask contains NaN or infinite values; replace them first, e.g. "
                         "np.nan_to_num(mask)")
    if level is None:
        low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 0.0)
        if not (-_MASK_TOLERANCE <= low and high <= 1.0 + _MASK_TOLERANCE):
            raise ValueError(f"mask has values from {low:.6g} to {high:.6g}, not a mask in [0, 1]; "
                             "pass a boolean mask (e.g. image > 127 for a 0-255 image) or the "
                             "iso-value you want as level=")
        level = 0.5
    if isinstance(level, bool) or not (isinstance(level, numbers.Real)
                                       and math.isfinite(level)):
        raise ValueError(f"level must be a finite number, got {level!r}")
    inside = array > level
    if not inside.any():
        raise ValueError(f"mask has no voxel above level={level} (empty mask?); "
                         "there is no surface to mesh")
    if not pad and inside.all():
        raise ValueError("every voxel is above level and pad=False: there is no surface; "
                         "use pad=True to close the object at the array border")

    from skimage import measure

    where = np.argwhere(inside)
    start = np.maximum(where.min(axis=0) - 1, 0)
    stop = np.minimum(where.max(axis=0) + 2, array.shape)
    crop = array[tuple(slice(a, b) for a, b in zip(start, stop))].astype(np.float32)
    before = np.zeros(3, dtype=int)
    if pad:
        # pad only where the box touches the array border (elsewhere it has a margin)
        before = (start == 0).astype(int)
        after = (stop == np.array(array.shape)).astype(int)
        if before.any() or after.any():
            background = 0.0 if level > 0 else level - 1.0  # zeros, below the level
            crop = np.pad(crop, list(zip(before, after)), constant_values=background)
    try:
        verts, faces, normals, _ = measure.marching_cubes(crop, level=level, spacing=spacing,
                                                          step_size=int(step_size))
    except (ValueError, RuntimeError) as error:
        raise ValueError(f"marching cubes found no surface at level={level}: {error}") \
            from None
    verts += ((start - before) * np.array(spacing)).astype(verts.dtype)
    return Mesh(verts=verts, faces=faces, normals=normals)


def _triangles(mesh: Mesh) -> np.ndarray:
    return _check_mesh(mesh).verts.astype(np.float64)[mesh.faces]


def mesh_volume(mesh: Mesh) -> float:
    """Enclosed volume in mm^3, by the divergence theorem (sum of signed tetrahedra).

    Exact for a closed, consistently oriented mesh; the absolute value is returned so the
    face orientation does not matter.

    Examples
    --------
    >>> m = np.zeros((6, 6, 6), dtype=bool)
    >>> m[1:5, 1:5, 1:5] = True
    >>> round(mesh_volume(mask_to_mesh(m, (1, 1, 1))), 3)  # 4^3 cube minus cut edges
    58.667
    """
    tri = _triangles(mesh)
    signed = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6.0
    return float(abs(signed))


def mesh_area(mesh: Mesh) -> float:
    """Surface area in mm^2 (sum of the triangle areas).

    On a binary mask the staircase of voxels makes the marching-cubes surface 5-20 % larger
    than the smooth object's, however fine the grid (the volume, by contrast, converges).
    For a better area, smooth the mask first, e.g. ``gaussian_filter(mask.astype(float),
    sigma)`` with sigma about 1 mm, and mesh the result at ``level=0.5``.

    Examples
    --------
    >>> m = np.zeros((6, 6, 6), dtype=bool)
    >>> m[1:5, 1:5, 1:5] = True
    >>> surf = mask_to_mesh(m, (1, 1, 1))
    >>> bool(80 < mesh_area(surf) < 96)  # a little less than the cube's 6 * 4^2
    True
    """
    tri = _triangles(mesh)
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    return float(0.5 * np.linalg.norm(cross, axis=1).sum())


def plot_mesh(mesh: Mesh, ax=None, color: str = _ORANGE, alpha: float = 1.0,
              shade: bool = True, elev: float | None = None, azim: float | None = None,
              **kwargs):
    """Draw a mesh on a matplotlib 3D axes with equal aspect in mm.

    Axes are x = column, y = row, z = slice (mm). With the synthetic data (LPS+), x points
    to the patient's left, y to posterior and z to superior: ``azim=-90`` looks from the
    front, with the patient's right on the viewer's left.

    Parameters
    ----------
    mesh : Mesh
        From :func:`mask_to_mesh`.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D, optional
        A 3D axes (``projection="3d"``); default: the current axes if it is 3D, a new 3D
        axes in the current figure if that is empty, else a new figure (an existing 2D axes
        is never drawn over).
    color, alpha : matplotlib colour and opacity of the faces.
    shade : bool
        Shade faces by their orientation to a light source.
    elev, azim : float, optional
        View angles passed to ``ax.view_init`` when given.
    **kwargs
        Passed to :class:`~mpl_toolkits.mplot3d.art3d.Poly3DCollection`.

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Poly3DCollection
        One polygon per face.

    Examples
    --------
    >>> m = np.zeros((6, 6, 6), dtype=bool)
    >>> m[1:5, 1:5, 1:5] = True
    >>> surf = mask_to_mesh(m, (1, 1, 1))
    >>> coll = plot_mesh(surf)
    >>> coll.axes.figure.canvas.draw()  # 3D polygons are projected at draw time
    >>> len(coll.get_paths()) == surf.n_faces
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LightSource
    from mpl_toolkits.mplot3d import Axes3D
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    mesh = _check_mesh(mesh)
    if ax is None:
        # plt.gca() would add a 2D axes to an empty figure: look before asking for one
        fig = plt.gcf()
        if not fig.axes:
            ax = fig.add_subplot(projection="3d")
        elif isinstance(fig.gca(), Axes3D):
            ax = fig.gca()
        else:  # never draw over a 2D axes: a new figure
            ax = plt.figure().add_subplot(projection="3d")
    elif not isinstance(ax, Axes3D):
        raise TypeError("ax must be a 3D axes; make one with "
                        "fig.add_subplot(projection='3d')")
    xyz = mesh.xyz
    kwargs.setdefault("edgecolor", "none")
    kwargs.setdefault("linewidth", 0)
    collection = Poly3DCollection(xyz[mesh.faces], facecolors=color, alpha=alpha, shade=shade,
                                  lightsource=LightSource(azdeg=225, altdeg=45) if shade
                                  else None, **kwargs)
    lo, hi = xyz.min(axis=0), xyz.max(axis=0)
    if ax.collections:  # meshes already drawn (e.g. the other lung): keep them in view
        current = np.array([ax.get_xlim(), ax.get_ylim(), ax.get_zlim()])
        lo, hi = np.minimum(lo, current[:, 0]), np.maximum(hi, current[:, 1])
    ax.add_collection3d(collection)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])
    ax.set_box_aspect(tuple(np.maximum(hi - lo, 1e-9)))
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_zlabel("z (mm)")
    if elev is not None or azim is not None:
        ax.view_init(elev=elev, azim=azim)
    return collection


def plotly_mesh(mesh: Mesh, color: str = _ORANGE, name: str = "mesh", opacity: float = 1.0,
                fig=None):
    """An interactive plotly figure of a mesh, with equal aspect in mm.

    Parameters
    ----------
    mesh : Mesh
        From :func:`mask_to_mesh`.
    color : str
        Colour of the surface.
    name : str
        Trace name (shown in the legend and on hover).
    opacity : float
        Opacity in [0, 1].
    fig : plotly.graph_objects.Figure, optional
        Add the mesh to this figure (e.g. one trace per lung) instead of a new one.

    Returns
    -------
    plotly.graph_objects.Figure
        With a ``Mesh3d`` trace (x = column, y = row, z = slice, mm) and
        ``scene.aspectmode == "data"``.

    Examples
    --------
    >>> m = np.zeros((6, 6, 6), dtype=bool)
    >>> m[1:5, 1:5, 1:5] = True
    >>> fig = plotly_mesh(mask_to_mesh(m, (1, 1, 1)), name="cube")
    >>> fig.data[0].type, fig.layout.scene.aspectmode
    ('mesh3d', 'data')
    """
    import plotly.graph_objects as go

    mesh = _check_mesh(mesh)
    if not (isinstance(opacity, numbers.Real) and 0 <= opacity <= 1):
        raise ValueError(f"opacity must be a number in [0, 1], got {opacity!r}")
    xyz = mesh.xyz
    trace = go.Mesh3d(x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], i=mesh.faces[:, 0],
                      j=mesh.faces[:, 1], k=mesh.faces[:, 2], color=color, name=name,
                      opacity=opacity, showlegend=True)
    if fig is None:
        fig = go.Figure()
    fig.add_trace(trace)
    fig.update_layout(scene=dict(aspectmode="data", xaxis_title="x (mm)",
                                 yaxis_title="y (mm)", zaxis_title="z (mm)"))
    return fig


def save_stl(mesh: Mesh, path) -> Path:
    """Write a mesh to a binary STL file (through trimesh), coordinates (x, y, z) in mm.

    The axes are reordered to x = column, y = row, z = slice and the faces wound so that
    normals point outward.

    Parameters
    ----------
    mesh : Mesh
        From :func:`mask_to_mesh`.
    path : str or pathlib.Path
        Output file, ``.stl``.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, trimesh
    >>> m = np.zeros((6, 6, 6), dtype=bool)
    >>> m[1:5, 1:5, 1:5] = True
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_stl(mask_to_mesh(m, (1, 1, 1)), Path(tmp) / "cube.stl")
    ...     print(path.suffix, round(trimesh.load(path).volume, 3))
    .stl 58.667
    """
    import trimesh

    mesh = _check_mesh(mesh)
    path = Path(path)
    if path.suffix.lower() != ".stl":
        raise ValueError(f"path must end in .stl, got {str(path)!r}")
    if not path.parent.exists():
        raise ValueError(f"folder {str(path.parent)!r} does not exist; create it first")
    surface = trimesh.Trimesh(vertices=mesh.xyz.astype(np.float64), faces=mesh.faces,
                              process=False)
    if surface.volume < 0:  # reordering z, y, x to x, y, z mirrors: keep normals outward
        surface.invert()
    surface.export(path, file_type="stl")
    return path
