"""Security of the loaders: no code from a data file ever runs; writes are atomic."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import DataFormatError


class _Payload:
    """Unpickling this calls ``os.system(cmd)`` (a classic pickle exploit)."""

    def __init__(self, cmd: str) -> None:
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class _FileWriter:
    """Unpickling this calls ``builtins.exec`` to write a file."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').write('x')",))


def _evil_array(payload) -> np.ndarray:
    arr = np.empty(2, dtype=object)
    arr[0] = np.array([0.1, 0.2])
    arr[1] = payload
    return arr


def test_payload_is_live_when_unpickled_naively(tmp_path):
    """Control: the crafted file really runs code under np.load(allow_pickle=True)."""
    marker = tmp_path / "control_marker"
    path = tmp_path / "evil.npz"
    np.savez(path, spike_times=_evil_array(_Payload(f"touch {marker}")))
    code = f"import numpy as np; np.load({str(path)!r}, allow_pickle=True)['spike_times']"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert marker.exists()


@pytest.mark.parametrize("suffix", [".npz", ".npy"])
def test_os_system_payload_refused_and_not_run(tmp_path, suffix):
    marker = tmp_path / "MARKER"
    path = tmp_path / f"evil{suffix}"
    arr = _evil_array(_Payload(f"touch {marker}"))
    if suffix == ".npz":
        np.savez(path, spike_times=arr)
    else:
        np.save(path, arr, allow_pickle=True)
    with pytest.raises(DataFormatError, match=r"refused.*posix\.system|refused.*os\.system"):
        ck.io.load_spikes(path)
    assert not marker.exists()


def test_exec_payload_refused_and_not_run(tmp_path):
    marker = tmp_path / "WRITTEN"
    path = tmp_path / "evil.npz"
    np.savez(path, spike_times=_evil_array(_FileWriter(marker)))
    with pytest.raises(DataFormatError, match="builtins.exec"):
        ck.io.load_spikes(path)
    assert not marker.exists()


def test_raw_pickle_stream_with_reduce_refused(tmp_path):
    """A hand-made .npy whose pickle names eval directly (no NumPy involved)."""
    marker = tmp_path / "EVAL"
    path = tmp_path / "raw.npy"
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        pickle.dump(_FileWriter(marker), fh, protocol=2)
    with pytest.raises(DataFormatError, match="refused"):
        ck.io.load_spikes(path)
    assert not marker.exists()


def test_object_array_of_non_numbers_refused(tmp_path):
    path = tmp_path / "strings.npz"
    arr = np.empty(2, dtype=object)
    arr[0] = np.array([0.1])
    arr[1] = {"not": "times"}
    np.savez(path, spike_times=arr)
    with pytest.raises(DataFormatError, match="item 1.*dict"):
        ck.io.load_spikes(path)


def test_benign_object_array_still_loads(tmp_path):
    """The restricted reader accepts what np.save writes for spike-time object arrays."""
    path = tmp_path / "ok.npz"
    arr = np.empty(3, dtype=object)
    arr[0], arr[1], arr[2] = np.array([0.1, 0.2]), np.array([], dtype=float), np.array([1.5])
    np.savez(path, spike_times=arr)
    st = ck.io.load_spikes(path)
    assert st.counts.tolist() == [2, 0, 1]


def _phy_folder(tmp_path: Path, params: str) -> Path:
    folder = tmp_path / "phy"
    folder.mkdir()
    np.save(folder / "spike_times.npy", np.array([[30], [60], [90000]], dtype=np.uint64))
    np.save(folder / "spike_clusters.npy", np.array([1, 2, 1], dtype=np.int32))
    (folder / "params.py").write_text(params)
    return folder


def test_params_py_is_parsed_not_executed(tmp_path):
    m1, m2, m3 = (tmp_path / f"MARKER{i}" for i in range(3))
    params = (
        "import os\n"
        f"os.system('touch {m1}')\n"
        f"open({str(m2)!r}, 'w').write('x')\n"
        f"__import__('os').system('touch {m3}')\n"
        "dat_path = 'recording.bin'\n"
        "n_channels_dat = 385\n"
        "dtype = 'int16'\n"
        "offset = 0\n"
        "sample_rate = 30000.\n"
        "hp_filtered = False\n"
    )
    st = ck.io.load_spikes(_phy_folder(tmp_path, params))
    assert not m1.exists() and not m2.exists() and not m3.exists()
    np.testing.assert_allclose(st.train(0), [0.001, 3.0])
    np.testing.assert_allclose(st.train(1), [0.002])


def test_params_py_code_in_sample_rate_is_not_evaluated(tmp_path):
    marker = tmp_path / "SR"
    params = f"sample_rate = float(open({str(marker)!r}, 'w').write('30000'))\n"
    with pytest.raises(DataFormatError, match="sample_rate"):
        ck.io.load_spikes(_phy_folder(tmp_path, params))
    assert not marker.exists()


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".parquet", ".nwb"])
def test_failed_write_leaves_existing_file_intact(tmp_path, monkeypatch, suffix):
    from cortexkit.io import spikes as io_spikes

    if suffix == ".nwb":
        pytest.importorskip("pynwb")
    st = ck.SpikeTrains.from_list([[0.1, 0.2], [0.5]], t_stop=1.0)
    target = tmp_path / f"spikes{suffix}"
    ck.io.save_spikes(st, target)
    before = target.read_bytes()
    real = io_spikes._WRITERS[suffix]

    def crashing_writer(obj, tmp):
        real(obj, tmp)  # a complete file first ...
        with open(tmp, "r+b") as fh:  # ... then half of it is lost, and the writer dies
            fh.truncate(max(1, tmp.stat().st_size // 2))
        raise OSError("disk full (simulated)")

    monkeypatch.setitem(io_spikes._WRITERS, suffix, crashing_writer)
    other = ck.SpikeTrains.from_list([[0.3]], t_stop=2.0)
    with pytest.raises(OSError, match="simulated"):
        ck.io.save_spikes(other, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp left
    assert ck.io.load_spikes(target) == st


def test_saved_npz_has_no_pickles(tmp_path):
    import pandas as pd

    st = ck.SpikeTrains.from_list([[0.1], [0.2]], unit_ids=["a", "b"], t_stop=1.0,
                                  unit_info=pd.DataFrame({"area": ["CA1", "V1"]}))
    path = ck.io.save_spikes(st, tmp_path / "s.npz")
    with np.load(path, allow_pickle=False) as z:  # raises if any member needs pickle
        arrays = {k: z[k] for k in z.files}
    assert all(a.dtype != object for a in arrays.values())
    assert arrays["unit_info/area"].tolist() == ["CA1", "V1"]
