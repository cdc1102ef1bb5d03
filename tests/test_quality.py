"""ck.quality: reference values of the IBL sliding-RP test, SpikeInterface's Hill and
Llobet values on real data, exactness of the quadratic contamination on simulated units,
engine parity and bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError
from cortexkit.quality import _pairs

DATA = Path(__file__).parent / "data"
FS = 30000.0

# Expected values of the reference implementation's own test
# (SteinmetzLab/slidingRefractory, python/tests/test_sliding_rp.py, EXPECTED; see the
# data's SOURCE.md): max confidence (%), min contamination (%), time of lowest
# contamination (s), pairs within 2 ms; sampleRate 30000, binSizeCorr 1/30000.
IBL_EXPECTED = {
    167: (0.7968085162939342, np.nan, np.nan, 0, False),
    274: (100.0, 0.5, 0.0012166666666666667, 2, True),
    275: (53.88397133550098, 15.0, 0.00055, 99, False),
}


@pytest.fixture(scope="module")
def ibl(real_data_dir):
    return ck.io.load_spikes(real_data_dir / "ibl-slidingrp-3units")


def test_sliding_rp_equals_reference_on_ibl_units(ibl):
    table = ck.quality.sliding_rp(ibl, sample_rate=30000, bin_size_corr=1 / 30000)
    assert table["unit"].tolist() == [167, 274, 275]
    for _, row in table.iterrows():
        conf, cont, t_low, n2, ok = IBL_EXPECTED[int(row.unit)]
        assert row.slidingrp_max_confidence * 100 == pytest.approx(conf, rel=1e-12)
        if np.isnan(cont):
            assert np.isnan(row.slidingrp_min_contamination)
            assert np.isnan(row.slidingrp_rp_at_min)
        else:
            assert row.slidingrp_min_contamination * 100 == pytest.approx(cont, rel=1e-12)
            assert row.slidingrp_rp_at_min == pytest.approx(t_low, rel=1e-12)
        assert row.slidingrp_n_below_2ms == n2
        assert bool(row.slidingrp_pass) is ok
    # the SOURCE.md verdicts to its listed precision
    r = table.set_index("unit")
    assert round(r.loc[275, "slidingrp_min_contamination"] * 100, 1) == 15.0
    assert round(r.loc[275, "slidingrp_rp_at_min"] * 1e3, 2) == 0.55
    assert round(r.loc[167, "slidingrp_max_confidence"] * 100, 3) == 0.797


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_metrics_contain_the_sliding_columns_and_engines_agree(ibl, engine):
    m = ck.quality.metrics(ibl, engine=engine)
    assert tuple(m.columns) == ck.quality.METRIC_COLUMNS
    s = ck.quality.sliding_rp(ibl, engine="numpy")
    pd.testing.assert_frame_equal(m[list(s.columns)], s)


def _fixture():
    table = pd.read_csv(DATA / "quality_spikeinterface.csv", comment="#")
    return {name: g.reset_index(drop=True) for name, g in table.groupby("recording")}


def _real_as_spikeinterface_sees_it(real_data_dir, name):
    """samples / fs over [0, (last sample + 1) / fs], as benchmarks/_si_quality.py builds."""
    if name == "phy-neuropixels-120s":
        d = real_data_dir / name
        samples = np.load(d / "spike_times.npy").ravel().astype(np.int64)
        labels = np.load(d / "spike_clusters.npy")
    else:
        d = real_data_dir / name
        samples = np.round(np.load(d / "spikes.times.npy") * FS).astype(np.int64)
        labels = np.load(d / "spikes.clusters.npy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.SpikeTrains.from_events(samples / FS, labels, t_start=0.0,
                                          t_stop=(int(samples.max()) + 1) / FS)


@pytest.mark.parametrize("name", ["phy-neuropixels-120s", "ibl-slidingrp-3units"])
def test_hill_and_llobet_equal_spikeinterface(real_data_dir, name):
    ref = _fixture()[name]
    st = _real_as_spikeinterface_sees_it(real_data_dir, name)
    m = ck.quality.metrics(st, refractory=0.0015)
    assert m["unit"].tolist() == ref["unit"].tolist()
    np.testing.assert_array_equal(m["isi_violations_count"], ref["isi_violations_count"])
    np.testing.assert_array_equal(m["rp_violations"], ref["rp_violations"])
    np.testing.assert_allclose(m["isi_violations_ratio"], ref["isi_violations_ratio"],
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(m["rp_contamination"], ref["rp_contamination"],
                               rtol=1e-12, atol=1e-15)


def _contaminated_unit(c, n, duration, rng, dead=0.002):
    """A dead-time Poisson unit mixed with a Poisson contaminating train (fraction ~c)."""
    nc = rng.binomial(n, c)
    nb = n - nc
    isi = dead + rng.exponential(duration / max(nb, 1) - dead, int(nb * 1.2) + 10)
    base = np.cumsum(isi)
    base = base[base < duration]
    rogue = rng.uniform(0, duration, nc)
    t = np.sort(np.concatenate([base, rogue]))
    return t, rogue.size / t.size


def test_quadratic_contamination_is_exact_on_simulated_units():
    rng = np.random.default_rng(0)
    n, duration, tau = 500_000, 50_000.0, 0.0015
    levels = np.linspace(0, 1, 11)
    sims = [_contaminated_unit(c, n, duration, rng) for c in levels]
    st = ck.SpikeTrains.from_list([s[0] for s in sims], t_start=0, t_stop=duration)
    true = np.array([s[1] for s in sims])
    m = ck.quality.metrics(st, refractory=tau)
    # sampling noise of the violation count (Poisson), propagated through the root
    nn = m["n_spikes"].to_numpy(float)
    expected_viol = nn**2 * 2 * tau / duration * (true - true**2 / 2)
    sd = np.sqrt(np.maximum(expected_viol, 1)) * duration / (2 * nn**2 * tau)
    sd_c = sd / np.maximum(1 - true, 0.05)
    for col in ("isi_violations_contamination", "rp_contamination"):
        est = m[col].to_numpy()
        assert np.all(np.abs(est - true) <= np.maximum(4 * sd_c, 0.01)), (col, est - true)
        assert np.all(np.abs(est - true) < 0.1), (col, est - true)
    taylor = m["isi_violations_ratio"].to_numpy()
    high = true >= 0.7
    assert np.all(np.abs(taylor[high] - true[high]) > 0.2)
    assert abs(taylor[-1] - 1) > 0.45  # the ratio tends to 0.5 at full contamination


def test_quadratic_inverts_the_model_exactly():
    c = np.linspace(0, 1, 101)
    np.testing.assert_allclose(ck.quality.hill_contamination(c - c**2 / 2), c, atol=2e-8)
    assert ck.quality.hill_contamination(0.6) == 1.0  # beyond the model: clipped
    assert np.isnan(ck.quality.hill_contamination(np.nan))


def test_hand_worked_unit():
    # 5 spikes in 10 s; ISIs 1 ms, 0.5 ms, 1 s, 2 ms; pairs within 1.5 ms: 3 (0-1, 1-2, 0-2)
    t = np.array([1.0, 1.001, 1.0015, 2.0015, 2.0035])
    st = ck.SpikeTrains.from_list([t], t_start=0, t_stop=10)
    m = ck.quality.metrics(st).iloc[0]
    assert m.isi_violations_count == 2
    assert m.isi_violations_ratio == pytest.approx(2 * 10 / (2 * 25 * 0.0015))
    assert m.rp_violations == 3
    assert m.rp_contamination == 1.0  # 1 - 3 * 10 / (25 * 0.0015) < 0
    assert m.rate_hz == pytest.approx(0.5)
    assert np.isnan(m.presence_ratio)  # shorter than one 60 s bin
    assert m.firing_range == pytest.approx(
        np.diff(np.percentile(np.histogram(t, bins=[0, 5, 10])[0] / 5, [5, 95]))[0])


def test_presence_and_firing_range_use_full_bins():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 100, 1000))
    t = t[(t < 20) | (t > 70)]
    st = ck.SpikeTrains.from_list([t], t_start=0, t_stop=130)
    m = ck.quality.metrics(st, presence_bin=10, firing_range_bin=5).iloc[0]
    counts10 = np.histogram(t, bins=np.arange(0, 131, 10))[0]
    assert m.presence_ratio == pytest.approx((counts10 > 0).mean())
    rates5 = np.histogram(t, bins=np.arange(0, 131, 5))[0] / 5
    assert m.firing_range == pytest.approx(np.diff(np.percentile(rates5, [5, 95]))[0])


def test_units_without_spikes_get_nan():
    st = ck.SpikeTrains.from_list([np.array([1.0, 2.0, 3.0]), np.array([])], t_stop=120)
    m = ck.quality.metrics(st)
    empty = m.iloc[1]
    assert empty.n_spikes == 0 and empty.rate_hz == 0
    for col in ("isi_violations_ratio", "isi_violations_contamination", "rp_contamination",
                "presence_ratio", "firing_range", "slidingrp_max_confidence",
                "slidingrp_min_contamination"):
        assert np.isnan(empty[col]), col
    assert not empty.slidingrp_pass


@pytest.mark.parametrize("kwargs, param", [
    ({"refractory": 0}, "refractory"),
    ({"refractory": -0.001}, "refractory"),
    ({"refractory": 0.001, "censored": 0.001}, "censored"),
    ({"refractory": 0.001, "censored": 0.002}, "censored"),
    ({"censored": -1}, "censored"),
    ({"presence_bin": 0}, "presence_bin"),
    ({"firing_range_bin": float("nan")}, "firing_range_bin"),
    ({"firing_range_percentiles": (95, 5)}, "firing_range_percentiles"),
    ({"sample_rate": 0}, "sample_rate"),
    ({"bin_size_corr": -1e-3}, "bin_size_corr"),
    ({"bin_size_corr": 1e-6}, "bin_size_corr"),
    ({"engine": "gpu"}, "engine"),
])
def test_bad_input_names_the_parameter(kwargs, param):
    st = ck.SpikeTrains.from_list([np.array([1.0, 2.0])], t_stop=10)
    with pytest.raises(ValidationError, match=rf"^{param} must be") as exc:
        ck.quality.metrics(st, **kwargs)
    assert exc.value.param == param


@pytest.mark.parametrize("kwargs, param", [
    ({"confidence": 1.0}, "confidence"),
    ({"contamination": 0.5}, "contamination"),
    ({"sample_rate": -5}, "sample_rate"),
])
def test_sliding_rp_bad_input(kwargs, param):
    st = ck.SpikeTrains.from_list([np.array([1.0, 2.0])], t_stop=10)
    with pytest.raises(ValidationError, match=rf"^{param} must be"):
        ck.quality.sliding_rp(st, **kwargs)
    with pytest.raises(ValidationError, match="^st must be"):
        ck.quality.sliding_rp(np.array([1.0, 2.0]))


def _bursty(seed, n_units=7):
    """Units of 0..2400 spikes, a third of them with a partner within 3 ms."""
    rng = np.random.default_rng(seed)
    trains = []
    for k in range(n_units):
        base = np.cumsum(rng.exponential(0.05, 400 * k))
        extra = base[: base.size // 3] + rng.uniform(0, 0.003, base.size // 3)
        trains.append(np.sort(np.concatenate([base, extra])))
    trains.append(np.array([5.0, 5.0, 5.0]))  # exact duplicates
    return ck.SpikeTrains.from_list(trains)


def test_pair_kernels_equal_numpy_reference():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = _bursty(3)
    t, off = st.times, st.offsets
    s = (t * FS).astype(np.int64)
    for lag in (0.0, 0.0015, 0.01):
        np.testing.assert_array_equal(_pairs.pairs_within(t, off, lag, engine="numpy"),
                                      _pairs.pairs_within(t, off, lag, engine="numba"))
    np.testing.assert_array_equal(_pairs.lag_histogram(s, off, 1, 300, engine="numpy"),
                                  _pairs.lag_histogram(s, off, 1, 300, engine="numba"))
    np.testing.assert_array_equal(_pairs.lag_histogram(s, off, 7, 40, engine="numpy"),
                                  _pairs.lag_histogram(s, off, 7, 40, engine="numba"))
    np.testing.assert_array_equal(_pairs.pairs_in_lag_range(s, off, 30, 600, engine="numpy"),
                                  _pairs.pairs_in_lag_range(s, off, 30, 600, engine="numba"))
    # against brute force per unit
    for i in range(st.n_units):
        x = s[off[i]:off[i + 1]]
        d = (x[None, :] - x[:, None])[np.triu_indices(x.size, 1)]
        assert _pairs.pairs_in_lag_range(s, off, 30, 600)[i] == np.count_nonzero(
            (d >= 30) & (d < 600))
        np.testing.assert_array_equal(_pairs.lag_histogram(s, off, 7, 40)[i],
                                      np.bincount(d[d < 280] // 7, minlength=40))


def test_unit_summary_agrees_with_metrics(ibl):
    q = ck.quality.unit_summary(ibl, 275)
    full = ck.quality.metrics(ibl).set_index("unit").loc[275]
    for col in ck.quality.METRIC_COLUMNS[1:]:
        a, b = q.metrics[col], full[col]
        assert (np.isnan(a) and np.isnan(b)) if isinstance(b, float) and np.isnan(b) \
            else a == b, col
    s = q.sliding
    assert s.confidence.shape == (s.contamination.size, s.rp.size)
    # the table's numbers are read off the same matrix
    rows = np.flatnonzero((s.confidence[:, s.tested] >= 0.9).any(axis=1))
    assert s.contamination[rows[0]] == pytest.approx(q.metrics["slidingrp_min_contamination"])
    assert s.threshold_confidence[s.tested].max() == pytest.approx(
        q.metrics["slidingrp_max_confidence"])
    assert q.acg.counts.shape == (1, 1, 200) and q.unit == 275
    assert ck.quality.example_unit(ibl) == 274
    with pytest.raises(ValidationError):
        ck.quality.unit_summary(ibl, 999)
