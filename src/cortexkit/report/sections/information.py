"""Report section: ISI entropy of every unit against the normative max-entropy bound."""

from __future__ import annotations

from cortexkit.report import html
from cortexkit.report._build import ReportContext

TITLE = "Information and entropy"
KIND = "data"

_BINS, _RANGE = 50, (0.0, 0.25)


def build(ctx: ReportContext) -> list[str]:
    """Reference PMFs with their entropies, entropy against rate, units near/far the bound."""
    from cortexkit.information import entropy_summary
    from cortexkit.plot import information as pinfo

    st = ctx.spikes
    s = ctx.cache.get("information_summary")
    if s is None:
        s = entropy_summary(st, _BINS, _RANGE, estimator="plugin")
        ctx.cache["information_summary"] = s
    units = s.units
    has = units["n_isi"] > 0
    blocks = [html.paragraph(
        f"Each unit's inter-spike intervals in {_RANGE[0]:g}-{_RANGE[1]:g} s are binned into "
        f"{_BINS} bins and the plug-in (Shannon) entropy of that distribution is computed, in "
        "bits. Among all ISI distributions on the same bins with the same mean (the mean "
        "firing rate), the maximum-entropy one is computed numerically; with equal bins it is "
        "the binned exponential, i.e. a Poisson spike train carries the most information per "
        "interval at a fixed rate. The gap to that bound measures how far a unit is from "
        "Poisson-like firing.")]
    if not has.any():
        blocks.append(html.paragraph(f"No unit has ISIs inside the range: {s.note}"))
        return blocks

    pop = s.population_mean_isi
    ref_h = s.reference_entropies
    blocks.append(html.facts({
        "units with ISIs in range": f"{int(has.sum())} of {len(units)}",
        "median ISI entropy (bits)": s.median_entropy,
        "median gap to the max-entropy bound (bits)": s.median_gap,
        "population mean ISI (ms, over bin centres)": pop * 1e3,
        **{f"{k} reference (bits)": v for k, v in ref_h.items()},
    }))
    if s.note:
        blocks.append(html.paragraph(s.note))
    pmfs = {k: v for k, v in s.references.items() if k != "max_entropy"}
    fig = pinfo.reference_pmfs(pmfs, s.edges, entropies=ref_h,
                               max_entropy=s.references["max_entropy"])
    blocks.append(html.figure(
        fig, f"Reference ISI distributions with the population mean ISI ({pop * 1e3:.1f} ms): "
        "deterministic (regular firing), uniform and exponential (Poisson), with their "
        f"entropies; dashed: the maximum-entropy distribution ({ref_h['max_entropy']:.3f} "
        "bits)."))
    closest, farthest = s.closest, s.farthest
    mark = units["unit"].isin(farthest["unit"]).to_numpy()
    ax = pinfo.entropy_vs_rate(units["rate_hz"], units["entropy"], bound=units["max_entropy"],
                               highlight=mark, highlight_label="farthest from the bound")
    blocks.append(html.figure(
        ax.figure, "ISI entropy of every unit against its firing rate; grey: the unit's "
        "max-entropy bound at its own mean ISI; circled: the units farthest from it."))
    cols = ["unit", "n_isi", "rate_hz", "mean_isi", "entropy", "max_entropy", "gap"]
    blocks.append(html.subheading("Closest to the max-entropy bound (most Poisson-like)"))
    blocks.append(html.table(closest[cols]))
    blocks.append(html.subheading("Farthest from the max-entropy bound"))
    blocks.append(html.table(farthest[cols]))
    blocks.append(html.paragraph(
        "Units with at least 100 ISIs in range are ranked. Bursty or strongly refractory units "
        "fall below the bound; few ISIs also lower the plug-in entropy (see the bias table in "
        "docs/information.md)."))
    return blocks
