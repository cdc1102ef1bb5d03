"""The bundled synthetic session has the statistics it promises (checked with plain numpy)."""

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError


@pytest.fixture(scope="module")
def session():
    return ck.datasets.steinmetz_like(seed=0)


def test_deterministic_per_seed(session):
    again = ck.datasets.steinmetz_like(seed=0)
    assert again == session
    assert ck.datasets.steinmetz_like(seed=1) != session


def test_size_and_rates(session):
    assert 200 <= session.n_units <= 1000
    assert session.duration == 600.0
    rates = session.counts / session.duration
    assert 1.0 <= np.median(rates) <= 6.0  # a few Hz
    # lognormal: log-rates roughly symmetric, heavy right tail in linear space
    assert np.mean(rates) > np.median(rates)
    info = session.unit_info
    assert set(info.columns) >= {"kind", "area", "depth", "quality", "true_rate"}
    assert np.corrcoef(info["true_rate"], rates)[0, 1] > 0.99


def _cv_and_violations(train, refractory=0.0015):
    isi = np.diff(train)
    return isi.std() / isi.mean(), int(np.sum(isi < refractory))


def test_unit_kinds_have_their_statistics(session):
    info = session.unit_info
    cv = {}
    for kind in ("poisson", "regular", "bursty", "contaminated"):
        pos = np.flatnonzero((info["kind"] == kind).to_numpy() & (session.counts > 200))
        assert pos.size >= 2, kind
        vals = [_cv_and_violations(session.train(int(i))) for i in pos]
        cv[kind] = np.median([v[0] for v in vals])
        violations = np.array([v[1] for v in vals])
        if kind == "contaminated":
            assert np.all(violations > 0)
        else:
            assert np.all(violations == 0), kind  # refractory periods respected
    assert cv["regular"] < 0.8 < cv["poisson"] < 1.1 < cv["bursty"]


def test_bad_arguments():
    with pytest.raises(ValidationError, match="n_units"):
        ck.datasets.steinmetz_like(n_units=3)
    with pytest.raises(ValidationError, match="duration"):
        ck.datasets.steinmetz_like(duration=-1)
