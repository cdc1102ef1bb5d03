"""Stimuli for the encoding models: oriented gratings and resized images (NumPy only)."""

from __future__ import annotations

import numpy as np

from cortexkit.errors import ValidationError

__all__ = ["grating", "images_to_input", "SCREEN"]

SCREEN = (480, 640)  # (height, width) of the virtual screen in screen pixels


def grating(
    angle_deg: float | np.ndarray,
    sf: float = 1 / 28,
    res: float = 0.1,
    patch: bool = False,
    phase: float = 0.0,
) -> np.ndarray:
    """Binarized oriented grating(s), as shown to the mice of Stringer et al. and the CNN.

    A 480 x 640 pixel screen sampled every ``1 / res`` pixels (48 x 64 at ``res=0.1``)
    shows ``sign(cos(sf * (x cos a + y sin a) + phase))`` with x to the right and y down
    (image rows), mapped to +0.5 / -0.5 around a grey level of 0.

    Parameters
    ----------
    angle_deg : float or array_like of shape (p,)
        Orientation in degrees: 0 = vertical stripes, positive = tilted right (clockwise,
        the top of the stripes leans right), negative = tilted left. Vectorized.
    sf : float
        Spatial frequency in radians per screen pixel (default 1/28: a period of
        2 pi 28 ~ 176 screen pixels ~ 17.6 image pixels at ``res=0.1``).
    res : float
        Image samples per screen pixel (0.1 -> 48 x 64 images).
    patch : bool
        Show the grating in a centred circular patch (diameter = image height) on grey (0).
    phase : float
        Spatial phase in radians.

    Returns
    -------
    ndarray, float32
        (h, w) for a scalar angle, (p, h, w) for an array of angles.

    Examples
    --------
    >>> g = grating(0.0)
    >>> g.shape, sorted(set(g.ravel().tolist()))
    ((48, 64), [-0.5, 0.5])
    >>> bool((g == g[0]).all())          # vertical stripes: every row the same
    True
    >>> grating([-45, 45], patch=True).shape
    (2, 48, 64)
    """
    if not (np.isfinite(sf) and sf > 0):
        raise ValidationError(f"sf must be a positive spatial frequency, got {sf!r}")
    if not (np.isfinite(res) and res > 0):
        raise ValidationError(f"res must be > 0 (0.1 gives 48 x 64 images), got {res!r}")
    ang = np.asarray(angle_deg, dtype=np.float64)
    if ang.ndim > 1:
        raise ValidationError(f"angle_deg must be a number or a 1-D array, got shape {ang.shape}")
    if not np.isfinite(ang).all():
        raise ValidationError("angle_deg contains NaN or infinite values")
    h, w = int(round(SCREEN[0] * res)), int(round(SCREEN[1] * res))
    if h < 1 or w < 1:
        raise ValidationError(f"res={res} gives an empty image; use res >= {1 / SCREEN[0]:.4g}")
    y = np.arange(h) / res
    x = np.arange(w) / res
    a = np.deg2rad(np.atleast_1d(ang))[:, None, None]
    arg = sf * (x[None, None, :] * np.cos(a) + y[None, :, None] * np.sin(a)) + phase
    img = np.where(np.cos(arg) > 0, 0.5, -0.5).astype(np.float32)
    if patch:
        yy, xx = np.meshgrid(np.arange(h) - (h - 1) / 2, np.arange(w) - (w - 1) / 2,
                             indexing="ij")
        img[:, (yy**2 + xx**2) > (min(h, w) / 2) ** 2] = 0.0
    return img[0] if ang.ndim == 0 else img


def images_to_input(images: np.ndarray, h: int = 48, w: int = 64,
                    vmin: float = 0.0, vmax: float = 255.0) -> np.ndarray:
    """Resize grey-level images to the model input and map them to the gratings' range.

    Bilinear interpolation (``scipy.ndimage.zoom``, order 1) to ``h x w``, then grey levels
    ``vmin..vmax`` linearly to -0.5..0.5 (black = -0.5, white = +0.5, the contrast range of
    the gratings the model was trained on). For the Allen natural scenes (31 x 31 copies
    of 918 x 1174 originals, aspect 1.28) stretching to 48 x 64 (aspect 1.33) restores
    nearly the original aspect ratio.

    Parameters
    ----------
    images : array_like, shape (p, h0, w0)
    h, w : int
        Target size (the CNN's input size).
    vmin, vmax : float
        Grey levels mapped to -0.5 and +0.5.

    Returns
    -------
    ndarray, float32, shape (p, h, w)

    Examples
    --------
    >>> import numpy as np
    >>> images_to_input(np.full((2, 31, 31), 255.0)).shape
    (2, 48, 64)
    """
    from scipy import ndimage

    im = np.asarray(images, dtype=np.float64)
    if im.ndim != 3:
        raise ValidationError(f"images must be (p, h, w), got shape {im.shape}")
    if not np.isfinite(im).all():
        raise ValidationError("images contain NaN or infinite values")
    if not vmax > vmin:
        raise ValidationError(f"need vmax > vmin, got vmin={vmin}, vmax={vmax}")
    out = ndimage.zoom(im, (1, h / im.shape[1], w / im.shape[2]), order=1, grid_mode=False)
    out = (out - vmin) / (vmax - vmin) - 0.5
    return out.astype(np.float32)
