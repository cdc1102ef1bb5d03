"""
Quick start: a recording in five calls
======================================

The bundled synthetic Neuropixels-like session (400 units, 600 s), described, drawn as a
raster, its ISIs summarised and one unit's ISI distribution fitted by maximum likelihood,
then the entropy of every unit's ISI distribution against the maximum-entropy bound.
"""

# %%
# Load and describe
# -----------------
# ``ck.datasets.steinmetz_like`` builds the session from a seed; a real recording comes
# from ``ck.io.load_spikes(path)`` instead.
import matplotlib.pyplot as plt

import cortexkit as ck

st = ck.datasets.steinmetz_like(seed=0)
print(st)
desc = ck.describe(st)
print(f"{desc.n_units} units, {desc.n_spikes} spikes over {desc.duration:.0f} s; "
      f"median rate {desc.median_rate:.2f} Hz, {desc.fraction_below_mean:.0%} of units "
      "below the mean count")

# %%
# A raster of the first 60 seconds
# --------------------------------
fig, ax = plt.subplots(figsize=(8, 4))
ck.plot.spikes.raster(st, units=range(0, 400, 8), interval=(0, 60), ax=ax)
ax.set_title("every 8th unit, first minute")

# %%
# ISI statistics of every unit
# ----------------------------
# One row per unit; a Poisson unit has a CV of 1.
stats = ck.isi.stats(st)
print(stats[["n_spikes", "rate_hz", "cv", "lv", "cv2"]].describe().round(3))

# %%
# Maximum-likelihood ISI models of the unit with the most spikes
# --------------------------------------------------------------
ex = ck.isi.example_unit(st)
print(f"unit index {ex.index}: {ex.n_spikes} spikes")
fits = ck.isi.fit_distribution(ex.isis)
print(fits.table.round(3).to_string())
print("best model by AIC:", fits.best)

fig, ax = plt.subplots(figsize=(6, 4))
counts, edges = ck.isi.histogram(ex.isis, bins=50, range=ck.isi.default_range(ex.isis))
ck.plot.isi.fits(counts, edges, distribution=fits, ax=ax)

# %%
# Entropy of the ISI distributions
# --------------------------------
# At a fixed mean ISI no distribution over the bins has more entropy than the
# maximum-entropy one; with the plug-in estimator every unit lies on or below its bound.
summary = ck.information.entropy_summary(st)
print(summary.units[["n_isi", "rate_hz", "entropy", "max_entropy", "gap"]].describe().round(3))
print("references at the population mean ISI (bits):",
      {k: round(v, 3) for k, v in summary.reference_entropies.items()})
assert (summary.units["gap"].dropna() >= -1e-9).all()

fig, ax = plt.subplots(figsize=(6, 4))
ck.plot.information.entropy_vs_rate(summary.units["rate_hz"], summary.units["entropy"],
                                    bound=summary.units["max_entropy"], ax=ax)
