"""The store on SQL, shared by the SQLite and PostgreSQL backends (``confman.store.interface``).

Layout (see ``confman.store.migrations`` for the schema's versions):
- ``configs``: resolved configs, once per fingerprint (content-addressed), with the hash of the
  config's top node in ``nodes``.
- ``nodes``: every mapping of every config, once per content hash (a Merkle tree, see
  ``confman.store.tree``), so comparing many runs compares hashes, not whole configs.
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
from abc import abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from typing import Any

from confman.provenance import iter_leaves
from confman.store.faults import fault
from confman.store.interface import RunNotFoundError, Store, StoreDamagedError, StoreError
from confman.store.migrations import MIGRATIONS, SCHEMA_VERSION, insert_nodes
from confman.store.record import RunRecord, canonical_json
from confman.store.secrets import DEFAULT_SECRET_PATTERNS, redact_record
from confman.store.tree import child_hashes, decode_nodes, split_tree
from confman.store.where import Where, condition_sql, leaf_row, parse_where

__all__ = ["SCHEMA_VERSION", "RunNotFoundError", "SQLStore", "Store", "StoreError"]


# Record fields stored in their own content-addressed tables, not in the run row's body.
_BODY_SKIP = ("config", "raw_config", "patch")


def _body(record: RunRecord) -> dict[str, Any]:
    """The record's fields that live in the run row (no deep copy: it is serialised at once)."""
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in _BODY_SKIP}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    """``items`` in slices short enough for one ``IN (...)`` list on every backend."""
    return [items[i : i + size] for i in range(0, len(items), size)]


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
    #: The driver's exception types, each reported as a ``StoreError`` (``store.faults``).
    driver_errors: tuple[type[BaseException], ...] = ()
    #: Orders in which the runs' ids can be scanned independently (table, index), for salvage.
    scan_orders: tuple[str, ...] = ("id", "id DESC")
    #: Other ways to read one run when the usual query meets damage (e.g. around an index).
    salvage_selects: tuple[str, ...] = ()
    #: The last resort: the run and its config without the raw config and patch blobs.
    _PARTIAL = (
        "SELECT r.body, c.data, NULL, NULL FROM runs r "
        "JOIN configs c ON c.fingerprint = r.fingerprint "
    )

    def __init__(
        self, url: str, *, secret_patterns: Sequence[str] = DEFAULT_SECRET_PATTERNS
    ) -> None:
        self.url = url
        self.secret_patterns = tuple(secret_patterns)
        #: Set by a read that met damage and served only the readable runs.
        self.damage: StoreDamagedError | None = None
        self._conn = self._connect()
        try:
            self._migrate()
            self.salt = self._salt()
        except StoreDamagedError as exc:
            # The schema's own pages are damaged: no writing, but the runs may still be read.
            self.damage = exc
            self.salt = ""
        except BaseException:
            self._conn.close()
            raise

    # -- backend hooks ---------------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> Any: ...

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction (cursor) that serialises against other writers where needed."""

    @abstractmethod
    def _migration_lock(self, cur: Any) -> None: ...

    @abstractmethod
    def _has_meta(self) -> bool:
        """Whether the store has its ``meta`` table (a read, never a write)."""

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[Any]:
        """``_write`` with the driver's errors reported as ``StoreError``.

        A store known to be damaged is not written: a write could spread the damage.
        """
        if self.damage is not None:
            raise self.damage
        try:
            with self._write() as cur:
                yield cur
        except self.driver_errors as exc:
            raise fault(exc, self.url, doing) from exc

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self._conn.cursor()
            try:
                cur.execute(self._sql(sql), tuple(params))
                rows: list[tuple[Any, ...]] = cur.fetchall()
            finally:
                cur.close()
            self._end_read()
        except self.driver_errors as exc:
            raise fault(exc, self.url, "read") from exc
        return rows

    def _end_read(self) -> None:
        """Backends with implicit transactions end them here so readers never hold snapshots."""

    # -- schema ----------------------------------------------------------------------------
    def _stored_version(self) -> int:
        """The store's schema version, read without writing (0 for a new store)."""
        if not self._has_meta():
            return 0
        rows = self._read("SELECT value FROM meta WHERE key = ?", ("schema_version",))
        return int(rows[0][0]) if rows else 0

    def _migrate(self) -> None:
        """Bring the schema up to date; a current store is only read (so read-only ones open)."""
        version = self._stored_version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise self._too_new(version)
        with self._transaction("create or migrate") as cur:
            self._migration_lock(cur)
            cur.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            cur.execute(self._sql("SELECT value FROM meta WHERE key = ?"), ("schema_version",))
            row = cur.fetchone()
            self._apply_migrations(cur, int(row[0]) if row else 0)

    def _too_new(self, version: int) -> StoreError:
        return StoreError(
            f"{self.url}: store schema version {version} is newer than this "
            f"confman ({SCHEMA_VERSION})",
            hint="upgrade confman",
        )

    def _apply_migrations(self, cur: Any, version: int) -> None:
        """Run the migrations after ``version`` in the open write transaction ``cur``."""
        cur.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if version > SCHEMA_VERSION:
            raise self._too_new(version)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[number - 1](cur, self.double, self._sql)
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
        # A redacted copy (``redact_record`` builds new containers for the configs; the other
        # fields are copied as JSON, cheap next to the configs): every field that can carry a
        # secret (configs, overrides, argv, provenance, patch, extra) holds markers.
        copy = {**json.loads(canonical_json(_body(record))), "patch": record.patch}
        rec = redact_record(
            RunRecord.from_json({**copy, "config": record.config, "raw_config": record.raw_config}),
            secret_paths=secret_paths,
            patterns=self.secret_patterns,
        )
        config_text = canonical_json(rec.config)
        rec.fingerprint = _sha(config_text)
        raw_text = canonical_json(rec.raw_config)
        raw_hash = _sha(raw_text)
        patch_hash = _sha(rec.patch) if rec.patch else None
        body = canonical_json(_body(rec))
        blob_sql = self._sql(
            "INSERT INTO blobs (hash, data) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING"
        )
        with self._transaction(f"write run {rec.id} to") as cur:
            cur.execute(
                self._sql("SELECT 1 FROM configs WHERE fingerprint = ?"), (rec.fingerprint,)
            )
            if cur.fetchone() is None:
                root, nodes = split_tree(rec.config)
                insert_nodes(cur, self._sql, nodes)
                cur.execute(
                    self._sql(
                        "INSERT INTO configs (fingerprint, data, root) VALUES (?, ?, ?) "
                        "ON CONFLICT (fingerprint) DO NOTHING"
                    ),
                    (rec.fingerprint, config_text, root),
                )
                cur.executemany(
                    self._sql(
                        "INSERT INTO leaves (fingerprint, key, num, txt) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (fingerprint, key) DO NOTHING"
                    ),
                    [
                        (rec.fingerprint, key, *leaf_row(value))
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
        if not rows:
            return []
        # One JSON document for all rows: the parser's per-call overhead, paid per record
        # and per column, was a third of a 1,000-run query.
        try:
            decoded = json.loads(
                "["
                + ",".join(f"[{body},{config},{raw or '{}'}]" for body, config, raw, _ in rows)
                + "]"
            )
        except ValueError as exc:
            raise fault(ValueError(f"malformed record: {exc}"), self.url, "decode runs of") from exc
        out = []
        here = socket.gethostname()
        for (data, config, raw), (*_, patch) in zip(decoded, rows, strict=True):
            data["config"] = config
            data["raw_config"] = raw
            data["patch"] = patch
            try:
                rec = RunRecord.from_json(data)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise fault(
                    ValueError(f"malformed record: {exc}"), self.url, "decode runs of"
                ) from exc
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
        clauses, params = self._where(where)
        if config_name is not None:
            clauses.append("r.config_name = ?")
            params.append(config_name)
        if status is not None:
            clauses.append("r.status = ?")
            params.append("running" if status == "interrupted" else status)
        if since is not None:
            clauses.append("r.started >= ?")
            params.append(since)
        try:
            records = self._records(self._read(*self._newest(self._SELECT, clauses, params, limit)))
        except StoreDamagedError as exc:
            records = self._salvage(exc, clauses, params, limit)
        if status in ("running", "interrupted"):
            records = [r for r in records if r.status == status]
        return records

    def _where(self, where: Sequence[str | Where]) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for item in where:
            sql, values = condition_sql(parse_where(item) if isinstance(item, str) else item)
            clauses.append(sql)
            params.extend(values)
        return clauses, params

    @staticmethod
    def _newest(
        select: str, clauses: list[str], params: list[Any], limit: int | None
    ) -> tuple[str, list[Any]]:
        """``select`` filtered by ``clauses``, newest run first, at most ``limit`` rows."""
        sql = select + ("WHERE " + " AND ".join(clauses) + " " if clauses else "")
        sql += "ORDER BY r.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, int(limit)]
        return sql, params

    def tree_roots(
        self,
        where: Sequence[str | Where] = (),
        *,
        refs: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, str]:
        """Run id -> hash of its config's top node (``refs`` in order, else newest first)."""
        select = "SELECT r.id, c.root FROM runs r JOIN configs c ON c.fingerprint = r.fingerprint "
        if refs is not None:
            ids = [self.resolve(ref) for ref in refs]
            found: dict[str, str] = {}
            for chunk in _chunks(ids):
                marks = ", ".join("?" * len(chunk))
                found.update(self._read(select + f"WHERE r.id IN ({marks})", chunk))
            return {i: found[i] for i in ids}
        clauses, params = self._where(where)
        return {
            str(i): str(root)
            for i, root in self._read(*self._newest(select, clauses, params, limit))
        }

    def tree_nodes(self, hashes: Collection[str]) -> dict[str, dict[str, Any]]:
        """The stored nodes with these hashes (fetched in chunks of 500)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(hashes)):
            marks = ", ".join("?" * len(chunk))
            out.update(
                decode_nodes(
                    self._read(f"SELECT hash, data FROM nodes WHERE hash IN ({marks})", chunk)
                )
            )
        return out

    def tree_size(self, node: str) -> int:
        """The number of leaves under the stored node ``node`` (kept in its row)."""
        return int(self._read("SELECT leaves FROM nodes WHERE hash = ?", (node,))[0][0])

    # -- damaged stores --------------------------------------------------------------------
    def _readable_ids(self) -> tuple[set[str], bool]:
        """Every run id some scan can still read, and whether every scan read to the end.

        A damaged page stops a scan where it lies, so the table is scanned from both ends and
        the id index too: the runs on either side of the damage are found.
        """
        ids: set[str] = set()
        complete = True
        for order in self.scan_orders:
            cur = self._conn.cursor()
            try:
                cur.execute(f"SELECT id FROM runs ORDER BY {order}")
                while (row := cur.fetchone()) is not None:
                    ids.add(str(row[0]))
            except self.driver_errors:
                complete = False
            finally:
                cur.close()
            self._end_read()
        return ids, complete

    def _salvage(
        self, exc: StoreDamagedError, clauses: list[str], params: list[Any], limit: int | None
    ) -> list[RunRecord]:
        """The runs matching ``clauses`` that can still be read, one by one; records the damage."""
        ids, complete = self._readable_ids()
        out: list[RunRecord] = []
        unreadable = partial = 0
        selects = (self._SELECT, *self.salvage_selects, self._PARTIAL)
        for run_id in sorted(ids, reverse=True):
            if limit is not None and len(out) >= limit:
                break
            for select in selects:
                try:
                    sql, values = self._newest(
                        select, ["r.id = ?", *clauses], [run_id, *params], None
                    )
                    found = self._records(self._read(sql, values))
                except StoreError:
                    continue
                if select is self._PARTIAL and found:
                    partial += 1
                    found[0].extra = {**found[0].extra, "damaged": "raw config and patch lost"}
                out += found
                break
            else:
                unreadable += 1
        lost = f"{unreadable} unreadable" + (f", {partial} without raw config" if partial else "")
        if not complete:
            lost += " (and the run index is damaged)"
        self.damage = StoreDamagedError(
            f"{exc.message.split(' (')[0]}: {len(out)} matching run(s) readable, {lost}",
            hint=exc.hint,
        )
        return out

    # -- deleting --------------------------------------------------------------------------
    def delete(self, refs: Sequence[str]) -> list[str]:
        """Delete runs by reference (all resolved first, so a bad ref deletes nothing)."""
        ids = [self.resolve(ref) for ref in refs]
        with self._transaction("delete runs from") as cur:
            cur.executemany(self._sql("DELETE FROM runs WHERE id = ?"), [(i,) for i in ids])
        return ids

    def gc(self) -> dict[str, int]:
        """Remove configs, leaves and blobs that no run refers to."""
        with self._transaction("collect garbage in") as cur:
            cur.execute(
                "DELETE FROM leaves WHERE fingerprint NOT IN (SELECT fingerprint FROM runs)"
            )
            leaves = cur.rowcount
            cur.execute(
                "DELETE FROM configs WHERE fingerprint NOT IN (SELECT fingerprint FROM runs)"
            )
            configs = cur.rowcount
            nodes = self._gc_nodes(cur)
            cur.execute(
                "DELETE FROM blobs WHERE hash NOT IN "
                "(SELECT raw_hash FROM runs WHERE raw_hash IS NOT NULL) "
                "AND hash NOT IN (SELECT patch_hash FROM runs WHERE patch_hash IS NOT NULL)"
            )
            blobs = cur.rowcount
        return {"configs": configs, "leaves": leaves, "nodes": nodes, "blobs": blobs}

    def _gc_nodes(self, cur: Any) -> int:
        """Delete nodes no remaining config reaches (nodes are shared, so follow the tree)."""
        cur.execute("SELECT hash, data FROM nodes")
        texts = dict(cur.fetchall())
        cur.execute("SELECT root FROM configs WHERE root IS NOT NULL")
        todo = [root for (root,) in cur.fetchall()]
        reached: set[str] = set()
        while todo:
            node = todo.pop()
            if node not in reached:
                reached.add(node)
                todo.extend(child_hashes(texts[node]) if node in texts else ())
        dead = [(h,) for h in texts if h not in reached]
        cur.executemany(self._sql("DELETE FROM nodes WHERE hash = ?"), dead)
        return len(dead)

    def count(self) -> int:
        """Number of runs in the store."""
        return int(self._read("SELECT COUNT(*) FROM runs")[0][0])

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
