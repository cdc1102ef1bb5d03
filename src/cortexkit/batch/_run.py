"""``ck.batch.run``: plan what is missing, run it on Dask, keep the manifest."""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import pickle
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cortexkit import __version__
from cortexkit._lib.progress import as_progress
from cortexkit.batch import _analyses, _inputs, _store
from cortexkit.errors import MissingDependencyError, ValidationError

__all__ = ["run", "BatchSummary"]


@dataclass(frozen=True)
class BatchSummary:
    """What one :func:`run` did.

    Attributes
    ----------
    out : Path
        The dataset directory.
    n_inputs : int
        Recordings the inputs stand for.
    done, failed : int
        Recordings computed in this run without / with an error (error rows).
    skipped : int
        Recordings whose part was up to date and was not recomputed.
    seconds : float
        Wall-clock time of the run (including cluster start-up).
    n_rows : int
        Rows of this run's recordings in the dataset (their parts, also skipped ones).
    errors : dict
        ``{recording: message}`` for the recordings that failed in this run.
    computed : list
        The recordings computed in this run, in the order they finished.
    dashboard : str or None
        The Dask dashboard's address when one was asked for.
    peak_rss : dict
        Highest resident memory seen (bytes): ``"worker"`` (a worker process),
        ``"analysis"`` (a worker's analysis process), ``"client"`` (this process).
    """

    out: Path
    n_inputs: int
    done: int
    failed: int
    skipped: int
    seconds: float
    n_rows: int
    errors: dict[str, str] = field(default_factory=dict)
    computed: list[str] = field(default_factory=list)
    dashboard: str | None = None
    peak_rss: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-friendly types."""
        d = asdict(self)
        d["out"] = str(self.out)
        return d


def _check_workers(workers: Any, scheduler: Any) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValidationError(f"workers must be a positive integer, got {workers!r}")
    if scheduler is not None:
        raise ValidationError("workers applies to the local cluster only; with a scheduler "
                              "address start workers with `dask worker ADDRESS` instead")
    return int(workers)


def _check_timeout(timeout: Any) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
            math.isfinite(timeout) and timeout > 0):
        raise ValidationError(f"timeout must be a positive number of seconds, got "
                              f"{timeout!r}")
    return float(timeout)


def _check_scheduler(scheduler: Any) -> str | None:
    if scheduler is None:
        return None
    if not isinstance(scheduler, str) or "://" not in scheduler and ":" not in scheduler:
        raise ValidationError(f"scheduler must be an address such as "
                              f"'tcp://127.0.0.1:8786', got {scheduler!r}")
    return scheduler


def _check_memory_limit(memory_limit: Any, scheduler: str | None) -> int | None:
    if memory_limit is None:
        return None
    if scheduler is not None:
        raise ValidationError("memory_limit applies to the local cluster only; give "
                              "`dask worker --memory-limit` to the workers instead")
    try:
        from dask.utils import parse_bytes

        value = parse_bytes(memory_limit) if isinstance(memory_limit, str) else memory_limit
    except (ImportError, ValueError, TypeError):
        value = None
    if isinstance(value, bool) or not isinstance(value, int) or value < 2**27:
        raise ValidationError(f"memory_limit must be a size of at least 128 MiB such as "
                              f"'4GiB' or a number of bytes, got {memory_limit!r}")
    return value


@dataclass
class _Plan:
    todo: list[dict[str, Any]]
    skipped: list[str]
    entries: dict[str, dict[str, Any]]  # recording -> manifest entry


def _plan(recordings: list[tuple[str, str]], out: Path, analyses: tuple, key: str,
          columns: dict[str, str], timeout: float | None, previous: dict | None,
          run_id: str) -> _Plan:
    """Which recordings need computing: missing, failed, changed (file or analyses)."""
    try:  # functions defined in a script travel by value, as Dask ships them
        import cloudpickle

        blob = cloudpickle.dumps(analyses)
    except ImportError:
        blob = pickle.dumps(analyses)
    todo, skipped, entries = [], [], {}
    given = {r for r, _ in recordings}
    if previous is not None and previous.get("analyses_key") != key:
        others = sorted(set(previous.get("inputs", {})) - given)
        if others:
            raise ValidationError(
                f"out {str(out)!r} holds results of other analyses "
                f"({[a['name'] for a in previous.get('analyses', [])]}) for recordings not "
                f"among these inputs (e.g. {others[0]!r}); the dataset would mix two "
                "tables: give a new out directory, or include all its recordings")
    for recording, path in recordings:
        fp = _inputs.fingerprint(path)
        part = out / _store.part_name(recording)
        entry: dict[str, Any] = {"path": path, "part": part.name,
                 **(fp or {"size": None, "mtime_ns": None, "files": 0})}
        entries[recording] = entry
        meta = _store.read_part_meta(part)
        if (meta is not None and fp is not None and meta.get("error") is None
                and meta.get("recording") == recording
                and meta.get("analyses_key") == key and meta.get("fingerprint") == fp):
            skipped.append(recording)
            entry["status"] = "done"
            continue
        meta = {"format": _store.FORMAT, "cortexkit": __version__, "recording": recording,
                "path": path, "fingerprint": fp, "analyses_key": key, "run": run_id}
        todo.append({"recording": recording, "path": path, "part": str(part),
                     "analyses": blob, "columns": columns, "meta": meta,
                     "timeout": timeout})
    return _Plan(todo, skipped, entries)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so they inherit that: a Ctrl-C at the
    terminal reaches the whole process group, and only this process should act on it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


#: Dask settings of the local cluster when no dashboard is asked for: the workers'
#: statistical profiler (a stack sample every 10 ms, for the dashboard) off, and the
#: event-loop health check and system monitor less often.  Together they halved the
#: workers' own CPU time (70 sessions, 2 workers: 0.1 -> 0.05 s each).  For workers
#: started by hand: ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` and so on.
QUIET_CONFIG = {"distributed.worker.profile.enabled": False,
                "distributed.admin.tick.interval": "200ms",
                "distributed.admin.system-monitor.interval": "2s"}


@contextlib.contextmanager
def _connect(scheduler: str | None, workers: int | None, n_tasks: int,
             memory_limit: Any, dashboard: bool) -> Iterator[tuple[Any, str | None]]:
    """A distributed Client on the given scheduler or on a new local cluster."""
    try:
        import distributed
    except ImportError as exc:
        raise MissingDependencyError("batch runs on Dask: pip install 'cortexkit[dask]'") \
            from exc
    if dashboard:
        try:
            import bokeh  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError("the Dask dashboard needs bokeh: pip install "
                                         "'bokeh>=3.1'") from exc
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            raise ValidationError(
                f"cannot connect to the Dask scheduler {scheduler!r} ({type(exc).__name__}: "
                f"{exc}); start one with `dask scheduler` or leave out the scheduler to use "
                "a local cluster") from exc
        try:
            client.wait_for_workers(1, timeout=30)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise ValidationError(f"the Dask scheduler {scheduler!r} has no workers; start "
                                  f"some with `dask worker {scheduler}`") from exc
        try:
            yield client, (client.dashboard_link if dashboard else None)
        finally:
            client.close()
        return
    n = workers if workers is not None else max(1, min(os.cpu_count() or 1, n_tasks))
    # The dashboard only when asked, and on loopback; without it the scheduler's other
    # HTTP endpoints (health, metrics) get a random port on 127.0.0.1, not 0.0.0.0:8787.
    address = "127.0.0.1:0"
    import dask

    with _sigint_ignored(), dask.config.set({} if dashboard else QUIET_CONFIG):
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=address if dashboard else None,
            scheduler_kwargs={"dashboard_address": address, "dashboard": dashboard},
            memory_limit=memory_limit if memory_limit is not None else "auto",
            silence_logs=logging.ERROR)
    try:
        client = distributed.Client(cluster)
        try:
            yield client, (cluster.dashboard_link if dashboard else None)
        finally:
            client.close()
    finally:
        cluster.close()


def run(inputs: Any, out: str | os.PathLike, analyses: Any = None, scheduler: str | None = None,
        workers: int | None = None, timeout: float | None = None, *,
        memory_limit: str | int | None = None, dashboard: bool = False,
        progress: Any = None,
        on_result: Callable[[str, str | None], None] | None = None,
        on_dashboard: Callable[[str], None] | None = None) -> BatchSummary:
    """Run per-recording analyses over many recordings on Dask into a Parquet dataset.

    Each recording is loaded with :func:`cortexkit.io.load_spikes` and analysed with the
    chosen :data:`ANALYSES` in a worker's analysis process, which writes the recording's
    part of the dataset; a Dask task holds one to sixteen recordings (fewer towards the
    end of the run).  The client only schedules
    (a bounded number of tasks in flight) and receives small summaries, so its memory
    does not grow with the corpus; a worker holds one recording at a time.

    The table (``pandas.read_parquet(out)``, DuckDB ``out/*.parquet``, pyarrow,
    dask.dataframe) has the columns ``recording`` (the input as given, or the folder
    given joined with the path found in it), ``unit`` (the unit id as text), the
    analyses' columns (NaN/null where a value is undefined) and ``error``: null on good
    rows; a recording that fails, runs past ``timeout``, exceeds its worker's memory or
    kills its worker (after Dask's retries elsewhere) is one row with the message.

    Reruns with the same ``out`` compute only the recordings that are missing, failed,
    or changed (the input's size or modification time, or the analyses and their
    parameters); nothing else is rewritten.  A killed or interrupted run keeps every
    finished part; no part is ever half written (see ``_manifest.json`` for the record
    of the inputs and analyses).

    Parameters
    ----------
    inputs : path or list of paths
        Spike files, recording folders (ALF, Kilosort/phy), or folders of sessions,
        which are searched for them.  Workers must see the same paths.
    out : path
        The dataset directory (created; or an earlier run's, to resume or update).
    analyses : sequence of str, optional
        Names from :data:`ANALYSES` (or :class:`Analysis` objects); default
        ``("isi_stats", "isi_fits", "entropy")``.
    scheduler : str, optional
        Address of a running ``dask scheduler`` (``"tcp://HOST:PORT"``).  Default: a local
        cluster of worker processes (one thread each) on 127.0.0.1.
    workers : int, optional
        Worker processes of the local cluster (default: the CPU count, at most one per
        recording to compute).  Not allowed with ``scheduler``.
    timeout : float, optional
        Seconds a recording may take (loading and analyses); past it the recording
        becomes an error row and the run goes on.
    memory_limit : str or int, optional
        Memory of each local worker (Dask's ``memory_limit``, e.g. ``"4 GiB"``; default: the
        machine's memory shared by the workers).  A recording whose analysis needs more
        than its worker's share becomes an error row.
    dashboard : bool, default False
        Serve the Dask dashboard (on 127.0.0.1 for a local cluster; needs bokeh); its
        address is in the summary.
    progress : Progress, optional
        A progress reporter (the ``step``/``advance`` protocol of
        ``cortexkit._lib.progress``; the CLI passes its bar): one step "recordings" with
        the total, advanced by the skipped ones at once and then by each one finished.
    on_result : callable, optional
        Called as ``on_result(recording, error)`` after each recording's part is written.
    on_dashboard : callable, optional
        Called with the dashboard's address as soon as the cluster is up.

    Returns
    -------
    BatchSummary

    Raises
    ------
    ValidationError
        For bad arguments, an ``out`` that is a file or a foreign directory, an ``out`` in
        use by another run, or an unreachable scheduler.
    MissingDependencyError
        Without Dask (``pip install 'cortexkit[dask]'``).

    Examples
    --------
    >>> import cortexkit as ck
    >>> s = ck.batch.run(["corpus/"], "results", timeout=600)          # doctest: +SKIP
    >>> s.done, s.failed, s.skipped                                    # doctest: +SKIP
    (700, 0, 0)
    >>> import pandas as pd
    >>> table = pd.read_parquet("results")                             # doctest: +SKIP
    """
    t0 = time.perf_counter()
    chosen = _analyses.resolve(analyses)
    out_path = _store.check_out(out)
    n_workers = _check_workers(workers, scheduler)
    timeout = _check_timeout(timeout)
    scheduler = _check_scheduler(scheduler)
    if not isinstance(dashboard, bool):
        raise ValidationError(f"dashboard must be True or False, got {dashboard!r}")
    memory_limit = _check_memory_limit(memory_limit, scheduler)
    recordings = _inputs.find_recordings(inputs, exclude=out_path)
    try:
        lock = _store.locked(out_path)
        lock.__enter__()
    except PermissionError as exc:
        raise ValidationError(f"out {str(out_path)!r} cannot be written ({exc}); choose a "
                              "directory you can write to") from exc
    try:
        return _run_locked(t0, recordings, out_path, chosen, scheduler, n_workers, timeout,
                           memory_limit, dashboard, progress, on_result, on_dashboard)
    finally:
        lock.__exit__(None, None, None)


def _run_locked(t0, recordings, out, chosen, scheduler, n_workers, timeout, memory_limit,
                dashboard, progress, on_result, on_dashboard) -> BatchSummary:
    import psutil

    _store.clean_temporaries(out)
    previous = _store.read_manifest(out)
    key = _analyses.analyses_key(chosen)
    columns = _analyses.columns_of(chosen)
    run_id = uuid.uuid4().hex[:12]
    plan = _plan(recordings, out, chosen, key, columns, timeout, previous, run_id)
    manifest = _manifest(previous, chosen, key, plan, run_id)
    _store.write_manifest(out, manifest)
    total = len(recordings)
    bar = as_progress(progress)
    step = bar.step("recordings", total=total)
    if plan.skipped:
        bar.advance(step, len(plan.skipped))
    errors: dict[str, str] = {}
    computed: list[str] = []
    rows: dict[str, int | None] = {r: None for r in plan.skipped}
    peak = {"worker": 0, "analysis": 0, "client": psutil.Process().memory_info().rss}
    status = "interrupted"
    link = None
    try:
        if plan.todo:
            with _connect(scheduler, n_workers, len(plan.todo), memory_limit,
                          dashboard) as (client, link):
                if link and on_dashboard is not None:
                    on_dashboard(link)
                for reply in _stream(client, plan.todo, columns, run_id):
                    recording = reply["recording"]
                    computed.append(recording)
                    error = reply.get("error")
                    if error is not None:
                        errors[recording] = error
                    entry = plan.entries[recording]
                    entry["status"] = "failed" if error is not None else "done"
                    entry["error"] = error
                    if reply.get("notes"):
                        entry["notes"] = reply["notes"]
                    rows[recording] = reply.get("n_rows")
                    peak["worker"] = max(peak["worker"], reply.get("worker_rss", 0))
                    peak["analysis"] = max(peak["analysis"], reply.get("rss_peak", 0))
                    peak["client"] = max(peak["client"], psutil.Process().memory_info().rss)
                    bar.advance(step)
                    if on_result is not None:
                        on_result(recording, error)
        status = "complete"
    finally:
        _store.clean_temporaries(out)
        if status != "complete":  # parts written by tasks whose summary did not arrive
            for recording in set(plan.entries) - set(computed) - set(plan.skipped):
                entry = plan.entries[recording]
                meta = _store.read_part_meta(out / entry["part"])
                if meta is not None and meta.get("run") == run_id:
                    entry["status"] = "failed" if meta.get("error") else "done"
                    entry["error"] = meta.get("error")
        manifest["status"] = status
        manifest["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        _store.write_manifest(out, manifest)
    n_rows = sum(n for n in rows.values() if n is not None)
    n_rows += sum(_part_rows(out / plan.entries[r]["part"]) for r in plan.skipped)
    return BatchSummary(out=out, n_inputs=total, done=len(computed) - len(errors),
                        failed=len(errors), skipped=len(plan.skipped),
                        seconds=time.perf_counter() - t0, n_rows=n_rows, errors=errors,
                        computed=computed, dashboard=link, peak_rss=peak)


def _part_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except OSError:
        return 0


def _manifest(previous: dict | None, chosen: tuple, key: str, plan: _Plan,
              run_id: str) -> dict[str, Any]:
    inputs = dict(previous.get("inputs", {})) if previous else {}
    for recording, entry in plan.entries.items():
        entry.setdefault("status", "pending")
        inputs[recording] = entry
    return {"format": _store.FORMAT, "cortexkit": __version__,
            "analyses": [a.describe() for a in chosen], "analyses_key": key,
            "run": run_id, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "status": "running", "inputs": inputs}


_MAX_CHUNK = 16  # recordings per Dask task, at most
_CHUNK_BYTES = 512 * 2**20  # and at most this much input, unless it is one recording


def _chunk(queue: deque, threads: int) -> list[dict[str, Any]]:
    """The next task's recordings: guided self-scheduling (half the queue's share of a
    thread), so tasks shrink to single recordings towards the end of the queue and the
    workers finish together.  On 70 sessions and 2 workers here, 16 tasks instead of
    70 took Dask's CPU from 0.66 s to 0.33 s and the wall time by 5 %."""
    n = max(1, min(_MAX_CHUNK, len(queue) // (2 * threads)))
    chunk = [queue.popleft()]
    size = _size(chunk[0])
    while queue and len(chunk) < n and size + _size(queue[0]) <= _CHUNK_BYTES:
        size += _size(queue[0])
        chunk.append(queue.popleft())
    return chunk


def _size(task: dict[str, Any]) -> int:
    return int((task["meta"].get("fingerprint") or {}).get("size") or 0)


def _stream(client: Any, todo: list[dict[str, Any]], columns: dict[str, str],
            run_id: str) -> Iterator[dict[str, Any]]:
    """Submit the tasks, a bounded number at a time, and yield the recordings' summaries."""
    from distributed import as_completed

    from cortexkit.batch._sandbox import done_in_this_run, run_chunk

    queue = deque(todo)
    alone: deque = deque()  # recordings of a failed task, to retry one per task
    by_key: dict[str, tuple[list[dict[str, Any]], Any]] = {}
    pending = as_completed()
    window = [0, 0.0, 1]  # tasks allowed in flight, when last computed, threads
    counter = itertools.count()

    def in_flight() -> int:
        now = time.monotonic()
        if now - window[1] > 5.0:
            threads = sum(client.nthreads().values()) or 1
            window[:] = [2 * threads + 2, now, threads]
        return int(window[0])

    def submit() -> None:
        while (queue or alone) and len(by_key) < in_flight():
            chunk = [alone.popleft()] if alone else _chunk(queue, int(window[2]))
            k = f"cortexkit-batch-{run_id}-{next(counter)}-{chunk[0]['part'][-28:-8]}"
            future = client.submit(run_chunk, chunk, key=k, pure=False)
            by_key[future.key] = (chunk, future)
            pending.add(future)

    submit()
    try:
        for future in pending:
            chunk, _ = by_key.pop(future.key)
            try:
                replies = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker after Dask's retries
                message = f"{type(exc).__name__}: {exc}"
                replies = []
                rest = []
                for task in chunk:
                    earlier = done_in_this_run(task)
                    if earlier is not None:
                        replies.append(earlier)
                    else:
                        rest.append(task)
                if len(chunk) > 1:  # which recording it was is not known: each alone
                    alone.extend(rest)
                else:
                    replies += [_client_error(task, columns, message) for task in rest]
            future.release()
            submit()
            yield from replies
    finally:
        pending.clear()
        if by_key:
            client.cancel([f for _, f in by_key.values()], force=True)
        by_key.clear()


def _client_error(task: dict[str, Any], columns: dict[str, str],
                  message: str) -> dict[str, Any]:
    """The error part of a task the cluster could not finish, written by the client."""
    meta = dict(task["meta"], error=message, seconds=None)
    table = _store.table_of(task["recording"], None, message, columns, meta)
    _store.write_part(Path(task["part"]), table)
    return {"recording": task["recording"], "error": message, "n_rows": 1}
