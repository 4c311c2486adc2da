"""``Walker`` is a faster ``ast.NodeVisitor``: the same nodes, in the same order, to the same
methods, on every Python file of confman itself (every syntax confman's own code uses)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from confman.lint.astwalk import Walker

SOURCES = sorted((Path(__file__).resolve().parents[2] / "confman").rglob("*.py"))


class _Record:
    """Records each node a visitor reaches, and which method took it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    def visit_Name(self, node: ast.Name) -> None:
        self.seen.append(("Name", node.id, getattr(node, "lineno", 0)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.seen.append(("Attribute", node.attr, node.lineno))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        self.seen.append(("Constant", repr(node.value)[:40], node.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        self.seen.append(("Call", type(node.func).__name__, node.lineno))
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        self.seen.append(("generic", type(node).__name__, getattr(node, "lineno", 0)))
        super().generic_visit(node)  # type: ignore[misc]  # the visitor mixed in after this


class _Standard(_Record, ast.NodeVisitor):
    pass


class _Fast(_Record, Walker):
    pass


def _without_leaves(seen: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The standard visitor also calls ``generic_visit`` on nodes with nothing below them
    (``Load``, ``Store``, operators), which has no effect; ``Walker`` skips those calls."""
    leaves = {name for name in dir(ast) if isinstance(getattr(ast, name), type)}
    leaves = {
        n for n in leaves if issubclass(getattr(ast, n), ast.AST) and not getattr(ast, n)._fields
    }
    return [entry for entry in seen if not (entry[0] == "generic" and entry[1] in leaves)]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_same_visits_as_node_visitor(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    standard, fast = _Standard(), _Fast()
    standard.visit(tree)
    fast.visit(tree)
    assert fast.seen == _without_leaves(standard.seen)
    assert fast.seen


def test_subclasses_keep_their_own_methods() -> None:
    """Each subclass finds its own ``visit_*`` methods (the cache is per class)."""

    class Names(Walker):
        def __init__(self) -> None:
            self.names: list[str] = []

        def visit_Name(self, node: ast.Name) -> None:
            self.names.append(node.id)

    class Calls(Walker):
        def __init__(self) -> None:
            self.calls = 0

        def visit_Call(self, node: ast.Call) -> None:
            self.calls += 1
            self.generic_visit(node)

    tree = ast.parse("f(a, g(b))")
    names, calls = Names(), Calls()
    names.visit(tree)
    calls.visit(tree)
    names.visit(tree)
    assert names.names == ["f", "a", "g", "b"] * 2
    assert calls.calls == 2


def test_a_subclass_with_a_context_method_is_shown_the_contexts() -> None:
    """``ctx`` fields (``Load``/``Store``) are skipped only where no method wants them."""

    class Stores(Walker):
        def __init__(self) -> None:
            self.stores = 0

        def visit_Store(self, node: ast.Store) -> None:
            self.stores += 1

    class Standard(ast.NodeVisitor):
        def __init__(self) -> None:
            self.stores = 0

        def visit_Store(self, node: ast.Store) -> None:
            self.stores += 1

    tree = ast.parse("a = b\nfor x, y in z: c.d = 1\n")
    fast, standard = Stores(), Standard()
    fast.visit(tree)
    standard.visit(tree)
    assert fast.stores == standard.stores == 5  # a; (x, y), x, y; c.d
