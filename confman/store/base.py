"""The store on SQL, shared by the SQLite and PostgreSQL backends (``confman.store.interface``).

The tables (schema version 3) are described in ``confman.store.layout``, which writes them, and
read back by ``confman.store.reader``; ``confman.store.gc`` collects what no run uses. In short:
configs, raw configs and the shared part of each record are trees of content-addressed nodes
under integer ids, the ``--where`` index has one row per leaf per distinct node, and a run's own
row holds only what differs from run to run. ``meta`` holds the schema version and secret salt.

Runs are written in one transaction (``put`` one, ``put_many`` a batch), so a killed writer
leaves either the previous state of the runs or the new one, never half of it.
"""

from __future__ import annotations

import os
import re
import socket
from abc import abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from confman.store.faults import fault
from confman.store.gc import collect
from confman.store.interface import RunNotFoundError, Store, StoreDamagedError, StoreError
from confman.store.layout import BLOB, NODE, KeyCache, chunks, queue_garbage, write_records
from confman.store.migrations import MIGRATIONS, SCHEMA_VERSION, Dialect, create_schema
from confman.store.prepare import Preparer
from confman.store.reader import SELECT, MissingNodeError, records_from_rows
from confman.store.record import RunRecord
from confman.store.secrets import DEFAULT_SECRET_PATTERNS, store_rules
from confman.store.tree import decode_nodes
from confman.store.where import Where, condition_sql, parse_where

__all__ = ["SCHEMA_VERSION", "RunNotFoundError", "SQLStore", "Store", "StoreError"]


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
    #: An integer primary key the database numbers itself, and the type of raw bytes.
    serial = "INTEGER PRIMARY KEY"
    blob = "BLOB"
    #: Whether many rows or ids go as one array parameter (``unnest``, ``= ANY``): on a server
    #: a statement per row is a statement to run and an ``IN`` list of n ids one to plan each
    #: time; an in-process SQLite runs rows one by one and caches its plans.
    arrays = False
    #: The driver's exception types, each reported as a ``StoreError`` (``store.faults``).
    driver_errors: tuple[type[BaseException], ...] = ()
    #: Orders in which the runs' row ids can be scanned independently, for salvage.
    scan_orders: tuple[str, ...] = ("rid", "rid DESC")

    def __init__(
        self, url: str, *, secret_patterns: Sequence[str] = DEFAULT_SECRET_PATTERNS
    ) -> None:
        self.url = url
        self.secret_patterns = tuple(secret_patterns)
        #: Set by a read that met damage and served only the readable runs.
        self.damage: StoreDamagedError | None = None
        self._keys = KeyCache()
        self._conn = self._connect()
        try:
            self.salt = self._migrate()
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

    def _writers_lock(self, cur: Any, *, exclusive: bool) -> None:
        """Keep ``gc`` (exclusive) apart from writers (shared), where writes run concurrently."""

    @property
    def dialect(self) -> Dialect:
        """The backend's SQL types and placeholder rewriting, for the migrations."""
        return Dialect(self.double, self.serial, self.blob, self._sql)

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
            error = fault(exc, self.url, "read")
            if isinstance(error, StoreDamagedError) and self.damage is None:
                self.damage = error  # met once, known: the store is not written any more
            raise error from exc
        return rows

    def _end_read(self) -> None:
        """Backends with implicit transactions end them here so readers never hold snapshots."""

    # -- schema ----------------------------------------------------------------------------
    def _stored_meta(self) -> dict[str, str]:
        """The store's ``meta`` rows (schema version, salt), read without writing ({} for a
        new store)."""
        if not self._has_meta():
            return {}
        return {str(key): str(value) for key, value in self._read("SELECT key, value FROM meta")}

    def _migrate(self) -> str:
        """Bring the schema up to date and return the store's secret salt; a current store is
        only read (so read-only ones open), in one statement where the backend allows."""
        meta = self._stored_meta()
        version = int(meta.get("schema_version", 0))
        if version == SCHEMA_VERSION:
            return meta["salt"] if "salt" in meta else self._salt()
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
        return self._salt()

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
        if version == 0:
            create_schema(cur, self.dialect)
        else:
            for number in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](cur, self.dialect)
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
        """Insert or replace ``record`` in one transaction; what runs share is stored once."""
        return self.put_many([record], secret_paths=secret_paths)[0]

    def put_many(
        self, records: Sequence[RunRecord], *, secret_paths: Sequence[str] = ()
    ) -> list[RunRecord]:
        """``put`` for many records in one transaction: all of them are stored, or none.

        What importing or filling many runs wants: one commit (on SQLite, one sync) and one
        lookup of shared nodes for the whole batch instead of one per run.
        """
        preparer = Preparer(store_rules(self.secret_patterns), secret_paths)
        prepared = [preparer.prepare(r) for r in records]
        doing = f"write run {prepared[0].record.id} to" if len(prepared) == 1 else "write runs to"
        try:
            with self._transaction(doing) as cur:
                self._writers_lock(cur, exclusive=False)
                write_records(cur, self._sql, prepared, preparer.nodes, self._keys)
        except BaseException:
            self._keys.rollback()
            raise
        self._keys.commit()
        return [p.record for p in prepared]

    # -- reading ---------------------------------------------------------------------------
    def _records(
        self,
        rows: Sequence[tuple[Any, ...]],
        *,
        partial: bool = False,
        texts: dict[int, str] | None = None,
    ) -> list[RunRecord]:
        """Records for ``rows`` (``reader.SELECT``); ``texts``: their nodes, if read with them."""
        try:
            records = records_from_rows(
                self._read, rows, partial=partial, texts=texts, arrays=self.arrays
            )
        except (MissingNodeError, TypeError, ValueError, KeyError, AttributeError) as exc:
            raise fault(ValueError(f"malformed record: {exc}"), self.url, "decode runs of") from exc
        here = socket.gethostname()
        for rec in records:
            if rec.status == "running" and rec.host == here and rec.pid and not _pid_alive(rec.pid):
                rec.status = "interrupted"
        return records

    def resolve(self, ref: str) -> str:
        """The full run id for ``ref`` (id, unique prefix, ``@latest``, ``@latest~N``)."""
        latest = self._latest(ref)
        if latest is not None:
            return latest
        rows = self._read(
            "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            self._prefix_range(ref),
        )
        return self._only_match(ref, [str(row[0]) for row in rows])

    def resolve_all(self, refs: Sequence[str]) -> list[str]:
        """``resolve`` of each of ``refs``, in order (PostgreSQL: in one statement)."""
        return [self.resolve(ref) for ref in refs]

    def _latest(self, ref: str) -> str | None:
        """The run id ``@latest`` or ``@latest~N`` names; None for any other reference."""
        match = re.fullmatch(r"@latest(?:~(\d+))?", ref.strip())
        if not match:
            return None
        offset = int(match.group(1) or 0)
        rows = self._read("SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (offset,))
        if not rows:
            raise RunNotFoundError(
                f"no run at {ref}: the store has fewer runs", hint="see `confman runs list`"
            )
        return str(rows[0][0])

    @staticmethod
    def _prefix_range(ref: str) -> tuple[str, str]:
        """The ids a run id prefix covers, as ``id >= low AND id < high``."""
        if not re.fullmatch(r"[0-9a-z]+", ref):
            raise RunNotFoundError(
                f"not a run reference: {ref!r}",
                hint="give a run id, a unique prefix, @latest or @latest~N",
            )
        return ref, ref + "~"

    @staticmethod
    def _only_match(ref: str, ids: Sequence[str]) -> str:
        """The one run id of ``ids`` (the first two, in order, that ``ref`` matched)."""
        if not ids:
            raise RunNotFoundError(f"no run matches {ref!r}", hint="see `confman runs list`")
        if len(ids) > 1:
            raise RunNotFoundError(
                f"run prefix {ref!r} is ambiguous ({ids[0]}, {ids[1]}, ...)",
                hint="give more characters",
            )
        return ids[0]

    def get(self, ref: str) -> RunRecord:
        """One run by id, unique id prefix, ``@latest`` or ``@latest~N``.

        Raises:
            RunNotFoundError: no run, or an ambiguous prefix.
        """
        run_id = self.resolve(ref)
        return self._records(self._read(SELECT + "WHERE r.id = ?", (run_id,)))[0]

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
            records = self._records(self._read(*self._newest(SELECT, clauses, params, limit)))
        except StoreDamagedError as exc:
            records = self._salvage(exc, clauses, params, limit)
        if status in ("running", "interrupted"):
            records = [r for r in records if r.status == status]
        return records

    def _where(self, where: Sequence[str | Where]) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for item in where:
            parsed = parse_where(item) if isinstance(item, str) else item
            sql, values = condition_sql(parsed, self._key_chains(parsed.key))
            clauses.append(sql)
            params.extend(values)
        return clauses, params

    def _key_chains(self, path: str) -> list[list[int]]:
        """The trie keys a dotted ``path`` names, each with the keys above it (``where.py``)."""
        chains = []
        for key, parent in self._read("SELECT id, parent FROM keys WHERE path = ?", (path,)):
            chain = [int(key)]
            while parent:
                chain.append(int(parent))
                parent = self._read("SELECT parent FROM keys WHERE id = ?", (parent,))[0][0]
            chains.append(chain)
        return chains

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
        """Run id -> id of its config's top node (``refs`` in order, else newest first)."""
        select = "SELECT r.id, r.config FROM runs r "
        if refs is not None:
            ids = [self.resolve(ref) for ref in refs]
            found: dict[str, str] = {}
            for chunk in chunks(ids):
                marks = ", ".join("?" * len(chunk))
                found.update(
                    (str(i), str(c))
                    for i, c in self._read(select + f"WHERE r.id IN ({marks})", chunk)
                )
            return {i: found[i] for i in ids}
        clauses, params = self._where(where)
        return {
            str(i): str(root)
            for i, root in self._read(*self._newest(select, clauses, params, limit))
        }

    def tree_nodes(self, hashes: Collection[str]) -> dict[str, dict[str, Any]]:
        """The stored nodes with these ids (fetched in chunks of 500)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted({int(h) for h in hashes})):
            marks = ", ".join("?" * len(chunk))
            out.update(
                decode_nodes(self._read(f"SELECT id, data FROM nodes WHERE id IN ({marks})", chunk))
            )
        return out

    def tree_size(self, node: str) -> int:
        """The number of leaves under the stored node ``node`` (kept in its row)."""
        return int(self._read("SELECT leaves FROM nodes WHERE id = ?", (int(node),))[0][0])

    # -- damaged stores --------------------------------------------------------------------
    def _readable_ids(self) -> tuple[set[int], bool]:
        """Every run row some scan can still read, and whether every scan read to the end.

        A damaged page stops a scan where it lies, so the table is scanned from both ends and
        the id index too: the runs on either side of the damage are found.
        """
        rids: set[int] = set()
        complete = True
        for order in self.scan_orders:
            cur = self._conn.cursor()
            try:
                cur.execute(f"SELECT rid FROM runs ORDER BY {order}")
                while (row := cur.fetchone()) is not None:
                    rids.add(int(row[0]))
            except self.driver_errors:
                complete = False
            finally:
                cur.close()
            self._end_read()
        return rids, complete

    def _salvage(
        self, exc: StoreDamagedError, clauses: list[str], params: list[Any], limit: int | None
    ) -> list[RunRecord]:
        """The runs matching ``clauses`` that can still be read, one by one; records the damage.

        A run whose raw config or ``meta`` tree is lost is served with its config and its own
        row (marked in ``extra``), rather than not at all.
        """
        rids, complete = self._readable_ids()
        found: list[RunRecord] = []
        unreadable = partial = 0
        for rid in rids:
            sql, values = self._newest(SELECT, ["r.rid = ?", *clauses], [rid, *params], None)
            for mode in (False, True):
                try:
                    got = self._records(self._read(sql, values), partial=mode)
                except StoreError:
                    continue
                if mode and got:
                    partial += 1
                    got[0].extra = {
                        **got[0].extra,
                        "damaged": "raw config, environment and patch lost",
                    }
                found += got
                break
            else:
                unreadable += 1
        found.sort(key=lambda r: r.id, reverse=True)
        out = found[:limit] if limit is not None else found
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
        """Delete runs by reference (all resolved first, so a bad ref deletes nothing).

        What they used is queued for ``gc``, which frees what no other run uses.
        """
        ids = self.resolve_all(refs)
        with self._transaction("delete runs from") as cur:
            self._writers_lock(cur, exclusive=False)
            for chunk in chunks(list(dict.fromkeys(ids))):
                marks = ", ".join("?" * len(chunk))
                cur.execute(
                    self._sql(f"SELECT config, raw, meta, patch FROM runs WHERE id IN ({marks})"),
                    list(chunk),
                )
                used = cur.fetchall()
                queue_garbage(
                    cur,
                    self._sql,
                    [(NODE, n) for row in used for n in row[:3]] + [(BLOB, row[3]) for row in used],
                    arrays=self.arrays,
                )
                cur.execute(self._sql(f"DELETE FROM runs WHERE id IN ({marks})"), list(chunk))
        return ids

    def gc(self) -> dict[str, int]:
        """Remove what no run uses any more: configs (their top nodes), leaf index rows, nodes
        and patch blobs (``confman.store.gc``)."""
        with self._transaction("collect garbage in") as cur:
            self._writers_lock(cur, exclusive=True)
            return collect(cur, self._sql, arrays=self.arrays)

    def count(self) -> int:
        """Number of runs in the store."""
        return int(self._read("SELECT COUNT(*) FROM runs")[0][0])

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
