"""Analyses for the batch tests that misbehave on purpose (imported by the workers too).

``trap`` returns the unit ids as a column, after ``slow`` seconds; a recording holding
unit 999 hangs, 998 allocates memory without end, 997 kills its process with SIGSEGV.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pandas as pd

HANG, GREEDY, CRASH = 999, 998, 997


def trap(st, slow: float = 0.0):
    ids = set(int(u) for u in st.unit_ids)
    time.sleep(slow)
    if HANG in ids:
        time.sleep(3600)
    if GREEDY in ids:
        hoard = []
        for _ in range(160):  # up to 40 GB, touched, 250 MB at a time
            hoard.append(np.ones(250 * 2**20 // 8))
            time.sleep(0.05)
    if CRASH in ids:
        os.kill(os.getpid(), signal.SIGSEGV)
    return pd.DataFrame({"unit": st.unit_ids, "trap": np.asarray(st.unit_ids, float)})
