"""The orientation-discrimination CNN, its seeded training and hidden-layer activity (torch)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from cortexkit._lib.optional import optional_import
from cortexkit._lib.validation import check_choice
from cortexkit.encoding._names import ARCHITECTURES, LAYERS
from cortexkit.encoding._stimuli import grating, tutorial_filters
from cortexkit.errors import ValidationError

torch = optional_import("torch")
nn = torch.nn

__all__ = ["OrientationCNN", "train", "train_orientation_model", "hidden_activity",
           "predict", "ARCHITECTURES"]

_LAYERS = LAYERS


def _torch_seed(seed: int | np.random.Generator | None) -> int:
    return int(np.random.default_rng(seed).integers(2**62))


@contextlib.contextmanager
def _deterministic() -> Iterator[None]:
    """Deterministic CPU kernels on one thread; global settings restored afterwards.

    One thread makes the float reduction order, hence the trained weights (and the model
    cache and the tutorial numbers the docs assert), the same on every machine.  The price
    depends on the machine's load (benchmarks/results/encoding.md): on an idle 2-core
    machine two threads train about 2x faster; on a busy one they were 3-4x slower.
    """
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_threads = torch.get_num_threads()
    _set_deterministic(True)
    torch.set_num_threads(1)
    try:
        yield
    finally:
        _set_deterministic(prev_det)
        torch.set_num_threads(prev_threads)


def _set_deterministic(mode: bool) -> None:
    """``torch.use_deterministic_algorithms(mode)`` without its side import of inductor.

    The public function also flips ``torch._inductor.config.deterministic``, importing
    inductor and dynamo (seconds) although nothing here is compiled; set the same global
    flag directly unless inductor is already loaded.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(mode)
    else:
        setter(mode)


class OrientationCNN(nn.Module):  # type: ignore[name-defined]  # torch loaded at run time
    """CNN that reports whether a grating is tilted right (clockwise) of vertical.

    ``conv`` (6 channels, 7x7, padding 3; initialised with the tutorial's filters,
    :func:`tutorial_filters`: on/off centre-surround and four Gabors, zero bias) -> ReLU
    -> ``pool`` (max-pool 8) -> ``fc`` (10 units) -> ReLU -> ``out`` (1 unit) -> sigmoid.
    ``architecture="conv_fc"`` drops the pooling, ``"fc"`` the convolution (flatten ->
    fc -> out). Forward hooks on the named layers record their module outputs: ``conv``
    and ``fc`` before their ReLU, ``pool`` after ReLU and pooling, ``out`` the logit.

    Parameters
    ----------
    h, w : int
        Input size (48 x 64 for the default gratings).
    architecture : {"conv_pool_fc", "conv_fc", "fc"}
    n_hidden : int
        Units of the fully connected layer.
    seed : int, Generator or None
        Initialisation of the fully connected layers (the conv filters are fixed).

    Examples
    --------
    >>> import torch
    >>> net = OrientationCNN(48, 64, seed=0)
    >>> net(torch.zeros(3, 48, 64)).shape
    torch.Size([3])
    """

    def __init__(self, h: int = 48, w: int = 64,
                 architecture: str = "conv_pool_fc",
                 n_hidden: int = 10, seed: int | np.random.Generator | None = 0) -> None:
        super().__init__()
        check_choice("architecture", architecture, ARCHITECTURES)
        for name, v in (("h", h), ("w", w), ("n_hidden", n_hidden)):
            if not (isinstance(v, int | np.integer) and v >= 1):
                raise ValidationError(f"{name} must be a positive integer, got {v!r}")
        if architecture == "conv_pool_fc" and (h < 8 or w < 8):
            raise ValidationError(f"max-pool 8 needs inputs of at least 8 x 8, got {h} x {w}")
        self.h, self.w, self.architecture = int(h), int(w), architecture
        self.layer_names = _LAYERS[architecture]
        g = torch.Generator().manual_seed(_torch_seed(seed))
        n_feat = h * w
        if architecture != "fc":
            self.conv = nn.Conv2d(1, 6, kernel_size=7, padding=3)
            with torch.no_grad():
                self.conv.weight.copy_(torch.from_numpy(tutorial_filters(6, 7)))
                self.conv.bias.zero_()
            n_feat = 6 * h * w
        if architecture == "conv_pool_fc":
            self.pool = nn.MaxPool2d(8)
            n_feat = 6 * (h // 8) * (w // 8)
        self.fc = nn.Linear(n_feat, n_hidden)
        self.out = nn.Linear(n_hidden, 1)
        with torch.no_grad():  # PyTorch's default Linear init, drawn from our generator
            for lin in (self.fc, self.out):
                b = 1 / np.sqrt(lin.in_features)
                lin.weight.uniform_(-b, b, generator=g)
                lin.bias.uniform_(-b, b, generator=g)

    def logits(self, x: Any) -> Any:
        """Pre-sigmoid output for a (p, h, w) float tensor."""
        if x.ndim != 3 or tuple(x.shape[1:]) != (self.h, self.w):
            raise ValidationError(
                f"stimuli must be a (p, {self.h}, {self.w}) tensor; got shape {tuple(x.shape)}",
                param="stimuli")
        if self.architecture == "fc":
            z = x.reshape(x.shape[0], -1)
        else:
            z = torch.relu(self.conv(x[:, None]))
            if self.architecture == "conv_pool_fc":
                z = self.pool(z)
            z = z.reshape(z.shape[0], -1)
        z = torch.relu(self.fc(z))
        return self.out(z)[:, 0]

    def forward(self, x: Any) -> Any:
        """Probability that each stimulus is tilted right; x is a (p, h, w) float tensor."""
        return torch.sigmoid(self.logits(x))


def _as_tensor(stimuli: Any, name: str = "stimuli") -> Any:
    if isinstance(stimuli, torch.Tensor):
        return stimuli.detach().to(torch.float32)
    a = np.asarray(stimuli, dtype=np.float32)
    if a.ndim != 3:
        raise ValidationError(f"{name} must be (p, h, w), got shape {a.shape}", param=name)
    if not np.isfinite(a).all():
        raise ValidationError(f"{name} contains NaN or infinite values", param=name)
    return torch.from_numpy(np.ascontiguousarray(a))


def train(net: OrientationCNN, stimuli: Any, labels: Any, epochs: int = 25, lr: float = 5e-4,
          momentum: float = 0.99, batch_size: int = 100,
          seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """Train ``net`` in place with SGD + momentum on binary cross-entropy.

    Mini-batches are drawn by a ``torch.Generator`` seeded from ``seed``; training runs
    with deterministic algorithms on one CPU thread (global torch settings are restored
    afterwards), so the same seed gives the same weights.

    Parameters
    ----------
    net : OrientationCNN
    stimuli : array_like or tensor, shape (p, h, w)
    labels : array_like, shape (p,)
        1 = tilted right, 0 = tilted left.
    epochs, lr, momentum, batch_size
        Optimisation settings (the Neuromatch tutorial's defaults).
    seed : int, Generator or None

    Returns
    -------
    ndarray
        Loss of every mini-batch step, in order (epochs * ceil(p / batch_size) values).

    Examples
    --------
    >>> net = OrientationCNN(48, 64, seed=0)
    >>> x = grating([-30.0, 30.0])
    >>> train(net, x, [0, 1], epochs=2, batch_size=2).shape
    (2,)
    """
    x = _as_tensor(stimuli)
    y = torch.as_tensor(np.asarray(labels, dtype=np.float32).ravel())
    if y.shape[0] != x.shape[0]:
        raise ValidationError(
            f"labels has {y.shape[0]} values but stimuli has {x.shape[0]}; one label per stimulus",
            param="labels")
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValidationError("labels must be 0 (tilted left) or 1 (tilted right)", param="labels")
    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if not (isinstance(v, int | np.integer) and v >= 1):
            raise ValidationError(f"{name} must be a positive integer, got {v!r}")
    if not (lr > 0 and 0 <= momentum < 1):
        raise ValidationError(f"need lr > 0 and 0 <= momentum < 1, got lr={lr}, "
                              f"momentum={momentum}")
    g = torch.Generator().manual_seed(_torch_seed(seed))
    params = [p for p in net.parameters() if p.requires_grad]
    bufs: list[Any] = [None] * len(params)
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    was_training = net.training
    net.train()
    with _deterministic():
        for _ in range(epochs):
            order = torch.randperm(x.shape[0], generator=g)
            for start in range(0, x.shape[0], batch_size):
                idx = order[start:start + batch_size]
                for p in params:
                    p.grad = None
                loss = loss_fn(net.logits(x[idx]), y[idx])
                loss.backward()
                _sgd_step(params, bufs, lr, momentum)
                losses.append(loss.item())
    net.train(was_training)
    return np.asarray(losses)


def _sgd_step(params: list[Any], bufs: list[Any], lr: float, momentum: float) -> None:
    """One step of SGD with (heavy-ball) momentum, the update of ``torch.optim.SGD``.

    ``buf = momentum * buf + grad`` (``buf = grad`` on the first step), ``p -= lr * buf``.
    Written out because constructing ``torch.optim.SGD`` imports ``torch._dynamo``, which
    costs seconds at first use for a six-line update.
    """
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            if bufs[i] is None:
                bufs[i] = p.grad.detach().clone()
            else:
                bufs[i].mul_(momentum).add_(p.grad)
            p.add_(bufs[i], alpha=-lr)


def orientation_set(n: int, seed: int | np.random.Generator | None = 0,
                    **grating_kw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` gratings at uniform random angles in -90..90, labels (1 = right) and angles.

    Parameters
    ----------
    n : int
        Number of gratings.
    seed : int, Generator or None
        Seed of the angles.
    **grating_kw
        Options of :func:`grating` (e.g. ``patch=True``).

    Returns
    -------
    stimuli : numpy.ndarray, float32, shape (n, 48, 64)
    labels : numpy.ndarray, float32, shape (n,)
        1 for angles > 0 (tilted right), else 0.
    angles : numpy.ndarray, shape (n,)
        The angles in degrees.

    Examples
    --------
    >>> from cortexkit.encoding import orientation_set
    >>> x, y, angles = orientation_set(4, seed=0)
    >>> x.shape, ((angles > 0) == (y == 1)).all()
    ((4, 48, 64), np.True_)
    """
    rng = np.random.default_rng(seed)
    angles = rng.uniform(-90.0, 90.0, n)
    return grating(angles, **grating_kw), (angles > 0).astype(np.float32), angles


def train_orientation_model(n_train: int = 1000, epochs: int = 25,
                            seed: int | np.random.Generator | None = 0,
                            architecture: str = "conv_pool_fc",
                            **train_kw: Any) -> tuple[OrientationCNN, np.ndarray]:
    """Train an :class:`OrientationCNN` on ``n_train`` gratings: tilted right vs left.

    Angles are drawn uniformly on -90..90 with ``np.random.default_rng(seed)``; the label
    is 1 for angles > 0 (tilted right of vertical).

    Parameters
    ----------
    n_train : int
        Number of training gratings.
    epochs : int
        Passes over the training set.
    seed : int, Generator or None
        Seeds angles, weight initialisation and mini-batch order.
    architecture : {"conv_pool_fc", "conv_fc", "fc"}
    **train_kw
        Passed to :func:`train` (lr, momentum, batch_size).

    Returns
    -------
    net : OrientationCNN
    losses : ndarray
        Loss per mini-batch step.

    Examples
    --------
    >>> net, losses = train_orientation_model(n_train=200, epochs=2, seed=0)
    >>> losses.shape
    (4,)
    """
    if not (isinstance(n_train, int | np.integer) and n_train >= 2):
        raise ValidationError(f"n_train must be an integer >= 2; got {n_train!r}", param="n_train")
    rng = np.random.default_rng(seed)
    x, y, _ = orientation_set(n_train, rng)
    net = OrientationCNN(x.shape[1], x.shape[2], architecture=architecture, seed=rng)
    losses = train(net, x, y, epochs=epochs, seed=rng, **train_kw)
    return net, losses


def predict(net: OrientationCNN, stimuli: Any, batch_size: int = 1000) -> np.ndarray:
    """Probability "tilted right" for every stimulus (no gradients, eval mode).

    Parameters
    ----------
    net : OrientationCNN
        The network.
    stimuli : array_like or torch.Tensor, shape (p, h, w)
        Stimuli (e.g. from :func:`grating`).
    batch_size : int, default 1000
        Stimuli per forward pass.

    Returns
    -------
    numpy.ndarray, shape (p,)
        The network's output for each stimulus.

    Examples
    --------
    >>> from cortexkit.encoding import OrientationCNN, grating, predict
    >>> p = predict(OrientationCNN(48, 64, seed=0), grating([-45.0, 45.0]))
    >>> p.shape, bool(((p > 0) & (p < 1)).all())
    ((2,), True)
    """
    x = _as_tensor(stimuli)
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            out = [net(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size)]
    finally:
        net.train(was_training)
    return torch.cat(out).numpy()


def hidden_activity(net: OrientationCNN, stimuli: Any,
                    layers: Sequence[str] = ("pool", "fc"),
                    batch_size: int = 1000) -> dict[str, np.ndarray]:
    """Stimulus x unit activity of named layers, recorded with forward hooks.

    Hooks are removed afterwards, also when the forward pass fails.

    Parameters
    ----------
    net : OrientationCNN
    stimuli : array_like or tensor, shape (p, h, w)
    layers : sequence of str
        Layer names among ``net.layer_names`` (``conv``, ``pool``, ``fc``, ``out``).
    batch_size : int
        Stimuli per forward pass.

    Returns
    -------
    dict
        layer name -> float32 ndarray (p, n_units), units flattened (channel, row, col).

    Examples
    --------
    >>> net = OrientationCNN(48, 64, seed=0)
    >>> act = hidden_activity(net, grating([0.0, 45.0, 90.0]))
    >>> act["pool"].shape, act["fc"].shape
    ((3, 288), (3, 10))
    """
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers)
    bad = [name for name in layers if name not in getattr(net, "layer_names", ())]
    if bad or not layers:
        raise ValidationError(
            f"unknown layer(s) {bad or list(layers)} for this network; choose from "
            f"{list(getattr(net, 'layer_names', ()))}")
    x = _as_tensor(stimuli)
    store: dict[str, list[Any]] = {name: [] for name in layers}
    handles = []
    was_training = net.training
    try:
        for name in layers:
            def hook(_mod: Any, _inp: Any, out: Any, name: str = name) -> None:
                store[name].append(out.detach().reshape(out.shape[0], -1))
            handles.append(getattr(net, name).register_forward_hook(hook))
        net.eval()
        with torch.no_grad():
            for i in range(0, x.shape[0], batch_size):
                net(x[i:i + batch_size])
    finally:
        for hd in handles:
            hd.remove()
        net.train(was_training)
    return {name: torch.cat(v).numpy() for name, v in store.items()}
