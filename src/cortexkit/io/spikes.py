"""``load_spikes`` / ``save_spikes``: every spike format of the SPEC behind one call.

Formats (``format=``, detected from the path when ``"auto"``):

========== =====================================================================
``npz``    ``.npz``: cortexkit's flat npz, or a Neuromatch ``spike_times`` object array
``npy``    ``.npy``: an object array of per-unit arrays (read without unpickling code)
``alf``    folder with ``spikes.times.npy`` + ``spikes.clusters.npy`` (+ ``clusters.*``)
``phy``    Kilosort/phy folder: ``spike_times.npy`` (samples) + ``spike_clusters.npy``
``epochs`` folder with ``spike_times.npy`` + ``ii_spike_times.npy`` (Allen/SpykeTools)
``nwb``    ``.nwb``: the Units table (needs pynwb)
``csv``    ``.csv`` / ``.tsv`` long table with unit and time columns
``parquet````.parquet`` / ``.pq`` long table
``mat``    ``.mat``: cell arrays of vectors, or nested cells/structs with a time field
========== =====================================================================
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cortexkit._lib.atomic import atomic_path
from cortexkit._lib.validation import invalid
from cortexkit.core import SpikeTrains
from cortexkit.errors import (
    CortexkitError,
    DataFormatError,
    MissingDependencyError,
    ValidationError,
)
from cortexkit.io import _alf, _epochs, _mat, _npz, _phy, _table
from cortexkit.io._common import check_sample_rate
from cortexkit.io._limits import regular_file

__all__ = ["load_spikes", "save_spikes", "FORMATS"]

# mmap applies to the formats that store .npy arrays (ALF, phy); the others read as usual
_COMMON = ("sample_rate", "t_start", "t_stop", "sort", "allow_negative", "mmap")


def _read_nwb(path: Path, opts: dict[str, Any]) -> SpikeTrains:
    from cortexkit.io import _nwb

    return _nwb.read_nwb(path, opts)


def _write_nwb(st: SpikeTrains, tmp: Path) -> None:
    from cortexkit.io import _nwb

    _nwb.write_nwb(st, tmp)


# format -> (reader, its own options, what it reads)
_READERS: dict[str, tuple[Callable[[Path, dict], SpikeTrains], tuple[str, ...], str]] = {
    "npz": (_npz.read_npz, ("key",), "an .npz file"),
    "npy": (_npz.read_npy, (), "an .npy file"),
    "alf": (_alf.read_alf, (), "an ALF folder"),
    "phy": (_phy.read_phy, ("good_only",), "a Kilosort/phy folder"),
    "epochs": (_epochs.read_epochs, ("epoch", "epoch_duration"), "an epoch-indexed folder"),
    "nwb": (_read_nwb, (), "an NWB file"),
    "csv": (_table.read_csv, ("unit_column", "time_column"), "a CSV/TSV table"),
    "parquet": (_table.read_parquet, ("unit_column", "time_column"), "a Parquet table"),
    "mat": (_mat.read_mat, ("variable", "field"), "a MATLAB .mat file"),
}
_ALIASES = {"kilosort": "phy", "neuromatch": "npz", "tsv": "csv", "matlab": "mat",
            "pq": "parquet"}
_SUFFIX = {".npz": "npz", ".npy": "npy", ".nwb": "nwb", ".csv": "csv", ".tsv": "csv",
           ".parquet": "parquet", ".pq": "parquet", ".mat": "mat"}
_WRITERS: dict[str, Callable[[SpikeTrains, Path], None]] = {
    ".npz": _npz.write_npz, ".parquet": _table.write_parquet, ".csv": _table.write_csv,
    ".nwb": _write_nwb,
}
FORMATS = tuple(_READERS)


def load_spikes(path: str | os.PathLike, format: str = "auto", **options: Any) -> SpikeTrains:
    """Read spike trains from a file or folder in any supported format.

    Parameters
    ----------
    path : str or path-like
        File (``.npz .npy .nwb .csv .tsv .parquet .mat``) or folder (ALF, Kilosort/phy,
        epoch-indexed).
    format : str, default "auto"
        One of ``"auto"``, ``"npz"``, ``"npy"``, ``"alf"``, ``"phy"`` (alias
        ``"kilosort"``), ``"epochs"``, ``"nwb"``, ``"csv"``, ``"parquet"``, ``"mat"``.
    **options
        For every format: ``sample_rate`` (Hz; times in the file are samples and are
        divided by it -- required for integer times and for a phy folder without
        ``params.py``), ``t_start`` / ``t_stop`` (s), ``sort`` (default False: a file
        with unsorted times is refused; ``sort=True`` sorts them),
        ``allow_negative``, ``mmap`` (ALF and phy folders: memory-map their ``.npy``
        arrays instead of reading them -- no copy, and the kernel can reclaim the pages
        under memory pressure; the files must not change while loading; other formats
        read as usual).  Per
        format: ``key`` (npz array name), ``good_only``
        (phy: keep clusters labelled "good"), ``epoch`` / ``epoch_duration``
        (epochs), ``unit_column`` / ``time_column`` (tables), ``variable`` /
        ``field`` (MATLAB).

    Returns
    -------
    SpikeTrains

    Raises
    ------
    DataFormatError
        Missing or unreadable path, unknown format, a file whose content does not fit
        (naming the file and the fix), and any pickle that would call code.
    ValidationError
        An unknown or bad option.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.io.load_spikes("../shared/data/real/ibl-slidingrp-3units")  # doctest: +SKIP
    >>> st.n_units, st.n_spikes                                           # doctest: +SKIP
    (3, 47748)
    """
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"{path}: no such file or folder; check the path")
    fmt = _detect(path) if format == "auto" else _ALIASES.get(format, format)
    if fmt not in _READERS:
        raise invalid("format", "'auto' or one of " + ", ".join(_READERS), format)
    reader, own, what = _READERS[fmt]
    unknown = sorted(set(options) - set(_COMMON) - set(own))
    if unknown:
        raise ValidationError(
            f"unknown option(s) {unknown} for {what}; valid: {sorted(_COMMON + own)}"
        )
    opts = dict(options)
    opts["sample_rate"] = check_sample_rate(opts.get("sample_rate"))
    folder = fmt in ("alf", "phy", "epochs")
    if path.is_dir() != folder:
        kind = "a folder" if path.is_dir() else "a file"
        raise DataFormatError(f"{path} is {kind}, but format {fmt!r} reads {what}")
    if not folder and regular_file(path) == 0:
        raise DataFormatError(f"{path}: the file is empty (0 bytes); copy or export it again")
    try:
        return reader(path, opts)
    except (MissingDependencyError, DataFormatError):
        raise
    except ValidationError as exc:
        raise DataFormatError(f"{path}: {exc}") from exc
    except CortexkitError:
        raise
    except MemoryError as exc:
        raise DataFormatError(
            f"{path}: reading it as {what} needs more memory than is available; the file "
            "is damaged or too large for this machine"
        ) from exc
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, OverflowError,
            RecursionError, zlib.error) as exc:
        raise DataFormatError(
            f"{path}: cannot be read as {what} ({type(exc).__name__}: {exc})"
        ) from exc


def _detect(path: Path) -> str:
    if path.is_dir():
        if _alf.is_alf(path):
            return "alf"
        if _epochs.is_epochs(path):
            return "epochs"
        if _phy.is_phy(path):
            return "phy"
        found = sorted(p.name for p in path.iterdir())[:8]
        raise DataFormatError(
            f"{path}: folder is neither ALF (spikes.times.npy + spikes.clusters.npy) nor "
            "Kilosort/phy (spike_times.npy + spike_clusters.npy or spike_templates.npy); "
            f"it holds {found}. Point to a spike file or pass format=..."
        )
    fmt = _SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise DataFormatError(
            f"{path}: unknown file type {path.suffix!r}; supported: "
            f"{sorted(_SUFFIX)} files and ALF / Kilosort-phy folders (or pass format=...)"
        )
    return fmt


def save_spikes(st: SpikeTrains, path: str | os.PathLike) -> Path:
    """Write spike trains to a pickle-free file chosen by suffix, atomically.

    Parameters
    ----------
    st : SpikeTrains
    path : str or path-like
        Ends in ``.npz`` (flat arrays; ``np.load(allow_pickle=False)`` reads it),
        ``.parquet``, ``.csv`` or ``.nwb`` (needs pynwb).  The file is written to a
        temporary name beside it and renamed, so an existing file survives a failure.

    Returns
    -------
    pathlib.Path
        The path written.  :func:`load_spikes` reads it back losslessly (unit ids,
        ``t_start``, ``t_stop`` and ``unit_info``).

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.5], []], t_stop=1.0)
    >>> p = ck.io.save_spikes(st, "/tmp/doctest_spikes.npz")
    >>> ck.io.load_spikes(p) == st
    True
    """
    if not isinstance(st, SpikeTrains):
        raise ValidationError(f"save_spikes needs a SpikeTrains; got {type(st).__name__}")
    path = Path(path)
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValidationError(
            f"cannot tell the format from the suffix of {path}; use one of {sorted(_WRITERS)}"
        )
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name ending in {path.suffix}")
    with atomic_path(path) as tmp:
        writer(st, tmp)
    return path
