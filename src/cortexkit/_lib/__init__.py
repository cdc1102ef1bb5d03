"""Foundation layer: helpers every other layer may import.

The only private package that other packages import.  Modules: :mod:`._util`
(flat-array helpers), :mod:`.validation` (the one message template), :mod:`.engine`
(``engine="auto" | "numba" | "numpy"`` and its thresholds), :mod:`.optional` (optional
imports), :mod:`.progress` (progress-callback protocol), :mod:`.atomic` (atomic files).
It imports nothing from cortexkit except :mod:`cortexkit.errors`.
"""
