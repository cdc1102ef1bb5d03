"""
W1D1 Tutorial 3 — "Why" models: entropy of ISI distributions
=============================================================

Neuromatch W1D1 Tutorial 3 asks *why* neurons might fire the way they do: at a fixed mean
rate (a fixed energy budget), which inter-spike-interval (ISI) distribution carries the
most information? It introduces Shannon entropy on simple PMFs, compares a deterministic,
a uniform and an exponential ISI distribution with the same 25 ms mean, and computes the
entropy of recorded neurons' ISI distributions. This page follows those sections with
:mod:`cortexkit.information`, on the bundled synthetic Neuropixels session (the tutorial's
Steinmetz file cannot be downloaded here). The script stops if the numbers the tutorial
prints (0, 1 and 0.72 bits; 0, 3.32 and 3.77 bits) are not reproduced.
"""

# %%
# Section 1: optimization and information — entropy of simple PMFs
# -----------------------------------------------------------------
# :math:`H_b(X) = -\sum_x p(x)\log_b p(x)`, zero-mass points excluded.
# ``ck.information.entropy`` also checks that the PMF is one (non-negative, sums to 1).
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import cortexkit as ck


def figure(width, height):
    """A pyplot-managed figure: cortexkit's plots draw on the Figure they are given."""
    return plt.figure(figsize=(width, height), layout="constrained")

n_bins = 50  # number of points supporting the distribution
x_range = (0, 1)
bins = np.linspace(*x_range, n_bins + 1)

pmf = np.zeros(n_bins)
pmf[len(pmf) // 2] = 1.0  # middle point has all the mass
h_single = ck.information.entropy(pmf)
print(f"{h_single:.2f} bits")

pmf_two = np.zeros(n_bins)
pmf_two[len(pmf_two) // 3] = 0.5
pmf_two[2 * len(pmf_two) // 3] = 0.5
h_two = ck.information.entropy(pmf_two)
print(f"{h_two:.2f} bits")

pmf_unequal = np.zeros(n_bins)
pmf_unequal[len(pmf_unequal) // 3] = 0.2
pmf_unequal[2 * len(pmf_unequal) // 3] = 0.8
h_unequal = ck.information.entropy(pmf_unequal)
print(f"{h_unequal:.2f} bits")

h_flat = ck.information.entropy(np.ones(n_bins) / n_bins)
print(f"uniform over {n_bins} points: {h_flat:.2f} bits (log2 50 = {np.log2(50):.2f})")
assert (f"{h_single:.2f}", f"{h_two:.2f}", f"{h_unequal:.2f}") == ("0.00", "1.00", "0.72")

fig, axs = plt.subplots(1, 3, figsize=(11, 3), sharey=True, layout="constrained")
for ax, (p, h) in zip(axs, ((pmf, h_single), (pmf_two, h_two), (pmf_unequal, h_unequal)),
                      strict=True):
    ck.plot.information.pmf(p, bins, ax=ax, fill=True, seconds_as_ms=False)
    ax.set(title=f"H = {h:.2f} bits", xlabel="x", xlim=x_range, ylim=(0, 1))
axs[0].set_ylabel("p(x)")

# %%
# Section 2: information, neurons and spikes
# ------------------------------------------
# Three neurons with the same mean ISI of 25 ms. ``ck.information.reference_pmfs`` builds
# the deterministic (all mass in the bin holding the mean), uniform and exponential PMFs
# on the tutorial's bins (0-250 ms, 50 bins).
mean_isi = 0.025
isi_range = (0, 0.25)
isi_bins = np.linspace(*isi_range, n_bins + 1)
refs = ck.information.reference_pmfs(mean_isi, n_bins, isi_range)
h_refs = {name: ck.information.entropy(p) for name, p in refs.items()}

# the tutorial builds its exponential as the density at the right bin edges with scale
# = 25 ms, renormalised; cortexkit's is the exponential's mass in each bin with its scale
# solved so that the mean over the bin centres is exactly 25 ms
pmf_exp_tutorial = stats.expon.pdf(isi_bins[1:], scale=mean_isi)
pmf_exp_tutorial /= np.sum(pmf_exp_tutorial)
h_exp_tutorial = ck.information.entropy(pmf_exp_tutorial)

print(f"Deterministic: {h_refs['deterministic']:.2f} bits",
      f"Uniform: {h_refs['uniform']:.2f} bits",
      f"Exponential: {h_exp_tutorial:.2f} bits (the tutorial's construction)",
      f"Exponential: {h_refs['exponential']:.2f} bits (mean exactly 25 ms over bin centres)",
      sep="\n")
assert f"{h_refs['deterministic']:.2f}" == "0.00" and f"{h_refs['uniform']:.2f}" == "3.32"
assert f"{h_exp_tutorial:.2f}" == "3.77"

# the normative claim, computed: the maximum-entropy PMF at this mean is the exponential
best = ck.information.max_entropy_pmf(mean_isi, n_bins, isi_range)
print(f"maximum entropy at a 25 ms mean: {ck.information.entropy(best):.4f} bits "
      f"(exponential reference {h_refs['exponential']:.4f} bits)")
ck.plot.information.reference_pmfs(refs, isi_bins, entropies=h_refs, max_entropy=best,
                                   fig=figure(10, 3))

# %%
# Section 3: entropy of ISI distributions from data
# -------------------------------------------------
# Section 3.1, probabilities from a histogram: count one neuron's ISIs in the bins and
# normalise (``pmf_from_counts``). The bundled session stands in for Steinmetz et al.
# As in the W1D1 Tutorial 1 example, the busiest well-isolated unit stands in for the
# tutorial's neuron 283.
st = ck.datasets.steinmetz_like(seed=0)
good = np.flatnonzero((st.unit_info["kind"] == "poisson").to_numpy())
neuron_idx = int(good[np.argmax(st.counts[good])])
isi = np.diff(st.train(neuron_idx))
counts, _ = np.histogram(isi, isi_bins)
pmf_neuron = ck.information.pmf_from_counts(counts)

fig, ax = plt.subplots(layout="constrained")
ck.plot.information.pmf(pmf_neuron, isi_bins, fill=True, ax=ax)
ax.set_title(f"Neuron {neuron_idx}")

# %%
# Section 3.2: its entropy, and the entropy of every neuron at once (vectorized over
# units; ``estimator=`` also offers bias-corrected estimators for short recordings).
print(f"Entropy for Neuron {neuron_idx}: {ck.information.entropy(pmf_neuron):.2f} bits")
table = ck.information.isi_entropy(st, n_bins, isi_range)
assert np.isclose(table["entropy"].iloc[neuron_idx], ck.information.entropy(pmf_neuron))
print(table[["unit", "n_isi", "mean_isi", "entropy"]].describe().round(3).to_string())

# %%
# Every neuron against the bound: at its own mean ISI no distribution on these bins can
# exceed the maximum-entropy value, and the neurons closest to it fire most irregularly.
summary = ck.information.entropy_summary(st, n_bins, isi_range)
units = summary["units"]
fig, ax = plt.subplots(layout="constrained")
ck.plot.information.entropy_vs_rate(units["rate_hz"], units["entropy"], ax=ax,
                                    bound=units["max_entropy"])
plt.show()
