"""PostgreSQL backend for teams sharing one store: ``store = "postgresql://..."``.

The driver (psycopg 3) is an optional dependency, installed with ``pip install confman[postgres]``.
Writes run in ordinary READ COMMITTED transactions; ``ON CONFLICT DO NOTHING`` makes concurrent
inserts of the same content-addressed config safe without locks. Migrations take a transaction
advisory lock so that two processes opening a new database do not both create the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from confman.store.base import SQLStore, StoreError
from confman.store.faults import fault

__all__ = ["PostgresStore"]

_MIGRATION_LOCK = 0x636F6E666D616E  # "confman"


class PostgresStore(SQLStore):
    """Run store in a PostgreSQL database.

    Args:
        url: a libpq connection URL, e.g. ``postgresql://user@host:5432/runs``.
    """

    placeholder = "%s"

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError(
                f"the store {self.url} needs the PostgreSQL driver psycopg",
                hint="pip install confman[postgres]",
            ) from exc
        self.driver_errors = (psycopg.Error,)
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise fault(exc, self.url, "connect to") from exc

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    def _has_meta(self) -> bool:
        return bool(self._read("SELECT to_regclass('meta')")[0][0])

    def _migration_lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
