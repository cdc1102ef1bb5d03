"""Fuzzing of cortexkit's loaders: mutated real files, each read in a watched child process.

Used by ``tests/test_fuzz_loaders.py`` (a small seeded run) and
``benchmarks/fuzz_loaders.py`` (>= 20,000 cases).  Seeds are built from the real
recordings in ``../shared/data/real`` (small real subsets written with the loaders' own
formats where a format has no real file), then mutated by byte flips, truncation and
insertion.  A case's outcome is one of:

``loaded``       the loader returned a result;
``cortexkit``    it raised a :class:`cortexkit.errors.CortexkitError` subclass;
``other``        it raised anything else (a defect);
``hang``         it did not finish within the case timeout (a defect);
``crash``        the worker process died, e.g. SIGSEGV (a defect).

The worker is one long-lived ``python`` process that reads cases on stdin and answers on
stdout; it is restarted after a hang or a crash, so one bad case cannot hide others.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
OUTCOMES = ("loaded", "cortexkit", "other", "hang", "crash")
_MARK = "@@FUZZ@@"

WORKER = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import cortexkit as ck
from cortexkit.errors import CortexkitError
MARK = sys.argv[1]
out = sys.stdout
for line in sys.stdin:
    case = json.loads(line)
    try:
        with ck.io.read_limits(max_bytes=256 << 20, timeout=float(case["nwb_timeout"])):
            if case["kind"] == "responses":
                ck.io.load_responses(case["path"])
            else:
                ck.io.load_spikes(case["path"], **case["opts"])
        res = {"outcome": "loaded"}
    except CortexkitError as exc:
        res = {"outcome": "cortexkit", "type": type(exc).__name__}
    except BaseException as exc:  # noqa: BLE001 - the defect being looked for
        res = {"outcome": "other", "type": type(exc).__name__, "msg": str(exc)[:300]}
    out.write(MARK + json.dumps(res) + "\n")
    out.flush()
"""


# ------------------------------------------------------------------------------ seeds
def _subset_st(max_spikes: int = 3000):
    import cortexkit as ck

    st = ck.io.load_spikes(REAL / "ibl-slidingrp-3units")
    return st.restrict(st.t_start, float(np.sort(st.times)[min(max_spikes, st.n_spikes) - 1])
                       + 1e-3)


def build_seeds(folder: Path) -> dict[str, tuple[str, Path, dict]]:
    """loader name -> (kind, seed path, load options); files derived from the real data."""
    import cortexkit as ck

    folder.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, tuple[str, Path, dict]] = {}
    st = _subset_st()
    # Neuromatch object array (.npy and .npz 'spike_times'), from the IBL units
    obj = np.empty(st.n_units, dtype=object)
    for i in range(st.n_units):
        obj[i] = st.train(i)
    np.save(folder / "neuromatch.npy", obj, allow_pickle=True)
    seeds["npy"] = ("spikes", folder / "neuromatch.npy", {})
    np.savez(folder / "neuromatch.npz", spike_times=obj)
    seeds["npz-neuromatch"] = ("spikes", folder / "neuromatch.npz", {})
    for suffix in ("npz", "csv", "parquet", "nwb"):
        p = ck.io.save_spikes(st, folder / f"ibl.{suffix}")
        seeds[suffix] = ("spikes", p, {})
    seeds["mat"] = ("spikes", REAL / "nelpy-linear-track" / "spikes.mat", {})
    import scipy.io  # the same real file re-saved uncompressed: mutations reach the structure

    data = scipy.io.loadmat(REAL / "nelpy-linear-track" / "spikes.mat")
    scipy.io.savemat(folder / "nelpy_v5.mat", {k: v for k, v in data.items()
                                               if not k.startswith("__")},
                     do_compression=False)
    seeds["mat-uncompressed"] = ("spikes", folder / "nelpy_v5.mat", {})
    # phy: the first 4000 spikes of the real phy folder, with params.py and labels
    phy = folder / "phy"
    phy.mkdir(exist_ok=True)
    src = REAL / "phy-neuropixels-120s"
    np.save(phy / "spike_times.npy", np.load(src / "spike_times.npy")[:4000])
    np.save(phy / "spike_clusters.npy", np.load(src / "spike_clusters.npy")[:4000])
    shutil.copy(src / "cluster_group.tsv", phy / "cluster_group.tsv")
    (phy / "params.py").write_text("dat_path = 'raw.bin'\nn_channels_dat = 385\n"
                                   "dtype = 'int16'\noffset = 0\nsample_rate = 30000.\n"
                                   "hp_filtered = True\n")
    seeds["phy"] = ("spikes", phy, {})
    alf = folder / "alf"
    alf.mkdir(exist_ok=True)
    src = REAL / "ibl-slidingrp-3units"
    np.save(alf / "spikes.times.npy", np.load(src / "spikes.times.npy")[:4000])
    np.save(alf / "spikes.clusters.npy", np.load(src / "spikes.clusters.npy")[:4000])
    seeds["alf"] = ("spikes", alf, {})
    # epochs / Allen gratings responses: the first 8 epochs x 100 neurons of the real files
    ep = folder / "epochs"
    ep.mkdir(exist_ok=True)
    src = REAL / "allen-vcnp-gratings-pseudopop"
    ii = np.load(src / "ii_spike_times.npy")[:8, :100]
    times = np.load(src / "spike_times.npy")
    keep = np.concatenate([np.arange(a, b) for a, b in ii.reshape(-1, 2)])
    new_ii = np.cumsum(np.r_[0, (ii[..., 1] - ii[..., 0]).ravel()])
    np.save(ep / "spike_times.npy", times[keep])
    np.save(ep / "ii_spike_times.npy",
            np.stack([new_ii[:-1], new_ii[1:]], axis=-1).reshape(8, 100, 2).astype(np.int64))
    np.save(ep / "stim_label.npy", np.load(src / "stim_label.npy")[:8])
    seeds["epochs"] = ("spikes", ep, {})
    seeds["responses-allen-gratings"] = ("responses", ep, {})
    scenes = folder / "scenes"
    if not scenes.exists():
        shutil.copytree(REAL / "allen-vc2p-natural-scenes", scenes)
    seeds["responses-allen-scenes"] = ("responses", scenes, {})
    res = ck.io.load_responses(REAL / "allen-vc2p-natural-scenes")
    np.savez(folder / "stringer.npz", resp=res.responses, stimuli=res.stimuli * 3.0)
    seeds["responses-npz"] = ("responses", folder / "stringer.npz", {})
    return seeds


# -------------------------------------------------------------------------- mutation
def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One of: byte flips (anywhere or in the first 512 bytes), truncation, insertion."""
    b = bytearray(data)
    op = rng.integers(0, 5)
    if op in (0, 1) and b:
        hi = len(b) if op == 0 else min(len(b), 512)
        for _ in range(int(rng.integers(1, 9))):
            b[int(rng.integers(0, hi))] = int(rng.integers(0, 256))
    elif op == 2:
        b = b[:int(rng.integers(0, max(len(b), 1)))]
    elif op == 3:
        pos = int(rng.integers(0, len(b) + 1))
        b[pos:pos] = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    else:  # overwrite a run with a "size-like" value (0, 0xff.., a large little-endian int)
        if b:
            pos = int(rng.integers(0, len(b)))
            val = [b"\x00" * 4, b"\xff" * 4, b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80"][
                int(rng.integers(0, 4))]
            b[pos:pos + 4] = val
    return bytes(b)


def make_case(seed: Path, work: Path, rng: np.random.Generator, index: int) -> Path:
    """A mutated copy of ``seed`` (a file, or a folder with one of its files mutated)."""
    if seed.is_dir():
        dest = work / f"case{index % 4}_{seed.name}"
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(seed, dest)
        files = sorted(p for p in dest.iterdir() if p.is_file())
        victim = files[int(rng.integers(0, len(files)))]
        victim.write_bytes(mutate(victim.read_bytes(), rng))
        return dest
    dest = work / f"case{index % 4}{seed.suffix}"
    dest.write_bytes(mutate(seed.read_bytes(), rng))
    return dest


# ---------------------------------------------------------------------------- runner
class Runner:
    """The watched worker process."""

    def __init__(self, case_timeout: float, nwb_timeout: float) -> None:
        self.case_timeout = case_timeout
        self.nwb_timeout = nwb_timeout
        self.proc: subprocess.Popen | None = None

    def _start(self) -> None:
        src = str(Path(__file__).resolve().parents[1] / "src")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get(
            "PYTHONPATH", "")])}
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, _MARK],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()
            self.proc = None

    def run(self, kind: str, path: Path, opts: dict) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        msg = {"kind": kind, "path": str(path), "opts": opts, "nwb_timeout": self.nwb_timeout}
        try:
            self.proc.stdin.write(json.dumps(msg) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            return {"outcome": "crash", "type": "worker gone before the case"}
        deadline = time.monotonic() + self.case_timeout
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self.proc.stdout], [], [], wait)[0]:
                self.stop()
                return {"outcome": "hang"}
            line = self.proc.stdout.readline()
            if not line:
                code = self.proc.wait()
                self.stop()
                return {"outcome": "crash", "type": f"exit {code}"}
            if line.startswith(_MARK):
                return json.loads(line[len(_MARK):])


def fuzz(seeds: dict[str, tuple[str, Path, dict]], n_per_loader: int, work: Path,
         seed: int = 0, case_timeout: float = 60.0, nwb_timeout: float = 20.0,
         keep_failures: Path | None = None, progress: bool = False
         ) -> tuple[dict[str, Counter], list[dict]]:
    """Run ``n_per_loader`` mutated cases per seed; (counts per loader, failing cases)."""
    work.mkdir(parents=True, exist_ok=True)
    runner = Runner(case_timeout, nwb_timeout)
    counts: dict[str, Counter] = {}
    failures: list[dict] = []
    try:
        for li, (name, (kind, seed_path, opts)) in enumerate(sorted(seeds.items())):
            rng = np.random.default_rng([seed, li])
            counts[name] = Counter({o: 0 for o in OUTCOMES})
            t0 = time.monotonic()
            for i in range(n_per_loader):
                case = make_case(seed_path, work, rng, i)
                res = runner.run(kind, case, opts)
                counts[name][res["outcome"]] += 1
                if res["outcome"] not in ("loaded", "cortexkit"):
                    info = {"loader": name, "case": i, **res}
                    if keep_failures is not None:
                        keep_failures.mkdir(parents=True, exist_ok=True)
                        dest = keep_failures / f"{name}-{i}{case.suffix}"
                        (shutil.copytree if case.is_dir() else shutil.copy)(case, dest)
                        info["kept"] = str(dest)
                    failures.append(info)
            if progress:
                c = counts[name]
                print(f"{name:26s} " + " ".join(f"{o}={c[o]}" for o in OUTCOMES)
                      + f"  ({time.monotonic() - t0:.0f} s)", flush=True)
    finally:
        runner.stop()
    return counts, failures
