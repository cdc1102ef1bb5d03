"""The explorer's unit-quality view: ``ck.quality.unit_summary`` as JSON."""

from __future__ import annotations

from typing import Any

import numpy as np


def _num(x: Any) -> Any:
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, np.integer | int):
        return int(x)
    if isinstance(x, np.floating | float):
        return float(x) if np.isfinite(x) else None
    return x.item() if isinstance(x, np.generic) else x


def quality_view(spikes: Any, index: int) -> dict[str, Any]:
    """Metrics, sliding-RP confidence curve and auto-correlogram of the unit at ``index``
    (the caller has checked the index)."""
    from cortexkit import quality

    q = quality.unit_summary(spikes, spikes.unit_ids[index].item())
    s = q.sliding
    return {
        "unit": int(index),
        "id": _num(q.unit),
        "metrics": {k: _num(v) for k, v in q.metrics.items()},
        "sliding": {
            "rp_ms": (s.rp * 1e3).tolist(),
            "confidence": [_num(v) for v in s.threshold_confidence],
            "tested": s.tested.tolist(),
            "contamination_threshold": s.contamination_threshold,
            "confidence_threshold": s.confidence_threshold,
        },
        "acg": {"edges_ms": (q.acg.edges * 1e3).tolist(),
                "counts": q.acg.counts[0, 0].tolist()},
    }
