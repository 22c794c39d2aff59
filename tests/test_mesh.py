"""Tests of course_utils.mesh: marching cubes in mm, volume and area, rendering, STL."""

import math

import numpy as np
import pytest

from course_utils import mesh as mesh_module
from course_utils.mesh import (Mesh, mask_to_mesh, mesh_area, mesh_volume, plot_mesh,
                               plotly_mesh, save_stl)


def _sphere(radius_mm, spacing, margin=3, center_offset=(0.0, 0.0, 0.0)):
    """A ball of radius_mm on a grid of the given spacing, centred in the array."""
    shape = [int(math.ceil(2 * radius_mm / s)) + 2 * margin for s in spacing]
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    center = [(n - 1) / 2 * s + o for n, s, o in zip(shape, spacing, center_offset)]
    dist2 = sum((g * s - c) ** 2 for g, s, c in zip(grids, spacing, center))
    return dist2 <= radius_mm ** 2


@pytest.fixture
def cube():
    m = np.zeros((6, 6, 6), dtype=bool)
    m[1:5, 1:5, 1:5] = True
    return m


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (0.5, 0.5, 0.5), (2.0, 0.7, 0.7)])
def test_sphere_volume_within_one_percent(spacing):
    radius = 20.0
    surf = mask_to_mesh(_sphere(radius, spacing), spacing)
    expected = 4 / 3 * math.pi * radius ** 3
    assert mesh_volume(surf) == pytest.approx(expected, rel=0.01)
    # area: the staircase of a binary mask makes the surface 5-20 % too large
    assert 1.0 < mesh_area(surf) / (4 * math.pi * radius ** 2) < 1.2


def test_sphere_area_after_smoothing():
    from scipy import ndimage
    radius, spacing = 20.0, (2.0, 0.7, 0.7)
    smooth = ndimage.gaussian_filter(_sphere(radius, spacing).astype(np.float32),
                                     [1.0 / s for s in spacing])  # sigma 1 mm
    surf = mask_to_mesh(smooth, spacing, level=0.5)
    assert mesh_area(surf) == pytest.approx(4 * math.pi * radius ** 2, rel=0.02)


def test_vertices_in_mm_of_unpadded_array(cube):
    surf = mask_to_mesh(cube, spacing=(2.0, 1.0, 0.5))
    # the surface passes half-way between the last True voxel (index 4) and the next (5)
    np.testing.assert_allclose(surf.verts.min(axis=0), [0.5 * 2.0, 0.5 * 1.0, 0.5 * 0.5])
    np.testing.assert_allclose(surf.verts.max(axis=0), [4.5 * 2.0, 4.5 * 1.0, 4.5 * 0.5])


def test_bounding_box_crop_matches_bare_marching_cubes(cube):
    from skimage import measure
    big = np.zeros((20, 18, 16), dtype=bool)
    big[5:11, 7:12, 3:9] = True
    spacing = (1.5, 0.8, 0.6)
    surf = mask_to_mesh(big, spacing)
    verts, faces, _, _ = measure.marching_cubes(big.astype(np.float32), 0.5, spacing=spacing)
    assert surf.n_faces == len(faces)
    np.testing.assert_allclose(np.sort(surf.verts, axis=0), np.sort(verts, axis=0), atol=1e-5)


def test_sphere_touching_border_closes():
    import trimesh
    radius, spacing = 10.0, (1.0, 1.0, 1.0)
    ball = _sphere(radius, spacing, margin=0)
    ball = ball[:, :, : ball.shape[2] // 2 + 1]  # cut: the half ball touches the border
    assert ball[:, :, -1].any()
    closed = mask_to_mesh(ball, spacing, pad=True)
    surface = trimesh.Trimesh(closed.xyz, closed.faces, process=True)
    assert surface.is_watertight
    expected = ball.sum() * np.prod(spacing)
    assert mesh_volume(closed) == pytest.approx(expected, rel=0.05)
    # the padded mesh reaches half a voxel beyond the last index, in the unpadded frame
    assert closed.verts[:, 2].max() == pytest.approx((ball.shape[2] - 0.5) * spacing[2])
    opened = mask_to_mesh(ball, spacing, pad=False)
    assert not trimesh.Trimesh(opened.xyz, opened.faces, process=True).is_watertight


def test_full_mask_needs_pad():
    full = np.ones((4, 4, 4), bool)
    assert mesh_volume(mask_to_mesh(full, (1, 1, 1))) > 0
    with pytest.raises(ValueError, match="use pad=True"):
        mask_to_mesh(full, (1, 1, 1), pad=False)


def test_float_map_and_step_size():
    ball = _sphere(10, (1, 1, 1)).astype(np.float32) * 0.9
    fine = mask_to_mesh(ball, (1, 1, 1), level=0.45)
    coarse = mask_to_mesh(ball, (1, 1, 1), level=0.45, step_size=2)
    assert coarse.n_faces < fine.n_faces


def test_mesh_volume_and_area_match_trimesh():
    import trimesh
    spacing = (2.0, 0.7, 0.7)
    surf = mask_to_mesh(_sphere(8, spacing), spacing)
    reference = trimesh.Trimesh(surf.xyz.astype(float), surf.faces, process=False)
    assert mesh_volume(surf) == pytest.approx(abs(reference.volume), rel=1e-9)
    assert mesh_area(surf) == pytest.approx(reference.area, rel=1e-9)


def test_cube_hand_worked(cube):
    # 4 x 4 x 4 voxels (indices 1..4): the surface runs half-way to the background, so it is
    # the 4 mm box [0.5, 4.5]^3 with bevelled edges and cut corners.
    # Edge: in a cross-section the cell corner beyond the last voxel keeps a triangle of legs
    # 1/2 (area 1/8) of its 1/4 quarter, so 1/8 mm^2 is removed along 3 mm (index 1 to 4).
    # Corner: of the (1/2)^3 = 1/8 mm^3 corner cell only a tetrahedron (1/2)^3 / 6 = 1/48 stays.
    surf = mask_to_mesh(cube, (1, 1, 1))
    assert mesh_volume(surf) == pytest.approx(64 - 12 * 3 / 8 - 8 * (1 / 8 - 1 / 48), abs=1e-6)
    # scaling one axis by 2 doubles the volume
    assert mesh_volume(mask_to_mesh(cube, (2, 1, 1))) == pytest.approx(2 * mesh_volume(surf))


def test_errors(cube):
    with pytest.raises(ValueError, match="mask must be a 3D array"):
        mask_to_mesh(np.ones((4, 4), bool), (1, 1))
    with pytest.raises(ValueError, match="no voxel above level"):
        mask_to_mesh(np.zeros((4, 4, 4), bool), (1, 1, 1))
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        mask_to_mesh(cube, (1, 0, 1))
    with pytest.raises(ValueError, match="spacing must be 3 positive numbers"):
        mask_to_mesh(cube, (1, 1))
    with pytest.raises(ValueError, match="step_size must be a positive integer"):
        mask_to_mesh(cube, (1, 1, 1), step_size=0)
    with pytest.raises(TypeError, match="expected a course_utils.mesh.Mesh"):
        mesh_volume(cube)
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers.*\(-1, 1, 1\)"):
        mask_to_mesh(cube, (-1, 1, 1))
    with pytest.raises(ValueError, match="mask has values from 0 to 255, not a mask in"):
        mask_to_mesh(cube * 255.0, (1, 1, 1))  # an 8-bit image of a mask
    with pytest.raises(ValueError, match="NaN or infinite"):
        mask_to_mesh(np.where(cube, np.nan, 0.0), (1, 1, 1))
    with pytest.raises(TypeError, match="boolean or real numbers"):
        mask_to_mesh(cube.astype(complex), (1, 1, 1))
    with pytest.raises(ValueError, match="level must be a finite number"):
        mask_to_mesh(cube, (1, 1, 1), level=np.nan)


def test_explicit_level_on_a_255_image(cube):
    # with the level half-way, a 0-255 image gives the same surface as the boolean mask
    a = mask_to_mesh(cube, (1, 1, 1))
    b = mask_to_mesh(cube * 255.0, (1, 1, 1), level=127.5)
    np.testing.assert_allclose(a.verts, b.verts, atol=1e-5)


def test_stl_round_trip(tmp_path, cube):
    import trimesh
    spacing = (2.0, 0.7, 0.7)
    surf = mask_to_mesh(_sphere(6, spacing), spacing)
    path = save_stl(surf, tmp_path / "ball.stl")
    assert path == tmp_path / "ball.stl" and path.stat().st_size > 0
    loaded = trimesh.load(path)
    assert len(loaded.faces) == surf.n_faces
    assert loaded.is_watertight
    assert loaded.volume == pytest.approx(mesh_volume(surf), rel=1e-5)  # positive: outward
    np.testing.assert_allclose(loaded.bounds, [surf.xyz.min(axis=0), surf.xyz.max(axis=0)],
                               atol=1e-4)
    with pytest.raises(ValueError, match="must end in .stl"):
        save_stl(surf, tmp_path / "ball.obj")
    with pytest.raises(ValueError, match="does not exist"):
        save_stl(surf, tmp_path / "missing" / "ball.stl")


def test_plot_mesh_collection(cube):
    import matplotlib.pyplot as plt
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection
    surf = mask_to_mesh(cube, (2.0, 1.0, 1.0))
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    coll = plot_mesh(surf, ax=ax, color="C0", alpha=0.5)
    assert isinstance(coll, Poly3DCollection) and coll in ax.collections
    fig.canvas.draw()
    assert len(coll.get_paths()) == surf.n_faces
    # equal aspect: the box follows the data ranges (x, y, z) = (4, 4, 8) mm
    ratios = np.array(ax.get_box_aspect())
    np.testing.assert_allclose(ratios / ratios[0], [1, 1, 2], rtol=1e-6)
    assert ax.get_zlim() == pytest.approx((surf.verts[:, 0].min(), surf.verts[:, 0].max()))


def test_plot_mesh_second_mesh_keeps_the_first_in_view(cube):
    import matplotlib.pyplot as plt
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    big = mask_to_mesh(cube, (10.0, 10.0, 10.0))  # 5..45 mm
    small = mask_to_mesh(cube, (1.0, 1.0, 1.0))  # 0.5..4.5 mm
    plot_mesh(big, ax=ax)
    plot_mesh(small, ax=ax)
    for limits in (ax.get_xlim(), ax.get_ylim(), ax.get_zlim()):
        assert limits == pytest.approx((0.5, 45.0))


def test_plot_mesh_creates_3d_axes(cube):
    from mpl_toolkits.mplot3d import Axes3D
    coll = plot_mesh(mask_to_mesh(cube, (1, 1, 1)), elev=10, azim=-90)
    assert isinstance(coll.axes, Axes3D)
    assert coll.axes.azim == -90


def test_plot_mesh_uses_empty_current_figure_and_spares_2d_axes(cube):
    import matplotlib.pyplot as plt
    surf = mask_to_mesh(cube, (1, 1, 1))
    fig = plt.figure()
    coll = plot_mesh(surf)  # an empty current figure: a 3D axes in it
    assert coll.axes.figure is fig and fig.axes == [coll.axes]
    assert plot_mesh(surf).axes is coll.axes  # the current 3D axes is reused
    fig2, ax2 = plt.subplots()
    ax2.plot([0, 1])
    coll3 = plot_mesh(surf)  # the current axes is 2D: left alone, a new figure
    assert coll3.axes.figure is not fig2 and len(fig2.axes) == 1 and not ax2.collections


def test_plot_mesh_rejects_2d_axes(cube):
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="ax must be a 3D axes"):
        plot_mesh(mask_to_mesh(cube, (1, 1, 1)), ax=ax)


def test_plotly_mesh(cube):
    surf = mask_to_mesh(cube, (2.0, 1.0, 1.0))
    fig = plotly_mesh(surf, color="#0072B2", name="cube", opacity=0.8)
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert trace.type == "mesh3d" and trace.name == "cube" and trace.opacity == 0.8
    assert len(trace.i) == surf.n_faces
    np.testing.assert_allclose(trace.z, surf.verts[:, 0])  # z = slice axis in mm
    assert fig.layout.scene.aspectmode == "data"
    fig2 = plotly_mesh(surf, name="again", fig=fig)
    assert fig2 is fig and len(fig.data) == 2
    with pytest.raises(ValueError, match=r"opacity must be a number in \[0, 1\]"):
        plotly_mesh(surf, opacity=2)


def test_mesh_dataclass(cube):
    surf = mask_to_mesh(cube, (1, 1, 1))
    assert isinstance(surf, Mesh)
    assert surf.verts.shape[1] == 3 and surf.faces.shape[1] == 3
    assert surf.normals.shape == surf.verts.shape
    np.testing.assert_array_equal(surf.xyz, surf.verts[:, ::-1])


def test_public_api():
    assert set(mesh_module.__all__) == {"Mesh", "mask_to_mesh", "mesh_area", "mesh_volume",
                                        "plot_mesh", "plotly_mesh", "save_stl"}


def test_a_smoothed_mask_a_hair_outside_0_1_is_accepted():
    """gaussian_filter of a 0/1 mask strays by float rounding; that is still a mask."""
    mask = np.zeros((6, 6, 6))
    mask[2:4, 2:4, 2:4] = 1.0
    mask[0, 0, 0], mask[2, 2, 2] = -1e-12, 1.0 + 1e-10
    assert len(mask_to_mesh(mask, (1, 1, 1)).faces) > 0
    mask[0, 0, 0] = -0.01
    with pytest.raises(ValueError, match="mask has values from -0.01 to 1, not a mask in"):
        mask_to_mesh(mask, (1, 1, 1))
