"""The ``cortexkit`` command line.

Every command lives in its own module ``cortexkit/cli/cmd_<name>.py`` that defines
``register(app)``; they are discovered here, so adding a command touches no shared file.
Commands call library functions only; :func:`main` maps errors to exit codes
(0 ok, 2 bad usage or bad input, 1 internal error).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click
import typer

from cortexkit.errors import CortexkitError

_TyperClickException: type[Any]
try:  # typer >= 0.2x raises usage errors (e.g. --bins abc) from its vendored click
    from typer._click.exceptions import ClickException as _TyperClickException
except ImportError:  # pragma: no cover - typer built on the real click
    _TyperClickException = click.ClickException

__all__ = ["main", "build_app"]


def build_app() -> typer.Typer:
    """Create the typer application with every ``cmd_*`` module registered."""
    app = typer.Typer(
        name="cortexkit",
        help="cortexkit: spike trains, ISI models, information, LIF, causality and RSA.\n\n"
        "Every analysis command takes an optional DATA path (default: bundled data) and "
        "--json for machine-readable output on stdout.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    pkg = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(app)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    app = build_app()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        rv = app(args=argv, prog_name="cortexkit", standalone_mode=False)
    except CortexkitError as exc:
        print(f"error: {_with_flag(str(exc), exc.param, _flags(app, argv))}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 1
    except (click.ClickException, _TyperClickException) as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `cortexkit`: usage, exit 2
            print(exc.format_message(), file=sys.stderr)
            return 2
        # One line, like every other bad-input message; --help has the details.
        known = argv and argv[0] in {c.name for c in app.registered_commands}
        hint = f"cortexkit {argv[0]} --help" if known else "cortexkit --help"
        print(f"error: {exc.format_message()} (see '{hint}')", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: not enough memory for this request; use a smaller input or smaller "
              "sizes (neurons, steps, bins)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, exit 1
        print(f"internal error: {type(exc).__name__}: {exc} "
              "(please report this with the command you ran)", file=sys.stderr)
        return 1
    return int(rv) if isinstance(rv, int) else 0


def _flags(app: typer.Typer, argv: list[str]) -> dict[str, str]:
    """Parameter name -> its long flag, for the command in ``argv`` (empty if none)."""
    try:
        group: Any = typer.main.get_command(app)
        cmd = group.commands.get(argv[0]) if argv else None
    except Exception:  # noqa: BLE001 - only used to improve an error message
        return {}
    if cmd is None:
        return {}
    flags = {}
    for p in cmd.params:
        longs = [o for o in getattr(p, "opts", ()) if o.startswith("--")]
        if longs and p.name:
            flags[p.name] = longs[0]
    return flags


def _with_flag(message: str, param: str | None, flags: dict[str, str]) -> str:
    """Name the command-line flag in a library message about parameter ``param``.

    Library messages name parameters (``n_neurons must be ...``, ``pass
    sample_rate=30000``); the CLI user typed a flag. Keyword hints become what to type
    (``sample_rate=30000`` -> ``--sample-rate 30000``, ``sort=True`` -> ``--sort``); the
    parameter name itself stays, and the flag is added at the end unless the message
    already shows it.
    """
    flag = flags.get(param) if param else None
    if flag is None or param is None:
        return message
    message = message.replace(f"{param}=True", flag).replace(f"{param}=", f"{flag} ")
    if flag not in message:
        message += f" (command-line option {flag})"
    return message


def _entry() -> None:  # pragma: no cover
    sys.exit(main())
