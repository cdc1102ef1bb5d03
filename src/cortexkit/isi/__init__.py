"""Inter-spike intervals: descriptive ("what") models of single-unit firing.

- :func:`intervals` — ISIs of every unit in the flat layout (:class:`Intervals`).
- :func:`stats` — per-unit rate, mean/median ISI, CV, LV, CV2, refractory violations.
- :func:`histogram` — ISI histogram of one unit.
- :func:`fit_curve` — least-squares exponential / inverse / linear fits to a histogram.
- :func:`fit_distribution`, :func:`fit_all` — maximum-likelihood ISI distributions
  (exponential, dead-time exponential, gamma, inverse Gaussian, lognormal) with AIC, BIC
  and KS statistics, for one unit or every unit at once.
- :func:`example_unit` — the workflow the CLI, report and explorer show for one unit:
  histogram (over :func:`default_range`), curve fits and ML fits (:class:`ExampleUnit`).
"""

from __future__ import annotations

from cortexkit.isi._curves import CURVE_MODELS, CurveFit, fit_curve
from cortexkit.isi._distributions import (
    DIST_MODELS,
    DistributionFits,
    fit_all,
    fit_distribution,
    scipy_dist,
)
from cortexkit.isi._example import ExampleUnit, default_range, example_unit
from cortexkit.isi._intervals import Intervals, as_isi_array, histogram, intervals
from cortexkit.isi._stats import STATS_COLUMNS, stats

__all__ = ["Intervals", "intervals", "stats", "histogram", "CurveFit", "fit_curve",
           "DistributionFits", "fit_distribution", "fit_all", "scipy_dist", "CURVE_MODELS",
           "DIST_MODELS", "STATS_COLUMNS", "ExampleUnit", "example_unit", "default_range",
           "as_isi_array"]
