"""ck.correlograms: counts equal np.histogram of all pair lags, both engines; bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import CortexkitWarning, ValidationError


def _spikes(seed=0, n_units=5):
    rng = np.random.default_rng(seed)
    trains = []
    for k in range(n_units):
        t = np.sort(rng.uniform(0, 30, rng.integers(50, 400)))
        if k == 1:  # locked to unit 0 at +2.5 ms, with a duplicate spike
            t = np.sort(np.r_[trains[0][:40] + 0.0025, t[:100], t[5]])
        trains.append(t)
    trains.append(np.array([]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CortexkitWarning)  # the duplicate, on purpose
        return ck.SpikeTrains.from_list(trains, unit_ids=[10, 11, 12, 13, 14, 15])


def _brute_force(st, edges):
    n = st.n_units
    out = np.zeros((n, n, edges.size - 1), dtype=np.int64)
    for a in range(n):
        for b in range(n):
            lags = (st[b][None, :] - st[a][:, None])
            if a == b:
                lags = lags[~np.eye(lags.shape[0], dtype=bool)]
            lags = lags.ravel()
            lags = lags[(lags >= edges[0]) & (lags < edges[-1])]
            out[a, b] = np.histogram(lags, bins=edges)[0]
    return out


@pytest.mark.parametrize("engine", ["numpy", "numba"])
@pytest.mark.parametrize("bin_size, window", [(0.001, 0.05), (0.0005, 0.01), (0.002, 0.0031)])
def test_counts_equal_np_histogram_of_all_pairs(engine, bin_size, window):
    st = _spikes()
    cg = ck.correlograms(st, bin_size=bin_size, window=window, engine=engine)
    assert cg.counts.shape == (6, 6, cg.edges.size - 1)
    np.testing.assert_array_equal(cg.counts, _brute_force(st, cg.edges))
    assert list(cg.unit_ids) == [10, 11, 12, 13, 14, 15]
    np.testing.assert_allclose(cg.lags, (cg.edges[:-1] + cg.edges[1:]) / 2)


def test_engines_agree_and_lock_shows():
    st = _spikes(1)
    a = ck.correlograms(st, engine="numpy")
    b = ck.correlograms(st, engine="numba")
    np.testing.assert_array_equal(a.counts, b.counts)
    k = int(np.argmax(a.pair(10, 11)))
    assert a.edges[k] <= 0.0025 < a.edges[k + 1]


def test_unit_selection_and_order():
    st = _spikes(2)
    full = ck.correlograms(st)
    sub = ck.correlograms(st, units=[13, 10])
    assert list(sub.unit_ids) == [13, 10]
    np.testing.assert_array_equal(sub.counts[0, 1], full.counts[3, 0])
    np.testing.assert_array_equal(sub.counts[1, 1], full.counts[0, 0])


def test_top_level_function_is_lazy():
    import subprocess
    import sys

    code = ("import sys, cortexkit as ck; assert 'numba' not in sys.modules; "
            "f = ck.correlograms; assert 'numba' not in sys.modules; print(f.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "correlograms"


@pytest.mark.parametrize("kwargs, param", [
    ({"bin_size": 0}, "bin_size"), ({"bin_size": -1e-3}, "bin_size"),
    ({"window": 0}, "window"), ({"window": 0.0005}, "window"),
    ({"engine": "cuda"}, "engine"),
])
def test_bad_input(kwargs, param):
    with pytest.raises(ValidationError, match=f"^{param} must be"):
        ck.correlograms(_spikes(), **kwargs)
    with pytest.raises(ValidationError):
        ck.correlograms(_spikes(), units=[99])


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_lags_exactly_on_bin_edges(engine):
    # times on a binary grid: many lags are exactly an edge, and some exactly +-window
    rng = np.random.default_rng(4)
    trains = [np.unique(rng.integers(0, 4096, 300)) / 1024.0 for _ in range(3)]
    st = ck.SpikeTrains.from_list(trains)
    cg = ck.correlograms(st, bin_size=1 / 128, window=4 / 128, engine=engine)
    np.testing.assert_array_equal(cg.counts, _brute_force(st, cg.edges))
