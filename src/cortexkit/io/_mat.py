"""MATLAB ``.mat`` files (v5/v7, read by :mod:`cortexkit.io._matv5`; nothing is executed).

A variable holding a cell array of per-unit spike-time vectors, or nested cells /
structs whose leaves are structs with the times in a named field (e.g. MatClust's
``spikes{day}{epoch}{tetrode}{cluster}.time``).  The walk follows MATLAB's linear
(column-major) order, skips empty cells and empty time vectors, and records where each
unit came from in ``unit_info["source"]`` (MATLAB 1-based indices, e.g.
``spikes{1}{1}{3}{2}.time``).  When every leaf struct has a two-element ``timerange``
field (MatClust) that covers all spikes, it gives ``t_start`` / ``t_stop``.

Refused with a message (never skipped or merged): a matrix or 3-D array where a vector
of times is expected, and complex, sparse, char or logical values in a cell or a time
field.  Numeric struct fields other than the time field (``depth_um``, ``meanrate``)
are never read as times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._common import spike_kwargs, to_seconds
from cortexkit.io._matv5 import Cell, Other, Struct, read_mat_file

DEFAULT_FIELDS = ("time", "times", "spike_times", "spiketimes", "ts")
_MAX_DEPTH = 32


def read_mat(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of a MATLAB file (see the module docstring)."""
    data = read_mat_file(path)
    names = [k for k in data if not k.startswith("__")]
    variable = opts.get("variable")
    if variable is None:
        if len(names) != 1:
            raise DataFormatError(
                f"{path}: holds {len(names)} variables {names}; pass variable=<name> to pick "
                "the one with the spike times"
            )
        variable = names[0]
    elif variable not in data:
        raise DataFormatError(f"{path}: no variable {variable!r}; it holds {names}")
    field = opts.get("field")
    rate = opts.get("sample_rate")
    trains: list[np.ndarray] = []
    sources: list[str] = []
    ranges: list[np.ndarray] = []
    seen: set[str] = set()
    _walk(data[variable], variable, field, trains, sources, ranges, path, 0, seen)
    if not trains:
        found = f"; its structs have the fields {sorted(seen)}" if seen else ""
        raise DataFormatError(
            f"{path}: variable {variable!r} holds no spike-time vectors (looked for cells of "
            f"vectors or struct fields {list(DEFAULT_FIELDS) if field is None else [field]})"
            f"{found}; pass field=<name> to name the struct field with the times"
        )
    trains = [to_seconds(t, rate, f"{path} {s}") for t, s in zip(trains, sources, strict=True)]
    import pandas as pd

    kw = spike_kwargs(opts)
    if ranges and len(ranges) == len(trains) and "t_start" not in kw and "t_stop" not in kw:
        lo = min(float(r[0]) for r in ranges)
        hi = max(float(r[1]) for r in ranges)
        tmin = min((float(t.min()) for t in trains if t.size), default=lo)
        tmax = max((float(t.max()) for t in trains if t.size), default=hi)
        if lo <= tmin and tmax <= hi:  # a usable session range (MatClust's timerange)
            kw["t_start"], kw["t_stop"] = lo, hi
    return SpikeTrains.from_list(trains, unit_info=pd.DataFrame({"source": sources}), **kw)


def _walk(node: Any, where: str, field: str | None, trains: list, sources: list,
          ranges: list, path: Path, depth: int, structs: set | None = None) -> None:
    if depth > _MAX_DEPTH:
        raise DataFormatError(f"{path}: nesting deeper than {_MAX_DEPTH} levels at {where}")
    if isinstance(node, Cell):
        for k, item in enumerate(node.items):
            _walk(item, f"{where}{{{k + 1}}}", field, trains, sources, ranges, path, depth + 1,
                  structs)
        return
    if isinstance(node, Struct):
        names = node.names
        wanted = (field,) if field is not None else DEFAULT_FIELDS
        leaf = next((n for n in wanted if n in names), None)
        if structs is not None:
            structs.update(names)
        for k, rec in enumerate(node.records):
            here = where if len(node.records) == 1 else f"{where}({k + 1})"
            if leaf is not None:
                _leaf(rec[leaf], f"{here}.{leaf}", trains, sources, path)
                tr = rec.get("timerange")
                if isinstance(tr, np.ndarray) and tr.size == 2 and trains and \
                        sources[-1] == f"{here}.{leaf}":
                    ranges.append(np.asarray(tr, dtype=float).ravel())
            else:  # only nested cells/structs can hold units; numeric fields are not times
                for n in names:
                    if isinstance(rec[n], Cell | Struct):
                        _walk(rec[n], f"{here}.{n}", field, trains, sources, ranges, path,
                              depth + 1, structs)
        return
    _leaf(node, where, trains, sources, path)


def _leaf(node: Any, where: str, trains: list, sources: list, path: Path) -> None:
    """One unit's times (skipping empty values); refuse what cannot be a vector of times."""
    if isinstance(node, Other):
        if node.size == 0:
            return
        raise DataFormatError(
            f"{path}: {where} is a {node.kind}, not a vector of spike times; convert it to a "
            "real numeric vector (or remove it) and save again"
        )
    if isinstance(node, Cell | Struct):
        raise DataFormatError(f"{path}: {where} is a cell/struct, expected a vector of times")
    if node.size == 0:
        return
    if sum(d > 1 for d in node.shape) > 1:
        kind = "matrix" if node.ndim == 2 else f"{node.ndim}-D array"
        raise DataFormatError(
            f"{path}: {where} is a {'x'.join(map(str, node.shape))} {kind}, not a vector of "
            "spike times; store one vector per unit (a cell array of vectors)"
        )
    trains.append(node.ravel(order="F"))
    sources.append(where)
