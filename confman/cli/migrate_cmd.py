"""``confman migrate``: rewrite old names in the config tree, scripts and docs, proven by Hydra."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import EXIT_FINDINGS, EXIT_OK, user_errors

__all__ = ["register"]

MIGRATE_HELP = """Apply [[tool.confman.migrations]] (and schema fields marked renamed_to) to the
config tree and to the scripts, docs and Python files given as PATHS (their Hydra overrides).

Without a flag, lists each use of an old name (file:line) and shows the rewrite as a diff.
Every reachable composition is composed with Hydra before and after: a rewrite that would change
one beyond the declared change is refused and nothing is written (exit 2).

Examples:

confman migrate --check

confman migrate --write scripts/ README.md
"""


def register(app: typer.Typer) -> None:
    """Add ``migrate`` to the app."""

    @app.command("migrate", help=MIGRATE_HELP)
    def migrate_command(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(
                help="Scripts, docs, Python files or folders whose overrides to migrate.",
                show_default=False,
            ),
        ] = None,
        check: Annotated[
            bool, typer.Option("--check", help="Exit 1 while any file uses an old name (CI).")
        ] = False,
        diff: Annotated[bool, typer.Option("--diff", help="Show the rewrite as a diff.")] = False,
        write: Annotated[bool, typer.Option("--write", help="Write the proven rewrite.")] = False,
        config_dir: Annotated[
            Path | None,
            typer.Option("--config-dir", "-c", help="Hydra config tree.", show_default=False),
        ] = None,
    ) -> None:
        from confman.errors import ConfmanError
        from confman.migrate.api import migrate
        from confman.settings import load_settings

        with user_errors():
            if sum((check, diff, write)) > 1:
                raise ConfmanError("--check, --diff and --write exclude each other")
            for path in paths or []:
                if not path.exists():
                    raise ConfmanError(f"{path}: no such file or folder")
            settings = load_settings(config_dir=config_dir)
            if not settings.table.migrations and not settings.raw.get("schemas"):
                raise ConfmanError(
                    "no migrations declared",
                    hint='add [[tool.confman.migrations]] version = "2.0" '
                    'rename = {"a.old" = "a.new"} to pyproject.toml',
                )
            outcome = migrate(settings, paths or [], write=write, prove=not check)
        if not diff:
            for use in outcome.uses:
                typer.echo(str(use))
        if diff or not (check or write):
            typer.echo(outcome.diff(settings.root), nl=False)
        judged = f"{outcome.compositions} compositions composed with Hydra"
        if outcome.left_out:
            judged += f", {outcome.left_out} beyond the bound not judged"
        if write:
            typer.echo(
                f"rewrote {len(outcome.changed)} file(s); {judged}, unchanged but for "
                "the declared changes",
                err=True,
            )
        elif outcome.uses:
            typer.echo(
                f"{len(outcome.uses)} use(s) of old names in {len(outcome.changed)} file(s)"
                + ("" if check else f"; {judged}; run with --write to apply"),
                err=True,
            )
        if check and outcome.uses:
            raise typer.Exit(EXIT_FINDINGS)
        raise typer.Exit(EXIT_OK)
