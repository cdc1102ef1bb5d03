"""The orientation experiment: does a grating-trained CNN represent gratings like V1?

Model from the user cache or trained now, hidden activity of the chosen layers, RDMs,
comparisons with bootstrap CIs and permutation p-values, and the network's held-out
accuracy. The CLI (``cortexkit rsa``), the report's RSA section and the explorer's RDM view
call :func:`orientation_experiment` and only format its result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice, check_int
from cortexkit.encoding._cache import cached_orientation_model
from cortexkit.encoding._model import OrientationCNN, orientation_set, predict
from cortexkit.encoding._names import ARCHITECTURES, LAYERS
from cortexkit.encoding._pipeline import LayerComparison, compare_layers

__all__ = ["OrientationExperiment", "orientation_experiment"]


@dataclass(frozen=True, repr=False)
class OrientationExperiment(Summarized):
    """Result of :func:`orientation_experiment`.

    Attributes
    ----------
    architecture : str
        ``"conv_pool_fc"``, ``"conv_fc"`` or ``"fc"``.
    n_train, epochs, seed : int
        The training run.
    net : OrientationCNN
        The trained network.
    losses : numpy.ndarray
        Training loss per step.
    from_cache : bool
        Whether the weights came from the user cache.
    cache_file : str or None
        The cache file (None when nothing was read or written).
    comparison : LayerComparison
        RDMs of the data and every layer, the similarity table (with CIs, p-values, CKA),
        the activity and the model inputs.
    accuracy : float
        Fraction of ``n_test`` new random gratings (seed ``seed + 1``) classified right.
    n_test : int
        Gratings of the accuracy test.
    """

    architecture: str
    n_train: int
    epochs: int
    seed: int
    net: OrientationCNN = field(repr=False)
    losses: np.ndarray = field(repr=False)
    from_cache: bool
    cache_file: str | None
    comparison: LayerComparison = field(repr=False)
    accuracy: float
    n_test: int

    @property
    def table(self) -> pd.DataFrame:
        """One row per layer: similarity, CI, p-value, CKA (``comparison.table``)."""
        return self.comparison.table

    def _summary(self) -> list[tuple[str, Any]]:
        return [("architecture", self.architecture), ("accuracy", self.accuracy),
                ("training", f"{self.n_train} gratings, {self.epochs} epochs, seed {self.seed}"),
                ("weights", "from the cache" if self.from_cache else "trained now"),
                ("test gratings", self.n_test), *self.comparison._summary()]

    @property
    def layers(self) -> tuple[str, ...]:
        """The compared layers, in order."""
        return tuple(self.comparison.table["layer"])


def orientation_experiment(
    responses: Any,
    layers: Sequence[str] | None = None,
    *,
    architecture: str = "conv_pool_fc",
    n_train: int = 1000,
    epochs: int = 25,
    seed: int = 0,
    use_cache: bool = True,
    method: str = "pearson",
    metric: str = "correlation",
    n_boot: int = 1000,
    n_perm: int = 1000,
    n_test: int = 1000,
    progress: Callable[[str, float], None] | None = None,
) -> OrientationExperiment:
    """Train (or load) the orientation CNN and compare its layers with recorded responses.

    Parameters
    ----------
    responses : Responses
        Stimulus x neuron responses (``ck.io.load_responses``,
        ``ck.datasets.v1_orientation_like``), orientations in the tutorial convention.
    layers : sequence of str, optional
        Layers to compare (default: every layer of the architecture but ``out``).
    architecture : {"conv_pool_fc", "conv_fc", "fc"}
        Network (:class:`OrientationCNN`).
    n_train, epochs : int
        Training gratings and epochs (:func:`train_orientation_model`).
    seed : int, default 0
        Seed of training, of the comparisons' resampling (and ``seed + 1`` of the
        accuracy test set).
    use_cache : bool, default True
        Read and write the user's model cache (:func:`cached_orientation_model`).
    method, metric, n_boot, n_perm
        As in :func:`compare_layers`.
    n_test : int, default 1000
        New gratings of the held-out accuracy.
    progress : callable, optional
        Called as ``progress(step, fraction_done)`` before each stage.

    Returns
    -------
    OrientationExperiment

    See Also
    --------
    compare_layers, cached_orientation_model

    Examples
    --------
    >>> import cortexkit as ck
    >>> from cortexkit.io.responses import bin_stimuli, tutorial_convention
    >>> v1 = ck.datasets.v1_orientation_like(seed=0, n_neurons=40)
    >>> v1 = bin_stimuli(tutorial_convention(v1), 15.0)
    >>> ex = ck.encoding.orientation_experiment(
    ...     v1, ("pool", "fc"), n_train=100, epochs=1, use_cache=False, n_boot=20,
    ...     n_perm=0, n_test=100)
    >>> ex.layers, ex.from_cache, 0.0 <= ex.accuracy <= 1.0
    (('pool', 'fc'), False, True)
    >>> sorted(ex.comparison.rdms)
    ['data', 'fc', 'pool']
    """
    check_choice("architecture", architecture, ARCHITECTURES)
    if layers is None:
        layers = tuple(name for name in LAYERS[architecture] if name != "out")
    elif isinstance(layers, str):
        layers = (layers,)
    n_train = check_int("n_train", n_train, low=2)
    epochs = check_int("epochs", epochs, low=1)
    n_test = check_int("n_test", n_test, low=1)
    report = progress or (lambda step, fraction: None)
    report(f"training the {architecture} network ({n_train} gratings, {epochs} epochs; "
           "reused from the cache when trained before)", 0.1)
    net, losses, info = cached_orientation_model(architecture, n_train, epochs, seed,
                                                 use_cache=use_cache)
    report("recording hidden activity and comparing RDMs", 0.8)
    comparison = compare_layers(net, responses, tuple(layers), method=method, metric=metric,
                                n_boot=n_boot, n_perm=n_perm, seed=seed)
    x, y, _ = orientation_set(n_test, seed=seed + 1)
    accuracy = float(((predict(net, x) > 0.5) == y).mean())
    return OrientationExperiment(
        architecture=architecture, n_train=n_train, epochs=epochs, seed=seed,
        net=net, losses=np.asarray(losses), from_cache=bool(info["cached"]),
        cache_file=info["path"], comparison=comparison, accuracy=accuracy, n_test=n_test,
    )
