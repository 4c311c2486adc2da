"""SQLite backend: ``.confman/runs.db`` under the project root, the zero-set-up default.

WAL mode lets readers (``confman runs list``) run while a training job writes; writers take the
write lock up front (``BEGIN IMMEDIATE``) and wait up to ``timeout`` seconds for it, so many
processes recording at once queue instead of failing with "database is locked".
"""

from __future__ import annotations

import sqlite3
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
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open run store {self.path}: {exc}", hint="check the path and permissions"
            ) from exc
        return conn

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
