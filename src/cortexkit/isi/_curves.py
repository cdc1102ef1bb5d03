"""Least-squares fits of functional forms to an ISI histogram."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice, check_number, check_real
from cortexkit.errors import CortexkitWarning, ValidationError

__all__ = ["CurveFit", "fit_curve", "CURVE_MODELS"]

CURVE_MODELS = ("exponential", "inverse", "linear")


@dataclass(frozen=True, repr=False)
class CurveFit(Summarized):
    """A functional form fitted to histogram counts by least squares.

    Attributes
    ----------
    model : str
        ``"exponential"``: ``scale * exp(rate * (x - x0))`` (``x0`` is a fixed reference,
        the left histogram edge unless given: it is not identifiable together with
        ``scale``); ``"inverse"``: ``scale / (x - x0)`` (pole ``x0`` left of the data);
        ``"linear"``: ``slope * x + y0``.
    params : dict
        Fitted parameters by name.
    sse : float
        Sum of squared residuals over the bin centres.
    r2 : float
        Coefficient of determination ``1 - sse / sst``; 1 for constant counts fitted
        exactly, NaN (with a CortexkitWarning) for constant counts fitted inexactly.
    """

    model: str
    params: dict[str, float]
    sse: float
    r2: float
    n_bins: int = field(default=0, compare=False)

    def _summary(self) -> list[tuple[str, Any]]:
        return [("model", self.model), ("R2", self.r2),
                ("params", ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())),
                ("SSE", self.sse), ("bins", self.n_bins)]

    def predict(self, x: Any) -> np.ndarray:
        """Value of the fitted curve at ``x`` (seconds)."""
        return _curve(self.model, np.asarray(x, dtype=np.float64), self.params)


def _curve(model: str, x: np.ndarray, p: dict[str, float]) -> np.ndarray:
    if model == "exponential":
        return p["scale"] * np.exp(p["rate"] * (x - p["x0"]))
    if model == "inverse":
        with np.errstate(divide="ignore"):
            return p["scale"] / (x - p["x0"])
    return p["slope"] * x + p["y0"]


def fit_curve(counts: Any, edges: Any, model: str, *, x0: float | None = None) -> CurveFit:
    """Fit ``"exponential"``, ``"inverse"`` or ``"linear"`` to histogram counts.

    Fitted at the bin centres by least squares (``scipy.optimize.least_squares``), started
    from automatic guesses: a count-weighted log-linear regression for the exponential, a
    linear regression of ``1/count`` on ``x`` for the inverse form, and the closed-form
    solution for the line.

    Parameters
    ----------
    counts : array_like
        Histogram counts (or densities), as from :func:`histogram`.
    edges : array_like
        ``len(counts) + 1`` increasing bin edges (s).
    model : {"exponential", "inverse", "linear"}
        Functional form.
    x0 : float, optional
        Reference point of the exponential (default: ``edges[0]``).

    Returns
    -------
    CurveFit

    Raises
    ------
    ValidationError
        Unknown model, mismatched shapes, or a histogram without any count (e.g. a range
        containing no ISIs).

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> edges = np.linspace(0, 0.2, 21)
    >>> x = 0.5 * (edges[1:] + edges[:-1])
    >>> fit = ck.isi.fit_curve(100 * np.exp(-30 * x), edges, "exponential")
    >>> {k: round(v, 6) for k, v in fit.params.items()}
    {'scale': 100.0, 'rate': -30.0, 'x0': 0.0}
    """
    check_choice("model", model, CURVE_MODELS)
    y = check_real("counts", counts).astype(np.float64)
    e = check_real("edges", edges).astype(np.float64)
    if y.ndim != 1 or e.ndim != 1 or e.size != y.size + 1 or y.size < 1:
        raise ValidationError(
            f"edges must have len(counts) + 1 entries; got {e.shape} edges for {y.shape} counts",
            param="edges"
        )
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(e)) and np.all(np.diff(e) > 0)):
        raise ValidationError("counts must be finite and edges finite and increasing",
                              param="counts")
    if not np.any(y > 0):
        raise ValidationError(
            f"the histogram over [{e[0]:g}, {e[-1]:g}] s has no counts (no ISIs in that "
            "range): widen the range or choose a unit with spikes"
        )
    if model != "linear" and y.size < 2:
        raise ValidationError(
            f"fitting the {model} form (2 parameters) needs at least 2 bins; got 1: use more "
            "bins", param="counts")
    if x0 is not None:
        x0 = check_number("x0", x0, unit="s")
    x = 0.5 * (e[1:] + e[:-1])
    try:
        with np.errstate(all="ignore"):
            if model == "linear":
                params = _fit_linear(x, y)
            elif model == "exponential":
                params = _fit_exponential(x, y, float(e[0]) if x0 is None else x0)
            else:
                params = _fit_inverse(x, y)
            resid = _curve(model, x, params) - y
    except (ValueError, np.linalg.LinAlgError, FloatingPointError, OverflowError) as exc:
        raise ValidationError(
            f"the {model} form could not be fitted to these counts ({type(exc).__name__}: "
            f"{exc}); check the histogram (range, bins) or choose another model",
            param="counts") from None
    if not (all(np.isfinite(v) for v in params.values()) and np.all(np.isfinite(resid))):
        raise ValidationError(
            f"the {model} fit did not converge to finite parameters ({params}); check the "
            "histogram (range, bins) or choose another model", param="counts")
    sse = float(resid @ resid)
    sst = float(((y - y.mean()) ** 2).sum())
    if sst > 0:
        r2 = 1.0 - sse / sst
    elif sse <= 1e-20 * max(float(y @ y), 1e-300):
        r2 = 1.0  # constant counts fitted exactly (up to rounding)
    else:
        r2 = float("nan")
        warnings.warn(f"r2 of the {model} fit is NaN: all counts are equal, so the variance "
                      "that r2 divides by is 0 and the fit is not exact", CortexkitWarning,
                      stacklevel=2)
    return CurveFit(model=model, params=params, sse=sse, r2=r2, n_bins=int(y.size))


def _fit_linear(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if x.size == 1:
        return {"slope": 0.0, "y0": float(y[0])}
    a = np.column_stack([x, np.ones_like(x)])
    (slope, y0), *_ = np.linalg.lstsq(a, y, rcond=None)
    return {"slope": float(slope), "y0": float(y0)}


def _fit_exponential(x: np.ndarray, y: np.ndarray, x0: float) -> dict[str, float]:
    from scipy.optimize import least_squares

    pos = y > 0
    xs = x - x0
    if pos.sum() >= 2:
        # weighted log-linear regression: weights y (variance of log counts ~ 1/count)
        w = np.sqrt(y[pos])
        a = np.column_stack([xs[pos], np.ones(pos.sum())]) * w[:, None]
        (rate0, logs0), *_ = np.linalg.lstsq(a, np.log(y[pos]) * w, rcond=None)
    else:
        rate0, logs0 = 0.0, np.log(y[pos][0])
    span = float(xs.max() - xs.min()) or 1.0
    # parametrise as log(scale) so the scale stays positive; rate scaled by the span
    def resid(p: np.ndarray) -> np.ndarray:
        return np.exp(p[0] + p[1] * xs / span) - y

    sol = least_squares(resid, [logs0, rate0 * span], method="lm", xtol=1e-15, ftol=1e-15,
                        gtol=1e-15, max_nfev=2000)
    return {"scale": float(np.exp(sol.x[0])), "rate": float(sol.x[1] / span), "x0": x0}


def _fit_inverse(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from scipy.optimize import least_squares

    span = float(x.max() - x.min()) or float(x[0]) or 1.0
    if np.all(y == y[0]):
        # constant counts are the limit x0 -> -inf, which least squares only approaches
        # (where it stops depends on the platform's rounding): put the pole 2^53 spans
        # left, where the curve is constant to rounding across the data
        gap = span * 2.0**53
        return {"scale": float(y[0] * (gap + float(x.mean() - x[0]))), "x0": float(x[0] - gap)}
    pos = y > 0
    guess = None
    if pos.sum() >= 2:
        # 1/y = (x - x0) / scale, weighted by y^2 (error of 1/y grows as 1/y^2)
        w = y[pos]
        a = np.column_stack([x[pos], np.ones(pos.sum())]) * w[:, None]
        (b1, b0), *_ = np.linalg.lstsq(a, w / y[pos], rcond=None)
        if b1 > 0:
            scale0, x00 = 1.0 / b1, -b0 / b1
            if x00 < x[0]:
                guess = (scale0, x00)
    if guess is None:
        x00 = x[0] - 0.5 * (x[1] - x[0] if x.size > 1 else span)
        guess = (float(y[pos].max()) * (x[int(np.argmax(y))] - x00), x00)
    gap0 = x[0] - guess[1]

    # parametrise the pole by log(x[0] - x0): the pole always stays left of the data
    def resid(p: np.ndarray) -> np.ndarray:
        return p[0] / (x - x[0] + np.exp(p[1])) - y

    sol = least_squares(resid, [guess[0], np.log(gap0)], method="lm", xtol=1e-15,
                        ftol=1e-15, gtol=1e-15, max_nfev=5000)
    return {"scale": float(sol.x[0]), "x0": float(x[0] - np.exp(sol.x[1]))}
