"""Long tables (CSV, Parquet): one row per spike with a unit column and a time column.

cortexkit also writes the recording interval, the full list of unit ids (units without
spikes included) and ``unit_info`` as JSON: in the Parquet schema metadata, and in a
first CSV line ``# cortexkit: {...}``, so that reading back is lossless.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._common import spike_kwargs, to_seconds

FORMAT_TAG = "cortexkit.spikes/1"
_CSV_PREFIX = "# cortexkit: "
_TIME_NAMES = ("time", "times", "spike_time", "spike_times", "t", "timestamp", "timestamps")
_UNIT_NAMES = ("unit", "units", "unit_id", "cluster", "cluster_id", "clusters", "neuron",
               "cell", "id")


def read_csv(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """A CSV (or TSV) long table."""
    import pandas as pd

    with open(path, encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    meta = None
    skip = 0
    if first.startswith(_CSV_PREFIX):
        meta = _parse_meta(first[len(_CSV_PREFIX):], path)
        skip = 1
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    dtype = None
    if meta is not None and meta["unit_ids"] and isinstance(meta["unit_ids"][0], str):
        dtype = {opts.get("unit_column", "unit"): str}
    try:
        df = pd.read_csv(path, sep=sep, skiprows=skip, dtype=dtype)
    except pd.errors.EmptyDataError as exc:
        raise DataFormatError(f"{path}: the file has no columns (empty table)") from exc
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not a readable {sep!r}-separated table ({exc})") from exc
    return _from_frame(df, meta, path, opts)


def read_parquet(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """A Parquet long table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataFormatError(f"{path}: not a readable Parquet file ({exc})") from exc
    raw = (table.schema.metadata or {}).get(b"cortexkit")
    meta = _parse_meta(raw.decode(), path) if raw else None
    return _from_frame(table.to_pandas(), meta, path, opts)


def _parse_meta(text: str, path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: damaged cortexkit metadata ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_TAG:
        raise DataFormatError(f"{path}: unknown cortexkit metadata version; upgrade cortexkit")
    return meta


def _column(df, wanted: str | None, names: tuple[str, ...], what: str, path: Path) -> str:
    if wanted is not None:
        if wanted not in df.columns:
            raise DataFormatError(
                f"{path}: no column {wanted!r} ({what}); columns are {list(df.columns)}"
            )
        return wanted
    lower = {str(c).lower(): c for c in df.columns}
    for n in names:
        if n in lower:
            return lower[n]
    raise DataFormatError(
        f"{path}: no {what} column (looked for {list(names[:4])} ...); columns are "
        f"{list(df.columns)}. Pass {what}_column=<name>"
    )


def _from_frame(df, meta: dict[str, Any] | None, path: Path, opts: dict[str, Any]):
    tcol = _column(df, opts.get("time_column"), _TIME_NAMES, "time", path)
    ucol = _column(df, opts.get("unit_column"), _UNIT_NAMES, "unit", path)
    if len(df) == 0:  # a header without rows: no spikes (a saved empty recording)
        df = df.astype({tcol: np.float64, ucol: np.int64 if meta is None or not meta[
            "unit_ids"] or not isinstance(meta["unit_ids"][0], str) else str})
    units = df[ucol]
    if units.isna().any():
        row = int(np.flatnonzero(units.isna().to_numpy())[0])
        raise DataFormatError(
            f"{path}: column {ucol!r} is empty in data row {row + 1}; every spike needs a unit"
        )
    times = df[tcol].to_numpy()
    if times.dtype == object:
        raise DataFormatError(
            f"{path}: column {tcol!r} holds non-numeric values (e.g. "
            f"{df[tcol].iloc[0]!r}); spike times must be numbers in seconds"
        )
    times = to_seconds(times, opts.get("sample_rate"), f"{path} column {tcol!r}")
    kw = spike_kwargs(opts)
    unit_ids = None
    info = None
    if meta is not None:
        unit_ids = np.asarray(meta["unit_ids"]) if meta["unit_ids"] else None
        kw.setdefault("t_start", meta["t_start"])
        kw.setdefault("t_stop", meta["t_stop"])
        kw.setdefault("allow_negative", True)
        if meta.get("unit_info"):
            import pandas as pd

            info = pd.read_json(io.StringIO(meta["unit_info"]), orient="table")
            info = info.reset_index(drop=True)
    units_arr = units.to_numpy()
    if units_arr.dtype == object or str(units.dtype) == "str":
        units_arr = units_arr.astype(str)
    return SpikeTrains.from_events(times, units_arr, unit_ids=unit_ids, unit_info=info, **kw)


def _meta(st: SpikeTrains) -> str:
    info = st.unit_info
    meta = {
        "format": FORMAT_TAG,
        "t_start": st.t_start,
        "t_stop": st.t_stop,
        "unit_ids": st.unit_ids.tolist(),
        "unit_info": None if info is None else info.to_json(orient="table", index=False),
    }
    return json.dumps(meta, allow_nan=False)


def write_csv(st: SpikeTrains, tmp: Path) -> None:
    """CSV long table (times written with full float precision) + metadata line."""
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(_CSV_PREFIX + _meta(st) + "\n")
        st.to_dataframe().to_csv(fh, index=False, float_format="%.17g")


def write_parquet(st: SpikeTrains, tmp: Path) -> None:
    """Parquet long table with the metadata in the schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(st.to_dataframe(), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"cortexkit": _meta(st).encode()})
    pq.write_table(table, tmp)
