"""Train the orientation CNN once and reuse its weights from a user cache directory.

Only tensors are stored (``torch.save`` of a state dict and the loss history) and they are
read back with ``torch.load(weights_only=True)``, which refuses arbitrary pickled objects.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

from cortexkit.encoding._model import OrientationCNN, torch, train_orientation_model
from cortexkit.errors import CortexkitWarning, ValidationError

__all__ = ["cache_dir", "cached_orientation_model"]

_MODEL_VERSION = 2  # bump when the architecture, stimuli or training recipe change
# 2: the tutorial's 0/1 gratings and its filters() as the initial conv weights


def cache_dir() -> Path:
    """``$CORTEXKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/cortexkit``, else ``~/.cache/cortexkit``."""
    env = os.environ.get("CORTEXKIT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else None)
    return Path(base) / "cortexkit" if base else Path.home() / ".cache" / "cortexkit"


def cached_orientation_model(
    architecture: str = "conv_pool_fc", n_train: int = 1000, epochs: int = 25, seed: int = 0,
    *, use_cache: bool = True, directory: str | Path | None = None,
) -> tuple[OrientationCNN, Any, dict[str, Any]]:
    """The trained :class:`OrientationCNN` for these settings, from the cache or trained now.

    Parameters
    ----------
    architecture : {"conv_pool_fc", "conv_fc", "fc"}
    n_train, epochs, seed : int
        Passed to :func:`train_orientation_model`; together they name the cache file.
    use_cache : bool
        Read and write the cache (False: always train, write nothing).
    directory : path, optional
        Cache folder (default :func:`cache_dir` ``/ "models"``).

    Returns
    -------
    net : OrientationCNN
    losses : ndarray
        Training loss per step.
    info : dict
        ``{"cached": bool, "path": str or None}``.

    Examples
    --------
    >>> net, losses, info = cached_orientation_model(n_train=200, epochs=2)  # doctest: +SKIP
    """
    if not isinstance(seed, int):
        raise ValidationError(f"seed must be an int to cache the model; got {seed!r}", param="seed")
    folder = Path(directory) if directory is not None else cache_dir() / "models"
    name = (f"orientation_cnn_v{_MODEL_VERSION}_{architecture}_n{n_train}_e{epochs}_s{seed}"
            f"_torch{torch.__version__.split('+')[0]}.pt")
    path = folder / name
    if use_cache and path.exists():
        try:
            blob = torch.load(path, map_location="cpu", weights_only=True)
            net = OrientationCNN(48, 64, architecture=architecture, seed=seed)
            net.load_state_dict(blob["state_dict"])
            return net, blob["losses"].numpy(), {"cached": True, "path": str(path)}
        except Exception as exc:  # noqa: BLE001 - a broken cache file is retrained
            warnings.warn(f"ignoring unreadable model cache {path} ({exc}); retraining",
                          CortexkitWarning, stacklevel=2)
    net, losses = train_orientation_model(n_train, epochs, seed=seed, architecture=architecture)
    if not use_cache:
        return net, losses, {"cached": False, "path": None}
    from cortexkit._lib.atomic import atomic_path

    try:
        with atomic_path(path) as tmp:
            torch.save({"state_dict": net.state_dict(), "losses": torch.from_numpy(losses)}, tmp)
    except OSError as exc:
        warnings.warn(f"could not write the model cache {path} ({exc})", CortexkitWarning,
                      stacklevel=2)
        return net, losses, {"cached": False, "path": None}
    return net, losses, {"cached": False, "path": str(path)}
