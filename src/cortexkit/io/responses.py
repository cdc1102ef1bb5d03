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
from cortexkit.errors import CortexkitError, DataFormatError

# Responses, bin_stimuli and tutorial_convention live in cortexkit.core (the
# container layer); they are re-exported here for the loaders' users.
__all__ = ["Responses", "load_responses", "bin_stimuli", "tutorial_convention"]

_ALLEN_NP = ("spike_times.npy", "ii_spike_times.npy", "stim_label.npy")
_ALLEN_2P = ("all_input_scenes_118_961.npy", "Allen_train_output.npy", "Allen_test_output.npy",
             "Allen_train_input.npy", "Allen_test_input.npy")


def _numeric(arr: np.ndarray, source: str, what: str, allow_int: bool = True) -> np.ndarray:
    """``arr`` if it holds finite real numbers; else a DataFormatError naming the problem."""
    if arr.dtype.hasobject:
        raise DataFormatError(f"{source}: {what} is an object array, which cannot be read "
                              "without unpickling; store plain numeric arrays")
    if arr.dtype.kind == "c":
        raise DataFormatError(f"{source}: {what} holds complex numbers; store the real values "
                              "(e.g. the magnitude) instead")
    if arr.dtype.kind not in ("iuf" if allow_int else "f") and not (
            allow_int and arr.dtype.kind == "b"):
        raise DataFormatError(f"{source}: {what} must be numeric; got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            first = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), arr.shape)
            raise DataFormatError(
                f"{source}: {what} has {int(bad.sum())} NaN or infinite value(s) (first at "
                f"index {tuple(int(i) for i in first)}); fill or drop them before loading"
            )
    return arr


def _load_npz(path: Path, layout: str) -> Responses:
    from cortexkit.io._limits import regular_file
    from cortexkit.io._safe_pickle import read_npz

    if regular_file(path) == 0:
        raise DataFormatError(f"{path}: the file is empty (0 bytes); copy or export it again")
    z = read_npz(path)
    missing = [k for k in ("resp", "stimuli") if k not in z]
    if missing:
        raise DataFormatError(
            f"{path}: npz has keys {sorted(z)}, missing {missing}; a responses npz needs "
            "'resp' (stimulus x neuron) and 'stimuli' (degrees)")
    resp = _numeric(z["resp"], str(path), "'resp'")
    stim = _numeric(z["stimuli"], str(path), "'stimuli'").astype(np.float64).ravel()
    ids = z.get("neuron_ids")
    if resp.ndim != 2:
        raise DataFormatError(f"{path}: 'resp' must be a 2-D numeric array, got shape "
                              f"{resp.shape} dtype {resp.dtype}")
    if resp.dtype.kind == "b":
        resp = resp.astype(np.float64)
    if 0 in resp.shape:
        raise DataFormatError(f"{path}: 'resp' has shape {resp.shape}; it needs at least one "
                              "stimulus and one neuron")
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
    if ids is None:
        ids = np.arange(resp.shape[1])
    else:
        ids = np.asarray(ids).ravel()
        if ids.dtype.hasobject or ids.size != resp.shape[1]:
            raise DataFormatError(
                f"{path}: 'neuron_ids' has {ids.size} entries but resp has {resp.shape[1]} "
                "neurons (columns); give one id per neuron or leave it out")
    return Responses(np.ascontiguousarray(resp), stim, ids, "orientation", None, str(path))


def _npy(folder: Path, name: str) -> np.ndarray:
    from cortexkit.io._safe_pickle import read_npy_file

    arr = read_npy_file(folder / name)
    return _numeric(arr, str(folder / name), "the array")


def _load_allen_gratings(folder: Path) -> Responses:
    from cortexkit.io._safe_pickle import read_npy_file

    times = read_npy_file(folder / "spike_times.npy")  # only its length is used
    ii = _npy(folder, "ii_spike_times.npy")
    labels = _npy(folder, "stim_label.npy")
    if ii.ndim != 3 or ii.shape[2] != 2 or ii.shape[0] != labels.size or ii.dtype.kind not in "iu":
        raise DataFormatError(
            f"{folder}: ii_spike_times.npy must be integer (trials, neurons, 2) with one "
            f"stim_label per trial, got {ii.dtype} {ii.shape} and {labels.shape}")
    if 0 in ii.shape:
        raise DataFormatError(f"{folder}: ii_spike_times.npy has shape {ii.shape}; it needs at "
                              "least one trial and one neuron")
    start, stop = ii[..., 0], ii[..., 1]
    if (stop < start).any() or start.min() < 0 or stop.max() > times.size:
        raise DataFormatError(f"{folder}: ii_spike_times.npy slices fall outside spike_times.npy")
    counts = (stop - start).astype(np.float64)
    return Responses(counts, labels.astype(np.float64), np.arange(ii.shape[1]), "orientation",
                     None, str(folder),
                     ("spike counts per trial in the 0-100 ms window (stop - start)",
                      "pseudo-population: neurons pooled from 32 sessions"))


def _load_allen_scenes(folder: Path) -> Responses:
    scenes = _npy(folder, _ALLEN_2P[0])
    parts = [_npy(folder, name) for name in _ALLEN_2P[1:]]
    if any(a.ndim != 2 for a in [scenes, *parts]) or len({a.shape[1] for a in parts[:2]}) != 1 \
            or len({a.shape[1] for a in [scenes, *parts[2:]]}) != 1 or 0 in scenes.shape:
        raise DataFormatError(
            f"{folder}: the natural-scene arrays must be 2-D (rows x values) with matching "
            f"columns; got {[a.shape for a in [scenes, *parts]]}")
    out = np.vstack(parts[:2])
    inp = np.vstack(parts[2:])
    n = scenes.shape[0]
    if inp.shape != scenes.shape or out.shape[0] != n:
        raise DataFormatError(f"{folder}: expected {n} input/output rows matching the scene "
                              f"images, got inputs {inp.shape} and outputs {out.shape}")
    from cortexkit.io._limits import check_size

    side = int(round(np.sqrt(scenes.shape[1])))
    if side * side != scenes.shape[1]:
        raise DataFormatError(f"{folder}: scene images have {scenes.shape[1]} pixels, not a "
                              "square image; the files are damaged")
    check_size(n * n * scenes.shape[1], folder, "matching the scene images")
    # Row i of the outputs belongs to the scene whose image equals input row i (exactly).
    match = (inp[:, None, :] == scenes[None, :, :]).all(axis=2)
    if not ((match.sum(axis=1) == 1).all() and (match.sum(axis=0) == 1).all()):
        raise DataFormatError(
            f"{folder}: the stored input images do not match the scene images one to one; "
            "cannot recover the scene order of the responses")
    perm = match.argmax(axis=1)  # input row i shows scene perm[i]
    resp = np.empty_like(out)
    resp[perm] = out
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
    try:
        res = _read(p, layout, convention)
    except CortexkitError:
        raise
    except MemoryError as exc:
        raise DataFormatError(f"{p}: reading it needs more memory than is available; the "
                              "file is damaged or too large for this machine") from exc
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError,
            OverflowError) as exc:
        raise DataFormatError(f"{p}: cannot be read as population responses "
                              f"({type(exc).__name__}: {exc})") from exc
    if convention == "tutorial" and res.notes and res.notes[-1] == "folded to -90..90":
        convention = None
    if bin_width is not None:
        res = bin_stimuli(res, bin_width)
    if convention == "tutorial":
        res = tutorial_convention(res)
    elif convention is not None:
        check_choice("convention", convention, ("tutorial", None))
    return res


def _read(p: Path, layout: str, convention: str | None) -> Responses:
    if not p.exists():
        raise DataFormatError(f"responses path {str(p)!r} does not exist")
    if p.is_dir():
        if all((p / f).exists() for f in _ALLEN_NP):
            res = _load_allen_gratings(p)
            if convention == "tutorial":
                st = (res.stimuli + 90.0) % 180.0 - 90.0
                res = replace(res, stimuli=st, notes=(*res.notes, "folded to -90..90"))
        elif all((p / f).exists() for f in _ALLEN_2P):
            res = _load_allen_scenes(p)
        else:
            raise DataFormatError(
                f"{p}: folder is neither the Allen Neuropixels gratings ({', '.join(_ALLEN_NP)}) "
                f"nor the Allen 2-photon natural scenes ({', '.join(_ALLEN_2P)}) layout")
    elif p.suffix.lower() == ".npz":
        res = _load_npz(p, layout)
    else:
        raise DataFormatError(
            f"{p}: unsupported responses file; give a .npz with 'resp' and 'stimuli' or an "
            "Allen data folder")
    return res
