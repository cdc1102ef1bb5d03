"""Exceptions and warnings raised by cortexkit.

Every foreseeable mistake in user input raises a subclass of :class:`CortexkitError`
with a message that names the offending argument, file, unit or row and says how to
fix it.  The CLI turns these into a one-line message and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "CortexkitError",
    "ValidationError",
    "DataFormatError",
    "MissingDependencyError",
    "CortexkitWarning",
]


class CortexkitError(Exception):
    """Base class of all errors cortexkit raises for bad input.

    Parameters
    ----------
    *args
        The message (what is wrong and how to fix it).
    param : str, optional
        Keyword-only: the name of the offending parameter, when there is one.  Front
        ends use it to name their own spelling of it (the CLI prints its flag).

    Examples
    --------
    >>> from cortexkit.errors import ValidationError
    >>> err = ValidationError("bins must be a positive integer; got 0", param="bins")
    >>> err.param, str(err)
    ('bins', 'bins must be a positive integer; got 0')
    """

    def __init__(self, *args: object, param: str | None = None) -> None:
        super().__init__(*args)
        self.param = param

    def __reduce__(self):  # keep ``param`` across pickling (dask workers)
        return (_rebuild, (type(self), self.args, self.param))


def _rebuild(cls: type, args: tuple, param: str | None) -> CortexkitError:
    return cls(*args, param=param)


class ValidationError(CortexkitError, ValueError):
    """An argument has a wrong value, shape, unit or type (``param`` names it)."""


class DataFormatError(CortexkitError, ValueError):
    """A file or folder cannot be read as the format it claims (or was detected) to be."""


class MissingDependencyError(CortexkitError, ImportError):
    """An optional dependency needed by the called function is not installed."""


class CortexkitWarning(UserWarning):
    """Something in the data is suspicious but usable (sorted input, duplicates, ...)."""
