"""``confman init``: adopt an existing Hydra repository by writing ``[tool.confman]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import EXIT_OK, user_errors

__all__ = ["register"]


def init_command(
    path: Annotated[
        Path, typer.Argument(help="The repository (default: the current directory).")
    ] = Path("."),
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir", "-c", help="Use this config dir, not the one found.", show_default=False
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Write without asking.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing [tool.confman] table.")
    ] = False,
) -> None:
    """Find the config dir, version_base, sources, experiment groups, ConfigStore modules and
    resolvers of a Hydra repository, and write [tool.confman] into its pyproject.toml.

    The change is shown as a diff first; the rest of pyproject.toml is kept as it is. Settings
    that would make confman import the project's code are written commented out.

    Examples:

      confman init

      confman init ../other-repo --config-dir configs --yes
    """
    from confman.errors import ConfmanError
    from confman.init.detect import detect, with_tree
    from confman.init.pyproject import existing_table, merged_text, render_table, unified_diff

    with user_errors():
        root = path.resolve()
        if not root.is_dir():
            raise ConfmanError(f"not a folder: {path}", hint="pass the repository's folder")
        adoption = detect(root)
        if config_dir is not None:
            chosen = (config_dir if config_dir.is_absolute() else Path.cwd() / config_dir).resolve()
            if not chosen.is_dir():
                raise ConfmanError(f"config dir not found: {config_dir}")
            adoption = with_tree(adoption, chosen)
        pyproject = root / "pyproject.toml"
        old = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
        if old is not None and existing_table(old) and not force:
            raise ConfmanError(
                f"{pyproject} already has a [tool.confman] table",
                hint="pass --force to replace it (its sub-tables too)",
            )
        new = merged_text(old, render_table(adoption))
        typer.echo(unified_diff(old, new, pyproject), nl=False)
        if not yes:
            if not sys.stdin.isatty() and sys.stdin is sys.__stdin__:
                typer.echo("nothing written: pass --yes to write without a terminal", err=True)
                raise typer.Exit(EXIT_OK)
            if not typer.confirm(f"Write {pyproject}?", default=True, err=True):
                typer.echo("nothing written", err=True)
                raise typer.Exit(EXIT_OK)
        pyproject.write_text(new, encoding="utf-8")
    typer.echo(f"wrote [tool.confman] to {pyproject}")
    for line in _summary(adoption):
        typer.echo(line)


def _summary(adoption: object) -> list[str]:
    """What else was found, and the commands to run next."""
    from confman.init.detect import Adoption

    assert isinstance(adoption, Adoption)
    out: list[str] = []
    others = adoption.trees[1:]
    if others:
        shown = ", ".join(adoption.rel(t.path) for t in others[:6])
        more = f" and {len(others) - 6} more" if len(others) > 6 else ""
        out.append(f"other config dirs: {shown}{more} (use --config-dir DIR with any command)")
    if adoption.experiment_groups:
        out.append(
            "experiment-like groups (one option per run): " + ", ".join(adoption.experiment_groups)
        )
    if adoption.scan.registrations:
        out.append(
            "ConfigStore entries are registered in Python: groups only they provide compose "
            "once `modules` is uncommented in [tool.confman]"
        )
    if adoption.scan.resolvers:
        names = sorted({r.name for r in adoption.scan.resolvers})
        out.append(
            f"custom resolvers ({', '.join(names)}): values using them resolve once "
            "[tool.confman.resolvers] names them"
        )
    tree = adoption.tree
    name = tree.config_names[0] if tree and tree.config_names else "CONFIG"
    out += [
        "next:",
        f"  confman compose {name} --provenance   # the composed config, value by value",
        "  confman schema infer                  # pydantic models of every primary and group",
        "  confman validate --all-options        # every option file against its model",
        "  confman lint                          # unused, duplicated and broken settings",
    ]
    return out


def register(app: typer.Typer) -> None:
    """Add ``init`` to the root app."""
    app.command("init")(init_command)
