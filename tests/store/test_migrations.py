"""Older stores are migrated in place to the current schema, all or nothing, on both backends.

``fixtures/schema1.db`` and ``fixtures/schema2.db`` were written by confman's own store code at
the commits that introduced each schema (``git show f73f242~1:confman/store`` and the commit
before version 3), with the same seven runs (a patch, a failed run, a sweep, a clear password
in an override as version 1 kept it). PostgreSQL stores are built from the same rows with the
older versions' DDL, which ``confman.store.migrations`` keeps.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from confman.cli.app import app
from confman.diff.runtable import compare_stored
from confman.store import StoreError, open_store
from confman.store.migrations import MIGRATIONS, SCHEMA_VERSION, Dialect

FIXTURES = Path(__file__).parent / "fixtures"
OLD_TABLES = {1: {"meta", "configs", "blobs", "leaves", "runs"}}
OLD_TABLES[2] = OLD_TABLES[1] | {"nodes"}


def old_runs(version: int) -> dict[str, dict[str, Any]]:
    """What the fixture holds, read with plain sqlite3: run id -> record fields."""
    with sqlite3.connect(FIXTURES / f"schema{version}.db") as conn:
        rows = conn.execute(
            "SELECT r.id, r.body, c.data, rb.data, pb.data FROM runs r "
            "JOIN configs c ON c.fingerprint = r.fingerprint "
            "LEFT JOIN blobs rb ON rb.hash = r.raw_hash "
            "LEFT JOIN blobs pb ON pb.hash = r.patch_hash"
        ).fetchall()
    conn.close()
    out = {}
    for run_id, body, config, raw, patch in rows:
        out[run_id] = {
            **json.loads(body),
            "config": json.loads(config),
            "raw_config": json.loads(raw or "{}"),
            "patch": patch,
        }
    return out


def check_migrated(url: str, version: int) -> None:
    expected = old_runs(version)
    with open_store(url) as store:
        assert store.schema_version == SCHEMA_VERSION
        runs = {r.id: r for r in store.query()}
        assert runs.keys() == expected.keys()
        for run_id, old in expected.items():
            new = runs[run_id].to_json()
            for field in ("config", "raw_config"):
                # Version 1's markers had another shape: they are markers of today's.
                password = new[field].get("db", {}).pop("password", "<secret:")
                assert password.startswith("<secret:")
                old[field].get("db", {}).pop("password", None)
            for field in ("config", "raw_config", "patch", "status", "started", "ended"):
                assert new[field] == old[field], (run_id, field)
            for field in ("provenance", "packages", "choices", "sweep_id", "job_num", "extra"):
                assert new[field] == old[field], (run_id, field)
            assert new["accessed"] == old["accessed"] and new["error_type"] == old["error_type"]
            assert "hunter2" not in json.dumps(new)  # version 1 kept an override in clear
        lrs = {r.config["optimizer"]["lr"] for r in store.query(["optimizer.lr>=0.025"])}
        assert lrs == {0.1, 0.05, 0.03333333333333333, 0.025}
        assert [r.id for r in store.query(["trainer.tags~=t4"])] == ["01old000000000000004"]
        table = compare_stored(store, ["01old000000000000000", "01old000000000000001"])
        assert set(table.keys) == {"model.depth", "model.name", "optimizer.lr", "trainer.tags"}
        assert store.gc() == {"configs": 0, "leaves": 0, "nodes": 0, "blobs": 0}


@pytest.mark.parametrize("version", [1, 2])
def test_real_older_sqlite_store_is_migrated(tmp_path: Path, version: int) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(FIXTURES / f"schema{version}.db", path)
    check_migrated(f"sqlite:///{path}", version)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert not {t for t in tables if t.startswith("old_")}
    assert b"hunter2" not in path.read_bytes()


def pg_old_store(url: str, version: int) -> None:
    """The fixture's rows in a PostgreSQL schema made with the older versions' DDL."""
    import psycopg

    dialect = Dialect("DOUBLE PRECISION", "", "", lambda s: s.replace("?", "%s"))
    with psycopg.connect(url, autocommit=True) as pg, pg.transaction(), pg.cursor() as cur:
        for number in range(version):
            MIGRATIONS[number](cur, dialect)
        with sqlite3.connect(FIXTURES / f"schema{version}.db") as lite:
            for table in sorted(OLD_TABLES[version]):
                rows = lite.execute(f"SELECT * FROM {table}").fetchall()
                names = [d[1] for d in lite.execute(f"PRAGMA table_info({table})")]
                if rows:
                    marks = ", ".join(["%s"] * len(names))
                    cur.executemany(
                        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows
                    )
        lite.close()


@pytest.mark.parametrize("version", [1, 2])
def test_older_postgres_store_is_migrated(pg_schema_url: str, version: int) -> None:
    pg_old_store(pg_schema_url, version)
    check_migrated(pg_schema_url, version)


# A process that opens (so migrates) a store and says when it is done.
OPENER = r"""
import sys
from confman.store import open_store
open_store(sys.argv[1]).close()
print("migrated", flush=True)
"""


def grow(url: str, runs: int) -> None:
    """Add ``runs`` version-2 runs of distinct configs (so the migration takes seconds)."""
    rows, configs = [], []
    for i in range(runs):
        config = json.dumps({"i": i, "model": {"layers": [i] * 20, "name": f"m{i % 9}"}})
        fp = f"{i:064x}"
        configs.append((fp, config))
        body = json.dumps({"overrides": [f"i={i}"], "provenance": {"i": "override i"}})
        rows.append((f"02big{i:015d}", "train", "completed", 1.7e9 + i, fp, body))
    insert_runs = (
        "INSERT INTO runs (id, config_name, status, started, fingerprint, body) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.executemany("INSERT INTO configs (fingerprint, data) VALUES (?, ?)", configs)
            conn.executemany(insert_runs, rows)
        conn.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg, pg.transaction(), pg.cursor() as cur:
        cur.executemany("INSERT INTO configs (fingerprint, data) VALUES (%s, %s)", configs)
        cur.executemany(insert_runs.replace("?", "%s"), rows)


def old_state(url: str) -> tuple[str, set[str], int]:
    """Schema version, table names and run count, read without confman."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            state = (version.fetchone()[0], {n for (n,) in names})
            count = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        conn.close()
        return (*state, count)
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        version = pg.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        names = pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        count = pg.execute("SELECT COUNT(*) FROM runs").fetchone()
        return version[0], {n for (n,) in names}, count[0]


def migrating(url: str, timeout: float = 60.0) -> bool:
    """Wait until a migration of ``url`` is writing: the SQLite log grows past a megabyte, or a
    PostgreSQL session has a transaction open on the renamed tables."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if url.startswith("sqlite:///"):
            wal = Path(url.removeprefix("sqlite:///") + "-wal")
            if wal.exists() and wal.stat().st_size > 1 << 20:
                return True
        else:
            import psycopg

            with psycopg.connect(url, autocommit=True) as pg:
                busy = pg.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND xact_start IS NOT NULL AND query LIKE %s",
                    ("%old_runs%",),
                ).fetchone()
            if busy and busy[0]:
                return True
        time.sleep(0.02)
    return False


def test_migration_killed_midway_leaves_the_old_schema(store_url: str, tmp_path: Path) -> None:
    if store_url.startswith("sqlite:///"):
        Path(store_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "schema2.db", store_url.removeprefix("sqlite:///"))
    else:
        pg_old_store(store_url, 2)
    grow(store_url, 6000)
    before = old_state(store_url)
    assert before == ("2", OLD_TABLES[2], 6007)
    for extra in (0.0, 0.5):
        opener = subprocess.Popen(
            [sys.executable, "-c", OPENER, store_url], stdout=subprocess.PIPE, text=True
        )
        assert migrating(store_url), "the migration did not start"
        time.sleep(extra)
        opener.send_signal(signal.SIGKILL)
        out, _ = opener.communicate()
        assert "migrated" not in out  # killed inside the migration, not after it
        assert old_state(store_url) == before  # the old schema, whole: nothing of the new
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION and store.count() == 6007
        assert [r.config["i"] for r in store.query(["model.name==m4", "i<40"])] == [31, 22, 13, 4]


def test_store_from_a_newer_confman_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(FIXTURES / "schema2.db", path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")  # as every store confman writes is
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="schema version 4 is newer than this confman") as caught:
        open_store(path)
    assert "upgrade confman" in str(caught.value.hint)
    result = CliRunner().invoke(app, ["runs", "list", "--store", f"sqlite:///{path}"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    message = result.stderr.splitlines()
    assert message[0].startswith("confman: error: ") and "newer than this confman" in message[0]
    assert len(message) == 2 and "upgrade confman" in message[1]  # one line, and its hint
    assert path.read_bytes() == before
