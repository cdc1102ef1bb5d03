"""ck.plot.lif and the LIF report section."""

from __future__ import annotations

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError


@pytest.fixture(scope="module")
def result():
    p = ck.lif.LIFParams(dt=1e-4, t_max=0.2)
    return ck.lif.simulate(p, lambda t: ck.lif.sine_current(t, 1.5e-10), 3,
                           noise_sd=2e-10, seed=0)


def test_voltage_plot_draws_threshold_reset_and_spikes(result):
    ax = ck.plot.lif.voltage(result, 1)
    ys = {round(line.get_ydata()[0], 6) for line in ax.get_lines()[1:3]}
    assert ys == {-50.0, -70.0}  # threshold and reset lines in mV
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), result.v[1] * 1e3)
    assert len(ax.collections[0].get_segments()) == result.spikes.counts[1]
    with pytest.raises(ValidationError, match="neuron"):
        ck.plot.lif.voltage(result, 5)
    lean = ck.lif.simulate(result.params, 1e-10, record_v=False)
    with pytest.raises(ValidationError, match="record_v"):
        ck.plot.lif.voltage(lean)


def test_current_fi_isi_and_histogram_plots(result):
    ax = ck.plot.lif.current(result.t, result.current, label="sine")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), result.current * 1e12)
    with pytest.raises(ValidationError, match="shape"):
        ck.plot.lif.current(result.t[:-1], result.current)
    df = ck.lif.fi_curve(np.linspace(0, 3e-10, 4), ck.lif.LIFParams(dt=1e-4, t_max=0.3))
    ax = ck.plot.lif.fi_curve(df)
    assert len(ax.get_lines()) == 2
    with pytest.raises(ValidationError, match="columns"):
        ck.plot.lif.fi_curve(df.drop(columns="rate_sim"))
    from scipy import stats

    isis = np.random.default_rng(0).exponential(0.05, 500)
    ax = ck.plot.lif.isi_distribution(isis, {"exp": stats.expon(scale=0.05).pdf})
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "exp"
    ms = ck.lif.membrane_stats(result)
    ax = ck.plot.lif.membrane_histogram(ms, params=result.params)
    assert ax.get_xlabel() == "membrane potential (mV)"


def test_report_section_quick():
    from cortexkit.report import available_sections
    from cortexkit.report._build import ReportContext
    from cortexkit.report.sections import lif as section

    assert section.KIND == "model" and "LIF" in section.TITLE
    assert "lif" in [name for name, _ in available_sections(("model",))]
    blocks = section.build(ReportContext(spikes=None, data_label="test", seed=0, quick=True))
    page = "".join(blocks)
    assert page.count("<img") >= 4
    assert "f-I curve" in page and "exponential" in page
    assert "Balanced excitation and inhibition" in page
