"""Store fixtures: every store test runs against SQLite and a real PostgreSQL.

PostgreSQL comes from ``CONFMAN_TEST_PG_URL`` (``source .ci/postgres.sh`` starts one). Without it
the PostgreSQL cases are skipped locally, and fail under ``CI=true``: CI must test both backends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from confman.store import SQLStore, open_store


def pg_url() -> str:
    """The test server URL, or skip/fail per the CI rule."""
    url = os.environ.get("CONFMAN_TEST_PG_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but CONFMAN_TEST_PG_URL is not set: run `source .ci/postgres.sh`")
        pytest.skip("no PostgreSQL: set CONFMAN_TEST_PG_URL (source .ci/postgres.sh)")
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema (dropped afterwards)."""
    import psycopg

    url = pg_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / '.confman' / 'runs.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[SQLStore]:
    """An open, empty store on each backend."""
    with open_store(store_url) as opened:
        yield opened
