"""ck.io.load_responses (npz, Allen folders) and ck.datasets.v1_orientation_like."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.errors import DataFormatError, ValidationError


def _npz(tmp_path, resp, stim, name="r.npz"):
    p = tmp_path / name
    np.savez(p, resp=resp, stimuli=stim)
    return p


def test_npz_stimulus_by_neuron_and_transposed(tmp_path):
    rng = np.random.default_rng(0)
    resp = rng.normal(size=(12, 5))
    stim = rng.uniform(0, 360, 12)
    a = ck.io.load_responses(_npz(tmp_path, resp, stim, "a.npz"))
    b = ck.io.load_responses(_npz(tmp_path, resp.T, stim, "b.npz"))  # neuron x stimulus
    np.testing.assert_array_equal(a.responses, resp)
    np.testing.assert_array_equal(b.responses, resp)
    np.testing.assert_array_equal(a.stimuli, stim)
    np.testing.assert_array_equal(a.neuron_ids, np.arange(5))


def test_square_npz_defaults_to_stimulus_rows_and_layout_override(tmp_path):
    resp = np.arange(16.0).reshape(4, 4)
    p = _npz(tmp_path, resp, np.array([0.0, 90, 180, 270]))
    np.testing.assert_array_equal(ck.io.load_responses(p).responses, resp)
    np.testing.assert_array_equal(
        ck.io.load_responses(p, layout="neuron_x_stimulus").responses, resp.T)


def test_binning_matches_pandas_and_tutorial_convention(tmp_path):
    rng = np.random.default_rng(1)
    stim = rng.uniform(0, 360, 400)
    resp = rng.normal(size=(400, 3))
    p = _npz(tmp_path, resp, stim)
    out = ck.io.load_responses(p, bin_width=10)
    df = pd.DataFrame(resp).assign(s=stim, b=np.floor(stim / 10)).groupby("b")
    np.testing.assert_allclose(out.responses, df[[0, 1, 2]].mean().to_numpy())
    np.testing.assert_allclose(out.stimuli, df["s"].mean().to_numpy())
    tut = ck.io.load_responses(p, bin_width=10, convention="tutorial")
    keep = out.stimuli <= 180
    np.testing.assert_allclose(tut.stimuli, out.stimuli[keep] - 90)
    np.testing.assert_allclose(tut.responses, out.responses[keep])
    assert tut.stimuli.min() >= -90 and tut.stimuli.max() <= 90


def test_pickled_npz_is_refused_without_executing(tmp_path):
    p = tmp_path / "evil.npz"
    np.savez(p, resp=np.array([object(), 1], dtype=object), stimuli=np.arange(2.0))
    with pytest.raises(DataFormatError, match="unpickling"):
        ck.io.load_responses(p)


@pytest.mark.parametrize(("kw", "exc", "match"), [
    ({"bin_width": -1}, ValidationError, "bin_width"),
    ({"convention": "nope"}, ValidationError, "convention"),
])
def test_bad_options(tmp_path, kw, exc, match):
    p = _npz(tmp_path, np.ones((3, 2)), np.arange(3.0))
    with pytest.raises(exc, match=match):
        ck.io.load_responses(p, **kw)


def test_bad_files(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist"):
        ck.io.load_responses(tmp_path / "missing.npz")
    p = tmp_path / "k.npz"
    np.savez(p, x=np.ones(3))
    with pytest.raises(DataFormatError, match="missing"):
        ck.io.load_responses(p)
    p2 = _npz(tmp_path, np.ones((3, 4)), np.arange(5.0), "m.npz")
    with pytest.raises(DataFormatError, match=r"\(3, 4\)"):
        ck.io.load_responses(p2)
    with pytest.raises(DataFormatError, match="neither"):
        ck.io.load_responses(tmp_path)


# ------------------------------------------------------------------------- real data
def test_allen_gratings_spike_counts(real_data_dir):
    folder = real_data_dir / "allen-vcnp-gratings-pseudopop"
    r = ck.io.load_responses(folder)
    assert r.responses.shape == (200, 1000)
    # SOURCE.md: 153,635 spikes, 990 of 1000 neurons spike at least once
    assert r.responses.sum() == 153635
    assert (r.responses.sum(0) > 0).sum() == 990
    # independent count: spikes of trial m, neuron n are contiguous and ordered by trial
    # then neuron, so the per-(trial, neuron) counts are the run lengths of the slices
    ii = np.load(folder / "ii_spike_times.npy")
    flat_start = ii[..., 0].ravel()
    assert (np.diff(flat_start) >= 0).all()
    run = np.diff(np.r_[flat_start, ii[-1, -1, 1]])
    np.testing.assert_array_equal(r.responses.ravel(), run)
    np.testing.assert_array_equal(np.unique(r.stimuli), [0, 45, 90, 135])
    tut = ck.io.load_responses(folder, convention="tutorial")
    np.testing.assert_array_equal(np.unique(tut.stimuli), [-90, -45, 0, 45])
    np.testing.assert_array_equal(tut.stimuli[r.stimuli == 135], -45)


def test_allen_natural_scenes_in_scene_order(real_data_dir):
    folder = real_data_dir / "allen-vc2p-natural-scenes"
    r = ck.io.load_responses(folder)
    assert r.kind == "scene" and r.responses.shape == (118, 212)
    assert r.images.shape == (118, 31, 31)
    # independent of the image matching: the legacy RNG documented in SOURCE.md
    rs = np.random.RandomState(31)
    perm = rs.permutation(118)
    train = np.load(folder / "Allen_train_output.npy")
    test = np.load(folder / "Allen_test_output.npy")
    np.testing.assert_array_equal(r.responses[perm[:100]], train)
    np.testing.assert_array_equal(r.responses[perm[100:]], test)
    scenes = np.load(folder / "all_input_scenes_118_961.npy")
    np.testing.assert_array_equal(r.images.reshape(118, -1), scenes)
    with pytest.raises(ValidationError, match="orientation"):
        ck.io.load_responses(folder, bin_width=5)


# ------------------------------------------------------------------- bundled dataset
def test_v1_orientation_like_is_tuned_and_seeded():
    a = ck.datasets.v1_orientation_like(seed=0)
    b = ck.datasets.v1_orientation_like(seed=0)
    c = ck.datasets.v1_orientation_like(seed=1)
    np.testing.assert_array_equal(a.responses, b.responses)
    assert not np.array_equal(a.responses, c.responses)
    assert a.responses.shape[1] >= 1000 and a.responses.dtype == np.float32
    assert a.stimuli.min() >= 0 and a.stimuli.max() < 360
    assert (a.responses >= 0).all() and np.allclose(a.responses, np.round(a.responses))
    # orientation tuning: responses to orthogonal gratings differ much more than to
    # gratings 180 deg apart (same orientation), averaged over the population
    tc = ck.rsa.tuning_curves(a.responses, a.stimuli, bin_width=30)
    m = tc.mean
    same = np.abs(m[:6] - m[6:]).mean()
    ortho = np.abs(m[:6] - m[np.r_[3:6, 0:3]]).mean()
    assert ortho > 2 * same
    # Poisson-like noise: variance close to the mean within a narrow stimulus bin
    narrow = a.responses[(a.stimuli > 10) & (a.stimuli < 14)]
    fano = narrow.var(0, ddof=1).mean() / narrow.mean(0).mean()
    assert 0.8 < fano < 3
