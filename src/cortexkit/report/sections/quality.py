"""Report section: unit quality (refractory-period violations, the sliding RP test)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cortexkit.report import html
from cortexkit.report._build import ReportContext

TITLE = "Unit quality"
KIND = "data"

_TABLE_COLUMNS = ["unit", "n_spikes", "rate_hz", "isi_violations_ratio",
                  "isi_violations_contamination", "rp_contamination", "presence_ratio",
                  "slidingrp_min_contamination", "slidingrp_pass"]
_MAX_ROWS = 25


def build(ctx: ReportContext) -> list[str]:
    """Pass/fail counts, contamination across units, the example unit's sliding-RP curve
    and auto-correlogram, and the metrics table."""
    from cortexkit import quality
    from cortexkit.plot import quality as pq

    st = ctx.spikes
    if st.n_units == 0 or st.n_spikes == 0:
        return [html.paragraph("The recording has no spikes, so there is no unit quality.")]
    if "quality_metrics" not in ctx.cache:
        ctx.cache["quality_metrics"] = quality.metrics(st)
    table = ctx.cache["quality_metrics"]
    passed = table["slidingrp_pass"].to_numpy()
    blocks = [html.paragraph(
        "Refractory-period violations estimate how many of a unit's spikes come from other "
        "neurons (contamination). Hill's ISI-violation ratio compares the ISIs shorter than "
        "1.5 ms with what a unit without a refractory period would produce; the "
        "contamination fraction is the exact root of the quadratic behind it (the ratio "
        "itself tends to 0.5, not 1, for a fully contaminated unit). Llobet's estimate "
        "counts every pair of spikes within 1.5 ms. The IBL sliding refractory-period test "
        "needs no fixed refractory period: a unit passes when some period above 0.5 ms gives "
        "90 % confidence of less than 10 % contamination; units with few spikes fail for "
        "lack of evidence. See docs/quality.md for assumptions and thresholds."),
        html.facts({
            "units": int(st.n_units),
            "sliding RP: pass": int(passed.sum()),
            "sliding RP: fail": int((~passed).sum()),
            "median contamination, Hill (exact quadratic)":
                _median(table["isi_violations_contamination"]),
            "median contamination, Llobet": _median(table["rp_contamination"]),
            "units with contamination < 10 % (Llobet)":
                int((table["rp_contamination"] < 0.1).sum()),
            "median presence ratio": _median(table["presence_ratio"]),
        })]
    blocks.append(html.figure(
        pq.contamination(table).figure,
        "Contamination across units by the three estimates; dashed: the 10 % threshold of "
        "the IBL quality criteria."))

    q = quality.unit_summary(st, quality.example_unit(st))
    m = q.metrics
    verdict = "passes" if m["slidingrp_pass"] else "fails"
    blocks.append(html.subheading(f"Example unit {q.unit} ({m['n_spikes']} spikes)"))
    blocks.append(html.paragraph(
        f"Unit {q.unit} {verdict} the sliding RP test: maximum confidence of < 10 % "
        f"contamination {_pct(m['slidingrp_max_confidence'])}, lowest contamination reached "
        f"with 90 % confidence {_pct(m['slidingrp_min_contamination'])}; Hill ratio "
        f"{_num(m['isi_violations_ratio'])} (contamination "
        f"{_pct(m['isi_violations_contamination'])}), Llobet contamination "
        f"{_pct(m['rp_contamination'])}."))
    blocks.append(html.figure(
        pq.sliding_rp_curve(q).figure,
        f"Sliding RP test of unit {q.unit}: confidence that fewer than 10 % of its spikes are "
        "contaminating, for each candidate refractory period (violations counted up to it); "
        "periods up to 0.5 ms (grey) are not tested."))
    blocks.append(html.figure(
        pq.autocorrelogram(q.acg, refractory=0.0015).figure,
        f"Auto-correlogram of unit {q.unit} (0.5 ms bins, +-50 ms); red: +-1.5 ms."))

    blocks.append(html.subheading("Metrics per unit"))
    shown = table
    note = ""
    if len(table) > _MAX_ROWS:
        shown = table.sort_values("rp_contamination", ascending=False).head(_MAX_ROWS)
        note = (f"The {_MAX_ROWS} units with the highest Llobet contamination of "
                f"{len(table)}; `cortexkit quality --out DIR` writes the full table.")
    blocks.append(html.table(pd.DataFrame(shown[_TABLE_COLUMNS]), max_rows=_MAX_ROWS))
    if note:
        blocks.append(html.paragraph(note))
    return blocks


def _median(col) -> float | str:
    v = np.asarray(col, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else "n/a"


def _pct(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.3g} %"


def _num(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.4g}"
