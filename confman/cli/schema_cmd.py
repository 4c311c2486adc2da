"""``confman schema export`` (editor support) and ``confman import`` (schema-checked imports)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import EXIT_FINDINGS, user_errors

__all__ = ["register"]

schema_app = typer.Typer(
    help="JSON Schemas of the pydantic models bound in [tool.confman.schemas].",
    no_args_is_help=True,
)

ConfigDirOption = Annotated[
    Path | None,
    typer.Option("--config-dir", "-c", help="Hydra config tree.", show_default=False),
]


@schema_app.command("export")
def export_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the schema files. Default: .confman/schemas"),
    ] = None,
    modeline: Annotated[
        bool,
        typer.Option(
            "--modeline",
            help="Add or refresh '# yaml-language-server: $schema=...' in every bound file.",
        ),
    ] = False,
    vscode: Annotated[
        bool, typer.Option("--vscode", help="Print the yaml.schemas mapping for settings.json.")
    ] = False,
    config_dir: ConfigDirOption = None,
) -> None:
    """Write one JSON Schema per bound primary config and per bound group.

    Examples:

      confman schema export --modeline

      confman schema export --out .vscode/schemas --vscode
    """
    from confman.confine import refuse_link_write
    from confman.errors import ConfmanError
    from confman.schema.binding import load_bindings
    from confman.schema.export import bound_files, vscode_settings, write_modeline, write_schemas
    from confman.settings import load_settings

    with user_errors():
        settings = load_settings(config_dir=config_dir)
        bindings = load_bindings(settings)
        if not bindings:
            raise ConfmanError("no schemas bound", hint="add [tool.confman.schemas] to pyproject")
        folder = (out or settings.root / ".confman" / "schemas").resolve()
        written = write_schemas(bindings, folder)
        if vscode:
            payload = vscode_settings(bindings, written, settings.root, settings.config_dir)
            typer.echo(json.dumps(payload, indent=2))
        else:
            for path in written.values():
                typer.echo(f"wrote {path}")
        if modeline:
            changed = 0
            files = bound_files(bindings, settings.config_dir)
            for _, path in files:  # a link anywhere refuses the whole export, before any write
                refuse_link_write(path, inside=settings.config_dir)
            for binding, path in files:
                schema_path = written[f"{binding.kind}:{binding.key}"]
                changed += write_modeline(path, schema_path, config_dir=settings.config_dir)
            typer.echo(f"modelines: {changed} file(s) updated", err=vscode)


def import_command(
    src: Annotated[Path, typer.Argument(help="A JSON, TOML or YAML config to import.")],
    into: Annotated[
        Path, typer.Option("--into", help="New option file, e.g. conf/optimizer/adamw.yaml.")
    ],
    schema: Annotated[
        str | None,
        typer.Option("--schema", help="module:Model to validate against (default: the group's)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    config_dir: ConfigDirOption = None,
) -> None:
    """Import an existing config into the tree as a new option, validated on the way in.

    Exit 0 when written, 1 when the config does not match the schema (nothing written), 2 on
    bad input (existing target without --force, no schema, unreadable file).

    Example:

      confman import old_runs/adam.json --into conf/optimizer/adam_old.yaml
    """
    from confman.schema.binding import load_bindings
    from confman.schema.importer import import_config
    from confman.settings import load_settings

    with user_errors():
        settings = load_settings(config_dir=config_dir)
        bindings = load_bindings(settings)
        result = import_config(src, into, settings, bindings, schema_spec=schema, force=force)
    if not result.written:
        typer.echo(f"{src}: {len(result.issues)} issue(s); nothing written", err=True)
        for issue in result.issues:
            typer.echo(f"  {issue.text()}", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    typer.echo(f"wrote {into}")


def register(app: typer.Typer) -> None:
    """Add ``schema export`` and ``import`` to the root app."""
    from confman.cli.infer_cmd import infer_command

    schema_app.command("infer")(infer_command)
    app.add_typer(schema_app, name="schema")
    app.command("import")(import_command)
