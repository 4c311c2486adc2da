"""Bring an existing JSON/TOML/YAML config into the tree as a new, validated option file.

The data is validated against the group's bound schema (or an explicit one) before anything is
written; the file gets the keys the source set, in the model's field order (pydantic's dump order),
so imported options read like hand-written ones. An existing file is never overwritten without
``force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from confman.errors import ConfmanError, SchemaError
from confman.schema.api import read_with_locator
from confman.schema.binding import Bindings, import_schema, type_adapter
from confman.schema.validate import Issue, check, sort_issues
from confman.settings import Settings

__all__ = ["ImportResult", "import_config"]


@dataclass
class ImportResult:
    """Outcome of an import: the file written (None when validation failed) and the issues."""

    target: Path
    written: bool
    issues: list[Issue]
    text: str = ""


def import_config(
    src: Path,
    into: Path,
    settings: Settings,
    bindings: Bindings,
    *,
    schema_spec: str | None = None,
    force: bool = False,
) -> ImportResult:
    """Validate ``src`` and write it to ``into`` (a path inside the config dir).

    Raises:
        ConfmanError: target outside the config dir, existing target without ``force``, no
            schema for the group, unreadable source.
    """
    target = into if into.is_absolute() else (Path.cwd() / into)
    target = target.resolve()
    try:
        rel = target.relative_to(settings.config_dir)
    except ValueError:
        raise ConfmanError(
            f"--into {into} is not inside the config dir {settings.config_dir}",
            hint="e.g. --into conf/optimizer/adamw.yaml",
        ) from None
    if target.suffix != ".yaml":
        raise ConfmanError(f"--into {into}: an option file must end in .yaml")
    group = rel.parent.as_posix()
    if target.exists() and not force:
        raise ConfmanError(f"{into} already exists", hint="pass --force to overwrite it")
    if schema_spec is not None:
        schema = import_schema(schema_spec, settings.root, what="--schema")
    elif group in bindings.groups:
        schema = bindings.groups[group].schema
    else:
        raise SchemaError(
            f"no schema bound to group '{group}'",
            hint="pass --schema module:Model or bind the group in [tool.confman.schemas]",
        )
    data, locate = read_with_locator(src)
    if not isinstance(data, dict):
        raise ConfmanError(f"{src}: expected a mapping at the top, got {type(data).__name__}")

    instance, issues = check(data, schema, locate)
    if issues or instance is None:
        return ImportResult(target, False, sort_issues(issues))
    ordered = type_adapter(schema).dump_python(
        instance, mode="json", exclude_unset=True, by_alias=True
    )
    text = f"# Imported from {src.name} by confman import.\n" + yaml.safe_dump(
        ordered, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return ImportResult(target, True, [], text)
