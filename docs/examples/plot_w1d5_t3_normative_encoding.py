"""
W1D5 Tutorial 3 — Normative encoding models: a CNN vs mouse V1 with RSA
========================================================================

Neuromatch W1D5 Tutorial 3 trains a small convolutional network to tell whether a grating
is tilted right or left of vertical, and asks whether its internal representations
resemble those of mouse primary visual cortex: representational dissimilarity matrices
(RDMs) of the network's layers and of V1 responses, their correlation, individual RDM
rows, tuning curves and t-SNE embeddings. This page follows those sections with
:mod:`cortexkit.encoding` and :mod:`cortexkit.rsa`. The stimuli are the tutorial's
``grating()`` and the network starts from its ``filters()`` — value for value. The
Stringer et al. responses cannot be downloaded here, so the bundled synthetic V1
population (``ck.datasets.v1_orientation_like``, von Mises tuning with Poisson noise)
stands in for them; the similarities are therefore not the tutorial's numbers.
"""

# %%
# Section 1.1: the orientation discrimination task
# ------------------------------------------------
# ``ck.encoding.grating(angle)`` is the tutorial's binarized grating: 48 x 64 pixels of 0
# and 1, 0 degrees vertical, positive angles tilted right.
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import zscore

import cortexkit as ck
from cortexkit.io.responses import bin_stimuli, tutorial_convention


def figure(width, height):
    """A pyplot-managed figure: cortexkit's plots draw on the Figure they are given."""
    return plt.figure(figsize=(width, height), layout="constrained")

orientations = np.linspace(-90, 90, 5)
h, w = ck.encoding.grating(0).shape
print(f"stimulus size: {h} x {w}")
ck.plot.rsa.stimuli(ck.encoding.grating(orientations),
                    titles=[f"{o:.0f}°" for o in orientations], fig=figure(12, 2.4))

# %%
# Section 1.2: a deep network model of orientation discrimination
# ---------------------------------------------------------------
# conv (6 filters 7x7, initialised with the tutorial's ``filters()``) -> ReLU -> max-pool 8
# -> fully connected 10 -> ReLU -> output, trained with the tutorial's recipe: 1000
# gratings at random angles in (-90, 90), 25 epochs of SGD with momentum 0.99, learning
# rate 5e-4, mini-batches of 100. The trained weights are cached on disk, so later builds
# skip the ~15 s of training.
net, losses, info = ck.encoding.cached_orientation_model(n_train=1000, epochs=25, seed=0)
steps_per_epoch = losses.size // 25
for epoch in range(5, 26, 5):
    print(f"epoch {epoch} | loss on last mini-batch: "
          f"{losses[epoch * steps_per_epoch - 1]: .2e}")
print("training done!" + (" (weights from the cache)" if info["cached"] else ""))

x_test, y_test, _ = ck.encoding.orientation_set(2000, seed=12345)  # held-out angles
accuracy = ((ck.encoding.predict(net, x_test) > 0.5) == y_test).mean()
print(f"held-out accuracy: {accuracy:.1%}")
assert accuracy >= 0.99
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ck.plot.encoding.training_loss(losses, steps_per_epoch=steps_per_epoch, ax=ax)
ck.plot.encoding.filters(ck.encoding.tutorial_filters(), fig=figure(8, 1.6))

# %%
# Section 1.3: the neural data and the model's responses to the same stimuli
# --------------------------------------------------------------------------
# The tutorial's V1 responses are averaged in 1-degree stimulus bins, only stimuli up to
# 180 degrees are kept and the angles shifted by -90 (0 = vertical). The network sees a
# grating at every recorded orientation; ``hidden_activity`` records the ``pool`` and
# ``fc`` layers with forward hooks.
v1 = tutorial_convention(bin_stimuli(ck.datasets.v1_orientation_like(seed=0), 1.0))
resp_v1, ori = v1.responses, v1.stimuli
print(f"V1 data: {resp_v1.shape[0]} stimuli x {resp_v1.shape[1]} neurons, "
      f"orientations {ori.min():.1f} to {ori.max():.1f} deg")
stimuli = ck.encoding.grating(ori)
resp_model = ck.encoding.hidden_activity(net, stimuli, ("pool", "fc"))
resp_dict = {"V1 data": resp_v1}
for k, v in resp_model.items():
    resp_dict[f"model\n'{k}' layer"] = v

# %%
# Section 2.1: representational dissimilarity matrices
# ----------------------------------------------------
# :math:`M = 1 - \frac{1}{N} Z Z^\top` with Z the responses z-scored across neurons:
# ``ck.rsa.rdm(resp, "correlation")``. The tutorial's formula is checked beside it; the
# RDMs are drawn on the tutorial's shared 0-2 colour scale.
rdm_dict = {label: ck.rsa.rdm(resp, "correlation") for label, resp in resp_dict.items()}
for label, resp in resp_dict.items():
    zresp = zscore(np.asarray(resp, dtype=np.float64), axis=1)
    tutorial_rdm = 1 - (zresp @ zresp.T) / zresp.shape[1]
    assert np.abs(rdm_dict[label] - tutorial_rdm).max() < 1e-4
ck.plot.rsa.rdm_grid(rdm_dict, ori, vmin=0.0, vmax=2.0, fig=figure(10, 3))

# %%
# Section 2.2: determining representation similarity
# ---------------------------------------------------
# Correlate the off-diagonal upper triangles of the model and V1 RDMs
# (``ck.rsa.compare``; the tutorial's ``np.corrcoef`` of the triangles beside it).
# ``compare_layers`` adds bootstrap confidence intervals over stimuli.
rdm_model = dict(rdm_dict)
rdm_v1 = rdm_model.pop("V1 data")
ioffdiag = np.triu_indices(rdm_v1.shape[0], k=1)
rdm_sim = {}
for label, rdm in rdm_model.items():
    rdm_sim[label] = ck.rsa.compare(rdm_v1, rdm, "pearson")
    tutorial_r = np.corrcoef(rdm_v1[ioffdiag], rdm[ioffdiag])[0, 1]
    assert abs(rdm_sim[label] - tutorial_r) < 1e-6
    print(f"{label.splitlines()[-1]}: correlation with the V1 RDM {rdm_sim[label]:.3f}")
comparison = ck.encoding.compare_layers(net, v1, ("pool", "fc"), n_boot=200, n_perm=0,
                                        seed=0)
print(comparison.table[["layer", "similarity", "ci_low", "ci_high", "cka"]]
      .round(3).to_string(index=False))
fig, ax = plt.subplots(figsize=(4.5, 3.2), layout="constrained")
ck.plot.rsa.similarity_bars(comparison.table, ax=ax)

# %%
# Section 2.3: further understanding RDMs — individual rows
# ---------------------------------------------------------
# The dissimilarity of every stimulus to the ones nearest -75, -25, 25 and 75 degrees,
# one panel per orientation as in the tutorial.
ori_list = [-75, -25, 25, 75]
ck.plot.rsa.rdm_rows(rdm_dict, ori, at=ori_list, by="orientation", ylim=(0, 2),
                     fig=figure(14, 3.6))

# %%
# Section 3.1: tuning curves
# --------------------------
# The mean response of individual V1 neurons and model units against orientation.
fig, axs = plt.subplots(1, 3, figsize=(12, 3.2), layout="constrained")
for ax, (label, resp) in zip(axs, resp_dict.items(), strict=True):
    ck.plot.rsa.tuning_curves(ck.rsa.tuning_curves(resp, ori), ax=ax, n=4)
    ax.set_title(label.replace("\n", " "))

# %%
# Section 3.2: dimensionality reduction
# -------------------------------------
# t-SNE of the population responses (PCA to 20 components first), coloured by
# orientation.
embs = {label.replace("\n", " "): ck.rsa.embed(resp, "tsne", seed=0)
        for label, resp in resp_dict.items()}
ck.plot.rsa.embeddings(embs, ori, label="orientation (deg)", fig=figure(10, 3))
plt.show()
