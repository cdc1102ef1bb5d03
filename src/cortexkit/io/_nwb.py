"""NWB files: the Units table, through pynwb (imported only when an NWB file is used).

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
from cortexkit.io._common import spike_kwargs

_SKIP = {"spike_times", "spike_times_index", "obs_intervals", "obs_intervals_index",
         "electrodes", "electrodes_index", "waveforms", "waveform_mean", "waveform_sd"}


def read_nwb(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of the Units table of an NWB file."""
    pynwb = optional_import("pynwb")
    optional_import("h5py")
    try:
        io = pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True)
    except Exception as exc:  # h5py/hdmf raise many types for a non-NWB file
        raise DataFormatError(f"{path}: not a readable NWB (HDF5) file ({exc})") from exc
    with io:
        try:
            nwb = io.read()
        except Exception as exc:
            raise DataFormatError(f"{path}: the NWB file cannot be read ({exc})") from exc
        units = nwb.units
        if units is None or "spike_times" not in units.colnames:
            raise DataFormatError(f"{path}: the NWB file has no Units table with spike_times")
        flat = np.asarray(units["spike_times"].target.data[:], dtype=np.float64)
        ends = np.asarray(units["spike_times"].data[:], dtype=np.int64)
        ids = np.asarray(units.id.data[:])
        cols: dict[str, np.ndarray] = {}
        for name in units.colnames:
            if name in _SKIP:
                continue
            col = units[name]
            if hasattr(col, "target"):  # ragged column: not one value per unit
                continue
            values = np.asarray(col.data[:])
            if values.ndim == 1 and values.size == ids.size:
                cols[name] = values
        interval = None
        if "obs_intervals" in units.colnames:
            iv = np.asarray(units["obs_intervals"].target.data[:], dtype=np.float64)
            if iv.size:
                interval = (float(iv[:, 0].min()), float(iv[:, 1].max()))
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    if offsets.size != ids.size + 1 or np.any(np.diff(offsets) < 0) or offsets[-1] != flat.size:
        raise DataFormatError(f"{path}: the spike_times index of the Units table is inconsistent")
    for k, v in cols.items():
        if v.dtype.kind in "SO":
            cols[k] = np.array([x.decode() if isinstance(x, bytes) else x for x in v])
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
