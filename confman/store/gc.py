"""Garbage collection: remove the nodes, index rows and patches that no run uses any more.

Nodes are shared between runs, so a deleted run's nodes may still be another run's. Rather than
marking everything reachable from every run (a read of the whole store), ``gc`` starts from the
``garbage`` queue: the top nodes and patches that deleted or rewritten runs stopped using
(``confman.store.layout``). A queued node still used by a run, or still under a node (an edge
names it as a child), stays; otherwise it is deleted with its placements, leaf rows and edges,
and its children are queued in turn. Its cost follows what was deleted, not the store's size,
and it works a batch of 500 queued items at a time (a few statements per batch, not per node:
on PostgreSQL each statement is a round trip).

Rows are deleted by their whole primary key. SQLite runs one statement per row (``executemany``
in the process: no round trip, and its plan is cached); PostgreSQL (``arrays``) gets the rows
of a table as one array per column and deletes them in one statement (``unnest``): a
statement per row would be a round trip each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confman.store.layout import BLOB, NODE, Sql, chunks, queue_garbage
from confman.store.tree import NodeRef, decode_nodes
from confman.store.where import leaf_row

__all__ = ["collect"]

_UNUSED_NODES = (
    "SELECT c.id FROM c WHERE NOT EXISTS (SELECT 1 FROM runs WHERE config = c.id) "
    "AND NOT EXISTS (SELECT 1 FROM runs WHERE raw = c.id) "
    "AND NOT EXISTS (SELECT 1 FROM runs WHERE meta = c.id) "
    "AND NOT EXISTS (SELECT 1 FROM edges WHERE child = c.id)"
)
_UNUSED_BLOBS = "SELECT c.id FROM c WHERE NOT EXISTS (SELECT 1 FROM runs WHERE patch = c.id)"


def _unused(cur: Any, sql: Sql, query: str, ids: Sequence[int]) -> list[int]:
    """Those of ``ids`` that ``query`` (over the candidates ``c``) finds unused."""
    if not ids:
        return []
    values = ", ".join("(?)" for _ in ids)
    cur.execute(sql(f"WITH c (id) AS (VALUES {values}) {query}"), list(ids))
    return [int(i) for (i,) in cur.fetchall()]


def collect(cur: Any, sql: Sql, *, arrays: bool = False) -> dict[str, int]:
    """Empty the ``garbage`` queue in the open transaction; returns what was removed.

    ``arrays``: delete and queue many rows in one statement of arrays (PostgreSQL).
    """
    counts = {"configs": 0, "leaves": 0, "nodes": 0, "blobs": 0}
    keys = _Keys()
    if arrays:
        # Every row gc reads or deletes is found by its key. Costing an index probe as a
        # random read, PostgreSQL's planner answers a batch of some thousand leaf rows with a
        # hash join over a scan of the whole table instead of a probe a row (the pages are
        # cached): not in this transaction (measured in benchmarks/RESULTS.md).
        cur.execute("SET LOCAL enable_hashjoin = off")
        cur.execute("SET LOCAL enable_mergejoin = off")
    while True:
        cur.execute("SELECT kind, id FROM garbage ORDER BY kind, id LIMIT 500")
        batch = [(int(k), int(i)) for k, i in cur.fetchall()]
        if not batch:
            return counts
        _delete(cur, sql, arrays, "garbage", _GARBAGE, batch)
        blobs = _unused(cur, sql, _UNUSED_BLOBS, [i for k, i in batch if k == BLOB])
        _delete(cur, sql, arrays, "blobs", _BLOB, [(i,) for i in blobs])
        counts["blobs"] += len(blobs)
        nodes = _unused(cur, sql, _UNUSED_NODES, [i for k, i in batch if k == NODE])
        if nodes:
            _drop(cur, sql, arrays, nodes, keys, counts)


#: Each table's primary key (the columns that name a row to delete) and their types.
_GARBAGE = (("kind", "integer"), ("id", "integer"))
_BLOB = (("id", "integer"),)
_LEAF = (("key", "integer"), ("txt", "text"), ("node", "integer"))
_EDGE = (("child", "integer"), ("key", "integer"), ("parent", "integer"))


def _delete(
    cur: Any,
    sql: Sql,
    arrays: bool,
    table: str,
    columns: tuple[tuple[str, str], ...],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Delete the ``rows`` of ``table`` named by their ``columns``."""
    if not rows:
        return
    names = [name for name, _ in columns]
    if not arrays:
        match = " AND ".join(f"{name} = ?" for name in names)
        cur.executemany(sql(f"DELETE FROM {table} WHERE {match}"), rows)
        return
    unnest = ", ".join(f"%s::{kind}[]" for _, kind in columns)
    match = " AND ".join(f"t.{name} = d.{name}" for name in names)
    cur.execute(
        f"DELETE FROM {table} t USING unnest({unnest}) AS d({', '.join(names)}) WHERE {match}",
        [list(column) for column in zip(*rows, strict=True)],
    )


def _drop(
    cur: Any,
    sql: Sql,
    arrays: bool,
    nodes: list[int],
    keys: _Keys,
    counts: dict[str, int],
) -> None:
    """Delete ``nodes`` and the rows about them; queue their children."""
    marks = ", ".join("?" * len(nodes))
    cur.execute(sql(f"SELECT id, data FROM nodes WHERE id IN ({marks})"), nodes)
    decoded = decode_nodes(cur.fetchall())
    cur.execute(sql(f"SELECT node, key FROM placements WHERE node IN ({marks})"), nodes)
    placements = cur.fetchall()
    keys.under(cur, sql, {int(key) for _, key in placements})
    leaves, edges, kids = [], [], []
    for node, key in placements:
        counts["configs"] += key == 0
        for name, value in decoded.get(str(node), {}).items():
            child = keys.ids.get((int(key), name))
            if child is None:
                continue
            if type(value) is NodeRef:
                edges.append((int(value), child, node))
            else:
                leaves.append((child, leaf_row(value)[1], node))
    for node, entries in decoded.items():
        for value in entries.values():
            if type(value) is NodeRef:
                edges.append((int(value), 0, int(node)))
                kids.append(int(value))
    _delete(cur, sql, arrays, "leaves", _LEAF, leaves)
    counts["leaves"] += len(leaves)
    _delete(cur, sql, arrays, "edges", _EDGE, edges)
    cur.execute(sql(f"DELETE FROM placements WHERE node IN ({marks})"), nodes)
    queue_garbage(cur, sql, [(NODE, kid) for kid in kids], arrays=arrays)
    cur.execute(sql(f"DELETE FROM nodes WHERE id IN ({marks})"), nodes)
    counts["nodes"] += len(decoded)


class _Keys:
    """The trie keys under the parents read so far in this collection (keys are not deleted)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[int, str], int] = {}
        self.read: set[int] = set()

    def under(self, cur: Any, sql: Sql, parents: set[int]) -> None:
        """Read every key under ``parents`` not read before: one statement for a batch of
        nodes (a statement per (parent, name) would be a round trip each on PostgreSQL)."""
        todo = sorted(parents - self.read)
        for part in chunks(todo):
            marks = ", ".join("?" * len(part))
            cur.execute(sql(f"SELECT id, parent, name FROM keys WHERE parent IN ({marks})"), part)
            for key, parent, name in cur.fetchall():
                self.ids[(int(parent), str(name))] = int(key)
        self.read.update(todo)
