"""
W3D5 Tutorial 1 — Interventions: estimating causality by perturbation
======================================================================

Neuromatch W3D5 Tutorial 1 defines causality by intervention: neuron A causes neuron B if
forcing A to change changes B. It starts with a randomized controlled trial (RCT) on two
neurons, builds a random network of neurons ``x[t+1] = sigmoid(A x[t] + eps)``, and
recovers its connectivity by clamping neurons to random 0/1 values on every other step
and comparing the next-step activity — first the effects of one neuron, then of all.
This page follows those sections with :mod:`cortexkit.causality`. The tutorial seeds
NumPy's legacy generator (``np.random.seed``); cortexkit uses
``numpy.random.default_rng(seed)``, so the random networks differ, but every estimate and
its agreement with the truth are reproduced.
"""

# %%
# Section 1: defining and estimating causality — a two-neuron RCT
# ---------------------------------------------------------------
# ``B = A + eps`` with standard normal noise; A is set to 1 in 5000 trials and to 0 in
# 5000. The difference in means of B between the two arms estimates the causal effect
# of A on B, which is 1.
import matplotlib.pyplot as plt
import numpy as np

import cortexkit as ck


def figure(width, height):
    """A pyplot-managed figure: cortexkit's plots draw on the Figure they are given."""
    return plt.figure(figsize=(width, height), layout="constrained")

cz = ck.causality
diff_in_means = cz.rct_two_neurons(5000, seed=12)
print(diff_in_means)
assert abs(diff_in_means - 1) < 4 * np.sqrt(2 / 5000)  # within 4 standard errors of 1

# %%
# Section 2: a network of neurons
# -------------------------------
# Six neurons, each receiving connections from about 10 % of the population, scaled so the
# largest singular value is 1/1.01 (stable dynamics). Rows are effects, columns causes:
# ``A[i, j]`` is the effect of neuron j on neuron i.
n_neurons = 6
A = cz.make_connectivity(n_neurons, p=0.1, seed=42)
print(np.round(A, 3))

fig, axs = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
ck.plot.causality.graph(A, axs[0], title="Neuron connectivity")
ck.plot.causality.matrix(A, axs[1], title="Connectivity matrix")

# %%
# Section 2.1: simulating the network — standard and perturbed dynamics
# ---------------------------------------------------------------------
# ``perturb="all"`` clamps every neuron to a random 0/1 pattern on the even steps
# t = 0, 2, 4, ...; x[t+1] is the outcome.
timesteps = 5000
run = cz.simulate(A, timesteps, seed=42)
run_perturbed = cz.simulate(A, timesteps, perturb="all", seed=42)
print(run)
print(run_perturbed)

fig, axs = plt.subplots(1, 2, figsize=(12, 3.5), layout="constrained")
ck.plot.causality.activity(run, axs[0], max_steps=10)
axs[0].set_title("Standard dynamics")
ck.plot.causality.activity(run_perturbed, axs[1], max_steps=10)
axs[1].set_title("Perturbed dynamics")

# %%
# Section 2.2: the causal effect of one neuron
# --------------------------------------------
# The tutorial perturbs its neuron 1; in this network we take the neuron with the
# strongest outgoing connections, so there is an effect to find. Clamp only it
# (``perturb="units"``) and take, for every neuron i, the difference in means of
# x_i[t+1] between the steps where it was clamped to 1 and to 0 —
# ``estimate(..., "perturbation", source=j)``. The figure is the tutorial's single-column
# view: the estimated effects of neuron j next to the true column ``A[:, j]``.
selected_neuron = int(np.argmax(np.abs(A).sum(axis=0)))
print(f"selected neuron: {selected_neuron}")
run_one = cz.simulate(A, timesteps, perturb="units", units=[selected_neuron], seed=0)
est_one = cz.estimate(run_one, "perturbation", source=selected_neuron)
column = est_one[:, selected_neuron]
print("estimated:", np.round(column, 3))
print("true:     ", np.round(A[:, selected_neuron], 3))
r_one = np.corrcoef(column, A[:, selected_neuron])[0, 1]
print(f"correlation of the estimated with the true column: {r_one:.3f}")
ck.plot.causality.true_vs_estimated(A, column, method="estimated",
                                    source=selected_neuron, fig=figure(5, 5))

# %%
# Section 2.3: the causal effects of all neurons
# ----------------------------------------------
# With every neuron clamped on every other step, one run gives the whole matrix: the
# difference in means (``"perturbation"``) or the tutorial's correlation between clamp
# values at t and outcomes at t+1 (``"perturbation_corr"``).
est_all = cz.estimate(run_perturbed, "perturbation")
est_corr = cz.estimate(run_perturbed, "perturbation_corr")
for name, est in (("difference in means", est_all), ("correlation", est_corr)):
    s = cz.score(est, A)
    print(f"{name:20s}: correlation with the true connectivity {s.correlation:.3f}, "
          f"AUROC {s.auroc:.3f}")
# the tutorial correlates the whole matrices, self-connections included;
# ``score`` leaves the diagonal out (a neuron's effect on itself is not a causal question
# between neurons)
print(f"tutorial's measure, np.corrcoef over all entries: "
      f"{np.corrcoef(A.flatten(), est_corr.flatten())[0, 1]:.3f}")
ck.plot.causality.true_vs_estimated(A, est_all, method="perturbation",
                                    fig=figure(8, 7.4))

# %%
# A bigger network: with 20 neurons and 10 000 steps the perturbation estimate still
# recovers the connectivity.
A20 = cz.make_connectivity(20, seed=1)
big = cz.simulate(A20, 10_000, perturb="all", seed=1)
s20 = cz.score(cz.estimate(big, "perturbation_corr"), A20)
print(f"20 neurons: correlation {s20.correlation:.3f}, AUROC {s20.auroc:.3f}")
assert s20.correlation > 0.8
plt.show()
