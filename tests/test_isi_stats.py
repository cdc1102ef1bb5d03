"""ck.isi.intervals / stats / histogram: against Elephant on real recordings and edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError

es = pytest.importorskip("elephant.statistics")


def _load(real_data_dir, name, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.io.load_spikes(real_data_dir / name, **kw)


REAL = [("ibl-slidingrp-3units", {}), ("phy-neuropixels-120s", {"sample_rate": 30000}),
        ("nelpy-linear-track/spikes.mat", {})]


def _check_against_elephant(st, df):
    """cv, lv, cv2 equal Elephant's per unit to 1e-9 (relative)."""
    n_checked = 0
    for i in range(st.n_units):
        isi = np.diff(st[i])
        if isi.size < 2:
            assert np.isnan(df["cv"][i]) and np.isnan(df["lv"][i]) and np.isnan(df["cv2"][i])
            continue
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore")
            ref = {"cv": es.cv(isi), "lv": es.lv(isi), "cv2": es.cv2(isi)}
        for key, value in ref.items():
            if np.isnan(value):
                # Elephant: NaN when two consecutive ISIs are zero (0/0); cortexkit leaves
                # those pairs out: compare with the mean over the remaining pairs.
                tot = isi[:-1] + isi[1:]
                r = np.diff(isi)[tot > 0] / tot[tot > 0]
                value = 3 * np.mean(r**2) if key == "lv" else 2 * np.mean(np.abs(r))
                assert np.any(tot == 0)
            np.testing.assert_allclose(df[key][i], value, rtol=1e-9, atol=0, err_msg=key)
        n_checked += 1
    return n_checked


@pytest.mark.parametrize("name,kw", REAL)
@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_stats_match_elephant_on_real_recordings(real_data_dir, name, kw, engine):
    st = _load(real_data_dir, name, **kw)
    df = ck.isi.stats(st, engine=engine)
    assert list(df.columns) == list(ck.isi.STATS_COLUMNS)
    assert _check_against_elephant(st, df) >= 3
    np.testing.assert_array_equal(df["n_spikes"], st.counts)


def test_phy_zero_isis_give_finite_lv(real_data_dir):
    st = _load(real_data_dir, "phy-neuropixels-120s", sample_rate=30000)
    df = ck.isi.stats(st)
    ok = df["n_spikes"] >= 3
    assert np.isfinite(df.loc[ok, ["cv", "lv", "cv2"]].to_numpy()).all()


@pytest.mark.slow
def test_stats_match_elephant_on_bundled_session():
    st = ck.datasets.steinmetz_like(seed=0)
    df = ck.isi.stats(st)
    assert _check_against_elephant(st, df) > 300


def test_numba_and_numpy_engines_agree(real_data_dir):
    st = _load(real_data_dir, "phy-neuropixels-120s", sample_rate=30000)
    a = ck.isi.stats(st, engine="numba")
    b = ck.isi.stats(st, engine="numpy")
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=0)


def test_median_rate_and_refractory_against_plain_numpy():
    rng = np.random.default_rng(3)
    trains = [np.sort(rng.uniform(0, 100, n)) for n in (0, 1, 2, 3, 50, 501, 1000)]
    trains[5][10] = trains[5][9] + 0.0005  # one violation below 1.5 ms (keeps order)
    st = ck.SpikeTrains.from_list(trains, t_stop=100.0)
    for engine in ("numpy", "numba"):
        df = ck.isi.stats(st, refractory=0.0015, engine=engine)
        for i, t in enumerate(trains):
            isi = np.diff(t)
            row = df.iloc[i]
            assert row["n_spikes"] == t.size
            assert row["rate_hz"] == pytest.approx(t.size / 100.0)
            assert row["refractory_count"] == int(np.sum(isi < 0.0015))
            if isi.size:
                assert row["median_isi"] == np.median(isi)
                assert row["mean_isi"] == pytest.approx(isi.mean(), rel=1e-12)
                assert row["refractory_fraction"] == pytest.approx(np.mean(isi < 0.0015))
            else:
                assert np.isnan(row["median_isi"]) and np.isnan(row["refractory_fraction"])


def test_units_with_0_1_2_spikes_give_nan_rows():
    st = ck.SpikeTrains.from_list([[], [0.5], [0.1, 0.4], [0.1, 0.2, 0.4]], t_stop=1.0)
    df = ck.isi.stats(st)
    assert df["n_spikes"].tolist() == [0, 1, 2, 3]
    assert df[["cv", "lv", "cv2"]].iloc[:3].isna().all().all()
    assert np.isnan(df["mean_isi"][0]) and np.isnan(df["mean_isi"][1])
    assert df["mean_isi"][2] == pytest.approx(0.3)
    # unit 3: ISIs 0.1, 0.2 -> cv = std/mean (ddof 0), lv = 3 (0.1/0.3)^2, cv2 = 2 * 0.1/0.3
    assert df["cv"][3] == pytest.approx(0.05 / 0.15)
    assert df["lv"][3] == pytest.approx(3 / 9)
    assert df["cv2"][3] == pytest.approx(2 / 3)


def test_all_zero_isis_are_nan_not_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = ck.SpikeTrains.from_list([[0.2, 0.2, 0.2, 0.2]], t_stop=1.0)
        for engine in ("numpy", "numba"):
            df = ck.isi.stats(st, engine=engine)
            assert df[["cv", "lv", "cv2"]].isna().all().all()
            assert df["refractory_count"][0] == 3


def test_intervals_layout_and_immutability():
    trains = [[0.0, 0.5, 0.75], [], [1.0], [1.0, 3.0, 3.5, 6.0]]
    st = ck.SpikeTrains.from_list(trains, unit_ids=["a", "b", "c", "d"], t_stop=10.0)
    times_before = st.times.copy()
    iv = ck.isi.intervals(st)
    assert iv.counts.tolist() == [2, 0, 0, 3]
    assert iv.n_units == 4 and len(iv) == 4
    assert iv.offsets.tolist() == [0, 2, 2, 2, 5]
    for i, t in enumerate(trains):
        np.testing.assert_array_equal(iv[i], np.diff(t))
        np.testing.assert_array_equal(iv.unit(i), np.diff(t))
    assert iv.unit_ids.tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ValueError):
        iv.values[0] = 1.0
    with pytest.raises(AttributeError):
        iv.values = np.zeros(5)
    with pytest.raises(ValidationError, match="out of range"):
        iv.unit(7)
    np.testing.assert_array_equal(st.times, times_before)


def test_stats_rejects_bad_input():
    st = ck.SpikeTrains.from_list([[0.1, 0.2]], t_stop=1.0)
    with pytest.raises(ValidationError, match="refractory"):
        ck.isi.stats(st, refractory=-1)
    with pytest.raises(ValidationError, match="engine"):
        ck.isi.stats(st, engine="gpu")
    with pytest.raises(ValidationError, match="SpikeTrains"):
        ck.isi.stats([[0.1, 0.2]])


def test_histogram_matches_numpy_and_validates():
    rng = np.random.default_rng(0)
    x = rng.exponential(0.05, 1000)
    c, e = ck.isi.histogram(x, bins=20, range=(0, 0.2))
    c2, e2 = np.histogram(x, bins=20, range=(0, 0.2))
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(e, e2)
    d, _ = ck.isi.histogram(x, bins=20, range=(0, 0.2), density=True)
    assert np.sum(d * np.diff(e)) == pytest.approx(1.0)
    st = ck.SpikeTrains.from_list([np.cumsum(x)])
    c3, _ = ck.isi.histogram(ck.isi.intervals(st), bins=20, range=(0, 0.2))
    np.testing.assert_array_equal(c3, np.histogram(np.diff(st[0]), bins=20, range=(0, 0.2))[0])
    with pytest.raises(ValidationError, match="bins"):
        ck.isi.histogram(x, bins=0)
    with pytest.raises(ValidationError, match="lo < hi"):
        ck.isi.histogram(x, range=(1, 0))
    with pytest.raises(ValidationError, match="one unit"):
        ck.isi.histogram(ck.isi.intervals(ck.SpikeTrains.from_list([[0.1, 0.2], [0.3, 0.5]])))
    with pytest.raises(ValidationError, match="no"):
        ck.isi.histogram(x, range=(5, 6), density=True)


def test_recordings_without_spikes_or_units():
    empty_units = ck.SpikeTrains(np.zeros(0), np.array([0, 0, 0]), t_stop=1.0)
    no_units = ck.SpikeTrains(np.zeros(0), np.array([0]), t_stop=1.0)
    for engine in ("numpy", "numba"):
        df = ck.isi.stats(empty_units, engine=engine)
        assert df["n_spikes"].tolist() == [0, 0] and df["cv"].isna().all()
        assert len(ck.isi.stats(no_units, engine=engine)) == 0
    assert ck.isi.fit_all(empty_units)["best_model"].isna().all()
    assert len(ck.isi.fit_all(no_units)) == 0
    assert ck.isi.intervals(no_units).n_units == 0


def _mixed_session(seed: int = 3) -> ck.SpikeTrains:
    """Units of 0-3 spikes, long Poisson units, units with duplicate (zero-ISI) spikes."""
    rng = np.random.default_rng(seed)
    trains = [[], [0.5], [0.1, 0.4], [0.2, 0.2, 0.2], [0.1, 0.1, 0.3, 0.3, 0.3, 0.9]]
    for n in (5, 64, 1000, 20_000):
        t = np.sort(rng.uniform(0, 100, n))
        trains.append(t)
        trains.append(np.sort(np.r_[t, t[: n // 3]]))          # a third duplicated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.SpikeTrains.from_list(trains, t_stop=101.0)


@pytest.mark.parametrize("refractory", [0.0, 0.0015, 0.5])
def test_unit_loop_path_equals_flat_numpy_reference(refractory):
    """stats' per-unit NumPy path (large units) vs the flat bincount reference and the
    numba kernel, on every edge case at once."""
    from cortexkit.isi._stats import _columns_by_unit, _columns_numpy

    st = _mixed_session()
    loop = _columns_by_unit(st.times, st.offsets, refractory)
    flat = _columns_numpy(ck.isi.intervals(st), refractory)
    for key, ref in flat.items():
        np.testing.assert_allclose(loop[key], ref, rtol=1e-12, atol=0, err_msg=key)
    a = ck.isi.stats(st, refractory, engine="numpy")     # takes the unit loop here
    b = ck.isi.stats(st, refractory, engine="numba")
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=0)


def test_intervals_segment_path_equals_flat_reference():
    from cortexkit.isi._intervals import _MIN_MEAN_SPIKES, intervals_flat

    st = _mixed_session()
    assert st.n_units * _MIN_MEAN_SPIKES <= st.n_spikes     # the per-unit path is taken
    iv = ck.isi.intervals(st)
    np.testing.assert_array_equal(iv.values, intervals_flat(st.times, st.offsets))
    for i in range(st.n_units):
        np.testing.assert_array_equal(iv[i], np.diff(st[i]))
    assert not iv.values.flags.writeable and not iv.offsets.flags.writeable
