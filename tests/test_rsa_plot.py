"""ck.plot.rsa / ck.plot.encoding draw given results, honour ax=, and return Figure/Axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cortexkit import rsa
from cortexkit.encoding import grating
from cortexkit.errors import ValidationError
from cortexkit.plot import encoding as penc
from cortexkit.plot import rsa as prsa


def _rdms():
    s = np.linspace(-90, 90, 19)
    d = np.abs(s[:, None] - s[None, :])
    return s, {"V1": d, "pool": d**0.5}


def test_figures_and_axes():
    s, rdms = _rdms()
    assert isinstance(prsa.stimuli(grating(np.array([0.0, 45.0]))), Figure)
    fig = prsa.rdm_grid(rdms, s)
    assert isinstance(fig, Figure) and len(fig.axes) == 4  # 2 RDMs + 2 colour bars
    rows = prsa.rdm_rows(rdms, s, at=(-45.0, 45.0))
    assert len(rows.axes[0].lines) == 4  # two rows + two markers
    # the plotted row is the RDM row of the stimulus nearest -45 deg, in stimulus order
    i = int(np.argmin(np.abs(s + 45)))
    np.testing.assert_array_equal(rows.axes[0].lines[0].get_ydata(), rdms["V1"][i])
    # the tutorial's layout: one panel per orientation, one line per system, shared 0-2
    rows = prsa.rdm_rows(rdms, s, at=(-75.0, -25.0, 25.0, 75.0), by="orientation",
                         ylim=(0, 2))
    assert len(rows.axes) == 4
    for ax, a in zip(rows.axes, (-75.0, -25.0, 25.0, 75.0), strict=True):
        i = int(np.argmin(np.abs(s - a)))
        assert [ln.get_label() for ln in ax.lines[:2]] == ["V1", "pool"]
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), rdms["pool"][i])
        assert ax.get_ylim() == (0.0, 2.0)
        assert ax.get_title().endswith(f"to {a:.0f}° stimulus")
    grid = prsa.rdm_grid(rdms, s, vmin=0, vmax=2)
    assert all(im.get_clim() == (0, 2) for ax in grid.axes for im in ax.images)
    with pytest.raises(ValidationError, match="by must be"):
        prsa.rdm_rows(rdms, s, by="layer")
    emb = prsa.embeddings({"V1": rsa.embed(rdms["V1"], "pca")}, s)
    assert isinstance(emb, Figure)


def test_bars_with_ci_and_given_ax():
    t = pd.DataFrame({"layer": ["conv", "pool"], "similarity": [0.2, 0.6],
                      "ci_low": [0.1, 0.5], "ci_high": [0.3, 0.7], "method": "pearson"})
    fig = Figure()
    ax = fig.add_subplot()
    out = prsa.similarity_bars(t, ax=ax)
    assert out is ax
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.2, 0.6])
    assert "pearson" in ax.get_ylabel()
    with pytest.raises(ValidationError, match="columns"):
        prsa.similarity_bars(t.drop(columns="ci_low"))


def test_tuning_and_encoding_plots():
    rng = np.random.default_rng(0)
    tc = rsa.tuning_curves(rng.poisson(3, (40, 5)).astype(float), np.repeat(np.arange(8.0), 5))
    ax = prsa.tuning_curves(tc, neurons=[0, 2])
    assert isinstance(ax, Axes) and len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tc.mean[:, 0])
    ax2 = penc.training_loss(np.linspace(1, 0.1, 30), steps_per_epoch=10)
    assert len(ax2.lines) == 2
    assert isinstance(penc.filters(rng.normal(size=(6, 1, 7, 7))), Figure)
