"""The store's SQL schema, as numbered migrations that only ever get appended.

Migration ``n`` brings a store from schema version ``n - 1`` to ``n``. A store opened by a newer
confman is migrated in the same write transaction that checks its version, so concurrent openers
never see half a schema; a store newer than this confman is refused (see ``SQLStore``).

Version 1: ``configs`` (resolved configs by fingerprint), ``blobs`` (raw configs and dirty
patches by sha256), ``leaves`` (a flat typed index of every leaf, for ``--where``), ``runs``.
Version 2: ``nodes``, every config's mappings content-addressed (``confman.store.tree``), and
``configs.root``, the hash of each config's top node; existing configs are split on migration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from confman.store.tree import Node, split_tree

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "insert_nodes"]


def _version_1(cur: Any, double: str, sql: Callable[[str], str]) -> None:
    for statement in (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS configs (fingerprint TEXT PRIMARY KEY, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, data TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS leaves (fingerprint TEXT NOT NULL, key TEXT NOT NULL, "
        f"num {double}, txt TEXT, PRIMARY KEY (fingerprint, key))",
        "CREATE INDEX IF NOT EXISTS leaves_key_num ON leaves (key, num)",
        "CREATE INDEX IF NOT EXISTS leaves_key_txt ON leaves (key, txt)",
        "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, config_name TEXT, "
        "status TEXT NOT NULL, "
        f"started {double} NOT NULL, ended {double}, fingerprint TEXT NOT NULL, raw_hash TEXT, "
        "patch_hash TEXT, sweep_id TEXT, job_num INTEGER, body TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS runs_fingerprint ON runs (fingerprint)",
        "CREATE INDEX IF NOT EXISTS runs_config_name ON runs (config_name, id)",
        "CREATE INDEX IF NOT EXISTS runs_started ON runs (started)",
    ):
        cur.execute(statement)


def _version_2(cur: Any, double: str, sql: Callable[[str], str]) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS nodes (hash TEXT PRIMARY KEY, data TEXT NOT NULL, "
        "leaves INTEGER NOT NULL)"
    )
    cur.execute("ALTER TABLE configs ADD COLUMN root TEXT")
    cur.execute("SELECT fingerprint, data FROM configs")
    for fingerprint, data in cur.fetchall():
        root, nodes = split_tree(json.loads(data))
        insert_nodes(cur, sql, nodes)
        cur.execute(sql("UPDATE configs SET root = ? WHERE fingerprint = ?"), (root, fingerprint))


def insert_nodes(cur: Any, sql: Callable[[str], str], nodes: list[Node]) -> None:
    """Store ``nodes``; a node already there (same hash, so same content) is left alone."""
    cur.executemany(
        sql(
            "INSERT INTO nodes (hash, data, leaves) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING"
        ),
        [(n.hash, n.text, n.leaves) for n in nodes],
    )


# Called as migration(cursor, the dialect's DOUBLE type, the dialect's placeholder rewriter).
MIGRATIONS: list[Callable[[Any, str, Callable[[str], str]], None]] = [_version_1, _version_2]
SCHEMA_VERSION = len(MIGRATIONS)
