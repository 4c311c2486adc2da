"""Run stores: where run records live, SQLite by default, PostgreSQL for teams.

``open_store()`` picks the backend from, in order: the ``url`` argument, the ``CONFMAN_STORE``
environment variable, ``[tool.confman] store`` in pyproject.toml, then ``.confman/runs.db``
under the project root.
"""

from __future__ import annotations

from pathlib import Path

from confman.settings import Settings, load_settings
from confman.store import journal
from confman.store.base import RunNotFoundError, SQLStore, Store, StoreError
from confman.store.interface import StoreDamagedError
from confman.store.record import RunRecord, canonical_json, fingerprint, new_run_id
from confman.store.secrets import DEFAULT_SECRET_PATTERNS, redact
from confman.store.where import Where, WhereError, parse_where
from confman.storeurl import store_url

__all__ = [
    "RunNotFoundError",
    "RunRecord",
    "SQLStore",
    "Store",
    "StoreDamagedError",
    "StoreError",
    "Where",
    "WhereError",
    "canonical_json",
    "fingerprint",
    "journal",
    "new_run_id",
    "open_store",
    "parse_where",
    "redact",
    "store_url",
]


def open_store(url: str | Path | None = None, *, settings: Settings | None = None) -> SQLStore:
    """Open the run store, creating or migrating it if needed.

    Opening a store that is current only reads it, so a read-only store (file, folder or
    filesystem) opens for reading; writing to it then raises ``StoreError``. Every driver error
    is a ``StoreError`` with a hint; a damaged store is a ``StoreDamagedError``, and ``query``
    on one serves the runs still readable and sets ``store.damage``.

    Args:
        url: ``sqlite:///path``, a plain file path, or ``postgresql://...``;
            None for the configured one.
        settings: project settings (read from pyproject.toml when omitted).

    Raises:
        StoreError: unknown scheme, unreachable server, missing driver, an empty file or a
            folder at the path, a store newer than this confman.
    """
    if url is None:
        settings = settings or load_settings()
        url = store_url(settings)
    patterns = DEFAULT_SECRET_PATTERNS
    if settings is not None:
        patterns = tuple(settings.raw.get("secret_patterns", DEFAULT_SECRET_PATTERNS))
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from confman.store.postgres import PostgresStore

        return PostgresStore(text, secret_patterns=patterns)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
        # sqlite:////abs and sqlite:///rel both work
    elif "://" in text:
        raise StoreError(
            f"unknown run store URL {text!r}", hint="use sqlite:///path or postgresql://..."
        )
    from confman.store.sqlite import SQLiteStore

    return SQLiteStore(text if text.startswith("/") else Path(text), secret_patterns=patterns)
