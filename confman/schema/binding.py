"""Schema bindings: which pydantic type checks which primary config or config group.

Bindings live in ``[tool.confman.schemas]`` of pyproject.toml::

    [tool.confman.schemas]
    train = "schemas.train:TrainConfig"          # a primary config (conf/train.yaml)
    optimizer = "schemas.optim:OptimizerConfig"  # every option of conf/optimizer/
    "model/encoder" = "schemas.model:Encoder"    # a nested group
    model = "schemas.model:AnyModel"             # a discriminated union type alias

A key names a primary config when ``<config_dir>/<key>.yaml`` exists, else a group directory.
The value is ``module:attribute``; the module is imported with the project root first on
``sys.path`` (it is the user's own schema code, named by the user in pyproject). Nothing a config
*value* names (``_target_``) is ever imported.
"""

from __future__ import annotations

import importlib
import sys
import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter
from pydantic.errors import PydanticInvalidForJsonSchema, PydanticSchemaGenerationError

from confman.errors import SchemaError, did_you_mean
from confman.secrets.rules import secret_fields
from confman.settings import Settings

__all__ = [
    "Binding",
    "Bindings",
    "bound_secret_paths",
    "import_schema",
    "load_bindings",
    "type_adapter",
]


@dataclass(frozen=True)
class Binding:
    """One ``[tool.confman.schemas]`` entry.

    Attributes:
        key: the primary config name (``train``) or group path (``model/encoder``).
        kind: ``config`` for a primary config, ``group`` for every option of a group.
        spec: the ``module:attribute`` text from pyproject.
        schema: the imported type (a ``BaseModel`` subclass or an annotated union).
    """

    key: str
    kind: Literal["config", "group"]
    spec: str
    schema: Any

    @property
    def package(self) -> str:
        """Where a group's options land in the composed config (``model/encoder`` -> dots)."""
        return self.key.replace("/", ".")


@dataclass(frozen=True)
class Bindings:
    """All bindings of a project, split by kind."""

    configs: dict[str, Binding]
    groups: dict[str, Binding]

    def __bool__(self) -> bool:
        return bool(self.configs or self.groups)


def load_bindings(settings: Settings) -> Bindings:
    """Read, import and check every binding of the project.

    Raises:
        SchemaError: one clear message for the first unusable binding.
    """
    table = settings.raw.get("schemas", {})
    where = f"{settings.source or 'pyproject.toml'} [tool.confman.schemas]"
    if not isinstance(table, dict):
        raise SchemaError(f'{where} must be a table of name = "module:Model"')
    configs: dict[str, Binding] = {}
    groups: dict[str, Binding] = {}
    for key, spec in table.items():
        if not isinstance(spec, str):
            raise SchemaError(f"{where}: '{key}' must be a string \"module:Model\", got {spec!r}")
        key = key.strip("/")
        schema = import_schema(spec, settings.root, what=f"{where} '{key}'")
        if (settings.config_dir / f"{key}.yaml").is_file():
            configs[key] = Binding(key, "config", spec, schema)
        elif (settings.config_dir / key).is_dir():
            groups[key] = Binding(key, "group", spec, schema)
        else:
            known = _config_names(settings.config_dir)
            hint = did_you_mean(key, known) or f"known: {', '.join(sorted(known)) or 'none'}"
            raise SchemaError(
                f"{where}: '{key}' is neither a primary config nor a group in "
                f"{settings.config_dir}",
                hint=hint,
            )
    return Bindings(configs, groups)


def _config_names(config_dir: Path) -> list[str]:
    if not config_dir.is_dir():
        return []
    names = [p.stem for p in config_dir.glob("*.yaml")]
    names += [str(p.relative_to(config_dir)) for p in config_dir.rglob("*") if p.is_dir()]
    return names


def import_schema(spec: str, root: Path | None = None, *, what: str = "schema") -> Any:
    """Import ``module:attribute`` (the project root first on ``sys.path``) and check it.

    Raises:
        SchemaError: bad spec, import failure, not a pydantic model, or unrepresentable field.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise SchemaError(
            f"{what}: '{spec}' is not 'module:Model'", hint="e.g. schemas.train:Train"
        )
    root_str = str((root or Path.cwd()).resolve())
    added = root_str not in sys.path
    if added:
        sys.path.insert(0, root_str)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's module may raise anything while importing
        raise SchemaError(
            f"{what}: cannot import schema module '{module_name}': {type(exc).__name__}: {exc}",
            hint=f"the module is imported relative to {root_str}",
        ) from exc
    finally:
        if added:
            sys.path.remove(root_str)
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            names = [n for n in dir(module) if not n.startswith("_")]
            raise SchemaError(
                f"{what}: module '{module_name}' has no attribute '{attr}'",
                hint=did_you_mean(part, names),
            )
        obj = getattr(obj, part)
    check_schema(obj, what=f"{what} '{spec}'")
    return obj


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """Every BaseModel class a type annotation may produce (unions and Annotated unwrapped)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _models_in(arg)]
    return []


def check_schema(tp: Any, *, what: str = "schema") -> None:
    """Refuse anything that is not a pydantic model (or a union of them), and fields that no
    YAML value can satisfy (pydantic cannot give them a JSON Schema)."""
    if not _models_in(tp):
        raise SchemaError(
            f"{what} is {tp!r}, not a pydantic model",
            hint="bind a pydantic.BaseModel subclass or an Annotated union of them",
        )
    try:
        type_adapter(tp).json_schema(mode="validation")
    except (PydanticInvalidForJsonSchema, PydanticSchemaGenerationError) as exc:
        raise SchemaError(
            f"{what}: a field has no possible YAML value: {exc}".split("\n")[0],
            hint="use YAML-representable types (str, numbers, bool, lists, dicts, models)",
        ) from exc


@cache
def type_adapter(tp: Any) -> TypeAdapter[Any]:
    """One cached ``TypeAdapter`` per schema type (building one costs milliseconds)."""
    return TypeAdapter(tp)


def bound_secret_paths(settings: Settings, config_name: str | None) -> list[str]:
    """``secret_fields`` of the models ``[tool.confman.schemas]`` binds: ``config_name``'s and
    every other config's and group's (the project's own code, which pyproject names); none when
    they cannot load."""
    if not settings.raw.get("schemas"):
        return []
    try:
        bindings = load_bindings(settings)
    except Exception:  # a broken binding is validate's to report; recording goes on
        return []
    # Every primary config's models, not only ``config_name``'s: a ``SecretStr`` path of any of
    # them is treated as secret in this run too (argv often carries overrides for another).
    paths: list[str] = []
    for binding in bindings.configs.values():
        paths.extend(secret_fields(binding.schema))
    for binding in bindings.groups.values():
        paths.extend(secret_fields(binding.schema, binding.package))
    return paths
