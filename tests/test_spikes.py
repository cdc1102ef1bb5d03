"""SpikeTrains: construction, validation, access, conversion and interop.

Reference values come from plain NumPy on the raw events (np.unique counts, boolean
masks, stable argsort) and from the peer libraries neo and pynapple.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import cortexkit as ck
from cortexkit._lib import engine
from cortexkit.core import _grouping as G
from cortexkit.core import _plausibility
from cortexkit.errors import CortexkitWarning, ValidationError


def _events(n, n_units, seed=0, t_max=100.0, lo=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, t_max, n))
    u = rng.integers(lo, lo + n_units, n)
    return t, u


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CortexkitWarning)
        return fn(*a, **k)


# ------------------------------------------------------------------ from_events
@pytest.fixture
def force_numba(monkeypatch):
    """Use the numba kernels from 50k spikes on, even in a process without numba loaded."""
    monkeypatch.setitem(engine.THRESHOLDS, "spikes.construct", engine.Threshold(50_000, 0))


@pytest.mark.parametrize("n", [10, 3000, 80_000])  # 80k goes through the numba kernels
def test_from_events_matches_numpy_grouping(n, force_numba):
    t, u = _events(n, 37, seed=n, lo=-5, t_max=40.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # time-sorted events warn about nothing
        st = ck.SpikeTrains.from_events(t, u, t_stop=40.0)
    ids, counts = np.unique(u, return_counts=True)
    np.testing.assert_array_equal(st.unit_ids, ids)
    np.testing.assert_array_equal(st.counts, counts)
    assert st.n_units == ids.size and st.n_spikes == n
    for i, uid in enumerate(ids):
        np.testing.assert_array_equal(st.train(i), t[u == uid])
    np.testing.assert_allclose(st.rates, counts / 40.0)
    assert st.duration == 40.0 and st.t_start == 0.0


def test_from_events_unit_ids_fix_order_and_keep_empty_units():
    st = ck.SpikeTrains.from_events([0.1, 0.2, 0.3], [4, 2, 4], unit_ids=[9, 4, 2], t_stop=1)
    assert st.unit_ids.tolist() == [9, 4, 2]
    assert st.counts.tolist() == [0, 2, 1]
    assert st.train(0).size == 0
    with pytest.raises(ValidationError, match="not in unit_ids"):
        ck.SpikeTrains.from_events([0.1, 0.2], [4, 5], unit_ids=[4])


def test_from_events_string_and_sparse_labels():
    with pytest.warns(CortexkitWarning, match="not sorted"):
        st = ck.SpikeTrains.from_events([0.3, 0.1, 0.2], ["b", "a", "b"], t_stop=1)
    assert st.unit_ids.tolist() == ["a", "b"]
    assert st.train(1).tolist() == [0.2, 0.3]  # unit b arrives unsorted -> sorted
    big = np.array([10**15, 3, 10**15])
    st = _quiet(ck.SpikeTrains.from_events, [0.1, 0.2, 0.3], big)
    assert st.unit_ids.tolist() == [3, 10**15] and st.counts.tolist() == [1, 2]


def test_from_events_does_not_modify_inputs():
    t = np.array([0.5, 0.1, 0.3, 0.2])
    u = np.array([1, 1, 2, 1])
    t0, u0 = t.copy(), u.copy()
    st = _quiet(ck.SpikeTrains.from_events, t, u)
    np.testing.assert_array_equal(t, t0)
    np.testing.assert_array_equal(u, u0)
    assert st.train(0).tolist() == [0.1, 0.2, 0.5]
    assert not st.times.flags.writeable


def test_column_inputs_are_flattened():
    t = np.array([[0.1], [0.2], [0.3]])
    u = np.array([[1], [2], [1]], dtype=np.uint32)
    st = ck.SpikeTrains.from_events(t, u)
    assert st.counts.tolist() == [2, 1]


# ------------------------------------------------------------------ kernels vs NumPy
def _unsorted_events(seed):
    rng = np.random.default_rng(seed)
    n = 120_000
    t = np.round(rng.uniform(0, 50, n), 3)  # rounding makes duplicates
    u = rng.integers(0, 90, n).astype(np.int32)
    return t, u


def test_group_kernel_parity_with_stable_argsort():
    from cortexkit.core import _kernels

    t, u = _unsorted_events(1)
    t[17] = np.nan
    enc = G.encode_labels(u, None)
    offsets = np.concatenate([[0], np.cumsum(enc.counts)])
    ref_out, ref = G.group_numpy(t, enc, offsets)
    out = np.empty_like(t)
    unsorted = np.zeros(enc.counts.size, dtype=bool)
    dup = np.zeros(enc.counts.size, dtype=np.int64)
    n_bad, first, tmin, tmax, all_int = _kernels.group_scan(t, enc.labels, enc.lut, enc.lo,
                                                            offsets, out, unsorted, dup)
    # the independent reference: NumPy's stable argsort on the codes
    order = np.argsort(u, kind="stable")
    np.testing.assert_array_equal(out, t[order])
    np.testing.assert_array_equal(ref_out, t[order])
    np.testing.assert_array_equal(unsorted, ref.unsorted)
    np.testing.assert_array_equal(dup, ref.dup)
    assert (n_bad, tmin, tmax, all_int) == (ref.n_nonfinite, ref.tmin, ref.tmax, ref.all_integer)
    assert int(u[first]) == ref.first_nonfinite_unit  # codes == labels here (0..89 all present)


def test_scan_kernel_parity():
    from cortexkit.core import _kernels

    t, u = _unsorted_events(2)
    order = np.argsort(u, kind="stable")
    g = t[order]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(u))])
    ref = G.scan_numpy(g, offsets)
    unsorted = np.zeros(offsets.size - 1, dtype=bool)
    dup = np.zeros(offsets.size - 1, dtype=np.int64)
    res = _kernels.scan_flat(g, offsets, unsorted, dup)
    assert res[0] == ref.n_nonfinite and res[2:] == (ref.tmin, ref.tmax, ref.all_integer)
    np.testing.assert_array_equal(unsorted, ref.unsorted)
    np.testing.assert_array_equal(dup, ref.dup)
    # independent duplicate count: equal neighbours within each unit after sorting
    sorted_within = np.concatenate([np.sort(g[a:b])
                                    for a, b in zip(offsets[:-1], offsets[1:], strict=True)])
    same = np.diff(sorted_within) == 0
    same[offsets[1:-1] - 1] = False
    st = _quiet(ck.SpikeTrains.from_events, t, u)
    assert st.n_duplicates == int(same.sum())


def _scan_equal(a, b):
    assert (a.n_nonfinite, a.first_nonfinite_unit, a.tmin, a.tmax, a.all_integer) == (
        b.n_nonfinite, b.first_nonfinite_unit, b.tmin, b.tmax, b.all_integer)
    np.testing.assert_array_equal(a.unsorted, b.unsorted)
    np.testing.assert_array_equal(a.dup, b.dup)


@pytest.mark.parametrize("n_units", [1, 90, 5000, 40_000, 200_000])
@pytest.mark.parametrize("time_sorted", [True, False])
def test_chunked_numpy_grouping_equals_stable_argsort(n_units, time_sorted):
    """The packed-key chunked counting sort (fast NumPy path) against the reference."""
    from cortexkit.core._grouping_numpy import group_chunked

    rng = np.random.default_rng(n_units)
    n = 300_000                # > 2 chunks of 2^17 (> 4 of 2^16 from 32768 units on)
    t = np.round(rng.uniform(0, 50, n), 3)
    if time_sorted:
        t.sort()
    u = (rng.integers(0, n_units, n) * 3 + 7).astype(np.uint32)   # offset, gaps
    enc = G.encode_labels(u, None, engine="numpy")
    offsets = np.concatenate([[0], np.cumsum(enc.counts)])
    got = group_chunked(t, enc.labels, enc.lut, enc.lo, offsets)
    order = np.argsort(u, kind="stable")
    if enc.counts.size > 65536:
        assert got is None                        # falls back to the reference
        out, _ = G.group(t, enc, offsets, engine="numpy")
        np.testing.assert_array_equal(out, t[order])
        return
    np.testing.assert_array_equal(got, t[order])
    out, sc = G.group(t, enc, offsets, engine="numpy")
    np.testing.assert_array_equal(out, t[order])
    _scan_equal(sc, G.scan_numpy(t[order], offsets))


def test_unit_by_unit_scan_equals_reference_on_edge_cases():
    from cortexkit.core._grouping_numpy import scan_by_unit

    rng = np.random.default_rng(5)
    base = [np.sort(rng.uniform(0, 10, 200)) for _ in range(12)]
    base[1] = base[1][::-1].copy()                # unsorted
    base[2][50] = base[2][49]                     # a duplicate
    base[3] = np.array([])                        # empty
    base[4] = np.array([3.0])                     # one spike
    base[5][-1] = np.inf                          # inf at the end of a sorted unit
    base[6][100] = np.nan                         # NaN inside
    base[7] = np.round(base[7])                   # integers with repeats
    base[8][0] = -np.inf
    offsets = np.concatenate([[0], np.cumsum([b.size for b in base])])
    times = np.concatenate(base)
    _scan_equal(scan_by_unit(times, offsets), G.scan_numpy(times, offsets))
    clean = [b for i, b in enumerate(base) if i not in (5, 6, 8)]
    for integer in (False, True):
        parts = [np.round(b) if integer else b for b in clean]
        off = np.concatenate([[0], np.cumsum([b.size for b in parts])])
        tt = np.concatenate(parts)
        _scan_equal(scan_by_unit(tt, off), G.scan_numpy(tt, off))


def test_numba_and_numpy_paths_build_the_same_object(monkeypatch, force_numba):
    t, u = _unsorted_events(3)
    a = _quiet(ck.SpikeTrains.from_events, t, u)
    assert "cortexkit.core._kernels" in sys.modules
    monkeypatch.setitem(engine.THRESHOLDS, "spikes.construct", engine.Threshold(10**9, 10**9))
    b = _quiet(ck.SpikeTrains.from_events, t, u)
    assert a == b and a.n_duplicates == b.n_duplicates
    c = _quiet(ck.SpikeTrains, a.times, a.offsets)  # scan_flat vs _scan_numpy via __init__
    monkeypatch.setitem(engine.THRESHOLDS, "spikes.construct", engine.Threshold(50_000, 0))
    d = _quiet(ck.SpikeTrains, a.times, a.offsets)
    assert c == d and c.n_duplicates == d.n_duplicates == a.n_duplicates


@settings(max_examples=40, deadline=None)
@given(hst.lists(hst.tuples(hst.integers(0, 2000), hst.integers(-3, 6)), max_size=60))
def test_from_events_property(pairs):
    t = np.array([p[0] / 100.0 for p in pairs], dtype=float)
    u = np.array([p[1] for p in pairs], dtype=np.int64)
    st = _quiet(ck.SpikeTrains.from_events, t, u, t_stop=20.0)
    ids = np.unique(u)
    np.testing.assert_array_equal(st.unit_ids, ids)
    for i, uid in enumerate(ids):
        np.testing.assert_array_equal(st.train(i), np.sort(t[u == uid]))
    assert st.offsets[-1] == len(pairs)


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_times_refused(bad):
    with pytest.raises(ValidationError, match="not finite.*unit 2"):
        ck.SpikeTrains.from_events([0.1, bad, 0.3], [1, 2, 1])
    with pytest.raises(ValidationError, match="not finite"):
        ck.SpikeTrains.from_list([[0.1], [bad]])


def test_times_outside_interval_refused():
    with pytest.raises(ValidationError, match=r"outside \[t_start, t_stop\]"):
        ck.SpikeTrains.from_list([[0.1, 2.5]], t_stop=2.0)
    with pytest.raises(ValidationError, match="outside"):
        ck.SpikeTrains.from_list([[0.1, 0.5]], t_start=0.2, t_stop=2.0)


def test_negative_times_need_allow_negative():
    with pytest.raises(ValidationError, match="allow_negative=True"):
        ck.SpikeTrains.from_list([[-0.5, 0.5]])
    st = ck.SpikeTrains.from_list([[-0.5, 0.5]], allow_negative=True)
    assert st.t_start == -0.5
    assert ck.SpikeTrains.from_list([[-0.5, 0.5]], t_start=-1.0).t_start == -1.0


def test_unsorted_sorted_with_note_or_refused():
    with pytest.warns(CortexkitWarning, match="1 unit.*not sorted"):
        st = ck.SpikeTrains.from_list([[0.3, 0.1, 0.2], [0.5]])
    assert st.train(0).tolist() == [0.1, 0.2, 0.3]
    with pytest.raises(ValidationError, match="not sorted.*unit 0.*sort=True"):
        ck.SpikeTrains.from_list([[0.3, 0.1]], sort=False)
    with pytest.raises(ValidationError, match="not sorted"):
        ck.SpikeTrains.from_events([0.3, 0.1], [1, 1], sort=False)


def test_duplicates_counted_and_reported():
    with pytest.warns(CortexkitWarning, match="3 duplicate"):
        st = ck.SpikeTrains.from_list([[0.1, 0.1, 0.1, 0.2], [0.2, 0.3, 0.3]])
    assert st.n_duplicates == 3
    # equal times in different units are not duplicates
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ck.SpikeTrains.from_list([[0.1], [0.1]]).n_duplicates == 0


def test_empty_units_and_empty_recording():
    st = ck.SpikeTrains.from_list([[], [0.5], []], t_stop=1.0)
    assert st.counts.tolist() == [0, 1, 0]
    empty = ck.SpikeTrains.from_list([[], []], t_stop=2.0)
    assert empty.n_spikes == 0 and empty.rates.tolist() == [0.0, 0.0]
    with pytest.raises(ValidationError, match="t_stop"):
        ck.SpikeTrains.from_list([[]])


def test_implausible_units_warn():
    with pytest.warns(CortexkitWarning, match="median ISI above 60"):
        ck.SpikeTrains.from_list([np.arange(0, 1000, 100.0), np.arange(0, 10, 0.1)])
    with pytest.warns(CortexkitWarning, match="sample indices"):
        ck.SpikeTrains.from_list([np.arange(100, 30000, 997.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ck.SpikeTrains.from_list([np.arange(0, 100, 0.5)])  # plausible: silent


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.1, 0.2], [1, 2]), "offsets must start at 0"),
        (([0.1, 0.2], [0, 1]), "end at len"),
        (([0.1, 0.2], [0.0, 2.0]), "integer"),
        (([0.1, 0.2], [0, 2], [3, 4]), "one entry per unit"),
        (([0.1, 0.2], [0, 1, 2], [3, 3]), "unique"),
        ((["a", "b"], [0, 2]), "numeric"),
    ],
)
def test_flat_constructor_errors(args, match):
    with pytest.raises(ValidationError, match=match):
        ck.SpikeTrains(*args)


def test_from_list_errors():
    with pytest.raises(ValidationError, match="unit 1.*numbers"):
        ck.SpikeTrains.from_list([[0.1], ["x"]])
    with pytest.raises(ValidationError, match="unit 0.*1-D"):
        ck.SpikeTrains.from_list([np.zeros((2, 3))])
    with pytest.raises(ValidationError, match="from_events"):
        ck.SpikeTrains.from_list(np.zeros((3, 4)))
    # options are explicit keyword-only parameters: Python itself refuses unknown ones
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        ck.SpikeTrains.from_list([[0.1]], bogus=1)
    with pytest.raises(TypeError, match="positional"):
        ck.SpikeTrains.from_list([[0.1]], None, None, None, None)  # unit_info is keyword-only


# ------------------------------------------------------------------ access
@pytest.fixture
def st3():
    info = pd.DataFrame({"area": ["CA1", "V1", "LP"], "depth": [100.0, 250.0, 400.0]})
    return ck.SpikeTrains.from_events(
        [0.1, 0.4, 0.5, 0.9, 1.2, 1.5], [7, 3, 7, 9, 7, 3], t_stop=2.0, unit_info=info)


def test_access_and_attributes(st3):
    assert st3.unit_ids.tolist() == [3, 7, 9]
    assert st3[1].tolist() == [0.1, 0.5, 1.2] and st3.train(1).tolist() == st3[1].tolist()
    assert len(st3) == 3 and [a.size for a in st3] == [2, 3, 1]
    assert st3.unit_index.tolist() == [0, 0, 1, 1, 1, 2]
    assert st3.rates.tolist() == [1.0, 1.5, 0.5]
    with pytest.raises(ValidationError, match="out of range"):
        st3.train(3)
    with pytest.raises(ValidationError, match="select"):
        st3.train(1.0)
    info = st3.unit_info
    info.loc[0, "area"] = "changed"  # a copy: the container is not modified
    assert st3.unit_info.loc[0, "area"] == "CA1"


def test_select(st3):
    sub = st3.select([9, 3])
    assert sub.unit_ids.tolist() == [9, 3]
    assert sub.train(1).tolist() == [0.4, 1.5]
    assert sub.unit_info["area"].tolist() == ["LP", "CA1"]
    assert sub.unit_info["depth"].tolist() == [400.0, 100.0]
    assert st3.select(7).counts.tolist() == [3]
    with pytest.raises(ValidationError, match=r"\[42\] not found"):
        st3.select([3, 42])


def test_select_unit_info_follows_units():
    info = pd.DataFrame({"area": ["a", "b", "c"]})
    st = ck.SpikeTrains.from_list([[0.1], [0.2], [0.3]], unit_ids=[10, 20, 30], unit_info=info)
    assert st.select([30, 10]).unit_info["area"].tolist() == ["c", "a"]


def test_restrict_matches_mask(st3):
    r = st3.restrict(0.4, 1.2)
    assert (r.t_start, r.t_stop) == (0.4, 1.2)
    t = st3.times
    for i in range(3):
        ref = st3.train(i)[(st3.train(i) >= 0.4) & (st3.train(i) < 1.2)]
        np.testing.assert_array_equal(r.train(i), ref)
    assert r.n_spikes == int(((t >= 0.4) & (t < 1.2)).sum())
    with pytest.raises(ValidationError, match="t0 < t1"):
        st3.restrict(1.0, 0.5)


def test_to_list_and_dataframe(st3):
    lst = st3.to_list()
    assert [a.tolist() for a in lst] == [[0.4, 1.5], [0.1, 0.5, 1.2], [0.9]]
    lst[0][0] = 99.0
    assert st3.train(0)[0] == 0.4
    df = st3.to_dataframe()
    assert list(df.columns) == ["unit", "time"]
    back = ck.SpikeTrains.from_events(df["time"], df["unit"], t_stop=2.0)
    assert back == st3


# ------------------------------------------------------------------ interop
def test_neo_round_trip(st3):
    neo = pytest.importorskip("neo")
    pq = pytest.importorskip("quantities")
    trains = st3.to_neo()
    assert all(isinstance(tr, neo.SpikeTrain) for tr in trains)
    assert [tr.size for tr in trains] == st3.counts.tolist()
    assert float(trains[0].t_stop.rescale("s")) == 2.0
    assert ck.SpikeTrains.from_neo(trains) == st3
    # neo trains in milliseconds, named, built by neo itself
    ms = [neo.SpikeTrain([100.0, 250.0], units=pq.ms, t_stop=1000.0, name="a"),
          neo.SpikeTrain([5.0], units=pq.ms, t_stop=1000.0, name="b")]
    st = ck.SpikeTrains.from_neo(ms)
    assert st.unit_ids.tolist() == ["a", "b"]
    np.testing.assert_allclose(st.train(0), [0.1, 0.25])
    assert st.t_stop == 1.0


def test_pynapple_round_trip(st3):
    nap = pytest.importorskip("pynapple")
    g = st3.to_pynapple()
    assert isinstance(g, nap.TsGroup)
    assert list(g.keys()) == [3, 7, 9]
    np.testing.assert_allclose(g["rate"].to_numpy(), st3.rates)  # pynapple's own rates
    back = ck.SpikeTrains.from_pynapple(g)
    assert back == st3
    pd.testing.assert_frame_equal(back.unit_info, st3.unit_info)
    # a TsGroup built directly with pynapple
    sup = nap.IntervalSet(0, 3.0)
    g2 = nap.TsGroup({1: nap.Ts(t=np.array([0.5, 1.0]), time_support=sup),
                      4: nap.Ts(t=np.array([2.0]), time_support=sup)}, time_support=sup)
    st = ck.SpikeTrains.from_pynapple(g2)
    assert st.unit_ids.tolist() == [1, 4] and st.t_stop == 3.0
    assert st.counts.tolist() == [2, 1]


def test_pynapple_string_ids_round_trip():
    pytest.importorskip("pynapple")
    st = ck.SpikeTrains.from_events([0.1, 0.2, 0.3], ["x", "y", "x"], t_stop=1.0)
    assert ck.SpikeTrains.from_pynapple(st.to_pynapple()) == st


def test_import_stays_light_after_construction():
    """Inputs below a few million spikes do not import numba in a fresh process."""
    code = ("import sys, numpy as np, cortexkit as ck; "
            "ck.SpikeTrains.from_events([0.1, 0.2], [1, 2]); "
            "ck.SpikeTrains.from_events(np.linspace(0, 100, 200_000), np.arange(200_000) % 50); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_vectorized_median_isi_matches_numpy_median():
    rng = np.random.default_rng(5)
    trains = [np.sort(rng.exponential(2.0, k).cumsum()) for k in (0, 1, 2, 3, 10, 57)]
    st = ck.SpikeTrains.from_list(trains)
    med = _plausibility.median_isi(st.times, st.offsets)
    ref = [np.median(np.diff(t)) if t.size > 1 else np.nan for t in trains]
    np.testing.assert_allclose(med, ref)


# ------------------------------------------------------------------ take / immutability
def test_take_by_position_matches_select(st3):
    sub = st3.take([2, 0, 0])
    assert sub.unit_ids.tolist() == [9, 3, 3]
    assert sub == st3.select([9, 3, 3])
    assert sub.unit_info["area"].tolist() == ["LP", "CA1", "CA1"]
    assert st3.take(np.array([], dtype=int)).n_units == 0
    for bad in ([3], [-1], [0.5], [[0, 1]]):
        with pytest.raises(ValidationError, match="positions must be") as info:
            st3.take(bad)
        assert info.value.param == "positions"


def test_attributes_cannot_be_reassigned(st3):
    for name in ("times", "t_stop", "unit_ids", "_times", "_t_stop", "extra"):
        with pytest.raises(AttributeError):
            setattr(st3, name, 1.0)
    with pytest.raises(AttributeError):
        del st3._times
    with pytest.raises(ValueError):
        st3.times[0] = 5.0  # read-only arrays
    assert st3.t_stop == 2.0 and st3.times[0] == 0.4


def test_pickle_and_copy_round_trip(st3):
    import copy
    import pickle

    for back in (pickle.loads(pickle.dumps(st3)), copy.deepcopy(st3), copy.copy(st3)):
        assert back == st3 and back.n_duplicates == st3.n_duplicates
        pd.testing.assert_frame_equal(back.unit_info, st3.unit_info)
        with pytest.raises(AttributeError):
            back._t_stop = 9.0
        assert not back.times.flags.writeable


@pytest.mark.parametrize("n", [100, 120_000])
def test_engine_argument_numba_and_numpy_agree(n):
    t, u = _unsorted_events(4)
    t, u = t[:n], u[:n]
    a = _quiet(ck.SpikeTrains.from_events, t, u, engine="numba")
    b = _quiet(ck.SpikeTrains.from_events, t, u, engine="numpy")
    assert a == b and a.n_duplicates == b.n_duplicates
    c = _quiet(ck.SpikeTrains, b.times, b.offsets, b.unit_ids, engine="numba")
    d = _quiet(ck.SpikeTrains.from_list, b.to_list(), b.unit_ids, engine="numpy")
    assert c == d == b and c.n_duplicates == d.n_duplicates == b.n_duplicates
    with pytest.raises(ValidationError, match="engine must be one of auto, numba, numpy"):
        ck.SpikeTrains.from_events(t, u, engine="cuda")


def test_trusted_parts_skip_checks_but_count_duplicates():
    from cortexkit.core import from_trusted_parts

    st = from_trusted_parts([0.1, 0.1, 0.5], [0, 2, 3], [4, 5], 0.0, 1.0)
    assert st.n_duplicates == 1 and st.unit_ids.tolist() == [4, 5]
    assert st == _quiet(ck.SpikeTrains, st.times, st.offsets, [4, 5], t_stop=1.0)
