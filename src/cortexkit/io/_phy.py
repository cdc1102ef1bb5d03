"""Kilosort / phy folders: ``spike_times.npy`` (samples) + ``spike_clusters.npy``.

``spike_templates.npy`` stands in when there is no ``spike_clusters.npy`` (uncurated
Kilosort output).  The sampling rate comes from ``params.py``, which is *parsed* with
:mod:`ast` (only literal assignments are read; nothing in it is executed or imported),
or from the ``sample_rate=`` option.  Quality labels come from ``cluster_group.tsv``
(phy curation), else ``cluster_KSLabel.tsv`` / ``cluster_info.tsv``.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np

from cortexkit._lib.validation import check_choice
from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError
from cortexkit.io._common import check_file_rate, spike_kwargs
from cortexkit.io._limits import regular_file
from cortexkit.io._safe_pickle import read_npy_file


def is_phy(folder: Path) -> bool:
    """A folder with ``spike_times.npy`` and ``spike_clusters.npy`` or ``spike_templates.npy``."""
    return (folder / "spike_times.npy").is_file() and (
        (folder / "spike_clusters.npy").is_file() or (folder / "spike_templates.npy").is_file())


_PARAMS_MAX = 1 << 20  # bytes: a phy params.py holds a few short lines


def parse_params(path: Path) -> dict[str, Any]:
    """Literal assignments of a phy ``params.py`` (``name = <literal>``), never executed.

    Statements that are not literal assignments (imports, calls, expressions) are
    ignored, so code in the file cannot run.  A file over 1 MiB, or one too deeply nested
    to parse, is refused with DataFormatError.
    """
    size = regular_file(path)
    if size > _PARAMS_MAX:
        raise DataFormatError(
            f"{path}: {size} bytes, but a phy params.py holds a few short assignments; "
            "replace it with the one Kilosort wrote, or remove it and pass sample_rate=<Hz>"
        )
    with open(path, "rb") as fh:
        text = fh.read(_PARAMS_MAX).decode("utf-8", errors="replace")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise DataFormatError(
            f"{path}: not valid Python syntax ({exc.msg}, line {exc.lineno}); fix the file or "
            "remove it and pass sample_rate=<Hz>"
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, deep nesting
        raise DataFormatError(
            f"{path}: cannot be parsed ({type(exc).__name__}: {exc}); fix the file or remove "
            "it and pass sample_rate=<Hz>"
        ) from exc
    params: dict[str, Any] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            try:
                params[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue  # not a literal: skipped, never evaluated
    return params


def read_phy(folder: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of a Kilosort/phy folder (see the module docstring)."""
    rate = opts.get("sample_rate")
    params_path = folder / "params.py"
    if rate is None:
        if not params_path.is_file():
            raise DataFormatError(
                f"{folder}: no params.py, so the sampling rate of spike_times.npy (in samples) "
                "is unknown; pass sample_rate=<Hz> (e.g. sample_rate=30000 for Neuropixels)",
                param="sample_rate",
            )
        rate = parse_params(params_path).get("sample_rate")
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise DataFormatError(
                f"{params_path}: no numeric 'sample_rate = ...' assignment (got {rate!r}); "
                "add it or pass sample_rate=<Hz>"
            )
        rate = check_file_rate(rate, str(params_path))
    mmap = check_choice("mmap", opts.get("mmap", False), (False, True))
    samples = read_npy_file(folder / "spike_times.npy", mmap)
    label_file = "spike_clusters.npy"
    if not (folder / label_file).is_file():
        label_file = "spike_templates.npy"
    clusters = read_npy_file(folder / label_file, mmap)
    samples = samples.ravel() if samples.ndim == 2 and 1 in samples.shape else samples
    clusters = clusters.ravel() if clusters.ndim == 2 and 1 in clusters.shape else clusters
    if samples.ndim != 1 or samples.dtype.kind not in "iuf":
        raise DataFormatError(
            f"{folder / 'spike_times.npy'}: expected a column of sample indices; got dtype "
            f"{samples.dtype}, shape {samples.shape}"
        )
    if clusters.ndim != 1 or clusters.dtype.kind not in "iu":
        raise DataFormatError(
            f"{folder / label_file}: expected one integer cluster id per spike; got dtype "
            f"{clusters.dtype}, shape {clusters.shape}"
        )
    if clusters.dtype.kind == "u" and clusters.size and int(clusters.max()) >= 2**63:
        raise DataFormatError(
            f"{folder / label_file}: cluster id {int(clusters.max())} is not below 2**63; "
            "the file is damaged (Kilosort writes small non-negative ids)"
        )
    if clusters.size != samples.size:
        raise DataFormatError(
            f"{folder}: spike_times.npy has {samples.size} spikes but {label_file} has "
            f"{clusters.size}; the files must be aligned"
        )
    labels = _labels(folder)
    ids = np.unique(clusters) if clusters.size else np.empty(0, dtype=np.int64)
    if opts.get("good_only", False):
        if labels is None:
            raise DataFormatError(
                f"{folder}: good_only=True needs quality labels (cluster_group.tsv or "
                "cluster_KSLabel.tsv), and there are none"
            )
        good = labels.index[labels["quality"] == "good"].to_numpy()
        ids = ids[np.isin(ids, good)]
        keep = np.isin(clusters, ids)
        samples, clusters = samples[keep], clusters[keep]
    info = None
    if labels is not None:
        info = labels.reindex(ids).reset_index(names="cluster_id")
    times = samples / float(rate)
    return SpikeTrains.from_events(times, clusters, unit_ids=ids, unit_info=info,
                                   **spike_kwargs(opts))


def _labels(folder: Path):
    """Per-cluster tables indexed by cluster id, with a ``quality`` column (or None).

    ``cluster_group.tsv`` (phy curation), ``cluster_KSLabel.tsv`` and ``cluster_info.tsv``
    are joined; ``quality`` is the curated ``group`` where set, else Kilosort's label.
    """
    import pandas as pd

    merged = None
    for name in ("cluster_group.tsv", "cluster_KSLabel.tsv", "cluster_info.tsv"):
        path = folder / name
        if not path.is_file():
            continue
        regular_file(path)
        try:
            table = pd.read_csv(path, sep="\t")
        except (ValueError, OSError, pd.errors.ParserError) as exc:
            raise DataFormatError(f"{path}: cannot read the tab-separated table ({exc})") from exc
        id_col = "cluster_id" if "cluster_id" in table.columns else "id"
        if id_col not in table.columns:
            raise DataFormatError(
                f"{path}: no 'cluster_id' column; columns are {list(table.columns)}"
            )
        table = table.drop_duplicates(id_col).set_index(id_col)
        table.index.name = None
        if merged is None:
            merged = table
        else:
            merged = merged.join(table[[c for c in table.columns if c not in merged.columns]],
                                 how="outer")
    if merged is None:
        return None
    quality = None
    for col in ("group", "KSLabel"):
        if col in merged.columns:
            quality = merged[col] if quality is None else quality.fillna(merged[col])
    if quality is None:
        return None
    merged = merged.drop(columns=[c for c in ("group",) if c in merged.columns])
    merged.insert(0, "quality", quality)
    return merged
