"""Regression tests of issue 14 for the loaders: every defect class, one table row each.

Each case builds the bad input the issue describes and asserts a CortexkitError subclass
(DataFormatError for files) whose message names the file/field and the fix -- never
another exception type, a hang, a huge allocation or a silently wrong result.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import scipy.sparse

import cortexkit as ck
from cortexkit.errors import CortexkitError, DataFormatError

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def _npy_bytes(arr: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True, **kw)
    return buf.getvalue()


def _object_npy(pickle_stream: bytes, shape=(1,)) -> bytes:
    """An .npy file with an object-dtype header followed by ``pickle_stream``."""
    header = np.lib.format.header_data_from_array_1_0(np.empty(shape, dtype=object))
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + pickle_stream


class _Reduce:
    """Pickles as ``func(*args)`` (+ ``state``): how a crafted file would look."""

    def __init__(self, func, args, state=None):
        self.r = (func, args) if state is None else (func, args, state)

    def __reduce__(self):
        return self.r


def _alloc_pickle(n: int) -> bytes:
    """A pickle calling numpy.ndarray((n,), 'f4'): uninitialised memory, not file data."""
    return pickle.dumps(_Reduce(np.ndarray, ((n,), "f4")), protocol=2)


def _short_object_state() -> bytes:
    """An object array whose state claims 10**6 items but holds none (crashed numpy)."""
    reconstruct = np.ndarray((0,)).__reduce__()[0]
    return pickle.dumps(_Reduce(reconstruct, (np.ndarray, (0,), b"b"),
                                (1, (10**6,), np.dtype("O"), False, [])), protocol=2)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


def _damaged_header(tmp: Path) -> Path:
    raw = bytearray(_npy_bytes(np.arange(5.0)))
    raw[10:20] = b"{'descr': "[:10].replace(b"'", b'"')[::-1]  # unbalanced quotes
    return _write(tmp, "bad.npy", bytes(raw))


def _zip_flag(tmp: Path, flag: int = 0, method: int | None = None) -> Path:
    p = tmp / "x.npz"
    np.savez(p, spike_times=np.arange(3.0))
    raw = bytearray(p.read_bytes())
    for sig, off_flag, off_method in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        i = raw.find(sig)
        if flag:
            raw[i + off_flag] |= flag
        if method is not None:
            raw[i + off_method:i + off_method + 2] = struct.pack("<H", method)
    p.write_bytes(bytes(raw))
    return p


def _bomb(tmp: Path) -> Path:
    p = tmp / "bomb.npz"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("spike_times.npy", _npy_bytes(np.zeros(10_000_000)))  # 80 MB of zeros
    return p


def _phy(tmp: Path, params: str | None, clusters=None) -> Path:
    d = tmp / "phy"
    d.mkdir()
    np.save(d / "spike_times.npy", np.array([10, 20, 30], dtype=np.int64))
    np.save(d / "spike_clusters.npy",
            np.array([1, 1, 2], dtype=np.int64) if clusters is None else clusters)
    if params is not None:
        (d / "params.py").write_text(params)
    return d


def _alf_uint64(tmp: Path) -> Path:
    d = tmp / "alf"
    d.mkdir()
    np.save(d / "spikes.times.npy", np.array([0.1, 0.2]))
    np.save(d / "spikes.clusters.npy", np.array([1, 2**63 + 5], dtype=np.uint64))
    return d


def _obj_items(tmp: Path, item: np.ndarray) -> Path:
    arr = np.empty(2, dtype=object)
    arr[0], arr[1] = np.array([0.1, 0.2]), item
    p = tmp / "trains.npy"
    np.save(p, arr, allow_pickle=True)
    return p


def _mat(tmp: Path, data: dict, name: str = "x.mat", **kw) -> Path:
    p = tmp / name
    scipy.io.savemat(p, data, **kw)
    return p


def _cell(*items) -> np.ndarray:
    c = np.empty((1, len(items)), dtype=object)
    for i, it in enumerate(items):
        c[0, i] = it
    return c


def _mat_zlib_damaged(tmp: Path) -> Path:
    p = _mat(tmp, {"spikes": _cell(np.arange(1000.0) / 7.0)}, do_compression=True)
    raw = bytearray(p.read_bytes())
    raw[150:170] = b"\xff" * 20
    p.write_bytes(bytes(raw))
    return p


def _epochs_nan(tmp: Path) -> Path:
    d = tmp / "ep"
    d.mkdir()
    np.save(d / "spike_times.npy", np.array([0.01, np.nan, 0.02]))
    np.save(d / "ii_spike_times.npy", np.array([[[0, 3]]], dtype=np.int64))
    return d


def _epochs_overlap(tmp: Path) -> Path:
    d = tmp / "ep"
    d.mkdir()
    np.save(d / "spike_times.npy", np.linspace(0.0, 0.09, 100_000))
    np.save(d / "ii_spike_times.npy", np.tile([0, 100_000], (200, 200, 1)).astype(np.int64))
    return d


# (id, builder(tmp) -> path, load options, regex the message must match)
CASES = [
    ("npy-huge-header-shape", lambda t: _write(t, "h.npy", _npy_bytes(np.zeros(3)).replace(
        b"(3,)", b"(10**12,)".replace(b"10**12", b"999999999999"))), {}, "truncated|limit"),
    ("npy-damaged-header", _damaged_header, {}, "damaged .npy header|not a .npy"),
    ("npy-descr-syntax-error", lambda t: _write(t, "d.npy", _npy_bytes(np.zeros(3)).replace(
        b"'<f8'", b"',8f'")), {}, "damaged .npy header"),  # found by the fuzzer
    ("npy-unknown-version", lambda t: _write(t, "v.npy", b"\x93NUMPY\x07\x00" + b"\0" * 40),
     {}, "version"),
    ("pickle-ndarray-constructor", lambda t: _write(t, "a.npy", _object_npy(_alloc_pickle(
        10**9))), {}, "refused"),
    ("pickle-short-object-state", lambda t: _write(t, "s.npy", _object_npy(
        _short_object_state())), {}, "refused"),
    ("pickle-memo-bomb", lambda t: _write(t, "m.npy", _object_npy(
        b"\x80\x02]r" + struct.pack("<I", 753156212) + b".")), {},
     "expected an object array"),
    ("pickle-build-on-other-object", lambda t: _write(t, "b.npy", _object_npy(
        b"\x80\x02\x88}b.")), {}, "refused to set the state"),
    ("npz-encrypted-flag", lambda t: _zip_flag(t, flag=0x1), {}, "encrypted"),
    ("npz-unknown-method", lambda t: _zip_flag(t, method=99), {}, "compression method"),
    ("npz-zip-bomb", _bomb, {}, "inflate"),
    ("params-1e400", lambda t: _phy(t, "sample_rate = 1e400\n"), {}, "plausible"),
    ("params-1e-300", lambda t: _phy(t, "sample_rate = 1e-300\n"), {}, "plausible"),
    ("params-200k-terms", lambda t: _phy(t, "sample_rate = " + "+".join(["1"] * 200_000)),
     {}, "params.py"),
    ("params-nul-bytes", lambda t: _phy(t, "sample_rate = 3\0\n"), {}, "params.py"),
    ("phy-uint64-ids", lambda t: _phy(t, "sample_rate = 30000.0\n", np.array(
        [1, 2, 2**63 + 1], dtype=np.uint64)), {}, "2\\*\\*63"),
    ("alf-uint64-ids", _alf_uint64, {}, "2\\*\\*63"),
    ("object-item-2d", lambda t: _obj_items(t, np.zeros((3, 4))), {}, "shape \\(3, 4\\)"),
    ("object-item-3d", lambda t: _obj_items(t, np.zeros((2, 2, 2))), {}, "shape \\(2, 2, 2\\)"),
    ("mat-complex-cell", lambda t: _mat(t, {"spikes": _cell(np.array([1.0, 2.0]), np.array(
        [1 + 1j, 2.0]))}), {}, "complex"),
    ("mat-sparse-cell", lambda t: _mat(t, {"spikes": _cell(np.array([1.0, 2.0]),
                                                           scipy.sparse.csc_matrix(np.eye(3)))}),
     {}, "sparse"),
    ("mat-char-cell", lambda t: _mat(t, {"spikes": _cell(np.array([1.0, 2.0]), "oops")}), {},
     "char"),
    ("mat-3d-array", lambda t: _mat(t, {"spikes": _cell(np.zeros((2, 3, 4)))}), {}, "3-D"),
    ("mat-no-time-field", lambda t: _mat(t, {"units": {"depth_um": np.array([100.0, 200.0]),
                                                       "name": "u1"}}), {}, "depth_um"),
    ("mat-field-nope", lambda t: _mat(t, {"units": {"time": np.array([0.1, 0.2]),
                                                    "id": np.array([3, 4])}}),
     {"field": "nope"}, "'nope'.*fields \\['id', 'time'\\]"),
    ("mat-damaged-zlib", _mat_zlib_damaged, {}, "damaged MATLAB"),
    ("mat-v73", lambda t: _write(t, "h.mat", b"MATLAB 7.3 MAT-file".ljust(124) + b"\x00\x02IM"
                                 + b"\0" * 64), {}, "v7.3"),
    ("epochs-nan", _epochs_nan, {}, "spike_times.npy: spike time 1 is nan"),
    ("epochs-overlap-bomb", _epochs_overlap, {}, "limit"),
    ("csv-header-only", lambda t: _write(t, "h.csv", b"unit,time\n"), {},
     "no spikes and no t_stop"),
    ("csv-dev-zero", lambda t: Path("/dev/zero"), {"format": "csv"}, "device"),
    ("npy-directory", lambda t: (t / "d.npy").mkdir() or (t / "d.npy"), {"format": "npy"},
     "folder"),
]


@pytest.mark.parametrize("name, build, opts, match", CASES, ids=[c[0] for c in CASES])
def test_bad_file_gives_clear_error(tmp_path, name, build, opts, match):
    path = build(tmp_path)
    limits = {"max_bytes": 1 << 26} if name == "epochs-overlap-bomb" else {}
    with ck.io.read_limits(**limits), pytest.raises(DataFormatError, match=match) as info:
        ck.io.load_spikes(path, **opts)
    assert str(path) in str(info.value) or str(path.name) in str(info.value)


def test_npy_format_3_loads(tmp_path):
    p = tmp_path / "v3.npy"
    with open(p, "wb") as fh:
        np.lib.format.write_array(fh, np.array([0.1, 0.5, 0.9]), version=(3, 0))
    st = ck.io.load_spikes(p)
    np.testing.assert_array_equal(st.train(0), [0.1, 0.5, 0.9])


def test_uninitialised_memory_is_never_returned(tmp_path):
    """Small shapes through numpy.ndarray(shape, dtype) used to return heap garbage."""
    p = _write(tmp_path, "small.npy", _object_npy(_alloc_pickle(8)))
    with pytest.raises(DataFormatError, match="does not come from the file"):
        ck.io.load_spikes(p)


def test_column_vector_items_still_load(tmp_path):
    st = ck.io.load_spikes(_obj_items(tmp_path, np.array([[0.3], [0.4]])))
    np.testing.assert_array_equal(st.train(1), [0.3, 0.4])


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".npz", ".mat", ".nwb", ".parquet"])
def test_named_pipe_is_refused_without_blocking(tmp_path, suffix):
    fifo = tmp_path / f"x{suffix}"
    os.mkfifo(fifo)
    result: list[BaseException | None] = []

    def load():
        try:
            ck.io.load_spikes(fifo)
        except BaseException as exc:  # noqa: BLE001 - recorded and checked below
            result.append(exc)

    th = threading.Thread(target=load, daemon=True)
    th.start()
    th.join(30)
    if th.is_alive():  # unblock the reader so that the test run can end, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("load_spikes blocked on a named pipe")
    assert isinstance(result[0], DataFormatError) and "named pipe" in str(result[0])


def test_read_limits_bound_plain_npy(tmp_path):
    p = tmp_path / "t.npy"
    np.save(p, np.arange(1000.0))
    with ck.io.read_limits(max_bytes=4000), pytest.raises(DataFormatError, match="read_limits"):
        ck.io.load_spikes(p)
    assert ck.io.load_spikes(p).n_spikes == 1000


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
def test_read_limits_validates(bad):
    with pytest.raises(CortexkitError, match="max_bytes"), ck.io.read_limits(max_bytes=bad):
        pass


def test_params_plausible_rate_loads(tmp_path):
    st = ck.io.load_spikes(_phy(tmp_path, "sample_rate = 30000.0\n"))
    np.testing.assert_allclose(st.train(0), [10 / 30000, 20 / 30000])


# -- MATLAB: the own v5 reader gives what scipy.io.loadmat gives on good files -----------------
MAT_LAYOUTS = {
    "cell-of-vectors": {"spikes": _cell(np.array([0.1, 0.2, 0.3]), np.array([[0.5], [0.7]]),
                                        np.zeros((0, 0)), np.array([1, 2], dtype=np.int16))},
    "nested-structs": {"spikes": _cell(_cell({"time": np.array([0.5, 0.6]), "timerange":
                                              np.array([0.0, 10.0]), "meanrate": 3.0}),
                                       _cell({"time": np.array([1.5]), "timerange":
                                              np.array([0.0, 10.0]), "meanrate": 1.0}))},
    "struct-array": {"u": np.array([(np.array([0.1, 0.2]),), (np.array([0.3]),)],
                                   dtype=[("ts", object)])},
}


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("layout", sorted(MAT_LAYOUTS))
def test_own_mat_reader_matches_scipy(tmp_path, layout, compress):
    data = MAT_LAYOUTS[layout]
    p = _mat(tmp_path, data, do_compression=compress)
    ref = scipy.io.loadmat(p)
    name = next(k for k in ref if not k.startswith("__"))
    from cortexkit.io._matv5 import Cell, Struct, read_mat_file

    got = read_mat_file(p)[name]

    def same(a, b):
        if isinstance(a, Cell):
            assert b.dtype == object and b.shape == a.shape
            for x, y in zip(a.items, b.ravel(order="F"), strict=True):
                same(x, y)
        elif isinstance(a, Struct):
            assert tuple(b.dtype.names) == a.names and b.shape == a.shape
            for rec, ref_rec in zip(a.records, b.ravel(order="F"), strict=True):
                for n in a.names:
                    same(rec[n], ref_rec[n])
        else:
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)

    same(got, ref[name])


def test_real_mat_file_same_as_before():
    p = REAL / "nelpy-linear-track" / "spikes.mat"
    if not p.is_file():
        pytest.skip("real data not found")
    st = ck.io.load_spikes(p)
    ref = scipy.io.loadmat(p)["spikes"]
    n = 0
    for day in ref.ravel(order="F"):
        for ep in day.ravel(order="F"):
            for tet in ep.ravel(order="F"):
                for cl in tet.ravel(order="F"):
                    if cl.size and cl["time"][0, 0].size:
                        np.testing.assert_array_equal(st.train(n), cl["time"][0, 0].ravel())
                        n += 1
    assert n == st.n_units == 31


# -- the reader child process (NWB/HDF5): hangs and crashes become DataFormatError -----------
@pytest.fixture
def child(monkeypatch):
    from cortexkit.io import _child

    here = str(Path(__file__).resolve().parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    _child._stop()
    _child._WORKER = None
    yield _child
    _child._stop()
    _child._WORKER = None


@pytest.mark.parametrize("target, match", [("_child_targets:hang", "longer than 2 s"),
                                           ("_child_targets:crash", "crashed \\(SIGSEGV\\)")])
def test_child_reader_hang_and_crash_are_errors(child, tmp_path, target, match):
    with pytest.raises(DataFormatError, match=match):
        child.run(target, tmp_path / "f.nwb", 1 << 20, 2.0)
    meta, arrays = child.run("_child_targets:chatty", tmp_path / "f.nwb", 1 << 20, 30.0)
    np.testing.assert_array_equal(arrays["x"], [0.0, 1.0, 2.0])  # a fresh child took over


def test_damaged_nwb_is_an_error_and_good_nwb_loads(tmp_path):
    pytest.importorskip("pynwb")
    st = ck.SpikeTrains.from_list([[0.1, 0.2], [0.5]], t_stop=1.0)
    p = ck.io.save_spikes(st, tmp_path / "s.nwb")
    assert ck.io.load_spikes(p) == st
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 3:len(raw) // 3 + 4096] = b"\xa5" * 4096
    bad = _write(tmp_path, "bad.nwb", bytes(raw))
    with ck.io.read_limits(timeout=60):
        try:
            ck.io.load_spikes(bad)
        except DataFormatError as exc:
            assert "bad.nwb" in str(exc)


# -- load_responses ---------------------------------------------------------------------------
def _resp(tmp: Path, resp=None, stim=None, **extra) -> Path:
    p = tmp / "r.npz"
    np.savez(p, resp=np.ones((4, 3)) if resp is None else resp,
             stimuli=np.arange(4.0) * 10 if stim is None else stim, **extra)
    return p


def _truncated(tmp: Path) -> Path:
    p = _resp(tmp)
    p.write_bytes(p.read_bytes()[:200])
    return p


RESPONSE_CASES = [
    ("truncated", _truncated, "npz"),
    ("zero-byte", lambda t: _write(t, "z.npz", b""), "empty"),
    ("malformed", lambda t: _write(t, "m.npz", b"PK\x03\x04" + bytes(range(256)) * 4), "npz"),
    ("directory", lambda t: (t / "d.npz").mkdir() or (t / "d.npz"), "folder"),
    ("nan-resp", lambda t: _resp(t, resp=np.array([[1.0, np.nan, 2]] * 4)), "NaN"),
    ("inf-resp", lambda t: _resp(t, resp=np.array([[1.0, np.inf, 2]] * 4)), "infinite"),
    ("complex-resp", lambda t: _resp(t, resp=np.ones((4, 3)) * (1 + 1j)), "complex"),
    ("nan-stimuli", lambda t: _resp(t, stim=np.array([0.0, np.nan, 2, 3])), "'stimuli'.*NaN"),
    ("neuron-ids-length", lambda t: _resp(t, neuron_ids=np.arange(5)), "neuron_ids"),
    ("zero-by-zero", lambda t: _resp(t, resp=np.zeros((0, 0)), stim=np.zeros(0)), "at least"),
]


@pytest.mark.parametrize("name, build, match", RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_bad_responses_file_gives_clear_error(tmp_path, name, build, match):
    with pytest.raises(DataFormatError, match=match):
        ck.io.load_responses(build(tmp_path))


# -- atomic writes: temporary files of killed writers do not pile up ------------------------
def test_temp_file_of_sigkilled_save_is_cleaned(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "big.csv"
    code = ("import numpy as np, cortexkit as ck\n"
            "rng = np.random.default_rng(0)\n"
            "st = ck.SpikeTrains.from_events(np.sort(rng.uniform(0, 100, 3_000_000)), "
            "rng.integers(0, 50, 3_000_000), sort=True)\n"
            f"ck.io.save_spikes(st, {str(target)!r})\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".big.csv.*.tmp")) and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the writer ended before its temporary file was seen")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(tmp_path.glob(".big.csv.*.tmp")), "the killed writer left no temporary file"
    ck.io.save_spikes(ck.SpikeTrains.from_list([[0.5]], t_stop=1.0), target)
    assert not list(tmp_path.glob(".*.tmp"))
    assert ck.io.load_spikes(target).n_spikes == 1


def test_temp_files_of_running_writers_are_kept(tmp_path):
    import subprocess
    import sys

    from cortexkit._lib import atomic

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".x.npz.{atomic._host()}-{sleeper.pid}.abcd1234.tmp"
        other_host = tmp_path / ".x.npz.elsewhere-1.abcd1234.tmp"
        live.write_bytes(b"partial")
        other_host.write_bytes(b"partial")
        ck.io.save_spikes(ck.SpikeTrains.from_list([[0.5]], t_stop=1.0), tmp_path / "x.npz")
        assert live.exists() and other_host.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    ck.io.save_spikes(ck.SpikeTrains.from_list([[0.5]], t_stop=1.0), tmp_path / "x.npz")
    assert not live.exists() and other_host.exists()
