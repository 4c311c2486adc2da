"""``confman diff A B``: what differs between two configs, and who set each side's value."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from confman.cli.app import EXIT_FINDINGS, EXIT_OK, user_errors
from confman.cli.complete import config_names
from confman.cli.hydrawarn import hydra_warnings

if TYPE_CHECKING:
    from confman.diff import Side

__all__ = ["register"]

FORMAT_NAMES = ("terminal", "json", "markdown", "yaml", "overrides")

_SIDES = (
    "Each side is a YAML/JSON file or a Hydra run dir, a config NAME composed from the tree, or "
    "NAME@REV composed from the tree as it was at git revision REV (the working tree and index "
    "are not touched). Give each side its own Hydra overrides with --a / --b (quoted, space "
    "separated, repeatable)."
)

DIFF_HELP = f"""Compare two configs: files, composed configs, configs at a git revision.

{_SIDES}

Examples:

confman diff train train --a 'model=vit' --b 'model=resnet optimizer.lr=0.1'

confman diff train@HEAD~1 train --exit-code

confman diff outputs/run1/.hydra/config.yaml train --format overrides
"""


def _split(values: list[str] | None) -> list[str]:
    words: list[str] = []
    for value in values or []:
        words.extend(shlex.split(value))
    return words


def _load(
    which: str, spec: str, overrides: list[str], config_dir: Path | None, resolve: bool
) -> Side:
    """Load one side; an error says which side it is about."""
    from confman.diff import load_side
    from confman.errors import ConfmanError

    try:
        return load_side(spec, overrides, config_dir=config_dir, resolve=resolve)
    except ConfmanError as exc:
        message = exc.message.removeprefix(f"{spec}: ")
        raise type(exc)(f"side {which} ({spec}): {message}", hint=exc.hint) from exc


def register(app: typer.Typer) -> None:
    """Add ``diff`` to the app."""

    @app.command("diff", help=DIFF_HELP)
    def diff(
        a: Annotated[
            str,
            typer.Argument(
                metavar="A",
                help="Side A: file, NAME, or NAME@REV.",
                show_default=False,
                autocompletion=config_names,
            ),
        ],
        b: Annotated[
            str,
            typer.Argument(
                metavar="B",
                help="Side B: file, NAME, or NAME@REV.",
                show_default=False,
                autocompletion=config_names,
            ),
        ],
        a_overrides: Annotated[
            list[str] | None,
            typer.Option("--a", "-a", help="Hydra overrides for side A, e.g. 'model=vit lr=0.1'."),
        ] = None,
        b_overrides: Annotated[
            list[str] | None,
            typer.Option("--b", "-b", help="Hydra overrides for side B."),
        ] = None,
        config_dir: Annotated[
            Path | None,
            typer.Option("--config-dir", "-c", help="Hydra config tree. Default: [tool.confman]."),
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="terminal, json, markdown, yaml, overrides.")
        ] = "terminal",
        ignore: Annotated[
            list[str] | None,
            typer.Option("--ignore", "-i", help="Glob on dotted keys to leave out (repeatable)."),
        ] = None,
        rtol: Annotated[float, typer.Option(help="Relative tolerance for numbers.")] = 0.0,
        atol: Annotated[float, typer.Option(help="Absolute tolerance for numbers.")] = 0.0,
        resolve: Annotated[
            bool | None,
            typer.Option(
                "--resolve/--no-resolve",
                help="Compare with interpolations resolved. Default: resolved, except for "
                "--format overrides, where interpolations stay as written so that the "
                "printed overrides do not pin values B computes itself. A value that cannot "
                "resolve here (${hydra:...} outside a run, a resolver registered in Python, a "
                "missing key) is compared as written and marked (as written).",
                show_default=False,
            ),
        ] = None,
        exit_code: Annotated[
            bool, typer.Option("--exit-code", help="Exit 1 when the sides differ (like git diff).")
        ] = False,
    ) -> None:
        from confman.diff import compare_sides
        from confman.diff.render import FORMATS, render_overrides, render_terminal, tree_groups
        from confman.settings import load_settings

        with hydra_warnings(), user_errors():
            if fmt not in FORMAT_NAMES:
                from confman.errors import ConfmanError

                raise ConfmanError(
                    f"unknown format '{fmt}'", hint=f"use one of: {', '.join(FORMAT_NAMES)}"
                )
            if rtol < 0 or atol < 0:
                from confman.errors import ConfmanError

                raise ConfmanError("--rtol and --atol must be >= 0")
            if resolve is None:
                resolve = fmt != "overrides"
            side_a = _load("A", a, _split(a_overrides), config_dir, resolve)
            side_b = _load("B", b, _split(b_overrides), config_dir, resolve)
            changes = compare_sides(side_a, side_b, ignore=ignore or (), rtol=rtol, atol=atol)
            # a top-level key named like one of the tree's config groups is never deleted or
            # set whole in overrides: Hydra would read the override as one of the group
            groups = (
                tree_groups(config_dir or load_settings().config_dir)
                if fmt == "overrides"
                else frozenset()
            )
        if fmt == "terminal":
            from rich.console import Console

            console = Console(highlight=False, soft_wrap=True)
            for line in render_terminal(changes, side_a, side_b):
                console.print(line)
        elif fmt == "overrides":
            typer.echo(render_overrides(changes, side_a, side_b, groups=groups), nl=False)
        else:
            typer.echo(FORMATS[fmt](changes, side_a, side_b), nl=False)
        raise typer.Exit(EXIT_FINDINGS if exit_code and changes else EXIT_OK)
