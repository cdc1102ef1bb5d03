"""Report section and plots of ck.information."""

from __future__ import annotations

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.information import (
    closest_farthest,
    entropy,
    entropy_summary,
    max_entropy_pmf,
    reference_pmfs,
)
from cortexkit.report import render_html
from cortexkit.report._build import ReportContext
from cortexkit.report.sections import information as section


def _spikes(seed=0):
    rng = np.random.default_rng(seed)
    trains = []
    for u in range(24):
        if u % 3 == 0:  # Poisson
            isi = rng.exponential(0.05, 400)
        elif u % 3 == 1:  # regular
            isi = 0.06 + rng.normal(0, 0.002, 400)
        else:  # bursty
            isi = np.where(rng.random(400) < 0.6, rng.exponential(0.004, 400),
                           rng.exponential(0.15, 400))
        trains.append(np.cumsum(np.abs(isi)))
    trains.append(np.array([0.5]))
    return ck.SpikeTrains.from_list(trains, t_stop=max(t.max() for t in trains) + 1)


def test_summary_gap_and_ranking():
    st = _spikes()
    s = entropy_summary(st)
    u = s["units"]
    assert list(u.columns) == ["unit", "n_isi", "rate_hz", "mean_isi", "entropy",
                               "max_entropy", "gap"]
    ok = u["n_isi"] > 0
    assert (u.loc[ok, "gap"] >= -1e-9).all()
    for i in np.flatnonzero(ok)[:5]:
        assert u["max_entropy"][i] == pytest.approx(entropy(max_entropy_pmf(u["mean_isi"][i])))
    closest, farthest = closest_farthest(u, k=4)
    assert closest["gap"].max() <= farthest["gap"].min()
    # Poisson units sit closest to the bound, regular ones farthest
    assert set(closest["unit"] % 3) == {0}
    assert set(farthest["unit"] % 3) <= {1, 2} and 1 in set(farthest["unit"] % 3)
    assert s["reference_entropies"]["exponential"] == pytest.approx(
        s["reference_entropies"]["max_entropy"], abs=0.05)


def test_section_builds_with_figures_and_tables():
    ctx = ReportContext(spikes=_spikes(), data_label="test")
    blocks = section.build(ctx)
    page = render_html("t", [(section.TITLE, blocks)])
    assert section.KIND == "data" and section.TITLE == "Information and entropy"
    assert page.count("data:image/png;base64,") == 2
    assert "Closest to the max-entropy bound" in page and "Farthest" in page
    assert "information_summary" in ctx.cache


def test_section_without_isis_in_range():
    st = ck.SpikeTrains.from_list([[0.0, 1.0, 2.0], [0.5]], t_stop=3.0)
    page = render_html("t", [(section.TITLE, section.build(ReportContext(spikes=st,
                                                                        data_label="x")))])
    assert "No unit has ISIs inside the range" in page


def test_reference_note_when_mean_in_upper_half():
    # all ISIs near 0.2 s: the uniform/exponential references cannot have that mean
    st = ck.SpikeTrains.from_list([np.arange(0, 40, 0.2)], t_stop=41)
    s = entropy_summary(st)
    assert "largest mean" in s["note"]
    assert set(s["references"]) == {"deterministic", "max_entropy"}


def test_plots_return_axes_and_figure():
    edges = np.linspace(0, 0.25, 51)
    refs = reference_pmfs(0.03)
    h = {k: entropy(v) for k, v in refs.items()}
    fig = ck.plot.information.reference_pmfs(refs, edges, entropies=h,
                                             max_entropy=max_entropy_pmf(0.03))
    assert len(fig.axes) == 3
    assert fig.axes[0].get_title() == f"deterministic\nH = {h['deterministic']:.3f} bits"
    ax = ck.plot.information.pmf(refs["exponential"], edges, label="exp")
    assert ax.get_xlabel() == "inter-spike interval (ms)"
    ax = ck.plot.information.entropy_vs_rate([1.0, 2.0, 3.0], [1.0, np.nan, 2.0],
                                             bound=[2.0, 2.0, 2.5])
    assert ax.get_xscale() == "log"
    with pytest.raises(ck.ValidationError, match="51 bin edges"):
        ck.plot.information.pmf(refs["exponential"], edges[:-1])
    with pytest.raises(ck.ValidationError, match="equal length"):
        ck.plot.information.entropy_vs_rate([1.0], [1.0, 2.0])
