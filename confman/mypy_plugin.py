"""A mypy plugin: ``confman.load_config("train")`` has the type bound to ``train`` in pyproject.

Enable it in the project's mypy configuration::

    [tool.mypy]
    plugins = ["confman.mypy_plugin"]

The bindings are read from ``[tool.confman.schemas]`` of the pyproject.toml mypy reads its
configuration from (else the nearest one above the current directory), as text: nothing is
imported. A call whose config name is a string literal bound to a model class returns that
class; ``schema=Model`` returns ``Model``; anything else keeps the declared type (``Any``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from mypy.nodes import Import, ImportAll, ImportBase, ImportFrom, MypyFile, StrExpr, TypeInfo
from mypy.options import Options
from mypy.plugin import FunctionContext, Plugin
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Type,
    TypeOfAny,
    TypeType,
    get_proper_type,
)

__all__ = ["ConfmanPlugin", "plugin"]

_HOOKED = {"confman.schema.api.load_config", "confman.schema.load_config", "confman.load_config"}
#: mypy's priority for a dependency added by a plugin (``PRI_MED``: after direct imports).
_PRIORITY = 10


def _bindings(options: Options) -> dict[str, str]:
    """``key -> module.Class`` from ``[tool.confman.schemas]``; empty when none is found."""
    candidates = []
    if options.config_file and options.config_file.endswith("pyproject.toml"):
        candidates.append(Path(options.config_file))
    here = Path.cwd()
    candidates += [folder / "pyproject.toml" for folder in (here, *here.parents)]
    for path in candidates:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        table = data.get("tool", {}).get("confman")
        if table is None:
            continue
        schemas = table.get("schemas", {})
        return {
            str(key).strip("/"): spec.replace(":", ".")
            for key, spec in (schemas.items() if isinstance(schemas, dict) else [])
            if isinstance(spec, str) and ":" in spec
        }
    return {}


class ConfmanPlugin(Plugin):
    """Types ``load_config`` calls from the project's schema bindings."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.bindings = _bindings(options)
        self.modules = sorted({spec.rpartition(".")[0] for spec in self.bindings.values()})

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """A module that imports confman also needs the bound schema modules analysed."""
        uses = any(name.split(".")[0] == "confman" for name in _imported(file.imports))
        if not uses or file.fullname in self.modules:
            return []
        return [(_PRIORITY, module, -1) for module in self.modules]

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return self._load_config if fullname in _HOOKED else None

    def _load_config(self, ctx: FunctionContext) -> Type:
        for names, types in zip(ctx.arg_names, ctx.arg_types, strict=False):
            for name, given in zip(names, types, strict=False):
                if name == "schema":
                    return _instance_of(given) or ctx.default_return_type
        first = ctx.args[0][0] if ctx.args and ctx.args[0] else None
        if not isinstance(first, StrExpr):
            return ctx.default_return_type
        spec = self.bindings.get(first.value)
        if spec is None:
            return ctx.default_return_type
        module_name, _, attr = spec.rpartition(".")
        module = ctx.api.modules.get(module_name)  # type: ignore[attr-defined]
        found = module.names.get(attr) if module is not None else None
        if found is None or not isinstance(found.node, TypeInfo):
            return ctx.default_return_type  # a type alias (a union), or not analysed
        info = found.node
        return Instance(info, [AnyType(TypeOfAny.special_form)] * len(info.defn.type_vars))


def _imported(imports: list[ImportBase]) -> list[str]:
    names: list[str] = []
    for imp in imports:
        if isinstance(imp, Import):
            names += [name for name, _ in imp.ids]
        elif isinstance(imp, ImportFrom | ImportAll):
            names.append(imp.id)
    return names


def _instance_of(given: Type) -> Type | None:
    """``Model`` for an argument of type ``type[Model]`` (or the class object itself)."""
    proper = get_proper_type(given)
    if isinstance(proper, TypeType):
        return proper.item
    if isinstance(proper, CallableType) and proper.is_type_obj():
        ret = get_proper_type(proper.ret_type)
        return ret if isinstance(ret, Instance) else None
    return None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return ConfmanPlugin
