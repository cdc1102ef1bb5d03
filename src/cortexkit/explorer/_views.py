"""What the explorer's JSON endpoints compute: thin calls into the library.

Every function here takes the loaded recording (an :class:`ExplorerData`) and returns
plain JSON-ready dicts; the analyses themselves are the library's (``ck.isi``,
``ck.information``, ``ck.causality``); nothing is reimplemented here.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from cortexkit.errors import CortexkitError, ValidationError

CURVE_MODELS = ("exponential", "inverse", "linear")
ENTROPY_ESTIMATORS = ("plugin", "miller_madow", "jackknife", "nsb")
# Bounds that keep one request of the explorer interactive on a laptop.
MAX_RANGE = 3600.0  # s: the ISI histogram range_max of /api/unit
MAX_BINS = 400
MAX_RASTER_UNITS = 60


def _finite(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


class ExplorerData:
    """The recording an explorer serves, plus caches of per-recording results.

    Parameters
    ----------
    spikes : SpikeTrains
        The recording (the only spike data the server ever serves).
    label : str
        Human-readable description of where the data came from.
    seed : int
        Seed of the simulations (network, model training).
    """

    def __init__(self, spikes: Any, label: str, seed: int = 0) -> None:
        if spikes.n_units == 0:
            raise ValidationError("the recording has no units; the explorer needs at least one")
        self.spikes = spikes
        self.label = label
        self.seed = int(seed)
        self._lock = threading.Lock()
        self._stats: Any = None

    # ------------------------------------------------------------------ recording
    def stats(self) -> Any:
        """``ck.isi.stats`` of every unit (computed once)."""
        with self._lock:
            if self._stats is None:
                from cortexkit import isi

                self._stats = isi.stats(self.spikes)
            return self._stats

    def info(self) -> dict[str, Any]:
        """Summary of the recording and the unit list of the picker."""
        st = self.spikes
        stats = self.stats()
        units = []
        extra = st.unit_info if st.unit_info is not None else None
        for i in range(st.n_units):
            row = {
                "index": i,
                "id": _jsonable_id(st.unit_ids[i]),
                "n_spikes": int(st.counts[i]),
                "rate_hz": _finite(st.rates[i]),
                "cv": _finite(stats["cv"].iloc[i]),
            }
            if extra is not None:
                for col in ("area", "quality", "kind"):
                    if col in extra.columns:
                        row[col] = str(extra[col].iloc[i])
            units.append(row)
        # Default unit: the most active one with a well-filled histogram.
        default = int(np.argmax(st.counts))
        return {
            "label": self.label,
            "n_units": int(st.n_units),
            "n_spikes": int(st.n_spikes),
            "t_start": float(st.t_start),
            "t_stop": float(st.t_stop),
            "default_unit": default,
            "units": units,
        }

    def _check_unit(self, index: int) -> int:
        if not 0 <= index < self.spikes.n_units:
            raise ValidationError(
                f"unit index {index} is out of range; pick 0 .. {self.spikes.n_units - 1}"
            )
        return int(index)

    def raster(self, index: int, t0: float | None = None, window: float = 10.0,
               n_neighbours: int = 10) -> dict[str, Any]:
        """Spike times of unit ``index`` and its neighbours in ``[t0, t0 + window)``."""
        st = self.spikes
        index = self._check_unit(index)
        if not (np.isfinite(window) and window > 0):
            raise ValidationError(f"window must be a positive number of seconds; got {window}",
                                  param="window")
        if not 0 <= n_neighbours <= MAX_RASTER_UNITS // 2:
            raise ValidationError(
                f"neighbours must be between 0 and {MAX_RASTER_UNITS // 2}; got {n_neighbours}",
                param="neighbours"
            )
        t0 = float(st.t_start) if t0 is None else float(t0)
        if not np.isfinite(t0):
            raise ValidationError(f"t0 must be a finite time in seconds; got {t0}", param="t0")
        lo = max(0, index - n_neighbours)
        hi = min(st.n_units, index + n_neighbours + 1)
        rows = []
        for i in range(lo, hi):
            tr = st.train(i)
            a, b = np.searchsorted(tr, [t0, t0 + window], side="left")
            rows.append({"index": i, "id": _jsonable_id(st.unit_ids[i]),
                         "times": tr[a:b].round(6).tolist()})
        return {"unit": index, "t0": t0, "t1": t0 + window, "rows": rows,
                "t_start": float(st.t_start), "t_stop": float(st.t_stop)}

    def unit(self, index: int, bins: int = 50, range_max: float = 0.25) -> dict[str, Any]:
        """ISI histogram, curve fits, distribution fits and entropies of one unit."""
        from cortexkit import isi

        index = self._check_unit(index)
        if not 2 <= bins <= MAX_BINS:
            raise ValidationError(f"bins must be between 2 and {MAX_BINS}; got {bins}",
                                  param="bins")
        if not (np.isfinite(range_max) and 0 < range_max <= MAX_RANGE):
            raise ValidationError(f"range_max must be a time in (0, {MAX_RANGE:g}] seconds; got "
                                  f"{range_max}", param="range_max")
        st = self.spikes
        ex = isi.example_unit(st, st.unit_ids[index].item(), bins=bins,
                              range=(0.0, range_max), curve_models=CURVE_MODELS)
        counts, edges, isis = ex.counts, ex.edges, ex.isis
        out: dict[str, Any] = {
            "unit": index,
            "id": _jsonable_id(st.unit_ids[index]),
            "n_spikes": ex.n_spikes,
            "n_isis": int(isis.size),
            "n_in_range": int(counts.sum()),
            "counts": counts.tolist(),
            "edges": edges.tolist(),
            "stats": {k: _scalar(v) for k, v in ex.stats.items()},
            "curves": {},
            "distributions": None,
            "entropy": None,
        }
        for model in CURVE_MODELS:
            if model in ex.errors:
                out["curves"][model] = {"error": str(ex.errors[model])}
                continue
            fit = ex.curves[model]
            out["curves"][model] = {
                "params": {k: float(v) for k, v in fit.params.items()},
                "sse": _finite(fit.sse),
                "r2": _finite(fit.r2),
            }
        fits = ex.distributions
        if fits is None:
            out["distributions"] = {"error": str(ex.errors["distributions"])}
        else:
            out["distributions"] = {
                "best": str(fits.best),
                "rows": [
                    {
                        "model": str(r["model"]),
                        "params": {k: _finite(v) for k, v in dict(r["params"]).items()},
                        **{c: _finite(r[c]) for c in ("loglik", "aic", "bic", "ks_stat",
                                                     "ks_pvalue")},
                    }
                    for _, r in fits.table.iterrows()
                ],
                # expected counts per bin under the best ML fit, to overlay on the histogram
                "expected_counts": np.asarray(ex.expected_counts()).tolist(),
            }
        out["entropy"] = self._entropy(counts, edges, isis)
        return out

    def _entropy(self, counts: np.ndarray, edges: np.ndarray, isis: np.ndarray) -> dict:
        from cortexkit import information

        if counts.sum() == 0:
            return {"error": "no ISIs fall inside the histogram range; widen range_max"}
        est: dict[str, Any] = {}
        for name in ENTROPY_ESTIMATORS:
            try:
                est[name] = _finite(information.entropy_from_counts(counts, estimator=name))
            except CortexkitError as exc:
                est[name] = None
                est[f"{name}_error"] = str(exc)
        centres = 0.5 * (edges[:-1] + edges[1:])
        mean_isi = float(np.sum(centres * counts) / counts.sum())
        refs: dict[str, Any] = {}
        try:
            pmfs = dict(information.reference_pmfs(mean_isi, edges))
            pmfs["max_entropy"] = information.max_entropy_pmf(mean_isi, edges)
            for name, pmf in pmfs.items():
                pmf = np.asarray(pmf, dtype=float)
                refs[name] = {"pmf": pmf.tolist(),
                              "entropy": _finite(information.entropy(pmf, normalize=True))}
        except CortexkitError as exc:
            refs = {"error": str(exc)}
        return {"bits": est, "mean_isi_in_range": mean_isi, "references": refs,
                "pmf": (counts / counts.sum()).tolist()}


def _scalar(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if np.isfinite(v) else None
    if isinstance(v, int | str | bool) or v is None:
        return v
    return str(v)


def _jsonable_id(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    return v if isinstance(v, int | str) else str(v)
