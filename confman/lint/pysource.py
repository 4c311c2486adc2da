"""Static evidence of which config keys Python code reads, from ``ast`` only (never imported).

Like vulture, this works on names: an attribute chain ``cfg.optimizer.lr``, a subscript
``cfg["optimizer"]["lr"]``, ``getattr(cfg, "lr")`` and ``cfg.get("lr")`` all count ``lr`` (and
``optimizer``) as read. Where whole subtrees go (instantiated, handed to code we cannot read,
only logged) is :mod:`confman.lint.configflow`'s part; the flows it finds are kept here.
Strings shaped like ``group=option`` are collected too, because code and tests select options
that way, and so are the config names code composes (``config_name="train"``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from confman.lint.astwalk import Walker
from confman.lint.configflow import Flow, FlowCollector

__all__ = ["PythonEvidence", "SourceProblem", "collect_python"]

_SELECTION = re.compile(r"^\+?([A-Za-z_][\w/.]*)=([\w.-]+)$")


@dataclass(frozen=True)
class SourceProblem:
    """A Python file that could not be read or parsed."""

    file: Path
    line: int
    message: str


@dataclass
class PythonEvidence:
    """What the project's Python source reads.

    Attributes:
        names: every attribute name and string key read anywhere (``lr``, ``optimizer``).
        chains: dotted chains without their root name (``optimizer.lr``).
        flows: config subtrees reaching ``instantiate``, unreadable code or a logger.
        config_names: names of primary configs the code composes or runs
            (``config_name="train"``, ``compose("train")``).
        selections: ``group=option`` strings found in the code.
        pairs: ``(name, string)`` pairs the code spells as data: a dict entry ``{"dset": "x"}``,
            a keyword ``sub(dset="x")``, an assignment ``dset = "x"``, a loop
            ``for dset in ["a", "b"]`` (how grids and launch scripts select options).
        identifiers: every other name and string (weaker evidence, lowers confidence).
        fields: annotated fields of classes (dataclass and pydantic schemas declare keys so).
        calls: dotted names of every callee (``TrainConfig.model_validate``, ``build``).
        supplied: keyword arguments the code passes to ``instantiate``/``call`` beside a config
            (``instantiate(cfg.scheduler, optimizer=opt)``): they replace the config's value of
            that key before it is ever resolved.
        files: how many files were read.
        problems: files that failed to read or parse.
    """

    names: set[str] = field(default_factory=set)
    chains: set[str] = field(default_factory=set)
    flows: set[Flow] = field(default_factory=set)
    config_names: set[str] = field(default_factory=set)
    selections: set[tuple[str, str]] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    supplied: set[str] = field(default_factory=set)
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


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Visitor(Walker):
    def __init__(self, ev: PythonEvidence) -> None:
        self.ev = ev

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            k, v = _text(key), _text(value)
            if k and v:
                self.ev.pairs.add((k, v))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v = _text(node.value)
            if v:
                self.ev.pairs.add((node.targets[0].id, v))
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        if isinstance(node.target, ast.Name) and isinstance(
            node.iter, (ast.List, ast.Tuple, ast.Set)
        ):
            for element in node.iter.elts:
                v = _text(element)
                if v:
                    self.ev.pairs.add((node.target.id, v))
        self.generic_visit(node)

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

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                self.ev.fields.add(stmt.target.id)
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
        for kw in node.keywords:
            v = _text(kw.value)
            if kw.arg and v:
                self.ev.pairs.add((kw.arg, v))
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
        if isinstance(func, ast.Attribute) and func.attr == "select" and len(node.args) > 1:
            key = node.args[1]  # OmegaConf.select(cfg, "a.b")
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.ev.names.update(key.value.split("."))
                self.ev.chains.add(key.value)
        if callee and callee[-1] in ("instantiate", "call") and node.args:
            self.ev.supplied.update(
                k.arg for k in node.keywords if k.arg and not k.arg.startswith("_")
            )
        named = [k.value for k in node.keywords if k.arg == "config_name"]
        if callee and callee[-1] == "compose" and node.args:
            named.append(node.args[0])
        for value in named:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.ev.config_names.add(value.value.rsplit("/", 1)[-1].removesuffix(".yaml"))
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


def collect_python(files: list[Path], root: Path, *, flows: bool = True) -> PythonEvidence:
    """Read every file with ``ast`` and gather the evidence; bad files become problems.

    ``flows``: also follow config subtrees through the code (:mod:`confman.lint.configflow`),
    the costly part; tests are read without it (they select options, they do not consume keys).
    """
    ev = PythonEvidence()
    collector = FlowCollector()
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
        _Visitor(ev).visit(tree)
        if flows:
            collector.add_module(_module_name(path, root), tree)
    if flows:
        ev.flows = collector.flows()
    return ev
