"""load_spikes / save_spikes: every format, lossless round trips, and bad input.

Files are built here with the formats' own tools (np.save, scipy.io.savemat, pandas,
pynwb) and the expected trains computed with plain NumPy.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.errors import CortexkitError, CortexkitWarning, DataFormatError, ValidationError


def _trains():
    rng = np.random.default_rng(0)
    return [np.sort(rng.uniform(0, 10, n)) for n in (5, 0, 12, 1)]


# ------------------------------------------------------------------ Neuromatch npz / npy
def test_neuromatch_npz_object_array(tmp_path):
    trains = _trains()
    arr = np.empty(len(trains), dtype=object)
    arr[:] = trains
    np.savez(tmp_path / "nma.npz", spike_times=arr, other=np.arange(3))
    st = ck.io.load_spikes(tmp_path / "nma.npz")
    assert st.counts.tolist() == [t.size for t in trains]
    for i, t in enumerate(trains):
        np.testing.assert_array_equal(st.train(i), t)
    np.save(tmp_path / "nma.npy", arr, allow_pickle=True)
    assert ck.io.load_spikes(tmp_path / "nma.npy") == st


def test_npz_key_option(tmp_path):
    np.savez(tmp_path / "two.npz", a=np.array([0.1, 0.2]), b=np.array([0.3]))
    with pytest.raises(DataFormatError, match=r"key=<name>.*"):
        ck.io.load_spikes(tmp_path / "two.npz")
    assert ck.io.load_spikes(tmp_path / "two.npz", key="b").train(0).tolist() == [0.3]


def test_nan_padded_matrix_npy(tmp_path):
    m = np.array([[0.1, 0.5, np.nan], [0.2, np.nan, np.nan], [0.3, 0.4, 0.9]])
    np.save(tmp_path / "m.npy", m)
    st = ck.io.load_spikes(tmp_path / "m.npy")
    assert st.counts.tolist() == [2, 1, 3]
    m[1, 0], m[1, 1] = np.nan, 0.5
    np.save(tmp_path / "gap.npy", m)
    with pytest.raises(DataFormatError, match="row 1 has NaN between"):
        ck.io.load_spikes(tmp_path / "gap.npy")


# ------------------------------------------------------------------ ALF
def test_alf_without_cluster_tables(tmp_path):
    t = np.array([0.1, 0.2, 0.25, 0.4, 0.7])
    c = np.array([5, 2, 5, 5, 2], dtype=np.uint32)
    np.save(tmp_path / "spikes.times.npy", t)
    np.save(tmp_path / "spikes.clusters.npy", c)
    st = ck.io.load_spikes(tmp_path)
    assert st.unit_ids.tolist() == [2, 5] and st.counts.tolist() == [2, 3]
    assert st.unit_info is None


def test_alf_cluster_tables_make_every_row_a_unit(tmp_path):
    np.save(tmp_path / "spikes.times.npy", np.array([0.1, 0.2, 0.3]))
    np.save(tmp_path / "spikes.clusters.npy", np.array([0, 3, 0]))
    np.save(tmp_path / "clusters.depths.npy", np.array([10.0, 20.0, 30.0, 40.0]))
    np.save(tmp_path / "clusters._phy_annotation.npy", np.array([[2], [1], [0], [2]]))
    np.save(tmp_path / "clusters.waveforms.npy", np.zeros((4, 5, 3)))  # not per-unit: skipped
    st = ck.io.load_spikes(tmp_path)
    assert st.unit_ids.tolist() == [0, 1, 2, 3]
    assert st.counts.tolist() == [2, 0, 0, 1]
    assert st.unit_info["depths"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert st.unit_info["phy_annotation"].tolist() == [2, 1, 0, 2]
    np.save(tmp_path / "spikes.clusters.npy", np.array([0, 7, 0]))
    with pytest.raises(DataFormatError, match="only 4 rows"):
        ck.io.load_spikes(tmp_path)


# ------------------------------------------------------------------ phy
def _phy(folder: Path, *, params=True, templates=False, labels="cluster_group.tsv"):
    folder.mkdir(exist_ok=True)
    samples = np.array([[100], [250], [400], [900], [30000], [60000]], dtype=np.uint64)
    clusters = np.array([3, 1, 3, 7, 1, 3], dtype=np.int32)
    np.save(folder / "spike_times.npy", samples)
    np.save(folder / ("spike_templates.npy" if templates else "spike_clusters.npy"), clusters)
    if params:
        (folder / "params.py").write_text("sample_rate = 20000.0\nn_channels_dat = 4\n")
    if labels == "cluster_group.tsv":
        (folder / labels).write_text("cluster_id\tgroup\n1\tgood\n3\tmua\n7\tgood\n")
    elif labels == "cluster_KSLabel.tsv":
        (folder / labels).write_text("cluster_id\tKSLabel\n1\tgood\n3\tgood\n7\tmua\n")
    return samples.ravel(), clusters


def test_phy_folder(tmp_path):
    samples, clusters = _phy(tmp_path / "ks")
    st = ck.io.load_spikes(tmp_path / "ks")
    ids, counts = np.unique(clusters, return_counts=True)
    assert st.unit_ids.tolist() == ids.tolist() and st.counts.tolist() == counts.tolist()
    np.testing.assert_allclose(st.train(1), samples[clusters == 3] / 20000.0)
    assert st.unit_info["quality"].tolist() == ["good", "mua", "good"]
    good = ck.io.load_spikes(tmp_path / "ks", good_only=True)
    assert good.unit_ids.tolist() == [1, 7] and good.n_spikes == 3


def test_phy_templates_and_kslabel(tmp_path):
    _phy(tmp_path / "ks", templates=True, labels="cluster_KSLabel.tsv")
    st = ck.io.load_spikes(tmp_path / "ks", format="kilosort", good_only=True)
    assert st.unit_ids.tolist() == [1, 3]


def test_phy_without_params_needs_sample_rate(tmp_path):
    samples, clusters = _phy(tmp_path / "ks", params=False)
    with pytest.raises(DataFormatError, match=r"no params.py.*sample_rate=<Hz>"):
        ck.io.load_spikes(tmp_path / "ks")
    st = ck.io.load_spikes(tmp_path / "ks", sample_rate=30000)
    np.testing.assert_allclose(st.train(0), samples[clusters == 1] / 30000.0)


# ------------------------------------------------------------------ tables
def test_csv_and_parquet_tables_from_pandas(tmp_path):
    df = pd.DataFrame({"cluster_id": [2, 1, 2, 1], "spike_time": [0.1, 0.2, 0.3, 0.4]})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    for name in ("t.csv", "t.parquet"):
        st = ck.io.load_spikes(tmp_path / name)
        assert st.unit_ids.tolist() == [1, 2]
        assert st.train(1).tolist() == [0.1, 0.3]
    df.rename(columns={"spike_time": "when"}).to_csv(tmp_path / "odd.csv", index=False)
    with pytest.raises(DataFormatError, match="no time column.*time_column"):
        ck.io.load_spikes(tmp_path / "odd.csv")
    st = ck.io.load_spikes(tmp_path / "odd.csv", time_column="when")
    assert st.n_spikes == 4


# ------------------------------------------------------------------ MATLAB
def test_mat_cell_array_with_empty_cells(tmp_path):
    import scipy.io

    cells = np.empty((1, 4), dtype=object)
    cells[0, 0] = np.array([[0.1], [0.4]])
    cells[0, 1] = np.zeros((0, 0))
    cells[0, 2] = np.array([[0.2, 0.3, 0.8]])
    cells[0, 3] = np.array([[1.5]])
    scipy.io.savemat(tmp_path / "c.mat", {"st": cells})
    st = ck.io.load_spikes(tmp_path / "c.mat")
    assert st.counts.tolist() == [2, 3, 1]  # the empty cell is skipped
    assert st.unit_info["source"].tolist() == ["st{1}", "st{3}", "st{4}"]


def test_mat_nested_structs_and_options(tmp_path):
    import scipy.io

    inner = np.empty((1, 2), dtype=object)
    inner[0, 0] = {"ts": np.array([[0.5], [0.7]]), "other": np.array([[9.0]])}
    inner[0, 1] = np.zeros((0, 0))
    outer = np.empty((1, 2), dtype=object)
    outer[0, 0] = inner
    outer[0, 1] = {"ts": np.array([[0.6]]), "other": np.array([[1.0, 2.0]])}
    scipy.io.savemat(tmp_path / "n.mat", {"spk": outer, "meta": np.array([[1.0]])})
    with pytest.raises(DataFormatError, match="variable=<name>"):
        ck.io.load_spikes(tmp_path / "n.mat")
    st = ck.io.load_spikes(tmp_path / "n.mat", variable="spk")
    assert [a.tolist() for a in st.to_list()] == [[0.5, 0.7], [0.6]]
    st = ck.io.load_spikes(tmp_path / "n.mat", variable="spk", field="other")
    assert [a.tolist() for a in st.to_list()] == [[9.0], [1.0, 2.0]]


# ------------------------------------------------------------------ NWB written by pynwb
def test_nwb_units_table_from_pynwb(tmp_path):
    import datetime

    pynwb = pytest.importorskip("pynwb")
    nwb = pynwb.NWBFile(session_description="t", identifier="x",
                        session_start_time=datetime.datetime(2020, 1, 1,
                                                             tzinfo=datetime.UTC))
    nwb.add_unit_column(name="quality", description="label")
    nwb.add_unit(spike_times=[0.1, 0.3], id=4, quality="good")
    nwb.add_unit(spike_times=[], id=8, quality="mua")
    nwb.add_unit(spike_times=[0.2], id=9, quality="good")
    with pynwb.NWBHDF5IO(str(tmp_path / "u.nwb"), "w") as io:
        io.write(nwb)
    st = ck.io.load_spikes(tmp_path / "u.nwb", t_stop=1.0)
    assert st.unit_ids.tolist() == [4, 8, 9] and st.counts.tolist() == [2, 0, 1]
    assert st.unit_info["quality"].tolist() == ["good", "mua", "good"]


# ------------------------------------------------------------------ epochs layout
def test_epoch_layout(tmp_path):
    times = np.array([0.01, 0.05, 0.02, 0.03, 0.04])
    ii = np.array([[[0, 2], [2, 2]], [[2, 3], [3, 5]]])  # 2 epochs x 2 neurons
    np.save(tmp_path / "spike_times.npy", times)
    np.save(tmp_path / "ii_spike_times.npy", ii)
    st = ck.io.load_spikes(tmp_path, epoch_duration=0.1)
    assert st.t_stop == pytest.approx(0.2)
    np.testing.assert_allclose(st.train(0), [0.01, 0.05, 0.12])
    np.testing.assert_allclose(st.train(1), [0.13, 0.14])
    one = ck.io.load_spikes(tmp_path, epoch=1)
    assert one.counts.tolist() == [1, 2] and one.t_stop == pytest.approx(0.051)


# ------------------------------------------------------------------ round trips
def _rich():
    info = pd.DataFrame({"area": ["CA1", "V1", "LP", "CA3"], "depth": [10.5, 20.0, np.nan, 3.0],
                         "n": [1, 2, 3, 4]})
    return ck.SpikeTrains.from_list(
        [[-0.25, 0.1, 0.2000000000000001], [], [1 / 3], [0.5, 1.75]],
        unit_ids=[5, 9, 11, 2], t_start=-0.5, t_stop=2.0, unit_info=info)


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".parquet", ".nwb"])
@pytest.mark.parametrize("string_ids", [False, True])
def test_round_trip_is_lossless(tmp_path, suffix, string_ids):
    if suffix == ".nwb":
        pytest.importorskip("pynwb")
    st = _rich()
    if string_ids:
        st = ck.SpikeTrains.from_list(st.to_list(), unit_ids=["a", "01", "7", "x y"],
                                      t_start=-0.5, t_stop=2.0, unit_info=st.unit_info)
    path = ck.io.save_spikes(st, tmp_path / f"rt{suffix}")
    back = ck.io.load_spikes(path)
    assert back == st  # times bit-exact, offsets, unit ids (incl. the empty unit), interval
    assert back.unit_ids.dtype.kind == st.unit_ids.dtype.kind
    pd.testing.assert_frame_equal(back.unit_info, st.unit_info, check_dtype=False)


def test_save_refuses_unknown_suffix_and_non_spiketrains(tmp_path):
    st = _rich()
    with pytest.raises(ValidationError, match=r"\.npz"):
        ck.io.save_spikes(st, tmp_path / "x.txt")
    with pytest.raises(ValidationError, match="SpikeTrains"):
        ck.io.save_spikes([[0.1]], tmp_path / "x.npz")


# ------------------------------------------------------------------ bad input, as a new user
def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _truncated_npz(tmp_path: Path) -> Path:
    p = ck.io.save_spikes(_rich(), tmp_path / "full.npz")
    data = p.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def _int_npz(tmp_path: Path) -> Path:
    arr = np.empty(2, dtype=object)
    arr[0], arr[1] = np.array([300, 900]), np.array([120])
    p = tmp_path / "samples.npz"
    np.savez(p, spike_times=arr)
    return p


def _neither(tmp_path: Path) -> Path:
    d = tmp_path / "random_folder"
    d.mkdir()
    (d / "notes.txt").write_text("hello")
    np.save(d / "data.npy", np.arange(3))
    return d


BAD = [
    (lambda p: p / "does_not_exist.npz", "no such file", {}),
    (lambda p: _write(p, "empty.csv", ""), "empty", {}),
    (lambda p: _write(p, "empty.npz", ""), "empty", {}),
    (_truncated_npz, "truncated", {}),
    (lambda p: _write(p, "samples.csv", "unit,time\n1,300\n1,900\n2,120\n"),
     "sample_rate=", {}),
    (_int_npz, "sample_rate=", {}),
    (lambda p: _write(p, "nan.csv", "unit,time\n1,0.1\n1,\n2,0.3\n"), "not finite", {}),
    (lambda p: _write(p, "neg.csv", "unit,time\n1,-0.1\n1,0.2\n"), "allow_negative=True", {}),
    (lambda p: _write(p, "unsorted.csv", "unit,time\n1,0.5\n1,0.2\n2,0.3\n"),
     "sort=True", {}),
    (_neither, "neither ALF.*nor.*Kilosort/phy", {}),
    (lambda p: _write(p, "spikes.txt", "0.1 0.2"), "unknown file type '.txt'", {}),
    (lambda p: _write(p, "garbage.parquet", "not parquet at all"), "Parquet", {}),
    (lambda p: _write(p, "garbage.mat", "not a mat file"), "MATLAB", {}),
    (lambda p: _write(p, "missing_unit.csv", "unit,time\n1,0.1\n,0.2\n"), "row 2", {}),
]


@pytest.mark.parametrize(("make", "match", "opts"), BAD)
def test_bad_input_gives_one_clear_error(tmp_path, make, match, opts):
    path = make(tmp_path)
    with pytest.raises(DataFormatError, match=match) as info:
        ck.io.load_spikes(path, **opts)
    msg = str(info.value)
    assert path.name in msg  # names the file
    assert "\n" not in msg  # one line


def test_samples_csv_loads_with_sample_rate(tmp_path):
    p = _write(tmp_path, "samples.csv", "unit,time\n1,300\n1,900\n2,120\n")
    st = ck.io.load_spikes(p, sample_rate=30000)
    np.testing.assert_allclose(st.train(0), [0.01, 0.03])


def test_unsorted_file_loads_with_sort_true(tmp_path):
    p = _write(tmp_path, "unsorted.csv", "unit,time\n1,0.5\n1,0.2\n2,0.3\n")
    with pytest.warns(CortexkitWarning, match="sorted"):
        st = ck.io.load_spikes(p, sort=True)
    assert st.train(0).tolist() == [0.2, 0.5]


def test_option_errors(tmp_path):
    p = _write(tmp_path, "ok.csv", "unit,time\n1,0.5\n")
    with pytest.raises(ValidationError, match=r"unknown option.*'good_only'"):
        ck.io.load_spikes(p, good_only=True)
    with pytest.raises(ValidationError, match="format must be"):
        ck.io.load_spikes(p, format="xls")
    with pytest.raises(ValidationError, match="sample_rate must be a positive"):
        ck.io.load_spikes(p, sample_rate=-5)
    with pytest.raises(DataFormatError, match="is a file"):
        ck.io.load_spikes(p, format="alf")


def test_every_loader_error_is_a_cortexkit_error(tmp_path):
    """Random bytes under every suffix: always a CortexkitError, never a raw traceback."""
    rng = np.random.default_rng(0)
    for suffix in (".npz", ".npy", ".csv", ".parquet", ".mat", ".nwb"):
        p = tmp_path / f"noise{suffix}"
        p.write_bytes(rng.integers(0, 256, 300, dtype=np.uint8).tobytes())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(CortexkitError):
                ck.io.load_spikes(p)


def test_sample_rate_not_applied_to_times_already_in_seconds(tmp_path):
    p = _write(tmp_path, "seconds.csv", "unit,time\n1,0.25\n1,0.75\n")
    with pytest.warns(CortexkitWarning, match="already seconds"):
        st = ck.io.load_spikes(p, sample_rate=30000)
    assert st.train(0).tolist() == [0.25, 0.75]
    q = _write(tmp_path, "float_samples.csv", "unit,time\n1,300.0\n1,900.0\n")
    assert ck.io.load_spikes(q, sample_rate=30000).train(0).tolist() == [0.01, 0.03]


def test_phy_curated_group_overrides_kilosort_label(tmp_path):
    folder = tmp_path / "ks"
    _phy(folder, labels="cluster_KSLabel.tsv")  # KS: 1 good, 3 good, 7 mua
    (folder / "cluster_group.tsv").write_text("cluster_id\tgroup\n3\tnoise\n7\tgood\n")
    st = ck.io.load_spikes(folder)
    assert st.unit_info["quality"].tolist() == ["good", "noise", "good"]
    assert st.unit_info["KSLabel"].tolist() == ["good", "good", "mua"]
    assert ck.io.load_spikes(folder, good_only=True).unit_ids.tolist() == [1, 7]


def test_single_file_of_a_folder_format_points_to_the_folder(tmp_path):
    np.save(tmp_path / "spikes.times.npy", np.array([0.1, 0.2]))
    with pytest.raises(DataFormatError, match="load the folder instead"):
        ck.io.load_spikes(tmp_path / "spikes.times.npy")


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".parquet"])
def test_round_trip_keeps_missing_text_labels(tmp_path, suffix):
    info = pd.DataFrame({"area": ["CA1", None, "LP"], "depth": [1.0, np.nan, 3.0]})
    st = ck.SpikeTrains.from_list([[0.1], [0.2], []], t_stop=1.0, unit_info=info)
    back = ck.io.load_spikes(ck.io.save_spikes(st, tmp_path / f"m{suffix}"))
    assert back.unit_info["area"].isna().tolist() == [False, True, False]
    pd.testing.assert_frame_equal(back.unit_info, st.unit_info, check_dtype=False)


def test_mmap_option_checks_the_file_and_the_value(tmp_path):
    """A truncated .npy is refused before mapping; mmap takes only True/False."""
    rng = np.random.default_rng(3)
    times = np.sort(rng.uniform(0, 10, 1000))
    np.save(tmp_path / "spikes.times.npy", times)
    np.save(tmp_path / "spikes.clusters.npy", rng.integers(0, 4, 1000))
    st = ck.io.load_spikes(tmp_path, mmap=True)
    assert st == ck.io.load_spikes(tmp_path)
    with pytest.raises(CortexkitError, match="mmap must be one of False, True"):
        ck.io.load_spikes(tmp_path, mmap="yes")
    data = (tmp_path / "spikes.times.npy").read_bytes()
    (tmp_path / "spikes.times.npy").write_bytes(data[:-800])
    with pytest.raises(DataFormatError, match="truncated"):
        ck.io.load_spikes(tmp_path, mmap=True)
    single = tmp_path / "one.npy"
    np.save(single, times)                       # formats without .npy folders: read as usual
    assert ck.io.load_spikes(single, mmap=True) == ck.io.load_spikes(single)
