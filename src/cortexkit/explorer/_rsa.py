"""The layer-vs-V1 RDM view: train a small orientation network once, in the background.

Training takes seconds to a minute on a laptop CPU, so the first request starts a thread
and the page polls :meth:`RSAJob.status` until the result is ready; later requests reuse it.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any

import numpy as np

from cortexkit.errors import CortexkitError

LAYERS = ("pool", "fc", "out")
N_ORIENTATIONS = 24


class RSAJob:
    """One background computation of model-layer and V1 RDMs (thread-safe)."""

    def __init__(self, seed: int = 0, n_train: int = 400, epochs: int = 10) -> None:
        self.seed = int(seed)
        self.n_train = int(n_train)
        self.epochs = int(epochs)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = "idle"
        self._step = ""
        self._progress = 0.0
        self._error: str | None = None
        self._result: dict[str, Any] | None = None

    def status(self) -> dict[str, Any]:
        """``state`` (idle / running / done / error), current step and progress 0..1."""
        with self._lock:
            return {"state": self._state, "step": self._step, "progress": self._progress,
                    "error": self._error}

    def result(self) -> dict[str, Any] | None:
        """The finished result, or None while not done."""
        with self._lock:
            return self._result

    def start(self) -> dict[str, Any]:
        """Start the computation unless it is running or done; return the status."""
        with self._lock:
            if self._state in ("idle", "error"):
                self._state, self._error, self._progress = "running", None, 0.0
                self._thread = threading.Thread(target=self._run, name="cortexkit-rsa",
                                                daemon=True)
                self._thread.start()
        return self.status()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background computation ends (used by tests and scripts)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _set(self, step: str, progress: float) -> None:
        with self._lock:
            self._step, self._progress = step, progress

    def _run(self) -> None:
        try:
            result = compute_rdms(self.seed, self.n_train, self.epochs, report=self._set)
        except CortexkitError as exc:
            with self._lock:
                self._state, self._error = "error", str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown on the page, full trace on stderr
            traceback.print_exc()
            with self._lock:
                self._state, self._error = "error", f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self._result, self._state, self._step, self._progress = result, "done", "done", 1.0


def compute_rdms(seed: int, n_train: int, epochs: int, report: Any = None) -> dict[str, Any]:
    """Train the orientation network and compare its layers' RDMs with V1's.

    Returns orientations, one RDM per system (``"V1"`` and each layer), the Pearson
    similarity of each layer's RDM with V1's, and the training loss history.
    """
    import torch

    from cortexkit import datasets, encoding, rsa

    report = report or (lambda step, progress: None)
    report("loading V1 responses", 0.02)
    v1_resp, angles = _v1_binned(datasets.v1_orientation_like(seed=seed))
    report(f"training the network ({n_train} stimuli, {epochs} epochs)", 0.1)
    net, losses = encoding.train_orientation_model(n_train=n_train, epochs=epochs, seed=seed)
    report("recording hidden activity", 0.85)
    stimuli = np.stack([np.asarray(encoding.grating(a), dtype=np.float32) for a in angles])
    with torch.no_grad():
        hidden = encoding.hidden_activity(net, torch.from_numpy(stimuli), layers=LAYERS)
    report("computing RDMs", 0.95)
    rdms = {"V1": rsa.rdm(v1_resp)}
    for name in LAYERS:
        h = np.asarray(hidden[name].detach().cpu().numpy() if hasattr(hidden[name], "detach")
                       else hidden[name], dtype=float).reshape(len(angles), -1)
        if name == "out" or np.any(h.std(axis=1) == 0):
            # one output unit or silent stimuli: correlation distance is undefined there
            rdms[name] = rsa.rdm(h, metric="euclidean")
        else:
            rdms[name] = rsa.rdm(h)
    similarity = {name: float(rsa.compare(rdms[name], rdms["V1"])) for name in LAYERS}
    return {
        "orientations": [float(a) for a in angles],
        "rdms": {k: np.asarray(v, dtype=float).round(5).tolist() for k, v in rdms.items()},
        "similarity": similarity,
        "losses": [float(x) for x in np.asarray(losses, dtype=float).ravel()],
        "layers": list(LAYERS),
        "n_train": n_train,
        "epochs": epochs,
    }


def _v1_binned(v1: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean V1 response in ``N_ORIENTATIONS`` orientation bins over -90..90 deg."""
    resp, stim = _unpack_v1(v1)
    stim = np.asarray(stim, dtype=float)
    keep = stim <= 180
    resp, stim = np.asarray(resp, dtype=float)[keep], stim[keep] - 90.0  # 0 = vertical
    edges = np.linspace(-90, 90, N_ORIENTATIONS + 1)
    idx = np.clip(np.digitize(stim, edges) - 1, 0, N_ORIENTATIONS - 1)
    counts = np.bincount(idx, minlength=N_ORIENTATIONS)
    sums = np.zeros((N_ORIENTATIONS, resp.shape[1]))
    np.add.at(sums, idx, resp)
    ok = counts > 0
    centres = 0.5 * (edges[:-1] + edges[1:])
    return sums[ok] / counts[ok, None], centres[ok]


def _unpack_v1(v1: Any) -> tuple[Any, Any]:
    if isinstance(v1, tuple):
        return v1[0], v1[1]
    if isinstance(v1, dict):
        return v1["resp"], v1["stimuli"]
    for r, s in (("responses", "stimuli"), ("resp", "stimuli"), ("responses", "angles")):
        if hasattr(v1, r) and hasattr(v1, s):
            return getattr(v1, r), getattr(v1, s)
    raise CortexkitError(f"cannot read V1 responses from {type(v1).__name__}")
