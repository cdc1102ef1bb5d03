"""ck.batch.run and `cortexkit batch` on a real Dask cluster (scheduler + 2 worker processes).

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
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.batch import COLUMNS, STATS_COLUMNS
from cortexkit.cli import main
from cortexkit.errors import CortexkitError, ValidationError

DASK = Path(sys.executable).with_name("dask")
N_GOOD = 18
DURATION = 20.0
# (gamma shape, rate Hz) of the three simulated units of every recording
UNITS = ((1.0, 15.0), (3.0, 10.0), (0.6, 8.0))


def _simulate(seed: int) -> tuple[ck.SpikeTrains, list[int]]:
    rng = np.random.default_rng(seed)
    trains = []
    for shape, rate in UNITS:
        isi = rng.gamma(shape, 1.0 / (shape * rate), size=int(3 * rate * DURATION) + 50)
        t = np.cumsum(isi)
        trains.append(t[t < DURATION])
    unit_ids = [int(u) for u in rng.choice(500, size=len(UNITS), replace=False)]
    st = ck.SpikeTrains.from_list(trains, unit_ids=unit_ids, t_stop=DURATION)
    return st, [len(t) for t in trains]


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """18 simulated recordings (npz, parquet, csv) plus a corrupt and an empty file.

    Also holds each good recording's table computed directly in this process.
    """
    folder = tmp_path_factory.mktemp("recordings")
    good, counts, direct = [], {}, {}
    for i in range(N_GOOD):
        st, n = _simulate(i)
        path = folder / f"rec{i:02d}.{('npz', 'parquet', 'csv')[i % 3]}"
        ck.io.save_spikes(st, path)
        good.append(str(path))
        counts[str(path)] = n
        direct[str(path)] = _direct(str(path))
    corrupt = folder / "corrupt.npz"
    corrupt.write_bytes(np.random.default_rng(1).bytes(700))
    empty = folder / "empty.npz"
    empty.write_bytes(b"")
    bad = [str(corrupt), str(empty)]
    return {"good": good, "bad": bad, "all": good[:8] + bad + good[8:], "counts": counts,
            "direct": direct}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """A `dask scheduler` and `dask worker` subprocesses on 127.0.0.1."""

    def __init__(self) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.procs: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        port = self.address.rsplit(":", 1)[1]
        # --dashboard-address keeps the remaining HTTP endpoints off 0.0.0.0
        self._spawn([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port,
                     "--no-dashboard", "--dashboard-address", "127.0.0.1:0"])

    def _spawn(self, cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def add_worker(self) -> None:
        name = f"w{len(self.workers)}"
        self.workers[name] = self._spawn([str(DASK), "worker", self.address, "--nthreads", "1",
                                          "--no-dashboard", "--dashboard-address",
                                          "127.0.0.1:0", "--no-nanny", "--host",
                                          "127.0.0.1", "--name", name])

    def client(self):
        from distributed import Client

        return Client(self.address, timeout="30s")

    def wait_for_workers(self, n: int) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=60)

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
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


def _direct(path: str) -> pd.DataFrame:
    """The per-unit table computed in this process with the library functions."""
    st = ck.io.load_spikes(path)
    stats = ck.isi.stats(st).set_index("unit")
    best = ck.isi.fit_all(st).set_index("unit")["best_model"]
    ent = ck.information.isi_entropy(st).set_index("unit")["entropy"]
    table = stats.loc[:, list(STATS_COLUMNS)].copy()
    table["best_model"] = best.reindex(table.index)
    table["entropy"] = ent.reindex(table.index)
    return table


def _expected_error(path: str) -> str:
    try:
        ck.io.load_spikes(path)
    except CortexkitError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError(f"{path} loaded without error")


def _check_table(df: pd.DataFrame, recordings: dict, good=None, bad=None) -> None:
    good = recordings["good"] if good is None else good
    bad = recordings["bad"] if bad is None else bad
    assert list(df.columns) == list(COLUMNS)
    assert set(df["recording"]) == set(good) | set(bad)
    for path in good:
        rows = df[df["recording"] == path].set_index("unit")
        assert rows["error"].isna().all(), rows["error"].tolist()
        want = recordings["direct"][path]
        assert rows.index.tolist() == want.index.tolist()
        # independent check: the number of spikes simulated for each unit
        assert rows["n_spikes"].tolist() == recordings["counts"][path]
        for col in STATS_COLUMNS + ("entropy",):
            np.testing.assert_array_equal(rows[col].to_numpy(float),
                                          want[col].to_numpy(float), err_msg=f"{path} {col}")
        assert rows["best_model"].tolist() == want["best_model"].tolist()
    for path in bad:
        rows = df[df["recording"] == path]
        assert len(rows) == 1
        row = rows.iloc[0]
        assert row["error"] == _expected_error(path)
        assert pd.isna(row["unit"]) and pd.isna(row["n_spikes"]) and pd.isna(row["entropy"])


@pytest.mark.slow
def test_batch_on_running_scheduler_matches_direct_computation(cluster, recordings, tmp_path):
    out = tmp_path / "results.parquet"
    summary = ck.batch.run(recordings["all"], out, scheduler=cluster.address)
    assert (summary.done, summary.failed, summary.skipped) == (N_GOOD, 2, 0)
    assert set(summary.errors) == set(recordings["bad"])
    assert summary.n_inputs == N_GOOD + 2
    df = pd.read_parquet(out)
    assert summary.n_rows == len(df) == N_GOOD * len(UNITS) + 2
    _check_table(df, recordings)
    # recordings appear in input order
    assert list(dict.fromkeys(df["recording"])) == recordings["all"]
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_killed_worker_mid_run_still_gives_complete_results(cluster, recordings, tmp_path):
    out = tmp_path / "results.parquet"
    killed: list[str] = []
    seen: list[str] = []

    def kill_first_busy_worker(recording: str, error: str | None) -> None:
        seen.append(recording)
        if killed:
            return
        # after the first result: kill a worker that holds unfinished tasks
        with cluster.client() as client:
            busy = {a: keys for a, keys in client.processing().items() if keys}
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
        assert busy, "no worker was processing a task"
        victim = names[next(iter(busy))]
        proc = cluster.workers[victim]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed.append(victim)

    try:
        summary = ck.batch.run(recordings["all"], out, scheduler=cluster.address,
                               on_result=kill_first_busy_worker)
        assert killed and len(seen) == N_GOOD + 2
        assert (summary.done, summary.failed, summary.skipped) == (N_GOOD, 2, 0)
        _check_table(pd.read_parquet(out), recordings)
        with cluster.client() as client:
            assert len(client.scheduler_info()["workers"]) == 1
    finally:  # restore two workers for the other tests
        cluster.add_worker()
        cluster.wait_for_workers(2)


@pytest.mark.slow
def test_interrupted_run_keeps_finished_work_and_rerun_does_only_the_rest(
        cluster, recordings, tmp_path):
    from distributed import get_task_stream

    out = tmp_path / "results.parquet"
    first: dict[str, str | None] = {}

    def interrupt_after_six(recording: str, error: str | None) -> None:
        first[recording] = error
        # every checkpoint is a complete table of what has finished so far
        assert set(pd.read_parquet(out)["recording"]) == set(first)
        if len(first) == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ck.batch.run(recordings["all"], out, scheduler=cluster.address, checkpoint_seconds=0,
                     on_result=interrupt_after_six)
    partial = pd.read_parquet(out)
    assert set(partial["recording"]) == set(first)
    ok = {r for r, e in first.items() if e is None}
    _check_table(partial, recordings, good=[r for r in recordings["good"] if r in ok],
                 bad=[r for r in recordings["bad"] if r in first])

    rerun: list[str] = []
    with cluster.client() as spy, get_task_stream(spy) as stream:
        summary = ck.batch.run(recordings["all"], out, scheduler=cluster.address,
                               on_result=lambda r, e: rerun.append(r))
    ran = [t for t in stream.data if str(t["key"]).startswith("cortexkit-batch-")]
    missing = set(recordings["all"]) - ok          # failed recordings are retried
    assert len(ran) == len(missing) and set(rerun) == missing
    assert summary.skipped == len(ok)
    assert summary.done + summary.failed == len(missing) and summary.failed == 2
    final = pd.read_parquet(out)
    _check_table(final, recordings)
    # rows of the recordings finished before the interruption are kept unchanged
    pd.testing.assert_frame_equal(
        final[final["recording"].isin(ok)].reset_index(drop=True),
        partial[partial["recording"].isin(ok)].reset_index(drop=True))

    # a third run finds nothing to do but the two bad files
    again = ck.batch.run(recordings["all"], out, scheduler=cluster.address)
    assert (again.done, again.failed, again.skipped) == (0, 2, N_GOOD)
    pd.testing.assert_frame_equal(pd.read_parquet(out), final)


def test_rerun_keeps_rows_of_other_recordings(cluster, recordings, tmp_path):
    out = tmp_path / "results.parquet"
    ck.batch.run(recordings["good"][:2], out, scheduler=cluster.address)
    summary = ck.batch.run(recordings["good"][2:4], out, scheduler=cluster.address)
    assert (summary.done, summary.skipped) == (2, 0)
    _check_table(pd.read_parquet(out), recordings, good=recordings["good"][:4], bad=[])


def test_integer_and_text_unit_ids_merge_as_text(cluster, recordings, tmp_path):
    st, _ = _simulate(99)
    labelled = ck.SpikeTrains.from_list(st.to_list(), unit_ids=["good_1", "mua_2", "good_3"],
                                        t_stop=DURATION)
    ck.io.save_spikes(labelled, tmp_path / "labelled.parquet")
    out = tmp_path / "results.parquet"
    first = ck.batch.run([recordings["good"][0]], out, scheduler=cluster.address)
    assert pd.read_parquet(out)["unit"].dtype == "Int64" and first.done == 1
    ck.batch.run([str(tmp_path / "labelled.parquet")], out, scheduler=cluster.address)
    df = pd.read_parquet(out)
    assert pd.api.types.is_string_dtype(df["unit"])
    ids = [str(u) for u in recordings["direct"][recordings["good"][0]].index]
    assert df["unit"].tolist() == ids + ["good_1", "mua_2", "good_3"]
    np.testing.assert_array_equal(df["n_spikes"].to_numpy(int)[3:], labelled.counts)


@pytest.mark.slow
def test_default_local_cluster_listens_on_loopback_only(recordings, tmp_path):
    import psutil

    listening: list[str] = []

    def record_sockets(recording: str, error: str | None) -> None:
        me = psutil.Process()
        for proc in [me, *me.children(recursive=True)]:
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    listening.append(conn.laddr.ip)

    inputs = [recordings["good"][0], recordings["bad"][0]]
    summary = ck.batch.run(inputs, tmp_path / "local.parquet", workers=1,
                           on_result=record_sockets)
    assert (summary.done, summary.failed, summary.skipped) == (1, 1, 0)
    _check_table(pd.read_parquet(tmp_path / "local.parquet"), recordings, good=inputs[:1],
                 bad=inputs[1:])
    # scheduler, nanny and worker (each with its HTTP endpoint) all on 127.0.0.1
    assert len(listening) >= 4 and set(listening) == {"127.0.0.1"}


def test_cli_json_summary_and_rerun(cluster, recordings, tmp_path, capsys):
    out = tmp_path / "cli.parquet"
    inputs = [recordings["good"][0], recordings["good"][1], recordings["bad"][1]]
    rc = main(["batch", *inputs, "--out", str(out), "--scheduler", cluster.address, "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    summary = json.loads(captured.out)
    assert (summary["done"], summary["failed"], summary["skipped"]) == (2, 1, 0)
    assert summary["n_rows"] == 2 * len(UNITS) + 1
    assert summary["errors"] == {recordings["bad"][1]: _expected_error(recordings["bad"][1])}
    _check_table(pd.read_parquet(out), recordings, good=inputs[:2], bad=inputs[2:])

    # nothing left to do: no cluster is needed, the summary goes to stdout
    rc = main(["batch", *inputs[:2], "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0
    assert "0 done, 0 failed, 2 skipped" in captured.out


@pytest.mark.parametrize("args, message", [
    (["--out", "{tmp}/r.parquet"], "no INPUTS"),
    (["{rec}"], "--out is required"),
    (["{rec}", "--out", "{tmp}/r.parquet", "--workers", "0"], "--workers must be at least 1"),
    (["{rec}", "--out", "{tmp}"], "is a directory"),
    (["{rec}", "--out", "{tmp}/r.csv"], "must end with .parquet"),
    (["{rec}", "--out", "{tmp}/foreign.parquet"], "not a cortexkit batch table"),
    (["{rec}", "--out", "{tmp}/r.parquet", "--workers", "2", "--scheduler",
      "tcp://127.0.0.1:1"], "--workers applies to the local cluster only"),
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
    assert not (tmp_path / "r.parquet").exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": []}, "inputs is empty"),
    ({"inputs": [3]}, "inputs must hold file paths"),
    ({"workers": 0}, "workers must be a positive integer, got 0"),
    ({"workers": True}, "workers must be a positive integer"),
    ({"workers": 1.5}, "workers must be a positive integer"),
    ({"scheduler": "tcp://127.0.0.1:1", "workers": 2}, "workers applies to the local"),
    ({"scheduler": "bogus://127.0.0.1:1"}, "cannot connect to the Dask scheduler"),
    ({"checkpoint_seconds": -1}, "checkpoint_seconds"),
    ({"retries": -1}, "retries"),
])
def test_run_validates_arguments(kwargs, message, tmp_path):
    args = {"inputs": ["a.npz"], "out": tmp_path / "r.parquet", **kwargs}
    with pytest.raises(ValidationError, match=message):
        ck.batch.run(**args)
    assert not (tmp_path / "r.parquet").exists()


def test_import_cortexkit_does_not_import_dask():
    code = ("import sys, cortexkit, cortexkit.batch; "
            "bad = [m for m in ('dask', 'distributed') if m in sys.modules]; "
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0

