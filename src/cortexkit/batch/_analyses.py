"""The per-recording analyses of the batch: :data:`ANALYSES` and :func:`analyze_recording`."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cortexkit.errors import ValidationError

__all__ = ["Analysis", "ANALYSES", "DEFAULT_ANALYSES", "analyze_recording", "resolve"]

#: Column types an analysis may declare (Parquet/Arrow types of the dataset).
TYPES = ("float64", "int64", "string", "bool")


@dataclass(frozen=True)
class Analysis:
    """One per-recording analysis of :func:`cortexkit.batch.run`: a library workflow.

    Parameters
    ----------
    name : str
        Its name in :data:`ANALYSES` and in ``run(analyses=...)``.
    function : str or callable
        ``function(st, **params)`` returns a DataFrame with one row per unit, a ``unit``
        column and the ``columns``.  A ``"module:attribute"`` string is imported when the
        analysis first runs (on the worker), so the registry costs nothing to import.
    columns : mapping
        Output column -> type (``"float64"``, ``"int64"``, ``"string"`` or ``"bool"``): the
        columns taken into the batch table, in order.
    params : mapping
        Keyword arguments of ``function`` (recorded in the dataset's manifest; a change
        makes a rerun recompute every recording).
    description : str
        One line for ``--help`` and the docs.

    Examples
    --------
    Adding an analysis is adding an entry:

    >>> import cortexkit as ck
    >>> ck.batch.ANALYSES["lv"] = ck.batch.Analysis(
    ...     "lv", "cortexkit.isi:stats", {"lv": "float64"}, description="local variation")
    >>> del ck.batch.ANALYSES["lv"]
    """

    name: str
    function: str | Callable[..., pd.DataFrame]
    columns: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValidationError(f"Analysis name must be an identifier, got {self.name!r}")
        if not (callable(self.function) or (isinstance(self.function, str)
                                            and ":" in self.function)):
            raise ValidationError(f"Analysis {self.name!r}: function must be a callable or "
                                  f"a 'module:attribute' string, got {self.function!r}")
        bad = {c: t for c, t in dict(self.columns).items() if t not in TYPES}
        if not self.columns or bad or "unit" in self.columns:
            raise ValidationError(f"Analysis {self.name!r}: columns must map names other than "
                                  f"'unit' to one of {TYPES}; got {dict(self.columns)!r}")
        object.__setattr__(self, "columns", dict(self.columns))
        object.__setattr__(self, "params", dict(self.params))

    def resolve_function(self) -> Callable[..., pd.DataFrame]:
        """The callable (imports a ``"module:attribute"`` string)."""
        if callable(self.function):
            return self.function
        module, _, attr = self.function.partition(":")
        return getattr(importlib.import_module(module), attr)

    def describe(self) -> dict[str, Any]:
        """JSON-friendly description (the manifest's record of this analysis)."""
        fn = self.function if isinstance(self.function, str) else (
            f"{getattr(self.function, '__module__', '?')}:"
            f"{getattr(self.function, '__qualname__', repr(self.function))}")
        return {"name": self.name, "function": fn, "params": _jsonable(dict(self.params)),
                "columns": dict(self.columns)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


_STATS = {"n_spikes": "int64", "rate_hz": "float64", "mean_isi": "float64",
          "median_isi": "float64", "cv": "float64", "lv": "float64", "cv2": "float64",
          "refractory_count": "int64", "refractory_fraction": "float64"}
_FIT_PARAMS = ("exponential_rate", "exponential_refractory_rate",
               "exponential_refractory_dead_time", "gamma_shape", "gamma_scale",
               "inverse_gaussian_mean", "inverse_gaussian_shape", "lognormal_mu",
               "lognormal_sigma")
_QUALITY = {"n_spikes": "int64", "rate_hz": "float64", "isi_violations_count": "int64",
            "isi_violations_ratio": "float64", "isi_violations_contamination": "float64",
            "rp_violations": "int64", "rp_contamination": "float64",
            "presence_ratio": "float64", "firing_range": "float64",
            "slidingrp_max_confidence": "float64", "slidingrp_min_contamination": "float64",
            "slidingrp_rp_at_min": "float64", "slidingrp_n_below_2ms": "int64",
            "slidingrp_pass": "bool"}

#: The analyses :func:`cortexkit.batch.run` can run, by name.  Add an :class:`Analysis`
#: to make another one available (on a cluster its function must be importable on the
#: workers, or defined in the script, which Dask ships by value).
ANALYSES: dict[str, Analysis] = {a.name: a for a in (
    Analysis("isi_stats", "cortexkit.isi:stats", _STATS,
             description="ck.isi.stats: spike count, rate, ISI mean/median, CV, LV, CV2, "
                         "refractory violations"),
    Analysis("isi_fits", "cortexkit.isi:fit_all",
             {"best_model": "string", **dict.fromkeys(_FIT_PARAMS, "float64")},
             {"criterion": "aic", "min_isi": 10, "ks": False},
             description="ck.isi.fit_all: the best ISI model by AIC and every model's "
                         "fitted parameters"),
    Analysis("entropy", "cortexkit.information:isi_entropy", {"entropy": "float64"},
             {"bins": 50, "range": (0.0, 0.25), "estimator": "plugin", "base": 2},
             description="ck.information.isi_entropy: entropy (bits) of the binned ISI "
                         "distribution"),
    Analysis("quality", "cortexkit.quality:metrics", _QUALITY,
             description="ck.quality.metrics: ISI violations, contamination, presence "
                         "ratio, firing range and the IBL sliding refractory-period test"),
)}

#: The analyses of a run that names none.
DEFAULT_ANALYSES = ("isi_stats", "isi_fits", "entropy")


def resolve(analyses: Any) -> tuple[Analysis, ...]:
    """The :class:`Analysis` objects for names (or Analysis objects); None: the default."""
    if analyses is None:
        analyses = DEFAULT_ANALYSES
    if isinstance(analyses, str | Analysis):
        analyses = [analyses]
    if not isinstance(analyses, Iterable):
        raise ValidationError(f"analyses must be a list of names from {sorted(ANALYSES)}, "
                              f"got {type(analyses).__name__}")
    out: list[Analysis] = []
    for item in analyses:
        if isinstance(item, str) and item in ANALYSES:
            item = ANALYSES[item]
        if not isinstance(item, Analysis):
            raise ValidationError(f"analyses: unknown analysis {item!r}; choose from "
                                  f"{', '.join(sorted(ANALYSES))}")
        if item.name in {a.name for a in out}:
            continue
        out.append(item)
    if not out:
        raise ValidationError(f"analyses is empty; choose from {', '.join(sorted(ANALYSES))}")
    return tuple(out)


def columns_of(analyses: tuple[Analysis, ...]) -> dict[str, str]:
    """Output columns and types; a column an earlier analysis gives is not repeated."""
    cols: dict[str, str] = {}
    for a in analyses:
        for c, t in a.columns.items():
            cols.setdefault(c, t)
    return cols


def analyses_key(analyses: tuple[Analysis, ...]) -> str:
    """Digest of the analyses, parameters and columns: equal keys, comparable results."""
    text = json.dumps([a.describe() for a in analyses], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def compute(st: Any, analyses: tuple[Analysis, ...]) -> pd.DataFrame:
    """The analyses of one recording joined on ``unit`` (one row per unit, unit order)."""
    units = np.asarray(st.unit_ids)
    data: dict[str, Any] = {"unit": units}
    for a in analyses:
        result = a.resolve_function()(st, **a.params)
        if not isinstance(result, pd.DataFrame) or "unit" not in result.columns:
            raise ValidationError(f"analysis {a.name!r} must return a DataFrame with a "
                                  f"'unit' column; got {type(result).__name__}")
        missing = [c for c in a.columns if c not in result.columns]
        if missing:
            raise ValidationError(f"analysis {a.name!r} did not return the columns {missing}")
        wanted = [c for c in a.columns if c not in data]
        if not wanted:
            continue
        result_units = result["unit"].to_numpy()
        if len(result_units) == len(units) and np.array_equal(result_units, units):
            part = result  # already one row per unit in the recording's order
        else:
            part = result.set_index("unit").reindex(pd.Index(units, name="unit"))
        for c in wanted:
            data[c] = part[c].to_numpy()
    # one DataFrame at the end: inserting ~30 columns one by one cost ~10 ms a recording
    return pd.DataFrame(data)


def analyze_recording(path: str | os.PathLike, analyses: Any = None) -> pd.DataFrame:
    """The per-recording job of the batch, without its error handling.

    Loads the recording with :func:`cortexkit.io.load_spikes` and runs the analyses
    (default ``("isi_stats", "isi_fits", "entropy")``, see :data:`ANALYSES`) with their
    registered parameters.

    Parameters
    ----------
    path : str or path-like
        A spike file or folder that :func:`cortexkit.io.load_spikes` reads.
    analyses : sequence of str or Analysis, optional
        Names from :data:`ANALYSES` (or :class:`Analysis` objects).

    Returns
    -------
    pandas.DataFrame
        ``unit`` and the analyses' columns, one row per unit in the recording's unit order.

    Raises
    ------
    CortexkitError
        When the file cannot be read, holds no units, or an analysis refuses it.

    Examples
    --------
    >>> import cortexkit as ck
    >>> table = ck.batch.analyze_recording("session_folder/")      # doctest: +SKIP
    """
    from cortexkit import io

    chosen = resolve(analyses)
    st = io.load_spikes(path)
    if st.n_units == 0:
        raise ValidationError(f"recording {os.fspath(path)!r} holds no units; "
                              "there is nothing to analyse")
    return compute(st, chosen)
