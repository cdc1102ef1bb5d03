"""A brain-wide-map-like corpus of ALF sessions on disk, generated in bounded memory."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from cortexkit._lib._util import offsets_from_counts, unit_index
from cortexkit.errors import ValidationError

__all__ = ["brain_wide_like"]

_META = "brain_wide_like.json"
_FORMAT = 1


def brain_wide_like(
    out_dir: str | os.PathLike,
    n_sessions: int,
    seed: int = 0,
    *,
    n_units: int = 300,
    duration: float = 3600.0,
    median_rate: float = 0.8,
    rate_sigma: float = 1.0,
    contaminated_fraction: float = 0.03,
    chunk_duration: float = 300.0,
) -> list[Path]:
    """Write a corpus of synthetic Neuropixels sessions as ALF folders.

    Modelled on the IBL brain-wide map (about 700 insertions, 10^9 spikes): with the
    defaults a session holds about 300 units for about an hour, about 1.4 million spikes,
    so 700 sessions hold about 10^9 spikes (12 bytes each on disk).

    Each session is drawn from its own generator, ``numpy.random.default_rng([seed, i])``:
    session ``i`` is the same whatever ``n_sessions`` is, so a small corpus is the start of
    a larger one with the same seed.  Per session:

    - the number of units is lognormal with mean ``n_units`` (sigma 0.35 in log space, at
      least 20), the duration uniform in 0.85-1.15 x ``duration``;
    - firing rates are lognormal (median ``median_rate`` Hz, ``rate_sigma`` in log space,
      clipped to 0.01-100 Hz);
    - every unit is a renewal process with an absolute refractory period of 1-2.5 ms and
      gamma intervals after it: shape 0.5-0.9 (bursty, CV > 1) for 20 % of the units, 1
      (Poisson with dead time) for 50 %, 2-6 (regular, CV < 1) for 30 %; trains start at
      a random phase;
    - ``contaminated_fraction`` of the units (at least one per session) get 10-30 % extra
      spikes of an unrelated Poisson neuron, which violate their refractory period.

    A session is generated ``chunk_duration`` seconds at a time (each unit's renewal
    process carries over from chunk to chunk) and streamed to disk, so memory stays at
    about one chunk whatever the session's length.  Sessions are written to a temporary
    folder and renamed when complete: a folder ``session_NNN`` is always whole.  Sessions
    already present (from an earlier call with the same parameters) are kept, which makes
    the corpus a cache.

    Each ALF folder holds ``spikes.times.npy`` (float64 seconds, sorted in time),
    ``spikes.clusters.npy`` (int32 cluster ids) and one value per cluster in
    ``clusters.depths.npy`` (um), ``clusters.true_rate.npy`` (Hz),
    ``clusters.refractory.npy`` (s), ``clusters.shape.npy`` (gamma shape) and
    ``clusters.contamination.npy`` (rate of the foreign spikes / the unit's own rate; 0 for
    clean units).  ``out_dir/brain_wide_like.json`` records the
    parameters and, per finished session, its units, spikes and duration.

    Parameters
    ----------
    out_dir : str or path-like
        Folder of the corpus (created; may already hold sessions of the same corpus).
    n_sessions : int
        Number of sessions (at least 1).
    seed : int, default 0
        Seed of the corpus.
    n_units : int, default 300
        Mean number of units per session (at least 20).
    duration : float, default 3600
        Typical session length in seconds (at least 10).
    median_rate : float, default 0.8
        Median firing rate in Hz.
    rate_sigma : float, default 1.0
        Standard deviation of the log firing rates.
    contaminated_fraction : float, default 0.03
        Fraction of contaminated units, in [0, 1].
    chunk_duration : float, default 300
        Seconds generated at a time: memory use scales with it, the statistics do not
        (it is a parameter of the corpus, since the random draws depend on it).

    Returns
    -------
    list of pathlib.Path
        The session folders, in order; each reads with :func:`cortexkit.io.load_spikes`.

    Raises
    ------
    ValidationError
        For a bad parameter, or when ``out_dir`` holds a corpus made with other
        parameters (use a new folder or delete it).

    Examples
    --------
    >>> import cortexkit as ck, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> sessions = ck.datasets.brain_wide_like(folder, 2, n_units=30, duration=60.0)
    >>> st = ck.io.load_spikes(sessions[0])
    >>> st.n_units >= 20
    True
    """
    params = _check(n_sessions, seed, n_units, duration, median_rate, rate_sigma,
                    contaminated_fraction, chunk_duration)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = _read_meta(out, params)
    for stale in out.glob(".tmp-session_*"):  # a generation that was killed
        shutil.rmtree(stale, ignore_errors=True)
    sessions = []
    for i in range(int(n_sessions)):
        folder = out / f"session_{i:03d}"
        if not folder.is_dir() or folder.name not in meta["sessions"]:
            if folder.exists():
                shutil.rmtree(folder)
            tmp = out / f".tmp-{folder.name}"
            tmp.mkdir()
            meta["sessions"][folder.name] = _write_session(tmp, params, i)
            os.replace(tmp, folder)
            _write_meta(out, meta)
        sessions.append(folder)
    return sessions


def _check(n_sessions, seed, n_units, duration, median_rate, rate_sigma, cont, chunk):
    def positive_int(name, value, least):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValidationError(f"{name} must be an integer >= {least}, got {value!r}",
                                  param=name)

    def number(name, value, low, high=np.inf):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not (
                low <= float(value) <= high):
            raise ValidationError(f"{name} must be a number in [{low}, {high}], got {value!r}",
                                  param=name)

    positive_int("n_sessions", n_sessions, 1)
    positive_int("seed", seed, 0)
    positive_int("n_units", n_units, 20)
    number("duration", duration, 10.0, 1e6)
    number("median_rate", median_rate, 0.01, 100.0)
    number("rate_sigma", rate_sigma, 0.0, 3.0)
    number("contaminated_fraction", cont, 0.0, 1.0)
    number("chunk_duration", chunk, 1.0)
    return {"format": _FORMAT, "seed": int(seed), "n_units": int(n_units),
            "duration": float(duration), "median_rate": float(median_rate),
            "rate_sigma": float(rate_sigma), "contaminated_fraction": float(cont),
            "chunk_duration": float(chunk)}


def _read_meta(out: Path, params: dict) -> dict[str, Any]:
    path = out / _META
    if not path.exists():
        if any(out.glob("session_*")):
            raise ValidationError(f"out_dir {str(out)!r} holds session folders but no {_META}; "
                                  "give an empty or new folder")
        return {"params": params, "sessions": {}}
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValidationError(f"out_dir {str(out)!r}: {_META} is unreadable ({exc}); delete "
                              "the folder or give a new one") from exc
    if meta.get("params") != params:
        raise ValidationError(
            f"out_dir {str(out)!r} holds a corpus made with other parameters "
            f"({meta.get('params')}); give a new folder or delete this one")
    return meta


def _write_meta(out: Path, meta: dict) -> None:
    tmp = out / f".{_META}.tmp"
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True))
    os.replace(tmp, out / _META)


class _NpyAppender:
    """A 1-D ``.npy`` file written chunk by chunk; the header gets the length at the end."""

    _SHAPE_WIDTH = 20  # digits reserved for the length, so the header size never changes

    def __init__(self, path: Path, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.n = 0
        self.fp = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.fp.write(self._header(0))

    def _header(self, n: int) -> bytes:
        shape = f"({n},)".ljust(self._SHAPE_WIDTH)
        text = (f"{{'descr': {np.lib.format.dtype_to_descr(self.dtype)!r}, "
                f"'fortran_order': False, 'shape': {shape}, }}")
        # magic (6) + version (2) + length (2) + text + newline, padded to 64 bytes
        pad = -(10 + len(text) + 1) % 64
        text = text + " " * pad + "\n"
        return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")

    def append(self, values: np.ndarray) -> None:
        self.fp.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        self.n += values.size

    def close(self) -> None:
        self.fp.seek(0)
        self.fp.write(self._header(self.n))
        self.fp.close()


def _write_session(folder: Path, p: dict, index: int) -> dict[str, Any]:
    rng = np.random.default_rng([p["seed"], index])
    sigma_u = 0.35
    n = max(20, int(round(np.exp(rng.normal(np.log(p["n_units"]) - sigma_u ** 2 / 2,
                                            sigma_u)))))
    duration = float(p["duration"] * rng.uniform(0.85, 1.15))
    rate = np.clip(np.exp(rng.normal(np.log(p["median_rate"]), p["rate_sigma"], n)),
                   0.01, 100.0)
    refractory = rng.uniform(0.001, 0.0025, n)
    kind = rng.choice(3, size=n, p=[0.2, 0.5, 0.3])
    shape = np.where(kind == 0, rng.uniform(0.5, 0.9, n),
                     np.where(kind == 1, 1.0, rng.uniform(2.0, 6.0, n)))
    n_cont = min(n, max(1, int(round(p["contaminated_fraction"] * n))))
    contamination = np.zeros(n)
    contamination[rng.choice(n, size=n_cont, replace=False)] = 1.0
    contamination *= rng.uniform(0.1, 0.3, n)
    extra_rate = contamination * rate
    depths = np.round(rng.uniform(0.0, 3840.0, n), 1)
    # gamma scale so that refractory + mean interval = 1 / rate (rates below 1/refractory)
    scale = np.maximum(1.0 / rate - refractory, 1e-4) / shape
    # first spike at a random phase of a first interval: a stationary start
    next_spike = (refractory + rng.standard_gamma(shape) * scale) * rng.uniform(0, 1, n)

    times_f = _NpyAppender(folder / "spikes.times.npy", np.dtype(np.float64))
    clusters_f = _NpyAppender(folder / "spikes.clusters.npy", np.dtype(np.int32))
    try:
        t0 = 0.0
        while t0 < duration:
            t1 = min(duration, t0 + p["chunk_duration"])
            t, u = _chunk(rng, next_spike, t1, refractory, shape, scale)
            n_extra = rng.poisson(extra_rate * (t1 - t0))
            t = np.concatenate([t, rng.uniform(t0, t1, n_extra.sum())])
            u = np.concatenate([u, np.repeat(np.arange(n, dtype=np.int32), n_extra)])
            order = np.argsort(t, kind="stable")
            times_f.append(t[order])
            clusters_f.append(u[order])
            t0 = t1
    finally:
        times_f.close()
        clusters_f.close()
    for name, values in (("depths", depths), ("true_rate", rate), ("refractory", refractory),
                         ("shape", shape), ("contamination", contamination)):
        np.save(folder / f"clusters.{name}.npy", values)
    return {"n_units": n, "n_spikes": times_f.n, "duration": duration}


def _chunk(rng, next_spike, t1, refractory, shape, scale):
    """Spikes of every unit before ``t1``; ``next_spike`` (modified) moves past ``t1``.

    ``next_spike[u]`` is unit u's first spike not yet emitted.  Intervals are drawn in one
    vectorized batch per round (enough for almost every unit); units whose train has not
    yet passed ``t1`` get another round.
    """
    todo = np.flatnonzero(next_spike < t1)
    times, units = [], []
    while todo.size:
        span = t1 - next_spike[todo]
        mean_isi = refractory[todo] + shape[todo] * scale[todo]
        expect = span / mean_isi
        k = np.ceil(expect * 1.05 + 5.0 * np.sqrt(expect) + 5.0).astype(np.int64)
        starts = offsets_from_counts(k)
        owner = unit_index(starts)
        isi = refractory[todo][owner] + rng.standard_gamma(shape[todo][owner]) * \
            scale[todo][owner]
        # time of draw j of a unit = its next spike + the intervals before draw j
        cs = np.cumsum(isi)
        before = cs - isi  # sum of all earlier intervals (over all units)
        t = next_spike[todo][owner] + before - before[starts[:-1]][owner]
        keep = t < t1
        n_keep = np.bincount(owner[keep], minlength=todo.size)
        times.append(t[keep])
        units.append(todo[owner[keep]].astype(np.int32))
        done = n_keep < k  # the first draw at or past t1 is the unit's next spike
        last = starts[:-1] + n_keep
        next_spike[todo[done]] = t[last[done]]
        # units that used every draw continue from their last interval's end
        more = ~done
        next_spike[todo[more]] = t[starts[1:][more] - 1] + isi[starts[1:][more] - 1]
        todo = todo[more][next_spike[todo[more]] < t1]
    if not times:
        return np.empty(0), np.empty(0, dtype=np.int32)
    return np.concatenate(times), np.concatenate(units)
