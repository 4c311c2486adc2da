"""SQLite backend: ``.confman/runs.db`` under the project root, the zero-set-up default.

WAL mode lets readers (``confman runs list``) run while a training job writes; writers take the
write lock up front (``BEGIN IMMEDIATE``) and wait up to ``timeout`` seconds for it, so many
processes recording at once queue instead of failing with "database is locked".

A new store is built in a temporary file and linked into place whole, so an empty file at the
store's path is never a store being created: it is refused. A store that cannot be written (a
read-only file, folder or filesystem) is opened read-only, so listing runs still works.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from confman.store.base import SQLStore, StoreError
from confman.store.faults import fault, is_readonly

__all__ = ["SQLiteStore"]


class SQLiteStore(SQLStore):
    """Run store in one SQLite file.

    Args:
        path: the database file; its folder is created if missing.
        timeout: seconds a writer waits for the lock held by another process.
    """

    placeholder = "?"
    driver_errors = (sqlite3.Error,)
    scan_orders = ("rowid", "rowid DESC", "id", "id DESC")

    def __init__(self, path: str | Path, *, timeout: float = 60.0, **kwargs: Any) -> None:
        self.path = Path(path)
        self.timeout = timeout
        #: True when the store could only be opened for reading.
        self.readonly = False
        super().__init__(f"sqlite:///{self.path}", **kwargs)

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StoreError(
                f"run store {self.path} is a folder, not a SQLite file",
                hint="point CONFMAN_STORE or [tool.confman] store at a file such as runs.db",
            )
        try:
            if not self.path.exists():
                self._create()
            elif self.path.stat().st_size == 0 and not self._wal_holds_data():
                raise StoreError(
                    f"run store {self.path} is an empty file, not a run store",
                    hint="delete it to start a new store there, or point CONFMAN_STORE or "
                    "[tool.confman] store at the real one",
                )
            conn = self._open(str(self.path), uri=False)
            try:
                self._enable_wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError as exc:
                if not is_readonly(exc):
                    raise
                conn.close()
                conn = self._open_readonly()
        except (OSError, sqlite3.Error) as exc:
            raise fault(exc, self.url, "open") from exc
        return conn

    def _wal_holds_data(self) -> bool:
        """Whether a write-ahead log beside an empty file may hold the store's content."""
        wal = Path(f"{self.path}-wal")
        return wal.is_file() and wal.stat().st_size > 0

    def _open(self, target: str, *, uri: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=self.timeout, isolation_level=None, uri=uri)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _open_readonly(self) -> sqlite3.Connection:
        """Open for reading only: through the WAL when its files exist, else as immutable."""
        base = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        self.readonly = True
        try:
            conn = self._open(base, uri=True)
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
        except sqlite3.OperationalError:
            # WAL needs its -shm file; in a read-only folder nobody can be writing, so the
            # file on disk is the whole store.
            conn = self._open(base + "&immutable=1", uri=True)
        return conn

    def _create(self) -> None:
        """Build an empty, migrated store beside ``path`` and link it into place atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                cur = conn.cursor()
                cur.execute("BEGIN IMMEDIATE")
                self._apply_migrations(cur, 0)
                cur.execute("COMMIT")
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process created it first: same schema, use theirs
            except OSError:  # a filesystem without hard links: a rename, nearly as safe
                if not self.path.exists():
                    os.replace(tmp, self.path)
        finally:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)

    def _has_meta(self) -> bool:
        rows = self._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        return bool(rows)

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL, retrying while another process holds the database.

        Changing the journal mode needs an exclusive lock, and SQLite may refuse it at once
        (not through the busy timeout) while processes open a new store together. WAL is a
        property of the file, so once one opener has set it the others' pragma is a no-op.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            if self._conn.in_transaction:  # SQLite rolls back by itself on a full disk
                with suppress(sqlite3.Error):  # the original error says more
                    cur.execute("ROLLBACK")
            raise
        else:
            try:
                cur.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        finally:
            cur.close()

    def _migration_lock(self, cur: Any) -> None:
        """``BEGIN IMMEDIATE`` already holds the only write lock."""
