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

BIN_WIDTH = 7.5  # degrees: 24 orientation bins over -90..90
N_RESAMPLE = 200  # bootstrap resamples and permutations of the similarity


class RSAJob:
    """One background computation of model-layer and V1 RDMs for one architecture."""

    def __init__(self, seed: int = 0, n_train: int = 400, epochs: int = 10,
                 architecture: str = "conv_pool_fc") -> None:
        self.architecture = architecture
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
            result = compute_rdms(self.seed, self.n_train, self.epochs, self.architecture,
                                  report=self._set)
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


def compute_rdms(seed: int, n_train: int, epochs: int, architecture: str = "conv_pool_fc",
                 report: Any = None) -> dict[str, Any]:
    """Train (or load from the cache) the orientation network and compare layers with V1.

    V1 is ``ck.datasets.v1_orientation_like(seed)`` in the tutorial convention (stimuli
    <= 180 deg centred on 0 = vertical), binned by ``BIN_WIDTH`` degrees;
    :func:`cortexkit.encoding.orientation_experiment` gives the RDMs and their similarity
    with bootstrap intervals and permutation p-values.
    """
    from cortexkit import datasets, encoding
    from cortexkit.io.responses import bin_stimuli, tutorial_convention

    report = report or (lambda step, progress: None)
    report("loading V1 responses", 0.02)
    v1 = bin_stimuli(tutorial_convention(datasets.v1_orientation_like(seed=seed)), BIN_WIDTH)
    ex = encoding.orientation_experiment(v1, architecture=architecture, n_train=n_train,
                                         epochs=epochs, seed=seed, n_boot=N_RESAMPLE,
                                         n_perm=N_RESAMPLE, progress=report)
    layers, comp, losses = list(ex.layers), ex.comparison, ex.losses
    table = comp.table.set_index("layer")
    return {
        "architecture": architecture,
        "orientations": [float(a) for a in np.asarray(v1.stimuli)],
        "rdms": {("V1" if k == "data" else k): np.asarray(v, dtype=float).round(5).tolist()
                 for k, v in comp.rdms.items()},
        "layers": layers,
        "table": [
            {"layer": name, **{c: _num(table.loc[name, c]) for c in
                               ("similarity", "ci_low", "ci_high", "p_value", "cka")},
             "n_units": int(table.loc[name, "n_units"])}
            for name in layers
        ],
        "similarity": {name: _num(table.loc[name, "similarity"]) for name in layers},
        "losses": [float(x) for x in np.asarray(losses, dtype=float).ravel()],
        "cached_model": ex.from_cache,
        "n_train": n_train,
        "epochs": epochs,
    }


def _num(v: Any) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None
