"""ck.lif against the Neuromatch Python workshop (W0D1) loops: no-spike mode, input_at,
uniform-noise current, and the trial / two-time histogram plots.

The reference loops are copied from NeuromatchAcademy/course-content,
tutorials/W0D1_PythonWorkshop1/W0D1_Tutorial1.ipynb (Exercises "ODE integration without
spikes", "Aggregation", "Adding spiking to the LIF neuron"), with its parameters.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError

matplotlib.use("Agg")

# the tutorial's parameters
t_max, dt, tau, el, vr, vth, r, i_mean = 150e-3, 1e-3, 20e-3, -60e-3, -70e-3, -50e-3, 100e6, 25e-11


def _params(**kw):
    base = dict(t_max=t_max, dt=dt, tau_m=tau, E_L=el, V_reset=vr, V_th=math.inf, R=r)
    base.update(kw)
    return ck.lif.LIFParams(**base)


def _tutorial_sine_loop(step_end):
    """W0D1: Euler integration with the sinusoidal input, printing (t, i, v) per step."""
    v = el
    out = []
    for step in range(step_end):
        t = step * dt
        i = i_mean * (1 + np.sin((t * 2 * np.pi) / 0.01))
        v = v + dt / tau * (el - v + r * i)
        out.append((t, i, v))
    return np.array(out)


def _tutorial_uniform_input(n, step_end, seed=2020):
    np.random.seed(seed)  # noqa: NPY002 - the tutorial's own legacy seeding, as reference
    u = np.random.random([n, step_end])  # noqa: NPY002
    return i_mean * (1 + 0.1 * (t_max / dt)**(0.5) * (2 * u - 1))


def _tutorial_array_loop(i, spiking):
    """W0D1: the (n, steps) loop, with the tutorial's spike detection and reset."""
    n, step_end = i.shape
    t_range = np.arange(0, t_max, dt)
    v_n = el * np.ones([n, step_end])
    spikes = {j: [] for j in range(n)}
    for step, t in enumerate(t_range):
        if step == 0:
            continue
        v_n[:, step] = v_n[:, step - 1] + (dt / tau) * (el - v_n[:, step - 1] + r * i[:, step])
        if spiking:
            for j in range(n):
                if v_n[j, step] >= vth:
                    v_n[j, step] = vr
                    spikes[j] += [t]
    return v_n, spikes


def test_v_th_inf_is_a_passive_membrane():
    p = _params()
    assert not p.spiking and p.rheobase == math.inf and ck.lif.rate(1e-9, p) == 0.0
    assert _params(V_th=vth).spiking
    res = ck.lif.simulate(p, 1e-9, 3)  # far above the rheobase of the spiking neuron
    assert res.spikes.counts.tolist() == [0, 0, 0]
    # exact integration relaxes to V_inf = E_L + R I
    v_inf = el + r * 1e-9
    expected = v_inf + (el - v_inf) * np.exp(-p.times() / tau)
    np.testing.assert_allclose(res.v[0], expected, rtol=1e-12)
    with pytest.raises(ValidationError, match="V_th may be inf"):
        _params(V_th=-math.inf)
    with pytest.raises(ValidationError, match="E_L must be finite"):
        _params(E_L=math.inf)


def test_sine_current_and_euler_trajectory_equal_the_tutorial_loop():
    ref = _tutorial_sine_loop(150)
    p = _params()
    cur = ck.lif.sine_current(p.times(), i_mean)
    np.testing.assert_array_equal(p.times(), ref[:, 0])
    np.testing.assert_allclose(cur, ref[:, 1], rtol=0, atol=1e-24)
    # the tutorial prints V after the update of step k next to t_k: v[0, k + 1] here;
    # one more step makes V after the last update visible too
    res = ck.lif.simulate(_params(t_max=t_max + dt), lambda t: ck.lif.sine_current(t, i_mean),
                          method="euler")
    assert np.abs(res.v[0, 1:] - ref[:, 2]).max() < 1e-12
    # the same through the current array of the standard 150 steps
    res = ck.lif.simulate(p, cur, method="euler")
    assert np.abs(res.v[0, 1:] - ref[:-1, 2]).max() < 1e-12


@pytest.mark.parametrize("engine", ["simulate", "simulate_reference"])
def test_input_at_end_reproduces_the_tutorial_array_loops(engine):
    sim = getattr(ck.lif, engine)
    i = _tutorial_uniform_input(50, 150)
    v_n, _ = _tutorial_array_loop(i, spiking=False)
    res = sim(_params(), i, 50, method="euler", input_at="end")
    assert res.input_at == "end"
    assert np.abs(res.v - v_n).max() < 1e-12
    # the default convention differs by one sample of input per step
    assert np.abs(sim(_params(), i, 50, method="euler").v - v_n).max() > 1e-4
    # with spikes: same V (reset written at the spike step) and the same spike times
    i = _tutorial_uniform_input(200, 150)
    v_n, spikes = _tutorial_array_loop(i, spiking=True)
    res = sim(_params(V_th=vth), i, 200, method="euler", input_at="end")
    assert np.abs(res.v - v_n).max() < 1e-12
    assert res.spikes.counts.sum() == sum(map(len, spikes.values())) > 100
    for j in range(200):
        np.testing.assert_allclose(res.spikes.train(j), spikes[j], rtol=0, atol=1e-15)


def test_input_at_end_drops_spikes_of_the_unrecorded_last_step():
    # constant strong drive: the "start" run may spike at t_max, the "end" run never does
    p = _params(V_th=vth, t_max=0.02)
    start = ck.lif.simulate(p, 5e-9, method="euler")
    end = ck.lif.simulate(p, 5e-9, method="euler", input_at="end")
    assert end.spikes.train(0).max() <= (p.n_steps - 1) * p.dt + 1e-15
    assert start.spikes.counts[0] >= end.spikes.counts[0]
    ref = ck.lif.simulate_reference(p, 5e-9, method="euler", input_at="end")
    np.testing.assert_array_equal(end.spikes.times, ref.spikes.times)
    with pytest.raises(ValidationError, match="input_at"):
        ck.lif.simulate(p, 1e-10, input_at="middle")


def test_uniform_noise_current():
    p = _params()
    a = 0.1 * (t_max / dt) ** 0.5
    x = ck.lif.uniform_noise_current(p.times(), i_mean, a, n_neurons=400, seed=1)
    assert x.shape == (400, 150)
    lo, hi = i_mean * (1 - a), i_mean * (1 + a)
    assert lo <= x.min() < lo + 0.01 * (hi - lo) and hi - 0.01 * (hi - lo) < x.max() <= hi
    assert x.mean() == pytest.approx(i_mean, rel=0.01)
    assert x.std() == pytest.approx(i_mean * a / math.sqrt(3), rel=0.01)
    np.testing.assert_array_equal(
        x, ck.lif.uniform_noise_current(p.times(), i_mean, a, n_neurons=400, seed=1))
    u = np.random.default_rng(1).random((400, 150))
    np.testing.assert_allclose(x, i_mean * (1 + a * (2 * u - 1)), rtol=1e-15)
    assert ck.lif.uniform_noise_current(p.times(), i_mean, 0.0).tolist() == [i_mean] * 150
    with pytest.raises(ValidationError, match="amplitude"):
        ck.lif.uniform_noise_current(p.times(), i_mean, -1.0)


def test_trial_and_two_time_histogram_plots():
    i = _tutorial_uniform_input(500, 150)
    res = ck.lif.simulate(_params(), i, 500, method="euler", input_at="end")
    ax = ck.plot.lif.trials(res, max_traces=20)
    lines = ax.get_lines()
    mean_line = next(ln for ln in lines if ln.get_label() == "mean")
    np.testing.assert_allclose(mean_line.get_ydata(), res.v.mean(axis=0) * 1e3)
    band = next(ln for ln in lines if ln.get_label().startswith("mean $"))
    np.testing.assert_allclose(band.get_ydata(), (res.v.mean(0) + res.v.std(0)) * 1e3)
    assert sum(ln.get_label().startswith("_") for ln in lines) >= 20
    ax = ck.plot.lif.voltage_histograms(res)
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["t = 0.015 s",
                                                                   "t = 0.149 s"]
    # the histograms are of v[:, 15] and v[:, -1] (tutorial: v_n[:, int(step_end/10)], v_n[:, -1])
    for patch, k in zip(ax.patches, (15, 149), strict=True):
        counts, edges = np.histogram(res.v[:, k] * 1e3, bins=50)
        xy = patch.get_xy()
        assert xy[:, 1].max() == counts.max()
        np.testing.assert_allclose([xy[:, 0].min(), xy[:, 0].max()], edges[[0, -1]])
    ax = ck.plot.lif.voltage_histograms(res, times=[0.05], bins=10)
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["t = 0.050 s"]
    no_v = ck.lif.simulate(_params(), i, 500, record_v=False)
    with pytest.raises(ValidationError, match="record_v"):
        ck.plot.lif.trials(no_v)
