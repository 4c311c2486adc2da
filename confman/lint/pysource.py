"""Static evidence of which config keys Python code reads, from ``ast`` only (never imported).

Like vulture, this works on names: an attribute chain ``cfg.optimizer.lr``, a subscript
``cfg["optimizer"]["lr"]``, ``getattr(cfg, "lr")`` and ``cfg.get("lr")`` all count ``lr`` (and
``optimizer``) as read. A chain of two or more names passed whole to a call
(``build(cfg.model)``, ``instantiate(cfg.model)``, ``f(**cfg.model)``) marks that subtree as
consumed, unless the callee is a project function or class whose signature we can read: then
only the keys it accepts count. Strings shaped like ``group=option`` are collected too, because
code and tests select options that way.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PythonEvidence", "SourceProblem", "collect_python"]

_SELECTION = re.compile(r"^\+?([A-Za-z_][\w/.]*)=([\w.-]+)$")


@dataclass(frozen=True)
class SourceProblem:
    """A Python file that could not be read or parsed."""

    file: Path
    line: int
    message: str


@dataclass
class Signature:
    """Parameters of a project function or class ``__init__``, read from source."""

    params: set[str]
    var_keyword: bool


@dataclass
class PythonEvidence:
    """What the project's Python source reads.

    Attributes:
        names: every attribute name and string key read anywhere (``lr``, ``optimizer``).
        chains: dotted chains without their root name (``optimizer.lr``).
        consumed: chains passed whole to a call whose signature is unknown.
        signatures: project callables by name and by dotted module path.
        selections: ``group=option`` strings found in the code.
        identifiers: every other name and string (weaker evidence, lowers confidence).
        calls: dotted names of every callee (``TrainConfig.model_validate``, ``build``).
        files: how many files were read.
        problems: files that failed to read or parse.
    """

    names: set[str] = field(default_factory=set)
    chains: set[str] = field(default_factory=set)
    consumed: set[str] = field(default_factory=set)
    signatures: dict[str, Signature] = field(default_factory=dict)
    selections: set[tuple[str, str]] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    files: int = 0
    problems: list[SourceProblem] = field(default_factory=list)


def _chain(node: ast.expr) -> list[str] | None:
    """``cfg.a["b"].c`` -> ``["cfg", "a", "b", "c"]``; None when not a plain chain."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            if not isinstance(node.slice.value, str):
                return None
            parts.append(node.slice.value)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return None


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Signature:
    args = node.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    return Signature(params=names - {"self", "cls"}, var_keyword=args.kwarg is not None)


class _Visitor(ast.NodeVisitor):
    def __init__(self, ev: PythonEvidence, module: str) -> None:
        self.ev = ev
        self.module = module
        self.calls: list[tuple[str, list[str]]] = []

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.ev.names.add(node.attr)
        chain = _chain(node)
        if chain and len(chain) > 1:
            self.ev.chains.add(".".join(chain[1:]))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            self.ev.names.add(node.slice.value)
            chain = _chain(node)
            if chain and len(chain) > 1:
                self.ev.chains.add(".".join(chain[1:]))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.ev.identifiers.add(node.id)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self.ev.identifiers.add(node.arg)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.ev.identifiers.add(node.value)
            match = _SELECTION.match(node.value)
            if match:
                self.ev.selections.add((match.group(1).lstrip("/"), match.group(2)))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        callee = _chain(func) or []
        if callee:
            self.ev.calls.add(".".join(callee))
        first = node.args[1] if len(node.args) > 1 else None
        getter = isinstance(func, ast.Name) and func.id in ("getattr", "hasattr")
        if getter and isinstance(first, ast.Constant) and isinstance(first.value, str):
            self.ev.names.add(first.value)
        if isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "select") and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.ev.names.update(key.value.split("."))
        passed = [*node.args, *(k.value for k in node.keywords)]
        for arg in passed:
            inner = arg.value if isinstance(arg, ast.Starred) else arg
            chain = _chain(inner)
            if chain and len(chain) > 1:
                self.calls.append((callee[-1] if callee else "", chain[1:]))
        self.generic_visit(node)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if isinstance(node, ast.ClassDef):
            init = next(
                (b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == "__init__"),
                None,
            )
            if init is not None:
                sig = _signature(init)
            else:  # dataclass / pydantic model: annotated fields are the parameters
                fields = {
                    b.target.id
                    for b in node.body
                    if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name)
                }
                sig = Signature(params=fields, var_keyword=not fields)
        else:
            sig = _signature(node)
        self.ev.signatures.setdefault(node.name, sig)
        self.ev.signatures[f"{self.module}.{node.name}"] = sig

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._define(node)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._define(node)
        self.generic_visit(node)


def _module_name(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def collect_python(files: list[Path], root: Path) -> PythonEvidence:
    """Read every file with ``ast`` and gather the evidence; bad files become problems."""
    ev = PythonEvidence()
    calls: list[tuple[str, list[str]]] = []
    for path in files:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as exc:
            ev.problems.append(SourceProblem(path, exc.lineno or 1, f"cannot parse: {exc.msg}"))
            continue
        except (OSError, ValueError) as exc:
            ev.problems.append(SourceProblem(path, 1, f"cannot read: {exc}"))
            continue
        ev.files += 1
        visitor = _Visitor(ev, _module_name(path, root))
        visitor.visit(tree)
        calls.extend(visitor.calls)
    for callee, chain in calls:
        if callee in ("instantiate", "call"):
            continue  # resolved against the subtree's _target_ by the unused-key rule
        sig = ev.signatures.get(callee)
        if sig is None or sig.var_keyword:
            ev.consumed.add(".".join(chain))
        # a project callable reads its own parameters by name; those names are in ev.names
    ev.consumed.update(
        f"@instantiate:{'.'.join(c)}" for n, c in calls if n in ("instantiate", "call")
    )
    return ev
