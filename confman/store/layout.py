"""Writing runs into the version 3 layout: a store that grows with what differs between runs.

Tables (DDL in ``confman.store.migrations``):

- ``nodes``: every mapping of every config, raw config and record ``meta`` tree, once per
  content (``confman.store.tree``), under an integer id.
- ``keys``: the dotted key paths configs use, as a trie (``parent``, ``name``), each an id.
- ``placements``: which node sits at which key path in some config (a node may sit at several).
- ``leaves``: the typed leaf index for ``--where``: one row per leaf per placement, so a leaf
  that a sweep's thousand runs share is one row, not a thousand.
- ``edges``: child -> parent per placement (``key`` the child's path), so a query walks from
  the nodes holding a matching leaf up to the configs' top nodes on an index; nodes outside
  any config (raw configs, ``meta``) are linked under key 0, which ``gc`` follows.
- ``blobs``: dirty patches, once per content.
- ``runs``: one row per run (``confman.store.body`` says which field is where).
- ``garbage``: nodes and blobs a deleted or rewritten run stopped using, for ``gc`` to check.

Everything is written in the caller's transaction, with ``ON CONFLICT DO NOTHING`` wherever
two writers may insert the same content at once (PostgreSQL's concurrent writers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from confman.store.body import body_of
from confman.store.prepare import Prepared
from confman.store.record import canonical_json
from confman.store.tree import Node
from confman.store.where import leaf_row

__all__ = ["BLOB", "NODE", "KeyCache", "chunks", "queue_garbage", "write_records"]

Sql = Callable[[str], str]
_ROOT = 0
#: Kinds of ``garbage`` rows.
NODE, BLOB = 0, 1


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """``items`` in slices short enough for one ``IN (...)`` list on every backend."""
    return [items[i : i + size] for i in range(0, len(items), size)]


class KeyCache:
    """Key path ids already known to be in the store (keys are never deleted).

    Ids learnt in a transaction are kept apart until it commits: a rolled-back transaction's
    ids do not exist.
    """

    def __init__(self) -> None:
        self.ids: dict[tuple[int, str], int] = {}
        self.paths: dict[int, str] = {_ROOT: ""}
        self.pending: dict[tuple[int, str], int] = {}
        self.pending_paths: dict[int, str] = {}

    def commit(self) -> None:
        self.ids.update(self.pending)
        self.paths.update(self.pending_paths)
        self.rollback()

    def rollback(self) -> None:
        self.pending = {}
        self.pending_paths = {}

    def get(self, cur: Any, sql: Sql, parent: int, name: str) -> int:
        """The id of key ``name`` under ``parent``, added to the trie if new."""
        found = self.ids.get((parent, name)) or self.pending.get((parent, name))
        if found is not None:
            return found
        base = self.paths.get(parent)
        if base is None:
            base = self.pending_paths[parent]
        path = f"{base}.{name}" if parent != _ROOT else name
        cur.execute(
            sql(
                "INSERT INTO keys (parent, name, path) VALUES (?, ?, ?) "
                "ON CONFLICT (parent, name) DO NOTHING RETURNING id"
            ),
            (parent, name, path),
        )
        row = cur.fetchone()
        if row is None:
            cur.execute(sql("SELECT id FROM keys WHERE parent = ? AND name = ?"), (parent, name))
            row = cur.fetchone()
        self.pending[(parent, name)] = int(row[0])
        self.pending_paths[int(row[0])] = path
        return int(row[0])


class _Batch:
    """One transaction's writes: the nodes of every record's trees, then their index rows."""

    def __init__(self, cur: Any, sql: Sql, keys: KeyCache, nodes: Mapping[str, Node]) -> None:
        self.cur, self.sql, self.keys = cur, sql, keys
        self.nodes = nodes
        self.ids: dict[str, int] = {}
        self.new: set[str] = set()
        self.placed: set[tuple[str, int]] = set()
        self.leaves: list[tuple[int, str, int, float | None]] = []
        self.edges: list[tuple[int, int, int]] = []
        self.placements: list[tuple[int, int]] = []

    def store_nodes(self) -> None:
        """Ids for every node: looked up by hash, the missing ones inserted children first."""
        hashes = list(self.nodes)
        for part in chunks(hashes):
            self.cur.execute(
                self.sql(
                    f"SELECT hash, id FROM nodes WHERE hash IN ({', '.join('?' * len(part))})"
                ),
                [bytes.fromhex(h) for h in part],
            )
            self.ids.update((bytes(h).hex(), int(i)) for h, i in self.cur.fetchall())
        insert = self.sql(
            "INSERT INTO nodes (hash, data, leaves) VALUES (?, ?, ?) "
            "ON CONFLICT (hash) DO NOTHING RETURNING id"
        )
        for digest, node in self.nodes.items():  # insertion order: children before parents
            if digest in self.ids:
                continue
            self.cur.execute(insert, (bytes.fromhex(digest), node.text(self.ids), node.leaves))
            row = self.cur.fetchone()
            if row is None:  # another writer stored it since the lookup
                self.cur.execute(
                    self.sql("SELECT id FROM nodes WHERE hash = ?"), (bytes.fromhex(digest),)
                )
                row = self.cur.fetchone()
            else:
                self.new.add(digest)
            self.ids[digest] = int(row[0])

    def place(self, roots: Iterable[str]) -> None:
        """Index the configs at ``roots``: placements, leaves and edges of every new placement.

        A node already placed at a key path has its whole subtree indexed there, so the walk
        stops at it: a sweep's new config costs the rows of its new nodes and top node only.
        """
        frontier = list(dict.fromkeys((root, _ROOT) for root in roots))
        while frontier:
            frontier = [p for p in frontier if p not in self.placed]
            self.placed.update(frontier)
            known = {self.ids[h] for h, _ in frontier if h not in self.new}
            existing: set[tuple[int, int]] = set()
            for part in chunks(sorted(known)):
                self.cur.execute(
                    self.sql(
                        "SELECT node, key FROM placements "
                        f"WHERE node IN ({', '.join('?' * len(part))})"
                    ),
                    list(part),
                )
                existing.update((int(n), int(k)) for n, k in self.cur.fetchall())
            following: list[tuple[str, int]] = []
            for digest, key in frontier:
                node_id = self.ids[digest]
                if (node_id, key) in existing:
                    continue
                node = self.nodes[digest]
                self.placements.append((node_id, key))
                for name, value in node.plain:
                    num, txt = leaf_row(value)
                    self.leaves.append((self.key(key, name), txt, node_id, num))
                for name, kid in node.kids:
                    kid_key = self.key(key, name)
                    self.edges.append((self.ids[kid], kid_key, node_id))
                    following.append((kid, kid_key))
            frontier = following

    def key(self, parent: int, name: str) -> int:
        return self.keys.get(self.cur, self.sql, parent, name)

    def link_unplaced(self) -> None:
        """Key-0 edges for new nodes no config placed (raw configs, ``meta``), for ``gc``."""
        placed = {h for h, _ in self.placed}
        for digest in self.new - placed:
            parent = self.ids[digest]
            self.edges.extend((self.ids[kid], _ROOT, parent) for _, kid in self.nodes[digest].kids)

    def flush(self) -> None:
        for table, columns, rows in (
            ("placements", "node, key", self.placements),
            ("leaves", "key, txt, node, num", self.leaves),
            ("edges", "child, key, parent", self.edges),
        ):
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                self.cur.executemany(
                    self.sql(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
                    ),
                    rows,
                )


def _blob(cur: Any, sql: Sql, text: str) -> int:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    cur.execute(
        sql(
            "INSERT INTO blobs (hash, data) VALUES (?, ?) "
            "ON CONFLICT (hash) DO NOTHING RETURNING id"
        ),
        (digest, text),
    )
    row = cur.fetchone()
    if row is None:
        cur.execute(sql("SELECT id FROM blobs WHERE hash = ?"), (digest,))
        row = cur.fetchone()
    return int(row[0])


_UPSERT = (
    "INSERT INTO runs (id, config_name, status, started, ended, config, raw, meta, patch, "
    "fingerprint, sweep_id, job_num, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET config_name = excluded.config_name, "
    "status = excluded.status, started = excluded.started, ended = excluded.ended, "
    "config = excluded.config, raw = excluded.raw, meta = excluded.meta, "
    "patch = excluded.patch, fingerprint = excluded.fingerprint, "
    "sweep_id = excluded.sweep_id, job_num = excluded.job_num, body = excluded.body"
)


def write_records(
    cur: Any, sql: Sql, prepared: Sequence[Prepared], nodes: Mapping[str, Node], keys: KeyCache
) -> None:
    """Insert or replace the ``prepared`` records in the open transaction; ``nodes``: every node
    of their trees, children before parents (``Preparer.nodes``).

    What a replaced run no longer uses (its old config, raw config, ``meta`` tree or patch) is
    queued in ``garbage`` for ``gc``.
    """
    batch = _Batch(cur, sql, keys, nodes)
    records = [p.record for p in prepared]
    trees = [(p.config, p.raw, p.meta) for p in prepared]
    batch.store_nodes()
    batch.place(dict.fromkeys(config for config, _, _ in trees))
    batch.link_unplaced()
    batch.flush()
    old: dict[str, tuple[Any, ...]] = {}
    ids = list(dict.fromkeys(r.id for r in records))
    for part in chunks(ids):
        cur.execute(
            sql(
                "SELECT id, config, raw, meta, patch FROM runs "
                f"WHERE id IN ({', '.join('?' * len(part))})"
            ),
            list(part),
        )
        old.update((row[0], tuple(row[1:])) for row in cur.fetchall())
    garbage: set[tuple[int, int]] = set()
    rows = []
    for rec, (config, raw, meta) in zip(records, trees, strict=True):
        patch = _blob(cur, sql, rec.patch) if rec.patch else None
        now = (batch.ids[config], batch.ids[raw], batch.ids[meta], patch)
        before = old.get(rec.id)
        if before is not None:
            garbage.update(
                (BLOB if i == 3 else NODE, b)
                for i, (b, n) in enumerate(zip(before, now, strict=True))
                if b != n
            )
        old[rec.id] = now
        rows.append(
            (
                rec.id,
                rec.config_name,
                rec.status,
                rec.started,
                rec.ended,
                *now,
                bytes.fromhex(rec.fingerprint),
                rec.sweep_id,
                rec.job_num,
                canonical_json(body_of(rec)),
            )
        )
    cur.executemany(sql(_UPSERT), rows)
    queue_garbage(cur, sql, garbage)


def queue_garbage(
    cur: Any, sql: Sql, items: Iterable[tuple[int, int | None]], *, arrays: bool = False
) -> None:
    """Queue ``(kind, id)`` (``NODE`` or ``BLOB``) for ``gc`` to check; ``arrays``: in one
    statement of two arrays (PostgreSQL), not one statement per row."""
    rows = sorted({(kind, i) for kind, i in items if i is not None})
    if rows and arrays:
        cur.execute(
            "INSERT INTO garbage (kind, id) SELECT * FROM unnest(%s::integer[], %s::integer[]) "
            "ON CONFLICT DO NOTHING",
            [[kind for kind, _ in rows], [i for _, i in rows]],
        )
    elif rows:
        cur.executemany(
            sql("INSERT INTO garbage (kind, id) VALUES (?, ?) ON CONFLICT DO NOTHING"), rows
        )
