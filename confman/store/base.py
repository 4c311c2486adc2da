"""The store interface and its SQL implementation, shared by the SQLite and PostgreSQL backends.

Layout (schema version 1):
- ``configs``: resolved configs, once per fingerprint (content-addressed).
- ``blobs``: other content-addressed text (raw configs, dirty patches), once per sha256.
- ``leaves``: a flat, typed index of every leaf of every config (number or text), keyed by
  fingerprint, so ``--where optimizer.lr>=0.01`` is an index lookup, not a scan of JSON.
- ``runs``: one row per run, pointing at the above; the remaining record fields as JSON.
- ``meta``: schema version and the store's secret salt.

A run is written in one transaction, so a killed writer leaves either the previous state of the
run or the new one, never half of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Self

from confman.errors import ConfmanError
from confman.provenance import iter_leaves
from confman.store.record import RunRecord, canonical_json
from confman.store.secrets import DEFAULT_SECRET_PATTERNS, redact
from confman.store.where import Where, parse_where

__all__ = ["RunNotFoundError", "SQLStore", "Store", "StoreError"]

SCHEMA_VERSION = 1


class StoreError(ConfmanError):
    """The run store cannot be opened or used."""


class RunNotFoundError(StoreError):
    """A run reference matches no run, or more than one."""


_BODY_SKIP = ("config", "raw_config", "patch")


def _migration_1(double: str) -> list[str]:
    return [
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
    ]


# Migration n brings the schema from version n-1 to n; append, never edit.
MIGRATIONS: list[Callable[[str], list[str]]] = [_migration_1]


class Store(ABC):
    """Where run records live. Open one with ``confman.store.open_store()``.

    The interface other tools build on (``confman diff``, ``confman runs``):
    ``put`` a record (insert or update), ``get`` one by reference, ``query`` many.
    """

    url: str

    @abstractmethod
    def put(self, record: RunRecord, *, secret_paths: Sequence[str] = ()) -> RunRecord:
        """Insert or replace ``record`` atomically; returns it as stored (secrets redacted)."""

    @abstractmethod
    def get(self, ref: str) -> RunRecord:
        """One run by id, unique id prefix, ``@latest`` or ``@latest~N`` (N before latest)."""

    @abstractmethod
    def query(
        self,
        where: Sequence[str | Where] = (),
        *,
        config_name: str | None = None,
        status: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs matching every condition, newest first."""

    @abstractmethod
    def delete(self, refs: Sequence[str]) -> list[str]:
        """Delete runs; returns the ids deleted."""

    @abstractmethod
    def gc(self) -> dict[str, int]:
        """Remove configs, leaves and blobs no run refers to; returns counts removed."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _leaf_row(value: Any) -> tuple[float | None, str]:
    if isinstance(value, bool):
        return None, "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value), repr(value) if isinstance(value, float) else str(value)
    if value is None:
        return None, "null"
    if isinstance(value, str):
        return None, value
    return None, canonical_json(value)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SQLStore(Store):
    """The store on a DB-API connection; backends supply the connection and dialect details."""

    placeholder = "?"
    double = "DOUBLE PRECISION"

    def __init__(
        self, url: str, *, secret_patterns: Sequence[str] = DEFAULT_SECRET_PATTERNS
    ) -> None:
        self.url = url
        self.secret_patterns = tuple(secret_patterns)
        self._conn = self._connect()
        self._migrate()
        self.salt = self._salt()

    # -- backend hooks ---------------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> Any: ...

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction (cursor) that serialises against other writers where needed."""

    @abstractmethod
    def _migration_lock(self, cur: Any) -> None: ...

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            rows: list[tuple[Any, ...]] = cur.fetchall()
        finally:
            cur.close()
        self._end_read()
        return rows

    def _end_read(self) -> None:
        """Backends with implicit transactions end them here so readers never hold snapshots."""

    # -- schema ----------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._write() as cur:
            self._migration_lock(cur)
            cur.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            cur.execute(self._sql("SELECT value FROM meta WHERE key = ?"), ("schema_version",))
            row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.url}: store schema version {version} is newer than this "
                    f"confman ({SCHEMA_VERSION})",
                    hint="upgrade confman",
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1](self.double):
                    cur.execute(statement)
            if version < SCHEMA_VERSION:
                self._upsert_meta(cur, "schema_version", str(SCHEMA_VERSION))
                cur.execute(
                    self._sql(
                        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
                    ),
                    ("salt", os.urandom(16).hex()),
                )

    def _upsert_meta(self, cur: Any, key: str, value: str) -> None:
        cur.execute(
            self._sql(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            (key, value),
        )

    def _salt(self) -> str:
        return str(self._read("SELECT value FROM meta WHERE key = ?", ("salt",))[0][0])

    @property
    def schema_version(self) -> int:
        """The store's schema version (after migration)."""
        return int(self._read("SELECT value FROM meta WHERE key = ?", ("schema_version",))[0][0])

    # -- writing ---------------------------------------------------------------------------
    def put(self, record: RunRecord, *, secret_paths: Sequence[str] = ()) -> RunRecord:
        """Insert or replace ``record`` in one transaction; configs and blobs are stored once."""
        rec = RunRecord.from_json(record.to_json())
        rec.config = redact(
            rec.config, self.salt, patterns=self.secret_patterns, secret_paths=secret_paths
        )
        rec.raw_config = redact(
            rec.raw_config, self.salt, patterns=self.secret_patterns, secret_paths=secret_paths
        )
        config_text = canonical_json(rec.config)
        rec.fingerprint = _sha(config_text)
        raw_text = canonical_json(rec.raw_config)
        raw_hash = _sha(raw_text)
        patch_hash = _sha(rec.patch) if rec.patch else None
        body = canonical_json({k: v for k, v in rec.to_json().items() if k not in _BODY_SKIP})
        blob_sql = self._sql(
            "INSERT INTO blobs (hash, data) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING"
        )
        with self._write() as cur:
            cur.execute(
                self._sql("SELECT 1 FROM configs WHERE fingerprint = ?"), (rec.fingerprint,)
            )
            if cur.fetchone() is None:
                cur.execute(
                    self._sql(
                        "INSERT INTO configs (fingerprint, data) VALUES (?, ?) "
                        "ON CONFLICT (fingerprint) DO NOTHING"
                    ),
                    (rec.fingerprint, config_text),
                )
                cur.executemany(
                    self._sql(
                        "INSERT INTO leaves (fingerprint, key, num, txt) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (fingerprint, key) DO NOTHING"
                    ),
                    [
                        (rec.fingerprint, key, *_leaf_row(value))
                        for key, value in iter_leaves(rec.config)
                    ],
                )
            cur.execute(blob_sql, (raw_hash, raw_text))
            if patch_hash and rec.patch:
                cur.execute(blob_sql, (patch_hash, rec.patch))
            cur.execute(
                self._sql(
                    "INSERT INTO runs (id, config_name, status, started, ended, fingerprint, "
                    "raw_hash, "
                    "patch_hash, sweep_id, job_num, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET config_name = excluded.config_name, "
                    "status = excluded.status, started = excluded.started, ended = excluded.ended, "
                    "fingerprint = excluded.fingerprint, raw_hash = excluded.raw_hash, "
                    "patch_hash = excluded.patch_hash, sweep_id = excluded.sweep_id, "
                    "job_num = excluded.job_num, body = excluded.body"
                ),
                (
                    rec.id,
                    rec.config_name,
                    rec.status,
                    rec.started,
                    rec.ended,
                    rec.fingerprint,
                    raw_hash,
                    patch_hash,
                    rec.sweep_id,
                    rec.job_num,
                    body,
                ),
            )
        return rec

    # -- reading ---------------------------------------------------------------------------
    _SELECT = (
        "SELECT r.body, c.data, rb.data, pb.data FROM runs r "
        "JOIN configs c ON c.fingerprint = r.fingerprint "
        "LEFT JOIN blobs rb ON rb.hash = r.raw_hash "
        "LEFT JOIN blobs pb ON pb.hash = r.patch_hash "
    )

    def _records(self, rows: Sequence[tuple[Any, ...]]) -> list[RunRecord]:
        out = []
        here = socket.gethostname()
        for body, config, raw, patch in rows:
            data = json.loads(body)
            data["config"] = json.loads(config)
            data["raw_config"] = json.loads(raw) if raw else {}
            data["patch"] = patch
            rec = RunRecord.from_json(data)
            if rec.status == "running" and rec.host == here and rec.pid and not _pid_alive(rec.pid):
                rec.status = "interrupted"
            out.append(rec)
        return out

    def resolve(self, ref: str) -> str:
        """The full run id for ``ref`` (id, unique prefix, ``@latest``, ``@latest~N``)."""
        match = re.fullmatch(r"@latest(?:~(\d+))?", ref.strip())
        if match:
            offset = int(match.group(1) or 0)
            rows = self._read("SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (offset,))
            if not rows:
                raise RunNotFoundError(
                    f"no run at {ref}: the store has fewer runs", hint="see `confman runs list`"
                )
            return str(rows[0][0])
        if not re.fullmatch(r"[0-9a-z]+", ref):
            raise RunNotFoundError(
                f"not a run reference: {ref!r}",
                hint="give a run id, a unique prefix, @latest or @latest~N",
            )
        rows = self._read(
            "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 2", (ref, ref + "~")
        )
        if not rows:
            raise RunNotFoundError(f"no run matches {ref!r}", hint="see `confman runs list`")
        if len(rows) > 1:
            raise RunNotFoundError(
                f"run prefix {ref!r} is ambiguous ({rows[0][0]}, {rows[1][0]}, ...)",
                hint="give more characters",
            )
        return str(rows[0][0])

    def get(self, ref: str) -> RunRecord:
        """One run by id, unique id prefix, ``@latest`` or ``@latest~N``.

        Raises:
            RunNotFoundError: no run, or an ambiguous prefix.
        """
        run_id = self.resolve(ref)
        return self._records(self._read(self._SELECT + "WHERE r.id = ?", (run_id,)))[0]

    def _conditions(self, where: Where) -> tuple[str, list[Any]]:
        base = "r.fingerprint IN (SELECT fingerprint FROM leaves WHERE key = ? AND "
        value = where.value
        if where.op in (">", "<", ">=", "<="):
            return base + f"num {where.op} ?)", [where.key, float(value)]
        if where.op == "~=":
            escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return base + "txt LIKE ? ESCAPE '\\')", [where.key, f"%{escaped}%"]
        num, txt = _leaf_row(value)
        test = "(num = ? OR txt = ?)" if num is not None else "txt = ?"
        params: list[Any] = [where.key, num, txt] if num is not None else [where.key, txt]
        if where.op == "==":
            return base + test + ")", params
        # != : the key exists with another value (a run without the key does not match).
        return (
            "r.fingerprint IN (SELECT fingerprint FROM leaves WHERE key = ?) AND "
            + base.replace("IN", "NOT IN", 1)
            + test
            + ")",
            [where.key, *params],
        )

    def query(
        self,
        where: Sequence[str | Where] = (),
        *,
        config_name: str | None = None,
        status: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs matching every condition, newest first.

        Args:
            where: ``--where`` expressions (``optimizer.lr>=0.01``) or parsed ``Where`` objects.
            config_name: only runs of this primary config.
            status: only runs with this stored status (running, completed, failed).
            since: only runs started at or after this unix time.
            limit: at most this many runs.
        """
        clauses: list[str] = []
        params: list[Any] = []
        for item in where:
            sql, values = self._conditions(parse_where(item) if isinstance(item, str) else item)
            clauses.append(sql)
            params.extend(values)
        if config_name is not None:
            clauses.append("r.config_name = ?")
            params.append(config_name)
        if status is not None:
            clauses.append("r.status = ?")
            params.append("running" if status == "interrupted" else status)
        if since is not None:
            clauses.append("r.started >= ?")
            params.append(since)
        sql = (
            self._SELECT
            + ("WHERE " + " AND ".join(clauses) + " " if clauses else "")
            + "ORDER BY r.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        records = self._records(self._read(sql, params))
        if status in ("running", "interrupted"):
            records = [r for r in records if r.status == status]
        return records

    # -- deleting --------------------------------------------------------------------------
    def delete(self, refs: Sequence[str]) -> list[str]:
        """Delete runs by reference (all resolved first, so a bad ref deletes nothing)."""
        ids = [self.resolve(ref) for ref in refs]
        with self._write() as cur:
            cur.executemany(self._sql("DELETE FROM runs WHERE id = ?"), [(i,) for i in ids])
        return ids

    def gc(self) -> dict[str, int]:
        """Remove configs, leaves and blobs that no run refers to."""
        with self._write() as cur:
            cur.execute(
                "DELETE FROM leaves WHERE fingerprint NOT IN (SELECT fingerprint FROM runs)"
            )
            leaves = cur.rowcount
            cur.execute(
                "DELETE FROM configs WHERE fingerprint NOT IN (SELECT fingerprint FROM runs)"
            )
            configs = cur.rowcount
            cur.execute(
                "DELETE FROM blobs WHERE hash NOT IN "
                "(SELECT raw_hash FROM runs WHERE raw_hash IS NOT NULL) "
                "AND hash NOT IN (SELECT patch_hash FROM runs WHERE patch_hash IS NOT NULL)"
            )
            blobs = cur.rowcount
        return {"configs": configs, "leaves": leaves, "blobs": blobs}

    def count(self) -> int:
        """Number of runs in the store."""
        return int(self._read("SELECT COUNT(*) FROM runs")[0][0])

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
