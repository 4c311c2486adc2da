"""``confman schema infer``: pydantic models of an existing tree, bound in pyproject."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import user_errors
from confman.cli.hydrawarn import hydra_warnings

__all__ = ["infer_command"]


def infer_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Primary configs to type (default: every top-level one)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The module to write.")] = Path(
        "schemas/inferred.py"
    ),
    bind: Annotated[
        bool, typer.Option("--bind", help="Bind the models in [tool.confman.schemas].")
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", "-c", help="Hydra config tree.", show_default=False),
    ] = None,
) -> None:
    """Write pydantic models for the primaries and groups of the tree, from all its options.

    Every option file and every composition (each group option swapped in, each experiment
    added) is observed; the models are checked as `confman validate --all-options` checks
    them, and what would not pass is written but not bound, with the reason.

    Examples:

      confman schema infer --bind

      confman schema infer train --out schemas/train_inferred.py
    """
    from confman.errors import ConfmanError
    from confman.init.pyproject import with_schemas
    from confman.schema.infer import infer_schemas
    from confman.settings import load_settings

    with hydra_warnings(), user_errors():
        settings = load_settings(config_dir=config_dir)
        if not settings.config_dir.is_dir():
            raise ConfmanError(
                f"config directory not found: {settings.config_dir}",
                hint="run `confman init` or pass --config-dir",
            )
        target = out if out.is_absolute() else settings.root / out
        try:
            rel = target.resolve().relative_to(settings.root.resolve())
        except ValueError:
            raise ConfmanError(
                f"--out {out} is outside the project {settings.root}",
                hint="the module is imported from the project root",
            ) from None
        if rel.suffix != ".py" or not all(p.isidentifier() for p in rel.with_suffix("").parts):
            raise ConfmanError(
                f"--out {out}: not an importable module path", hint="e.g. schemas/inferred.py"
            )
        module = ".".join(rel.with_suffix("").parts)
        result = infer_schemas(settings, names or None, module=module)
        _make_package(target.parent, settings.root)
        target.write_text(result.source, encoding="utf-8")
        typer.echo(
            f"wrote {rel} ({result.source.count(chr(10) + 'class ')} models, "
            f"{result.compositions} compositions observed)"
        )
        for key, reason in result.unbound.items():
            typer.echo(f"not bound: {key}: {reason}", err=True)
        for cause, paths in sorted(result.unresolved.items()):
            keys = sorted(paths)
            more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
            typer.echo(
                f"note: {cause}; typed from the other values seen there, else Any: "
                f"{', '.join(keys[:3])}{more}",
                err=True,
            )
        if result.needs_allow_missing:
            typer.echo(
                "leaves ??? for the code to fill: "
                + ", ".join(result.needs_allow_missing)
                + " (validate with --allow-missing)",
                err=True,
            )
        if bind:
            pyproject = settings.source or settings.root / "pyproject.toml"
            old = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
            pyproject.write_text(with_schemas(old, result.bindings), encoding="utf-8")
            typer.echo(f"bound {len(result.bindings)} in {pyproject.name} [tool.confman.schemas]")
        else:
            typer.echo("add to [tool.confman.schemas] (or run again with --bind):")
            for key, spec in result.bindings.items():
                typer.echo(f'  "{key}" = "{spec}"')


def _make_package(folder: Path, root: Path) -> None:
    """Create ``folder`` with an ``__init__.py`` in each folder made: a regular package is
    found first from the project root, where a bare folder would lose to any installed
    package of the same name."""
    missing = []
    probe = folder
    while not probe.exists() and probe != root:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        (made / "__init__.py").write_text("", encoding="utf-8")
