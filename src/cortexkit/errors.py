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
    """Base class of all errors cortexkit raises for bad input."""


class ValidationError(CortexkitError, ValueError):
    """An argument has a wrong value, shape, unit or type.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    param : str, optional
        The name of the offending parameter (keyword-only).  Front ends use it to name
        their own spelling of the parameter, e.g. the CLI prints its flag.
    """

    def __init__(self, *args: object, param: str | None = None) -> None:
        super().__init__(*args)
        self.param = param


class DataFormatError(CortexkitError, ValueError):
    """A file or folder cannot be read as the format it claims (or was detected) to be."""


class MissingDependencyError(CortexkitError, ImportError):
    """An optional dependency needed by the called function is not installed."""


class CortexkitWarning(UserWarning):
    """Something in the data is suspicious but usable (sorted input, duplicates, ...)."""
