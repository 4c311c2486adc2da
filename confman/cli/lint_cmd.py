"""``confman lint`` and ``confman rule``: ruff's UX over ``confman.lint``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from confman.cli.app import EXIT_FINDINGS, EXIT_OK, fail, user_errors

__all__ = ["register"]

Codes = Annotated[
    list[str] | None,
    typer.Option(help="Rule codes or prefixes, comma-separated (CM2, CM101).", show_default=False),
]


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Only report findings in these files or folders.", show_default=False),
    ] = None,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir",
            "-c",
            help="Hydra config tree (default from pyproject).",
            show_default=False,
        ),
    ] = None,
    select: Codes = None,
    extend_select: Codes = None,
    ignore: Codes = None,
    output_format: Annotated[
        str, typer.Option("--output-format", help="concise, full, json, sarif or github.")
    ] = "concise",
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Count findings per rule.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 1 for info-level findings too (by default only warnings and errors fail).",
        ),
    ] = False,
    add_noqa: Annotated[
        bool,
        typer.Option(
            "--add-noqa", help="Append '# confman: noqa: CODE' to every flagged YAML line."
        ),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Remove CM201/CM202 lines when composing every reachable composition with "
            "Hydra, before and after, proves nothing changes.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print a unified diff of what --fix would write, and write nothing "
            "(exit 1 when there is something to fix).",
        ),
    ] = False,
) -> None:
    """Lint configs, code and runs for unused, duplicated and broken settings."""
    from confman.cli.progress import progress_line
    from confman.lint.engine import lint
    from confman.lint.fix import add_noqa as do_add_noqa
    from confman.lint.fix import fix as do_fix
    from confman.lint.render import FORMATS, render
    from confman.lint.render import statistics as stats
    from confman.settings import load_settings

    if output_format not in FORMATS:
        raise fail(
            f"unknown --output-format '{output_format}'", hint=f"one of {', '.join(FORMATS)}"
        )
    with user_errors():
        settings = load_settings(config_dir=config_dir)
        if not settings.config_dir.is_dir():
            raise fail(
                f"config directory not found: {settings.config_dir}",
                hint="pass --config-dir DIR or set config_dir in [tool.confman] of pyproject.toml",
            )
        for p in paths or []:
            if not p.exists():
                raise fail(f"path '{p}' does not exist")
        args: dict[str, Any] = dict(
            select=_split(select), extend_select=_split(extend_select), ignore=_split(ignore)
        )
        if fix or diff:
            outcome = do_fix(settings, paths or [], **args, write=not diff)
            for line in outcome.messages:
                typer.echo(line, err=True)
            if diff:  # ruff's --diff: the diff only, exit 1 when there is something to fix
                typer.echo("".join(outcome.diff()), nl=False)
                raise typer.Exit(EXIT_FINDINGS if outcome.changed else EXIT_OK)
        with progress_line("confman lint: composing") as progress:
            result = lint(settings, paths or [], **args, progress=progress)
        if add_noqa:
            added = do_add_noqa(result)
            typer.echo(f"Added {added} noqa comment(s).", err=True)
            result = lint(settings, paths or [], **args)
    lines = stats(result) if statistics else render(result, output_format)
    for line in lines:
        typer.echo(line)
    if output_format in ("concise", "full") and not statistics:
        n = len(result.diagnostics)
        typer.echo(f"Found {n} finding(s)." if n else "All checks passed!", err=True)
    failing = [d for d in result.diagnostics if strict or d.severity != "info"]
    raise typer.Exit(EXIT_OK if exit_zero or not failing else EXIT_FINDINGS)


def rule_command(
    code: Annotated[str, typer.Argument(help="Rule code (CM201) or name (duplicate-key).")],
) -> None:
    """Print a rule's documentation."""
    from confman.lint.rules import RULES, rule

    module = rule(code)
    if module is None:
        raise fail(f"unknown rule '{code}'", hint=f"known rules: {', '.join(RULES)}")
    typer.echo(f"{module.CODE} {module.NAME} (default level: {module.LEVEL})\n")
    typer.echo((module.__doc__ or "").strip())


def register(app: typer.Typer) -> None:
    """Add ``lint`` and ``rule`` to the app."""
    app.command("lint")(lint_command)
    app.command("rule")(rule_command)
