"""Store fixtures: every store test runs against SQLite and a real PostgreSQL.

PostgreSQL comes from ``CONFMAN_TEST_PG_URL`` (``source .ci/postgres.sh`` starts one). Without it
the PostgreSQL cases are skipped locally, and fail under ``CI=true``: CI must test both backends.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


def _run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small filesystem at ``where`` (root only); skips when mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    if not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)):
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` and everything in it really read-only; yields how it was done.

    Root ignores permission bits, so as root ``folder`` is bind-mounted read-only onto itself;
    elsewhere the permission bits do it.
    """
    if os.geteuid() == 0:
        if not (
            _run("mount", "--bind", str(folder), str(folder))
            and _run("mount", "-o", "remount,ro,bind", str(folder))
        ):
            pytest.skip("root, but bind mounts are not allowed: read-only cannot be made real")
        try:
            yield "read-only bind mount"
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield "chmod a-w"
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.fixture
def mount_tmpfs() -> object:
    """``tmpfs(where, size)``: a real small filesystem for the block (root only, else skip)."""
    return tmpfs


@pytest.fixture
def make_read_only() -> object:
    """``read_only(folder)``: the folder really read-only for the block."""
    return read_only
