"""`import cortexkit` stays light: no heavy optional dependency is imported."""

import subprocess
import sys

HEAVY = ("torch", "dask", "distributed", "pynwb", "h5py", "numba", "matplotlib", "fastapi",
         "uvicorn", "neo", "pynapple", "sklearn")


def test_import_is_light():
    code = ("import sys, cortexkit; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_version_and_public_names():
    import cortexkit as ck

    assert isinstance(ck.__version__, str) and ck.__version__.count(".") >= 2
    for name in ("SpikeTrains", "describe", "interval_fraction", "io", "datasets", "errors"):
        assert hasattr(ck, name)
    assert issubclass(ck.errors.ValidationError, ck.errors.CortexkitError)
    assert issubclass(ck.errors.DataFormatError, ck.errors.CortexkitError)
