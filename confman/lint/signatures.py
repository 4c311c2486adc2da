"""What a ``_target_`` accepts: the parameters of a class or function, read from its source file.

``hydra.utils.instantiate`` passes a node's keys to its ``_target_`` as keyword arguments, so
the target's signature says which keys it consumes. This module finds that signature without
importing anything: the dotted target is split into a module and an attribute, the module's
file is located by walking the project's own roots and then ``sys.path``
(``pkg/sub/mod.py`` or ``pkg/sub/mod/__init__.py``; only a top-level package's location is ever
asked of ``importlib.util.find_spec``, which does not import it), and the file is read with
``ast``. Re-exports (``from .adam import Adam`` in a package ``__init__``) and simple
inheritance (a class without ``__init__`` takes its first resolvable base's) are followed.
Anything that cannot be read this way is unknown (``None``), never guessed.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Signature", "SignatureFinder"]

#: How many re-exports and base classes are followed before a target counts as unknown.
MAX_HOPS = 8
#: Bases that add no ``__init__`` parameters of their own.
_NEUTRAL_BASES = {"object", "ABC", "Generic", "Protocol", "abc.ABC", "typing.Generic"}
_DATACLASS_DECORATORS = {"dataclass", "dataclasses.dataclass", "define", "attr.s", "attrs.define"}


@dataclass(frozen=True)
class Signature:
    """The keyword parameters a callable accepts.

    Attributes:
        params: parameter names (``self``/``cls`` left out).
        var_keyword: it takes ``**kwargs``, so it accepts every key.
        where: the dotted name it was read from (``torch.optim.adam.Adam``).
    """

    params: frozenset[str]
    var_keyword: bool
    where: str


def _function_signature(node: ast.FunctionDef | ast.AsyncFunctionDef, where: str) -> Signature:
    args = node.args
    names = {a.arg for a in (*args.args, *args.kwonlyargs)} - {"self", "cls"}
    return Signature(frozenset(names), args.kwarg is not None, where)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, ast.Subscript):  # Generic[T] and friends
        return _dotted(node.value)
    return None


@dataclass
class _Module:
    name: str
    is_package: bool
    tree: ast.Module


class SignatureFinder:
    """Finds signatures of dotted names in the given source roots, then in ``sys.path``.

    One finder per lint run: it caches parsed modules and answers, and ``clear()`` drops them.
    """

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [r for r in roots if r.is_dir()]
        self._modules: dict[str, _Module | None] = {}
        self._answers: dict[str, Signature | None] = {}

    def clear(self) -> None:
        self._modules.clear()
        self._answers.clear()

    def find(self, target: str) -> Signature | None:
        """The signature of ``target`` (``pkg.mod.Class`` or ``pkg.mod.function``), or None."""
        if target not in self._answers:
            self._answers[target] = self._find(target, MAX_HOPS)
        return self._answers[target]

    # -- locating modules -------------------------------------------------------------------

    def _search_dirs(self, top: str) -> list[Path]:
        dirs = list(self.roots)
        dirs += [Path(p) for p in sys.path if p and Path(p).is_dir()]
        try:  # a top-level name only: find_spec then imports nothing
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            for loc in spec.submodule_search_locations or ():
                dirs.append(Path(loc).parent)
            if spec.origin and spec.origin.endswith(".py"):
                dirs.append(Path(spec.origin).parent)
        return dirs

    def _module(self, name: str) -> _Module | None:
        if name in self._modules:
            return self._modules[name]
        found: _Module | None = None
        parts = name.split(".")
        if all(p.isidentifier() for p in parts):
            for base in self._search_dirs(parts[0]):
                stem = base.joinpath(*parts)
                for path, package in (
                    (stem / "__init__.py", True),
                    (stem.with_suffix(".py"), False),
                ):
                    if path.is_file():
                        try:
                            tree = ast.parse(path.read_bytes(), filename=str(path))
                        except (SyntaxError, ValueError, OSError):
                            continue
                        found = _Module(name, package, tree)
                        break
                if found:
                    break
        self._modules[name] = found
        return found

    # -- resolving names --------------------------------------------------------------------

    def _find(self, target: str, hops: int) -> Signature | None:
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self._module(".".join(parts[:cut]))
            if module is not None:
                return self._attr(module, parts[cut:], hops)
        return None

    def _attr(self, module: _Module, attrs: list[str], hops: int) -> Signature | None:
        if hops <= 0 or not attrs:
            return None
        node = self._lookup(module, attrs[0], hops)
        if isinstance(node, Signature) or node is None:
            return node if len(attrs) == 1 else None
        mod, found = node
        for attr in attrs[1:]:  # Class.Inner or Class.from_config
            if not isinstance(found, ast.ClassDef):
                return None
            inner = next(
                (
                    b
                    for b in found.body
                    if isinstance(b, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and b.name == attr
                ),
                None,
            )
            if inner is None:
                return None
            found = inner
        where = f"{mod.name}.{'.'.join(attrs)}"
        if isinstance(found, ast.ClassDef):
            return self._class(mod, found, where, hops)
        return _function_signature(found, where)

    def _lookup(
        self, module: _Module, name: str, hops: int
    ) -> tuple[_Module, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] | Signature | None:
        """Where ``name`` is defined in ``module``: its node, or a followed re-export's answer."""
        for stmt in reversed(module.tree.body):  # the last binding wins
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name == name:
                    return module, stmt
            elif isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == name:
                        source = self._absolute(module, stmt)
                        return self._find(f"{source}.{alias.name}", hops - 1) if source else None
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                tgt = stmt.targets[0]
                if isinstance(tgt, ast.Name) and tgt.id == name:
                    alias_of = _dotted(stmt.value)
                    if alias_of is None:
                        return None
                    return self._resolve_in(module, alias_of, hops - 1)
        return None

    def _absolute(self, module: _Module, stmt: ast.ImportFrom) -> str | None:
        if not stmt.level:
            return stmt.module
        package = module.name.split(".")
        if not module.is_package:
            package = package[:-1]
        if stmt.level > 1:
            package = package[: len(package) - (stmt.level - 1)]
        if not package:
            return None
        return ".".join([*package, *([stmt.module] if stmt.module else [])])

    def _resolve_in(self, module: _Module, dotted: str, hops: int) -> Signature | None:
        """A name as written in ``module`` (``Base``, ``nn.Module``), resolved to a signature."""
        head, _, rest = dotted.partition(".")
        local = self._lookup(module, head, hops)
        if not rest:
            if isinstance(local, tuple):
                mod, node = local
                if isinstance(node, ast.ClassDef):
                    return self._class(mod, node, f"{mod.name}.{node.name}", hops - 1)
                return _function_signature(node, f"{mod.name}.{node.name}")
            return local
        for stmt in module.tree.body:  # import torch.nn as nn / import torch
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if (alias.asname or alias.name.split(".")[0]) == head:
                        base = alias.name if alias.asname else head
                        return self._find(f"{base}.{rest}", hops - 1)
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == head:
                        source = self._absolute(module, stmt)
                        return self._find(f"{source}.{alias.name}.{rest}", hops - 1)
        return None

    def _class(
        self, module: _Module, node: ast.ClassDef, where: str, hops: int
    ) -> Signature | None:
        init = next(
            (
                b
                for b in node.body
                if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.name == "__init__"
            ),
            None,
        )
        if init is not None:
            return _function_signature(init, where)
        decorators = {
            _dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list
        }
        fields = {
            b.target.id
            for b in node.body
            if isinstance(b, ast.AnnAssign)
            and isinstance(b.target, ast.Name)
            and "ClassVar" not in ast.unparse(b.annotation)
        }
        inherited = frozenset[str]()
        for base in node.bases:
            dotted = _dotted(base)
            if dotted is None:
                return None
            if dotted in _NEUTRAL_BASES:
                continue
            sig = self._resolve_in(module, dotted, hops - 1)
            if sig is None:
                return None  # an unreadable base may define __init__: unknown
            if sig.var_keyword:
                return Signature(sig.params | fields, True, where)
            inherited = sig.params
            if not (decorators & _DATACLASS_DECORATORS):
                return Signature(sig.params, False, where)
            break
        if decorators & _DATACLASS_DECORATORS:
            return Signature(frozenset(fields) | inherited, False, where)
        if node.keywords or any(d is not None for d in decorators):
            return None  # a metaclass or class decorator may change construction
        return Signature(inherited, False, where)
