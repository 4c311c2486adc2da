"""The migration plan: every declared change in version order, checked to fit together.

A plan is built from ``[[tool.confman.migrations]]`` and from pydantic fields marked
``deprecated=`` with a replacement. It answers the questions every reader of old data asks:
what a key is called today (:meth:`Plan.new_key`), what an old config reads as today
(:meth:`Plan.apply`), and which declared change an old name comes from (:meth:`Plan.step_for`).

Bad declarations are one error each, before anything is rewritten: two changes of the same key
(or two keys renamed onto one), a chain that comes back to where it started, a rename onto a key
a config already has, and a change of a key that no config has under its old or its new name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from confman.errors import ConfmanError
from confman.migrate.model import Migration, version_key

__all__ = ["MigrationError", "Plan", "Step", "build_plan"]

Kind = Literal["rename", "move", "remove", "values"]


class MigrationError(ConfmanError):
    """The declared migrations do not fit together or do not fit the config tree."""


@dataclass(frozen=True)
class Step:
    """One declared change of one key.

    Attributes:
        kind: ``rename``, ``move``, ``remove`` or ``values``.
        key: the key path before the change.
        new: the key path after a rename or move.
        mapping: for ``values``, (old value, new value) pairs.
        version: the release that made the change.
        origin: where it is declared (``pyproject.toml migration 2.0``, ``schemas.optim:Opt.lr``).
    """

    kind: Kind
    key: str
    version: str
    origin: str
    new: str | None = None
    mapping: tuple[tuple[Any, Any], ...] = ()

    def describe(self) -> str:
        """``'optimizer.lr' was renamed to 'optimizer.learning_rate' in 2.0``."""
        if self.kind in ("rename", "move"):
            verb = "renamed" if self.kind == "rename" else "moved"
            return f"'{self.key}' was {verb} to '{self.new}' in {self.version}"
        if self.kind == "remove":
            return f"'{self.key}' was removed in {self.version}"
        pairs = ", ".join(f"{_text(o)} -> {_text(n)}" for o, n in self.mapping)
        return f"values of '{self.key}' changed in {self.version} ({pairs})"

    def covers(self, path: str) -> bool:
        """``path`` is this step's key or lies under it."""
        return path == self.key or path.startswith(self.key + ".")

    def mapped(self, value: Any) -> tuple[bool, Any]:
        """(True, new value) when a ``values`` step maps ``value``."""
        for old, new in self.mapping:
            if _same_value(value, old):
                return True, new
        return False, value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _same_value(value: Any, old: Any) -> bool:
    """A config value equals a TOML-declared old value (TOML keys are strings: ``"3"`` is 3)."""
    if type(value) is type(old) and value == old:
        return True
    return isinstance(old, str) and not isinstance(value, str) and _text(value) == old


@dataclass(frozen=True)
class Plan:
    """Every declared change, oldest version first (declaration order within a version)."""

    steps: tuple[Step, ...] = ()
    by_key: dict[str, Step] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def step_for(self, path: str) -> Step | None:
        """The first step that changes ``path`` (a key or a key under it), if any."""
        for step in self.steps:
            if step.covers(path):
                return step
        return None

    def new_key(self, path: str) -> str | None:
        """What ``path`` is called after every step (None: removed)."""
        current: str | None = path
        for step in self.steps:
            if current is None:
                return None
            if step.covers(current):
                if step.kind == "remove":
                    current = None
                elif step.new is not None:
                    current = step.new + current[len(step.key) :]
        return current

    def old_names(self) -> set[str]:
        """Every key path a step renames, moves or removes."""
        return {s.key for s in self.steps if s.kind != "values"}

    def apply(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` as it reads after every step (a new object; the input is not changed):
        keys renamed or moved (in place when the parent stays), removed keys gone, mapped values
        replaced, and ``${old.key}`` interpolations pointed at the new name."""
        data: dict[str, Any] = copy.deepcopy(dict(config))
        for step in self.steps:
            data = _apply_step(data, step)
        return data


# --- applying one step to plain data -----------------------------------------------------------


def _parent(data: dict[str, Any], path: str, create: bool = False) -> dict[str, Any] | None:
    node: Any = data
    for part in path.split(".")[:-1]:
        if not isinstance(node, dict):
            return None
        if part not in node and create:
            node[part] = {}
        node = node.get(part)
    return node if isinstance(node, dict) else None


def _apply_step(data: dict[str, Any], step: Step) -> dict[str, Any]:
    last = step.key.rpartition(".")[2]
    parent = _parent(data, step.key)
    if step.kind == "values":
        if parent is not None and last in parent:
            hit, new = step.mapped(parent[last])
            if hit:
                parent[last] = new
        return data
    if parent is None or last not in parent:
        return data
    if step.kind == "remove":
        del parent[last]
        return data
    assert step.new is not None
    value = parent[last]
    new_last = step.new.rpartition(".")[2]
    if step.kind == "rename":
        # same parent: the key keeps its place among its siblings
        items = [(new_last if k == last else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
    else:
        del parent[last]
        target = _parent(data, step.new, create=True)
        if target is not None:
            target[new_last] = value
    _repoint(data, step.key, step.new)
    return data


def repoint_text(text: str, old: str, new: str) -> str:
    """``${old}`` and ``${old.sub}`` in an interpolation string, pointed at ``new``."""
    if "${" not in text:
        return text
    return text.replace("${" + old + "}", "${" + new + "}").replace(
        "${" + old + ".", "${" + new + "."
    )


def _repoint(node: Any, old: str, new: str) -> Any:
    if isinstance(node, str):
        return repoint_text(node, old, new)
    if isinstance(node, dict):
        for k, v in node.items():
            node[k] = _repoint(v, old, new)
    elif isinstance(node, list):
        node[:] = [_repoint(v, old, new) for v in node]
    return node


# --- building and checking ---------------------------------------------------------------------


def _steps_of(migration: Migration, origin: str) -> Iterator[Step]:
    v = migration.version
    for old, new in migration.rename.items():
        yield Step("rename", old, v, origin, new=new)
    for old, new in migration.move.items():
        yield Step("move", old, v, origin, new=new)
    for key in migration.remove:
        yield Step("remove", key, v, origin)
    for key, mapping in migration.values.items():
        yield Step("values", key, v, origin, mapping=tuple(mapping.items()))


def build_plan(
    migrations: Sequence[Migration], extra: Iterable[Step] = (), *, origin: str = "pyproject.toml"
) -> Plan:
    """The plan of ``migrations`` (plus ``extra`` steps, e.g. from deprecated schema fields).

    Raises:
        MigrationError: two changes of one key, two keys renamed onto one, or a cycle.
    """
    steps = [s for m in migrations for s in _steps_of(m, f"{origin} migration {m.version}")]
    steps += list(extra)
    steps.sort(key=lambda s: version_key(s.version))  # stable: declaration order within one
    _check_conflicts(steps)
    _check_cycles(steps)
    return Plan(tuple(steps), {s.key: s for s in steps})


def _check_conflicts(steps: list[Step]) -> None:
    """One change per key (several ``values`` maps of one key are fine), one key per name."""
    seen: dict[str, Step] = {}
    targets: dict[str, Step] = {}
    for step in steps:
        earlier = seen.setdefault(step.key, step)
        if earlier is not step and not (step.kind == earlier.kind == "values"):
            raise MigrationError(
                f"conflicting migrations of '{step.key}': {earlier.describe()} "
                f"({earlier.origin}), and {step.describe()} ({step.origin})",
                hint="declare one change per key; chain renames through the new name",
            )
        if step.new is not None:
            other = targets.setdefault(step.new, step)
            if other is not step:
                raise MigrationError(
                    f"conflicting migrations onto '{step.new}': {other.describe()} "
                    f"({other.origin}), and {step.describe()} ({step.origin})",
                    hint="two keys cannot take one name; remove one or rename it elsewhere",
                )


def _check_cycles(steps: list[Step]) -> None:
    edges = {s.key: s for s in steps if s.new is not None}
    for start in edges:
        chain, current = [start], edges[start].new
        while current is not None and current in edges:
            chain.append(current)
            if current == start:
                raise MigrationError(
                    "cyclic migrations: " + " -> ".join(f"'{k}'" for k in chain),
                    hint="a key cannot be renamed back to a name it had; pick a new name",
                )
            if len(chain) > len(edges) + 1:
                break
            current = edges[current].new
