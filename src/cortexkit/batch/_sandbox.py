"""The Dask task of the batch, run on a worker: one recording in the worker's analysis process.

Each worker keeps a pool of analysis processes (``cortexkit.batch._child``), one per
thread running a task: started on the first task (or by :func:`prestart`) and reused.
The thread sends its process the task and waits, checking every 0.1 s that the process
is alive, within the timeout and within the worker's memory share.
When it is not, the process is killed (and restarted for the next task) and the worker
writes the recording's error part itself.  So a recording that hangs in a C reader, eats
the memory or crashes the interpreter costs one error row, never the worker, and the
worker process itself holds no recording at all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

_CHECK_SECONDS = 0.1
# glibc malloc of the analysis process.  A Dask nanny sets MALLOC_TRIM_THRESHOLD_=65536
# for its workers, which the analysis process would inherit: that (like any fixed malloc
# setting) turns off glibc's adaptive mmap threshold, so every array above 128 KiB got
# fresh pages from the kernel and was returned on free -- +30 % time per recording here,
# mostly page faults.  The analysis process runs one recording after another, so it keeps
# freed memory for the next one instead (arrays up to 32 MiB from the heap; up to
# 256 MiB of free heap kept), which cut the kernel time of a recording from ~12 % to ~5 %.
_MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
               "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}
_MIN_LIMIT = 256 * 2**20
_pool: list[Sandbox] = []  # idle analysis processes of this worker
_pool_lock = threading.Lock()


class Sandbox:
    """One analysis process and the connection to it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.prepared: bytes | None = None  # the analyses the process has imported

    def start(self) -> None:
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")  # one thread per task, as in Dask's workers
        env.update(_MALLOC_ENV)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cortexkit.batch._child", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.prepared = None

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until the process has warmed up (True), or died or taken ``timeout``."""
        assert self.proc is not None and self.conn is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if self.conn.poll(_CHECK_SECONDS):
                    return bool(self.conn.recv().get("ready"))
            except (EOFError, OSError):
                return False
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def run(self, task: dict[str, Any], timeout: float | None,
            limit: int | None) -> dict[str, Any]:
        """The child's reply, or ``{"error": ...}`` after killing it."""
        import psutil

        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
        assert self.proc is not None and self.conn is not None
        # The clock starts when the child has imported what the task's analyses need: it
        # says so ("started") the first time; then they are imported and the clock starts
        # now (one message and one wake-up of this thread less per recording).
        announce = task["analyses"] != self.prepared
        message = dict(task, announce=announce)
        try:
            self.conn.send(message)
        except OSError:
            self.stop()
            self.start()
            announce = True
            message["announce"] = True
            self.conn.send(message)
        assert self.proc is not None and self.conn is not None
        t0 = None if announce else time.monotonic()
        self.prepared = None  # until the reply shows that the child has them
        ps = psutil.Process(self.proc.pid)
        peak = 0
        while True:
            try:
                if self.conn.poll(_CHECK_SECONDS):
                    reply = self.conn.recv()
                    if reply.get("ready"):  # warmed up (see _child.warm_up)
                        continue
                    if reply.get("started"):
                        t0 = time.monotonic()
                        continue
                    reply["rss_peak"] = max(reply.get("rss_peak", 0), peak)
                    if "fatal" not in reply:
                        self.prepared = task["analyses"]
                    return reply
            except (EOFError, OSError):
                pass
            code = self.proc.poll()
            if code is not None:
                self.stop()
                how = (f"was killed by signal {signal.Signals(-code).name}" if code < 0
                       else f"exited with code {code}")
                hint = (" (the system may have run out of memory)" if code == -signal.SIGKILL
                        else "")
                return {"error": f"the analysis process {how} while reading or analysing "
                                 f"this recording{hint}", "rss_peak": peak}
            if timeout is not None and t0 is not None and time.monotonic() - t0 > timeout:
                self.stop()
                return {"error": f"timed out: still running after {timeout:g} s (the "
                                 "timeout); raise timeout to give it longer",
                        "rss_peak": peak}
            try:
                rss = ps.memory_info().rss
            except psutil.Error:
                continue
            peak = max(peak, rss)
            if limit is not None and rss > limit:
                self.stop()
                return {"error": f"out of memory: the analysis needed more than "
                                 f"{limit / 2**20:.0f} MiB, this worker's memory share; "
                                 "give the workers more memory (memory_limit)",
                        "rss_peak": peak}


def _acquire() -> Sandbox:
    with _pool_lock:
        return _pool.pop() if _pool else Sandbox()


def _release(box: Sandbox) -> None:
    with _pool_lock:
        _pool.append(box)


def prestart(n: int = 1) -> int:
    """Start ``n`` idle analysis processes in this worker and wait until they have warmed
    up (e.g. ``client.run(prestart)`` before timing a run); the number now idle."""
    with _pool_lock:
        missing = n - len(_pool)
    boxes = []
    for _ in range(missing):
        box = Sandbox()
        box.start()
        boxes.append(box)
    for box in boxes:
        box.wait_ready()
        _release(box)
    return len(_pool)


_share_cache: list = [None, -1e9]  # value, when computed


def _memory_share() -> int | None:
    """This thread's share of the worker's Dask memory limit, less the worker's own use
    (recomputed every 10 s)."""
    now = time.monotonic()
    if now - _share_cache[1] > 10.0:
        _share_cache[:] = [_compute_share(), now]
    return _share_cache[0]


def _compute_share() -> int | None:
    try:
        import psutil
        from distributed import get_worker

        worker = get_worker()
        limit = worker.memory_manager.memory_limit
        if not limit:
            return None
        share = limit / max(1, worker.state.nthreads)
        share -= psutil.Process().memory_info().rss / max(1, worker.state.nthreads)
        return int(max(share, _MIN_LIMIT))
    except (ImportError, ValueError, AttributeError):
        return None


def run_chunk(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Dask task: one or more recordings, one after another, in this thread's
    analysis process (several per task when there are many: Dask's own cost per task,
    ~8 ms of CPU here, is then shared).  A recording whose part this run already wrote
    (this task ran before on a worker that was killed) is not computed again.

    Returns a small summary per recording (never the tables: the parts are written on
    the worker).
    """
    return [done_in_this_run(task) or run_task(task) for task in tasks]


def done_in_this_run(task: dict[str, Any]) -> dict[str, Any] | None:
    """The summary of a recording whose part was written in this run, else None."""
    from cortexkit.batch import _store

    info = _store.read_part_info(Path(task["part"]))
    if info is None or info[0].get("run") != task["meta"]["run"]:
        return None
    meta, n_rows = info
    return {"recording": task["recording"], "error": meta.get("error"), "n_rows": n_rows,
            "notes": meta.get("notes") or [], "seconds": meta.get("seconds"),
            "earlier": True}


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One recording in this thread's analysis process; its summary."""
    import resource

    from cortexkit.batch import _store

    t0 = time.perf_counter()
    box = _acquire()
    try:
        reply = box.run(task, task["timeout"], _memory_share())
    finally:
        _release(box)
    if "fatal" in reply:
        reply["error"] = reply.pop("fatal")
    if "n_rows" not in reply:  # the child died, timed out or could not write: we write
        meta = dict(task["meta"], error=reply["error"], seconds=None)
        table = _store.table_of(task["recording"], None, reply["error"], task["columns"],
                                meta)
        _store.write_part(Path(task["part"]), table)
        reply["n_rows"] = 1
    reply["recording"] = task["recording"]
    reply["wall"] = time.perf_counter() - t0
    reply["worker_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # peak
    reply["pid"] = os.getpid()
    return reply
