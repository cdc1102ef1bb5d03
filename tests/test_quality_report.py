"""Report section "Unit quality": shows the numbers of ck.quality's workflow objects."""

from __future__ import annotations

import numpy as np

import cortexkit as ck
from cortexkit.report import available_sections, render_html
from cortexkit.report._build import ReportContext


def test_section_shows_unit_summary_numbers(monkeypatch, real_data_dir):
    from cortexkit.report.sections import quality as section

    seen = []
    original = ck.quality.unit_summary

    def spy(*a, **k):
        seen.append(original(*a, **k))
        return seen[-1]

    monkeypatch.setattr(ck.quality, "unit_summary", spy)
    st = ck.io.load_spikes(real_data_dir / "ibl-slidingrp-3units")
    ctx = ReportContext(spikes=st, data_label="ibl", seed=0)
    page = render_html("t", [(section.TITLE, section.build(ctx))])
    assert len(seen) == 1
    q = seen[0]
    assert q.unit == 274
    assert "Example unit 274 (29767 spikes)" in page
    assert "Unit 274 passes the sliding RP test" in page
    assert f"{100 * q.metrics['slidingrp_min_contamination']:.3g} %" in page
    assert f"{q.metrics['isi_violations_ratio']:.4g}" in page
    assert page.count("<img") == 3
    table = ctx.cache["quality_metrics"]
    assert table["unit"].tolist() == [167, 274, 275]
    assert "<dt>sliding RP: pass</dt><dd>1</dd>" in page.replace("\n", "")
    assert "quality" in [name for name, _ in available_sections(("data",))]


def test_section_without_spikes():
    from cortexkit.report.sections import quality as section

    st = ck.SpikeTrains.from_list([np.array([])], t_stop=10)
    blocks = section.build(ReportContext(spikes=st, data_label="empty"))
    assert "no spikes" in blocks[0]
