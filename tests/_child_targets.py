"""Readers that misbehave, run by tests in cortexkit's reader child process."""

from __future__ import annotations

import os
import signal
import time


def hang(path, max_bytes):
    time.sleep(3600)


def crash(path, max_bytes):
    os.kill(os.getpid(), signal.SIGSEGV)


def chatty(path, max_bytes):
    print("library noise on stdout " * 100)
    import numpy as np

    return {"columns": []}, {"x": np.arange(3.0)}
