"""Deterministic synthetic chest CT: a slice, a volume with labels, heatmaps, predictions.

Every function takes a ``seed`` and gives the same array for the same seed, so notebooks that
use the phantom have stable outputs. The anatomy is a simplified adult chest (about
340 mm wide and 240 mm deep, lungs about 250 mm tall, in a 384 mm field of view like a
clinical chest CT's) drawn in millimetres around the centre of the field of view:

- air outside the patient (-1000 HU) and an optional patient table behind the back;
- an elliptic body: a rim of subcutaneous fat (-100 HU) around soft tissue (40 HU);
- two lungs (-850 HU), tapering toward the apex and the base; the heart (45 HU) lies between
  them, anterior and to the patient's left, and indents both lungs;
- a vertebra behind the lungs (cancellous bone 300 HU inside a brighter 1200 HU cortex), with
  the spinal canal and the posterior arch; the sternum in front; the descending aorta beside
  the spine; the trachea above the heart;
- a round lesion (40 HU, radius 10 mm) in the patient's right lung;
- Gaussian noise (15 HU), then values clipped to [-1024, 3071] like a 12-bit CT.

The values sit inside the usual ranges of unenhanced CT (see Radiopaedia, "Hounsfield unit",
https://radiopaedia.org/articles/hounsfield-unit; published tables differ by tens of HU):
air -1000; aerated lung about -900 to -700; fat about -120 to -80; water 0, CSF 0 to 15;
muscle and soft tissue about +20 to +60; unenhanced blood and heart about +30 to +50 (no
contrast agent here); cancellous bone a few hundred HU (adult vertebral bodies roughly +150
to +300); cortical bone above +1000.

Conventions are those of the package: arrays are ``[z, y, x]`` = ``[slice, row, column]``,
the column index increases toward the patient's left (so the right lung is at low column
indices and shows on the viewer's left with ``imshow``), the row index toward posterior, and
the slice index toward superior.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from ._validation import check_mask as _check_mask
from ._validation import check_spacing as _check_spacing

__all__ = [
    "CLASSES",
    "LESION_RADIUS_MM",
    "SLICE_FOV_MM",
    "ChestPhantom",
    "attention_heatmap",
    "chest_volume",
    "fake_ct_slice",
    "imperfect_prediction",
]

#: Label values of the phantom's label map. ``lung_right`` is the patient's right lung, which
#: has the low column indices (viewer's left in radiological display).
CLASSES: dict[str, int] = {
    "background": 0,
    "body": 1,
    "lung_right": 2,
    "lung_left": 3,
    "lesion": 4,
    "spine": 5,
    "heart": 6,
}

# --- tissues: one code per material, mapped to HU and to a class label by lookup tables -----

_TISSUES = {  # name: (code, HU, label)
    "air": (0, -1000.0, CLASSES["background"]),
    "fat": (1, -100.0, CLASSES["body"]),
    "soft": (2, 40.0, CLASSES["body"]),
    "lung_right": (3, -850.0, CLASSES["lung_right"]),
    "lung_left": (4, -850.0, CLASSES["lung_left"]),
    "lesion": (5, 40.0, CLASSES["lesion"]),
    "bone": (6, 300.0, CLASSES["spine"]),
    "cortex": (7, 1200.0, CLASSES["spine"]),
    "heart": (8, 45.0, CLASSES["heart"]),
    "table": (9, 200.0, CLASSES["background"]),
    "csf": (10, 10.0, CLASSES["body"]),
    "sternum": (11, 600.0, CLASSES["body"]),
    "aorta": (12, 45.0, CLASSES["body"]),
    "trachea": (13, -1000.0, CLASSES["body"]),
}
_CODE = {name: code for name, (code, _, _) in _TISSUES.items()}
_HU_LUT = np.zeros(256, dtype=np.float32)
_LABEL_LUT = np.zeros(256, dtype=np.uint8)
for _code, _hu, _label in _TISSUES.values():
    _HU_LUT[_code] = _hu
    _LABEL_LUT[_code] = _label

_NOISE_HU = 15.0
_HU_RANGE = (-1024.0, 3071.0)
#: Field of view of :func:`fake_ct_slice` in mm (the same as the default volume's).
SLICE_FOV_MM = 384.0
#: Centre of the lesion in mm relative to the centre of the field of view, (z, y, x).
_LESION_CENTER = (-10.0, 20.0, -92.0)
#: Radius of the spherical lesion in mm.
LESION_RADIUS_MM = 10.0
_INF = math.inf


@dataclass
class ChestPhantom:
    """A synthetic chest CT volume and its label map.

    Attributes
    ----------
    hu : numpy.ndarray
        float32 ``[z, y, x]`` Hounsfield units.
    labels : numpy.ndarray
        uint8 ``[z, y, x]`` label map, values from ``classes``.
    spacing : tuple of float
        ``(dz, dy, dx)`` voxel spacing in mm.
    classes : dict
        Class name -> label value (a copy of :data:`CLASSES`).
    """

    hu: np.ndarray
    labels: np.ndarray
    spacing: tuple[float, float, float]
    classes: dict[str, int] = field(default_factory=lambda: dict(CLASSES))

    @property
    def shape(self) -> tuple[int, int, int]:
        """Shape ``(nz, ny, nx)`` of the volume."""
        return tuple(self.hu.shape)  # type: ignore[return-value]

    def mask(self, *names: str) -> np.ndarray:
        """Boolean mask of one or more classes, e.g. ``mask("lung_right", "lung_left")``."""
        unknown = [name for name in names if name not in self.classes]
        if not names or unknown:
            raise ValueError(f"unknown class name(s) {unknown or '(none given)'}; "
                             f"choose from {sorted(self.classes)}")
        return np.isin(self.labels, [self.classes[name] for name in names])


# --- validation --------------------------------------------------------------------------


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer, got {seed!r}; "
                        "pass e.g. seed=0 for reproducible output")
    return int(seed)


# --- drawing -----------------------------------------------------------------------------


def _ellipsoid(coords, center, semi):
    """Bounding-box slices and the inside mask of an axis-aligned ellipsoid.

    ``coords`` are the mm positions along each of the 3 axes (sorted), ``semi`` the semi-axes
    in mm (``inf`` for a cylinder along that axis). The mask is computed only inside the box,
    in float32, and has length 1 along infinite axes (it broadcasts).
    """
    slices, terms = [], []
    for axis, (c, c0, a) in enumerate(zip(coords, center, semi)):
        shape = [1, 1, 1]
        if math.isinf(a):
            slices.append(slice(None))
            terms.append(np.zeros(shape, dtype=np.float32))
            continue
        lo = int(np.searchsorted(c, c0 - a, side="left"))
        hi = int(np.searchsorted(c, c0 + a, side="right"))
        if hi <= lo:
            return None, None
        slices.append(slice(lo, hi))
        shape[axis] = hi - lo
        terms.append((((c[lo:hi] - c0) / a) ** 2).astype(np.float32).reshape(shape))
    return tuple(slices), (terms[0] + terms[1] + terms[2]) <= 1.0


def _paint(tissue, coords, center, semi, name, where=None, inner=None):
    """Set ``tissue`` to ``name`` inside an ellipsoid (optionally only over ``where`` codes).

    ``inner=(semi, name)`` paints a second, concentric ellipsoid inside the first.
    """
    box, inside = _ellipsoid(coords, center, semi)
    if box is None:
        return
    sub = tissue[box]
    inside = np.broadcast_to(inside, sub.shape)
    if where is not None:
        allowed = np.zeros(256, dtype=bool)
        allowed[[_CODE[w] for w in where]] = True
        inside = inside & allowed[sub]
    sub[inside] = _CODE[name]
    if inner is not None:
        _paint(tissue, coords, center, inner[0], inner[1], where=[name])


def _tissue_map(z_mm: np.ndarray, ny: int, nx: int, dy: float, dx: float) -> np.ndarray:
    """Tissue codes ``[z, y, x]`` of the chest; positions in mm from the centre of the FOV."""
    y_mm = ((np.arange(ny) - (ny - 1) / 2) * dy).astype(np.float64)
    x_mm = ((np.arange(nx) - (nx - 1) / 2) * dx).astype(np.float64)
    z_mm = np.asarray(z_mm, dtype=np.float64)
    flat = (np.zeros(1), y_mm, x_mm)  # z-invariant structures are drawn once, then copied

    base = np.zeros((1, ny, nx), dtype=np.uint8)
    _paint(base, flat, (0, 128.0, 0), (_INF, 4.0, 160.0), "table")
    _paint(base, flat, (0, 0, 0), (_INF, 120.0, 170.0), "fat",
           inner=((_INF, 106.0, 156.0), "soft"))
    _paint(base, flat, (0, -98.0, 0), (_INF, 8.0, 22.0), "sternum", where=["soft"])
    # vertebral body: a cortical shell around cancellous bone; the arch around the canal
    _paint(base, flat, (0, 60.0, 0), (_INF, 18.0, 20.0), "cortex",
           inner=((_INF, 15.0, 17.0), "bone"))
    _paint(base, flat, (0, 92.0, 0), (_INF, 16.0, 15.0), "cortex", where=["soft", "fat"])
    _paint(base, flat, (0, 90.0, 0), (_INF, 9.0, 9.0), "csf", where=["cortex"])

    tissue = np.empty((len(z_mm), ny, nx), dtype=np.uint8)
    tissue[...] = base
    coords = (z_mm, y_mm, x_mm)
    # lungs: ellipsoids inside the soft tissue, tapering toward apex and base
    _paint(tissue, coords, (0, 0, -80.0), (124.0, 80.0, 60.0), "lung_right", where=["soft"])
    _paint(tissue, coords, (0, 0, 84.0), (120.0, 80.0, 56.0), "lung_left", where=["soft"])
    # heart: anterior, to the patient's left, low in the chest; it indents both lungs
    _paint(tissue, coords, (-50.0, -36.0, 24.0), (62.0, 50.0, 62.0), "heart",
           where=["soft", "lung_right", "lung_left"])
    # descending aorta: left of the spine, in front of it
    _paint(tissue, coords, (0, 32.0, 40.0), (_INF, 13.0, 13.0), "aorta",
           where=["soft", "lung_left"])
    # trachea: an air tube above the heart, in front of the spine
    box, inside = _ellipsoid(coords, (0, -12.0, 0), (_INF, 10.0, 10.0))
    if box is not None:
        above = z_mm[box[0]] >= 30.0
        sub = tissue[box]
        sub[np.broadcast_to(inside, sub.shape) & above[:, None, None]
            & (sub == _CODE["soft"])] = _CODE["trachea"]
    r = LESION_RADIUS_MM
    _paint(tissue, coords, _LESION_CENTER, (r, r, r), "lesion", where=["lung_right"])
    return tissue


def _render(tissue: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """HU from tissue codes plus float32 noise, clipped; noise made slab by slab."""
    hu = _HU_LUT[tissue]
    step = max(1, (1 << 22) // max(1, tissue[0].size))  # about 16 MB of noise at a time
    for start in range(0, hu.shape[0], step):
        noise = rng.standard_normal(hu[start:start + step].shape, dtype=np.float32)
        noise *= np.float32(_NOISE_HU)
        hu[start:start + step] += noise
    np.clip(hu, *_HU_RANGE, out=hu)
    return hu


# --- public API --------------------------------------------------------------------------


def fake_ct_slice(size: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic axial chest CT slice in HU and its lesion mask.

    The slice passes through the lesion, at the level of the heart. The field of view is
    384 mm whatever ``size``, so the pixel spacing is ``384 / size`` mm (1.5 mm for 256,
    0.75 mm for 512).

    Parameters
    ----------
    size : int
        Number of rows and columns (at least 32).
    seed : int
        Seed of the noise; the same seed gives the same image.

    Returns
    -------
    img_hu : numpy.ndarray
        float32 ``(size, size)`` image in HU, clipped to [-1024, 3071].
    lesion_mask : numpy.ndarray
        bool ``(size, size)``, True inside the lesion (in the patient's right lung, which is
        at low column indices).

    Examples
    --------
    >>> img, lesion = fake_ct_slice(128, seed=0)
    >>> img.shape, img.dtype, lesion.dtype
    ((128, 128), dtype('float32'), dtype('bool'))
    >>> bool(img[0, 0] < -900), bool(lesion.any())
    (True, True)
    >>> int(np.argwhere(lesion)[:, 1].mean()) < 64  # patient's right = low column index
    True
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 32:
        raise ValueError(f"size must be an integer >= 32, got {size!r}; e.g. size=256")
    seed = _check_seed(seed)
    size = int(size)
    d = SLICE_FOV_MM / size
    tissue = _tissue_map(np.array([_LESION_CENTER[0]]), size, size, d, d)
    hu = _render(tissue, np.random.default_rng(seed))[0]
    return hu, tissue[0] == _CODE["lesion"]


def chest_volume(shape: Sequence[int] = (64, 256, 256),
                 spacing: Sequence[float] = (5.0, 1.5, 1.5),
                 seed: int = 0) -> ChestPhantom:
    """A synthetic 3D chest CT in HU with a label map.

    The anatomy is defined in mm around the centre of the field of view, so it keeps its size
    whatever the grid: a finer spacing gives more voxels of the same chest, a larger shape
    more field of view around it. The lungs span 248 mm along z; the body, spine, aorta and
    table run through the whole volume.

    Parameters
    ----------
    shape : sequence of 3 int
        ``(nz, ny, nx)``, each at least 1.
    spacing : sequence of 3 float
        ``(dz, dy, dx)`` in mm.
    seed : int
        Seed of the noise.

    Returns
    -------
    ChestPhantom
        ``hu`` (float32), ``labels`` (uint8, values from :data:`CLASSES`), ``spacing``,
        ``classes``.

    Notes
    -----
    Built for speed: structures are drawn in their bounding boxes as uint8 tissue codes,
    mapped to HU with a lookup table, and float32 noise is added slab by slab. A
    300 x 512 x 512 volume takes a few seconds and about 0.5 GB.

    Examples
    --------
    >>> chest = chest_volume(shape=(16, 64, 64), spacing=(20.0, 6.0, 6.0))
    >>> chest.hu.shape, chest.hu.dtype, chest.labels.dtype, chest.spacing
    ((16, 64, 64), dtype('float32'), dtype('uint8'), (20.0, 6.0, 6.0))
    >>> sorted(int(v) for v in np.unique(chest.labels))
    [0, 1, 2, 3, 4, 5, 6]
    """
    try:
        dims = tuple(int(n) for n in shape)
        ok = len(dims) == 3 and all(n >= 1 and n == m for n, m in zip(dims, shape))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"shape must be 3 positive integers (nz, ny, nx), got {shape!r}")
    spacing = _check_spacing(spacing, 3)
    seed = _check_seed(seed)
    nz, ny, nx = dims
    dz, dy, dx = spacing
    z_mm = (np.arange(nz) - (nz - 1) / 2) * dz
    tissue = _tissue_map(z_mm, ny, nx, dy, dx)
    labels = _LABEL_LUT[tissue]
    hu = _render(tissue, np.random.default_rng(seed))
    return ChestPhantom(hu=hu, labels=labels, spacing=spacing, classes=dict(CLASSES))


def attention_heatmap(lesion_mask, sigma_mm: float = 8.0, spacing: Sequence[float] | None = None,
                      seed: int = 0, body=None) -> np.ndarray:
    """A smooth, Grad-CAM-like "attention" map centred on a lesion, with values in [0, 1].

    The map is the lesion mask blurred with a Gaussian of ``sigma_mm`` (converted to pixels
    per axis: ``sigma_mm / spacing``), plus a weaker, wider off-target blob placed at random
    (seeded) away from the lesion and a little smooth background texture, scaled so the
    maximum is 1 (at the lesion).

    The off-target blob is centred in the central half of the array along each axis, which
    with the phantom's 384 mm field of view is inside the patient; pass ``body`` (e.g.
    :func:`course_utils.segment.body_mask` or ``labels > 0``) to keep it inside the patient
    on any grid, e.g. a wider field of view.

    Parameters
    ----------
    lesion_mask : array_like of bool, 2D or 3D
        The lesion; must not be empty.
    sigma_mm : float
        Width of the Gaussian in mm.
    spacing : sequence of float, optional
        Pixel spacing in mm, ``(dy, dx)`` or ``(dz, dy, dx)``; default 1 mm per axis.
    seed : int
        Seed of the off-target blob's position and of the texture.
    body : array_like of bool, optional
        Same shape as ``lesion_mask``: where the centre of the off-target blob may lie.

    Returns
    -------
    numpy.ndarray
        float32, same shape as ``lesion_mask``, values in [0, 1].

    Examples
    --------
    >>> img, lesion = fake_ct_slice(128)
    >>> heat = attention_heatmap(lesion, sigma_mm=6, spacing=(1.5, 1.5))
    >>> heat.dtype, float(heat.min()) >= 0, float(heat.max())
    (dtype('float32'), True, 1.0)
    >>> bool(lesion[np.unravel_index(heat.argmax(), heat.shape)])
    True
    >>> body = img > -500  # keep the off-target blob inside the patient on any grid
    >>> heat = attention_heatmap(lesion, sigma_mm=6, spacing=(1.5, 1.5), body=body)
    """
    mask = _check_mask(lesion_mask, "lesion_mask", ndims=(2, 3), nonempty=True)
    ndim = mask.ndim
    spacing = (1.0,) * ndim if spacing is None else _check_spacing(spacing, ndim)
    if not (isinstance(sigma_mm, numbers.Real) and math.isfinite(sigma_mm) and sigma_mm > 0):
        raise ValueError(f"sigma_mm must be a positive number of mm, got {sigma_mm!r}")
    if body is not None:
        body = _check_mask(body, "body", nonempty=True)
        if body.shape != mask.shape:
            raise ValueError(f"body has shape {body.shape} but lesion_mask has shape "
                             f"{mask.shape}; pass a body mask of the same image (or None)")
    rng = np.random.default_rng(_check_seed(seed))
    sigma = [sigma_mm / s for s in spacing]

    # blur the lesion in its bounding box plus the filter's reach (4 sigma): same result
    where = np.argwhere(mask)
    reach = [int(math.ceil(4 * s)) + 1 for s in sigma]
    lo = np.maximum(where.min(axis=0) - reach, 0)
    hi = np.minimum(where.max(axis=0) + np.array(reach) + 1, mask.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi))
    heat = np.zeros(mask.shape, dtype=np.float32)
    heat[box] = ndimage.gaussian_filter(mask[box].astype(np.float32), sigma)
    heat /= heat.max()
    # off-target blob: 1.6x wider, 40 % as strong, at least 4 sigma from the lesion centre
    centre = where.mean(axis=0)
    shape = np.array(mask.shape)
    if body is None:  # the central half of the array
        lo, hi = 0.25 * (shape - 1), 0.75 * (shape - 1)
    else:  # anywhere in the body
        lo, hi = np.zeros(ndim), shape - 1.0
    scale = np.array(sigma) * 4
    best, best_dist = None, -1.0
    for _ in range(50 if body is None else 500):
        candidate = lo + rng.random(ndim) * (hi - lo)
        if body is not None and not body[tuple(np.round(candidate).astype(int))]:
            continue
        dist = float(np.linalg.norm((candidate - centre) / scale))
        if dist > best_dist:
            best, best_dist = candidate, dist
        if dist >= 1.0:
            break
    if best is None:  # a tiny body: centre the blob on one of its voxels
        where_body = np.argwhere(body)
        best = where_body[rng.integers(len(where_body))].astype(float)
    # separable float32 Gaussian: exp(-r^2/2) is the product of 1D factors
    blob = np.float32(0.4)
    for axis, (n, c, s) in enumerate(zip(mask.shape, best, sigma)):
        shape = [1] * ndim
        shape[axis] = n
        factor = np.exp(-0.5 * ((np.arange(n) - c) / (1.6 * s)) ** 2).astype(np.float32)
        blob = blob * factor.reshape(shape)
    heat += blob
    # faint smooth texture so the map is not a perfect pair of Gaussians
    # (made on a coarser grid, then interpolated up: cheap on large volumes)
    step = [max(1, int(s)) for s in sigma]
    coarse = [-(-n // k) + 1 for n, k in zip(mask.shape, step)]
    texture = ndimage.gaussian_filter(rng.standard_normal(coarse, dtype=np.float32),
                                      [2 * s / k for s, k in zip(sigma, step)])
    texture = ndimage.zoom(texture, [n / c for n, c in zip(mask.shape, coarse)], order=1,
                           grid_mode=False)[tuple(slice(0, n) for n in mask.shape)]
    texture_max = float(np.abs(texture).max())
    if texture_max > 0:
        heat += np.float32(0.06 / texture_max) * texture
    np.clip(heat, 0, None, out=heat)
    heat /= heat.max()
    return heat.astype(np.float32, copy=False)


def imperfect_prediction(mask, shift: Sequence[float] | None = None, scale: float = 1.0,
                         seed: int = 0, noise: float = 1.0) -> np.ndarray:
    """An imperfect "prediction" of a mask: shifted, grown or shrunk, with a wobbly boundary.

    The boundary moves outward by ``(scale - 1) * r`` voxels, ``r`` being the radius of the
    circle (2D) or sphere (3D) of the same area or volume, so a disk or ball is scaled by
    ``scale``; then a smooth random field of standard deviation ``noise`` voxels displaces
    the boundary; then the result is shifted by ``shift`` voxels (nearest voxel, zeros
    coming in at the borders).

    Parameters
    ----------
    mask : array_like of bool, 2D or 3D
        The ground truth; must not be empty.
    shift : sequence of float, optional
        Shift in voxels per axis (row, column) or (slice, row, column). Default: 2 voxels
        toward posterior (rows) and 3 toward the patient's left (columns), none along z.
    scale : float
        Size factor (> 0): above 1 grows, below 1 shrinks.
    seed : int
        Seed of the boundary noise.
    noise : float
        Standard deviation of the boundary displacement in voxels (0 for a clean boundary).

    Returns
    -------
    numpy.ndarray
        bool, same shape as ``mask``.

    Examples
    --------
    >>> yy, xx = np.mgrid[:64, :64]
    >>> disk = (yy - 32) ** 2 + (xx - 32) ** 2 <= 10 ** 2
    >>> pred = imperfect_prediction(disk, shift=(0, 5), scale=1.0, noise=0)
    >>> bool((pred == np.roll(disk, 5, axis=1)).all())
    True
    >>> big = imperfect_prediction(disk, shift=(0, 0), scale=1.5, noise=0)
    >>> print(f"{big.sum() / disk.sum():.1f}")  # area ratio, about 1.5 ** 2
    2.3
    """
    truth = _check_mask(mask, ndims=(2, 3), nonempty=True)
    ndim = truth.ndim
    if shift is None:
        shift = (0.0,) * (ndim - 2) + (2.0, 3.0)
    try:
        shift = tuple(float(s) for s in shift)
    except (TypeError, ValueError):
        shift = ()
    if len(shift) != ndim or not all(math.isfinite(s) for s in shift):
        raise ValueError(f"shift must be {ndim} finite numbers of voxels, one per axis of the "
                         f"{ndim}D mask, got {shift!r}")
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number (1 keeps the size, >1 grows, "
                         f"<1 shrinks), got {scale!r}")
    if not (isinstance(noise, numbers.Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number of voxels, got {noise!r}")
    rng = np.random.default_rng(_check_seed(seed))

    count = float(truth.sum())
    radius = math.sqrt(count / math.pi) if ndim == 2 else (3 * count / (4 * math.pi)) ** (1 / 3)
    offset = (scale - 1.0) * radius
    # work in the bounding box plus a margin wide enough for growth and noise
    margin = int(math.ceil(max(offset, 0) + 4 * noise + 3))
    where = np.argwhere(truth)
    lo = np.maximum(where.min(axis=0) - margin, 0)
    hi = np.minimum(where.max(axis=0) + margin + 1, truth.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi))
    crop = truth[box]
    # signed distance: positive inside, negative outside, 0 half-way across the boundary
    sdf = (ndimage.distance_transform_edt(crop).astype(np.float32)
           - ndimage.distance_transform_edt(~crop).astype(np.float32))
    sdf += np.where(crop, np.float32(-0.5), np.float32(0.5))
    sdf += np.float32(offset)
    if noise > 0:
        field = ndimage.gaussian_filter(rng.standard_normal(crop.shape, dtype=np.float32), 3.0)
        std = float(field.std())
        if std > 0:
            sdf += field * np.float32(noise / std)
    out = np.zeros(truth.shape, dtype=bool)
    out[box] = sdf > 0
    if any(shift):
        out = ndimage.shift(out.astype(np.uint8), shift, order=0, mode="constant",
                            cval=0).astype(bool)
    return out
