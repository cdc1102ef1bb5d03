"""Unit quality metrics: refractory-period violations, presence, firing range, and the IBL
sliding refractory-period test, vectorized over units.

``metrics`` gives one row per unit; ``sliding_rp`` the sliding-RP columns alone; see
docs/quality.md for what each metric estimates, its assumptions and thresholds.
"""

from __future__ import annotations

from cortexkit.quality._correlograms import Correlograms, correlograms
from cortexkit.quality._metrics import (
    METRIC_COLUMNS,
    hill_contamination,
    llobet_contamination,
    metrics,
)
from cortexkit.quality._sliding import SLIDING_RP_COLUMNS, confidence_matrix, sliding_rp
from cortexkit.quality._summary import SlidingRPCurve, UnitQuality, example_unit, unit_summary

__all__ = ["metrics", "sliding_rp", "correlograms", "Correlograms", "hill_contamination",
           "llobet_contamination", "confidence_matrix", "METRIC_COLUMNS", "SLIDING_RP_COLUMNS",
           "unit_summary", "example_unit", "UnitQuality", "SlidingRPCurve"]
