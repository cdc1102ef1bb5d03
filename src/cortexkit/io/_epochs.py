"""Epoch-indexed spike times (the SpykeTools / Allen Visual Coding pseudo-population layout).

A folder with ``spike_times.npy`` (float seconds relative to each epoch's start,
concatenated) and ``ii_spike_times.npy`` (int, shape ``(n_epochs, n_neurons, 2)``:
``[start, stop)`` of each neuron's slice in each epoch).

By default each neuron becomes one unit whose epochs are laid end to end: epoch ``m``
occupies ``[m * d, (m + 1) * d)`` with ``d = epoch_duration`` (default: the smallest
whole number of milliseconds above the last spike time).  ``epoch=m`` instead returns
that single epoch, every neuron a unit on ``[0, d]``.  Units are the neuron indices
(empty neurons included); ``unit_info`` is not set.  A sibling ``stim_label.npy`` (the
stimulus of each epoch) is left to the caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cortexkit._lib._util import segment_index
from cortexkit.core import SpikeTrains
from cortexkit.errors import DataFormatError, ValidationError
from cortexkit.io._common import spike_kwargs, to_seconds
from cortexkit.io._limits import check_size
from cortexkit.io._safe_pickle import read_npy_file


def is_epochs(folder: Path) -> bool:
    """A folder with ``spike_times.npy`` and ``ii_spike_times.npy``."""
    return (folder / "spike_times.npy").is_file() and (folder / "ii_spike_times.npy").is_file()


def read_epochs(folder: Path, opts: dict[str, Any]) -> SpikeTrains:
    """SpikeTrains of an epoch-indexed folder (see the module docstring)."""
    times = read_npy_file(folder / "spike_times.npy")
    times = to_seconds(times.ravel() if times.ndim == 2 and 1 in times.shape else times,
                       opts.get("sample_rate"), str(folder / "spike_times.npy"))
    ii = read_npy_file(folder / "ii_spike_times.npy")
    if ii.ndim != 3 or ii.shape[2] != 2 or ii.dtype.kind not in "iu":
        raise DataFormatError(
            f"{folder / 'ii_spike_times.npy'}: expected integer [start, stop) pairs of shape "
            f"(n_epochs, n_neurons, 2); got dtype {ii.dtype}, shape {ii.shape}"
        )
    start = ii[..., 0].astype(np.int64)
    stop = ii[..., 1].astype(np.int64)
    if np.any(start < 0) or np.any(stop < start) or (stop.size and stop.max() > times.size):
        raise DataFormatError(
            f"{folder / 'ii_spike_times.npy'}: slices must satisfy 0 <= start <= stop <= "
            f"{times.size} (the length of spike_times.npy)"
        )
    n_epochs, n_neurons = start.shape
    bad: Any = np.flatnonzero(~np.isfinite(times)) if times.dtype.kind == "f" else []
    if len(bad):
        raise DataFormatError(
            f"{folder / 'spike_times.npy'}: spike time {int(bad[0])} is {times[bad[0]]}; every "
            "spike time must be a finite number of seconds (the file is damaged)"
        )
    if times.size and times.min() < 0 and not opts.get("allow_negative", False):
        raise DataFormatError(
            f"{folder / 'spike_times.npy'}: negative times relative to the epoch start; pass "
            "allow_negative=True together with epoch=<index>"
        )
    duration = opts.get("epoch_duration")
    if duration is None:
        duration = (np.floor(times.max() * 1000.0) + 1.0) / 1000.0 if times.size else 1.0
    duration = float(duration)
    if not np.isfinite(duration) or duration <= 0 or (times.size and times.max() >= duration):
        raise ValidationError(
            f"epoch_duration must be a positive number of seconds above the last spike "
            f"time ({times.max() if times.size else 0:g} s); got {duration!r}",
            param="epoch_duration"
        )
    kw = spike_kwargs(opts)
    epoch = opts.get("epoch")
    if epoch is not None:
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) or not (
                0 <= epoch < n_epochs):
            raise ValidationError(f"epoch must be an integer in 0..{n_epochs - 1}; got {epoch!r}",
                                  param="epoch")
        start, stop = start[epoch:epoch + 1], stop[epoch:epoch + 1]
        n_epochs = 1
    counts = (stop - start).ravel()  # epoch-major, neuron-minor
    total = int(counts.sum())
    # Overlapping slices could repeat spikes without bound: 4 int64/float64 arrays of total.
    check_size(32 * total, folder / "ii_spike_times.npy", "the spikes its slices select")
    idx, _ = segment_index(start.ravel(), counts)
    neuron = np.repeat(np.tile(np.arange(n_neurons), n_epochs), counts)
    shift = np.repeat(np.repeat(np.arange(n_epochs) * duration, n_neurons), counts)
    kw.setdefault("t_start", 0.0)
    kw.setdefault("t_stop", n_epochs * duration)
    return SpikeTrains.from_events(times[idx] + shift, neuron, unit_ids=np.arange(n_neurons),
                                   **kw)
