"""Compare the CNN's layers with recorded responses: RDMs, bootstrap CIs, permutation p-values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from cortexkit import rsa
from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice
from cortexkit.core import Responses
from cortexkit.encoding._model import OrientationCNN, hidden_activity
from cortexkit.encoding._stimuli import grating, images_to_input
from cortexkit.errors import ValidationError

if TYPE_CHECKING:
    from cortexkit.rsa import Method, Metric

__all__ = ["LayerComparison", "model_inputs", "compare_layers"]


@dataclass(frozen=True, repr=False)
class LayerComparison(Summarized):
    """Result of :func:`compare_layers`.

    Attributes
    ----------
    table : DataFrame
        One row per layer: ``layer``, ``n_units``, ``similarity`` (RDM comparison with the
        data), ``ci_low``, ``ci_high`` (bootstrap over stimuli), ``p_value`` (permutation),
        ``cka`` (linear CKA of the activity with the responses), ``method``, ``metric``.
    rdms : dict
        ``"data"`` and every layer -> (S x S) RDM.
    activity : dict
        Layer -> (S x units) activity.
    inputs : ndarray
        The (S, h, w) images fed to the network.
    """

    table: pd.DataFrame
    rdms: dict[str, np.ndarray]
    activity: dict[str, np.ndarray]
    inputs: np.ndarray

    def _summary(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [("stimuli", self.inputs.shape[0])]
        if len(self.table):
            rows.append(("method / metric", f"{self.table['method'].iloc[0]} / "
                                            f"{self.table['metric'].iloc[0]}"))
        rows += [(f"layer {r.layer}", f"{r.similarity:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}], "
                                      f"p = {r.p_value:.3g}, CKA {r.cka:.3f}")
                 for r in self.table.itertuples()]
        return rows


def model_inputs(data: Responses, h: int = 48, w: int = 64) -> np.ndarray:
    """The network input for every response row.

    Orientation data: a grating at the row's angle (degrees, 0 = vertical; load Stringer
    files with ``convention="tutorial"``). Scene data: the row's image resized to h x w
    (see :func:`cortexkit.encoding.images_to_input`).

    Parameters
    ----------
    data : Responses
    h, w : int
        Model input size; gratings are always 48 x 64 (``res=0.1``).

    Returns
    -------
    ndarray, float32, shape (S, h, w)

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.core import Responses
    >>> r = Responses(np.ones((2, 3)), np.array([0.0, 45.0]), np.arange(3))
    >>> model_inputs(r).shape
    (2, 48, 64)
    """
    if not isinstance(data, Responses):
        raise ValidationError(
            f"data must be a cortexkit.core.Responses (from ck.io.load_responses or "
            f"ck.datasets.v1_orientation_like); got {type(data).__name__}", param="data")
    if data.kind == "scene":
        if data.images is None:
            raise ValidationError("scene responses need their images (Responses.images)")
        return images_to_input(data.images, h, w)
    return grating(np.asarray(data.stimuli, dtype=np.float64))


def compare_layers(
    net: OrientationCNN,
    data: Responses,
    layers: Sequence[str] = ("pool", "fc"),
    *,
    method: str = "pearson",
    metric: str = "correlation",
    n_boot: int = 1000,
    n_perm: int = 1000,
    ci: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> LayerComparison:
    """RDM of every layer vs the RDM of recorded responses, with uncertainty.

    The network sees :func:`model_inputs` of the data (gratings at the recorded
    orientations, or the scene images resized to its input); each layer's stimulus x unit
    activity and the responses become RDMs (:func:`cortexkit.rsa.rdm`), compared with
    :func:`cortexkit.rsa.compare`, a bootstrap over stimuli
    (:func:`cortexkit.rsa.bootstrap_compare`) and a permutation test.

    Parameters
    ----------
    net : OrientationCNN
    data : Responses
    layers : sequence of str
        Layer names (``net.layer_names``).
    method : {"pearson", "spearman", "kendall_tau_a"}
        RDM comparison.
    metric : {"correlation", "euclidean", "cosine"}
        RDM dissimilarity for data and layers.
    n_boot, n_perm : int
        Bootstrap resamples and permutations (``n_perm=0`` skips the p-value).
    ci : float
        Confidence level.
    seed : int, Generator or None

    Returns
    -------
    LayerComparison

    Examples
    --------
    >>> import cortexkit as ck                                        # doctest: +SKIP
    >>> net, _ = ck.encoding.train_orientation_model(seed=0)          # doctest: +SKIP
    >>> v1 = ck.io.load_responses("stringer.npz", bin_width=5,
    ...                           convention="tutorial")              # doctest: +SKIP
    >>> ck.encoding.compare_layers(net, v1).table                     # doctest: +SKIP
    """
    how = cast("Method", check_choice("method", method, rsa.METHODS))
    metric_ = cast("Metric", metric)  # rsa.rdm checks it
    if isinstance(layers, str):
        layers = (layers,)
    inputs = model_inputs(data, net.h, net.w)
    if inputs.shape[1:] != (net.h, net.w):
        raise ValidationError(f"the network takes {net.h} x {net.w} inputs, the stimuli are "
                              f"{inputs.shape[1]} x {inputs.shape[2]}")
    act = hidden_activity(net, inputs, layers)
    rng = np.random.default_rng(seed)
    rdms = {"data": rsa.rdm(data.responses, metric_)}
    rows: list[dict[str, Any]] = []
    for name in layers:
        try:
            rdms[name] = rsa.rdm(act[name], metric_)
        except ValidationError as exc:
            raise ValidationError(f"layer {name!r}: {exc}") from exc
        boot = rsa.bootstrap_compare(rdms["data"], rdms[name], how, n_boot=n_boot, ci=ci,
                                     seed=rng)
        p = (rsa.permutation_test(rdms["data"], rdms[name], how, n_perm=n_perm,
                                  seed=rng).p_value if n_perm > 0 else float("nan"))
        rows.append({"layer": name, "n_units": act[name].shape[1],
                     "similarity": boot.estimate, "ci_low": boot.ci_low,
                     "ci_high": boot.ci_high, "p_value": p,
                     "cka": rsa.cka(data.responses, act[name]),
                     "method": method, "metric": metric})
    return LayerComparison(pd.DataFrame(rows), rdms, act, inputs)
