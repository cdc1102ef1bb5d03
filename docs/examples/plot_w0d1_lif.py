"""
W0D1 — The leaky integrate-and-fire neuron (Python workshop)
=============================================================

The Neuromatch Python workshop (W0D1, "LIF neuron") builds a leaky integrate-and-fire
(LIF) neuron step by step: a sinusoidal input current, Euler integration of the membrane
equation without spikes, a random (uniform-noise) input, many realizations with their
mean and standard deviation, histograms of the membrane potential, and finally spikes.
This page follows the same sections with :mod:`cortexkit.lif`, prints the numbers the
tutorial prints and checks that they are *the same numbers*: the tutorial's own loops are
run next to cortexkit and the script stops if they differ by more than 1e-12.

.. note::
   cortexkit integrates the step from :math:`t_k` to :math:`t_{k+1}` with the input at
   :math:`t_k` and stores :math:`V(t_k)` in ``v[:, k]``. The tutorial's scalar loop
   prints :math:`V(t_{k+1})` next to :math:`t_k`, and its array loops use the input at
   :math:`t_{k+1}` (``i[:, step]`` to go from ``step - 1`` to ``step``);
   ``simulate(..., input_at="end")`` is that convention. See
   :ref:`differences` for every convention that differs.
"""

# %%
# Setup: the tutorial's parameters
# --------------------------------
# All quantities in SI units, exactly the tutorial's values.
import math

import matplotlib.pyplot as plt
import numpy as np

import cortexkit as ck

t_max = 150e-3   # second
dt = 1e-3        # second
tau = 20e-3      # second
el = -60e-3      # volt
vr = -70e-3      # volt
vth = -50e-3     # volt
r = 100e6        # ohm
i_mean = 25e-11  # ampere
print(t_max, dt, tau, el, vr, vth, r, i_mean)

# ``V_th = inf`` switches spiking off: "ODE integration without spikes"
passive = ck.lif.LIFParams(tau_m=tau, E_L=el, V_reset=vr, V_th=math.inf, R=r, dt=dt,
                           t_max=t_max)
print(passive)

# %%
# Section 1: the synaptic input :math:`I(t) = \bar I\,(1 + \sin(2\pi t / 0.01))`
# ------------------------------------------------------------------------------
# The tutorial prints the first ten samples. ``ck.lif.sine_current`` computes them at the
# step times ``t_k = k dt``; the tutorial's loop is run beside it as the reference.
t = passive.times()
i_sine = ck.lif.sine_current(t, i_mean, period=0.01)
for step in range(10):
    print(f"{t[step]:.3f} {i_sine[step]:.4e}")

tutorial_i = [i_mean * (1 + np.sin((step * dt * 2 * np.pi) / 0.01)) for step in range(150)]
assert np.abs(i_sine - tutorial_i).max() <= 1e-12 * i_mean
assert np.array_equal(t, [step * dt for step in range(150)])

fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(t[:25], i_sine[:25], "ko")
ax.set(title="Synaptic Input $I(t)$", xlabel="time (s)", ylabel="$I$ (A)")

# %%
# Section 2: Euler integration without spikes
# -------------------------------------------
# :math:`V(t + \Delta t) = V(t) + \frac{\Delta t}{\tau_m}(E_L - V(t) + R\,I(t))`.
# ``method="euler"`` is this update; ``v[0, k]`` is :math:`V(t_k)`, so the value the
# tutorial prints next to ``t_k`` (V after the update of step k) is ``v[0, k + 1]``. One
# extra step (``t_max + dt``) makes the value after the tutorial's last update visible.
res = ck.lif.simulate(ck.lif.LIFParams(tau_m=tau, E_L=el, V_reset=vr, V_th=math.inf, R=r,
                                       dt=dt, t_max=t_max + dt),
                      lambda tt: ck.lif.sine_current(tt, i_mean), method="euler")
for step in range(10):
    print(f"{res.t[step]:.3f} {res.v[0, step + 1]:.4e}")

# the tutorial's loop, verbatim, as the reference
v = el
tutorial_v = []
for step in range(int(t_max / dt)):
    tt = step * dt
    i = i_mean * (1 + np.sin((tt * 2 * np.pi) / 0.01))
    v = v + dt / tau * (el - v + r * i)
    tutorial_v.append(v)
max_diff = np.abs(res.v[0, 1:] - tutorial_v).max()
print(f"largest difference from the tutorial's Euler loop: {max_diff:.1e} V")
assert max_diff < 1e-12

fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(res.t[:-1], res.v[0, 1:], "k.")  # the tutorial's pairing: (t_k, V after step k)
ax.set(title="$V_m$ with sinusoidal I(t)", xlabel="time (s)", ylabel="$V_m$ (V)")

# %%
# Section 3: random synaptic input
# --------------------------------
# The tutorial draws :math:`I = \bar I\,(1 + 0.1\sqrt{t_{max}/\Delta t}\,(2u - 1))` with
# :math:`u \sim U(0, 1)`. ``ck.lif.uniform_noise_current`` is that current, drawn from
# ``numpy.random.default_rng(seed)``; to reproduce the tutorial's own numbers (legacy
# ``np.random.seed(2020)``) we draw its array the tutorial's way and hand it to
# ``simulate`` as the input.
amplitude = 0.1 * (t_max / dt) ** 0.5
i_uniform = ck.lif.uniform_noise_current(t, i_mean, amplitude, seed=2020)
legacy = np.random.RandomState(2020)
i_tutorial = i_mean * (1 + 0.1 * (t_max / dt) ** 0.5 * (2 * legacy.random_sample(150) - 1))
res_rand = ck.lif.simulate(passive, i_tutorial, method="euler", input_at="end")

fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(res_rand.t, res_rand.v[0], "k")
ax.set(title="$V_m$ with random I(t)", xlabel="time (s)", ylabel="$V_m$ (V)")
print(f"uniform-noise current: mean {i_uniform.mean():.3e} A, sd {i_uniform.std():.3e} A "
      f"(expected sd {i_mean * amplitude / math.sqrt(3):.3e} A)")

# %%
# Section 4: ensemble statistics — 50 realizations, their mean and mean ± std
# ---------------------------------------------------------------------------
# The tutorial's array loop ``v_n[:, step] = v_n[:, step - 1] + (dt / tau) * (el -
# v_n[:, step - 1] + r * i[:, step])`` is ``simulate(..., input_at="end")``.
n = 50
legacy = np.random.RandomState(2020)
i_n = i_mean * (1 + 0.1 * (t_max / dt) ** 0.5 * (2 * legacy.random_sample([n, 150]) - 1))
ens = ck.lif.simulate(passive, i_n, n, method="euler", input_at="end")

v_n = el * np.ones([n, 150])  # the tutorial's loop, as the reference
for step in range(1, 150):
    v_n[:, step] = v_n[:, step - 1] + (dt / tau) * (el - v_n[:, step - 1] + r * i_n[:, step])
max_diff = np.abs(ens.v - v_n).max()
print(f"largest difference from the tutorial's 50-trial loop: {max_diff:.1e} V")
assert max_diff < 1e-12

stats = ck.lif.membrane_stats(ens)
print(f"V at t_max over trials: mean {stats.mean_over_trials[-1] * 1e3:.2f} mV, "
      f"sd {stats.std_over_trials[-1] * 1e3:.2f} mV")
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
ck.plot.lif.trials(ens, ax=ax)

# %%
# Section 5: histogram of V at two times
# --------------------------------------
# With many realizations the distribution of V broadens from a point at E_L towards its
# stationary shape; the tutorial compares t_max/10 with t_max.
n = 10000
many = ck.lif.simulate(passive, ck.lif.uniform_noise_current(t, i_mean, amplitude,
                                                             n_neurons=n, seed=0),
                       n, method="euler", input_at="end")
fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
ck.plot.lif.voltage_histograms(many, times=(t_max / 10, t[-1]), ax=ax)
for k in (15, 149):
    print(f"t = {t[k]:.3f} s: V mean {many.v[:, k].mean() * 1e3:.2f} mV, "
          f"sd {many.v[:, k].std() * 1e3:.3f} mV")

# %%
# Section 6: adding spikes
# ------------------------
# With the threshold back at -50 mV a neuron that reaches it is reset to V_reset. 500
# realizations with the tutorial's input (``np.random.seed(2020)``) give the tutorial's
# raster; cortexkit's spike test is ``V > V_th`` (the tutorial's ``>=`` differs only when
# V lands exactly on the threshold, which this input never does).
spiking = ck.lif.LIFParams(tau_m=tau, E_L=el, V_reset=vr, V_th=vth, R=r, dt=dt, t_max=t_max)
n = 500
legacy = np.random.RandomState(2020)
i_500 = i_mean * (1 + 0.1 * (t_max / dt) ** 0.5 * (2 * legacy.random_sample([n, 150]) - 1))
spk = ck.lif.simulate(spiking, i_500, n, method="euler", input_at="end")
print(f"{int(spk.spikes.counts.sum())} spikes in {n} trials; mean rate "
      f"{spk.spikes.counts.mean() / t_max:.1f} Hz")

fig, axs = plt.subplots(3, 1, sharex=True, figsize=(7, 7), layout="constrained")
ck.plot.lif.trials(spk, max_traces=0, ax=axs[0])
axs[0].get_legend().remove()
ck.plot.spikes.raster(spk.spikes, every=5, interval=(0, t_max), ax=axs[1])
counts = np.histogram(spk.spikes.times, bins=np.r_[t, t_max + dt / 2])[0]
axs[2].plot(t, counts / n / dt, "C1")
axs[2].set(xlabel="time (s)", ylabel="rate (Hz)")

# %%
# A refractory period
# -------------------
# ``t_ref`` holds V at V_reset after a spike. cortexkit releases the neuron exactly
# ``t_ref`` after the spike; the tutorial's ``last_spike + t_ref > t`` test releases it one
# step earlier (see :ref:`differences`).
refr = ck.lif.simulate(ck.lif.LIFParams(tau_m=tau, E_L=el, V_reset=vr, V_th=vth, R=r, dt=dt,
                                        t_max=t_max, t_ref=0.01),
                       i_500, n, method="euler", input_at="end")
print(f"with t_ref = 10 ms: {int(refr.spikes.counts.sum())} spikes, ISI CV "
      f"{np.nanmean(ck.lif.isi_cv(refr.spikes)):.2f}")
plt.show()
