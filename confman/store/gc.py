"""Garbage collection: remove the nodes, index rows and patches that no run uses any more.

Nodes are shared between runs, so a deleted run's nodes may still be another run's. Rather than
marking everything reachable from every run (a read of the whole store), ``gc`` starts from the
``garbage`` queue: the top nodes and patches that deleted or rewritten runs stopped using
(``confman.store.layout``). A queued node still used by a run, or still under a node (an edge
names it as a child), stays; otherwise it is deleted with its placements, leaf rows and edges,
and its children are queued in turn. Its cost follows what was deleted, not the store's size.
"""

from __future__ import annotations

from typing import Any

from confman.store.layout import BLOB, NODE, Sql
from confman.store.tree import NodeRef, decode_nodes
from confman.store.where import leaf_row

__all__ = ["collect"]

_USED = (
    "SELECT EXISTS (SELECT 1 FROM runs WHERE config = ?) "
    "OR EXISTS (SELECT 1 FROM runs WHERE raw = ?) "
    "OR EXISTS (SELECT 1 FROM runs WHERE meta = ?) "
    "OR EXISTS (SELECT 1 FROM edges WHERE child = ?)"
)


def collect(cur: Any, sql: Sql) -> dict[str, int]:
    """Empty the ``garbage`` queue in the open transaction; returns what was removed."""
    counts = {"configs": 0, "leaves": 0, "nodes": 0, "blobs": 0}
    while True:
        cur.execute("SELECT kind, id FROM garbage ORDER BY kind, id LIMIT 500")
        batch = [(int(k), int(i)) for k, i in cur.fetchall()]
        if not batch:
            return counts
        cur.executemany(sql("DELETE FROM garbage WHERE kind = ? AND id = ?"), batch)
        for kind, item in batch:
            if kind == BLOB:
                cur.execute(sql("SELECT 1 FROM runs WHERE patch = ? LIMIT 1"), (item,))
                if cur.fetchone() is None:
                    cur.execute(sql("DELETE FROM blobs WHERE id = ?"), (item,))
                    counts["blobs"] += cur.rowcount
                continue
            cur.execute(sql(_USED), (item, item, item, item))
            if not cur.fetchone()[0]:
                _drop(cur, sql, item, counts)


def _drop(cur: Any, sql: Sql, node: int, counts: dict[str, int]) -> None:
    """Delete ``node`` and the rows about it; queue its children."""
    cur.execute(sql("SELECT data FROM nodes WHERE id = ?"), (node,))
    row = cur.fetchone()
    if row is None:
        return
    entries = decode_nodes([(node, row[0])])[str(node)]
    cur.execute(sql("SELECT key FROM placements WHERE node = ?"), (node,))
    for (key,) in cur.fetchall():
        counts["configs"] += key == 0
        for name, value in entries.items():
            cur.execute(sql("SELECT id FROM keys WHERE parent = ? AND name = ?"), (key, name))
            found = cur.fetchone()
            if found is None:
                continue
            if type(value) is NodeRef:
                cur.execute(
                    sql("DELETE FROM edges WHERE child = ? AND key = ? AND parent = ?"),
                    (int(value), found[0], node),
                )
            else:
                cur.execute(
                    sql("DELETE FROM leaves WHERE key = ? AND txt = ? AND node = ?"),
                    (found[0], leaf_row(value)[1], node),
                )
                counts["leaves"] += cur.rowcount
    cur.execute(sql("DELETE FROM placements WHERE node = ?"), (node,))
    kids = [(int(v),) for v in entries.values() if type(v) is NodeRef]
    cur.executemany(sql(f"DELETE FROM edges WHERE child = ? AND key = 0 AND parent = {node}"), kids)
    cur.executemany(
        sql(f"INSERT INTO garbage (kind, id) VALUES ({NODE}, ?) ON CONFLICT DO NOTHING"), kids
    )
    cur.execute(sql("DELETE FROM nodes WHERE id = ?"), (node,))
    counts["nodes"] += 1
