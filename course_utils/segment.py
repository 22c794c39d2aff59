"""Classical segmentation of CT in HU: thresholds, morphology and connected components.

These are the building blocks taught in the segmentation chapter: threshold the HU image,
clean the mask with a small morphological opening/closing, fill holes, and keep the largest
connected component(s). Everything works on 2D slices and on 3D volumes ``[z, y, x]``; in
3D, holes are filled slice by slice (axially), because the airways make the lungs open to
the outside in 3D and a 3D fill would leave them unfilled in real scans.

Built on :mod:`scipy.ndimage` (``label``, ``binary_opening``, ``binary_closing``,
``binary_fill_holes``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import ndimage

from ._validation import check_mask as _check_mask
from ._validation import is_real

__all__ = ["body_mask", "largest_component", "lung_mask"]


def _check_image(hu, name: str = "hu") -> np.ndarray:
    array = np.asarray(hu)
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be a 2D slice or a 3D volume [z, y, x], got "
                         f"{array.ndim} dimension(s) with shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must be a numeric array of Hounsfield units, got dtype "
                        f"{array.dtype}; convert stored values to HU first")
    return array


def _check_threshold(threshold) -> float:
    if not is_real(threshold) or not np.isfinite(threshold):
        raise TypeError(f"threshold must be a number in HU, got {threshold!r}")
    return float(threshold)


def _fill_holes_2d(mask: np.ndarray, close_edges: bool) -> np.ndarray:
    padded = np.pad(mask, 1)
    if close_edges:
        # where the object is cut by the image edge, count the edge between its first and
        # last pixel as part of it, so a cavity cut open by the edge is still a hole
        for edge, line in ((np.s_[0, 1:-1], mask[0]), (np.s_[-1, 1:-1], mask[-1]),
                           (np.s_[1:-1, 0], mask[:, 0]), (np.s_[1:-1, -1], mask[:, -1])):
            where = np.flatnonzero(line)
            if where.size:
                padded[edge][where[0]:where[-1] + 1] = True
    # holes: background not connected (4-connectivity) to the border of the padded image;
    # what ndimage.binary_fill_holes computes, by one labelling instead of many dilations
    background, _ = ndimage.label(~padded)
    outside = np.unique(np.concatenate([background[0], background[-1],
                                        background[:, 0], background[:, -1]]))
    filled = ~np.isin(background, outside[outside > 0])
    return filled[1:-1, 1:-1]


def _fill_holes(mask: np.ndarray, close_edges: bool = False) -> np.ndarray:
    """Fill holes in 2D, or slice by slice along axis 0 in 3D.

    ``close_edges``: treat the image edge between the object's first and last pixel on that
    edge as part of the object (a body cut by a truncated field of view).
    """
    if mask.ndim == 2:
        return _fill_holes_2d(mask, close_edges)
    out = np.zeros_like(mask)
    for k in np.flatnonzero(mask.any(axis=(1, 2))):
        out[k] = _fill_holes_2d(mask[k], close_edges)
    return out


def largest_component(mask, n: int = 1) -> np.ndarray:
    """Keep the ``n`` largest connected components of a binary mask.

    Connectivity is by faces (4-connected in 2D, 6-connected in 3D). If the mask has fewer
    than ``n`` components, all are kept; an empty mask gives an empty mask.

    Parameters
    ----------
    mask : array_like of bool, 2D or 3D
        The binary mask.
    n : int
        How many components to keep, largest first.

    Returns
    -------
    numpy.ndarray
        bool, same shape.

    Examples
    --------
    >>> m = np.array([[1, 1, 0, 1],
    ...               [1, 0, 0, 0],
    ...               [0, 0, 1, 1]], dtype=bool)
    >>> largest_component(m).astype(int)
    array([[1, 1, 0, 0],
           [1, 0, 0, 0],
           [0, 0, 0, 0]])
    >>> int(largest_component(m, n=2).sum())
    5
    """
    array = _check_mask(mask, ndims=(2, 3))
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive integer (how many components to keep), "
                         f"got {n!r}")
    labels, count = ndimage.label(array)
    if count <= n:
        return array.copy()
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    # stable order: among equal sizes the first label wins
    keep = np.argsort(-sizes, kind="stable")[:n]
    lut = np.zeros(count + 1, dtype=bool)
    lut[keep] = True
    return lut[labels]


def body_mask(hu, threshold: float = -500) -> np.ndarray:
    """Mask of the patient's body: threshold, largest component, holes filled.

    Voxels above ``threshold`` HU are tissue; the largest connected component is the body
    (this drops the patient table and noise outside); holes (lungs, airways, bowel gas) are
    then filled, slice by slice in 3D.

    A truncated field of view (a large patient, the arms, a reconstruction zoomed on the
    chest) cuts the body at the image edge, and a lung cut by the edge is no longer a hole.
    So where the body touches the edge, the edge between its first and last tissue pixel
    counts as skin: the cut lung is filled too. (Air between two parts of the body that touch
    the same edge is then filled as well; a lung cut at a corner of the image, where the
    body touches neither edge, is not recovered.)

    Parameters
    ----------
    hu : array_like, 2D or 3D
        Image in Hounsfield units.
    threshold : float
        HU above which a voxel is tissue; -500 separates air (-1000) from fat (-100).

    Returns
    -------
    numpy.ndarray
        bool, same shape as ``hu``.

    Examples
    --------
    >>> from course_utils.phantom import fake_ct_slice
    >>> img, _ = fake_ct_slice(128)
    >>> body = body_mask(img)
    >>> bool(body[64, 64]), bool(body[0, 0])  # the centre is inside, the corner is air
    (True, False)
    """
    image = _check_image(hu)
    threshold = _check_threshold(threshold)
    tissue = image > threshold
    if not tissue.any():
        raise ValueError(f"no voxel is above threshold={threshold} HU; is the image in HU "
                         "(not stored values or a windowed 0-1 image)?")
    return _fill_holes(largest_component(tissue), close_edges=True)


def _pad_morphology(mask: np.ndarray, operation, iterations: int) -> np.ndarray:
    """Binary opening/closing that treats the array border as a continuation (edge padding)."""
    padded = np.pad(mask, iterations, mode="edge")
    structure = ndimage.generate_binary_structure(mask.ndim, 1)
    result = operation(padded, structure=structure, iterations=iterations)
    return result[(slice(iterations, -iterations),) * mask.ndim]


def lung_mask(hu, body=None, threshold: float = -400) -> np.ndarray:
    """Mask of both lungs: air inside the body, cleaned, the two largest components.

    Steps: voxels below ``threshold`` HU inside the body mask (so outside air, which is not
    in the filled body, is excluded), a one-voxel opening to remove specks, a one-voxel
    closing to smooth the border, the two largest components (the lungs; this drops the
    trachea and bowel gas when they are separate), then holes filled (vessels), slice by
    slice in 3D. The work is done in the bounding box of the candidate air, so large volumes
    stay fast.

    When the lungs touch the in-plane edge of the image (a truncated field of view), a
    ``UserWarning`` says so: the mask, and any volume measured from it, is then incomplete.

    Parameters
    ----------
    hu : array_like, 2D or 3D
        Image in Hounsfield units.
    body : array_like of bool, optional
        Body mask of the same shape; computed with :func:`body_mask` when not given.
    threshold : float
        HU below which a voxel is air; -400 separates lung (about -850) from soft tissue.

    Returns
    -------
    numpy.ndarray
        bool, same shape as ``hu``: both lungs (use :func:`largest_component` or
        ``scipy.ndimage.label`` to separate them).

    Examples
    --------
    >>> from course_utils.phantom import fake_ct_slice
    >>> img, _ = fake_ct_slice(128)
    >>> lungs = lung_mask(img)
    >>> from scipy import ndimage
    >>> ndimage.label(lungs)[1]  # two lungs
    2
    """
    image = _check_image(hu)
    threshold = _check_threshold(threshold)
    if body is None:
        body = body_mask(image)
    else:
        body = _check_mask(body, "body", ndims=(2, 3))
        if body.shape != image.shape:
            raise ValueError(f"body has shape {body.shape} but hu has shape {image.shape}; "
                             "pass a body mask of the same image (or body=None)")
    air = (image < threshold) & body
    if not air.any():
        raise ValueError(f"no voxel below threshold={threshold} HU inside the body; is the "
                         "image in HU, and does it contain the lungs? If the field of view "
                         "cuts the body, the lungs may lie outside the body mask: pass body= "
                         "yourself (e.g. np.ones(hu.shape, bool) for an image entirely inside "
                         "the patient)")
    where = np.argwhere(air)
    box = tuple(slice(a, b + 1) for a, b in zip(where.min(axis=0), where.max(axis=0)))
    crop = air[box]
    if min(crop.shape) > 2:
        crop = _pad_morphology(crop, ndimage.binary_opening, 1)
        crop = _pad_morphology(crop, ndimage.binary_closing, 1) & body[box]
    crop = _fill_holes(largest_component(crop, n=2))
    if not crop.any():
        raise ValueError(f"no lung left after removing one-voxel specks from the air below "
                         f"threshold={threshold} HU; is the image in HU, and does it contain "
                         "the lungs?")
    out = np.zeros(image.shape, dtype=bool)
    out[box] = crop
    if out[..., 0, :].any() or out[..., -1, :].any() or out[..., 0].any() or out[..., -1].any():
        warnings.warn("the lung mask touches the edge of the image: the field of view cuts "
                      "the lungs, so the mask (and any volume from it) is incomplete",
                      UserWarning, stacklevel=2)
    return out
