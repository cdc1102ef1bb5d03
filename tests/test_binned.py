"""Binned counts and PSTHs: exactly np.histogram per unit / trial; bad input."""

from __future__ import annotations

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.core import PSTH, BinnedSpikes
from cortexkit.core.binned import bin_spikes, histogram_index
from cortexkit.errors import ValidationError


def _spikes(seed=0, n_units=6, duration=20.0):
    rng = np.random.default_rng(seed)
    trains = [np.sort(rng.uniform(0, duration, rng.integers(0, 300))) for _ in range(n_units)]
    # spikes exactly on bin edges and on both ends of the recording
    trains[0] = np.sort(np.r_[trains[0], 0.0, 0.5, 1.0, 19.99, duration])
    trains.append(np.array([]))
    return ck.SpikeTrains.from_list(trains, t_start=0.0, t_stop=duration)


def _bin(st, *args, **kwargs):
    out = st.bin(*args, **kwargs)
    ref = bin_spikes(st, *args, **kwargs)  # the method is a thin wrapper
    np.testing.assert_array_equal(np.asarray(out.to_dense()), np.asarray(ref.to_dense()))
    return out


def _psth(st, *args, **kwargs):
    return st.psth(*args, **kwargs)


@pytest.mark.parametrize("bin_size", [0.01, 0.5, 0.3, 7.0])
def test_bin_counts_equal_np_histogram(bin_size):
    st = _spikes()
    b = _bin(st, bin_size)
    assert isinstance(b, BinnedSpikes)
    assert b.counts.shape == (st.n_units, b.edges.size - 1)
    assert b.counts.dtype == np.int64
    assert b.edges[0] == 0.0 and b.edges[-1] <= st.t_stop + 1e-9
    assert b.edges[-1] > st.t_stop - bin_size
    for i in range(st.n_units):
        np.testing.assert_array_equal(b.counts[i], np.histogram(st[i], bins=b.edges)[0])
    s = _bin(st, bin_size, sparse=True)
    assert s.sparse and not b.sparse
    np.testing.assert_array_equal(s.to_dense(), b.counts)
    np.testing.assert_allclose(b.rates(), b.counts / bin_size)
    np.testing.assert_allclose(b.centers, b.edges[:-1] + bin_size / 2)
    assert list(b.unit_ids) == list(st.unit_ids)


def test_bin_interval_and_immutability():
    st = _spikes(1)
    b = _bin(st, 0.25, t_start=2.0, t_stop=5.0)
    np.testing.assert_allclose(b.edges, 2.0 + 0.25 * np.arange(13))
    for i in range(st.n_units):
        np.testing.assert_array_equal(b.counts[i], np.histogram(st[i], bins=b.edges)[0])
    with pytest.raises(ValueError):
        b.counts[0, 0] = 5
    with pytest.raises(AttributeError):
        b.bin_size = 2.0
    before = st.times.copy()
    st.bin(0.1)
    st.psth([5.0])
    np.testing.assert_array_equal(st.times, before)


@pytest.mark.parametrize("kwargs", [
    {"bin_size": 0}, {"bin_size": -0.1}, {"bin_size": float("nan")}, {"bin_size": "x"},
    {"bin_size": 100.0},  # longer than the recording
])
def test_bin_bad_bin_size(kwargs):
    with pytest.raises(ValidationError, match="^bin_size must be") as exc:
        _bin(_spikes(), **kwargs)
    assert exc.value.param == "bin_size"


def test_bin_bad_interval():
    with pytest.raises(ValidationError, match="^t_stop must be"):
        _bin(_spikes(), 0.1, t_start=5.0, t_stop=4.0)


def test_psth_counts_equal_np_histogram_per_trial():
    st = _spikes(2)
    events = np.array([3.0, 10.25, 1.0, 10.5, 18.0])  # unsorted, overlapping windows
    p = _psth(st, events, window=(-0.5, 1.0), bin_size=0.05)
    assert isinstance(p, PSTH)
    assert p.counts.shape == (events.size, st.n_units, 30)
    for trial, e in enumerate(events):
        for i in range(st.n_units):
            np.testing.assert_array_equal(p.counts[trial, i],
                                          np.histogram(st[i] - e, bins=p.edges)[0])
    np.testing.assert_allclose(p.mean_rate, p.counts.mean(axis=0) / 0.05)
    np.testing.assert_array_equal(p.events, events)
    trials, lags = p.raster(0)
    for trial, e in enumerate(events):
        rel = st[0] - e
        want = rel[(rel >= p.edges[0]) & (rel <= p.edges[-1])]
        np.testing.assert_array_equal(np.sort(lags[trials == trial]), want)
    with pytest.raises(ValidationError, match="^unit must be"):
        p.raster(st.n_units)


@pytest.mark.parametrize("events", [[0.2], [19.5], [5.0, 25.0], [-3.0]])
def test_psth_events_outside_the_recording(events):
    with pytest.raises(ValidationError, match="^events must be") as exc:
        _psth(_spikes(), events)
    assert exc.value.param == "events"


@pytest.mark.parametrize("kwargs, param", [
    ({"events": []}, "events"),
    ({"events": [1.0, np.nan]}, "events"),
    ({"events": [[1.0, 2.0]]}, "events"),
    ({"events": [5.0], "window": (1.0, -1.0)}, "window"),
    ({"events": [5.0], "window": 3}, "window"),
    ({"events": [5.0], "bin_size": 0}, "bin_size"),
    ({"events": [5.0], "bin_size": 2.0}, "bin_size"),
])
def test_psth_bad_input(kwargs, param):
    with pytest.raises(ValidationError, match=f"^{param} must be"):
        _psth(_spikes(), **kwargs)


def test_histogram_index_matches_numpy_on_awkward_values():
    rng = np.random.default_rng(5)
    edges = -0.05 + np.arange(101) * 0.001
    x = np.r_[rng.uniform(-0.06, 0.06, 10000), edges, np.nextafter(edges, 1),
              np.nextafter(edges, -1)]
    k = histogram_index(x, edges)
    want = np.histogram(x, bins=edges)[0]
    np.testing.assert_array_equal(np.bincount(k[k >= 0], minlength=100), want)
    inside = (x >= edges[0]) & (x <= edges[-1])
    np.testing.assert_array_equal(k >= 0, inside)
