"""ck.describe, ck.interval_fraction, population_rate: hand-worked values."""

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError
from cortexkit.summary import population_rate


@pytest.fixture
def five_units():
    # counts 1, 2, 3, 4, 10 over 10 s
    rng = np.random.default_rng(0)
    trains = [np.sort(rng.uniform(0, 10, n)) for n in (1, 2, 3, 4, 10)]
    return ck.SpikeTrains.from_list(trains, t_stop=10.0)


def test_describe_hand_worked(five_units):
    d = ck.describe(five_units)
    assert (d.n_units, d.n_spikes, d.duration) == (5, 20, 10.0)
    assert d.mean_count == 4.0
    assert d.median_count == 3.0
    assert (d.q1_count, d.q3_count) == (2.0, 4.0)
    assert d.fraction_below_mean == pytest.approx(3 / 5)
    assert d.population_rate == 2.0
    assert d.mean_rate == pytest.approx(0.4)
    assert d.counts.tolist() == [1, 2, 3, 4, 10]
    assert "counts" not in d.to_dict() and d.to_dict(include_counts=True)["counts"][-1] == 10


def test_describe_counts_empty_units():
    st = ck.SpikeTrains.from_list([[0.5], [], []], t_stop=1.0)
    d = ck.describe(st)
    assert d.n_empty_units == 2
    assert d.fraction_below_mean == pytest.approx(2 / 3)


def test_describe_rejects_non_spiketrains():
    with pytest.raises(ValidationError, match="SpikeTrains"):
        ck.describe([[0.1, 0.2]])


def test_interval_fraction_hand_worked():
    st = ck.SpikeTrains.from_list([[0.1, 0.2, 0.3, 3.0], [0.5, 2.5]], t_stop=4.0)
    f = ck.interval_fraction(st, 0.0, 1.0)
    assert f.n_spikes == 4
    assert f.fraction_spikes == pytest.approx(4 / 6)
    assert f.fraction_time == pytest.approx(0.25)
    assert f.ratio == pytest.approx((4 / 6) / 0.25)
    # half-open: a spike at t1 is not counted
    assert ck.interval_fraction(st, 0.0, 0.3).n_spikes == 2


@pytest.mark.parametrize("t0,t1,match", [(1.0, 0.5, "t0 < t1"), (-1.0, 1.0, "not inside"),
                                          (0.0, 5.0, "not inside"), (np.nan, 1.0, "finite")])
def test_interval_fraction_bad(t0, t1, match):
    st = ck.SpikeTrains.from_list([[0.1, 3.0]], t_stop=4.0)
    with pytest.raises(ValidationError, match=match):
        ck.interval_fraction(st, t0, t1)


def test_population_rate_sums_units():
    st = ck.SpikeTrains.from_list([[0.1, 0.2, 1.2], [1.5, 1.7]], t_stop=2.0)
    c, r = population_rate(st, bin_size=0.5)
    assert c.tolist() == [0.25, 0.75, 1.25, 1.75]
    assert r.tolist() == [4.0, 0.0, 2.0, 4.0]
    assert r.sum() * 0.5 == st.n_spikes
    with pytest.raises(ValidationError, match="bin_size"):
        population_rate(st, bin_size=0)
