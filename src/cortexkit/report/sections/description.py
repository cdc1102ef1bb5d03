"""Report section: what is in the recording."""

from __future__ import annotations

import numpy as np

from cortexkit.report import html
from cortexkit.report._build import ReportContext

TITLE = "Recording overview"
KIND = "data"


def build(ctx: ReportContext) -> list[str]:
    """Counts, rates, raster and population rate of the recording."""
    from cortexkit.plot import spikes as pspikes
    from cortexkit.summary import describe, interval_fraction, population_rate

    st = ctx.spikes
    desc = describe(st)
    blocks = [
        html.paragraph(f"Data: {ctx.data_label}."),
        html.facts({
            "units": desc.n_units,
            "spikes": desc.n_spikes,
            "duration (s)": desc.duration,
            "median rate (Hz)": desc.median_rate,
            "mean rate (Hz)": desc.mean_rate,
            "population rate (spikes/s)": desc.population_rate,
            "units below the mean count": f"{desc.fraction_below_mean:.0%}",
            "empty units": desc.n_empty_units,
            "duplicate spikes": desc.n_duplicates,
        }),
        html.figure(pspikes.count_histogram(desc).figure,
                    "Spike counts per unit: the distribution is skewed, so most units "
                    "fire less than the mean."),
    ]
    window = (st.t_start, min(st.t_stop, st.t_start + 5.0))
    blocks.append(html.figure(
        pspikes.raster(st, every=max(1, st.n_units // 80), interval=window).figure,
        f"Raster of every {max(1, st.n_units // 80)}-th unit, first {window[1] - window[0]:g} s."))
    c, r = population_rate(st, bin_size=max(st.duration / 400, 1e-3))
    blocks.append(html.figure(pspikes.population_rate(c, r).figure,
                              "Population rate (all units summed)."))
    tenth = st.t_start + 0.1 * st.duration
    frac = interval_fraction(st, st.t_start, tenth)
    blocks.append(html.paragraph(
        f"The first tenth of the recording holds {frac.fraction_spikes:.1%} of all spikes "
        f"(ratio {frac.ratio:.2f} to its share of time)."))
    top = np.argsort(desc.counts)[::-1][:10]
    import pandas as pd

    blocks.append(html.subheading("Most active units"))
    blocks.append(html.table(pd.DataFrame({"unit": st.unit_ids[top], "spikes": desc.counts[top],
                                           "rate (Hz)": st.rates[top]})))
    return blocks
