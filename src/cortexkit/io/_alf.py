"""ALF folders (Steinmetz 2019, IBL): ``spikes.times.npy`` + ``spikes.clusters.npy``.

Optional ``clusters.<attribute>.npy`` files hold one value per cluster (row = cluster id).
With them every cluster row is a unit, also clusters without spikes, and each 1-D
attribute becomes a :attr:`SpikeTrains.unit_info` column.  Without them the units are
the cluster ids that have spikes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cortexkit._lib.validation import check_choice
from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._common import spike_kwargs, to_seconds
from cortexkit.io._safe_pickle import read_npy_file


def _one(folder: Path, pattern: str) -> Path | None:
    hits = sorted(folder.glob(pattern))
    if len(hits) > 1:
        raise DataFormatError(
            f"{folder}: several files match {pattern}: {[h.name for h in hits]}; keep one "
            "(or load the one you want with SpikeTrains.from_events)"
        )
    return hits[0] if hits else None


def is_alf(folder: Path) -> bool:
    """A folder with ``spikes.times*.npy``."""
    return any(folder.glob("spikes.times*.npy"))


def read_alf(folder: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of an ALF folder (see the module docstring)."""
    times_path = _one(folder, "spikes.times*.npy")
    clusters_path = _one(folder, "spikes.clusters*.npy")
    if times_path is None or clusters_path is None:
        raise DataFormatError(
            f"{folder}: an ALF folder needs spikes.times.npy and spikes.clusters.npy; "
            f"found {sorted(p.name for p in folder.glob('spikes.*'))}"
        )
    mmap = check_choice("mmap", opts.get("mmap", False), (False, True))
    times = to_seconds(read_npy_file(times_path, mmap), opts.get("sample_rate"),
                       str(times_path))
    clusters = read_npy_file(clusters_path, mmap)
    if clusters.ndim == 2 and 1 in clusters.shape:
        clusters = clusters.ravel()
    times = times.ravel() if times.ndim == 2 and 1 in times.shape else times
    if clusters.dtype.kind not in "iu" or clusters.ndim != 1:
        raise DataFormatError(
            f"{clusters_path}: cluster ids must be a 1-D integer array; got dtype "
            f"{clusters.dtype}, shape {clusters.shape}"
        )
    if clusters.dtype.kind == "u" and clusters.size and int(clusters.max()) >= 2**63:
        raise DataFormatError(
            f"{clusters_path}: cluster id {int(clusters.max())} is not below 2**63; the file "
            "is damaged (ALF cluster ids are row numbers of the clusters.* tables)"
        )
    if clusters.shape != times.shape:
        raise DataFormatError(
            f"{folder}: spikes.times has {times.size} entries but spikes.clusters has "
            f"{clusters.size}; the two files must be aligned (one cluster id per spike)"
        )
    info = _cluster_table(folder)
    unit_ids = None
    if info is not None:
        n = len(info)
        if clusters.size and (clusters.min() < 0 or clusters.max() >= n):
            raise DataFormatError(
                f"{folder}: spikes.clusters has id {int(clusters.max())} but the clusters.* "
                f"tables have only {n} rows (ids 0..{n - 1}); the files do not belong together"
            )
        unit_ids = np.arange(n)
    return SpikeTrains.from_events(times, clusters, unit_ids=unit_ids, unit_info=info,
                                   **spike_kwargs(opts))


def _cluster_table(folder: Path):
    """1-D ``clusters.*.npy`` attributes as a DataFrame (None when there are none)."""
    cols: dict[str, np.ndarray] = {}
    for p in sorted(folder.glob("clusters.*.npy")):
        arr = read_npy_file(p)
        if arr.dtype == object:
            continue
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr.ravel()
        if arr.ndim != 1:
            continue  # waveforms, channel lists ...: not a per-unit scalar
        name = p.name[len("clusters."):-len(".npy")].lstrip("_")
        cols[name] = arr
    if not cols:
        return None
    lengths = {k: v.size for k, v in cols.items()}
    if len(set(lengths.values())) != 1:
        raise DataFormatError(
            f"{folder}: clusters.* files have different lengths {lengths}; each must have "
            "one row per cluster"
        )
    import pandas as pd

    return pd.DataFrame(cols)
