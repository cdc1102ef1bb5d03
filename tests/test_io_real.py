"""Every spike dataset in ../shared/data/real loads through load_spikes.

Unit and spike counts are checked against numbers computed here with plain NumPy /
SciPy on the raw files, and against the counts stated in each folder's SOURCE.md.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import CortexkitWarning, DataFormatError

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
# skips without the folder, fails on CI (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("real_data_dir")


def _load(path, **opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CortexkitWarning)
        return ck.io.load_spikes(path, **opts)


def test_ibl_alf_three_units():
    folder = REAL / "ibl-slidingrp-3units"
    st = ck.io.load_spikes(folder)  # sorted ALF: no warning expected
    times = np.load(folder / "spikes.times.npy")
    clusters = np.load(folder / "spikes.clusters.npy")
    ids, counts = np.unique(clusters, return_counts=True)
    assert st.unit_ids.tolist() == ids.tolist() == [167, 274, 275]
    assert st.counts.tolist() == counts.tolist() == [107, 29767, 17874]  # SOURCE.md
    assert st.n_spikes == 47748
    np.testing.assert_array_equal(st.train(2), times[clusters == 275])
    # ISIs below 2 ms per unit, as listed in SOURCE.md (0, 2, 99)
    short = [int(np.sum(np.diff(st.train(i)) < 0.002)) for i in range(3)]
    assert short == [0, 2, 99]


def test_phy_neuropixels_all_and_good():
    folder = REAL / "phy-neuropixels-120s"
    with pytest.raises(DataFormatError, match="sample_rate="):
        ck.io.load_spikes(folder)  # no params.py
    with pytest.warns(CortexkitWarning, match="91 duplicate"):  # SOURCE.md: 91 zero ISIs
        st = ck.io.load_spikes(folder, sample_rate=30000)
    samples = np.load(folder / "spike_times.npy").ravel()
    clusters = np.load(folder / "spike_clusters.npy")
    ids, counts = np.unique(clusters, return_counts=True)
    assert st.n_units == ids.size == 404 and st.n_spikes == samples.size == 379321
    assert st.counts.tolist() == counts.tolist()
    assert st.n_duplicates == 91
    k = int(np.argmax(counts))
    np.testing.assert_allclose(st.train(k), np.sort(samples[clusters == ids[k]]) / 30000.0)
    import pandas as pd

    table = pd.read_csv(folder / "cluster_group.tsv", sep="\t")
    good_ids = table.loc[table["group"] == "good", "cluster_id"].to_numpy()
    assert st.unit_info["quality"].value_counts().to_dict() == {"mua": 260, "good": 140,
                                                                "noise": 4}
    good = _load(folder, sample_rate=30000, good_only=True)
    assert good.n_units == np.isin(ids, good_ids).sum() == 140
    assert good.n_spikes == int(np.isin(clusters, good_ids).sum()) == 205723
    assert set(good.unit_info["quality"]) == {"good"}


def test_nelpy_matlab_nested_cells():
    import scipy.io

    path = REAL / "nelpy-linear-track" / "spikes.mat"
    st = ck.io.load_spikes(path)
    # independent walk: tetrodes -> clusters, skipping empty cells and the 6 clusters
    # whose time vector is empty (SOURCE.md counts 31 non-empty units)
    raw = scipy.io.loadmat(path)["spikes"][0, 0][0, 0]
    ref, rate = [], []
    for tet in raw.ravel(order="F"):
        for cl in tet.ravel(order="F"):
            if cl.size and cl["time"][0, 0].size:
                ref.append(cl["time"][0, 0].ravel())
                rate.append(float(cl["meanrate"][0, 0].ravel()[0]))
    assert st.n_units == len(ref) == 31
    assert st.n_spikes == sum(r.size for r in ref) == 28829
    for i, r in enumerate(ref):
        np.testing.assert_array_equal(st.train(i), r)
    # the session range comes from the structs' `timerange` field; with it the rates match
    # MatClust's own `meanrate` field
    assert (st.t_start, st.t_stop) == (4396.9975, 6365.2707)
    np.testing.assert_allclose(st.rates, rate, rtol=1e-6)


def test_allen_epochs_pseudopopulation():
    folder = REAL / "allen-vcnp-gratings-pseudopop"
    st = ck.io.load_spikes(folder)
    times = np.load(folder / "spike_times.npy")
    ii = np.load(folder / "ii_spike_times.npy")
    counts = (ii[..., 1] - ii[..., 0]).sum(axis=0)
    assert st.n_units == 1000 and st.n_spikes == times.size == 153635
    assert int((st.counts > 0).sum()) == 990  # SOURCE.md
    np.testing.assert_array_equal(st.counts, counts)
    assert st.t_stop == pytest.approx(200 * 0.1)
    n = 123
    ref = np.concatenate([times[a:b] + m * 0.1 for m, (a, b) in enumerate(ii[:, n])])
    np.testing.assert_allclose(st.train(n), ref, rtol=0, atol=1e-12)
    one = ck.io.load_spikes(folder, epoch=57)
    np.testing.assert_array_equal(one.counts, ii[57, :, 1] - ii[57, :, 0])


def test_cli_loader_accepts_the_options():
    from cortexkit.cli._common import load_spike_data

    st = load_spike_data(REAL / "phy-neuropixels-120s", sample_rate=30000.0, good_only=True)
    assert st.n_units == 140
    st = load_spike_data(REAL / "ibl-slidingrp-3units", sample_rate=None)
    assert st.n_spikes == 47748


@pytest.mark.parametrize("folder,opts", [
    ("ibl-slidingrp-3units", {}),
    ("phy-neuropixels-120s", {"sample_rate": 30000}),
])
def test_mmap_loads_the_same_trains(folder, opts):
    """mmap=True (memory-mapped .npy) gives exactly what reading the files gives."""
    read = _load(REAL / folder, **opts)
    mapped = _load(REAL / folder, mmap=True, **opts)
    assert mapped == read
    # the result owns its arrays: nothing keeps the mapping of the files alive
    assert not isinstance(mapped.times, np.memmap) and not isinstance(mapped.times.base,
                                                                       np.memmap)
