"""The example-unit workflow: one unit's ISI histogram, curve fits and ML distributions.

The CLI (``cortexkit isi``), the report's ISI section and the explorer's unit view all show
this; they call :func:`example_unit` and only format its result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cortexkit._lib.validation import invalid
from cortexkit.errors import CortexkitError
from cortexkit.isi._curves import CURVE_MODELS, CurveFit, fit_curve
from cortexkit.isi._distributions import DistributionFits, fit_distribution, scipy_dist
from cortexkit.isi._intervals import histogram
from cortexkit.isi._stats import stats

__all__ = ["ExampleUnit", "example_unit", "default_range"]


def default_range(isis: Any) -> tuple[float, float]:
    """The 1st to 95th percentile of the ISIs: the decaying part of the histogram.

    It leaves out the refractory dip near zero, which none of the curves of
    :func:`~cortexkit.isi.fit_curve` can follow, and the long tail.

    Parameters
    ----------
    isis : array_like
        ISIs of one unit (s), at least one.

    Returns
    -------
    tuple of float
        ``(lo, hi)`` in seconds; ``(0, max)`` (or ``(0, 1)``) when the percentiles coincide.

    Examples
    --------
    >>> import numpy as np
    >>> default_range(np.arange(1, 101) / 1000)
    (0.00199, 0.09505)
    >>> default_range([0.1, 0.1])
    (0.0, 0.1)
    """
    x = np.asarray(isis, dtype=np.float64)
    if x.size == 0:
        raise invalid("isis", "at least one interval to choose a range", x.tolist())
    lo, hi = (float(v) for v in np.percentile(x, [1, 95]))
    if not hi > lo:
        lo, hi = 0.0, float(x.max()) or 1.0
    return lo, hi


@dataclass(frozen=True)
class ExampleUnit:
    """Result of :func:`example_unit`: one unit's ISIs, histogram and fits.

    Attributes
    ----------
    unit : object
        The unit's id (an entry of ``st.unit_ids``).
    index : int
        Its position in the recording.
    n_spikes : int
        Spikes of the unit.
    isis : numpy.ndarray
        All its ISIs (s), in spike order.
    stats : dict
        Its row of :func:`~cortexkit.isi.stats` (``cv``, ``lv``, ``cv2``, ...).
    bins : int
        Histogram bins.
    range : tuple of float
        Histogram range (s).
    counts, edges : numpy.ndarray
        The histogram (:func:`~cortexkit.isi.histogram`).
    curves : dict
        Curve model -> :class:`~cortexkit.isi.CurveFit`, for the models that could be fitted.
    distributions : DistributionFits or None
        Maximum-likelihood fits of the positive ISIs (None when they could not be fitted).
    n_zero : int
        Zero ISIs (duplicate spikes) left out of the maximum-likelihood fits.
    errors : dict
        Step (a curve model or ``"distributions"``) -> the :class:`CortexkitError` that
        stopped it; empty when everything was fitted.
    """

    unit: Any
    index: int
    n_spikes: int
    isis: np.ndarray = field(repr=False)
    stats: dict[str, Any] = field(repr=False)
    bins: int
    range: tuple[float, float]
    counts: np.ndarray = field(repr=False)
    edges: np.ndarray = field(repr=False)
    curves: dict[str, CurveFit] = field(repr=False)
    distributions: DistributionFits | None = field(repr=False)
    n_zero: int = 0
    errors: dict[str, CortexkitError] = field(default_factory=dict, repr=False)

    @property
    def best_model(self) -> str | None:
        """The best maximum-likelihood model (lowest AIC), or None when not fitted."""
        return None if self.distributions is None else self.distributions.best

    def raise_first_error(self) -> None:
        """Raise the first error of :attr:`errors` (for callers that need every fit).

        Raises
        ------
        CortexkitError
            The error that stopped the first failed step; nothing when all succeeded.
        """
        for exc in self.errors.values():
            raise exc

    def expected_counts(self) -> np.ndarray | None:
        """Expected histogram counts of all ISIs under the best maximum-likelihood fit.

        Returns
        -------
        numpy.ndarray or None
            ``n_isis * (cdf(edges[1:]) - cdf(edges[:-1]))``; None without a fit.
        """
        fits = self.distributions
        if fits is None:
            return None
        cdf = scipy_dist(fits.best, fits.params()).cdf(self.edges)
        return np.asarray(self.isis.size * np.diff(cdf))


def example_unit(
    st: Any,
    unit: Any = None,
    *,
    bins: int = 50,
    range: tuple[float, float] | None = None,
    curve_models: tuple[str, ...] = CURVE_MODELS,
) -> ExampleUnit:
    """ISI histogram, least-squares curves and maximum-likelihood fits of one unit.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    unit : object, optional
        Unit id (an entry of ``st.unit_ids``); default: the unit with the most spikes.
    bins : int, default 50
        Histogram bins.
    range : (float, float), optional
        Histogram range in seconds; default :func:`default_range` of the unit's ISIs.
    curve_models : tuple of str
        Curves to fit (:data:`~cortexkit.isi.CURVE_MODELS`).

    Returns
    -------
    ExampleUnit
        Fits that fail (e.g. no counts in the range) are recorded in ``errors`` instead
        of raising, so a caller can show the rest; ``raise_first_error()`` raises them.

    Raises
    ------
    ValidationError
        No spikes, an unknown unit, bad ``bins``/``range``, or fewer than 3 spikes when
        ``range`` is not given (with a range, the histogram of a sparse unit is still made
        and its failed fits are in ``errors``).

    See Also
    --------
    histogram, fit_curve, fit_distribution

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.cumsum(rng.exponential(0.05, 500))])
    >>> ex = ck.isi.example_unit(st, bins=20)
    >>> ex.unit, ex.n_spikes, ex.counts.sum() <= ex.isis.size, sorted(ex.curves)
    (0, 500, np.True_, ['exponential', 'inverse', 'linear'])
    >>> ex.best_model in ck.isi.DIST_MODELS, ex.errors
    (True, {})
    """
    if unit is None:
        if st.n_units == 0 or st.n_spikes == 0:
            raise invalid("st", "a recording with spikes (nothing to fit)", st,
                          given="the recording has no spikes")
        pos = int(np.argmax(st.counts))
    else:
        ids = st.unit_ids.tolist()
        if unit not in ids:
            shown = ", ".join(str(u) for u in ids[:10]) + (" ..." if len(ids) > 10 else "")
            raise invalid("unit", "a unit of this recording", unit, f"units: {shown}")
        pos = ids.index(unit)
    uid = st.unit_ids[pos].item()
    x = np.diff(st[pos])
    if range is None:
        if x.size < 2:
            raise invalid("unit", "a unit with at least 3 spikes", uid,
                          "choose another unit, or give range",
                          given=f"unit {uid!r} with {st.counts[pos]} spikes")
        range = default_range(x)
    hist_range = range
    counts, edges = histogram(x, bins=bins, range=hist_range)
    errors: dict[str, CortexkitError] = {}
    curves: dict[str, CurveFit] = {}
    for model in curve_models:
        try:
            curves[model] = fit_curve(counts, edges, model)
        except CortexkitError as exc:
            errors[model] = exc
    positive = x[x > 0]  # zero ISIs (duplicate spikes) are left out explicitly, no warning
    n_zero = int(x.size - positive.size)
    dist: DistributionFits | None = None
    try:
        dist = replace(fit_distribution(positive), n_zero=n_zero)
    except CortexkitError as exc:
        errors["distributions"] = exc
    row = stats(st.select([st.unit_ids[pos]])).iloc[0]
    return ExampleUnit(
        unit=uid, index=pos, n_spikes=int(st.counts[pos]), isis=x,
        stats={k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()},
        bins=int(bins), range=(float(edges[0]), float(edges[-1])), counts=np.asarray(counts),
        edges=np.asarray(edges, dtype=np.float64), curves=curves, distributions=dist,
        n_zero=n_zero, errors=errors,
    )
