"""Editor support: JSON Schemas of the bound models, yaml-language-server modelines, VS Code map.

The JSON Schema is pydantic's, with two changes so editors agree with ``confman validate``:

* models that do not set ``extra`` get ``additionalProperties: false`` (confman forbids unknown
  keys by default);
* every property also accepts an OmegaConf interpolation string (``${data.num_classes}``), which
  only resolves when the config is composed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from confman.confine import refuse_link_write
from confman.schema.binding import Binding, Bindings, type_adapter

__all__ = ["json_schema", "schema_file_name", "vscode_settings", "write_modeline", "write_schemas"]

INTERPOLATION = {"type": "string", "pattern": r"^.*\$\{.+\}.*$", "description": "interpolation"}
MODELINE_PREFIX = "# yaml-language-server: $schema="
_HEADER = re.compile(r"^\s*#\s*@")


class _ConfmanJsonSchema(GenerateJsonSchema):
    """pydantic's generator, with confman's ``extra="forbid"`` default."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        result = super().model_schema(schema)
        if schema["cls"].model_config.get("extra") is None and result.get("type") == "object":
            result["additionalProperties"] = False
        return result


def _allow_interpolations(node: Any) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _allow_interpolations(value)
        props = node.get("properties")
        if isinstance(props, dict):
            for name, prop in list(props.items()):
                keep = {k: prop.pop(k) for k in ("title", "description", "default") if k in prop}
                props[name] = {**keep, "anyOf": [prop, INTERPOLATION]}
    elif isinstance(node, list):
        for value in node:
            _allow_interpolations(value)


def json_schema(binding: Binding) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one binding."""
    result = type_adapter(binding.schema).json_schema(
        mode="validation", schema_generator=_ConfmanJsonSchema
    )
    _allow_interpolations(result)
    result = {"$schema": "https://json-schema.org/draft/2020-12/schema", **result}
    result.setdefault("title", binding.key)
    return result


def schema_file_name(binding: Binding) -> str:
    """``train.schema.json`` for a config, ``group.model.schema.json`` for a group."""
    stem = binding.key.replace("/", ".")
    return f"{stem}.schema.json" if binding.kind == "config" else f"group.{stem}.schema.json"


def write_schemas(bindings: Bindings, out: Path) -> dict[str, Path]:
    """Write one schema file per binding into ``out``; return binding key -> file.

    Raises:
        ConfinementError: a schema file there is a symbolic link (never written through).
    """
    out.mkdir(parents=True, exist_ok=True)
    bound = [*bindings.configs.values(), *bindings.groups.values()]
    paths = [out / schema_file_name(binding) for binding in bound]
    for path in paths:  # all checked before any is written
        refuse_link_write(path, inside=out)
    written: dict[str, Path] = {}
    for binding, path in zip(bound, paths, strict=True):
        path.write_text(json.dumps(json_schema(binding), indent=2) + "\n", encoding="utf-8")
        written[f"{binding.kind}:{binding.key}"] = path
    return written


def bound_files(bindings: Bindings, config_dir: Path) -> list[tuple[Binding, Path]]:
    """Every YAML file a binding describes: each bound primary config and every option file."""
    files = [(b, config_dir / f"{b.key}.yaml") for b in bindings.configs.values()]
    for binding in bindings.groups.values():
        files += [(binding, p) for p in sorted((config_dir / binding.key).glob("*.yaml"))]
    return files


def write_modeline(path: Path, schema_path: Path, *, config_dir: Path | None = None) -> bool:
    """Add or refresh the modeline of ``path``; return True when the file changed.

    The line goes after Hydra's ``# @package`` header lines: Hydra stops reading its header at
    the first other line, so a modeline above ``# @package _global_`` would silently change
    where the file's keys land.

    Raises:
        ConfinementError: ``path`` (or a folder between ``config_dir`` and it) is a symbolic
            link: the file it points to may be anywhere, and is never written.
    """
    refuse_link_write(path, inside=config_dir or path.parent)
    rel = Path(os.path.relpath(schema_path, path.parent)).as_posix()
    modeline = f"{MODELINE_PREFIX}{rel}"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(MODELINE_PREFIX)]
    at = 0
    while at < len(kept) and _HEADER.match(kept[at]):
        at += 1
    new_lines = [*kept[:at], modeline + "\n", *kept[at:]]
    new_text = "".join(new_lines)
    if new_text == text:
        return False
    path.write_text(new_text, encoding="utf-8")
    return True


def vscode_settings(
    bindings: Bindings, written: dict[str, Path], root: Path, config_dir: Path
) -> dict[str, Any]:
    """The ``yaml.schemas`` mapping for VS Code's settings.json (paths relative to the root)."""

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, root)).as_posix()

    mapping: dict[str, list[str]] = {}
    for binding in bindings.configs.values():
        mapping[rel(written[f"config:{binding.key}"])] = [rel(config_dir / f"{binding.key}.yaml")]
    for binding in bindings.groups.values():
        mapping[rel(written[f"group:{binding.key}"])] = [rel(config_dir / binding.key) + "/*.yaml"]
    return {"yaml.schemas": mapping}
