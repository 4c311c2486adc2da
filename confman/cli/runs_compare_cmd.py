"""``confman runs compare``: one table of the config keys that differ across recorded runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import user_errors

__all__ = ["add_compare"]

FORMATS = ("table", "markdown", "csv", "json")


def add_compare(runs_app: typer.Typer) -> None:
    """Add ``compare`` to a ``runs`` command group."""

    @runs_app.command("compare")
    def compare(
        refs: Annotated[
            list[str] | None,
            typer.Argument(help="Runs: id, id prefix, @latest, @latest~N.", show_default=False),
        ] = None,
        where: Annotated[
            list[str] | None,
            typer.Option("--where", "-w", help="Select runs, e.g. 'optimizer.lr>=0.01'."),
        ] = None,
        limit: Annotated[
            int | None, typer.Option("--limit", "-n", help="At most N runs (newest first).")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="table, markdown, csv, json.")
        ] = "table",
        ignore: Annotated[
            list[str] | None,
            typer.Option("--ignore", "-i", help="Glob on dotted keys to leave out (repeatable)."),
        ] = None,
        config_dir: Annotated[
            Path | None, typer.Option("--config-dir", "-c", help="Project config tree.")
        ] = None,
    ) -> None:
        """Show only the config keys that differ across runs, most-varying first."""
        from confman.diff.runtable import render_table
        from confman.errors import ConfmanError
        from confman.migrate.records import compare_current
        from confman.settings import load_settings
        from confman.store import open_store

        with user_errors():
            if fmt not in FORMATS:
                raise ConfmanError(
                    f"unknown format '{fmt}'", hint=f"use one of: {', '.join(FORMATS)}"
                )
            if not refs and not where:
                raise ConfmanError(
                    "no runs to compare", hint="name runs (id prefix, @latest~N) or use --where"
                )
            settings = load_settings(config_dir=config_dir)
            with open_store(settings=settings) as store:
                table = compare_current(
                    store,
                    settings,
                    refs or None,
                    where=list(where or ()),
                    limit=limit,
                    ignore=tuple(ignore or ()),
                )
            if len(table.runs) < 2:
                raise ConfmanError(
                    f"{len(table.runs)} run(s) selected; compare needs at least 2",
                    hint="widen --where or name more runs",
                )
        typer.echo(render_table(table, fmt), nl=False)
