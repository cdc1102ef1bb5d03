"""Tuning curves and low-dimensional embeddings of population responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice
from cortexkit.errors import MissingDependencyError, ValidationError
from cortexkit.rsa._rdm import _as_float_matrix

__all__ = ["TuningCurves", "tuning_curves", "embed"]


@dataclass(frozen=True, repr=False)
class TuningCurves(Summarized):
    """Mean response of every neuron per stimulus value.

    Attributes
    ----------
    stimuli : ndarray, shape (V,)
        Sorted distinct stimulus values (bin centres when binned).
    mean, sem : ndarray, shape (V, N)
        Mean and standard error of the mean (NaN where a value was seen once).
    count : ndarray, shape (V,)
        Number of presentations per value.
    """

    stimuli: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    count: np.ndarray

    def _summary(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [("stimulus values", self.stimuli.size),
                                          ("neurons", self.mean.shape[1])]
        if self.stimuli.size:
            rows += [("stimulus range", (float(self.stimuli[0]), float(self.stimuli[-1]))),
                     ("presentations per value (min, max)",
                      (int(self.count.min()), int(self.count.max())))]
        return rows


def tuning_curves(
    responses: np.ndarray, stimuli: np.ndarray, bin_width: float | None = None
) -> TuningCurves:
    """Mean (and SEM) response of every neuron to every distinct stimulus value.

    Vectorized over neurons: one stable sort of the stimuli and ``np.add.reduceat``.

    Parameters
    ----------
    responses : array_like, shape (S, N)
        Stimulus (or trial) x neuron responses.
    stimuli : array_like, shape (S,)
        Stimulus value of every row (e.g. orientation in degrees).
    bin_width : float, optional
        Group values into bins ``[k w, (k + 1) w)``; the bin's value is its centre.

    Returns
    -------
    TuningCurves

    Examples
    --------
    >>> import numpy as np
    >>> tc = tuning_curves(np.array([[1.0], [3.0], [5.0]]), np.array([0, 0, 90]))
    >>> tc.stimuli, tc.mean[:, 0]
    (array([ 0., 90.]), array([2., 5.]))
    """
    x = _as_float_matrix(responses, "responses")
    st = np.asarray(stimuli, dtype=np.float64).ravel()
    if st.size != x.shape[0]:
        raise ValidationError(
            f"stimuli has {st.size} values but responses has {x.shape[0]} rows (shape "
            f"{x.shape}); give one stimulus value per response row", param="stimuli")
    if not np.isfinite(st).all():
        raise ValidationError("stimuli contain NaN or infinite values", param="stimuli")
    if bin_width is not None:
        if not bin_width > 0:
            raise ValidationError(f"bin_width must be > 0 degrees; got {bin_width!r}",
                                  param="bin_width")
        st = (np.floor(st / bin_width) + 0.5) * bin_width
    order = np.argsort(st, kind="stable")
    s_sorted = st[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    count = np.diff(np.r_[starts, st.size])
    xs = x[order].astype(np.float64)
    total = np.add.reduceat(xs, starts, axis=0)
    mean = total / count[:, None]
    sq = np.add.reduceat(xs * xs, starts, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.maximum(sq - count[:, None] * mean**2, 0) / (count[:, None] - 1)
        sem = np.sqrt(var / count[:, None])
    sem[count < 2] = np.nan
    return TuningCurves(s_sorted[starts], mean, sem, count)


def embed(
    responses: np.ndarray,
    method: Literal["tsne", "pca"] = "tsne",
    pca_components: int = 20,
    seed: int | np.random.Generator | None = None,
    perplexity: float = 30.0,
) -> np.ndarray:
    """Two-dimensional embedding of the stimuli (rows): PCA first, then t-SNE or PCA only.

    Parameters
    ----------
    responses : array_like, shape (S, N)
    method : {"tsne", "pca"}
        ``"pca"`` returns the first two principal components; ``"tsne"`` runs
        scikit-learn's t-SNE on the first ``pca_components`` components.
    pca_components : int
        Components kept before t-SNE (capped at min(S, N)).
    seed : int, Generator or None
        Seeds t-SNE (same seed, same embedding).
    perplexity : float
        t-SNE perplexity (capped at (S - 1) / 3).

    Returns
    -------
    ndarray, shape (S, 2)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(40, 10))
    >>> embed(x, method="pca").shape
    (40, 2)
    """
    check_choice("method", method, ("tsne", "pca"))
    x = _as_float_matrix(responses, "responses").astype(np.float64)
    if not np.isfinite(x).all():
        raise ValidationError("responses contain NaN or infinite values", param="responses")
    if not (isinstance(pca_components, int | np.integer) and pca_components >= 2):
        raise ValidationError(f"pca_components must be an integer >= 2; got {pca_components!r}",
                              param="pca_components")
    pcs = _pca_scores(x, pca_components)
    if pcs.shape[1] < 2:
        pcs = np.pad(pcs, ((0, 0), (0, 2 - pcs.shape[1])))
    if method == "pca":
        return pcs[:, :2]
    try:
        from sklearn.manifold import TSNE
    except ImportError as exc:  # pragma: no cover - sklearn comes with the ml extra
        raise MissingDependencyError(
            "embed(method='tsne') needs scikit-learn: pip install 'cortexkit[ml]' "
            "(or use method='pca')") from exc
    s = x.shape[0]
    if s < 5:
        raise ValidationError(f"t-SNE needs at least 5 stimuli, got {s}; use method='pca'")
    from threadpoolctl import threadpool_limits

    rs = int(np.random.default_rng(seed).integers(2**31 - 1))
    tsne = TSNE(n_components=2, perplexity=min(perplexity, (s - 1) / 3), init="pca",
                random_state=rs, learning_rate="auto")
    # One OpenMP thread: for a few hundred to a few thousand stimuli the Barnes-Hut
    # gradient is faster without thread synchronisation (8x on a busy 2-core machine), and
    # the summation order, hence the embedding, no longer depends on the core count.
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(pcs)


def _pca_scores(x: np.ndarray, k: int) -> np.ndarray:
    """Scores on the first k principal components (signs fixed: largest loading positive).

    With more features than stimuli the eigen-decomposition of the S x S Gram matrix of the
    centred data replaces the SVD (same components, S^2 N instead of S N min(S, N) work in
    LAPACK's slower SVD path).
    """
    xc = x - x.mean(0)
    s, n = xc.shape
    if n > s:
        w, u = np.linalg.eigh(xc @ xc.T)
        keep = np.argsort(w)[::-1][:min(k, s)]
        sv = np.sqrt(np.maximum(w[keep], 0))
        u = u[:, keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            load = (xc.T @ u) / np.where(sv > 0, sv, 1)  # right singular vectors (n x k)
        vt = load.T
    else:
        u, sv, vt = np.linalg.svd(xc, full_matrices=False)
        u, sv, vt = u[:, :k], sv[:k], vt[:k]
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    signs[signs == 0] = 1
    return (u * sv) * signs
