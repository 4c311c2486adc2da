"""The root typer app and the one place where errors become exit codes."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from confman.errors import ConfmanError

__all__ = [
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "app",
    "debug_traceback",
    "fail",
    "main",
    "user_errors",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="confman",
    help="Config-as-code for ML systems on Hydra: compose with provenance, typed validation, "
    "run records, diff and lint.",
    add_completion=True,
    pretty_exceptions_enable=False,
    # Help texts print literally: rich markup would take ``[tool.confman]`` for a style tag and
    # drop it, and markdown would take ``_target_`` for emphasis.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"confman {version('confman')}")
        raise typer.Exit(EXIT_OK)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print confman's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Root options; bare ``confman`` prints the help and exits 0 (click would exit 2)."""
    if ctx.invoked_subcommand is None:  # bare ``confman``: the help is the answer, not an error
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_OK)


def fail(message: str, hint: str | None = None) -> typer.Exit:
    """Print one error line (and a hint) to stderr and return the exit to raise."""
    from confman.secrets import redact_error

    typer.echo(f"confman: error: {redact_error(message)}", err=True)
    if hint:
        typer.echo(f"  hint: {redact_error(hint)}", err=True)
    return typer.Exit(EXIT_ERROR)


def debug_traceback(exc: BaseException, code: int = EXIT_ERROR) -> typer.Exit:
    """Print ``exc``'s traceback to stderr and return the exit to raise.

    The traceback passes through the secrets module: messages and source lines have their
    ``key=value`` secrets, credential shapes and URL passwords replaced, and the values that
    pydantic and OmegaConf errors carry for a secret key are replaced wherever they appear.
    """
    from confman.secrets import format_exception

    typer.echo(format_exception(exc).rstrip("\n"), err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a ``ConfmanError`` into one stderr line and exit code 2.

    ``CONFMAN_DEBUG=1`` prints the (redacted) traceback instead.
    """
    try:
        yield
    except ConfmanError as exc:
        if os.environ.get("CONFMAN_DEBUG") == "1":
            raise debug_traceback(exc) from None
        raise fail(exc.message, exc.hint) from None


def main() -> None:
    """Console-script entry point.

    Python's own traceback would print exception messages as they are: every traceback
    confman shows goes through ``debug_traceback`` instead (exit 2 for an error confman
    reports, 1 for a crash, as Python's own).
    """
    try:
        app()
    except ConfmanError as exc:  # raised outside a command body, e.g. by a callback
        if os.environ.get("CONFMAN_DEBUG") == "1":
            sys.exit(debug_traceback(exc).exit_code)
        sys.exit(fail(exc.message, exc.hint).exit_code)
    except Exception as exc:  # a bug: its traceback is for a report, with secrets replaced
        sys.exit(debug_traceback(exc, 1).exit_code)
    finally:
        # The process ends here. Python's shutdown runs one last cycle collection over every
        # object, slow after a large lint (a million parse and provenance objects); frozen
        # objects are skipped, and the OS reclaims the memory anyway.
        gc.freeze()
