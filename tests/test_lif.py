"""Tests of ck.lif: analytic rate, simulation semantics, integration accuracy, validation.

Reference values come from closed-form solutions of the LIF equation (solved here with
scipy.optimize.brentq, independently of ck.lif.rate), SciPy distributions and Elephant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

import cortexkit as ck
from cortexkit.errors import ValidationError
from cortexkit.lif import LIFParams

P = LIFParams()


def _period_brentq(current: float, p: LIFParams) -> float:
    """Reset-to-threshold time from the closed-form V(t), by root finding."""
    v_inf = p.E_L + p.R * current

    def f(t):
        return v_inf + (p.V_reset - v_inf) * math.exp(-t / p.tau_m) - p.V_th

    return p.t_ref + optimize.brentq(f, 0.0, 100.0, xtol=1e-15)


# ---------------------------------------------------------------- analytic rate
@pytest.mark.parametrize("t_ref", [0.0, 0.002])
def test_rate_matches_root_finding(t_ref):
    p = LIFParams(t_ref=t_ref)
    currents = np.array([1.05e-10, 1.5e-10, 2e-10, 5e-10, 1e-9])
    expected = [1.0 / _period_brentq(i, p) for i in currents]
    np.testing.assert_allclose(ck.lif.rate(currents, p), expected, rtol=1e-9)


def test_rate_zero_below_rheobase_and_scalar():
    assert ck.lif.rate(0.0, P) == 0.0
    assert ck.lif.rate(-1e-9, P) == 0.0
    assert isinstance(ck.lif.rate(2e-10, P), float)
    assert ck.lif.rheobase(P) == pytest.approx(1e-10)
    assert ck.lif.rate(0.999 * ck.lif.rheobase(P), P) == 0.0
    with pytest.raises(ValidationError, match="I contains NaN"):
        ck.lif.rate([1e-10, np.nan], P)


# ------------------------------------------------------------ simulation vs analytic
@pytest.mark.parametrize("t_ref", [0.0, 0.002])
def test_simulated_rate_within_one_percent(t_ref):
    p = LIFParams(dt=1e-5, t_max=1.0, t_ref=t_ref)
    currents = np.linspace(1.2e-10, 1e-9, 12)
    df = ck.lif.fi_curve(currents, p)
    assert (df.n_spikes >= 10).all()
    np.testing.assert_allclose(df.rate_sim, df.rate_analytic, rtol=0.01)
    # also straight from the spike trains (counts of one neuron per current)
    res = ck.lif.simulate(p, 0.0, currents.size, offset=currents, record_v=False)
    isi_mean = np.array([np.diff(res.spikes.train(i)).mean() for i in range(currents.size)])
    np.testing.assert_allclose(1 / isi_mean, [1 / _period_brentq(i, p) for i in currents],
                               rtol=0.01)


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_no_spike_below_rheobase(method):
    p = LIFParams(dt=1e-4, t_max=5.0)
    currents = np.array([-2e-10, 0.0, 0.5e-10, 0.9e-10, 0.99e-10, 0.999e-10])
    res = ck.lif.simulate(p, 0.0, currents.size, offset=currents, method=method,
                          record_v=False)
    assert res.spikes.n_spikes == 0
    # just above rheobase it does fire
    assert ck.lif.simulate(p, 1.01e-10, method=method).spikes.n_spikes > 0


def test_first_spike_time_matches_closed_form():
    p = LIFParams(dt=1e-5, t_max=0.1)
    current = 2.5e-10
    v_inf = p.E_L + p.R * current
    t_star = p.tau_m * math.log((v_inf - p.E_L) / (v_inf - p.V_th))  # from E_L
    first = ck.lif.simulate(p, current).spikes.train(0)[0]
    assert t_star <= first <= t_star + p.dt + 1e-15


def test_exact_method_is_exact_and_euler_error_first_order():
    current = 0.8e-10  # subthreshold: V relaxes to V_inf without spiking
    errors = {}
    for dt in (1e-3, 5e-4, 2.5e-4, 1.25e-4):
        p = LIFParams(dt=dt, t_max=0.1)
        t = p.times()
        v_inf = p.E_L + p.R * current
        v_true = v_inf + (p.E_L - v_inf) * np.exp(-t / p.tau_m)
        exact = ck.lif.simulate(p, current, method="exact").v[0]
        euler = ck.lif.simulate(p, current, method="euler").v[0]
        assert np.abs(exact - v_true).max() < 1e-14
        errors[dt] = np.abs(euler - exact).max()
    ratios = np.array([errors[1e-3] / errors[5e-4], errors[5e-4] / errors[2.5e-4],
                       errors[2.5e-4] / errors[1.25e-4]])
    np.testing.assert_allclose(ratios, 2.0, rtol=0.05)


def test_euler_rate_error_shrinks_with_dt():
    current = 3e-10
    errs = []
    for dt in (4e-4, 2e-4, 1e-4):
        p = LIFParams(dt=dt, t_max=2.0)
        r = ck.lif.fi_curve([current], p, method="euler").rate_sim[0]
        errs.append(abs(r - ck.lif.rate(current, p)))
    assert errs[0] > errs[1] > errs[2]


def test_refractory_period_never_violated():
    p = LIFParams(dt=1e-4, t_max=1.0, t_ref=0.003)
    res = ck.lif.simulate(p, 5e-10, 50, noise_sd=3e-9, seed=2)
    st = res.spikes
    assert st.n_spikes > 1000
    ref = p.ref_steps
    for i in range(st.n_units):
        tr = st.train(i)
        assert np.all(np.diff(tr) > p.t_ref)
        # V is clamped at V_reset for t_ref after every spike
        ks = np.rint(tr / p.dt).astype(int)
        for k in ks[ks + ref < p.n_steps]:
            assert np.all(res.v[i, k:k + ref + 1] == p.V_reset)
    # without the clamp the same input produces shorter intervals
    free = ck.lif.simulate(LIFParams(dt=1e-4, t_max=1.0), 5e-10, 50, noise_sd=3e-9, seed=2)
    assert min(np.diff(free.spikes.train(i)).min() for i in range(50)) < p.t_ref


def test_threshold_is_strict_and_reset_applied():
    p = LIFParams(dt=1e-4, t_max=0.05)
    res = ck.lif.simulate(p, 3e-10)
    v = res.v[0]
    assert v[0] == p.E_L
    assert v.max() <= p.V_th  # recorded V never exceeds threshold (reset happens first)
    ks = np.rint(res.spikes.train(0) / p.dt).astype(int)
    assert np.all(v[ks[ks < p.n_steps]] == p.V_reset)
    assert res.spikes.t_stop == pytest.approx(p.t_max)
    assert res.t[1] == p.dt and res.t.size == p.n_steps


# --------------------------------------------------------------------- E/I balance
def test_balanced_ei_input_gives_irregular_firing():
    elephant_stats = pytest.importorskip("elephant.statistics")
    p = LIFParams(dt=1e-4, t_max=10.0)
    n = 8
    current = ck.lif.poisson_current(p.times(), n_neurons=n, seed=1)
    assert abs(current.mean()) < 2e-11  # balanced: the mean current is ~0
    res = ck.lif.simulate(p, current, n, record_v=False)
    st = res.spikes
    assert (st.rates > 5).all()
    cv = ck.lif.isi_cv(st)
    ref = [elephant_stats.cv(np.diff(st.train(i))) for i in range(n)]
    np.testing.assert_allclose(cv, ref, rtol=1e-10)
    assert 0.8 <= cv.mean() <= 1.2
    assert np.all((cv > 0.75) & (cv < 1.25))


def test_suprathreshold_constant_input_is_regular():
    p = LIFParams(dt=1e-4, t_max=2.0)
    st = ck.lif.simulate(p, 3e-10, 4, record_v=False).spikes
    assert np.all(ck.lif.isi_cv(st) < 0.01)


# ------------------------------------------------------------------ reproducibility
def test_seeded_runs_bit_identical_and_thread_independent(monkeypatch):
    p = LIFParams(dt=1e-4, t_max=0.2)
    kw = dict(offset=np.linspace(0, 1e-10, 600), noise_sd=5e-10, seed=11)
    a = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1e-10), 600, **kw)
    b = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1e-10), 600, **kw)
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    c = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1e-10), 600, **kw)
    assert a.spikes.n_spikes > 100
    for other in (b, c):
        assert np.array_equal(a.spikes.times, other.spikes.times)
        assert np.array_equal(a.spikes.offsets, other.spikes.offsets)
        assert np.array_equal(a.v, other.v)
    d = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1e-10), 600,
                        **{**kw, "seed": 12})
    assert not np.array_equal(a.v, d.v)
    g1 = ck.lif.simulate(p, 0.0, 3, noise_sd=5e-10, seed=np.random.default_rng(5))
    g2 = ck.lif.simulate(p, 0.0, 3, noise_sd=5e-10, seed=np.random.default_rng(5))
    assert np.array_equal(g1.v, g2.v)


@pytest.mark.parametrize("case", [
    dict(current="sine", n=700, offset=True),
    dict(current="sine", n=3, noise_sd=4e-10, seed=1),
    dict(current="matrix", n=300, noise_sd=2e-10, seed=2, method="euler"),
    dict(current="sine", n=520, noise_sd=3e-10, seed=3, t_ref=0.002, offset=True),
])
def test_compiled_kernel_matches_numpy_reference(case):
    p = LIFParams(dt=1e-4, t_max=0.1, t_ref=case.get("t_ref", 0.0))
    n = case["n"]
    if case["current"] == "sine":
        current = lambda t: ck.lif.sine_current(t, 1.5e-10)  # noqa: E731
    else:
        current = ck.lif.ou_current(p.times(), 1.5e-10, 5e-11, n_neurons=n, seed=0)
    kw = dict(offset=np.linspace(-2e-11, 6e-11, n) if case.get("offset") else None,
              noise_sd=case.get("noise_sd", 0.0), seed=case.get("seed"),
              method=case.get("method", "exact"))
    fast = ck.lif.simulate(p, current, n, **kw)
    ref = ck.lif.simulate_reference(p, current, n, **kw)
    assert fast.spikes.n_spikes >= 5
    assert fast.spikes == ref.spikes
    assert np.array_equal(fast.v, ref.v)
    lean = ck.lif.simulate(p, current, n, record_v=False, **kw)
    assert lean.v is None and lean.spikes == fast.spikes
    # the engine switch: "numpy" is the reference, "numba" the kernels ("auto")
    ref2 = ck.lif.simulate(p, current, n, engine="numpy", **kw)
    assert ref2.spikes == ref.spikes and np.array_equal(ref2.v, ref.v)
    assert ck.lif.simulate(p, current, n, engine="numba", **kw).spikes == fast.spikes


@pytest.mark.parametrize("t_ref, block", [(0.0, 32), (1e-3, 32), (0.0, 64), (2e-4, 16)])
def test_fires_once_per_block_is_exact_for_constant_input(t_ref, block):
    # under constant input the bound trajectory is the neuron's own: the check must say
    # "at most one spike per 32 steps" exactly when the shortest ISI is >= 32 steps
    from cortexkit.lif._simulate import fires_once_per_block

    p = LIFParams(dt=1e-4, t_max=0.1, t_ref=t_ref)
    seen = set()
    for current in np.linspace(2.5e-10, 4e-9, 80):
        once = fires_once_per_block(np.full((1, p.n_steps), current), np.zeros(1), p,
                                    "exact", block)
        st = ck.lif.simulate_reference(p, current, record_v=False).spikes
        assert st.n_spikes >= 2
        shortest = int(np.round(np.diff(st.times).min() / p.dt))
        assert once == (shortest >= block), (current, shortest)
        seen.add(once)
    assert seen == {True, False}


def test_fast_path_with_a_shorter_block_matches_reference():
    # drive up to ~45-step ISIs: too fast for the 64-step block, fine for 32
    from cortexkit.lif._simulate import fires_once_per_block

    p = LIFParams(dt=1e-4, t_max=0.1)
    n = 600
    off = np.linspace(-1e-10, 8e-10, n)
    cur = ck.lif.sine_current(p.times(), 5e-11)
    assert not fires_once_per_block(cur[None], off, p, "exact", 64)
    assert fires_once_per_block(cur[None], off, p, "exact", 32)
    fast = ck.lif.simulate(p, cur, n, offset=off)
    ref = ck.lif.simulate_reference(p, cur, n, offset=off)
    assert fast.spikes.n_spikes > 1000 and fast.spikes == ref.spikes
    assert np.array_equal(fast.v, ref.v)


@pytest.mark.parametrize("t_ref, noise_sd, matrix", [
    (0.0, 0.0, False), (5e-4, 0.0, False), (0.0, 3e-10, False), (3e-4, 2e-10, True),
])
def test_kernel_matches_reference_at_high_rates(t_ref, noise_sd, matrix):
    # offsets from silent to ~1 spike per few steps: many neurons fire several times
    # within one block of the kernel's time loop, others once or never
    p = LIFParams(dt=1e-4, t_max=0.05, t_ref=t_ref)
    n = 700
    off = np.linspace(0.0, 3e-9, n)
    current = np.tile(ck.lif.sine_current(p.times(), 1e-10), (n, 1)) if matrix else 1e-10
    kw = dict(offset=off, noise_sd=noise_sd, seed=4)
    fast = ck.lif.simulate(p, current, n, record_v=False, **kw)
    ref = ck.lif.simulate_reference(p, current, n, record_v=False, **kw)
    isi = ck.isi.intervals(fast.spikes).values
    assert np.count_nonzero(isi < 30 * p.dt) > 1000  # kernel blocks are 32 steps
    assert np.count_nonzero(fast.spikes.counts <= 1) > 10  # and neurons that barely fire
    assert fast.spikes == ref.spikes
    assert fast.spikes.n_duplicates == 0


def test_inputs_not_modified_and_shapes_accepted():
    p = LIFParams(dt=1e-4, t_max=0.05)
    cur = np.full(p.n_steps, 2e-10)
    off = np.zeros(4)
    before = cur.copy(), off.copy()
    a = ck.lif.simulate(p, cur, 4, offset=off, noise_sd=1e-10, seed=0)
    assert np.array_equal(cur, before[0]) and np.array_equal(off, before[1])
    b = ck.lif.simulate(p, np.tile(cur, (4, 1)), 4, noise_sd=1e-10, seed=0)
    c = ck.lif.simulate(p, 2e-10, 4, noise_sd=1e-10, seed=0)
    d = ck.lif.simulate(p, lambda t: np.full(t.shape, 2e-10), 4, noise_sd=1e-10, seed=0)
    for other in (b, c, d):
        assert np.array_equal(a.v, other.v)


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, name", [
    (dict(dt=0.0), "dt"), (dict(dt=-1e-4), "dt"), (dict(tau_m=0.0), "tau_m"),
    (dict(tau_m=-0.01), "tau_m"), (dict(V_th=-0.07), "V_th"), (dict(V_th=-0.08), "V_th"),
    (dict(t_max=1e-4, dt=1e-3), "t_max"), (dict(R=float("nan")), "R"),
    (dict(E_L=float("inf")), "E_L"), (dict(t_ref=-0.001), "t_ref"), (dict(R=0.0), "R"),
])
def test_bad_params_name_the_parameter(kwargs, name):
    with pytest.raises(ValidationError, match=rf"LIFParams\.{name}"):
        LIFParams(**kwargs)


def test_params_frozen():
    with pytest.raises(AttributeError):
        P.dt = 0.1  # type: ignore[misc]


@pytest.mark.parametrize("args, kwargs, match", [
    ((np.full(150, np.nan),), {}, "current contains 150 non-finite"),
    ((np.r_[np.zeros(149), np.inf],), {}, "current contains 1 non-finite"),
    ((np.zeros(149),), {}, r"current has shape \(149,\)"),
    ((np.zeros((3, 150)),), {}, r"current has shape \(3, 150\)"),
    ((lambda t: np.zeros(10),), {}, r"current\(t\)"),
    ((lambda t: t * np.nan,), {}, r"current\(t\).*non-finite"),
    (("abc",), {}, "current"),
    ((0.0,), {"offset": np.zeros(3)}, "offset has shape"),
    ((0.0,), {"offset": np.nan}, "offset contains NaN"),
    ((0.0,), {"noise_sd": -1.0}, "noise_sd"),
    ((0.0,), {"method": "rk4"}, "method"),
    ((0.0, 0), {}, "n_neurons"),
    ((0.0,), {"noise_sd": 1e-10, "seed": "abc"}, "seed"),
    ((0.0,), {"noise_sd": 1e-10, "seed": -1}, "seed"),
])
def test_bad_simulate_input_names_the_argument(args, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        ck.lif.simulate(P, *args, **kwargs)


def test_unknown_engine_refused():
    p = LIFParams(dt=1e-4, t_max=0.01)
    with pytest.raises(ValidationError, match="engine must be one of auto, numba, numpy"):
        ck.lif.simulate(p, 1e-10, engine="kernel")


def test_params_type_checked():
    with pytest.raises(ValidationError, match="params must be"):
        ck.lif.simulate({"dt": 1e-3}, 0.0)


# ---------------------------------------------------- membrane statistics, currents
def test_membrane_stats_match_stationary_ar1_theory():
    # exact update with white-noise current is an AR(1) process: mean E_L + R*mu,
    # variance (1 - a) / (1 + a) * (R * sigma)^2 with a = exp(-dt / tau_m)
    p = LIFParams(dt=1e-4, t_max=1.0)
    mu, sigma = 2e-11, 3e-10  # sd of V: 1.5 mV, 8 mV below threshold
    res = ck.lif.simulate(p, mu, 200, noise_sd=sigma, seed=4)
    assert res.spikes.n_spikes == 0
    s = ck.lif.membrane_stats(res, t_skip=2000)
    a = math.exp(-p.dt / p.tau_m)
    assert s.mean == pytest.approx(p.E_L + p.R * mu, abs=2e-5)
    assert s.std == pytest.approx(math.sqrt((1 - a) / (1 + a)) * p.R * sigma, rel=0.02)
    assert s.mean_per_neuron.shape == (200,)
    assert s.std_over_trials.shape == (p.n_steps - 2000,)
    assert s.counts.sum() == 200 * (p.n_steps - 2000)
    np.testing.assert_allclose(s.mean_over_trials, res.v[:, 2000:].mean(axis=0))
    with pytest.raises(ValidationError, match="record_v=True"):
        ck.lif.membrane_stats(ck.lif.simulate(p, 0.0, record_v=False))


def test_currents():
    p = LIFParams(dt=1e-4, t_max=20.0)
    t = p.times()
    s = ck.lif.sine_current(t, 1e-10, period=0.01)
    np.testing.assert_allclose(s, 1e-10 * (1 + np.sin(2 * np.pi * t / 0.01)))
    assert np.array_equal(ck.lif.constant_current(t, 3e-10), np.full(t.size, 3e-10))
    w = ck.lif.noise_current(t, 1e-10, 2e-10, seed=0)
    assert w.mean() == pytest.approx(1e-10, abs=4 * 2e-10 / math.sqrt(t.size))
    assert w.std() == pytest.approx(2e-10, rel=0.01)
    ou = ck.lif.ou_current(t, 0.0, 1.0, tau=0.005, n_neurons=2, seed=1)
    assert ou.shape == (2, t.size)
    x = ou[0]
    assert x.std() == pytest.approx(1.0, rel=0.05)
    lag = 50  # 5 ms: autocorrelation exp(-1)
    assert np.corrcoef(x[:-lag], x[lag:])[0, 1] == pytest.approx(math.exp(-1), abs=0.03)
    syn = ck.lif.poisson_current(t, rate_exc=1000.0, rate_inh=0.0, w_exc=1e-11,
                                 tau_syn=0.002, seed=3)
    # Campbell's theorem: mean = rate * w * tau_syn (discrete: rate*w*dt/(1-a))
    a = math.exp(-p.dt / 0.002)
    assert syn.mean() == pytest.approx(1000.0 * 1e-11 * p.dt / (1 - a), rel=0.02)
    assert np.array_equal(ck.lif.poisson_current(t[:100], seed=3),
                          ck.lif.poisson_current(t[:100], seed=3))
    with pytest.raises(ValidationError, match="period"):
        ck.lif.sine_current(t, 1e-10, period=0.0)
    with pytest.raises(ValidationError, match="tau_syn"):
        ck.lif.poisson_current(t, tau_syn=-1.0)


def test_spikes_usable_by_isi_module():
    isi = pytest.importorskip("cortexkit.isi")
    p = LIFParams(dt=1e-4, t_max=2.0)
    res = ck.lif.simulate(p, 3e-10, 3, offset=[0.0, 1e-10, 2e-10], record_v=False)
    stats = isi.stats(res.spikes)
    np.testing.assert_allclose(stats["rate_hz"], res.spikes.rates)
    np.testing.assert_allclose(stats["cv"], ck.lif.isi_cv(res.spikes), atol=1e-12)


def _fresh_fast_path():
    """An uncached compilation of the fast-path kernel and tiny arguments for it."""
    import numba

    from cortexkit.lif import _kernels

    f = numba.njit(_kernels.simulate_once.py_func)
    args = (0, 4, np.full((1, 8), 3.0), np.zeros(4),
            _kernels.State(np.zeros(4), np.full(4, -np.inf)),
            _kernels.Update(0.9, 0.0, 1.0, -0.07, -0.05, 0), _kernels.Grid(4, 4, 1e-4),
            _kernels.Record(False, np.empty((0, 0))))
    return f, args


def _reference_spikes():
    from cortexkit.lif import _kernels

    f, args = _fresh_fast_path()
    return _kernels.simulate_once(*args[:4], _kernels.State(np.zeros(4), np.full(4, -np.inf)),
                                  *args[5:])


def test_kernels_ask_llvm_for_wide_vectors():
    # the per-function attribute must reach the LLVM IR (it is set through llvmlite
    # internals, so a llvmlite upgrade that drops it should fail here, not silently)
    f, args = _fresh_fast_path()
    f(*args)
    ir = f.inspect_llvm(f.signatures[0])
    assert '"prefer-vector-width"="512"' in ir


def _refusing(monkeypatch, add):
    from cortexkit.lif import _vector_width

    monkeypatch.setattr(_vector_width, "_enabled", True)
    monkeypatch.setattr(_vector_width, "_add_attribute", add)
    return _vector_width


def test_vector_width_refused_while_adding_falls_back_with_one_warning(monkeypatch):
    def refuse(function):
        raise TypeError("attributes is not a set")

    vw = _refusing(monkeypatch, refuse)
    ref_times, ref_offsets = _reference_spikes()
    f, args = _fresh_fast_path()
    with pytest.warns(ck.errors.CortexkitWarning, match="vector-width") as caught:
        times, offsets = vw.call(f, *args)
        g, args2 = _fresh_fast_path()  # a second compilation warns no more
        vw.call(g, *args2)
    assert len([w for w in caught if "vector-width" in str(w.message)]) == 1
    assert '"prefer-vector-width"' not in f.inspect_llvm(f.signatures[0])
    assert times.size > 0
    np.testing.assert_array_equal(times, ref_times)
    np.testing.assert_array_equal(offsets, ref_offsets)
    assert not vw.enabled()


def test_vector_width_refused_by_llvm_falls_back_with_one_warning(monkeypatch):
    def malformed(function):  # an attribute LLVM cannot parse: compilation fails
        set.add(function.attributes, '"prefer-vector-width"="512" }{')

    vw = _refusing(monkeypatch, malformed)
    ref_times, _ = _reference_spikes()
    f, args = _fresh_fast_path()
    with pytest.warns(ck.errors.CortexkitWarning, match="vector-width") as caught:
        times, _ = vw.call(f, *args)
    assert len([w for w in caught if "vector-width" in str(w.message)]) == 1
    np.testing.assert_array_equal(times, ref_times)
    assert not vw.enabled()
