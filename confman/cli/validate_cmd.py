"""``confman validate``: check configs, sweep points and option files against their schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from confman.cli.app import EXIT_FINDINGS, EXIT_OK, user_errors
from confman.cli.complete import tree_words
from confman.cli.hydrawarn import hydra_warnings

__all__ = ["register"]


def validate_command(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="Primary config names (default: every bound one), then Hydra overrides; "
            "sweeps like 'optimizer.lr=0.1,0.01' or 'model=glob(*)' validate every point.",
            show_default=False,
            autocompletion=tree_words,
        ),
    ] = None,
    all_options: Annotated[
        bool,
        typer.Option(
            "--all-options", help="Also validate every option file of every bound group alone."
        ),
    ] = False,
    allow_missing: Annotated[
        bool,
        typer.Option(
            "--allow-missing",
            help="Accept ??? (a value the code sets at run time), and interpolations of one, "
            "instead of reporting them.",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Report a value made by a resolver not registered here, or reading an "
            "environment variable not set here (not checked: a note by default), as an issue.",
        ),
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="concise, json or github (annotations).")
    ] = "concise",
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", "-c", help="Hydra config tree.", show_default=False),
    ] = None,
) -> None:
    """Validate configs against the pydantic schemas bound in [tool.confman.schemas].

    Exit 0 when everything is valid, 1 when something is not, 2 on bad input. A value made
    by a resolver that is not registered here (see [tool.confman.resolvers]), or reading an
    environment variable that is not set, is not checked: it is noted once per resolver or
    variable, and fails only with --strict.

    Examples:

      confman validate

      confman validate train 'optimizer.lr=0.1,0.01' 'model=mlp,logistic'

      confman validate --all-options --format github

      confman validate --allow-missing

      confman validate --strict
    """
    from confman.errors import ConfmanError
    from confman.schema.binding import load_bindings
    from confman.schema.report import run_validate
    from confman.settings import load_settings

    with hydra_warnings(), user_errors():
        if output_format not in ("concise", "json", "github"):
            raise ConfmanError(
                f"unknown --format '{output_format}'", hint="use concise, json or github"
            )
        settings = load_settings(config_dir=config_dir)
        bindings = load_bindings(settings)
        if not bindings:
            raise ConfmanError(
                "no schemas bound", hint='add [tool.confman.schemas] train = "module:Model"'
            )
        words = list(args or [])
        names = [w for w in words if "=" not in w and not w.startswith(("~", "+"))]
        overrides = [w for w in words if w not in names]
        for name in names:
            if not (settings.config_dir / f"{name}.yaml").is_file():
                raise ConfmanError(f"no primary config '{name}' in {settings.config_dir}")
        report = _redacted(
            run_validate(
                settings,
                bindings,
                names,
                overrides,
                all_options=all_options,
                allow_missing=allow_missing,
                strict=strict,
            )
        )
        if output_format == "json":
            typer.echo(json.dumps(report.to_json(), indent=2))
        else:
            for line in _lines(report, output_format, settings.config_dir):
                typer.echo(line)
    raise typer.Exit(EXIT_FINDINGS if report.failures else EXIT_OK)


def _redacted(report: Any) -> Any:
    """The report with secrets in targets, found values, locations and overrides as markers."""
    from dataclasses import replace

    from confman.schema.validate import ABSENT, Issue
    from confman.secrets import redact_at, redact_text

    def redacted(issue: Issue) -> Issue:
        found = issue.found if issue.found is ABSENT else redact_at(issue.path, issue.found)
        location, message = redact_text(issue.location), redact_text(issue.message)
        return replace(issue, found=found, location=location, message=message)

    for result in report.results:
        result.target = redact_text(result.target)
        result.issues = [redacted(issue) for issue in result.issues]
        result.unchecked = [redacted(issue) for issue in result.unchecked]
    report.noop = [redact_text(o) for o in report.noop]
    return report


def _lines(report: object, output_format: str, config_dir: Path) -> list[str]:
    from confman.schema.report import Report

    assert isinstance(report, Report)
    out: list[str] = []
    for result in report.failures:
        if output_format == "github":
            for issue in result.issues:
                where = ""
                if issue.file:
                    where = f" file={config_dir.name}/{issue.file}"
                    where += f",line={issue.line}" if issue.line else ""
                msg = issue.text(location=not issue.file)
                msg = f"{msg} [{result.target}]".replace("%", "%25").replace("\n", "%0A")
                out.append(f"::error{where}::{msg}")
        else:
            out.append(f"{result.target}: {len(result.issues)} issue(s)")
            out.extend(f"  {issue.text()}" for issue in result.issues)
    for override in report.noop:
        line = f"override '{override}' changes nothing (the value is already there)"
        out.append(f"::warning::{line}" if output_format == "github" else f"note: {line}")
    for line in _not_checked(report):
        out.append(f"::notice::{line}" if output_format == "github" else f"note: {line}")
    total, failed = len(report.results), len(report.failures)
    out.append(f"{total} checked, {total - failed} valid, {failed} invalid")
    return out


def _not_checked(report: Any) -> list[str]:
    """One line per cause (a resolver not registered, a variable not set): what was not
    checked, and the first place."""
    out = []
    for (message, hint), values in report.not_checked.items():
        configs = len({target for target, _ in values})
        _, first = values[0]
        count = f"{len(values)} value{'s' if len(values) > 1 else ''}"
        where = f"{configs} configs" if configs > 1 else values[0][0]
        out.append(
            f"not checked: {message} ({hint}); {count} in {where}, "
            f"first {first.path} at {first.location}"
        )
    return out


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the root app."""
    app.command("validate")(validate_command)
