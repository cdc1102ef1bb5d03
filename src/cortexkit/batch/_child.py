"""The analysis process of a batch worker: ``python -m cortexkit.batch._child FD``.

Imports the loaders and the default analyses first (see :func:`warm_up`), then reads
one task at a time from the connection on file descriptor FD, analyses the recording,
writes its part atomically and answers with a small summary.  It ignores
SIGINT (the run decides what an interrupt means) and exits when its worker goes away
(end of file on the connection, or a parent process that is no longer there).
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _rss_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def prepare(task: dict[str, Any], prepared: dict[bytes, tuple]) -> tuple:
    """The task's analyses, their functions imported (not part of the recording's time);
    ``prepared`` keeps the last ones, keyed by their pickled form."""
    blob = task["analyses"]
    if blob not in prepared:
        import cortexkit.io  # noqa: F401 - the loaders, imported before the clock starts

        # The analyses as ck.batch.run pickled them (cloudpickle: functions defined in
        # the user's script travel by value, as Dask ships them), passed on by this
        # process's own worker over an inherited socket pair -- never bytes of a file or
        # of the network.  Running the user's analyses is the point of the process.
        analyses = pickle.loads(blob)
        for a in analyses:
            a.resolve_function()
        prepared.clear()
        prepared[blob] = analyses
    return prepared[blob]


def warm_up() -> None:
    """Import the loaders and the default analyses and run those once on a small
    synthetic recording, so that the first task (and the first recording's timeout) does
    not pay for the imports (~0.8 s here) and first calls.  Failures are left to the
    tasks to report."""
    try:
        import numpy as np

        import cortexkit.io  # noqa: F401 - the loaders
        from cortexkit.batch import _analyses
        from cortexkit.core import SpikeTrains

        rng = np.random.default_rng(0)
        trains = [np.cumsum(rng.exponential(1 / rate, int(40 * rate))) for rate in (5, 20)]
        st = SpikeTrains.from_list([t[t < 30.0] for t in trains], t_stop=30.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _analyses.compute(st, _analyses.resolve(None))
    except Exception:  # noqa: BLE001, S110 - only a warm-up
        pass


def handle(task: dict[str, Any], analyses: tuple) -> dict[str, Any]:
    """Analyse one recording and write its part; the summary for the worker."""
    from cortexkit.batch import _analyses, _store
    from cortexkit.errors import CortexkitError

    t0 = time.perf_counter()
    rows, error = None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rows = _analyses.analyze_recording(task["path"], analyses)
        except CortexkitError as exc:
            error = str(exc)
        except MemoryError:
            error = "MemoryError: the recording does not fit in this worker's memory"
        except Exception as exc:  # noqa: BLE001 - a bad file must not stop the batch
            error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    notes = sorted({str(w.message) for w in caught})[:5]
    meta = dict(task["meta"], error=error, seconds=round(seconds, 4), notes=notes)
    table = _store.table_of(task["recording"], rows, error, task["columns"], meta)
    _store.write_part(Path(task["part"]), table)
    return {"error": error, "n_rows": table.num_rows, "seconds": seconds, "notes": notes,
            "rss_peak": _rss_peak(), "write_seconds": time.perf_counter() - t0 - seconds}


def main(fd: int) -> None:
    """Serve tasks on ``fd`` until the worker closes it."""
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    conn = Connection(fd)
    warm_up()
    try:
        conn.send({"ready": True})
    except (OSError, EOFError):
        return
    prepared: dict[bytes, tuple] = {}
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            analyses = prepare(task, prepared)
            if task.get("announce", True):  # else the worker's clock started at sending
                conn.send({"started": True})  # the worker's timeout starts now
            reply = handle(task, analyses)
        except Exception as exc:  # noqa: BLE001 - e.g. the part cannot be written
            reply = {"fatal": f"{type(exc).__name__}: {exc}", "rss_peak": _rss_peak()}
        try:
            conn.send(reply)
        except (OSError, EOFError):
            return


if __name__ == "__main__":
    main(int(sys.argv[1]))
