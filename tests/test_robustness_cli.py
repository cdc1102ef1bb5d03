"""Regression tests of issue 14 for the CLI: bad input is exit 2 with one message line.

Exit 1 is kept for real bugs.  ``--out`` is checked before any work is done.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from cortexkit.cli import main

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def _fifo(tmp: Path) -> str:
    import os

    p = tmp / "x.npy"
    os.mkfifo(p)
    return str(p)


def _file(tmp: Path) -> str:
    p = tmp / "afile"
    p.write_text("x")
    return str(p / "sub")


def _mat_complex(tmp: Path) -> str:
    import scipy.io

    c = np.empty((1, 1), dtype=object)
    c[0, 0] = np.array([1 + 1j, 2.0])
    scipy.io.savemat(tmp / "c.mat", {"spikes": c})
    return str(tmp / "c.mat")


# (id, argv builder(tmp), regex of the stderr message)
CASES = [
    ("no-command", lambda t: [], "Usage"),
    ("seed-negative", lambda t: ["describe", "--seed", "-1"], "--seed"),
    ("seed-negative-lif", lambda t: ["lif", "--seed", "-1"], "--seed"),
    ("n-neurons-negative-lif", lambda t: ["lif", "--n-neurons", "-3"], "n.neurons"),
    ("n-neurons-negative-causality", lambda t: ["causality", "--n-neurons", "-3"],
     "n.neurons"),
    ("lif-1e9-neurons", lambda t: ["lif", "--n-neurons", "1000000000"], "GiB"),
    ("out-under-a-file", lambda t: ["describe", "--out", _file(t)], "is a file"),
    ("out-unwritable", lambda t: ["describe", "--out", "/proc/cortexkit_robustness"],
     "not writable"),
    ("batch-out-unwritable", lambda t: ["batch", str(REAL / "ibl-slidingrp-3units"), "--out",
                                        "/proc/cortexkit_robustness.parquet"], "not writable"),
    ("fifo-data", lambda t: ["describe", _fifo(t)], "named pipe"),
    ("mat-complex", lambda t: ["describe", _mat_complex(t)], "complex"),
]


@pytest.mark.parametrize("name, argv, match", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_message(tmp_path, capsys, name, argv, match):
    code = main(argv(tmp_path))
    err = capsys.readouterr().err
    assert code == 2, err
    assert re.search(match, err), err
    assert "internal error" not in err and "Traceback" not in err
