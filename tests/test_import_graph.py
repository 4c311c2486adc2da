"""The package's import graph has no circle (issue #14).

Every ``import`` and ``from ... import`` statement of every module under ``confman/`` is an edge,
wherever it stands: at the top, inside a function, under ``if TYPE_CHECKING``. An import deferred
into a function still ties the two modules together; it only moves the failure from import time
to call time, so it hides a circle instead of cutting it.

How an import becomes edges (importer ``m``):

- ``import confman.a.b`` and ``from confman.a import b`` (``b`` a submodule) name ``confman.a.b``;
  ``from confman.a import name`` (``name`` defined or re-exported there) names ``confman.a``.
  Relative imports resolve the same way, from ``m``'s own package.
- Only the module an import names is an edge, not the package ``__init__``s above it that Python
  runs first: a package's ``__init__`` importing (re-exporting) its own submodules is normal, and
  an outside module importing ``confman.a.b`` depends on ``b``, not on everything ``confman.a``
  re-exports. (Those implied edges are real at run time; counting them is a stricter check this
  test does not make yet.)
- A submodule importing *its own package* for a name (``from confman.secrets import redact``
  inside ``confman/secrets/rules.py``, when ``redact`` is defined in a sibling) is an explicit
  edge to that ``__init__``, which imports the submodule back: a circle. Import the sibling that
  defines the name instead.

A failure prints every circle as a path (``a -> b -> a``), and every strongly connected set, so
whoever adds one sees which import to cut: move the shared piece to a lower module, pass a
callback in, or move a function to the module that uses it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import confman

PACKAGE = Path(confman.__file__).parent


def _modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Every module of a package: dotted name -> (file, is a package ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement of ``module`` names (confman's or not)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    for alias in node.names:
        yield f"{source}.{alias.name}"  # a submodule if one exists, else a name in ``source``
        yield source


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the package's modules it imports (see the module docstring for the rules)."""
    modules = _modules(package)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = set()
            if isinstance(node, ast.ImportFrom):
                pairs = list(_named(node, module, is_package))
                for sub, source in zip(pairs[::2], pairs[1::2], strict=True):
                    targets.add(sub if sub in modules else source)
            else:
                targets.update(_named(node, module, is_package))
            for target in targets:
                while target and target not in modules:  # ``import a.b.name`` never happens,
                    target = target.rpartition(".")[0]  # but a non-module tail is dropped
                if not target:
                    continue
                edges[module].add(target)
    for module in edges:
        edges[module].discard(module)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """The sets of modules that reach each other (Tarjan), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative Tarjan: (node, its remaining successors)
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        found.append(sorted(members))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found, key=lambda s: (-len(s), s))


def cycles(edges: dict[str, set[str]], members: list[str]) -> list[list[str]]:
    """For each edge inside a strongly connected set, the shortest circle through it: enough
    paths to show every import that has to go, without listing every circle there is."""
    inside = set(members)
    seen: set[tuple[str, ...]] = set()
    out: list[list[str]] = []
    for start in members:
        for nxt in sorted(edges[start] & inside):
            path = _shortest(edges, inside, nxt, start)
            assert path is not None  # same strongly connected set
            circle = [start, *path]
            turn = circle.index(min(circle[:-1]))  # one spelling per circle
            key = tuple(circle[turn:-1] + circle[:turn])
            if key not in seen:
                seen.add(key)
                out.append([*key, key[0]])
    return out


def _shortest(edges: dict[str, set[str]], inside: set[str], a: str, b: str) -> list[str] | None:
    paths = {a: [a]}
    todo = [a]
    while todo:
        nxt_round = []
        for node in todo:
            if node == b:
                return paths[node]
            for nxt in sorted(edges[node] & inside):
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    nxt_round.append(nxt)
        todo = nxt_round
    return None


def _report(edges: dict[str, set[str]], sets: list[list[str]]) -> str:
    lines = []
    for members in sets:
        lines.append(f"circle among {len(members)} modules: {', '.join(members)}")
        lines.extend(f"  {' -> '.join(c)}" for c in cycles(edges, members))
    return "\n".join(lines)


def test_the_package_has_no_import_circle() -> None:
    edges = graph()
    sets = strongly_connected(edges)
    assert not sets, "import circles (cut one import of each path):\n" + _report(edges, sets)


def test_the_graph_sees_deferred_relative_and_implied_imports(tmp_path: Path) -> None:
    # The checker itself: each kind of import that can hide a circle is an edge.
    files = {
        "__init__.py": "from pkg.core import thing\n",
        "core.py": "def thing():\n    from pkg import late\n",  # deferred, own package
        "late.py": "from . import core\nfrom .deep import leaf\n",  # relative
        "deep/__init__.py": "",
        "deep/leaf.py": "import json\nfrom pkg.late import x\n",  # outside names dropped
        "typed.py": "import typing\n\nif typing.TYPE_CHECKING:\n    import pkg.deep.leaf\n",
    }
    for name, text in files.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(text)
    edges = graph(tmp_path / "pkg")
    assert edges == {
        "pkg": {"pkg.core"},
        "pkg.core": {"pkg.late"},  # ``late`` is a submodule: the edge goes to it
        "pkg.late": {"pkg.core", "pkg.deep.leaf"},
        "pkg.deep": set(),
        "pkg.deep.leaf": {"pkg.late"},
        "pkg.typed": {"pkg.deep.leaf"},  # under TYPE_CHECKING; not the pkg.deep it runs first
    }
    sets = strongly_connected(edges)
    assert sets == [["pkg.core", "pkg.deep.leaf", "pkg.late"]]
    report = _report(edges, sets)
    assert "pkg.core -> pkg.late -> pkg.core" in report
    assert "pkg.deep.leaf -> pkg.late -> pkg.deep.leaf" in report
    sample = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert strongly_connected(sample) == [["a", "b", "c"]]
    assert cycles(sample, ["a", "b", "c"]) == [["a", "b", "c", "a"]]
