"""The store's SQL schema, as numbered migrations that only ever get appended.

Migration ``n`` brings a store from schema version ``n - 1`` to ``n``. A store opened by a newer
confman is migrated in the same write transaction that checks its version (SQLite and
PostgreSQL both roll DDL back with the transaction), so a migration killed half-way leaves the
old schema, and concurrent openers never see half of one; a store newer than this confman is
refused (see ``SQLStore``).

Version 1: ``configs`` (resolved configs by fingerprint), ``blobs`` (raw configs and dirty
patches by sha256), ``leaves`` (a flat typed index of every leaf of every config), ``runs``.
Version 2: ``nodes`` and ``configs.root`` (each config's mappings content-addressed). Its nodes
are left empty here: version 3 rebuilds every tree from ``configs``.
Version 3: sized by what differs between runs (``confman.store.layout``): integer ids, configs,
raw configs and the shared part of each record as node trees, leaves indexed once per distinct
node. The version 2 tables are converted run by run and dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from confman.store.layout import KeyCache, write_records
from confman.store.prepare import Preparer
from confman.store.record import RunRecord
from confman.store.secrets import store_rules

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Dialect", "create_schema"]


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends' SQL.

    Attributes:
        double: the 8-byte float type.
        serial: an integer primary key the database numbers itself.
        blob: the type of raw bytes.
        sql: rewrites ``?`` placeholders for the driver.
    """

    double: str
    serial: str
    blob: str
    sql: Callable[[str], str]


def _version_1(cur: Any, dialect: Dialect) -> None:
    double = dialect.double
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


def _version_2(cur: Any, dialect: Dialect) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS nodes (hash TEXT PRIMARY KEY, data TEXT NOT NULL, "
        "leaves INTEGER NOT NULL)"
    )
    cur.execute("ALTER TABLE configs ADD COLUMN root TEXT")


# Version 2's tables and indexes, renamed or dropped while version 3 is built beside them.
_OLD_TABLES = ("runs", "configs", "blobs", "leaves", "nodes")
_OLD_INDEXES = (
    "leaves_key_num",
    "leaves_key_txt",
    "runs_fingerprint",
    "runs_config_name",
    "runs_started",
)


def create_schema(cur: Any, dialect: Dialect) -> None:
    """The current schema in a new store (``confman.store.layout`` says what each table holds)."""
    serial, blob, double = dialect.serial, dialect.blob, dialect.double
    for statement in (
        f"CREATE TABLE nodes (id {serial}, hash {blob} NOT NULL UNIQUE, data TEXT NOT NULL, "
        "leaves INTEGER NOT NULL)",
        f"CREATE TABLE keys (id {serial}, parent INTEGER, name TEXT NOT NULL, "
        "path TEXT NOT NULL, UNIQUE (parent, name))",
        "CREATE INDEX keys_path ON keys (path)",
        "INSERT INTO keys (id, parent, name, path) VALUES (0, NULL, '', '')",
        "CREATE TABLE placements (node INTEGER NOT NULL, key INTEGER NOT NULL, "
        "PRIMARY KEY (node, key))",
        f"CREATE TABLE leaves (key INTEGER NOT NULL, txt TEXT NOT NULL, node INTEGER NOT NULL, "
        f"num {double}, PRIMARY KEY (key, txt, node))",
        "CREATE INDEX leaves_num ON leaves (key, num) WHERE num IS NOT NULL",
        "CREATE TABLE edges (child INTEGER NOT NULL, key INTEGER NOT NULL, "
        "parent INTEGER NOT NULL, PRIMARY KEY (child, key, parent))",
        f"CREATE TABLE blobs (id {serial}, hash {blob} NOT NULL UNIQUE, data TEXT NOT NULL)",
        f"CREATE TABLE runs (rid {serial}, id TEXT NOT NULL UNIQUE, config_name TEXT, "
        f"status TEXT NOT NULL, started {double} NOT NULL, ended {double}, "
        f"config INTEGER NOT NULL, raw INTEGER, meta INTEGER, patch INTEGER, "
        f"fingerprint {blob} NOT NULL, sweep_id TEXT, job_num INTEGER, body TEXT NOT NULL)",
        "CREATE INDEX runs_config ON runs (config)",
        "CREATE INDEX runs_raw ON runs (raw)",
        "CREATE INDEX runs_meta ON runs (meta)",
        "CREATE INDEX runs_patch ON runs (patch) WHERE patch IS NOT NULL",
        "CREATE INDEX runs_config_name ON runs (config_name, id)",
        "CREATE INDEX runs_started ON runs (started)",
        "CREATE TABLE garbage (kind INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, id))",
    ):
        cur.execute(_without_rowid(statement, dialect))


def _without_rowid(statement: str, dialect: Dialect) -> str:
    """SQLite keeps a table whose primary key is all it holds as one b-tree, not two."""
    if dialect.serial == "INTEGER PRIMARY KEY" and statement.startswith(
        ("CREATE TABLE placements", "CREATE TABLE leaves", "CREATE TABLE edges")
    ):
        return statement + " WITHOUT ROWID"
    return statement


_PAGE = 500


def _version_3(cur: Any, dialect: Dialect) -> None:
    sql = dialect.sql
    for index in _OLD_INDEXES:
        cur.execute(f"DROP INDEX IF EXISTS {index}")
    for table in _OLD_TABLES:
        cur.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
    create_schema(cur, dialect)
    last = ""
    while True:
        cur.execute(
            sql(
                "SELECT r.id, r.body, c.data, rb.data, pb.data FROM old_runs r "
                "JOIN old_configs c ON c.fingerprint = r.fingerprint "
                "LEFT JOIN old_blobs rb ON rb.hash = r.raw_hash "
                "LEFT JOIN old_blobs pb ON pb.hash = r.patch_hash "
                "WHERE r.id > ? ORDER BY r.id LIMIT ?"
            ),
            (last, _PAGE),
        )
        rows = cur.fetchall()
        if not rows:
            break
        preparer = Preparer(store_rules())
        prepared = []
        for run_id, body, config, raw, patch in rows:
            data = json.loads(body)
            data.update(config=json.loads(config), raw_config=json.loads(raw or "{}"), patch=patch)
            data.pop("fingerprint", None)  # recomputed from the config, as it was made
            # Through today's redaction: older confmans stored some fields (overrides, argv,
            # provenance) in clear; what the migration rewrites holds markers only.
            prepared.append(preparer.prepare(RunRecord.from_json({**data, "id": run_id})))
        write_records(cur, sql, prepared, preparer.nodes, KeyCache())
        last = rows[-1][0]
    for table in _OLD_TABLES:
        cur.execute(f"DROP TABLE old_{table}")


# Called as migration(cursor, dialect), in the write transaction that checked the version.
MIGRATIONS: list[Callable[[Any, Dialect], None]] = [_version_1, _version_2, _version_3]
SCHEMA_VERSION = len(MIGRATIONS)
