"""ISI plots and the report section."""

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError
from cortexkit.report._build import ReportContext


@pytest.fixture(scope="module")
def unit_fits():
    isis = np.random.default_rng(0).gamma(2.0, 0.02, 3000)
    c, e = ck.isi.histogram(isis, bins=40, range=(0, 0.25))
    curves = [ck.isi.fit_curve(c, e, m) for m in ck.isi.CURVE_MODELS]
    return isis, c, e, curves, ck.isi.fit_distribution(isis)


def test_histogram_plot_marks_the_mean(unit_fits):
    isis = unit_fits[0]
    ax = ck.plot.isi.histogram(isis, bins=30, range=(0, 0.25))
    xs = [line.get_xdata()[0] for line in ax.get_lines()]
    assert isis.mean() in xs and np.median(isis) in xs
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lbl.startswith("mean") for lbl in labels)


def test_fits_plot_overlays_curves_and_density(unit_fits):
    _, c, e, curves, dist = unit_fits
    ax = ck.plot.isi.fits(c, e, curves, dist)
    labels = [line.get_label() for line in ax.get_lines()]
    ml = f"ML {dist.best.replace('_', ' ')}"
    assert len(labels) == 4 and ml in labels
    assert sum("fit (R²" in lbl for lbl in labels) == 3
    # the density is drawn as expected counts per bin: its area equals the counts' area
    x, y = ax.get_lines()[labels.index(ml)].get_data()
    width = np.diff(e).mean()
    assert np.trapezoid(y, x) == pytest.approx(np.sum(c) * width, rel=0.05)
    with pytest.raises(ValidationError):
        ck.plot.isi.fits(c, e[:-2])


def test_variability_plot_and_existing_ax(unit_fits):
    from matplotlib.figure import Figure

    rng = np.random.default_rng(1)
    st = ck.SpikeTrains.from_list([np.cumsum(rng.exponential(0.1, 200)) for _ in range(30)])
    ax = Figure().add_subplot()
    assert ck.plot.isi.variability(ck.isi.stats(st), ax=ax) is ax
    assert len(ax.patches) == 2
    with pytest.raises(ValidationError, match="cv and lv"):
        ck.plot.isi.variability(st.to_dataframe())


@pytest.mark.slow
def test_report_section_builds_and_caches_stats():
    from cortexkit.report.sections import isi as section

    st = ck.datasets.steinmetz_like(seed=0)
    ctx = ReportContext(spikes=st, data_label="bundled")
    blocks = section.build(ctx)
    page = "".join(blocks)
    assert section.KIND == "data" and section.TITLE
    assert page.count("<img") == 2
    assert "exponential_refractory" in page and "inverse_gaussian" in page
    assert ctx.cache["isi_stats"].equals(ck.isi.stats(st))
