"""Population responses: stimulus x neuron matrices with their stimulus values.

Formats read by :func:`load_responses` (detected from the path):

- **Stringer-style npz** (``resp``, ``stimuli``): the orientation data of Stringer et al.
  2021 used by the Neuromatch tutorials. ``resp`` may be stimulus x neuron or neuron x
  stimulus: the axis whose length equals ``len(stimuli)`` is the stimulus axis (if both
  do, rows are taken as stimuli; override with ``layout=``). Read with
  ``allow_pickle=False``.
- **Allen Neuropixels drifting-grating pseudo-population** folder (``spike_times.npy``,
  ``ii_spike_times.npy``, ``stim_label.npy``; SpykeTools demo): spike counts per trial,
  ``stop - start`` of every (trial, neuron) slice -> trials x neurons, orientation labels
  in degrees.
- **Allen Brain Observatory 2-photon natural scenes** folder
  (``all_input_scenes_118_961.npy``, ``Allen_{train,test}_{input,output}.npy``): mean
  dF/F of 212 cells to 118 scenes, put back into scene order (rows 0..117 = Allen scene
  index) by matching every stored input image to the scene images, plus the 31 x 31 images.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np

from cortexkit._lib.validation import check_choice
from cortexkit.core.responses import Responses, bin_stimuli, tutorial_convention
from cortexkit.errors import DataFormatError

# Responses, bin_stimuli and tutorial_convention live in cortexkit.core (the
# container layer); they are re-exported here for the loaders' users.
__all__ = ["Responses", "load_responses", "bin_stimuli", "tutorial_convention"]

_ALLEN_NP = ("spike_times.npy", "ii_spike_times.npy", "stim_label.npy")
_ALLEN_2P = ("all_input_scenes_118_961.npy", "Allen_train_output.npy", "Allen_test_output.npy",
             "Allen_train_input.npy", "Allen_test_input.npy")


def _load_npz(path: Path, layout: str) -> Responses:
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in ("resp", "stimuli") if k not in z.files]
            if missing:
                raise DataFormatError(
                    f"{path}: npz has keys {z.files}, missing {missing}; a responses npz needs "
                    "'resp' (stimulus x neuron) and 'stimuli' (degrees)")
            resp = z["resp"]
            stim = z["stimuli"]
            ids = z["neuron_ids"] if "neuron_ids" in z.files else None
    except ValueError as exc:  # object arrays need pickle: refused
        raise DataFormatError(f"{path}: cannot read without unpickling ({exc}); "
                              "store plain numeric arrays") from exc
    except (OSError, EOFError) as exc:
        raise DataFormatError(f"{path}: not a readable npz file ({exc})") from exc
    stim = np.asarray(stim, dtype=np.float64).ravel()
    if resp.ndim != 2 or not np.issubdtype(resp.dtype, np.number):
        raise DataFormatError(f"{path}: 'resp' must be a 2-D numeric array, got shape "
                              f"{resp.shape} dtype {resp.dtype}")
    if layout == "auto":
        if resp.shape[0] == stim.size:
            layout = "stimulus_x_neuron"
        elif resp.shape[1] == stim.size:
            layout = "neuron_x_stimulus"
        else:
            raise DataFormatError(
                f"{path}: 'resp' has shape {resp.shape} but 'stimuli' has {stim.size} values; "
                "one axis of resp must match the number of stimuli")
    if layout == "neuron_x_stimulus":
        resp = resp.T
    else:
        check_choice("layout", layout, ("auto", "stimulus_x_neuron", "neuron_x_stimulus"))
    if resp.shape[0] != stim.size:
        raise DataFormatError(f"{path}: resp has {resp.shape[0]} stimulus rows for layout "
                              f"{layout!r} but stimuli has {stim.size} values")
    if not np.isfinite(stim).all():
        raise DataFormatError(f"{path}: 'stimuli' contains NaN or infinite values")
    ids = np.arange(resp.shape[1]) if ids is None else np.asarray(ids).ravel()
    return Responses(np.ascontiguousarray(resp), stim, ids, "orientation", None, str(path))


def _load_allen_gratings(folder: Path) -> Responses:
    times = np.load(folder / "spike_times.npy", allow_pickle=False)
    ii = np.load(folder / "ii_spike_times.npy", allow_pickle=False)
    labels = np.load(folder / "stim_label.npy", allow_pickle=False)
    if ii.ndim != 3 or ii.shape[2] != 2 or ii.shape[0] != labels.size:
        raise DataFormatError(
            f"{folder}: ii_spike_times.npy must be (trials, neurons, 2) with one stim_label per "
            f"trial, got {ii.shape} and {labels.shape}")
    start, stop = ii[..., 0], ii[..., 1]
    if (stop < start).any() or start.min() < 0 or stop.max() > times.size:
        raise DataFormatError(f"{folder}: ii_spike_times.npy slices fall outside spike_times.npy")
    counts = (stop - start).astype(np.float64)
    return Responses(counts, labels.astype(np.float64), np.arange(ii.shape[1]), "orientation",
                     None, str(folder),
                     ("spike counts per trial in the 0-100 ms window (stop - start)",
                      "pseudo-population: neurons pooled from 32 sessions"))


def _load_allen_scenes(folder: Path) -> Responses:
    scenes = np.load(folder / _ALLEN_2P[0], allow_pickle=False)
    out = np.vstack([np.load(folder / _ALLEN_2P[1], allow_pickle=False),
                     np.load(folder / _ALLEN_2P[2], allow_pickle=False)])
    inp = np.vstack([np.load(folder / _ALLEN_2P[3], allow_pickle=False),
                     np.load(folder / _ALLEN_2P[4], allow_pickle=False)])
    n = scenes.shape[0]
    if inp.shape != scenes.shape or out.shape[0] != n:
        raise DataFormatError(f"{folder}: expected {n} input/output rows matching the scene "
                              f"images, got inputs {inp.shape} and outputs {out.shape}")
    # Row i of the outputs belongs to the scene whose image equals input row i (exactly).
    match = (inp[:, None, :] == scenes[None, :, :]).all(axis=2)
    if not ((match.sum(axis=1) == 1).all() and (match.sum(axis=0) == 1).all()):
        raise DataFormatError(
            f"{folder}: the stored input images do not match the scene images one to one; "
            "cannot recover the scene order of the responses")
    perm = match.argmax(axis=1)  # input row i shows scene perm[i]
    resp = np.empty_like(out)
    resp[perm] = out
    side = int(round(np.sqrt(scenes.shape[1])))
    return Responses(resp, np.arange(n, dtype=np.float64), np.arange(out.shape[1]), "scene",
                     scenes.reshape(n, side, side), str(folder),
                     ("mean dF/F (percent) per scene, trial-averaged",
                      "rows in Allen scene order, recovered by matching the stored images"))


def load_responses(
    path: str | Path,
    *,
    bin_width: float | None = None,
    convention: Literal["tutorial"] | None = None,
    layout: Literal["auto", "stimulus_x_neuron", "neuron_x_stimulus"] = "auto",
) -> Responses:
    """Read population responses (stimulus x neuron matrix + stimulus values).

    Parameters
    ----------
    path : str or Path
        A Stringer-style ``.npz`` (``resp``, ``stimuli`` in degrees, optional
        ``neuron_ids``), or one of the two Allen folders described in the module docstring.
    bin_width : float, optional
        Average responses within orientation bins of this many degrees
        (see :func:`bin_stimuli`). Applied before ``convention``.
    convention : {"tutorial"}, optional
        ``"tutorial"`` puts orientations on -90..90 with 0 = vertical. For a
        Stringer-style npz: keep stimuli <= 180 deg and subtract 90 (the Neuromatch
        convention). For the Allen gratings (0 deg = vertical drifting grating) the
        direction is folded to an orientation: ``((deg + 90) % 180) - 90``.
    layout : {"auto", "stimulus_x_neuron", "neuron_x_stimulus"}
        Orientation of ``resp`` in an npz (auto: the axis matching ``len(stimuli)``).

    Returns
    -------
    Responses

    Raises
    ------
    DataFormatError
        Missing file/keys, pickled content, inconsistent shapes.

    Examples
    --------
    >>> import cortexkit as ck
    >>> r = ck.io.load_responses("stringer_orientations.npz", bin_width=1,
    ...                          convention="tutorial")   # doctest: +SKIP
    """
    p = Path(path)
    if not p.exists():
        raise DataFormatError(f"responses path {str(p)!r} does not exist")
    if p.is_dir():
        if all((p / f).exists() for f in _ALLEN_NP):
            res = _load_allen_gratings(p)
            if convention == "tutorial":
                st = (res.stimuli + 90.0) % 180.0 - 90.0
                res = replace(res, stimuli=st, notes=(*res.notes, "folded to -90..90"))
                convention = None
        elif all((p / f).exists() for f in _ALLEN_2P):
            res = _load_allen_scenes(p)
        else:
            raise DataFormatError(
                f"{p}: folder is neither the Allen Neuropixels gratings ({', '.join(_ALLEN_NP)}) "
                f"nor the Allen 2-photon natural scenes ({', '.join(_ALLEN_2P)}) layout")
    elif p.suffix == ".npz":
        res = _load_npz(p, layout)
    else:
        raise DataFormatError(
            f"{p}: unsupported responses file; give a .npz with 'resp' and 'stimuli' or an "
            "Allen data folder")
    if bin_width is not None:
        res = bin_stimuli(res, bin_width)
    if convention == "tutorial":
        res = tutorial_convention(res)
    elif convention is not None:
        check_choice("convention", convention, ("tutorial", None))
    return res
