"""cortexkit.plot.quality draws the results it is given (data checked on the artists)."""

from __future__ import annotations

import numpy as np
import pytest

import cortexkit as ck


@pytest.fixture(scope="module")
def st():
    rng = np.random.default_rng(0)
    trains = [np.cumsum(0.002 + rng.exponential(0.05, 3000)) for _ in range(3)]
    return ck.SpikeTrains.from_list(trains)


def test_correlogram_grid_panels_show_counts(st):
    cg = ck.correlograms(st)
    fig = ck.plot.quality.correlogram_grid(cg)
    assert len(fig.axes) == 9
    for a in range(3):
        for b in range(3):
            patch = fig.axes[a * 3 + b].patches[0]
            np.testing.assert_array_equal(patch.get_data().values, cg.counts[a, b])


def test_autocorrelogram_into_given_axes(st):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    cg = ck.correlograms(st, units=[1])
    out = ck.plot.quality.autocorrelogram(cg, ax=ax, refractory=0.002)
    assert out is ax
    np.testing.assert_allclose(ax.patches[0].get_data().edges, cg.edges * 1e3)


def test_psth_raster_and_rate(st):
    p = st.psth(np.arange(5.0, 100.0, 10.0), window=(-0.2, 0.5), bin_size=0.05)
    fig = ck.plot.quality.psth(p, unit=2)
    ax_r, ax_p = fig.axes
    offsets = ax_r.collections[0].get_offsets()
    trials, lags = p.raster(2)
    np.testing.assert_allclose(offsets[:, 0], lags)
    np.testing.assert_allclose(offsets[:, 1], trials)
    np.testing.assert_allclose(ax_p.patches[0].get_data().values, p.mean_rate[2])


def test_sliding_rp_curve_plots_the_threshold_row(st):
    q = ck.quality.unit_summary(st, 0)
    ax = ck.plot.quality.sliding_rp_curve(q)
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_ydata(), q.sliding.threshold_confidence * 100)
    np.testing.assert_allclose(line.get_xdata(), q.sliding.rp * 1e3)


def test_contamination_histogram(st):
    m = ck.quality.metrics(st)
    ax = ck.plot.quality.contamination(m)
    assert len(ax.patches) == 3
    assert ax.patches[0].get_data().values.sum() == 3
