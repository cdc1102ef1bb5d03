"""Stimuli for the encoding models: oriented gratings and resized images (NumPy only)."""

from __future__ import annotations

import numpy as np

from cortexkit.errors import ValidationError

__all__ = ["grating", "tutorial_filters", "images_to_input", "SCREEN"]

SCREEN = (480, 640)  # (height, width) of the virtual screen in screen pixels


def grating(
    angle_deg: float | np.ndarray,
    sf: float = 1 / 28,
    res: float = 0.1,
    patch: bool = False,
    phase: float = 0.0,
) -> np.ndarray:
    """Binarized oriented grating(s), the Neuromatch W1D5 tutorial's ``grating()`` value for value.

    A 640 x 480 pixel screen sampled every ``1 / res`` pixels (64 x 48 at ``res=0.1``)
    shows ``cos(x cos a + y sin a)`` with ``x = sf * j / res`` to the right and
    ``y = sf * i / res`` down (image rows), binarized to 1 where it is positive and 0
    where it is negative (exact zeros stay 0), as in the tutorial.

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
        The tutorial's patch stimulus: the grating rotated by a further 0.1 rad, shown in
        a circle of diameter ``640 * res / 3`` image pixels centred at three quarters of
        the width and half the height, grey (0.5) outside it.
    phase : float
        Spatial phase in radians added inside the cosine (0 = the tutorial's grating).

    Returns
    -------
    ndarray, float32
        (h, w) for a scalar angle, (p, h, w) for an array of angles; pixels 0 and 1
        (and 0.5 outside the patch).

    Examples
    --------
    >>> g = grating(0.0)
    >>> g.shape, sorted(set(g.ravel().tolist()))
    ((48, 64), [0.0, 1.0])
    >>> bool((g == g[0]).all())          # vertical stripes: every row the same
    True
    >>> p = grating([-45, 45], patch=True)
    >>> p.shape, float(p[0, 0, 0]), sorted(set(p[0, 24, 40:56].tolist()))
    ((2, 48, 64), 0.5, [0.0, 1.0])
    """
    if not (np.isfinite(sf) and sf > 0):
        raise ValidationError(f"sf must be a positive spatial frequency; got {sf!r}", param="sf")
    if not (np.isfinite(res) and res > 0):
        raise ValidationError(f"res must be > 0 (0.1 gives 48 x 64 images); got {res!r}",
                              param="res")
    ang = np.asarray(angle_deg, dtype=np.float64)
    if ang.ndim > 1:
        raise ValidationError(f"angle_deg must be a number or a 1-D array; got shape {ang.shape}",
                              param="angle_deg")
    if not np.isfinite(ang).all():
        raise ValidationError("angle_deg contains NaN or infinite values", param="angle_deg")
    hpix, wpix = SCREEN
    # the tutorial's sample positions, in its order of operations (value for value)
    x = sf * np.arange(0, wpix * res) / res
    y = sf * np.arange(0, hpix * res) / res
    if x.size < 1 or y.size < 1:
        raise ValidationError(f"res={res} gives an empty image; use res >= {1 / hpix:.4g}")
    a = np.deg2rad(np.atleast_1d(ang))[:, None, None]
    if patch:
        a = a + 0.1  # the tutorial's extra rotation "to make it better fit within patch"
    arg = x[None, None, :] * np.cos(a) + y[None, :, None] * np.sin(a)
    if phase:
        arg = arg + phase
    img = (np.cos(arg) > 0).astype(np.float32)
    if patch:
        h, w = img.shape[1:]
        xxc, yyc = np.meshgrid(np.arange(0, w), np.arange(0, h))
        icirc = ((xxc - w * .75) ** 2 + (yyc - h / 2) ** 2) ** 0.5 < wpix / 3 / 2 * res
        img[:, ~icirc] = 0.5
    return img[0] if ang.ndim == 0 else img


def tutorial_filters(out_channels: int = 6, K: int = 7) -> np.ndarray:
    """The Neuromatch W1D5 tutorial's initial convolution filters, value for value.

    Two centre-surround filters (``exp(-r / (2 s^2)) - 0.5 exp(-r / (2 (2 s)^2))`` with
    ``r`` the distance from the centre, ``s = 1.1``, and its negative) followed by
    ``out_channels - 2`` Gabors at orientations ``0, 180/(out_channels-2), ...`` degrees
    (wavelength 10, phase pi/2, envelope ``exp(-r / (2 (0.4 s)^2))``), on a ``K x K``
    grid ``linspace(-K/2, K/2, K)``; each filter is scaled to max ``|w| = 1``.

    Parameters
    ----------
    out_channels : int, default 6
        Number of filters (at least 2: the centre-surround pair).
    K : int, default 7
        Filter size.

    Returns
    -------
    ndarray, float32, shape (out_channels, 1, K, K)

    Examples
    --------
    >>> f = tutorial_filters()
    >>> f.shape, f.dtype.name, float(abs(f).max())
    ((6, 1, 7, 7), 'float32', 1.0)
    """
    for name, v, lo in (("out_channels", out_channels, 2), ("K", K, 1)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < lo:
            raise ValidationError(f"{name} must be an integer >= {lo}, got {v!r}")
    grid = np.linspace(-K / 2, K / 2, K).astype(np.float32)
    xx, yy = np.meshgrid(grid, grid, indexing="ij")
    r = (xx**2 + yy**2) ** 0.5
    sigma = 1.1
    centre_surround = np.exp(-r / (2 * sigma**2)) - 0.5 * np.exp(-r / (2 * (sigma * 2) ** 2))
    thetas = np.linspace(0, 180, out_channels - 2 + 1)[:-1] * np.pi / 180
    gabors = np.zeros((len(thetas), K, K), np.float32)
    envelope = np.exp(-r / (2 * (sigma * 0.4) ** 2))
    for i, theta in enumerate(thetas):
        u = xx * np.cos(theta) + yy * np.sin(theta)
        gabors[i] = envelope * np.cos(2 * np.pi * u / 10 + np.pi / 2)
    filters = np.concatenate((centre_surround[None], -1 * centre_surround[None], gabors))
    filters /= np.abs(filters).max(axis=(1, 2))[:, None, None]
    return filters[:, None]


def images_to_input(images: np.ndarray, h: int = 48, w: int = 64,
                    vmin: float = 0.0, vmax: float = 255.0) -> np.ndarray:
    """Resize grey-level images to the model input and map them to the gratings' range.

    Bilinear interpolation (``scipy.ndimage.zoom``, order 1) to ``h x w``, then grey levels
    ``vmin..vmax`` linearly to 0..1 (black = 0, white = 1, the contrast range of the
    gratings the model was trained on). For the Allen natural scenes (31 x 31 copies
    of 918 x 1174 originals, aspect 1.28) stretching to 48 x 64 (aspect 1.33) restores
    nearly the original aspect ratio.

    Parameters
    ----------
    images : array_like, shape (p, h0, w0)
    h, w : int
        Target size (the CNN's input size).
    vmin, vmax : float
        Grey levels mapped to 0 and 1.

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
        raise ValidationError(f"images must be (p, h, w); got shape {im.shape}", param="images")
    if not np.isfinite(im).all():
        raise ValidationError("images contain NaN or infinite values", param="images")
    if not vmax > vmin:
        raise ValidationError(f"need vmax > vmin, got vmin={vmin}, vmax={vmax}")
    out = ndimage.zoom(im, (1, h / im.shape[1], w / im.shape[2]), order=1, grid_mode=False)
    out = (out - vmin) / (vmax - vmin)
    return out.astype(np.float32)
