"""
W1D1 Tutorial 1 — "What" models: spike trains and ISI distributions
====================================================================

Neuromatch W1D1 Tutorial 1 explores a Neuropixels recording (Steinmetz et al. 2019): what
the spike-time data structure is, how spike counts are distributed over neurons (mean vs
median), rasters of a short interval, the inter-spike interval (ISI) histogram of one
neuron, and which functional form (exponential, inverse, linear) describes it. This page
follows those sections with cortexkit on the bundled synthetic Neuropixels session
(``ck.datasets.steinmetz_like``: 400 units, 10 minutes; the tutorial's file cannot be
downloaded here), so the numbers differ from the tutorial's but every step is the same.
The tutorial fits the curves by eye with sliders; :func:`cortexkit.isi.fit_curve` fits the
same three forms by least squares, and :func:`cortexkit.isi.fit_distribution` goes on to
maximum-likelihood ISI distributions.
"""

# %%
# Section 1.1: warming up with the spike times
# --------------------------------------------
# ``SpikeTrains`` keeps all spike times in one flat float64 array with per-unit offsets;
# ``st.train(i)`` is one neuron's sorted spike times, like ``spike_times[i]`` in the
# tutorial.
import matplotlib.pyplot as plt
import numpy as np

import cortexkit as ck

st = ck.datasets.steinmetz_like(seed=0)
print(type(st).__name__, st.n_units, "units,", st.n_spikes, "spikes,",
      f"{st.duration:.0f} s")
for i in (0, 321):
    print(f"Neuron {i}:", st.train(i).dtype, st.train(i)[:5], sep="\n")

n_neurons = st.n_units
total_spikes_per_neuron = st.counts
print(f"Number of neurons: {n_neurons}")
print(f"Number of spikes for first five neurons: {total_spikes_per_neuron[:5].tolist()}")

# %%
# Section 1.2: counting and plotting total spike counts
# -----------------------------------------------------
# ``ck.summary.describe`` computes the counts, their mean and median and the fraction of
# neurons below the mean in one pass.
desc = ck.summary.describe(st)
print(f"{desc.fraction_below_mean:2.1%} of neurons are below the mean")
print(f"mean {desc.mean_count:.0f} spikes, median {desc.median_count:.0f} spikes")
assert desc.fraction_below_mean == (st.counts < st.counts.mean()).mean()
fig, ax = plt.subplots(layout="constrained")
ck.plot.spikes.count_histogram(desc, bins=50, ax=ax)

# %%
# Section 2.1: getting a subset of the data
# -----------------------------------------
# ``st.restrict(5, 15)`` keeps the spikes in [5 s, 15 s) (the tutorial's
# ``restrict_spike_times``); ``ck.summary.interval_fraction`` compares the share of
# spikes in the interval with the share of time it covers.
t_interval = (5, 15)
interval_st = st.restrict(*t_interval)
frac = ck.summary.interval_fraction(st, *t_interval)
print(f"{frac.fraction_spikes:.2%} of the total spikes are in the interval")
print(f"{frac.fraction_time:.2%} of the total time is in the interval")

# %%
# Section 2.2: plotting spike trains and rasters
# ----------------------------------------------
# One neuron, three neurons, and every 5th neuron.
fig, axs = plt.subplots(3, 1, figsize=(7, 7), sharex=True, layout="constrained",
                        gridspec_kw={"height_ratios": [1, 1.5, 5]})
ck.plot.spikes.raster(interval_st, units=[int(st.unit_ids[1])], interval=t_interval,
                      ax=axs[0])
ck.plot.spikes.raster(interval_st, units=[int(st.unit_ids[k]) for k in (1, 11, 51)],
                      interval=t_interval, ax=axs[1])
ck.plot.spikes.raster(interval_st, every=5, interval=t_interval, ax=axs[2])
axs[2].set_xlabel("Time (s)")

# %%
# Section 3: inter-spike intervals of a single neuron
# ---------------------------------------------------
# The tutorial looks at its neuron 283, a well-isolated unit. In the bundled session unit
# 283 is a contaminated (multi-unit) one, so we take the busiest well-isolated Poisson-like
# unit instead (``unit_info`` records each synthetic unit's kind). ``ck.isi.intervals``
# computes the ISIs of every unit at once (flat layout); one unit's ISIs equal ``np.diff``
# of its spike times.
info = st.unit_info
good = np.flatnonzero((info["kind"] == "poisson").to_numpy())
neuron_idx = int(good[np.argmax(st.counts[good])])
single_neuron_isis = np.diff(st.train(neuron_idx))
ivs = ck.isi.intervals(st)
assert np.array_equal(ivs.unit(neuron_idx), single_neuron_isis)
fig, ax = plt.subplots(layout="constrained")
ck.plot.isi.histogram(single_neuron_isis, bins=50, ax=ax)
print(f"neuron {neuron_idx}: {single_neuron_isis.size} ISIs, shortest "
      f"{single_neuron_isis.min() * 1e3:.2f} ms (its refractory period is "
      f"{info['refractory'].iloc[neuron_idx] * 1e3:.2f} ms)")

# %%
# Section 4: what is the functional form of an ISI distribution?
# --------------------------------------------------------------
# The tutorial's three candidate forms, ``scale * exp(rate * (x - x0))``,
# ``scale / (x - x0)`` and ``slope * x + y0``, fitted to the histogram of the tutorial
# (50 bins on ``(0, max ISI)``) by least squares instead of by eye.
counts, edges = ck.isi.histogram(single_neuron_isis, bins=50,
                                 range=(0, single_neuron_isis.max()))
curves = [ck.isi.fit_curve(counts, edges, m) for m in ("exponential", "inverse", "linear")]
for c in curves:
    print(f"{c.model:12s} R^2 = {c.r2:.3f}  " +
          ", ".join(f"{k} = {v:.4g}" for k, v in c.params.items()))
best_curve = max(curves, key=lambda c: c.r2)
print(f"best functional form: {best_curve.model}")

# %%
# Beyond the tutorial: maximum-likelihood ISI distributions with AIC/BIC and a KS test
# (the refractory dead time is a parameter of ``exponential_refractory``).
dist = ck.isi.fit_distribution(single_neuron_isis)
print(dist.table[["model", "aic", "bic", "ks_stat"]].round(3).to_string(index=False))
print(f"best by AIC: {dist.best}")
fig, ax = plt.subplots(layout="constrained")
ck.plot.isi.fits(counts, edges, curves, distribution=dist, ax=ax)

# %%
# ... and for every unit at once, vectorized: the per-unit ISI statistics (rate, CV, LV,
# refractory violations).
table = ck.isi.stats(st)
print(table[["rate_hz", "cv", "lv", "refractory_fraction"]].describe().round(3).to_string())
fig, ax = plt.subplots(layout="constrained")
ck.plot.isi.variability(table, ax=ax)
plt.show()
