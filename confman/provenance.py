"""Per-key provenance: which file line or CLI override wrote each leaf, in merge order.

Hydra merges configs with OmegaConf and keeps no record of where a value came from
(omegaconf#182, hydra#3454). confman records, while Hydra composes, every write to every leaf:
the file (relative to the config dir) and 1-based line of the key, or the CLI override, and the
value written. The oldest write comes first and the winner last.

A *leaf* is anything OmegaConf does not merge key by key: a scalar, ``None``, a list (Hydra merges
lists as a whole), ``???`` and an empty mapping. Writing a leaf over a mapping replaces the
mapping (its leaves' histories end); writing into a mapping over a leaf replaces the leaf.

Some final values have no direct writer: keys that appear when a mapping is merged into an
interpolation node (OmegaConf expands the interpolation), or values a structured schema coerced.
Those are marked ``indirect`` / ``coerced`` instead of being attributed to the wrong line.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["Provenance", "Write", "WriteKind", "iter_leaves", "show_value"]

WriteKind = Literal["file", "override", "delete", "indirect", "coerced"]

MISSING = "???"


@dataclass(frozen=True)
class Write:
    """One write to one leaf.

    Attributes:
        value: the value written, unresolved (interpolations stay ``${...}`` strings).
        kind: ``file`` (a YAML key), ``override`` (CLI), ``delete`` (``~key``), ``indirect`` (no
            direct writer; see ``note``) or ``coerced`` (a schema changed the written value).
        file: source file relative to the config dir (``file`` kind).
        line: 1-based line of the key in ``file``.
        override: the override as typed on the command line (``override``/``delete`` kinds).
        note: why a value is indirect or coerced.
    """

    value: Any
    kind: WriteKind = "file"
    file: str | None = None
    line: int | None = None
    override: str | None = None
    note: str | None = None

    @property
    def location(self) -> str:
        """Where the write came from, as a user reads it: ``file:line`` or ``override 'a=1'``."""
        if self.kind in ("override", "delete"):
            return f"override '{self.override}'"
        if self.kind in ("indirect", "coerced"):
            return self.note or self.kind
        if self.line is None:
            return self.file or "?"
        return f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md's provenance contract."""
        if self.kind == "file":
            return {"file": self.file, "line": self.line, "value": self.value}
        if self.kind == "override":
            return {"override": self.override, "value": self.value}
        if self.kind == "delete":
            return {"override": self.override, "deleted": True}
        return {self.kind: self.note, "value": self.value}


_NOT_MAPPINGS = frozenset({str, int, float, bool, type(None), list})


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without the ABC lookup for the usual plain types."""
    kind = type(value)
    return kind is dict or (kind not in _NOT_MAPPINGS and isinstance(value, Mapping))


def show_value(value: Any) -> str:
    """A value as a message shows it, in the words of the YAML it came from: ``null``,
    ``true``/``false`` (inside lists and mappings too), strings quoted, never Python's ``None``."""
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=True, default=repr)
    except ValueError:  # a container that holds itself
        return repr(value)


def iter_leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_path, value)`` for every leaf of plain nested dicts, depth first in order.

    Lists, scalars, ``None`` and empty mappings are leaves; non-empty mappings are recursed
    (with an explicit stack: nested generators cost a frame per level per leaf).
    """
    if not (_is_mapping(data) and data):
        if prefix:
            yield prefix.rstrip("."), data
        return
    stack = [(prefix, iter(data.items()))]
    while stack:
        base, items = stack[-1]
        for key, value in items:
            path = f"{base}{key}"
            if _is_mapping(value) and value:
                stack.append((f"{path}.", iter(value.items())))
                break
            yield path, value
        else:
            stack.pop()


def same_value(a: Any, b: Any) -> bool:
    """Equality for config values: NaN equals NaN, and ``True`` is not ``1``."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b) and (isinstance(a, bool) or isinstance(b, bool)):
        return False
    return bool(a == b)


def _set_in(container: Any, dotted: str, value: Any) -> Any:
    """``container`` with the element at ``dotted`` (list indices as digits) set to ``value``;
    None when the path does not exist in it."""
    node = container
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                return None
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            elif part in node:
                node = node[part]
            else:
                return None
        else:
            return None
    return container


@dataclass
class Provenance:
    """Write history of every leaf while a config is being composed.

    Mirrors OmegaConf's merge rules closely enough to keep histories on the right paths; the
    final ``finish`` step reconciles them with the composed config, which is the ground truth.
    """

    writes: dict[str, list[Write]] = field(default_factory=dict)
    deleted: dict[str, list[Write]] = field(default_factory=dict)
    _replaced: dict[str, list[Write]] = field(default_factory=dict)
    _interior: set[str] = field(default_factory=set)

    def record_mapping(self, data: Any, prefix: str, make: Any) -> None:
        """Record every leaf of ``data`` (a plain value) written at ``prefix``.

        ``make(path_in_source, value)`` builds the ``Write`` for one leaf; ``path_in_source`` is
        the leaf's path relative to ``prefix`` (what a file's line index is keyed on).
        """
        if isinstance(data, Mapping) and data:
            for rel, value in iter_leaves(data):
                self.record(f"{prefix}{rel}", make(rel, value))
        elif prefix:
            self.record(prefix.rstrip("."), make("", data))

    def record(self, path: str, write: Write, *, assign: bool = False) -> None:
        """Record one leaf write, applying OmegaConf's merge rules for what it replaces.

        ``assign`` marks a plain assignment (a scalar CLI override), not a merge: it sets even
        ``???``, which a merge never lets overwrite an existing value.
        """
        value = write.value
        interior = self._interior
        if isinstance(value, str) and value == MISSING and not assign:
            # OmegaConf never lets ``???`` overwrite an existing value or mapping in a merge.
            current = self.writes.get(path)
            if (current and current[-1].value != MISSING) or path in interior:
                return
        if _is_mapping(value) and not value:
            if path in interior:
                return  # merging {} into a mapping changes nothing
        elif path in interior:
            self._drop_subtree(path)
            interior = self._interior
        dot = path.rfind(".")
        # When the parent is already a mapping, so is every ancestor (``_interior`` holds every
        # ancestor of what it holds, and none of them has a history): nothing to walk.
        if dot != -1 and path[:dot] not in interior:
            if self._write_into_list(path, write):
                return
            self._end_ancestors(path)
        self.writes.setdefault(path, []).append(write)

    def delete(self, path: str, write: Write) -> None:
        """Record ``~path``: the key and its subtree leave the config."""
        removed = [p for p in self.writes if p == path or p.startswith(f"{path}.")]
        for p in removed:
            self.deleted[p] = [*self.writes.pop(p), write]
        if not removed:
            self.deleted[path] = [write]
        self._interior = {p for p in self._interior if p != path and not p.startswith(f"{path}.")}

    def _write_into_list(self, path: str, write: Write) -> bool:
        """Record ``items.0=5`` (an override into a list element) as a write of the whole list.

        Lists are leaves, so the list's own history gets a new write holding the list as it is
        after the element changed. False when no ancestor of ``path`` is a list leaf.
        """
        dot = path.find(".")
        while dot != -1:
            history = self.writes.get(path[:dot])
            if history and isinstance(history[-1].value, list):
                updated = _set_in(copy.deepcopy(history[-1].value), path[dot + 1 :], write.value)
                if updated is None:
                    return False
                history.append(replace(write, value=updated))
                return True
            dot = path.find(".", dot + 1)
        return False

    def _drop_subtree(self, path: str) -> None:
        start = f"{path}."
        for p in [p for p in self.writes if p.startswith(start)]:
            del self.writes[p]
        self._interior = {p for p in self._interior if p != path and not p.startswith(start)}

    def _end_ancestors(self, path: str) -> None:
        """A write below a leaf turns that leaf into a mapping: its history ends here."""
        dot = path.find(".")
        while dot != -1:
            ancestor = path[:dot]
            if ancestor in self.writes:
                self._replaced[ancestor] = self.writes.pop(ancestor)
            self._interior.add(ancestor)
            dot = path.find(".", dot + 1)

    def finish(self, final: Mapping[str, Any]) -> dict[str, tuple[Write, ...]]:
        """Reconcile recorded histories with the composed config (as a plain container).

        Every final leaf gets a history; one whose winner does not hold the final value, or that
        nobody wrote, gets an ``indirect``/``coerced`` entry saying so rather than a wrong line.
        """
        result: dict[str, tuple[Write, ...]] = {}
        writes = self.writes
        for path, value in iter_leaves(final):
            history = writes.get(path)
            if history and (history[-1].value is value or same_value(history[-1].value, value)):
                result[path] = tuple(history)
            elif history:
                note = f"coerced from {show_value(history[-1].value)} ({history[-1].location})"
                result[path] = (*history, Write(value=value, kind="coerced", note=note))
            else:
                result[path] = (Write(value=value, kind="indirect", note=self._why(path)),)
        return result

    def _why(self, path: str) -> str:
        dot = path.rfind(".")
        while dot != -1:
            ancestor = path[:dot]
            replaced = self._replaced.get(ancestor)
            if replaced:
                last = replaced[-1]
                return f"expanded from {ancestor} = {show_value(last.value)} ({last.location})"
            dot = path.rfind(".", 0, dot)
        return "no direct writer (set by a schema or by Hydra)"
