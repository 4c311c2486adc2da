"""SQLite backend: ``.confman/runs.db`` under the project root, the zero-set-up default.

WAL mode lets readers (``confman runs list``) run while a training job writes; writers take the
write lock up front (``BEGIN IMMEDIATE``) and wait up to ``timeout`` seconds for it, so many
processes recording at once queue instead of failing with "database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from confman.store.base import SQLStore, StoreError

__all__ = ["SQLiteStore"]


class SQLiteStore(SQLStore):
    """Run store in one SQLite file.

    Args:
        path: the database file; its folder is created if missing.
        timeout: seconds a writer waits for the lock held by another process.
    """

    placeholder = "?"

    def __init__(self, path: str | Path, *, timeout: float = 60.0, **kwargs: Any) -> None:
        self.path = Path(path)
        self.timeout = timeout
        super().__init__(f"sqlite:///{self.path}", **kwargs)

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            self._enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open run store {self.path}: {exc}", hint="check the path and permissions"
            ) from exc
        return conn

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
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def _migration_lock(self, cur: Any) -> None:
        """``BEGIN IMMEDIATE`` already holds the only write lock."""
