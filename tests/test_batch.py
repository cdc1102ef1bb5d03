"""ck.batch.run and `cortexkit batch` on a real Dask cluster (a scheduler and two workers,
separate processes started with the `dask` command).

Reference values come from calling ck.io.load_spikes, ck.isi.stats, ck.isi.fit_all and
ck.information.isi_entropy directly in this process, and from the simulated spike counts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import cortexkit as ck
from cortexkit.cli import main
from cortexkit.errors import CortexkitError, ValidationError

DASK = Path(sys.executable).with_name("dask")
HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
N_GOOD = 9
DURATION = 20.0
UNITS = ((1.0, 15.0), (3.0, 10.0), (0.6, 8.0))  # (gamma shape, rate Hz) of the 3 units
STATS = ("n_spikes", "rate_hz", "mean_isi", "median_isi", "cv", "lv", "cv2",
         "refractory_count", "refractory_fraction")
FIT_PARAMS = ("exponential_rate", "exponential_refractory_rate",
              "exponential_refractory_dead_time", "gamma_shape", "gamma_scale",
              "inverse_gaussian_mean", "inverse_gaussian_shape", "lognormal_mu",
              "lognormal_sigma")
COLUMNS = ["recording", "unit", *STATS, "best_model", *FIT_PARAMS, "entropy", "error"]


def _simulate(seed: int, ids=None) -> tuple[ck.SpikeTrains, list[int]]:
    rng = np.random.default_rng(seed)
    trains = []
    for shape, rate in UNITS:
        t = np.cumsum(rng.gamma(shape, 1.0 / (shape * rate), size=int(3 * rate * DURATION)))
        trains.append(t[t < DURATION])
    if ids is None:
        ids = [int(u) for u in rng.choice(500, size=len(UNITS), replace=False)]
    st = ck.SpikeTrains.from_list(trains, unit_ids=ids, t_stop=DURATION)
    return st, [len(t) for t in trains]


def _direct(path: str) -> pd.DataFrame:
    """The per-unit table computed in this process with the library functions."""
    st = ck.io.load_spikes(path)
    table = ck.isi.stats(st).set_index("unit").loc[:, list(STATS)]
    fits = ck.isi.fit_all(st).set_index("unit")
    table["best_model"] = fits["best_model"]
    for c in FIT_PARAMS:
        table[c] = fits[c]
    table["entropy"] = ck.information.isi_entropy(st).set_index("unit")["entropy"]
    table.index = table.index.astype(str)
    return table


def _expected_error(path: str) -> str:
    try:
        ck.io.load_spikes(path)
    except CortexkitError as exc:
        return str(exc)
    raise AssertionError(f"{path} loaded without error")


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """9 simulated recordings (npz, parquet, csv), a corrupt and an empty file, and a
    folder of sessions (2 ALF sessions, an npz file, and files that are not recordings)."""
    folder = tmp_path_factory.mktemp("recordings")
    good, counts = [], {}
    for i in range(N_GOOD):
        st, n = _simulate(i)
        path = folder / f"rec{i:02d}.{('npz', 'parquet', 'csv')[i % 3]}"
        ck.io.save_spikes(st, path)
        good.append(str(path))
        counts[str(path)] = n
    corrupt = folder / "corrupt.npz"
    corrupt.write_bytes(np.random.default_rng(1).bytes(700))
    empty = folder / "empty.npz"
    empty.write_bytes(b"")
    bad = [str(corrupt), str(empty)]
    sessions = folder / "sessions"
    ck.datasets.brain_wide_like(sessions / "lab" / "alf", 2, n_units=20, duration=30.0)
    st, n = _simulate(50)
    ck.io.save_spikes(st, sessions / "extra.npz")
    np.save(sessions / "lab" / "alf" / "trials.intervals.npy", np.zeros((3, 2)))
    (sessions / ".hidden.npz").write_bytes(b"not a recording")
    found = [str(sessions / "extra.npz"), str(sessions / "lab/alf/session_000"),
             str(sessions / "lab/alf/session_001")]
    paths = good + bad + found
    return {"good": good, "bad": bad, "all": good[:4] + bad + good[4:], "counts": counts,
            "sessions": str(sessions), "found": found,
            "direct": {p: _direct(p) for p in good + found},
            "errors": {p: _expected_error(p) for p in bad}, "paths": paths}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """A `dask scheduler` and `dask worker` subprocesses on 127.0.0.1 (1 thread each)."""

    def __init__(self, **config_env: str) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.procs: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(HERE)]),
                        **config_env)
        port = self.address.rsplit(":", 1)[1]
        self._spawn([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port,
                     "--no-dashboard", "--dashboard-address", "127.0.0.1:0"])

    def _spawn(self, cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=self.env)
        self.procs.append(proc)
        return proc

    def add_worker(self) -> None:
        name = f"w{len(self.workers)}"
        self.workers[name] = self._spawn(
            [str(DASK), "worker", self.address, "--nthreads", "1", "--no-dashboard",
             "--dashboard-address", "127.0.0.1:0", "--no-nanny", "--host", "127.0.0.1",
             "--memory-limit", "1.5GB", "--name", name])

    def client(self):
        from distributed import Client

        return Client(self.address, timeout="30s")

    def wait_for_workers(self, n: int) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=60)

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.kill()  # ours, and nothing on them to save
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def cluster():
    c = _Cluster()
    try:
        c.add_worker()
        c.add_worker()
        c.wait_for_workers(2)
        yield c
    finally:
        c.close()


def _trap(**params) -> ck.batch.Analysis:
    return ck.batch.Analysis("trap", "batch_helpers:trap", {"trap": "float64"}, params)


def _check_table(df: pd.DataFrame, recordings: dict, good, bad=()) -> None:
    assert list(df.columns) == COLUMNS
    assert set(df["recording"]) == set(good) | set(bad)
    for path in good:
        rows = df[df["recording"] == path].set_index("unit")
        assert rows["error"].isna().all(), rows["error"].tolist()
        want = recordings["direct"][path]
        assert rows.index.tolist() == want.index.tolist()
        if path in recordings["counts"]:  # independent check: the simulated counts
            assert rows["n_spikes"].tolist() == recordings["counts"][path]
        for col in (*STATS, *FIT_PARAMS, "entropy"):
            np.testing.assert_array_equal(rows[col].to_numpy(float),
                                          want[col].to_numpy(float), err_msg=f"{path} {col}")
        assert rows["best_model"].tolist() == want["best_model"].tolist()
    for path in bad:
        rows = df[df["recording"] == path]
        assert len(rows) == 1
        row = rows.iloc[0]
        assert row["error"] == recordings["errors"][path]
        assert pd.isna(row["unit"]) and pd.isna(row["n_spikes"]) and pd.isna(row["entropy"])


def _parts(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}


@pytest.mark.filterwarnings("ignore::FutureWarning")  # dask.dataframe's own pandas calls
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_run_matches_direct_computation_and_reads_as_one_table(cluster, recordings,
                                                                 tmp_path):
    import duckdb
    import pyarrow.dataset as ds
    from dask import dataframe as dd

    out = tmp_path / "results"
    inputs = recordings["all"] + [recordings["sessions"]]
    seen: list[tuple] = []

    class Recorder:  # the _lib.progress protocol
        def step(self, description, total=None):
            seen.append((description, total))
            return 7

        def advance(self, task, n=1):
            seen.append((task, n))

    summary = ck.batch.run(inputs, out, scheduler=cluster.address, progress=Recorder())
    n = len(recordings["paths"])
    assert (summary.done, summary.failed, summary.skipped) == (n - 2, 2, 0)
    assert summary.errors == recordings["errors"]
    assert seen == [("recordings", n)] + [(7, 1)] * n
    df = pd.read_parquet(out)
    assert summary.n_rows == len(df)
    _check_table(df, recordings, recordings["good"] + recordings["found"], recordings["bad"])
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("part-")) == \
        ["_batch.lock", "_manifest.json"]
    assert len(_parts(out)) == n

    # pyarrow, dask.dataframe and DuckDB read the same table
    key = ["recording", "unit"]
    canon = df.sort_values(key).reset_index(drop=True)
    for other in (ds.dataset(out).to_table().to_pandas(),
                  dd.read_parquet(str(out)).compute(),
                  duckdb.sql(f"SELECT * FROM read_parquet('{out}/*.parquet')").df()):
        other = other.sort_values(key).reset_index(drop=True)
        assert list(other.columns) == COLUMNS and len(other) == len(canon)
        np.testing.assert_array_equal(other["cv"].to_numpy(float), canon["cv"].to_numpy(float))
        assert other["error"].isna().sum() == canon["error"].isna().sum()
    # DuckDB's per-recording median CV equals the in-process computation
    medians = duckdb.sql(
        f"SELECT recording, median(cv) AS m FROM read_parquet('{out}/*.parquet') "
        "WHERE error IS NULL GROUP BY recording").df().set_index("recording")["m"]
    for path in recordings["good"] + recordings["found"]:
        want = ck.isi.stats(ck.io.load_spikes(path))["cv"].median()
        assert medians[path] == pytest.approx(want, rel=1e-12), path

    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["cortexkit"] == ck.__version__ and manifest["status"] == "complete"
    assert [a["name"] for a in manifest["analyses"]] == ["isi_stats", "isi_fits", "entropy"]
    assert manifest["analyses"][1]["params"] == {"criterion": "aic", "min_isi": 10,
                                                 "ks": False}
    entry = manifest["inputs"][recordings["good"][0]]
    st = os.stat(recordings["good"][0])
    assert (entry["size"], entry["mtime_ns"], entry["status"]) == (st.st_size,
                                                                   st.st_mtime_ns, "done")
    assert manifest["inputs"][recordings["bad"][0]]["status"] == "failed"


def test_rerun_computes_only_missing_failed_and_changed(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    work = tmp_path / "inputs"
    work.mkdir()
    inputs = []
    for p in recordings["good"][:5] + recordings["bad"]:
        dst = work / Path(p).name
        dst.write_bytes(Path(p).read_bytes())
        inputs.append(str(dst))
    first = ck.batch.run(inputs, out, scheduler=cluster.address)
    assert (first.done, first.failed) == (5, 2)
    before = _parts(out)

    changed = inputs[1]  # new content, same name
    st, counts = _simulate(77)
    ck.io.save_spikes(st, changed)
    missing = inputs[2]
    (out / ck.batch._store.part_name(missing)).unlink()
    second = ck.batch.run(inputs, out, scheduler=cluster.address)
    assert set(second.computed) == {changed, missing, *inputs[5:]}
    assert (second.done, second.failed, second.skipped) == (2, 2, 3)
    after = _parts(out)
    for r in set(inputs) - set(second.computed):
        name = ck.batch._store.part_name(r)
        assert after[name] == before[name]  # untouched
    df = pd.read_parquet(out)
    assert df.loc[df["recording"] == changed, "n_spikes"].tolist() == counts

    third = ck.batch.run(inputs, out, scheduler=cluster.address)
    assert set(third.computed) == set(inputs[5:]) and third.skipped == 5

    # other analyses: every recording is recomputed, with the new columns only
    fourth = ck.batch.run(inputs, out, analyses=["isi_stats"], scheduler=cluster.address)
    assert fourth.skipped == 0 and len(fourth.computed) == 7
    assert list(pd.read_parquet(out).columns) == ["recording", "unit", *STATS, "error"]
    # ... and refused when recordings of the old analyses would stay beside the new ones
    with pytest.raises(ValidationError, match="other analyses"):
        ck.batch.run(inputs[:2], out, analyses=["entropy"], scheduler=cluster.address)


def test_timeout_memory_and_crash_are_error_rows_and_the_run_finishes(cluster, tmp_path):
    from batch_helpers import CRASH, GREEDY, HANG

    folder = tmp_path / "rec"
    folder.mkdir()
    paths = {}
    for name, ids in (("ok1", None), ("hang", [1, 2, HANG]), ("greedy", [1, GREEDY, 3]),
                      ("crash", [CRASH, 5, 6]), ("ok2", None)):
        st, _ = _simulate(len(paths), ids)
        paths[name] = str(folder / f"{name}.npz")
        ck.io.save_spikes(st, paths[name])
    out = tmp_path / "results"
    summary = ck.batch.run([p for k, p in paths.items() if k != "hang"], out,
                           analyses=["isi_stats", _trap()], scheduler=cluster.address)
    assert (summary.done, summary.failed) == (2, 2), summary.errors
    assert "out of memory" in summary.errors[paths["greedy"]]
    assert "killed by signal SIGSEGV" in summary.errors[paths["crash"]]
    assert summary.peak_rss["analysis"] > 1e9  # the greedy one got that far, then died
    t0 = time.monotonic()
    hang = ck.batch.run([paths["hang"]], out, analyses=["isi_stats", _trap()],
                        scheduler=cluster.address, timeout=3.0)
    assert time.monotonic() - t0 < 60
    assert hang.errors[paths["hang"]].startswith("timed out: still running after 3 s")
    df = pd.read_parquet(out)
    assert list(df.columns) == ["recording", "unit", *STATS, "trap", "error"]
    assert set(df.loc[df["error"].notna(), "recording"]) == {paths[k] for k in
                                                            ("hang", "greedy", "crash")}
    ok = df[df["error"].isna()]
    assert set(ok["recording"]) == {paths["ok1"], paths["ok2"]}
    np.testing.assert_array_equal(ok["trap"].to_numpy(), ok["unit"].astype(float))
    with cluster.client() as client:  # the workers survived all of it
        assert len(client.scheduler_info()["workers"]) == 2


def _worker_killer(cluster, killed: list[str], delay: float = 0.0, on_kill=None):
    """An ``on_result`` callback that SIGKILLs one busy worker at the first result
    (after ``delay`` s, then ``on_kill()``) and records its name in ``killed``."""
    def kill_a_busy_worker(recording: str, error: str | None) -> None:
        if killed:
            return
        with cluster.client() as client:
            busy = {a: keys for a, keys in client.processing().items() if keys}
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
        victim = names[next(iter(busy))]
        time.sleep(delay)
        proc = cluster.workers[victim]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if on_kill is not None:
            on_kill()
        killed.append(victim)

    return kill_a_busy_worker


def test_killed_worker_mid_run_loses_nothing(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    killed: list[str] = []
    kill_a_busy_worker = _worker_killer(cluster, killed)

    inputs = recordings["good"]
    try:
        summary = ck.batch.run(inputs, out, analyses=[*ck.batch.DEFAULT_ANALYSES,
                                                      _trap(slow=0.5)],
                               scheduler=cluster.address, on_result=kill_a_busy_worker)
        assert killed and (summary.done, summary.failed) == (N_GOOD, 0)
        df = pd.read_parquet(out).drop(columns="trap")
        _check_table(df, recordings, inputs)
        assert not list(out.glob(".*"))
        with cluster.client() as client:
            assert len(client.scheduler_info()["workers"]) == 1
    finally:  # restore two workers for the other tests
        cluster.add_worker()
        cluster.wait_for_workers(2)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_killed_worker_mid_chunk_keeps_its_finished_parts(cluster, recordings, tmp_path,
                                                          monkeypatch):
    """Tasks of three recordings; a worker killed mid-task: the retry elsewhere does not
    rewrite the parts that task had finished, and every recording is counted once."""
    from cortexkit.batch import _run

    monkeypatch.setattr(_run, "_chunk",
                        lambda queue, threads: [queue.popleft() for _ in
                                                range(min(3, len(queue)))])
    out = tmp_path / "results"
    killed: list[str] = []
    before_kill: dict[str, int] = {}
    # 0.7 s into the victim's task: one of its recordings done (0.5 s each)
    kill_a_busy_worker = _worker_killer(cluster, killed, delay=0.7,
                                        on_kill=lambda: before_kill.update(_parts(out)))

    inputs = recordings["good"]
    try:
        summary = ck.batch.run(inputs, out, analyses=[*ck.batch.DEFAULT_ANALYSES,
                                                      _trap(slow=0.5)],
                               scheduler=cluster.address, on_result=kill_a_busy_worker)
        assert killed and (summary.done, summary.failed) == (N_GOOD, 0)
        assert sorted(summary.computed) == sorted(inputs)  # each once
        df = pd.read_parquet(out).drop(columns="trap")
        _check_table(df, recordings, inputs)
        after = _parts(out)
        assert len(before_kill) > 3  # the first task's three, and more of the victim's
        assert all(after[name] == mtime for name, mtime in before_kill.items())
    finally:
        cluster.add_worker()
        cluster.wait_for_workers(2)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_task_lost_for_good_runs_its_recordings_one_per_task(recordings, tmp_path,
                                                            monkeypatch):
    """Tasks of three recordings on a scheduler that allows no retries: the task whose
    worker is killed fails (KilledWorker), and its unfinished recordings run again one per
    task, so none of them becomes an error row."""
    from cortexkit.batch import _run

    monkeypatch.setattr(_run, "_chunk",
                        lambda queue, threads: [queue.popleft() for _ in
                                                range(min(3, len(queue)))])
    cluster = _Cluster(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    try:
        cluster.add_worker()
        cluster.add_worker()
        cluster.wait_for_workers(2)
        killed: list[str] = []
        out = tmp_path / "results"
        inputs = recordings["good"]
        summary = ck.batch.run(inputs, out, analyses=[*ck.batch.DEFAULT_ANALYSES,
                                                      _trap(slow=0.5)],
                               scheduler=cluster.address,
                               on_result=_worker_killer(cluster, killed, delay=0.7))
        assert killed and (summary.done, summary.failed) == (N_GOOD, 0)
        assert sorted(summary.computed) == sorted(inputs)
        df = pd.read_parquet(out).drop(columns="trap")
        _check_table(df, recordings, inputs)
    finally:
        cluster.close()


def test_tasks_shrink_to_single_recordings_towards_the_end():
    from collections import deque

    from cortexkit.batch import _run

    def task(size):
        return {"meta": {"fingerprint": {"size": size}}}

    queue = deque(task(10) for _ in range(100))
    sizes = []
    while queue:
        sizes.append(len(_run._chunk(queue, 2)))
    assert sum(sizes) == 100 and max(sizes) == _run._MAX_CHUNK
    assert sizes == sorted(sizes, reverse=True) and sizes[-4:] == [1] * 4
    big = deque(task(_run._CHUNK_BYTES // 2 + 1) for _ in range(100))
    assert len(_run._chunk(big, 1)) == 1  # the input bytes bound a task too
    assert len(_run._chunk(deque([task(10 * _run._CHUNK_BYTES)]), 1)) == 1


def test_quality_analysis_gives_the_quality_metrics(cluster, recordings, tmp_path):
    path = recordings["found"][1]  # an ALF session
    out = tmp_path / "results"
    summary = ck.batch.run([path], out, analyses=["quality", "entropy"],
                           scheduler=cluster.address)
    assert summary.done == 1, summary.errors
    df = pd.read_parquet(out).set_index("unit")
    want = ck.quality.metrics(ck.io.load_spikes(path))
    want.index = want.pop("unit").astype(str)
    assert list(df.columns) == ["recording", *want.columns, "entropy", "error"]
    for col in want.columns:
        np.testing.assert_array_equal(df[col].to_numpy(float), want[col].to_numpy(float),
                                      err_msg=col)
    assert df["slidingrp_pass"].dtype == bool


def test_leftover_temporary_files_are_removed(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    ck.batch.run(recordings["good"][:1], out, scheduler=cluster.address)
    stale = out / ".part-0123456789abcdef0123.parquet.a1b2c3d4e5f6.tmp"
    stale.write_bytes(b"half a part")
    summary = ck.batch.run(recordings["good"][:1], out, scheduler=cluster.address)
    assert summary.skipped == 1 and not stale.exists()
    assert sorted(p.name for p in out.iterdir())[:2] == ["_batch.lock", "_manifest.json"]


def test_local_cluster_is_quiet_and_on_loopback(recordings, tmp_path, capfd):
    import psutil

    listening: list[str] = []

    def record_sockets(recording: str, error: str | None) -> None:
        me = psutil.Process()
        for proc in [me, *me.children(recursive=True)]:
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    listening.append(conn.laddr.ip)

    inputs = [recordings["good"][0], recordings["good"][1]]
    summary = ck.batch.run(inputs, tmp_path / "local", workers=2, on_result=record_sockets)
    assert (summary.done, summary.failed, summary.skipped) == (2, 0, 0)
    _check_table(pd.read_parquet(tmp_path / "local"), recordings, inputs)
    # scheduler, nannies and workers (each with its HTTP endpoint) all on 127.0.0.1
    assert len(listening) >= 4 and set(listening) == {"127.0.0.1"}
    captured = capfd.readouterr()  # every process writes to these file descriptors
    assert captured.err == "" and captured.out == ""


def test_cli_json_summary_analyses_and_rerun(cluster, recordings, tmp_path, capsys):
    out = tmp_path / "cli"
    inputs = [recordings["good"][0], recordings["good"][1], recordings["bad"][1]]
    rc = main(["batch", *inputs, "--out", str(out), "--scheduler", cluster.address,
               "--analyses", "isi_stats,entropy", "--timeout", "60", "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    summary = json.loads(captured.out)
    assert (summary["done"], summary["failed"], summary["skipped"]) == (2, 1, 0)
    assert summary["n_rows"] == 2 * len(UNITS) + 1
    assert summary["errors"] == {inputs[2]: recordings["errors"][inputs[2]]}
    assert list(pd.read_parquet(out).columns) == ["recording", "unit", *STATS, "entropy",
                                                  "error"]
    # nothing left to do but the bad file
    rc = main(["batch", *inputs, "--out", str(out), "--scheduler", cluster.address,
               "--analyses", "isi_stats,entropy"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "0 done, 1 failed, 2 skipped" in captured.out
    assert captured.err.startswith(f"failed: {inputs[2]}: ")


@pytest.mark.parametrize("args, message", [
    (["--out", "{tmp}/r"], "no INPUTS"),
    (["{rec}"], "--out is required"),
    (["{rec}", "--out", "{tmp}/r", "--workers", "0"], "--workers must be at least 1"),
    (["{rec}", "--out", "{tmp}/r", "--timeout", "0"], "--timeout must be a positive"),
    (["{rec}", "--out", "{tmp}/r", "--analyses", "isi_stats,nope"], "--analyses takes"),
    (["{rec}", "--out", "{tmp}/foreign.parquet"], "is a file"),
    (["{rec}", "--out", "{tmp}"], "not a cortexkit batch dataset"),
    (["{rec}", "--out", "{tmp}/r", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "--workers applies to the local cluster only"),
])
def test_cli_bad_usage_exits_2_with_one_line(args, message, recordings, tmp_path, capsys):
    foreign = pd.DataFrame({"a": [1, 2]})
    foreign.to_parquet(tmp_path / "foreign.parquet")
    argv = [a.format(tmp=tmp_path, rec=recordings["good"][0]) for a in args]
    rc = main(["batch", *argv])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "foreign.parquet"), foreign)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": []}, "inputs is empty"),
    ({"inputs": [3]}, "inputs must hold file or folder paths"),
    ({"analyses": ["nope"]}, "unknown analysis 'nope'"),
    ({"analyses": []}, "analyses is empty"),
    ({"workers": 0}, "workers must be a positive integer, got 0"),
    ({"workers": True}, "workers must be a positive integer"),
    ({"timeout": -1}, "timeout must be a positive number"),
    ({"timeout": float("nan")}, "timeout must be a positive number"),
    ({"memory_limit": "lots"}, "memory_limit must be a size"),
    ({"scheduler": "tcp://127.0.0.1:1", "workers": 2}, "workers applies to the local"),
    ({"scheduler": "bogus://127.0.0.1:1"}, "cannot connect to the Dask scheduler"),
])
def test_run_validates_arguments(kwargs, message, recordings, tmp_path):
    args = {"inputs": recordings["good"][:1], "out": tmp_path / "r", **kwargs}
    with pytest.raises(ValidationError, match=message):
        ck.batch.run(**args)
    assert not list((tmp_path / "r").glob("part-*"))


def test_dashboard_only_when_asked_and_on_loopback(recordings, tmp_path):
    try:
        import bokeh  # noqa: F401
    except ImportError:
        with pytest.raises(ck.errors.MissingDependencyError, match="bokeh"):
            ck.batch.run(recordings["good"][:1], tmp_path / "r", workers=1, dashboard=True)
        return
    links: list[str] = []
    summary = ck.batch.run(recordings["good"][:1], tmp_path / "r", workers=1,
                           dashboard=True, on_dashboard=links.append)
    assert links == [summary.dashboard] and links[0].startswith("http://127.0.0.1:")


def test_find_recordings_in_a_folder_of_sessions(recordings, tmp_path):
    found = ck.batch.find_recordings([recordings["sessions"], recordings["good"][0]])
    assert [r for r, _ in found] == recordings["found"] + [recordings["good"][0]]
    assert all(os.path.isabs(p) for _, p in found)
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "notes.txt").write_text("no spikes here")
    with pytest.raises(ValidationError, match="holds no recordings"):
        ck.batch.find_recordings([tmp_path / "nothing"])


def test_a_part_is_one_atomic_file_with_its_provenance(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    ck.batch.run(recordings["good"][:1], out, scheduler=cluster.address)
    [part] = out.glob("part-*.parquet")
    meta = json.loads(pq.read_schema(part).metadata[b"cortexkit"])
    st = os.stat(recordings["good"][0])
    assert meta["recording"] == recordings["good"][0] and meta["error"] is None
    assert meta["fingerprint"]["size"] == st.st_size
    assert meta["fingerprint"]["mtime_ns"] == st.st_mtime_ns
    assert meta["cortexkit"] == ck.__version__


def test_import_cortexkit_batch_does_not_import_dask():
    code = ("import sys, cortexkit, cortexkit.batch; "
            "bad = [m for m in ('dask', 'distributed') if m in sys.modules]; "
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


_SCRIPT = """
import sys
sys.path.insert(0, {helpers!r})
import cortexkit as ck
from cortexkit.cli import main

if __name__ == "__main__":
    ck.batch.ANALYSES["trap"] = ck.batch.Analysis(
        "trap", "batch_helpers:trap", {{"trap": "float64"}}, {{"slow": 0.8}})
    where = sys.argv[2].split()  # --workers 2, or --scheduler ADDRESS
    sys.exit(main(["batch", *sys.argv[3:], "--out", sys.argv[1],
                   "--analyses", "isi_stats,trap", *where]))
"""


def _start_batch(tmp_path: Path, inputs: list[str], out: Path,
                 where: str = "--workers 2") -> subprocess.Popen:
    script = tmp_path / "run_batch.py"
    script.write_text(_SCRIPT.format(helpers=str(HERE)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(HERE)]))
    # a session of its own: its process group is what a terminal's Ctrl-C would reach
    return subprocess.Popen([sys.executable, str(script), str(out), where, *inputs], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_parts(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 180
    while len(list(out.glob("part-*.parquet"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.05)


def _group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _finish_and_check(cluster, inputs: list[str], out: Path, done_before: set[str],
                      recordings: dict) -> None:
    for part in out.glob("part-*.parquet"):  # every part there is whole
        pq.read_table(part)
    rerun = ck.batch.run(inputs, out, analyses=["isi_stats", _trap(slow=0.8)],
                         scheduler=cluster.address)
    assert set(rerun.computed) == set(inputs) - done_before
    assert rerun.skipped == len(done_before) and rerun.failed == 0
    assert not list(out.glob(".*"))
    df = pd.read_parquet(out)
    assert set(df["recording"]) == set(inputs) and df["error"].isna().all()
    for path in inputs:
        rows = df[df["recording"] == path]
        assert rows["n_spikes"].tolist() == recordings["counts"][path]


def test_ctrl_c_stops_promptly_and_keeps_finished_parts(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    inputs = recordings["good"][:6]
    proc = _start_batch(tmp_path, inputs, out)
    _wait_for_parts(proc, out, 2)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 20
    assert proc.returncode == 130, err
    assert err.startswith("interrupted: the finished recordings are kept in") and \
        len(err.splitlines()) == 1, err
    assert _group_gone(proc.pid, 20), "worker processes outlived the interrupted run"
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert not list(out.glob(".*"))
    done = {r for r, e in manifest["inputs"].items() if e["status"] == "done"}
    assert len(done) >= 2 and len(done) == len(list(out.glob("part-*.parquet")))
    _finish_and_check(cluster, inputs, out, done, recordings)


def test_sigkill_of_the_client_keeps_finished_parts(cluster, recordings, tmp_path):
    # (bench_batch.py kills the client of a local cluster, whose processes exit with it)
    out = tmp_path / "results"
    inputs = recordings["good"][:6]
    proc = _start_batch(tmp_path, inputs, out, f"--scheduler {cluster.address}")
    _wait_for_parts(proc, out, 2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    time.sleep(1.0)  # tasks that were running finish their (whole) parts
    done = {json.loads(pq.read_schema(p).metadata[b"cortexkit"])["recording"]
            for p in out.glob("part-*.parquet")}
    assert len(done) >= 2
    _finish_and_check(cluster, inputs, out, done, recordings)
