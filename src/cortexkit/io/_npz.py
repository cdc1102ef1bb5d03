"""NumPy files: Neuromatch/Steinmetz object arrays (read safely) and cortexkit's flat npz.

cortexkit writes ``.npz`` files of plain arrays only (``times``, ``offsets``, ``unit_ids``,
``t_start``, ``t_stop``, ``unit_info/<column>``), readable with ``allow_pickle=False``.
Reading also accepts the classic layout: an object array of per-unit spike-time arrays
(key ``spike_times`` in an npz, or a whole ``.npy``), unpickled by the restricted reader
of :mod:`cortexkit.io._safe_pickle`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io import _safe_pickle
from cortexkit.io._common import spike_kwargs, to_seconds

FORMAT_TAG = "cortexkit.spikes/1"
_INFO = "unit_info/"
_MISSING = "unit_info_missing/"  # bool mask of missing values of a text column


def read_npz(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """An ``.npz``: cortexkit's own flat layout, or a Neuromatch ``spike_times`` array."""
    arrays = _safe_pickle.read_npz(path)
    if "cortexkit_format" in arrays:
        return _read_own(arrays, path, opts)
    if not arrays:
        raise DataFormatError(f"{path}: the npz archive holds no arrays")
    key = opts.get("key")
    if key is None:
        if "spike_times" in arrays:
            key = "spike_times"
        elif len(arrays) == 1:
            key = next(iter(arrays))
        else:
            raise DataFormatError(
                f"{path}: no 'spike_times' array; the archive holds {sorted(arrays)}. "
                "Pass key=<name> to choose the array of per-unit spike times"
            )
    if key not in arrays:
        raise DataFormatError(f"{path}: no array {key!r}; the archive holds {sorted(arrays)}")
    return from_array(arrays[key], f"{path}[{key}]", opts)


def read_npy(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """A ``.npy`` holding an object array of per-unit arrays (or a numeric array)."""
    if path.name.startswith(("spikes.", "spike_", "clusters.", "ii_spike")):
        raise DataFormatError(
            f"{path}: this is one file of an ALF or Kilosort/phy folder, without the unit of "
            f"each spike; load the folder instead: load_spikes({str(path.parent)!r})"
        )
    return from_array(_safe_pickle.read_npy_file(path), str(path), opts)


def from_array(arr: np.ndarray, source: str, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains from a per-unit object array, a 1-D numeric array (one unit) or a
    2-D numeric array (one row per unit, padded at the end with NaN)."""
    rate = opts.get("sample_rate")
    if arr.dtype == object:
        if arr.ndim != 1:
            raise DataFormatError(
                f"{source}: the object array has shape {arr.shape}; expected one entry per "
                "unit (1-D). For units x trials grids select one trial first"
            )
        trains = [np.ravel(np.asarray(a)) for a in arr]
        trains = [to_seconds(a, rate, f"{source} unit {i}") for i, a in enumerate(trains)]
    elif arr.dtype.kind in "iuf" and arr.ndim == 1:
        trains = [to_seconds(arr, rate, source)]
    elif arr.dtype.kind == "f" and arr.ndim == 2:
        trains = [_unpad(row, source, i) for i, row in enumerate(to_seconds(arr, rate, source))]
    else:
        raise DataFormatError(
            f"{source}: expected per-unit spike times (an object array of arrays, or a "
            f"numeric array); got dtype {arr.dtype} with shape {arr.shape}"
        )
    return SpikeTrains.from_list(trains, **spike_kwargs(opts))


def _unpad(row: np.ndarray, source: str, i: int) -> np.ndarray:
    nan = np.isnan(row)
    n = row.size - int(np.argmin(nan[::-1])) if not nan.all() else 0
    if nan[:n].any():
        raise DataFormatError(
            f"{source}: row {i} has NaN between spike times; only trailing NaN padding is "
            "allowed in a units x spikes matrix"
        )
    return row[:n]


def _read_own(arrays: dict[str, np.ndarray], path: Path, opts: dict[str, Any]) -> SpikeTrains:
    tag = str(arrays["cortexkit_format"])
    if tag != FORMAT_TAG:
        raise DataFormatError(f"{path}: written by a newer cortexkit ({tag}); upgrade cortexkit")
    missing = {"times", "offsets", "unit_ids", "t_start", "t_stop"} - set(arrays)
    if missing:
        raise DataFormatError(f"{path}: cortexkit npz lacks {sorted(missing)}; file is damaged")
    info = None
    cols = [k for k in arrays if k.startswith(_INFO)]
    if cols:
        import pandas as pd

        info = pd.DataFrame({k[len(_INFO):]: arrays[k] for k in cols})
        for k in arrays:
            if k.startswith(_MISSING) and k[len(_MISSING):] in info.columns:
                col = k[len(_MISSING):]
                info[col] = info[col].astype(object).mask(arrays[k].astype(bool)).astype("str")
    kw = spike_kwargs(opts)
    kw.setdefault("t_start", float(arrays["t_start"]))
    kw.setdefault("t_stop", float(arrays["t_stop"]))
    kw.setdefault("allow_negative", True)
    return SpikeTrains(arrays["times"], arrays["offsets"], arrays["unit_ids"],
                       unit_info=info, **kw)


def write_npz(st: SpikeTrains, tmp: Path) -> None:
    """Flat arrays only (no object arrays): loadable with ``allow_pickle=False``."""
    arrays: dict[str, np.ndarray] = {
        "cortexkit_format": np.array(FORMAT_TAG),
        "times": st.times,
        "offsets": st.offsets,
        "unit_ids": _plain(st.unit_ids),
        "t_start": np.array(st.t_start),
        "t_stop": np.array(st.t_stop),
    }
    info = st.unit_info
    if info is not None:
        for col in info.columns:
            values = info[col].to_numpy()
            arrays[f"{_INFO}{col}"] = _plain(values)
            if values.dtype.hasobject or values.dtype.kind == "T":
                missing = info[col].isna().to_numpy()
                if missing.any():
                    arrays[f"{_MISSING}{col}"] = missing
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]  # numpy stub: allow_pickle


def _plain(values: np.ndarray) -> np.ndarray:
    """A pickle-free array: object columns become fixed-width strings."""
    values = np.asarray(values)
    if values.dtype.hasobject or values.dtype.kind == "T":
        return values.astype(str)
    return values
