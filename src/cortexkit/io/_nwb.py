"""NWB files: the Units table, through pynwb (imported only when an NWB file is used).

Reading runs in a child process (:mod:`cortexkit.io._child`): HDF5 and pynwb can hang
or crash on a damaged file, and the caller then gets a DataFormatError within the
``timeout`` of :func:`cortexkit.io.read_limits` instead.  The child checks every
column's stated size against ``max_bytes`` before reading it and returns plain arrays.

Reading takes ``spike_times`` and its index as two flat arrays (no per-unit loop);
the other one-value-per-unit columns become ``unit_info``.  ``obs_intervals`` (when
present) give ``t_start`` / ``t_stop``.  Writing stores the recording interval as every
unit's ``obs_intervals`` and non-integer unit ids in a ``unit_name`` column.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from cortexkit._lib.optional import optional_import
from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._child import run as run_child
from cortexkit.io._common import spike_kwargs
from cortexkit.io._limits import current

_SKIP = {"spike_times", "spike_times_index", "obs_intervals", "obs_intervals_index",
         "electrodes", "electrodes_index", "waveforms", "waveform_mean", "waveform_sd"}


def _checked(dataset: Any, name: str, path: Path, max_bytes: int) -> np.ndarray:
    """``dataset[:]`` after checking its stated size against the limit (child side)."""
    shape = tuple(getattr(dataset, "shape", ()) or ())
    dtype = getattr(dataset, "dtype", None)
    itemsize = dtype.itemsize if isinstance(dtype, np.dtype) else 8
    nbytes = int(np.prod(shape, dtype=object)) * max(itemsize, 8) if shape else 8
    if nbytes > max_bytes:
        raise DataFormatError(
            f"{path}: the Units column {name!r} would need {nbytes / 2**30:.3g} GiB, above the "
            f"limit of {max_bytes / 2**30:.3g} GiB; raise it with "
            "`with ck.io.read_limits(max_bytes=...)` if the file is genuine"
        )
    return np.asarray(dataset[:])


def extract(path: Path, max_bytes: int) -> tuple[dict, dict[str, np.ndarray]]:
    """The Units table as plain arrays (runs in the reader child process)."""
    import pynwb

    try:
        io = pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True)
    except Exception as exc:  # h5py/hdmf raise many types for a non-NWB file
        raise DataFormatError(f"{path}: not a readable NWB (HDF5) file ({exc})") from exc
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"columns": []}
    with io:
        try:
            nwb = io.read()
        except Exception as exc:
            raise DataFormatError(f"{path}: the NWB file cannot be read ({exc})") from exc
        units = nwb.units
        if units is None or "spike_times" not in units.colnames:
            raise DataFormatError(f"{path}: the NWB file has no Units table with spike_times")
        arrays["flat"] = _checked(units["spike_times"].target.data, "spike_times", path,
                                  max_bytes)
        arrays["ends"] = _checked(units["spike_times"].data, "spike_times_index", path,
                                  max_bytes)
        ids = _checked(units.id.data, "id", path, max_bytes)
        arrays["ids"] = ids
        for name in units.colnames:
            if name in _SKIP:
                continue
            col = units[name]
            if hasattr(col, "target"):  # ragged column: not one value per unit
                continue
            values = _checked(col.data, name, path, max_bytes)
            if values.ndim != 1 or values.size != ids.size or values.dtype.kind == "V":
                continue
            if values.dtype.kind in "SO":
                values = np.array([x.decode("utf-8", "replace") if isinstance(x, bytes)
                                   else str(x) for x in values], dtype=str)
            arrays[f"col:{name}"] = values
            meta["columns"].append(name)
        if "obs_intervals" in units.colnames:
            iv = _checked(units["obs_intervals"].target.data, "obs_intervals", path, max_bytes)
            arrays["intervals"] = np.asarray(iv, dtype=np.float64)
    return meta, arrays


def read_nwb(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of the Units table of an NWB file (read in a child process)."""
    import importlib.util

    if importlib.util.find_spec("pynwb") is None or importlib.util.find_spec("h5py") is None:
        optional_import("pynwb")
        optional_import("h5py")
    limits = current()
    meta, arrays = run_child("nwb", path, limits.max_bytes, limits.timeout)
    try:
        flat = np.asarray(arrays["flat"], dtype=np.float64).ravel()
        ends = np.asarray(arrays["ends"]).ravel()
        ids = np.asarray(arrays["ids"]).ravel()
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFormatError(f"{path}: the Units table is damaged ({exc})") from exc
    if ends.dtype.kind not in "iu" or (ends.size and (ends.min() < 0 or ends.max() > flat.size)):
        raise DataFormatError(f"{path}: the spike_times index of the Units table is inconsistent")
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    if offsets.size != ids.size + 1 or np.any(np.diff(offsets) < 0) or offsets[-1] != flat.size:
        raise DataFormatError(f"{path}: the spike_times index of the Units table is inconsistent")
    cols = {name: arrays[f"col:{name}"] for name in meta["columns"]}
    interval = None
    iv = arrays.get("intervals")
    if iv is not None and iv.size:
        if iv.ndim != 2 or iv.shape[1] != 2 or not np.isfinite(iv).all():
            raise DataFormatError(f"{path}: obs_intervals of the Units table are damaged")
        interval = (float(iv[:, 0].min()), float(iv[:, 1].max()))
    if "unit_name" in cols:
        ids = cols.pop("unit_name").astype(str)
    info = None
    if cols:
        import pandas as pd

        info = pd.DataFrame(cols)
    kw = spike_kwargs(opts)
    if interval is not None:
        kw.setdefault("t_start", interval[0])
        kw.setdefault("t_stop", interval[1])
        kw.setdefault("allow_negative", True)
    return SpikeTrains(flat, offsets, ids, unit_info=info, **kw)


def write_nwb(st: SpikeTrains, tmp: Path) -> None:
    """A minimal NWB file whose Units table holds ``st``."""
    import datetime
    import uuid

    pynwb = optional_import("pynwb")
    nwb = pynwb.NWBFile(
        session_description="spike trains written by cortexkit",
        identifier=str(uuid.uuid4()),
        session_start_time=datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC),
    )
    integer_ids = np.issubdtype(st.unit_ids.dtype, np.integer)
    info = st.unit_info
    columns: dict[str, np.ndarray] = {}
    if info is not None:
        for c in info.columns:
            v = info[c].to_numpy()
            columns[str(c)] = v.astype(str) if v.dtype == object or v.dtype.kind == "T" else v
    if not integer_ids:
        columns["unit_name"] = st.unit_ids.astype(str)
    for name in columns:
        nwb.add_unit_column(name=name, description=f"{name} (from cortexkit unit_info)")
    interval = [[st.t_start, st.t_stop]]
    for i, tr in enumerate(st.to_list()):
        uid = int(st.unit_ids[i]) if integer_ids else i
        extra = {k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in columns.items()}
        nwb.add_unit(spike_times=tr, obs_intervals=interval, id=uid, **extra)
    with warnings.catch_warnings():  # the temporary name does not end in .nwb
        warnings.filterwarnings("ignore", message=".*does not end in '.nwb'")
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwb)
