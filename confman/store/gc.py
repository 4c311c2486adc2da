"""Garbage collection: remove the nodes, index rows and patches that no run uses any more.

Nodes are shared between runs, so a deleted run's nodes may still be another run's. Rather than
marking everything reachable from every run (a read of the whole store), ``gc`` starts from the
``garbage`` queue: the top nodes and patches that deleted or rewritten runs stopped using
(``confman.store.layout``). A queued node still used by a run, or still under a node (an edge
names it as a child), stays; otherwise it is deleted with its placements, leaf rows and edges,
and its children are queued in turn. Its cost follows what was deleted, not the store's size,
and it works a batch of 500 queued items at a time (a few statements per batch, not per node:
on PostgreSQL each statement is a round trip).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confman.store.layout import BLOB, NODE, Sql
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


def collect(cur: Any, sql: Sql) -> dict[str, int]:
    """Empty the ``garbage`` queue in the open transaction; returns what was removed."""
    counts = {"configs": 0, "leaves": 0, "nodes": 0, "blobs": 0}
    keys: dict[tuple[int, str], int | None] = {}
    while True:
        cur.execute("SELECT kind, id FROM garbage ORDER BY kind, id LIMIT 500")
        batch = [(int(k), int(i)) for k, i in cur.fetchall()]
        if not batch:
            return counts
        cur.executemany(sql("DELETE FROM garbage WHERE kind = ? AND id = ?"), batch)
        blobs = _unused(cur, sql, _UNUSED_BLOBS, [i for k, i in batch if k == BLOB])
        cur.executemany(sql("DELETE FROM blobs WHERE id = ?"), [(i,) for i in blobs])
        counts["blobs"] += len(blobs)
        nodes = _unused(cur, sql, _UNUSED_NODES, [i for k, i in batch if k == NODE])
        if nodes:
            _drop(cur, sql, nodes, keys, counts)


def _drop(
    cur: Any,
    sql: Sql,
    nodes: list[int],
    keys: dict[tuple[int, str], int | None],
    counts: dict[str, int],
) -> None:
    """Delete ``nodes`` and the rows about them; queue their children."""
    marks = ", ".join("?" * len(nodes))
    cur.execute(sql(f"SELECT id, data FROM nodes WHERE id IN ({marks})"), nodes)
    decoded = decode_nodes(cur.fetchall())
    cur.execute(sql(f"SELECT node, key FROM placements WHERE node IN ({marks})"), nodes)
    placements = cur.fetchall()
    leaves, edges, kids = [], [], []
    for node, key in placements:
        counts["configs"] += key == 0
        for name, value in decoded.get(str(node), {}).items():
            child = _key(cur, sql, keys, int(key), name)
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
                kids.append((int(value),))
    cur.executemany(sql("DELETE FROM leaves WHERE key = ? AND txt = ? AND node = ?"), leaves)
    counts["leaves"] += len(leaves)
    cur.executemany(sql("DELETE FROM edges WHERE child = ? AND key = ? AND parent = ?"), edges)
    cur.execute(sql(f"DELETE FROM placements WHERE node IN ({marks})"), nodes)
    cur.executemany(
        sql(f"INSERT INTO garbage (kind, id) VALUES ({NODE}, ?) ON CONFLICT DO NOTHING"),
        sorted(set(kids)),
    )
    cur.execute(sql(f"DELETE FROM nodes WHERE id IN ({marks})"), nodes)
    counts["nodes"] += len(decoded)


def _key(
    cur: Any, sql: Sql, keys: dict[tuple[int, str], int | None], parent: int, name: str
) -> int | None:
    """The trie key ``name`` under ``parent`` (remembered for the whole collection)."""
    if (parent, name) not in keys:
        cur.execute(sql("SELECT id FROM keys WHERE parent = ? AND name = ?"), (parent, name))
        row = cur.fetchone()
        keys[(parent, name)] = None if row is None else int(row[0])
    return keys[(parent, name)]
