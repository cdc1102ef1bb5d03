"""Population responses: stimulus x neuron matrices with their stimulus values.

The container :class:`Responses` and the transformations that return a new one
(:func:`bin_stimuli`, :func:`tutorial_convention`).  The file readers are in
:func:`cortexkit.io.load_responses`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cortexkit.errors import ValidationError

__all__ = ["Responses", "bin_stimuli", "tutorial_convention"]


@dataclass(frozen=True)
class Responses:
    """Population responses of one recording or model.

    Attributes
    ----------
    responses : ndarray, shape (S, N)
        Stimulus (or trial) x neuron.
    stimuli : ndarray, shape (S,)
        Stimulus value per row: orientation/direction in degrees, or scene index.
    neuron_ids : ndarray, shape (N,)
        Identifier of every column (column index when the file has none).
    kind : str
        ``"orientation"`` (degrees) or ``"scene"`` (image index).
    images : ndarray or None, shape (S, h, w)
        The stimulus images per row when the source has them (natural scenes).
    source : str
        Where the data came from.
    """

    responses: np.ndarray
    stimuli: np.ndarray
    neuron_ids: np.ndarray
    kind: str = "orientation"
    images: np.ndarray | None = None
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def n_stimuli(self) -> int:
        """Number of rows (stimuli or trials)."""
        return int(self.responses.shape[0])

    @property
    def n_neurons(self) -> int:
        """Number of columns (neurons)."""
        return int(self.responses.shape[1])

    def __repr__(self) -> str:
        return (f"Responses({self.n_stimuli} stimuli x {self.n_neurons} neurons, "
                f"kind={self.kind!r}, source={self.source!r})")


def bin_stimuli(res: Responses, bin_width: float) -> Responses:
    """Average responses within stimulus bins ``[k w, (k + 1) w)`` degrees.

    The bin's stimulus value is the mean of the stimuli in it (as in the Neuromatch
    tutorial); empty bins do not appear. Vectorized: one stable sort and
    ``np.add.reduceat`` over all neurons.

    Parameters
    ----------
    res : Responses
    bin_width : float
        Bin width in degrees (> 0).

    Returns
    -------
    Responses
        New object; ``res`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> r = Responses(np.array([[1.0], [3.0], [5.0]]), np.array([1.0, 3.0, 12.0]), np.arange(1))
    >>> b = bin_stimuli(r, 10)
    >>> b.stimuli, b.responses[:, 0]
    (array([ 2., 12.]), array([2., 5.]))
    """
    if res.kind != "orientation":
        raise ValidationError(f"bin_width applies to orientation data, not {res.kind!r} stimuli",
                              param="bin_width")
    if not (isinstance(bin_width, int | float | np.number) and bin_width > 0):
        raise ValidationError(f"bin_width must be a positive number of degrees; got {bin_width!r}",
                              param="bin_width")
    st = np.asarray(res.stimuli, dtype=np.float64)
    key = np.floor(st / bin_width)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    count = np.diff(np.r_[starts, ks.size])
    resp = np.add.reduceat(res.responses[order].astype(np.float64), starts, axis=0)
    resp /= count[:, None]
    stim = np.add.reduceat(st[order], starts) / count
    return replace(res, responses=resp.astype(res.responses.dtype, copy=False), stimuli=stim,
                   images=None, notes=(*res.notes, f"binned by {bin_width} deg"))


def tutorial_convention(res: Responses) -> Responses:
    """Stringer/Neuromatch convention: keep stimuli <= 180 deg and centre them to -90..90.

    After the shift 0 means vertical and negative angles are tilted left (Stringer's 90 deg
    grating is vertical). Rows are not reordered.

    Parameters
    ----------
    res : Responses
        Orientation responses in degrees 0..360.

    Returns
    -------
    Responses

    Examples
    --------
    >>> import numpy as np
    >>> r = Responses(np.eye(3), np.array([10.0, 90.0, 270.0]), np.arange(3))
    >>> tutorial_convention(r).stimuli
    array([-80.,   0.])
    """
    if res.kind != "orientation":
        raise ValidationError(f"convention='tutorial' applies to orientations, not {res.kind!r}")
    keep = np.asarray(res.stimuli) <= 180
    return replace(res, responses=res.responses[keep], stimuli=res.stimuli[keep] - 90.0,
                   images=None if res.images is None else res.images[keep],
                   notes=(*res.notes, "kept stimuli <= 180 deg, shifted by -90 (0 = vertical)"))
