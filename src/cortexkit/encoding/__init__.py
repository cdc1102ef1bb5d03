"""Normative encoding models: gratings, an orientation-discrimination CNN, hidden activity.

Stimulus functions (:func:`grating`, :func:`images_to_input`) need only NumPy/SciPy;
everything else loads torch on first use (``import cortexkit`` never imports torch).

- :func:`grating` — the tutorial's binarized oriented gratings (48 x 64, pixels 0/1),
  optionally its circular patch; :func:`tutorial_filters` — its initial conv filters;
- :class:`OrientationCNN`, :func:`train`, :func:`train_orientation_model` — the CNN that
  reports "tilted right of vertical", trained with seeded SGD + momentum;
- :func:`hidden_activity` — stimulus x unit activity of named layers via forward hooks;
- :func:`cached_orientation_model` — train once, reuse the weights from a user cache;
- :func:`compare_layers` — RDM of every layer vs recorded responses, with bootstrap CIs;
- :func:`orientation_experiment` — the workflow of the CLI, report and explorer: model from
  the cache or trained, layer-vs-data comparison and held-out accuracy.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "grating": "cortexkit.encoding._stimuli",
    "images_to_input": "cortexkit.encoding._stimuli",
    "tutorial_filters": "cortexkit.encoding._stimuli",
    "OrientationCNN": "cortexkit.encoding._model",
    "train": "cortexkit.encoding._model",
    "train_orientation_model": "cortexkit.encoding._model",
    "hidden_activity": "cortexkit.encoding._model",
    "predict": "cortexkit.encoding._model",
    "orientation_set": "cortexkit.encoding._model",
    "ARCHITECTURES": "cortexkit.encoding._names",
    "LAYERS": "cortexkit.encoding._names",
    "cached_orientation_model": "cortexkit.encoding._cache",
    "compare_layers": "cortexkit.encoding._pipeline",
    "model_inputs": "cortexkit.encoding._pipeline",
    "LayerComparison": "cortexkit.encoding._pipeline",
    "orientation_experiment": "cortexkit.encoding._experiment",
    "OrientationExperiment": "cortexkit.encoding._experiment",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cortexkit.encoding' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
