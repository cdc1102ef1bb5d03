"""Entropy of every unit's binned inter-spike-interval distribution, all units at once."""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np
import pandas as pd

from cortexkit._lib.engine import choose
from cortexkit._lib.validation import check_choice
from cortexkit.errors import ValidationError
from cortexkit.information._entropy import ESTIMATORS, entropy_from_counts, log_base

__all__ = ["isi_entropy", "bin_edges", "isi_counts"]

# engine="auto" uses the compiled single-pass kernel from the size in
# cortexkit._lib.engine.THRESHOLDS["information.isi_counts"] on.


def bin_edges(bins: Any = 50, range: tuple[float, float] | None = (0.0, 0.25)) -> np.ndarray:
    """Bin edges in seconds: ``bins`` equal bins over ``range``, or ``bins`` itself if it is
    an array of edges (as :func:`numpy.histogram`).

    Parameters
    ----------
    bins : int or array_like of float
        Number of equal-width bins, or the increasing edges (then ``range`` is ignored).
    range : (float, float)
        Lower and upper edge in seconds for an integer ``bins``.

    Returns
    -------
    numpy.ndarray
        ``n_bins + 1`` strictly increasing, finite edges.

    Examples
    --------
    >>> bin_edges(5, (0, 0.25)).tolist()
    [0.0, 0.05, 0.1, 0.15000000000000002, 0.2, 0.25]
    """
    if np.ndim(bins) == 0:
        try:
            n = operator.index(bins)
        except TypeError:
            raise ValidationError(
                f"bins must be a positive integer (number of bins) or an array of edges; "
                f"got {bins!r}", param="bins"
            ) from None
        if n < 1:
            raise ValidationError(f"bins must be a positive number of bins; got {n}", param="bins")
        if range is None or np.ndim(range) != 1 or len(range) != 2:
            raise ValidationError(f"range must be (low, high) in seconds; got {range!r}",
                                  param="range")
        lo, hi = float(range[0]), float(range[1])
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValidationError(
                f"range must be two finite numbers with low < high (seconds); got {range!r}",
                param="range"
            )
        return np.linspace(lo, hi, n + 1)
    edges = np.asarray(bins)
    if edges.ndim != 1 or edges.size < 2 or not np.issubdtype(edges.dtype, np.number):
        raise ValidationError(
            f"bins as edges must be a 1-D numeric array of at least 2 edges; got shape "
            f"{edges.shape}, dtype {edges.dtype}", param="bins"
        )
    edges = edges.astype(np.float64)
    if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise ValidationError("bins (edges) must be finite and strictly increasing", param="bins")
    return edges


def _isi_counts_numpy(st: Any, edges: np.ndarray, uniform: bool = False) -> np.ndarray:
    """NumPy reference: unit x bin counts of within-unit ISIs (``np.histogram`` bins)."""
    n_units, n_bins = st.n_units, edges.size - 1
    isis, unit = _within_unit_isis(st)
    keep = (isis >= edges[0]) & (isis <= edges[-1])
    x, unit = isis[keep], unit[keep]
    if uniform:  # np.histogram's equal-bin path: floor estimate, one-step edge correction
        j = ((x - edges[0]) * (n_bins / (edges[-1] - edges[0]))).astype(np.intp)
        j[j >= n_bins] = n_bins - 1
        j[x < edges[j]] -= 1
        j[(x >= edges[j + 1]) & (j != n_bins - 1)] += 1
    else:
        j = np.searchsorted(edges, x, side="right") - 1
        j[j == n_bins] = n_bins - 1  # x == last edge: the last bin is closed
    flat = np.bincount(unit * n_bins + j, minlength=n_units * n_bins)
    return flat.reshape(n_units, n_bins)


# Units with this many spikes on average take _isi_counts_by_unit (about a dozen NumPy
# calls per unit on its cache-resident ISIs: 10^7 spikes of 1000 units in ~0.1 s, no numba
# import); below it the per-call overhead makes the flat reference faster.
_MIN_MEAN_SPIKES = 64


def _isi_counts_by_unit(times: np.ndarray, offsets: np.ndarray, edges: np.ndarray,
                        uniform: bool) -> np.ndarray:
    """:func:`_isi_counts_numpy`, unit by unit into scratch buffers (same counts).

    Equal bins: the bin is estimated as ``floor((x - lo) * n / (hi - lo))`` (clipped to
    -1..n) and corrected by one step against the edges, as ``np.histogram`` does; -1 and n
    collect the ISIs below and above the range, and ``x == hi`` goes to the last bin.
    Given edges: ``np.searchsorted`` on the edges with the last one nudged up, so that
    ``x == edges[-1]`` falls in the last bin.
    """
    n_units, nb = offsets.size - 1, edges.size - 1
    lo, hi = float(edges[0]), float(edges[-1])
    scale = nb / (hi - lo)
    out = np.zeros((n_units, nb), dtype=np.int64)
    size = max(int(np.diff(offsets).max(initial=0)) - 1, 1)
    buf, w, jb = np.empty(size), np.empty(size), np.empty(size, dtype=np.intp)
    ext = np.r_[-np.inf, edges, np.inf]          # ext[j + 1] = edges[j]
    top = edges.copy()
    top[-1] = np.nextafter(hi, np.inf)
    sub = np.subtract
    for u, (a, b) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)):
        m = b - a - 1
        if m < 1:
            continue
        d = sub(times[a + 1:b], times[a:b - 1], out=buf[:m])
        if not uniform:
            out[u] = np.bincount(np.searchsorted(top, d, side="right"),
                                 minlength=nb + 2)[1:nb + 1]
            continue
        x = sub(d, lo, out=w[:m])
        x *= scale
        np.clip(x, -1.0, nb, out=x)
        np.floor(x, out=x)
        j = jb[:m]
        j[...] = x                                  # -1 .. nb
        dec = d < ext.take(j + 1)                   # x < edges[j]
        inc = d >= ext.take(j + 2)                  # x >= edges[j + 1]
        if dec.any():
            j[dec] -= 1
        if inc.any():
            j[inc] += 1
        cnt = np.bincount(j + 1, minlength=nb + 2)
        out[u] = cnt[1:nb + 1]
        if cnt[nb + 1]:                             # x >= hi: only x == hi is counted
            out[u, nb - 1] += np.count_nonzero(d == hi)
    return out


def _within_unit_isis(st: Any) -> tuple[np.ndarray, np.ndarray]:
    """Flat ISIs of all units (``ck.isi.intervals``) and the unit position of each."""
    from cortexkit.isi import intervals

    iv = intervals(st)
    return iv.values, iv.unit_index


def isi_counts(st: Any, bins: Any = 50, range: tuple[float, float] | None = (0.0, 0.25),
               *, engine: str = "auto", method: str | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Unit x bin histogram of every unit's ISIs (``np.histogram`` binning), vectorized.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bins, range
        As in :func:`bin_edges`.
    engine : {"auto", "numba", "numpy"}, default "auto"
        ``"numpy"`` (the reference): the ISIs of all units (``ck.isi.intervals``), bin
        indices for all at once (``np.histogram``'s floor-and-correct rule for equal
        bins, ``np.searchsorted`` for given edges) and a single ``np.bincount`` on
        ``unit * n_bins + bin`` (or, for units of 64 spikes or more on average, the same
        unit by unit on cache-sized buffers). ``"numba"``: the same counts in one
        compiled pass with no temporaries. ``"auto"`` uses numba only when it is
        already imported (``cortexkit._lib.engine.THRESHOLDS``).
    method : {"numpy", "kernel", "auto"}, optional
        Deprecated spelling of ``engine`` (``"kernel"`` is ``"numba"``); warns.

    Returns
    -------
    counts : numpy.ndarray of int64, shape (n_units, n_bins)
    edges : numpy.ndarray, shape (n_bins + 1,)

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.5, 0.75, 1.0, 1.75], [0.5]], t_stop=2.0)
    >>> counts, edges = isi_counts(st, bins=4, range=(0, 1))
    >>> counts.tolist()
    [[0, 2, 1, 1], [0, 0, 0, 0]]
    """
    from cortexkit.core import SpikeTrains

    if not isinstance(st, SpikeTrains):
        raise ValidationError(
            f"st must be a cortexkit.SpikeTrains; got {type(st).__name__} "
            "(build one with SpikeTrains.from_list or cortexkit.io.load_spikes)", param="st"
        )
    if method is not None:
        check_choice("method", method, ("auto", "numpy", "kernel"))
        warnings.warn("isi_counts(method=...) is deprecated; use engine='auto' | 'numba' | "
                      "'numpy' ('kernel' is now 'numba')", FutureWarning, stacklevel=2)
        engine = "numba" if method == "kernel" else method
    edges = bin_edges(bins, range)
    uniform = np.ndim(bins) == 0
    if choose("information.isi_counts", st.n_spikes, engine) == "numba":
        from cortexkit.information._isi_kernel import isi_bin_counts

        counts = isi_bin_counts(st.times, st.offsets, edges, uniform)
    elif st.n_units * _MIN_MEAN_SPIKES <= st.n_spikes:
        counts = _isi_counts_by_unit(st.times, st.offsets, edges, uniform)
    else:
        counts = _isi_counts_numpy(st, edges, uniform)
    return counts, edges


def isi_entropy(st: Any, bins: Any = 50, range: tuple[float, float] | None = (0.0, 0.25),
                estimator: str = "plugin", base: float = 2) -> pd.DataFrame:
    """Entropy of every unit's binned ISI distribution, all units at once.

    The ISIs of each unit are histogrammed exactly as ``np.histogram(isis, bins, range)``
    does (ISIs outside ``range`` are left out), and the entropy of each histogram is
    estimated with ``estimator``. Units with no ISI inside ``range`` (fewer than two
    spikes, or all intervals outside) get ``n_isi = 0`` and NaN entropy and mean: this is
    documented behaviour, not an error.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bins : int or array_like, default 50
        Number of equal bins over ``range``, or the bin edges in seconds.
    range : (float, float), default (0, 0.25)
        ISI range in seconds for an integer ``bins``.
    estimator : str, default "plugin"
        One of :data:`cortexkit.information.ESTIMATORS` (see
        :func:`~cortexkit.information.entropy_from_counts`).
    base : float, default 2
        Logarithm base (2: bits).

    Returns
    -------
    pandas.DataFrame
        One row per unit, in the order of ``st.unit_ids``: ``unit``, ``n_isi`` (ISIs
        inside ``range``), ``mean_isi`` (mean of the binned distribution over the bin
        centres, seconds; the mean that :func:`max_entropy_pmf` takes) and ``entropy``.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.5, 0.75, 1.0, 1.75], [0.5]], t_stop=2.0)
    >>> isi_entropy(st, bins=4, range=(0, 1))[["unit", "n_isi", "entropy"]]
       unit  n_isi  entropy
    0     0      4      1.5
    1     1      0      NaN
    """
    check_choice("estimator", estimator, ESTIMATORS)
    log_base(base)
    counts, edges = isi_counts(st, bins, range)
    n_isi = counts.sum(axis=1)
    has = n_isi > 0
    h = np.full(counts.shape[0], np.nan)
    mean = np.full(counts.shape[0], np.nan)
    if has.any():
        c = counts[has]
        h[has] = entropy_from_counts(c, estimator=estimator, base=base)
        centres = 0.5 * (edges[:-1] + edges[1:])
        mean[has] = (c @ centres) / n_isi[has]
    return pd.DataFrame({"unit": st.unit_ids, "n_isi": n_isi, "mean_isi": mean, "entropy": h})
