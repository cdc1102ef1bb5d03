"""MATLAB ``.mat`` files (v5/v7, via :func:`scipy.io.loadmat`; nothing is executed).

A variable holding a cell array of per-unit spike-time vectors, or nested cells /
structs whose leaves are structs with the times in a named field (e.g. MatClust's
``spikes{day}{epoch}{tetrode}{cluster}.time``).  The walk follows MATLAB's linear
(column-major) order, skips empty cells and empty time vectors, and records where each
unit came from in ``unit_info["source"]`` (MATLAB 1-based indices, e.g.
``spikes{1}{1}{3}{2}.time``).  When every leaf struct has a two-element ``timerange``
field (MatClust) that covers all spikes, it gives ``t_start`` / ``t_stop``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._common import spike_kwargs, to_seconds

DEFAULT_FIELDS = ("time", "times", "spike_times", "spiketimes", "ts")
_MAX_DEPTH = 32


def read_mat(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of a MATLAB file (see the module docstring)."""
    import scipy.io

    try:
        data = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=True,
                                mat_dtype=False, chars_as_strings=True)
    except NotImplementedError as exc:  # v7.3 (HDF5)
        raise DataFormatError(
            f"{path}: MATLAB v7.3 (HDF5) files are not supported; re-save it in MATLAB with "
            "save(..., '-v7')"
        ) from exc
    except (ValueError, TypeError, OSError, EOFError, scipy.io.matlab.MatReadError) as exc:
        raise DataFormatError(f"{path}: not a readable MATLAB .mat file ({exc})") from exc
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
    _walk(data[variable], variable, field, trains, sources, ranges, path, 0)
    if not trains:
        raise DataFormatError(
            f"{path}: variable {variable!r} holds no spike-time vectors (looked for cells of "
            f"vectors or struct fields {list(DEFAULT_FIELDS) if field is None else [field]}); "
            "pass field=<name> for another struct field"
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
          ranges: list, path: Path, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise DataFormatError(f"{path}: nesting deeper than {_MAX_DEPTH} levels at {where}")
    if not isinstance(node, np.ndarray) or node.size == 0:
        return
    if node.dtype == object:  # cell array
        for k, item in enumerate(node.ravel(order="F")):
            _walk(item, f"{where}{{{k + 1}}}", field, trains, sources, ranges, path, depth + 1)
        return
    if node.dtype.names:  # struct (array)
        names = node.dtype.names
        leaf = field if field is not None and field in names else None
        if field is None:
            leaf = next((n for n in DEFAULT_FIELDS if n in names), None)
        for k, rec in enumerate(node.ravel(order="F")):
            here = where if node.size == 1 else f"{where}({k + 1})"
            if leaf is not None:
                vec = np.asarray(rec[leaf])
                if vec.size == 0:
                    continue
                if vec.dtype.kind not in "iuf":
                    raise DataFormatError(
                        f"{path}: {here}.{leaf} is not numeric (dtype {vec.dtype})"
                    )
                trains.append(vec.ravel(order="F"))
                sources.append(f"{here}.{leaf}")
                if "timerange" in names and np.asarray(rec["timerange"]).size == 2:
                    ranges.append(np.asarray(rec["timerange"], dtype=float).ravel())
            else:
                for n in names:
                    _walk(rec[n], f"{here}.{n}", field, trains, sources, ranges, path,
                          depth + 1)
        return
    if node.dtype.kind in "iuf":
        if node.ndim == 2 and 1 not in node.shape:
            if depth == 0:
                raise DataFormatError(
                    f"{path}: {where} is a {node.shape[0]}x{node.shape[1]} matrix, not a cell "
                    "array of per-unit vectors"
                )
            raise DataFormatError(f"{path}: {where} is a matrix, expected a vector of times")
        trains.append(node.ravel(order="F"))
        sources.append(where)
