"""ck.datasets.brain_wide_like: ALF sessions with the statistics it promises.

Checked with plain numpy on the files (and through ck.io.load_spikes), against the
parameters written beside each session (the ground truth of every unit).
"""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError

SMALL = {"n_units": 80, "duration": 600.0, "chunk_duration": 60.0,
         "contaminated_fraction": 0.1}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return folder, ck.datasets.brain_wide_like(folder, 4, seed=3, **SMALL)


def _truth(session):
    return {name: np.load(session / f"clusters.{name}.npy")
            for name in ("true_rate", "refractory", "shape", "contamination", "depths")}


def test_sessions_are_alf_folders_that_load(corpus):
    folder, sessions = corpus
    assert [s.name for s in sessions] == [f"session_{i:03d}" for i in range(4)]
    meta = json.loads((folder / "brain_wide_like.json").read_text())
    for s in sessions:
        times = np.load(s / "spikes.times.npy")
        clusters = np.load(s / "spikes.clusters.npy")
        assert times.dtype == np.float64 and clusters.dtype == np.int32
        assert times.shape == clusters.shape
        assert np.all(np.diff(times) >= 0)  # ALF order: sorted in time
        info = meta["sessions"][s.name]
        assert info["n_spikes"] == times.size
        assert 0.85 * 600 <= info["duration"] <= 1.15 * 600
        assert times.min() >= 0 and times.max() < info["duration"]
        st = ck.io.load_spikes(s)
        assert st.n_units == info["n_units"] == _truth(s)["true_rate"].size
        assert st.n_spikes == times.size
    assert not list(folder.glob(".tmp-*"))


def test_rates_are_lognormal_and_match_the_truth(corpus):
    _, sessions = corpus
    est, true = [], []
    for s in sessions:
        t = _truth(s)
        clusters = np.load(s / "spikes.clusters.npy")
        duration = np.load(s / "spikes.times.npy").max()
        counts = np.bincount(clusters, minlength=t["true_rate"].size)
        own = counts / duration / (1 + t["contamination"])
        est.append(own)
        true.append(t["true_rate"])
    est, true = np.concatenate(est), np.concatenate(true)
    log_true = np.log(true)
    # the truth: lognormal, median 0.8 Hz, sigma 1 (clipping at 0.01/100 Hz is negligible)
    assert abs(np.median(true) - 0.8) < 0.15
    assert abs(log_true.std() - 1.0) < 0.1
    # the spike counts follow the rates (Poisson noise only)
    busy = true * 600 > 200
    np.testing.assert_allclose(est[busy], true[busy], rtol=0.25)
    assert np.corrcoef(np.log(est[busy]), log_true[busy])[0, 1] > 0.98


def test_refractory_periods_hold_except_in_contaminated_units(corpus):
    _, sessions = corpus
    n_cont, seen, expected = 0, 0, 0.0
    for s in sessions:
        t = _truth(s)
        times = np.load(s / "spikes.times.npy")
        clusters = np.load(s / "spikes.clusters.npy")
        order = np.argsort(clusters, kind="stable")
        ct, cu = times[order], clusters[order]
        same = cu[1:] == cu[:-1]
        isi = np.diff(ct)[same]
        owner = cu[1:][same]
        violations = np.bincount(owner[isi < t["refractory"][owner] - 1e-9],
                                 minlength=t["true_rate"].size)
        clean = t["contamination"] == 0
        assert violations[clean].sum() == 0
        cont = np.flatnonzero(~clean)
        assert cont.size == round(0.1 * t["true_rate"].size)
        n_cont += cont.size
        # foreign Poisson spikes at c r: about 2 r (c r) d T intervals shorter than d
        # (an own spike within d before or after a foreign one)
        r, d, c = t["true_rate"][cont], t["refractory"][cont], t["contamination"][cont]
        assert np.all((c >= 0.1) & (c <= 0.3))
        expected += np.sum(2 * r * c * r * d * times.max())
        seen += violations[cont].sum()
    assert n_cont >= 20
    assert expected > 20
    assert 0.4 * expected < seen < 2.5 * expected, (seen, expected)


def test_interval_shapes_give_the_promised_cv(corpus):
    _, sessions = corpus
    s = sessions[0]
    t = _truth(s)
    st = ck.io.load_spikes(s)
    stats = ck.isi.stats(st).set_index("unit")
    cv = stats["cv"].to_numpy()
    busy = (t["true_rate"] > 3.0) & (t["contamination"] == 0)
    shape = t["shape"]
    # gamma after a dead time d: CV = sqrt(k) * theta / (d + k theta) < 1 / sqrt(k)
    theta = (1 / t["true_rate"] - t["refractory"]) / shape
    want = np.sqrt(shape) * theta / (t["refractory"] + shape * theta)
    np.testing.assert_allclose(cv[busy], want[busy], rtol=0.2)
    assert np.all(cv[busy & (shape < 0.95)] > 1.0)
    assert np.all(cv[busy & (shape > 1.5)] < 0.9)


def test_same_seed_same_files_and_sessions_do_not_depend_on_the_count(corpus, tmp_path):
    folder, sessions = corpus
    again = ck.datasets.brain_wide_like(tmp_path / "a", 2, seed=3, **SMALL)
    for a, b in zip(again, sessions[:2], strict=True):
        for name in ("spikes.times.npy", "spikes.clusters.npy", "clusters.true_rate.npy"):
            assert (a / name).read_bytes() == (b / name).read_bytes()
    other = ck.datasets.brain_wide_like(tmp_path / "b", 1, seed=4, **SMALL)
    assert (other[0] / "spikes.times.npy").read_bytes() != \
        (sessions[0] / "spikes.times.npy").read_bytes()
    # a larger corpus in the same folder keeps the sessions that are there
    before = (again[0] / "spikes.times.npy").stat().st_mtime_ns
    more = ck.datasets.brain_wide_like(tmp_path / "a", 3, seed=3, **SMALL)
    assert len(more) == 3 and (more[0] / "spikes.times.npy").stat().st_mtime_ns == before
    with pytest.raises(ValidationError, match="other parameters"):
        ck.datasets.brain_wide_like(tmp_path / "a", 3, seed=5, **SMALL)


def test_memory_is_bounded_by_the_chunk_not_the_session(tmp_path):
    # one session of ~1.1 M spikes (13 MB of arrays) in 30-s chunks (~30 k spikes each)
    tracemalloc.start()
    try:
        [s] = ck.datasets.brain_wide_like(tmp_path, 1, n_units=300, duration=1500.0,
                                          median_rate=2.0, chunk_duration=30.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (s / "spikes.times.npy").stat().st_size + (s / "spikes.clusters.npy").stat().st_size
    assert size > 10e6
    assert peak < size / 4, (peak, size)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_sessions": 0}, "n_sessions must be an integer >= 1"),
    ({"n_sessions": 2.5}, "n_sessions"),
    ({"seed": -1}, "seed"),
    ({"n_units": 5}, "n_units must be an integer >= 20"),
    ({"duration": 1.0}, "duration"),
    ({"median_rate": float("nan")}, "median_rate"),
    ({"contaminated_fraction": 2.0}, "contaminated_fraction"),
])
def test_bad_parameters(kwargs, message, tmp_path):
    args = {"out_dir": tmp_path, "n_sessions": 1, **kwargs}
    with pytest.raises(ValidationError, match=message):
        ck.datasets.brain_wide_like(**args)
    assert not list(tmp_path.iterdir())
