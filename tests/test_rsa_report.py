"""The "Encoding models and RSA" report section builds (quick mode) with all its figures."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")


@pytest.mark.slow
def test_rsa_section_quick():
    from cortexkit.report import available_sections
    from cortexkit.report._build import ReportContext, render_html
    from cortexkit.report.sections import rsa as sec

    assert sec.KIND == "model" and ("rsa", sec) in available_sections(("model",))
    blocks = sec.build(ReportContext(spikes=None, data_label="test", seed=0, quick=True))
    page = render_html("t", [(sec.TITLE, blocks)])
    assert page.count("<img") >= 8  # stimuli, filters, loss, RDMs, bars, rows, tuning, maps
    for text in ("conv", "pool", "fc", "bootstrap", "held-out accuracy"):
        assert text in page
    assert "http://" not in page and "https://" not in page  # self-contained
