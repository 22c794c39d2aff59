"""Checks of exercise 04 (volumes, planes, orientation): correct answers written several ways
pass on two variants; each wrong answer fails only the requirement it breaks."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from check_helpers import assert_fails, grade
from course_utils.checks import ex04_volumes_orientation as ex
from course_utils.display import show_slice
from course_utils.volume import get_plane, plane_spacing

checks = ex.checks
VARIANTS = (0, 4)
LAYOUT = None   # single small panels, no layout engine: fast to describe (subplots test: one)
ROOT = Path(__file__).resolve().parents[1]


def task(variant):
    return checks.task(variant)


def test_there_are_at_least_four_checks_and_the_data_show_the_mistakes():
    assert len(checks) >= 4 and checks.exercise == "04_volumes_orientation"
    for variant in range(6):
        t = task(variant)
        geometry = ex._geometry(t)
        dz, dy, dx = t.spacing
        assert len({dz, dy, dx}) == 3, "non-isotropic, every axis its own spacing"
        assert t.series_thickness != geometry["spacing"]
        assert t.instance_numbers != sorted(t.instance_numbers)
        positions = np.asarray(t.image_positions)
        by_z = positions[np.argsort(positions[:, 2])]
        assert not np.allclose(by_z, geometry["positions"]), "sorting by z must not work"
        gaps = np.diff(geometry["positions"] @ geometry["normal"])
        assert np.allclose(gaps, gaps[0], atol=1e-6), "uniform spacing along the normal"
    a, b = task(0), task(4)
    assert a.spacing != b.spacing and a.point != b.point and a.orientation != b.orientation


def test_the_task_data_hold_no_answer():
    """Only header values: no sorted positions, slice spacing, origin or affine."""
    t = task(0)
    geometry = ex._geometry(t)
    fields = vars(t)
    assert not {"series_spacing", "origin", "tilt_deg", "affine"} & set(fields)
    assert not np.allclose(t.image_positions, geometry["positions"])
    assert all(not np.isclose(value, geometry["spacing"]) for value in fields.values()
               if isinstance(value, float))


@pytest.mark.parametrize("name", checks.names)
def test_blank_answers_fail(name):
    result = grade(checks[name], 0, **{param: ... for param in checks[name].params})
    assert_fails(result, "still `...`")


# --- series: sort, spacing, affine ----------------------------------------------------------

def _headers(t):
    """(position, InstanceNumber) per slice, in file order."""
    return np.asarray(t.image_positions, dtype=float), np.array(t.instance_numbers)


def _normal(t):
    iop = np.array(t.orientation)
    return np.cross(iop[:3], iop[3:])


def _sorted_argsort(t):
    positions, _ = _headers(t)
    return positions[np.argsort(positions @ _normal(t))]


def _sorted_python(t):
    positions, _ = _headers(t)
    iop = list(t.orientation)
    row, col = iop[:3], iop[3:]
    normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2],
              row[0] * col[1] - row[1] * col[0]]
    rows = sorted(positions.tolist(), key=lambda p: sum(a * b for a, b in zip(p, normal)))
    return [tuple(r) for r in rows]


def _sorted_float32(t):
    return _sorted_argsort(t).astype(np.float32)


def _sorted_einsum(t):
    positions, _ = _headers(t)
    return positions[np.argsort(np.einsum("ij,j->i", positions, _normal(t)))]


def _sorted_lexsort(t):
    positions, _ = _headers(t)
    return positions[np.lexsort((np.dot(positions, _normal(t)),))]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("answer", [_sorted_argsort, _sorted_python, _sorted_float32,
                                    _sorted_einsum, _sorted_lexsort])
def test_sort_along_normal_pass(answer, variant):
    assert grade(checks.sort_along_normal, variant, slice_positions_sorted=answer(task(variant)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_sort_along_normal_mistakes(variant):
    t = task(variant)
    positions, numbers = _headers(t)
    right = _sorted_argsort(t)
    run = lambda value: grade(checks.sort_along_normal, variant, slice_positions_sorted=value)
    assert_fails(run(positions[np.argsort(numbers)]), "InstanceNumber order")
    by_z = positions[np.argsort(positions[:, 2])]
    assert_fails(run(by_z), "order of increasing z", "not the order of increasing projection")
    assert_fails(run(right[::-1]), "order of increasing z", "smallest one")
    assert_fails(run(positions), "not in order")
    assert_fails(run(right[:-1]), "one row (x, y, z) per slice")
    assert_fails(run(right + 1.0), "not the series' positions")


@pytest.mark.parametrize("variant", VARIANTS)
def test_slice_spacing(variant):
    t = task(variant)
    along = _sorted_argsort(t) @ ex._geometry(t)["normal"]
    run = lambda value: grade(checks.slice_spacing, variant, slice_spacing_mm=value)
    assert run(float(np.mean(np.diff(along)))).passed
    assert run(np.float32(np.median(np.diff(along)))).passed
    assert run(np.diff(along)[:1]).passed
    right = _sorted_argsort(t)
    assert run(float(np.linalg.norm(right[1] - right[0]))).passed   # positions on the normal
    assert run(float(np.ptp(along) / (len(along) - 1))).passed
    z = right[:, 2]
    assert_fails(run(float(z[1] - z[0])), "along z only")           # negative: feet first
    by_z = np.sort(z)
    assert_fails(run(float(by_z[1] - by_z[0])), "along z only")
    assert_fails(run(t.series_thickness), "SliceThickness")
    assert_fails(run(-float(np.mean(np.diff(along)))), "negative")
    positions, _ = _headers(t)
    by_z_projected = positions[np.argsort(positions[:, 2])] @ _normal(t)
    assert_fails(run(float(np.mean(np.diff(by_z_projected)))), "negative", "reverse order")
    assert_fails(run(float(np.linalg.norm(right[1] - right[0]) + 1.0)), "Not the slice spacing")


@pytest.fixture(scope="module")
def series_headers(tmp_path_factory):
    """The headers of each variant's series as the notebook reads them, and read_series."""
    import pydicom

    from course_utils.dicom import read_series

    out = {}
    for variant in VARIANTS:
        folder = tmp_path_factory.mktemp(f"series{variant}")
        ex.write_series_files(task(variant), folder)
        headers = [pydicom.dcmread(path, stop_before_pixels=True)
                   for path in sorted(folder.iterdir())]
        out[variant] = headers, read_series(folder)
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_series_from_pydicom_headers_pass(variant, series_headers):
    """Answers computed from the headers themselves (pydicom MultiValue, DSfloat), and from
    read_series, which sorts along the normal; read_series gives the task's affine."""
    headers, volume = series_headers[variant]
    t = task(variant)
    assert np.allclose(volume.affine, ex._geometry(t)["affine"], atol=1e-4)
    assert {h.PatientPosition for h in headers} == {"FFS"}
    normal = np.cross(*np.reshape(headers[0].ImageOrientationPatient, (2, 3)))
    by_normal = sorted(headers, key=lambda h: float(np.dot(h.ImagePositionPatient, normal)))
    multivalues = [h.ImagePositionPatient for h in by_normal]          # MultiValue of DSfloat
    from_volume = np.array([h.ImagePositionPatient for h in volume.headers], dtype=float)
    for answer in (multivalues, np.array(multivalues, dtype=float), from_volume):
        result = grade(checks.sort_along_normal, variant, slice_positions_sorted=answer)
        assert result.passed, result.message
    projections = [float(np.dot(h.ImagePositionPatient, normal)) for h in by_normal]
    for spacing in (float(np.mean(np.diff(projections))), volume.spacing[0],
                    float(np.abs(np.diff(projections)).max())):
        assert grade(checks.slice_spacing, variant, slice_spacing_mm=spacing).passed
    by_z = sorted(headers, key=lambda h: float(h.ImagePositionPatient[2]))
    assert_fails(grade(checks.sort_along_normal, variant,
                       slice_positions_sorted=[h.ImagePositionPatient for h in by_z]),
                 "order of increasing z")
    by_number = sorted(headers, key=lambda h: int(h.InstanceNumber))
    assert_fails(grade(checks.sort_along_normal, variant,
                       slice_positions_sorted=[h.ImagePositionPatient for h in by_number]),
                 "InstanceNumber order")
    assert_fails(grade(checks.slice_spacing, variant,
                       slice_spacing_mm=float(headers[0].SliceThickness)), "SliceThickness")


@pytest.mark.parametrize("variant", VARIANTS)
def test_lps_to_ras(variant):
    lps = ex._geometry(task(variant))["affine"]
    run = lambda value: grade(checks.lps_to_ras_affine, variant, affine_ras=value)
    assert run(np.diag([-1, -1, 1, 1]) @ lps).passed
    ras = lps.copy()
    ras[:2] *= -1
    assert run(ras.tolist()).passed
    assert run((np.diag([-1.0, -1, 1, 1]) @ lps).astype(np.float32)).passed
    assert run(lps * np.array([[-1], [-1], [1], [1]])).passed
    from nibabel.affines import from_matvec
    assert run(from_matvec(np.diag([-1, -1, 1])) @ lps).passed
    assert_fails(run(lps), "still the LPS")
    assert_fails(run(lps @ np.diag([-1, -1, 1, 1])), "voxel axes")
    assert_fails(run(np.diag([-1, -1, -1, 1]) @ lps), "only x and y")
    assert_fails(run(np.diag([-1, 1, 1, 1]) @ lps), "mirrors")
    wrong_origin = np.diag([-1.0, -1, 1, 1]) @ lps
    wrong_origin[:3, 3] = lps[:3, 3]
    assert_fails(run(wrong_origin), "translation")
    assert_fails(run(lps[:3]), "4x4")


# --- resampling ------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_resampling(variant):
    t = task(variant)
    old, shape = np.array(t.spacing), np.array(t.chest_hu.shape)
    zoom = old / t.target_spacing_mm
    new_shape = np.round(shape * zoom)
    true = old * shape / new_shape
    run = lambda z, s: grade(checks.resampling_factors, variant, zoom_factors=z,
                             true_spacing_mm=s)
    assert run(zoom, true).passed
    assert run(list(new_shape / shape), tuple(true)).passed     # the rounded zoom
    fov = old * shape
    assert run([s / t.target_spacing_mm for s in t.spacing],
               (fov / np.round(fov / t.target_spacing_mm)).astype(np.float32)).passed
    from scipy import ndimage

    from course_utils.volume import resample
    zoomed = ndimage.zoom(np.zeros(t.chest_hu.shape, np.uint8), list(zoom), order=0,
                          grid_mode=True, mode="grid-constant")
    assert run(tuple(zoom), [o * n / m for o, n, m in zip(t.spacing, shape, zoomed.shape)]).passed
    assert run(zoom, resample(np.zeros(t.chest_hu.shape, bool), t.spacing,
                              t.target_spacing_mm)[1]).passed
    assert_fails(run(zoom, old * (shape - 1) / (new_shape - 1)), "grid_mode=False")
    assert_fails(run(zoom, t.target_spacing_mm), "target spacing")
    assert_fails(run(zoom, old * shape / np.floor(shape * zoom)), "rounded grid")
    assert_fails(run(1 / zoom, true), "upside down")
    assert_fails(run(zoom[::-1], true), "(x, y, z) order")
    assert_fails(run(zoom * 1.1, true), "not the zoom per axis")
    assert_fails(run(zoom, [t.target_spacing_mm] * 3), "target spacing")
    assert_fails(run(zoom, true[::-1]), "(dz, dy, dx)")
    assert_fails(run(zoom, true * 1.01), "rounded grid")


# --- planes ----------------------------------------------------------------------------------

PLANES = {"axial": ("ax_axial", 0), "coronal": ("ax_coronal", 1), "sagittal": ("ax_sagittal", 2)}
CHECK_OF = {"axial": checks.axial_plane, "coronal": checks.coronal_plane,
            "sagittal": checks.sagittal_plane}


def _extent(rows, columns, row_mm, col_mm):
    return (-col_mm / 2, (columns - 0.5) * col_mm, (rows - 0.5) * row_mm, -row_mm / 2)


def _plain(t, ax, plane):
    index = t.point[PLANES[plane][1]]
    image = get_plane(t.chest_hu, plane, index)
    row_mm, col_mm = plane_spacing(t.spacing, plane)
    ax.imshow(image, cmap="gray", vmin=-160, vmax=240, extent=_extent(*image.shape, row_mm,
                                                                       col_mm))


def _helper(t, ax, plane):
    index = t.point[PLANES[plane][1]]
    show_slice(get_plane(t.chest_hu, plane, index), window="soft_tissue",
               spacing=plane_spacing(t.spacing, plane), ax=ax)


def _aspect_origin_lower(t, ax, plane):
    """Pixels as extent, origin='lower' on the array as stored (inferior first), aspect."""
    dz, dy, dx = t.spacing
    k, j, i = t.point
    if plane == "axial":
        ax.imshow(t.chest_hu[k][::-1], origin="lower", cmap="bone", aspect=dy / dx)
    elif plane == "coronal":
        ax.imshow(t.chest_hu[:, j, :], origin="lower", cmap="bone", aspect=dz / dx)
    else:
        ax.imshow(t.chest_hu[:, :, i], origin="lower", cmap="bone", aspect=dz / dy)


def _inverted_axes(t, ax, plane):
    """The array as stored, extent in patient mm, orientation by inverting the axes."""
    dz, dy, dx = t.spacing
    k, j, i = t.point
    nz, ny, nx = t.chest_hu.shape
    if plane == "axial":
        ax.imshow(t.chest_hu[k], extent=(0, nx * dx, ny * dy, 0), cmap="gray")
    elif plane == "coronal":
        ax.imshow(t.chest_hu[:, j, :], extent=(0, nx * dx, nz * dz, 0), cmap="gray")
        ax.invert_yaxis()
    else:
        ax.imshow(t.chest_hu[:, :, i][:, ::-1], extent=(0, ny * dy, nz * dz, 0), cmap="gray")
        ax.invert_yaxis()
        ax.invert_xaxis()
    ax.set_aspect("equal")


def _mm(t, plane):
    return plane_spacing(t.spacing, plane)


def _set_aspect_pyplot(t, ax, plane):
    """pyplot style, a Normalize object, the aspect set on the Axes afterwards."""
    from matplotlib.colors import Normalize
    row_mm, col_mm = _mm(t, plane)
    plt.sca(ax)
    plt.imshow(get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]]), cmap="Greys_r",
               norm=Normalize(vmin=-160, vmax=240))
    plt.gca().set_aspect(row_mm / col_mm)


def _pcolormesh_mm(t, ax, plane):
    """pcolormesh on pixel edges in mm, y axis inverted so that row 0 is at the top."""
    image = get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]])
    row_mm, col_mm = _mm(t, plane)
    ax.pcolormesh(np.arange(image.shape[1] + 1) * col_mm, np.arange(image.shape[0] + 1) * row_mm,
                  image, cmap="gray", vmin=-160, vmax=240)
    ax.invert_yaxis()
    ax.set_aspect("equal")


def _flipud_origin_lower(t, ax, plane):
    """np.flipud of the displayed plane shown with origin='lower' and an extent in mm."""
    image = np.flipud(get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]]))
    row_mm, col_mm = _mm(t, plane)
    ax.imshow(image, origin="lower", cmap="gray",
              extent=(0, image.shape[1] * col_mm, 0, image.shape[0] * row_mm))


def _draw(variant, painter, plane, figsize=(2.5, 2.5)):
    fig, ax = plt.subplots(figsize=figsize, layout=LAYOUT)
    painter(task(variant), ax, plane)
    name = PLANES[plane][0]
    return grade(CHECK_OF[plane], variant, **{name: ax})


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("painter", [_plain, _helper, _aspect_origin_lower, _inverted_axes,
                                     _set_aspect_pyplot, _pcolormesh_mm, _flipud_origin_lower])
@pytest.mark.parametrize("plane", list(PLANES))
def test_planes_pass(plane, painter, variant):
    """axial_plane, coronal_plane and sagittal_plane accept four ways of drawing."""
    result = _draw(variant, painter, plane)
    assert result.passed, result.message


def test_planes_in_one_figure_with_subplots_pass():
    t = task(3)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3), constrained_layout=True)
    for ax, plane in zip(axes, PLANES):
        _plain(t, ax, plane)
    for ax, (plane, (name, _)) in zip(axes, PLANES.items()):
        assert grade(CHECK_OF[plane], 3, **{name: ax}).passed


def _wrong(variant, plane, words, painter, forbidden=()):
    fig, ax = plt.subplots(figsize=(2.5, 2.5), layout=LAYOUT)
    t = task(variant)
    painter(t, ax, plane)
    result = grade(CHECK_OF[plane], variant, **{PLANES[plane][0]: ax})
    index = t.point[PLANES[plane][1]]
    assert_fails(result, *words, forbidden=(f"index {index}", *forbidden))


def _shown(t, ax, plane, image, aspect_from=None, extent=True):
    row_mm, col_mm = aspect_from or plane_spacing(t.spacing, plane)
    if extent:
        ax.imshow(image, cmap="gray", extent=_extent(*image.shape, row_mm, col_mm))
    else:
        ax.imshow(image, cmap="gray")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("plane", list(PLANES))
def test_planes_wrong_index(plane, variant):
    def painter(t, ax, plane):
        axis = PLANES[plane][1]
        _shown(t, ax, plane, get_plane(t.chest_hu, plane, t.point[axis] + 2))
    _wrong(variant, plane, (f"{plane} plane at index", "of `point`"), painter)


@pytest.mark.parametrize("plane, flip, words", [
    ("axial", "vertical", ("upside down", "posterior is at the top")),
    ("axial", "horizontal", ("mirrored", "patient's left is on the viewer's left")),
    ("coronal", "vertical", ("upside down", "inferior is at the top")),
    ("coronal", "horizontal", ("mirrored",)),
    ("sagittal", "vertical", ("upside down",)),
    ("sagittal", "horizontal", ("mirrored", "posterior is on the viewer's left")),
])
def test_planes_orientation(plane, flip, words):
    def painter(t, ax, plane):
        image = get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]])
        _shown(t, ax, plane, image[::-1] if flip == "vertical" else image[:, ::-1])
    _wrong(3, plane, words, painter)


def test_pcolormesh_mistakes():
    def not_inverted(t, ax, plane):
        image = get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]])
        row_mm, col_mm = _mm(t, plane)
        ax.pcolormesh(np.arange(image.shape[1] + 1) * col_mm,
                      np.arange(image.shape[0] + 1) * row_mm, image, cmap="gray")
        ax.set_aspect("equal")

    def in_pixels(t, ax, plane):
        ax.pcolormesh(get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]]), cmap="gray")
        ax.invert_yaxis()
        ax.set_aspect("equal")
    _wrong(4, "coronal", ("upside down", "inferior is at the top"), not_inverted)
    _wrong(4, "sagittal", ("drawn square",), in_pixels)


def test_coronal_plane_from_the_array_as_stored_is_upside_down():
    def painter(t, ax, plane):
        dz, dy, dx = t.spacing
        ax.imshow(t.chest_hu[:, t.point[1], :], cmap="gray", aspect=dz / dx)
    _wrong(0, "coronal", ("upside down", "superior should be up"), painter)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("plane", list(PLANES))
def test_planes_aspect(plane, variant):
    dz, dy, dx = task(variant).spacing
    wrong_axes = {"axial": (dz, dx), "coronal": (dz, dy), "sagittal": (dz, dx)}[plane]

    def image_of(t):
        return get_plane(t.chest_hu, plane, t.point[PLANES[plane][1]])

    def square(t, ax, plane):
        _shown(t, ax, plane, image_of(t), extent=False)

    def inverted(t, ax, plane):
        _shown(t, ax, plane, image_of(t), aspect_from=plane_spacing(t.spacing, plane)[::-1])

    def other_axes(t, ax, plane):
        _shown(t, ax, plane, image_of(t), aspect_from=wrong_axes)

    _wrong(variant, plane, ("drawn square",), square)
    _wrong(variant, plane, ("aspect is inverted",), inverted)
    _wrong(variant, plane, ("wrong axes",), other_axes)


def test_planes_transposed_and_not_a_plane():
    def transposed(t, ax, plane):
        _shown(t, ax, plane, get_plane(t.chest_hu, plane, t.point[1]).T)

    def windowed(t, ax, plane):
        image = get_plane(t.chest_hu, plane, t.point[1])
        _shown(t, ax, plane, np.clip((image + 160) / 400, 0, 1))
    _wrong(0, "coronal", ("transposed",), transposed)
    _wrong(0, "coronal", ("not a coronal plane",), windowed)
    fig, ax = plt.subplots()
    assert_fails(grade(checks.axial_plane, 0, ax_axial=ax), "Nothing is drawn")


# --- typed-in answers --------------------------------------------------------------------------

def test_the_solutions_variant_0_values_typed_in_fail_on_another_variant():
    t0 = task(0)
    old, shape = np.array(t0.spacing), np.array(t0.chest_hu.shape)
    zoom = old / t0.target_spacing_mm
    true = old * shape / np.round(shape * zoom)
    along = _sorted_argsort(t0) @ ex._geometry(t0)["normal"]
    answers = {
        "sort_along_normal": {"slice_positions_sorted": _sorted_argsort(t0)},
        "slice_spacing": {"slice_spacing_mm": float(np.mean(np.diff(along)))},
        "resampling_factors": {"zoom_factors": zoom, "true_spacing_mm": true},
        "lps_to_ras_affine": {"affine_ras": np.diag([-1, -1, 1, 1]) @ ex._geometry(t0)["affine"]},
    }
    for plane, (name, _) in PLANES.items():
        fig, ax = plt.subplots()
        _plain(t0, ax, plane)
        answers[f"{plane}_plane"] = {name: ax}
    assert set(answers) == set(checks.names)
    for name, values in answers.items():
        assert grade(checks[name], 0, **values).passed, name
        assert not grade(checks[name], 3, **values).passed, name


# --- whole notebooks -----------------------------------------------------------------------------

ALTERNATIVE_PLANES = '''from course_utils.display import show_slice
from course_utils.volume import get_plane, plane_spacing

fig, axes = plt.subplot_mosaic([["axial", "coronal", "sagittal"]], figsize=(11, 4),
                               constrained_layout=True)
ax_axial, ax_coronal, ax_sagittal = axes["axial"], axes["coronal"], axes["sagittal"]
for plane, index in zip(("axial", "coronal", "sagittal"), point):
    show_slice(get_plane(chest_hu, plane, index), window="soft_tissue",
               spacing=plane_spacing(spacing, plane), ax=axes[plane], title=plane)'''

WRONG_PLANES = ALTERNATIVE_PLANES.replace(  # wrong: the sagittal pixels get the coronal's mm
    'spacing=plane_spacing(spacing, plane)',
    'spacing=plane_spacing(spacing, "coronal" if plane == "sagittal" else plane)')


def _notebook(tmp_path, planes_source, folder):
    nb = nbformat.read(ROOT / "solutions" / "04_volumes_orientation.ipynb", as_version=4)
    current = None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## Task"):
            current = cell.source.split(":")[0][3:]
        elif cell.cell_type == "code" and current == "Task 3":
            cell.source = planes_source
            current = None
    path = tmp_path / folder / "04_volumes_orientation.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_whole_notebooks_alternative_full_marks_wrong_loses_one_check(tmp_path):
    from course_utils.grade import grade_notebook

    alternative = grade_notebook(_notebook(tmp_path, ALTERNATIVE_PLANES, "alternative"),
                                 variant=0, hidden_variant=5)
    assert alternative.full_marks, [(c.name, c.message) for c in alternative.checks]
    wrong = grade_notebook(_notebook(tmp_path, WRONG_PLANES, "wrong"), variant=0,
                           hidden_variant=5)
    failed = [c.name for c in wrong.checks if not c.passed]
    assert failed == ["sagittal_plane"], [(c.name, c.message) for c in wrong.checks]
