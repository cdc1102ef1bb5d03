"""Estimators of the effective connectivity from a simulated run.

Every estimator returns an (n x n) float64 matrix laid out like ``A`` (row i = effect,
column j = cause).  Entries the method cannot estimate (neurons not observed, neurons never
clamped, columns other than ``source``) are NaN; :func:`cortexkit.causality.score` ignores
them.  All pairs are computed at once with matrix products over time (never a Python loop
over neuron pairs); the clamped-step products are accumulated over blocks of time steps so
temporaries stay small for long runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logit

from cortexkit._lib.validation import check_choice, check_real
from cortexkit.causality._moments import (
    corr_from_moments,
    moments_from_activity,
    perturbation_from_moments,
)
from cortexkit.causality._network import NetworkRun, check_fraction, check_indices
from cortexkit.errors import MissingDependencyError, ValidationError

__all__ = ["METHODS", "estimate", "observed_indices"]

METHODS = ("perturbation", "perturbation_corr", "correlation", "regression", "iv")
_NEEDS_CLAMPS = ("perturbation", "perturbation_corr", "iv")
_BLOCK = 8192  # clamped transitions per accumulated matrix product


def estimate(run: NetworkRun | Any, method: str, observed: Any = None, source: int | None = None,
             *, link: str = "logit", lasso: bool = False, alpha: float = 1e-4,
             seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Estimate the effect of every neuron j (column, cause) on every neuron i (row, effect).

    Parameters
    ----------
    run : NetworkRun or array_like (n, T)
        A simulated run, or (for ``"correlation"`` and ``"regression"`` only) an activity
        array with one row per neuron.
    method : str
        ``"perturbation"``: difference in mean ``x_i[t+1]`` between steps where neuron j
        was clamped to 1 and to 0 at t.  ``"perturbation_corr"``: Pearson correlation
        between neuron j's clamp value at t and ``x_i[t+1]`` over the steps where j was
        clamped.  ``"correlation"``: lagged correlation ``corr(x_i[t+1], x_j[t])`` over all
        transitions (meant for unperturbed runs).  ``"regression"``: multiple regression of
        ``x[t+1]`` on ``x[t]`` (with intercept) over all transitions — OLS by least squares,
        or Lasso with ``lasso=True``.  ``"iv"``: instrumental variables (two-stage least
        squares) on the transitions out of the even (clamping) steps: the instrument of
        neuron j is its random stimulation, ``+1`` / ``-1`` when clamped to 1 / 0 and 0 when
        not clamped; it moves ``x_j[t]`` and reaches ``x_i[t+1]`` only through ``x_j[t]``,
        and is independent of unobserved neurons, so hidden confounders do not bias it.
        Use a run with ``perturb="fraction"`` (a random subset stimulated per step) or
        ``"all"``; only neurons that were clamped to both values get a column.
    observed : float, sequence of int or None
        The recorded neurons: a fraction in (0, 1] (a random subset, drawn with ``seed``)
        or their indices.  The estimators only see these rows; other rows and columns of
        the result are NaN.  None: all neurons.
    source : int, optional
        ``"perturbation"`` / ``"perturbation_corr"`` only: estimate only column ``source``
        (the effects of clamping that one neuron); other columns are NaN.
    link : {"logit", "identity"}
        ``"regression"`` and ``"iv"``: the outcome regressed is ``logit(x[t+1])`` (default;
        the model is linear on that scale, ``logit x[t+1] = A x[t] + eps``, so the
        coefficients estimate ``A`` itself) or ``x[t+1]`` (a local linear slope).
    lasso : bool
        ``"regression"`` only: fit a Lasso (scikit-learn) instead of OLS.
    alpha : float
        Lasso penalty (scikit-learn's ``alpha``).
    seed : int, Generator or None
        Seed for drawing the observed subset when ``observed`` is a fraction.

    Returns
    -------
    ndarray, shape (n, n)
        Estimated effect of j on i at ``[i, j]``; NaN where not estimated.

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.causality import make_connectivity, simulate, estimate
    >>> A = make_connectivity(6, p=0.3, seed=0)
    >>> run = simulate(A, 5000, perturb="all", seed=1)
    >>> est = estimate(run, "perturbation")
    >>> off = ~np.eye(6, dtype=bool)
    >>> bool(np.corrcoef(est[off], A[off])[0, 1] > 0.9)
    True
    """
    check_choice("method", method, METHODS)
    moments = run.moments if isinstance(run, NetworkRun) else None
    act_tm: Any
    clamped_tm: Any
    if moments is not None:
        if method not in ("perturbation", "perturbation_corr"):
            raise ValidationError(
                f"method {method!r} needs the activity, but this run was simulated with "
                "record='moments' (clamp moments only); simulate with record='activity'",
                param="method")
        act_tm = clamped_tm = None
        n = run.n_neurons
    else:
        act_tm, clamped_tm = _time_major(run, method)
        n = act_tm.shape[1]
    obs = observed_indices(observed, n, seed)
    if source is not None:
        if method not in ("perturbation", "perturbation_corr"):
            raise ValidationError(
                f"source= applies to 'perturbation' and 'perturbation_corr', not {method!r}")
        if isinstance(source, bool) or not isinstance(source, int | np.integer):
            raise ValidationError(f"source must be a neuron index; got {source!r}", param="source")
        if source not in set(obs.tolist()):
            raise ValidationError(
                f"source={source} is not an observed neuron (observed: 0..{n - 1} subset of "
                f"{obs.size}); pick one of the observed indices")
    check_choice("link", link, ("logit", "identity"))
    if lasso and method != "regression":
        raise ValidationError(f"lasso=True applies to method='regression', not {method!r}")
    out = np.full((n, n), np.nan)
    if method in _NEEDS_CLAMPS:
        src = obs if source is None else np.array([int(source)])
        if method != "iv" and (moments is not None or _all_clamped(clamped_tm, src)):
            # every source clamped on every even step: one product on the clamped pairs
            if moments is None:
                moments = moments_from_activity(act_tm, obs, src)
            else:
                moments = moments.select(obs, src)
            out[np.ix_(obs, src)] = (perturbation_from_moments(moments)
                                     if method == "perturbation" else corr_from_moments(moments))
            return out
        if method == "perturbation":
            block = _perturbation(act_tm, clamped_tm, obs, src)
        elif method == "perturbation_corr":
            block = _perturbation_corr(act_tm, clamped_tm, obs, src)
        else:
            src, block = _iv(act_tm, clamped_tm, obs, link)
        out[np.ix_(obs, src)] = block
        return out
    T = act_tm.shape[0]
    if T - 1 < 3:
        raise ValidationError(f"method {method!r} needs at least 4 time steps, got {T}",
                              param="method")
    a0 = np.asarray(act_tm[:-1, obs], dtype=np.float64)
    a1 = np.asarray(act_tm[1:, obs], dtype=np.float64)
    if method == "correlation":
        out[np.ix_(obs, obs)] = _lagged_corr(a0, a1, obs)
    else:
        out[np.ix_(obs, obs)] = _regression(a0, _outcome(a1, link), lasso, alpha)
    return out


def observed_indices(observed: Any, n: int,
                     seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Sorted indices of the observed neurons (``observed``: None, a fraction or indices).

    Parameters
    ----------
    observed : None, float or array_like of int
        None: all neurons; a fraction in (0, 1]: that share of the neurons drawn at random;
        otherwise the indices themselves.
    n : int
        Number of neurons.
    seed : int, Generator or None
        Seed of the random draw.

    Returns
    -------
    numpy.ndarray of int
        The observed neurons' indices, sorted.

    Examples
    --------
    >>> observed_indices(0.5, 6, seed=0).size
    3
    """
    if observed is None:
        return np.arange(n)
    if np.ndim(observed) == 0 and not isinstance(observed, np.integer):
        f = check_fraction(observed, "observed")
        k = max(1, int(round(f * n)))
        return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
    return check_indices(observed, n, "observed")


def _time_major(run: Any, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    act: Any
    clamped: Any
    if isinstance(run, NetworkRun):
        act, clamped = run.activity, run.clamped
    else:
        if method in _NEEDS_CLAMPS:
            raise ValidationError(
                f"method {method!r} needs a NetworkRun from simulate(..., perturb=...) "
                "(it uses which neurons were clamped); an activity array only supports "
                "'correlation' and 'regression'", param="method")
        try:
            act = check_real("run", run).astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"run must be a NetworkRun or an (n, T) array: {exc}",
                                  param="run") from exc
        if act.ndim != 2:
            raise ValidationError(f"run activity must be 2-D (n_neurons, T), got {act.shape}",
                                  param="run")
        if not np.isfinite(act).all():
            raise ValidationError("run activity contains NaN or inf", param="run")
        clamped = None
    if method in _NEEDS_CLAMPS and not clamped[:, 0:-1:2].any():
        raise ValidationError(
            f"method {method!r} needs clamped steps, but this run has none; simulate with "
            "perturb='all', 'units' or 'fraction'", param="method")
    return act.T, (None if clamped is None else clamped.T)


def _all_clamped(clamped_tm: np.ndarray, src: np.ndarray) -> bool:
    """Whether every ``src`` neuron is clamped on every even step that has an outcome."""
    even = clamped_tm[0:-1:2]
    return bool(even.all() if src.size == even.shape[1] else even[:, src].all())


def _clamp_blocks(act_tm: np.ndarray, clamped_tm: np.ndarray, obs: np.ndarray, src: np.ndarray):
    """Yield (clamp values, clamp mask, outcomes) for blocks of even steps t (t+1 < T)."""
    T = act_tm.shape[0]
    dt = act_tm.dtype
    for start in range(0, T - 1, 2 * _BLOCK):
        stop = min(start + 2 * _BLOCK, T - 1)
        m = clamped_tm[start:stop:2][:, src]
        c = act_tm[start:stop:2][:, src].astype(dt)
        y = act_tm[start + 1:stop + 1:2][:, obs]
        yield c, m, np.ascontiguousarray(y)


def _clamp_counts(act_tm, clamped_tm, obs, src):
    n1 = np.zeros(src.size)
    n0 = np.zeros(src.size)
    for c, m, _ in _clamp_blocks(act_tm, clamped_tm, obs[:0], src):
        on = m & (c > 0.5)
        n1 += on.sum(axis=0)
        n0 += (m & ~on).sum(axis=0)
    return n1, n0


def _perturbation(act_tm, clamped_tm, obs, src) -> np.ndarray:
    n1, n0 = _clamp_counts(act_tm, clamped_tm, obs, src)
    ok = (n1 > 0) & (n0 > 0)
    w1 = np.divide(1.0, n1, out=np.zeros_like(n1), where=ok).astype(act_tm.dtype)
    w0 = np.divide(1.0, n0, out=np.zeros_like(n0), where=ok).astype(act_tm.dtype)
    est = np.zeros((obs.size, src.size))
    for c, m, y in _clamp_blocks(act_tm, clamped_tm, obs, src):
        on = m & (c > 0.5)
        weights = np.where(on, w1, np.where(m, -w0, 0.0)).astype(act_tm.dtype)
        est += y.T @ weights
    est[:, ~ok] = np.nan
    return est


def _perturbation_corr(act_tm, clamped_tm, obs, src) -> np.ndarray:
    even = clamped_tm[0:-1:2]
    if even[:, src].all():   # every source clamped on every even step: one standardized product
        c = np.asarray(act_tm[0:-1:2][:, src], dtype=np.float64)
        y = np.asarray(act_tm[1::2][:, obs], dtype=np.float64)
        zc, bad_c = _standardize(c)
        zy, bad_y = _standardize(y)
        r = zy.T @ zc / c.shape[0]
        r[:, bad_c] = np.nan
        r[bad_y, :] = np.nan
        return r
    # general case: moments over each source's own clamped steps, via masked products
    k, s = obs.size, src.size
    cnt, sc, scc = np.zeros(s), np.zeros(s), np.zeros(s)
    sy, syy, scy = np.zeros((k, s)), np.zeros((k, s)), np.zeros((k, s))
    ybar = np.asarray(act_tm[1::2][:, obs], dtype=np.float64).mean(axis=0)
    for c, m, y in _clamp_blocks(act_tm, clamped_tm, obs, src):
        mf = m.astype(np.float64)
        cm = (c.astype(np.float64) - 0.5) * mf          # centred clamp values, 0 if unclamped
        yc = y.astype(np.float64) - ybar
        cnt += mf.sum(axis=0)
        sc += cm.sum(axis=0)
        scc += (cm * cm).sum(axis=0)
        sy += yc.T @ mf
        syy += (yc * yc).T @ mf
        scy += yc.T @ cm
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = scy / cnt - (sy / cnt) * (sc / cnt)
        var_c = scc / cnt - (sc / cnt) ** 2
        var_y = syy / cnt - (sy / cnt) ** 2
        r = cov / np.sqrt(var_c * var_y)
    r[:, (cnt < 2) | ~(var_c > 0)] = np.nan
    r[~(var_y > 0)] = np.nan
    return r


def _iv(act_tm, clamped_tm, obs, link) -> tuple[np.ndarray, np.ndarray]:
    n1, n0 = _clamp_counts(act_tm, clamped_tm, obs, obs)
    src = obs[(n1 > 0) & (n0 > 0)]
    if src.size == 0:
        raise ValidationError(
            "method 'iv' needs observed neurons that were clamped to both 0 and 1; none "
            "were — simulate with perturb='fraction' or 'all', or observe clamped neurons")
    p = src.size
    zx = np.zeros((p + 1, p + 1))    # [1, Z]' [1, X]
    zy = np.zeros((p + 1, obs.size))  # [1, Z]' Y
    for c, m, y in _clamp_blocks(act_tm, clamped_tm, obs, src):
        z = np.where(m, 2.0 * c - 1.0, 0.0)
        z1 = np.column_stack([np.ones(len(z)), z])
        x1 = np.column_stack([np.ones(len(z)), c.astype(np.float64)])
        zx += z1.T @ x1
        zy += z1.T @ _outcome(y.astype(np.float64), link)
    try:
        beta = np.linalg.solve(zx, zy)
    except np.linalg.LinAlgError as exc:
        raise ValidationError(
            "method 'iv': the instruments do not identify the effects (singular first "
            "stage); use a longer run or a larger clamped fraction") from exc
    return src, beta[1:].T


def _outcome(y: np.ndarray, link: str) -> np.ndarray:
    """The regressed outcome: ``logit(y)`` for the logit link (y must lie in (0, 1))."""
    if link == "identity":
        return y
    if y.min() < 0 or y.max() > 1:
        raise ValidationError(
            "link='logit' needs activity in (0, 1) (sigmoid rates); this activity spans "
            f"[{y.min():.3g}, {y.max():.3g}] — pass link='identity'")
    eps = 1e-7 if y.dtype == np.float32 else 1e-12
    return logit(np.clip(y, eps, 1 - eps))


def _standardize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sd = a.std(axis=0)
    bad = ~(sd > 0)
    z = (a - a.mean(axis=0)) / np.where(bad, 1.0, sd)
    return z, bad


def _lagged_corr(a0: np.ndarray, a1: np.ndarray, obs: np.ndarray) -> np.ndarray:
    z0, bad0 = _standardize(a0)
    z1, bad1 = _standardize(a1)
    if bad0.any() or bad1.any():
        raise ValidationError(
            f"activity of neuron(s) {obs[bad0 | bad1].tolist()} is constant, so its "
            "correlation is undefined; drop those neurons via observed=")
    return z1.T @ z0 / a0.shape[0]


def _regression(a0: np.ndarray, a1: np.ndarray, lasso: bool, alpha: float) -> np.ndarray:
    m, k = a0.shape
    if m <= k + 1:
        raise ValidationError(
            f"regression needs more transitions than observed neurons + 1, got {m} "
            f"transitions for {k} neurons; simulate more timesteps or observe fewer neurons")
    if lasso:
        if not alpha > 0:
            raise ValidationError(f"alpha must be > 0 for lasso=True; got {alpha!r}", param="alpha")
        try:
            from sklearn.linear_model import Lasso
        except ImportError as exc:
            raise MissingDependencyError(
                "lasso=True needs scikit-learn; install it with: pip install 'cortexkit[ml]'"
            ) from exc
        model = Lasso(alpha=float(alpha), fit_intercept=True, max_iter=5000)
        return np.asarray(model.fit(a0, a1).coef_, dtype=np.float64).reshape(k, k)
    x = a0 - a0.mean(axis=0)
    y = a1 - a1.mean(axis=0)
    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    if rank < k:
        raise ValidationError(
            "regression: the observed activity is collinear (rank-deficient); drop "
            "duplicated or constant neurons via observed=")
    return coef.T
