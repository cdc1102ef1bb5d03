"""The 512-bit vector-width attribute of the LIF kernels, with a fallback.

LLVM's x86 tuning prefers 256-bit vectors on AVX-512 CPUs, for code that mixes a little
vector work with scalar work; the LIF update is nothing but vector work and runs ~1.7x
faster with 512-bit vectors.  LLVM reads the per-function attribute
``"prefer-vector-width"``; llvmlite's attribute set has no entry for string attributes,
so :func:`prefer_wide_vectors` (a numba intrinsic the kernels call first) adds it to the
underlying set directly.  Unlike ``NUMBA_CPU_FEATURES`` this changes nothing outside the
kernels, and nothing on CPUs without AVX-512.

That reaches into llvmlite internals, so it can break with an llvmlite upgrade, either
while the attribute is added (the set is no longer a set) or when LLVM parses the
module.  In both cases the kernels fall back to the plain version (same results, no
wide vectors) with one :class:`~cortexkit.errors.CortexkitWarning`: the codegen step
catches the first kind, and :func:`call` (through which ``simulate`` runs the kernels)
catches the second and compiles again without the attribute.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

from numba.core import types
from numba.core.errors import NumbaError
from numba.extending import intrinsic

from cortexkit.errors import CortexkitWarning

ATTRIBUTE = '"prefer-vector-width"="512"'

_lock = threading.Lock()
_enabled = True  # False once llvmlite refused the attribute (for this process)


def enabled() -> bool:
    """Whether new kernel compilations get the attribute."""
    return _enabled


def _add_attribute(function: Any) -> None:
    """Add :data:`ATTRIBUTE` to an llvmlite function (the llvmlite-internal step)."""
    set.add(function.attributes, ATTRIBUTE)


def _disable(exc: BaseException) -> None:
    global _enabled
    with _lock:
        if not _enabled:
            return
        _enabled = False
    warnings.warn(
        f"llvmlite refused the 512-bit vector-width attribute of the LIF kernels "
        f"({type(exc).__name__}: {exc}); they run without it: same results, slower on "
        "CPUs with AVX-512",
        CortexkitWarning, stacklevel=3,
    )


@intrinsic
def prefer_wide_vectors(typingctx):  # pragma: no cover - compile time
    """Ask LLVM for 512-bit vectors in the calling function (see the module docstring)."""
    def codegen(context, builder, signature, args):
        if _enabled:
            try:
                _add_attribute(builder.function)
            except Exception as exc:  # noqa: BLE001 - any refusal: plain kernel
                _disable(exc)
        return context.get_dummy_value()

    return types.none(), codegen


def call(kernel: Any, *args: Any) -> Any:
    """``kernel(*args)``; if compiling it with the attribute fails, compile it without."""
    try:
        return kernel(*args)
    except (NumbaError, RuntimeError) as exc:
        if not _enabled:
            raise
        _disable(exc)
        return kernel(*args)
