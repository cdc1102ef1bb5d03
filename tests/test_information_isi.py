"""isi_entropy / isi_counts: exact parity with a per-unit np.histogram loop, kernel parity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit._lib import engine as engine_table
from cortexkit.errors import ValidationError
from cortexkit.information import (
    ESTIMATORS,
    entropy,
    entropy_from_counts,
    isi_counts,
    isi_entropy,
    pmf_from_counts,
)
from cortexkit.information._isi import _isi_counts_by_unit, _isi_counts_numpy


def _spikes(seed: int = 0, n_units: int = 40) -> ck.SpikeTrains:
    """Mixed units: Poisson, regular on a 5 ms grid (ISIs exactly on bin edges), bursty,
    empty, single-spike, and one whose ISIs all exceed the range."""
    rng = np.random.default_rng(seed)
    trains = []
    for u in range(n_units):
        kind = u % 6
        if kind == 0:
            t = np.cumsum(rng.exponential(rng.uniform(0.005, 0.2), rng.integers(5, 400)))
        elif kind == 1:
            t = np.cumsum(0.005 * rng.integers(1, 60, rng.integers(5, 300)))
        elif kind == 2:
            burst = rng.exponential(0.003, 200)
            gap = rng.exponential(0.3, 200)
            t = np.cumsum(np.where(rng.random(200) < 0.7, burst, gap))
        elif kind == 3:
            t = np.array([])
        elif kind == 4:
            t = np.array([rng.uniform(0, 10)])
        else:
            t = np.cumsum(rng.uniform(0.3, 1.0, 20))
        trains.append(t)
    t_stop = max(float(t.max()) for t in trains if t.size) + 1
    return ck.SpikeTrains.from_list(trains, t_stop=t_stop)


def _loop_counts(st, bins, rng_):
    return np.array([np.histogram(np.diff(st[i]), bins=bins, range=rng_)[0]
                     for i in range(st.n_units)])


@pytest.mark.parametrize("kernel_from", [0, 10**12], ids=["kernel", "numpy"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_isi_entropy_equals_per_unit_loop_exactly(seed, kernel_from, monkeypatch):
    monkeypatch.setitem(engine_table.THRESHOLDS, "information.isi_counts",
                        engine_table.Threshold(kernel_from, kernel_from))
    st = _spikes(seed)
    table = isi_entropy(st)
    expected, n_isi = [], []
    for i in range(st.n_units):
        h, _ = np.histogram(np.diff(st[i]), bins=50, range=(0, 0.25))
        n_isi.append(h.sum())
        expected.append(entropy(pmf_from_counts(h)) if h.sum() else np.nan)
    assert list(table.columns) == ["unit", "n_isi", "mean_isi", "entropy"]
    np.testing.assert_array_equal(table["unit"], st.unit_ids)
    np.testing.assert_array_equal(table["n_isi"], n_isi)
    np.testing.assert_array_equal(table["entropy"].to_numpy(), np.array(expected))  # exact


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_isi_entropy_other_estimators_equal_loop(estimator):
    st = _spikes(3, n_units=18)
    got = isi_entropy(st, bins=20, range=(0, 0.1), estimator=estimator, base=math.e)
    for i in range(st.n_units):
        h, _ = np.histogram(np.diff(st[i]), bins=20, range=(0, 0.1))
        if h.sum():
            one = entropy_from_counts(h, estimator, base=math.e)
            if estimator == "nsb":  # vectorized over rows: a batch's sums round differently
                assert got["entropy"][i] == pytest.approx(one, rel=1e-13, abs=1e-13)
            else:
                assert got["entropy"][i] == one
        else:
            assert np.isnan(got["entropy"][i])


def test_empty_units_are_nan_with_zero_isis_and_mean_is_over_centres():
    st = _spikes(4, n_units=12)
    table = isi_entropy(st)
    counts = _loop_counts(st, 50, (0, 0.25))
    empty = counts.sum(axis=1) == 0
    assert empty.sum() >= 6  # the empty, single-spike and long-ISI units
    assert (table["n_isi"][empty] == 0).all()
    assert table["entropy"][empty].isna().all() and table["mean_isi"][empty].isna().all()
    assert table["entropy"][~empty].notna().all()
    centres = np.arange(50) * 0.005 + 0.0025
    np.testing.assert_allclose(table["mean_isi"][~empty],
                               counts[~empty] @ centres / counts[~empty].sum(axis=1), rtol=1e-13)


@pytest.mark.parametrize("bins", [50, 7, np.array([0.0, 0.001, 0.002, 0.005, 0.01, 0.05, 0.3])])
@pytest.mark.parametrize("rng_", [(0.0, 0.25), (0.002, 0.03)])
def test_kernel_and_numpy_paths_match_histogram(bins, rng_):
    st = _spikes(5)
    ref = _loop_counts(st, bins, rng_)
    for engine in ("numpy", "numba"):
        counts, edges = isi_counts(st, bins, rng_, engine=engine)
        np.testing.assert_array_equal(counts, ref, err_msg=engine)
    np.testing.assert_array_equal(_isi_counts_numpy(st, edges), ref)
    np.testing.assert_array_equal(_isi_counts_numpy(st, edges, uniform=np.ndim(bins) == 0), ref)
    for uniform in {False, np.ndim(bins) == 0}:      # the unit-by-unit NumPy path
        np.testing.assert_array_equal(
            _isi_counts_by_unit(st.times, st.offsets, edges, uniform), ref)


def test_isis_exactly_on_edges_follow_numpy_histogram():
    # dyadic times: ISIs are exactly 0.25, 0.5, 0.75 and 1.0 (the closed last edge)
    st = ck.SpikeTrains.from_list([[0.0, 0.25, 0.75, 1.5, 2.5, 3.75]], t_stop=4.0)
    ref = np.histogram([0.25, 0.5, 0.75, 1.0, 1.25], 4, (0.0, 1.0))[0]
    for engine in ("numpy", "numba"):
        counts, edges = isi_counts(st, 4, (0.0, 1.0), engine=engine)
        np.testing.assert_array_equal(counts[0], ref)
    for uniform in (True, False):
        np.testing.assert_array_equal(
            _isi_counts_by_unit(st.times, st.offsets, edges, uniform)[0], ref)


def test_deprecated_method_argument_maps_to_engine():
    st = _spikes(5)
    ref, _ = isi_counts(st, 7, engine="numpy")
    for method in ("kernel", "numpy", "auto"):
        with pytest.warns(FutureWarning, match="engine="):
            counts, _ = isi_counts(st, 7, method=method)
        np.testing.assert_array_equal(counts, ref)
    with pytest.raises(ValidationError, match="engine must be one of auto, numba, numpy"):
        isi_counts(st, engine="kernel")


def test_input_not_modified_and_unit_ids_kept():
    st = ck.SpikeTrains.from_list([[0.0, 0.01, 0.03], [0.1, 0.2]], unit_ids=["a", "b"],
                                  t_stop=1.0)
    before = st.times.copy()
    table = isi_entropy(st)
    np.testing.assert_array_equal(st.times, before)
    assert table["unit"].tolist() == ["a", "b"]
    assert isinstance(table, pd.DataFrame)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bins": 0}, r"bins must be a positive number of bins; got 0"),
        ({"bins": 2.5}, r"bins must be a positive integer"),
        ({"range": (0.2, 0.1)}, r"range must be two finite numbers with low < high"),
        ({"range": (0, np.inf)}, r"low < high"),
        ({"estimator": "nope"}, r"estimator must be one of plugin, miller_madow"),
        ({"base": 1}, r"base must be positive, finite and not 1"),
    ],
)
def test_isi_entropy_bad_arguments(kwargs, match):
    st = _spikes(0, n_units=6)
    with pytest.raises(ValidationError, match=match):
        isi_entropy(st, **kwargs)


def test_not_spiketrains():
    with pytest.raises(ValidationError, match="st must be a cortexkit.SpikeTrains"):
        isi_entropy([np.arange(5.0)])


def test_bundled_session_parity_and_bound():
    st = ck.datasets.steinmetz_like(seed=0)
    table = isi_entropy(st)
    sub = np.arange(0, st.n_units, 7)
    for i in sub:
        h, _ = np.histogram(np.diff(st[i]), bins=50, range=(0, 0.25))
        if h.sum():
            assert table["entropy"][i] == entropy(pmf_from_counts(h))
    # a unit's binned PMF has mean_isi over centres exactly, so it cannot beat the bound
    ok = table["n_isi"] > 0
    for i in np.flatnonzero(ok)[::25]:
        h_max = entropy(ck.information.max_entropy_pmf(table["mean_isi"][i]))
        assert table["entropy"][i] <= h_max + 1e-9


def test_real_ibl_units_parity(real_data_dir):
    d = real_data_dir / "ibl-slidingrp-3units"
    times = np.load(d / "spikes.times.npy")
    clusters = np.load(d / "spikes.clusters.npy")
    st = ck.SpikeTrains.from_events(times, clusters)
    table = isi_entropy(st, estimator="plugin")
    for i in range(st.n_units):
        h, _ = np.histogram(np.diff(st[i]), bins=50, range=(0, 0.25))
        assert table["entropy"][i] == entropy(pmf_from_counts(h))
        assert 0 < table["entropy"][i] < math.log2(50)
