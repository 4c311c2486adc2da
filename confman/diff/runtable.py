"""Compare many configs at once (``confman runs compare``): one table of only the keys that differ.

Two-sided diffs answer "what changed"; across a sweep of runs the question is "which settings
vary, and how". Keys whose value is the same in every run are hidden and counted. Columns are
ordered by how many runs differ from the most common value, so the settings that vary most come
first. Values are compared by type and value (``1``, ``1.0``, ``True`` and ``"1"`` are four
values); secrets are never shown, only which runs share a value (``secret#1``, ``secret#2``).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from confman.diff.compare import ignore_matcher
from confman.diff.render.values import hydra_value
from confman.diff.secrets import is_secret
from confman.provenance import iter_leaves
from confman.store.tree import NodeRef

if TYPE_CHECKING:
    from confman.store.interface import Store

__all__ = ["ABSENT", "RunTable", "compare_many", "compare_stored", "render_table"]

ABSENT = "<absent>"


class _Shown(str):
    """A label shown as it is, never as a value (``<absent>``, ``secret#1``)."""

    __slots__ = ()


_ABSENT = _Shown(ABSENT)


@dataclass(frozen=True)
class RunTable:
    """The keys that differ across runs.

    Attributes:
        runs: run labels (row order).
        keys: the differing keys, most-varying first.
        values: per key, one shown value per run (``ABSENT`` where a run lacks the key).
        differing: per key, how many runs differ from the key's most common value.
        constant: how many keys have the same value in every run (hidden).
    """

    runs: tuple[str, ...]
    keys: tuple[str, ...]
    values: dict[str, tuple[Any, ...]]
    differing: dict[str, int]
    constant: int

    def to_json(self) -> dict[str, Any]:
        """Rows of ``{"run": id, key: value...}`` plus the hidden-key count."""
        rows = [
            {"run": run, **{k: self.values[k][i] for k in self.keys}}
            for i, run in enumerate(self.runs)
        ]
        return {"runs": rows, "keys": list(self.keys), "constant_keys": self.constant}


def _identity(value: Any) -> Any:
    """A hashable stand-in that tells apart values of different types."""
    if isinstance(value, list | dict):
        return (type(value).__name__, repr(value))
    if isinstance(value, float) and value != value:
        return (float, "nan")
    return (type(value), value)


def compare_many(
    configs: Mapping[str, Mapping[str, Any]], *, ignore: tuple[str, ...] = ()
) -> RunTable:
    """Build the table of differing keys for ``{run label: config}``.

    Subtrees that are byte-identical in every run (pickle, which keeps types apart) are
    counted as constant without visiting their leaves: in a sweep of thousands of runs almost
    the whole config is such a subtree, and only the few keys that vary are walked.
    """
    walk = _Walk(ignore_matcher(ignore))
    return walk.table({run: _plain(config) for run, config in configs.items()})


def compare_stored(
    store: Store,
    refs: Sequence[str] | None = None,
    *,
    where: Sequence[str] = (),
    limit: int | None = None,
    ignore: tuple[str, ...] = (),
) -> RunTable:
    """``compare_many`` over recorded runs (``refs``, or the runs matching ``where``).

    Reads the store's content-addressed config nodes (``confman.store.tree``) level by level:
    a subtree whose hash is the same in every run is counted without being fetched, so only the
    nodes on the paths to keys that vary are decoded, whatever the size of the configs.
    """
    roots = store.tree_roots(where, refs=refs, limit=limit)
    walk = _Walk(ignore_matcher(ignore), store)
    return walk.table({run: NodeRef(root) for run, root in roots.items()})


_MISSING = object()


def _plain(config: Mapping[str, Any]) -> dict[str, Any]:
    return config if type(config) is dict else dict(iter_leaves(config))


class _Walk:
    """One pass over the runs' configs side by side, key path by key path.

    A config is a plain nested dict, or a ``NodeRef`` into ``store``'s node tree whose mappings
    are fetched (one batch per key path) only where the runs' hashes differ.
    """

    def __init__(self, ignore: Any, store: Store | None = None) -> None:
        self.ignore = ignore
        self.store = store
        self.values: dict[str, tuple[Any, ...]] = {}
        self.differing: dict[str, int] = {}
        self.constant = 0

    def resolve(self, nodes: list[Any], refs: set[NodeRef]) -> list[Any]:
        """``nodes`` with each ``NodeRef`` replaced by its mapping (one fetch for all)."""
        assert self.store is not None, "a NodeRef comes from a store"
        stored = self.store.tree_nodes(refs)
        return [stored[n] if type(n) is NodeRef else n for n in nodes]

    def table(self, configs: Mapping[str, Any]) -> RunTable:
        runs = tuple(configs)
        self.node([configs[r] for r in runs], "")
        keys = sorted(self.values, key=lambda k: -self.differing[k])  # stable: config order on ties
        return RunTable(runs, tuple(keys), self.values, self.differing, self.constant)

    def node(self, nodes: list[Any], path: str) -> None:
        if path and self.ignore is not None and self.ignore.match(path):
            return
        types = set(map(type, nodes))
        refs: set[NodeRef] = set()
        if NodeRef in types:
            refs = set(nodes) if len(types) == 1 else {n for n in nodes if type(n) is NodeRef}
            if len(refs) == 1 and len(types) == 1:
                # One hash in every run: the same subtree everywhere, counted, never fetched.
                assert self.store is not None, "a NodeRef comes from a store"
                self.constant += self.store.tree_size(nodes[0])
                return
            nodes = self.resolve(nodes, refs)
        # Configs are plain dicts (the ``Mapping`` ABC check costs 5x more on 10^6 nodes).
        mappings = [n for n in nodes if type(n) is dict and n]
        if path and len(mappings) < len(nodes):
            # Some runs hold a plain value (or nothing) here: that is a leaf column of its own.
            # (An empty config is no key at all, not a leaf at the root.)
            column = [_MISSING if type(n) is dict and n else n for n in nodes]
            if any(v is not _MISSING for v in column):
                self.leaf(column, path)
        if not mappings:
            return
        if not refs and len(mappings) == len(nodes) and _all_identical(mappings):
            self.constant += sum(1 for _ in iter_leaves(mappings[0]))
            return
        keys: dict[str, None] = {}
        for mapping in mappings:
            keys.update(dict.fromkeys(mapping))
        for key in keys:
            if len(mappings) == len(nodes):
                child = [n.get(key, _MISSING) for n in nodes]
            else:
                child = [n.get(key, _MISSING) if type(n) is dict else _MISSING for n in nodes]
            self.node(child, f"{path}.{key}" if path else str(key))

    def leaf(self, column: list[Any], path: str) -> None:
        first = column[0]
        if column.count(first) == len(column) and len(set(map(type, column))) == 1:
            self.constant += 1  # the common case, checked at C speed
            return
        ids = _identities(column)
        counts = Counter(ids)
        if len(counts) == 1:
            self.constant += 1
            return
        self.differing[path] = len(ids) - counts.most_common(1)[0][1]
        if is_secret(path, *column):
            classes: dict[Any, str] = {}
            shown: list[Any] = [
                _ABSENT
                if i is _MISSING
                else classes.setdefault(i, _Shown(f"secret#{len(classes) + 1}"))
                for i in ids
            ]
        else:
            shown = [_ABSENT if v is _MISSING else v for v in column]
        self.values[path] = tuple(shown)


_PLAIN = frozenset({str, int, bool, type(None), float})


def _identities(column: list[Any]) -> list[Any]:
    """Hashable stand-ins for a column's values, equal only for same type and value.

    A column of one plain type (the usual case: a swept number or name) is its own identity,
    checked at C speed; mixed types, containers and NaN go through ``_identity``. ``_MISSING``
    (no such key in that run) stays itself.
    """
    types = set(map(type, column)) - {type(_MISSING)}
    if len(types) == 1 and types <= _PLAIN and (float not in types or all(v == v for v in column)):
        return column
    return [v if v is _MISSING else _identity(v) for v in column]


def _all_identical(mappings: list[dict[str, Any]]) -> bool:
    """Same keys, values and types everywhere (cheap ``==`` first, then pickled bytes)."""
    first = mappings[0]
    if mappings.count(first) != len(mappings):
        return False
    try:
        blob = pickle.dumps(first, protocol=5)
        return all(pickle.dumps(m, protocol=5) == blob for m in mappings)
    except (pickle.PicklingError, TypeError):
        return False


def _cell(value: Any) -> str:
    return str(value) if isinstance(value, _Shown) else hydra_value(value)


def render_table(table: RunTable, fmt: str = "table") -> str:
    """``table`` (aligned text), ``markdown``, ``csv`` or ``json``."""
    header = ["run", *table.keys]
    rows = [
        [run, *(_cell(table.values[k][i]) for k in table.keys)] for i, run in enumerate(table.runs)
    ]
    footer = f"{len(table.keys)} differing keys; {table.constant} constant keys hidden"
    if fmt == "json":
        return json.dumps(table.to_json(), indent=2, default=str) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join([*lines, "", footer]) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join([*lines, footer]) + "\n"
