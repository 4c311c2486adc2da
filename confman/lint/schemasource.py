"""Bound pydantic schemas read from source with ``ast``: fields, literal defaults, nesting.

The lint never imports project code, so ``[tool.confman.schemas]`` bindings
(``optimizer = "schemas.optim:OptimizerConfig"``) are resolved by finding the module's file
under the project root (or a ``src`` path) and reading its class bodies. A field's default is
known only when it is a literal (``lr: float = 1e-3``, ``Field(3, ...)``,
``Field(default=...)``), read with ``ast.literal_eval``, or ``Path("literal")``;
``default_factory``, other calls (``Split()``) and aliased fields are unknown, so no rule can
claim anything about them. Type aliases of unions
(``Annotated[Adam | Sgd, Field(discriminator="name")]``) resolve to their member classes;
names imported from other project modules are followed.
"""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PathDefault", "SchemaClass", "SchemaField", "SchemaReader"]

_UNKNOWN = object()
_PATH_TYPES = {"Path", "PurePath", "PosixPath", "PurePosixPath"}


@dataclass(frozen=True)
class PathDefault:
    """A ``Path("literal")`` default: pydantic turns the YAML string into the same path."""

    text: str


_UNION_NAMES = {"Union", "Optional"}


@dataclass
class SchemaField:
    """One annotated field of a schema class.

    Attributes:
        name: the key it validates.
        line: its line in ``file``.
        default: the literal default, or ``SchemaField.NO_DEFAULT`` when there is none or it
            cannot be read statically.
        literals: the values of a ``Literal[...]`` annotation (discriminators), else None.
        models: the schema classes its annotation names (nested models, union members).
    """

    NO_DEFAULT = _UNKNOWN

    name: str
    line: int
    default: Any = _UNKNOWN
    literals: frozenset[Any] | None = None
    models: list[SchemaClass] = field(default_factory=list)

    @property
    def has_default(self) -> bool:
        return self.default is not _UNKNOWN


@dataclass
class SchemaClass:
    """A class read from source; ``fields`` include inherited ones (base classes first)."""

    name: str
    module: str
    file: Path
    line: int
    fields: dict[str, SchemaField] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        return f"{self.module}:{self.name}"

    def discriminates(self, values: dict[str, Any]) -> bool:
        """True when every required ``Literal`` field accepts the value in ``values``."""
        for f in self.fields.values():
            if f.literals is None or f.has_default:
                continue
            value = values.get(f.name, _UNKNOWN)
            if isinstance(value, list | dict) or value not in f.literals:
                return False
        return True


class SchemaReader:
    """Resolves ``module:attribute`` specs to schema classes, parsing each module once.

    Args:
        roots: folders a dotted module name is looked up under, in order (project root, src).
    """

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self._trees: dict[str, tuple[Path, ast.Module] | None] = {}
        self._classes: dict[tuple[str, str], SchemaClass | None] = {}

    def resolve(self, spec: str) -> list[SchemaClass]:
        """The classes a binding spec names (one, or a union's members); [] when unreadable."""
        module, sep, attr = spec.partition(":")
        if not sep or "." in attr:
            return []
        return self._name(module, attr, depth=0)

    def _module(self, dotted: str) -> tuple[Path, ast.Module] | None:
        if dotted not in self._trees:
            self._trees[dotted] = None
            rel = Path(*dotted.split("."))
            for root in self.roots:
                for path in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
                    if path.is_file():
                        # CM000 reports unparseable project files; here they just resolve to []
                        with contextlib.suppress(SyntaxError, ValueError, OSError):
                            self._trees[dotted] = (path, ast.parse(path.read_bytes()))
                        break
                if self._trees[dotted] is not None:
                    break
        return self._trees[dotted]

    def _name(self, module: str, name: str, depth: int) -> list[SchemaClass]:
        """Classes bound to ``name`` at the top level of ``module`` (following imports)."""
        found = self._module(module)
        if found is None or depth > 8:
            return []
        for node in found[1].body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                cls = self._class(module, node)
                return [cls] if cls else []
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return self._models(module, node.value, depth + 1)
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and node.value is not None
            ):
                return self._models(module, node.value, depth + 1)
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        source = _absolute(module, node, found[0])
                        return self._name(source, alias.name, depth + 1) if source else []
        return []

    def _class(self, module: str, node: ast.ClassDef) -> SchemaClass | None:
        key = (module, node.name)
        if key in self._classes:
            return self._classes[key]
        found = self._module(module)
        assert found is not None
        cls = SchemaClass(node.name, module, found[0], node.lineno)
        self._classes[key] = cls  # before reading fields: a self-referencing model terminates
        for base in node.bases:
            for parent in self._models(module, base, depth=1):
                cls.fields.update(parent.fields)
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            name = stmt.target.id
            if name.startswith("_") or name == "model_config" or _is_classvar(stmt.annotation):
                continue
            default = _default(stmt.value)
            if default is None:  # aliased: the YAML key is not the field name
                cls.fields.pop(name, None)
                continue
            cls.fields[name] = SchemaField(
                name,
                stmt.lineno,
                default[0],
                _literals(stmt.annotation),
                self._models(module, stmt.annotation, depth=1),
            )
        return cls

    def _models(self, module: str, expr: ast.expr, depth: int) -> list[SchemaClass]:
        """Classes an annotation or alias expression can produce."""
        if depth > 8:
            return []
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                expr = ast.parse(expr.value, mode="eval").body
            except SyntaxError:
                return []
        if isinstance(expr, ast.Name):
            return self._name(module, expr.id, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return self._models(module, expr.left, depth + 1) + self._models(
                module, expr.right, depth + 1
            )
        if isinstance(expr, ast.Subscript):
            head = _tail(expr.value)
            args = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            if head == "Annotated":
                return self._models(module, args[0], depth + 1)
            if head in _UNION_NAMES:
                return [m for a in args for m in self._models(module, a, depth + 1)]
        return []


def _tail(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _absolute(module: str, node: ast.ImportFrom, path: Path) -> str | None:
    if node.level == 0:
        return node.module
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    if node.level - 1 > len(package):
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def _is_classvar(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return _tail(target) == "ClassVar"


def _literal(expr: ast.expr) -> Any:
    if (
        isinstance(expr, ast.Call)
        and _tail(expr.func) in _PATH_TYPES
        and len(expr.args) == 1
        and not expr.keywords
        and isinstance(expr.args[0], ast.Constant)
        and isinstance(expr.args[0].value, str)
    ):
        return PathDefault(expr.args[0].value)
    try:
        return ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _UNKNOWN


def _default(value: ast.expr | None) -> tuple[Any] | None:
    """``(default,)`` (``_UNKNOWN`` when none or not a literal); None for an aliased field."""
    if value is None:
        return (_UNKNOWN,)
    if isinstance(value, ast.Call) and _tail(value.func) == "Field":
        keywords = {k.arg: k.value for k in value.keywords if k.arg}
        if {"alias", "validation_alias"} & keywords.keys():
            return None
        if "default_factory" in keywords:
            return (_UNKNOWN,)
        if value.args:
            first = value.args[0]
            if isinstance(first, ast.Constant) and first.value is Ellipsis:
                return (_UNKNOWN,)
            return (_literal(first),)
        if "default" in keywords:
            return (_literal(keywords["default"]),)
        return (_UNKNOWN,)
    return (_literal(value),)


def _literals(annotation: ast.expr) -> frozenset[Any] | None:
    if isinstance(annotation, ast.Subscript) and _tail(annotation.value) == "Literal":
        args = (
            annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        )
        values = [_literal(a) for a in args]
        if all(v is not _UNKNOWN for v in values):
            try:
                return frozenset(values)
            except TypeError:
                return None
    return None
