"""Batch analysis of many recordings on a Dask cluster: ``ck.batch.run``.

Each recording is one Dask task (load, ISI statistics, best ISI model per unit, ISI
entropy); the results form one tidy per-unit Parquet table with the columns of
:data:`COLUMNS`.  A recording that cannot be analysed becomes a single row whose ``error``
holds the message, and the others complete.  The output is rewritten atomically at
checkpoints and at the end, so an interrupted run keeps the finished recordings and a rerun
with the same ``out`` only computes what is missing.

Dask (``distributed``) is imported only when :func:`run` is called.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cortexkit.errors import CortexkitError, ValidationError

__all__ = ["run", "analyze_recording", "BatchSummary", "COLUMNS", "STATS_COLUMNS"]

#: The columns of :func:`cortexkit.isi.stats`, in the batch table.
STATS_COLUMNS = ("n_spikes", "rate_hz", "mean_isi", "median_isi", "cv", "lv", "cv2",
                 "refractory_count", "refractory_fraction")
#: The columns of the batch table, in order.
COLUMNS = ("recording", "unit", *STATS_COLUMNS, "best_model", "entropy", "error")
_INT_COLUMNS = ("n_spikes", "refractory_count")
_STR_COLUMNS = ("recording", "best_model", "error")
_PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class BatchSummary:
    """What one :func:`run` did.

    Attributes
    ----------
    out : Path
        The Parquet table written.
    n_inputs : int
        Distinct recordings given.
    done, failed : int
        Recordings analysed in this run without / with an error.
    skipped : int
        Recordings already finished in ``out`` and not recomputed.
    seconds : float
        Wall-clock time of the run (including cluster start-up).
    n_rows : int
        Rows in the output table (all recordings it holds, also earlier ones).
    errors : dict
        ``{recording: message}`` for the recordings that failed in this run.
    """

    out: Path
    n_inputs: int
    done: int
    failed: int
    skipped: int
    seconds: float
    n_rows: int
    errors: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-friendly types."""
        d = asdict(self)
        d["out"] = str(self.out)
        return d


def analyze_recording(path: str | os.PathLike) -> pd.DataFrame:
    """The per-recording job of the batch: one row per unit, without the error handling.

    Loads the recording with :func:`cortexkit.io.load_spikes` and joins
    :func:`cortexkit.isi.stats`, the best model of :func:`cortexkit.isi.fit_all` and
    :func:`cortexkit.information.isi_entropy` (all with their default settings).

    Parameters
    ----------
    path : str or path-like
        A spike file or folder that :func:`cortexkit.io.load_spikes` reads.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit``, the ``ck.isi.stats`` columns, ``best_model`` and ``entropy``.

    Raises
    ------
    CortexkitError
        When the file cannot be read or holds no units.

    Examples
    --------
    >>> import cortexkit as ck
    >>> table = ck.batch.analyze_recording("session.npz")      # doctest: +SKIP
    """
    from cortexkit import information, io, isi

    st = io.load_spikes(path)
    if st.n_units == 0:
        raise ValidationError(f"recording {os.fspath(path)!r} holds no units; "
                              "there is nothing to analyse")
    stats = isi.stats(st)
    fits = isi.fit_all(st)
    entropy = information.isi_entropy(st)
    table = stats.loc[:, ["unit", *STATS_COLUMNS]].reset_index(drop=True)
    units = pd.Index(table["unit"])
    table["best_model"] = fits.set_index("unit")["best_model"].reindex(units).to_numpy()
    table["entropy"] = entropy.set_index("unit")["entropy"].reindex(units).to_numpy(float)
    return table


def _job(recording: str, path: str) -> dict[str, Any]:
    """One Dask task: the recording's rows, or one error row. Never raises an Exception.

    Returns the columns as a dict of NumPy arrays / lists, which Dask ships between
    processes at a fraction of the cost of a DataFrame; the client builds the table.
    """
    try:
        table = analyze_recording(path)
    except CortexkitError as exc:
        return _error_columns(recording, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bad file must not stop the batch
        return _error_columns(recording, f"{type(exc).__name__}: {exc}")
    n = len(table)
    columns: dict[str, Any] = {"recording": [recording] * n, "unit": table["unit"].tolist()}
    for col in STATS_COLUMNS:
        columns[col] = table[col].to_numpy()
    columns["best_model"] = table["best_model"].tolist()
    columns["entropy"] = table["entropy"].to_numpy(dtype="float64")
    columns["error"] = [None] * n
    return columns


def _error_columns(recording: str, message: str) -> dict[str, Any]:
    columns: dict[str, Any] = {c: np.array([np.nan]) for c in COLUMNS}
    columns.update(recording=[recording], unit=[None], best_model=[None], error=[message])
    return columns


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed column order and dtypes, so tables of any recordings concatenate and round-trip.

    Counts are nullable ``Int64``, measures ``float64``, texts ``string``; ``unit`` is
    ``Int64`` when every id is an integer and ``string`` otherwise.  Built from NumPy arrays
    in one go: this runs once per recording and at every checkpoint.
    """
    data: dict[str, Any] = {}
    for col in COLUMNS:
        s = df[col]
        if col in _INT_COLUMNS:
            data[col] = _int_array(s.to_numpy(dtype="float64", na_value=np.nan))
        elif col in _STR_COLUMNS:
            data[col] = _str_array(s)
        elif col == "unit":
            data[col] = _unit_array(s)
        else:
            data[col] = s.to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(data)


def _int_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(np.int64), mask)


def _str_array(s: pd.Series) -> pd.api.extensions.ExtensionArray:
    values = s.to_numpy(dtype=object, na_value=None)
    return pd.array(values, dtype="string")


def _unit_array(s: pd.Series) -> pd.api.extensions.ExtensionArray:
    """Integer unit ids as nullable Int64; anything else (or a mix) as strings."""
    if s.dtype.kind in "iu" or isinstance(s.dtype, pd.Int64Dtype):
        return pd.array(s, dtype="Int64")
    values = s.to_numpy(dtype=object, na_value=None)
    present = [v for v in values if v is not None and v is not pd.NA]
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present) or (
            s.dtype.kind == "f" and all(float(v).is_integer() for v in present)):
        return pd.array([None if v is None or v is pd.NA else int(v) for v in values],
                        dtype="Int64")
    return pd.array([None if v is None or v is pd.NA else str(v) for v in values],
                    dtype="string")


def _check_out(out: str | os.PathLike) -> Path:
    if not isinstance(out, str | os.PathLike):
        raise ValidationError(f"out must be a file path, got {type(out).__name__}")
    path = Path(out)
    if path.is_dir():
        raise ValidationError(f"out {str(path)!r} is a directory; give a file name such as "
                              f"{str(path / 'results.parquet')!r}")
    if path.suffix.lower() not in _PARQUET_SUFFIXES:
        raise ValidationError(f"out {str(path)!r} must end with .parquet (the batch table "
                              "is written as Parquet)")
    return path


def _check_inputs(inputs: Any) -> list[str]:
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    if not isinstance(inputs, Iterable):
        raise ValidationError(f"inputs must be a path or a list of paths, got "
                              f"{type(inputs).__name__}")
    recordings: list[str] = []
    for item in inputs:
        if not isinstance(item, str | os.PathLike) or not os.fspath(item):
            raise ValidationError(f"inputs must hold file paths, got {item!r}")
        recordings.append(os.fspath(item))
    if not recordings:
        raise ValidationError("inputs is empty; give at least one recording path")
    return list(dict.fromkeys(recordings))  # drop repeats, keep order


def _check_workers(workers: Any, scheduler: Any) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValidationError(f"workers must be a positive integer, got {workers!r}")
    if scheduler is not None:
        raise ValidationError("workers applies to the local cluster only; with a scheduler "
                              "address start workers with `dask worker ADDRESS` instead")
    return int(workers)


def _read_previous(out: Path) -> pd.DataFrame:
    """The existing output (empty table when there is none); refuses foreign files."""
    if not out.exists():
        return _tidy(pd.DataFrame({c: [] for c in COLUMNS}))
    try:
        previous = pd.read_parquet(out)
    except Exception as exc:  # noqa: BLE001 - any unreadable file: refuse to overwrite it
        raise ValidationError(f"out {str(out)!r} exists but is not a readable Parquet file "
                              f"({type(exc).__name__}); give a new file name") from exc
    missing = [c for c in COLUMNS if c not in previous.columns]
    if missing:
        raise ValidationError(f"out {str(out)!r} exists but is not a cortexkit batch table "
                              f"(missing columns {missing}); give a new file name")
    return _tidy(previous)


def _write(out: Path, parts: list[pd.DataFrame]) -> int:
    from cortexkit._lib.atomic import atomic_path

    nonempty = [p for p in parts if len(p)]
    table = _tidy(pd.concat(nonempty, ignore_index=True)) if nonempty else parts[0]
    with atomic_path(out) as tmp:
        table.to_parquet(tmp, index=False)
    return len(table)


def _connect(scheduler: str | None, workers: int | None, n_tasks: int):
    """A distributed Client (and the LocalCluster it owns, or None)."""
    import logging

    from cortexkit._lib.optional import optional_import

    distributed = optional_import("distributed")
    if scheduler is None:
        n = workers if workers is not None else max(1, min(os.cpu_count() or 1, n_tasks))
        # No dashboard; the scheduler's remaining HTTP endpoints (health, metrics) would
        # otherwise listen on 0.0.0.0:8787, so they get a random port on 127.0.0.1.
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
            host="127.0.0.1", silence_logs=logging.ERROR,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        try:
            return distributed.Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ValidationError(f"scheduler must be an address such as 'tcp://127.0.0.1:8786', "
                              f"got {scheduler!r}")
    try:
        client = distributed.Client(scheduler, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise ValidationError(f"cannot connect to the Dask scheduler {scheduler!r} "
                              f"({type(exc).__name__}: {exc}); start one with `dask scheduler` "
                              "or leave out the scheduler to use a local cluster") from exc
    try:
        client.wait_for_workers(1, timeout=30)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ValidationError(f"the Dask scheduler {scheduler!r} has no workers; start some "
                              f"with `dask worker {scheduler}`") from exc
    return client, None


def run(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    out: str | os.PathLike,
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    checkpoint_seconds: float = 10.0,
    retries: int = 1,
    progress: bool = True,
    on_result: Callable[[str, str | None], None] | None = None,
) -> BatchSummary:
    """Analyse many recordings on Dask into one per-unit Parquet table.

    Every recording is one task: :func:`analyze_recording` (load, ``ck.isi.stats``, best
    ``ck.isi.fit_all`` model, ``ck.information.isi_entropy``).  The table has the columns
    :data:`COLUMNS`: ``recording`` (the input as given), ``unit``, the ``ck.isi.stats``
    columns, ``best_model``, ``entropy`` and ``error`` (null on good rows; a recording that
    fails is one row holding the message — a :class:`~cortexkit.errors.CortexkitError`
    message as is, any other exception as ``"Type: message"``).

    Resuming: when ``out`` already holds a batch table, recordings with successful rows
    there are skipped; recordings that failed before are retried (their old error row is
    replaced); rows of recordings not among ``inputs`` are kept.  Recordings are matched by
    the input string exactly as given.  The file is rewritten atomically every
    ``checkpoint_seconds`` (when something new finished), at the end, and when the run is
    interrupted, so it always holds a complete table of the finished recordings.

    Parameters
    ----------
    inputs : path or list of paths
        Recordings readable by :func:`cortexkit.io.load_spikes`; repeats are dropped.
        Workers must see the same paths (relative paths are resolved here first).
    out : path
        Output ``.parquet`` file (created or merged into).
    scheduler : str, optional
        Address of a running ``dask scheduler`` (``"tcp://HOST:PORT"``).  Default: a local
        cluster of worker processes (one thread each) on 127.0.0.1, no dashboard.
    workers : int, optional
        Worker processes of the local cluster (default: the CPU count, at most one per
        recording).  Not allowed with ``scheduler``.
    checkpoint_seconds : float, default 10.0
        Minimum time between intermediate rewrites of ``out`` (0: after every recording).
    retries : int, default 1
        Dask retries of a task whose worker raised outside the analysis.  Tasks lost with a
        dying worker are rerun by the scheduler (up to ``distributed.scheduler.
        allowed-failures`` times); a recording that keeps killing workers becomes an error
        row.
    progress : bool, default True
        Show a progress bar over recordings on stderr (only on a terminal).
    on_result : callable, optional
        Called as ``on_result(recording, error)`` after each finished recording has been
        merged (and checkpointed, if due); ``error`` is None on success.

    Returns
    -------
    BatchSummary
        Counts of done, failed and skipped recordings, time, rows and the failures.

    Raises
    ------
    ValidationError
        For empty ``inputs``, a bad ``workers``, an ``out`` that is a directory, not
        ``.parquet``, or an existing file that is not a batch table, or an unreachable
        scheduler.

    Examples
    --------
    >>> import cortexkit as ck
    >>> summary = ck.batch.run(["a.npz", "b.npz"], "results.parquet")   # doctest: +SKIP
    >>> summary.done, summary.failed, summary.skipped                    # doctest: +SKIP
    (2, 0, 0)
    """
    t0 = time.perf_counter()
    recordings = _check_inputs(inputs)
    out_path = _check_out(out)
    n_workers = _check_workers(workers, scheduler)
    if not isinstance(checkpoint_seconds, int | float) or not checkpoint_seconds >= 0:
        raise ValidationError(f"checkpoint_seconds must be >= 0, got {checkpoint_seconds!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValidationError(f"retries must be a non-negative integer, got {retries!r}")

    previous = _read_previous(out_path)
    finished = set(previous.loc[previous["error"].isna(), "recording"])
    todo = [r for r in recordings if r not in finished]
    skipped = len(recordings) - len(todo)
    # Table order: recordings of the old table that are not among the inputs (as they
    # were), then the inputs in input order.  An input's old rows (finished, or an error
    # being retried) stay until its new result replaces them.
    wanted = set(recordings)
    others = previous[~previous["recording"].isin(recordings)]
    before = {r: g for r, g in previous.groupby("recording", sort=False) if r in wanted}
    results: dict[str, pd.DataFrame] = {}
    errors: dict[str, str] = {}

    def parts() -> list[pd.DataFrame]:
        ordered = (results.get(r, before.get(r)) for r in recordings)
        return [others, *(t for t in ordered if t is not None)]

    n_rows = len(previous)
    if todo:
        n_rows = _run_tasks(todo, results, errors, parts, out_path, scheduler, n_workers,
                            checkpoint_seconds, retries, progress, on_result)
    elif not out_path.exists():
        n_rows = _write(out_path, parts())
    errors = {r: errors[r] for r in todo if r in errors}
    return BatchSummary(out=out_path, n_inputs=len(recordings), done=len(results) - len(errors),
                        failed=len(errors), skipped=skipped,
                        seconds=time.perf_counter() - t0, n_rows=n_rows, errors=errors)


def _run_tasks(todo, results, errors, parts, out_path, scheduler, n_workers,
               checkpoint_seconds, retries, progress, on_result) -> int:
    """Submit one task per recording and merge results as they complete."""
    from cortexkit.cli._common import progress as progress_bar

    client, cluster = _connect(scheduler, n_workers, len(todo))
    from distributed import as_completed

    futures = []
    last_write = time.monotonic()
    n_rows = 0
    dirty = False
    try:
        tag = uuid.uuid4().hex[:8]
        for i, recording in enumerate(todo):
            key = f"cortexkit-batch-{tag}-{i}"
            futures.append(client.submit(_job, recording, os.path.abspath(recording),
                                         key=key, retries=retries, pure=False))
        index = {f.key: r for f, r in zip(futures, todo, strict=True)}
        with progress_bar(enabled=progress) as bar:
            task = bar.step("recordings", total=len(todo))
            for future in as_completed(futures):
                recording = index[future.key]
                try:
                    columns = future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: one error row
                    columns = _error_columns(recording, f"{type(exc).__name__}: {exc}")
                future.release()
                results[recording] = pd.DataFrame(columns)  # made tidy when written
                dirty = True
                error = columns["error"][0]
                if error is not None:
                    errors[recording] = error
                if time.monotonic() - last_write >= checkpoint_seconds:
                    n_rows = _write(out_path, parts())
                    last_write, dirty = time.monotonic(), False
                bar.advance(task)
                if on_result is not None:
                    on_result(recording, error)
    finally:
        try:
            if dirty or not out_path.exists():
                n_rows = _write(out_path, parts())
        finally:
            for f in futures:
                f.release()
            client.close()
            if cluster is not None:
                cluster.close()
    return n_rows
