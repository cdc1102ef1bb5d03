"""ck.plot.causality figures and the causality report section."""

import numpy as np
import pandas as pd
import pytest

from cortexkit import causality as cz
from cortexkit.errors import ValidationError
from cortexkit.plot import causality as pc
from cortexkit.plot._util import get_ax


def test_graph_draws_one_arrow_per_edge_from_cause_to_effect():
    W = np.zeros((4, 4))
    W[2, 0] = 1.0      # 0 -> 2
    W[1, 3] = -0.5     # 3 -> 1 (inhibitory)
    W[1, 1] = 1.0      # self-connection: not drawn
    ax = pc.graph(W)
    arrows = ax.patches
    assert len(arrows) == 2
    angle = np.pi / 2 - 2 * np.pi * np.arange(4) / 4
    pos = np.column_stack([np.cos(angle), np.sin(angle)])
    starts = sorted(tuple(np.round(a._posA_posB[0], 6)) for a in arrows)
    ends = sorted(tuple(np.round(a._posA_posB[1], 6)) for a in arrows)
    assert starts == sorted(tuple(np.round(pos[k], 6)) for k in (0, 3))
    assert ends == sorted(tuple(np.round(pos[k], 6)) for k in (2, 1))
    assert len(pc.graph(np.random.default_rng(0).random((5, 5)), top=3).patches) == 3
    W2 = np.array([[0, 1.0, 0.1], [0.5, 0, 0], [0, 0.05, 0]])
    assert len(pc.graph(W2, threshold=0.2).patches) == 2      # 1.0 and 0.5 of max 1.0


def test_matrix_axes_labels_orientation_and_nan():
    W = np.array([[0, 2.0], [np.nan, 0]])
    ax = get_ax()
    assert pc.matrix(W, ax=ax) is ax
    assert ax.get_xlabel() == "from neuron (cause)" and ax.get_ylabel() == "to neuron (effect)"
    img = ax.images[0].get_array()
    assert img[0, 1] == 2.0 and np.ma.is_masked(img[1, 0])   # row = to, column = from


def test_figures_from_results():
    cmp = cz.compare_methods(6, 600, methods=("perturbation", "correlation"), seed=0)
    fig = pc.true_vs_estimated(cmp.A, cmp.estimates["perturbation"], method="perturbation")
    assert len(fig.axes) >= 4
    grid = pc.compare_grid(cmp.A, cmp.estimates, observed=[0, 1, 2])
    assert len(grid.axes) == 6
    ax = pc.activity(cmp.runs["all"], max_steps=50)
    assert ax.images[0].get_array().shape == (6, 50)
    df = cz.run_experiment((6, 8), (400,), methods=("perturbation", "correlation"))
    ax = pc.scores(df, "n_neurons")
    assert len(ax.lines) == 2 and ax.get_ylabel() == "correlation"
    bars = pc.score_bars(df.assign(size=df.n_neurons.astype(str)), "size")
    assert len(bars.patches) == 4


def test_true_vs_estimated_single_column():
    # the Neuromatch W3D5 T1 layout: one perturbed neuron's estimated effects vs A[:, j]
    A = cz.make_connectivity(6, seed=1)
    run = cz.simulate(A, 2000, perturb="units", units=[2], seed=0)
    full = cz.estimate(run, "perturbation", source=2)
    col = full[:, 2]
    for est in (col, col[:, None], full):
        fig = pc.true_vs_estimated(A, est, method="perturbation", source=2)
        ax_est, ax_true = fig.axes[:2]
        assert ax_est.get_title() == "perturbation" and ax_true.get_title() == "true"
        assert fig.get_suptitle() == "effects of neuron 2"
        np.testing.assert_array_equal(ax_est.images[0].get_array()[:, 0], col)
        np.testing.assert_array_equal(ax_true.images[0].get_array()[:, 0], A[:, 2])
        assert ax_est.images[0].norm.vmin == ax_true.images[0].norm.vmin  # one scale
        assert [t.get_text() for t in ax_est.get_xticklabels()] == ["2"]
    with pytest.raises(ValidationError, match="source"):
        pc.true_vs_estimated(A, col)
    with pytest.raises(ValidationError, match="one effect per neuron"):
        pc.true_vs_estimated(A, col[:4], source=2)


@pytest.mark.parametrize("call", [
    lambda: pc.graph(np.ones((2, 3))),
    lambda: pc.matrix(np.ones(3)),
    lambda: pc.true_vs_estimated(np.ones((2, 2)), np.ones((3, 3))),
    lambda: pc.scores(pd.DataFrame({"method": ["a"]}), "n_neurons"),
])
def test_plot_bad_input(call):
    with pytest.raises(ValidationError):
        call()


@pytest.mark.slow
def test_report_section_quick_build():
    from cortexkit.report import available_sections
    from cortexkit.report._build import ReportContext
    from cortexkit.report.sections import causality as sec

    assert sec.KIND == "model" and sec.TITLE == "Network causality"
    assert "causality" in [name for name, _ in available_sections(("model",))]
    blocks = sec.build(ReportContext(spikes=None, data_label="test", quick=True, seed=1))
    page = "".join(blocks)
    assert page.count("<img") == 5
    assert "Omitted-variable bias" in page and "two-neuron randomized trial" in page
