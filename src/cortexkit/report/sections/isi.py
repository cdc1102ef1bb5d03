"""Report section: inter-spike intervals (statistics, curve fits, ML distributions)."""

from __future__ import annotations

import pandas as pd

from cortexkit.report import html
from cortexkit.report._build import ReportContext

TITLE = "Inter-spike intervals"
KIND = "data"


def build(ctx: ReportContext) -> list[str]:
    """ISI histogram and fits of an example unit, CV/LV across units, best ML models."""
    from cortexkit import isi
    from cortexkit.plot import isi as pisi

    st = ctx.spikes
    if "isi_stats" not in ctx.cache:
        ctx.cache["isi_stats"] = isi.stats(st)
    table = ctx.cache["isi_stats"]
    if "isi_fits" not in ctx.cache:
        ctx.cache["isi_fits"] = isi.fit_all(st)
    fits = ctx.cache["isi_fits"]

    enough = table["n_spikes"].to_numpy() >= 3
    if not enough.any():
        return [html.paragraph("No unit has the 3 spikes an ISI analysis needs.")]
    blocks = [html.facts({
        "units with >= 3 spikes": int(enough.sum()),
        "median CV": float(table["cv"].median()),
        "median LV": float(table["lv"].median()),
        "median CV2": float(table["cv2"].median()),
        "units with ISIs < 1.5 ms": int((table["refractory_count"] > 0).sum()),
    })]

    ex = isi.example_unit(st, bins=50)
    ex.raise_first_error()
    uid, (lo, hi), dist = ex.unit, ex.range, ex.distributions
    curves = list(ex.curves.values())
    blocks.append(html.subheading(f"Example unit {uid} ({ex.n_spikes} spikes)"))
    blocks.append(html.figure(
        pisi.fits(ex.counts, ex.edges, curves, dist).figure,
        f"ISI histogram of unit {uid} between its 1st and 95th ISI percentile "
        f"({lo * 1e3:.1f}-{hi * 1e3:.0f} ms) with least-squares exponential, inverse and "
        f"linear curves and the best maximum-likelihood density ({ex.best_model})."))
    blocks.append(html.table(pd.DataFrame(
        [{"curve": c.model, "R²": c.r2, "SSE": c.sse,
          **{k: v for k, v in c.params.items()}} for c in curves])))
    if dist is not None:
        blocks.append(html.table(dist.table.drop(columns="params")))

    blocks.append(html.subheading("Regularity across units"))
    blocks.append(html.figure(
        pisi.variability(table).figure,
        "CV (global irregularity) and LV (local irregularity, insensitive to slow rate "
        "changes) of every unit; a Poisson process has 1, regular firing less, bursty more."))

    blocks.append(html.subheading("Best ISI distribution per unit (lowest AIC)"))
    best = fits["best_model"].value_counts()
    summary = pd.DataFrame({"model": best.index, "units": best.to_numpy()})
    if st.unit_info is not None and "kind" in st.unit_info.columns:
        kinds = st.unit_info["kind"].astype(str).to_numpy()
        cross = pd.crosstab(fits["best_model"].fillna("not fitted").to_numpy(), kinds,
                            rownames=["best model"], colnames=["kind"]).reset_index()
        cross.columns.name = None
        blocks.append(html.table(cross))
    else:
        blocks.append(html.table(summary))
    blocks.append(html.paragraph(
        "Maximum-likelihood fits of exponential, dead-time exponential, gamma, inverse "
        "Gaussian and lognormal ISI distributions to every unit with >= 10 positive ISIs. "
        "The exponential is nested in the gamma and the dead-time exponential, so on "
        "Poisson-like units AIC often prefers one of those by a small margin; units with a "
        "clear refractory period are best described by the dead-time exponential."))
    return blocks
