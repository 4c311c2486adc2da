"""Store faults, made for real: damaged pages, empty and foreign files, read-only files and
filesystems, a full disk. Every driver error is a ``StoreError``; readers keep serving what is
readable; nothing escapes as ``sqlite3.Error``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli.app import app
from confman.store import RunRecord, StoreDamagedError, StoreError, open_store
from tests.store.conftest import pg_url

RUNS = 300


def make(i: int) -> RunRecord:
    config = {"i": i, "model": {"name": f"m{i % 7}"}, "optimizer": {"lr": i / 1000}}
    config["pad"] = "x" * 200
    return RunRecord(config_name="train", config=config, raw_config=config, status="completed")


def fill(path: Path, runs: int = RUNS) -> list[str]:
    with open_store(path) as store:
        return [store.put(make(i)).id for i in range(runs)]


def damage(path: Path, page: int | None = None, table: str = "runs") -> None:
    """Overwrite one page with garbage: ``page`` (1-based), else the middle page of ``table``."""
    if page is None:
        with sqlite3.connect(path) as conn:
            query = "SELECT pageno FROM dbstat WHERE name = ?"
            pages = [n for (n,) in conn.execute(query, (table,))]
        conn.close()
        page = sorted(pages)[len(pages) // 2]
    with path.open("r+b") as f:
        f.seek((page - 1) * 4096)
        f.write(b"\xde\xad\xbe\xef" * 1024)


def cli(runner: CliRunner, path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--store", f"sqlite:///{path}"])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "runs.db"
    ids = fill(path)
    damage(path)
    return path, ids


def test_damaged_store_serves_the_readable_runs_and_says_so(
    damaged: tuple[Path, list[str]],
) -> None:
    path, ids = damaged
    with open_store(path) as store:
        runs = store.query()
        assert store.damage is not None
    assert 0 < len(runs) < RUNS
    assert {r.id for r in runs} < set(ids)
    assert all(r.config == make(r.config["i"]).config for r in runs)  # nothing garbled served
    assert f"{len(runs)} matching run(s) readable" in store.damage.message


@pytest.mark.parametrize("where", [0.2, 0.4, 0.5, 0.6, 0.8], ids=lambda w: f"{w:.0%}")
def test_damage_anywhere_is_one_error_never_a_traceback(
    tmp_path: Path, runner: CliRunner, where: float
) -> None:
    path = tmp_path / "runs.db"
    ids = fill(path)
    damage(path, int(path.stat().st_size // 4096 * where))
    code, out, err = cli(runner, path, "runs", "list", "-n", "0", "--format", "json")
    assert "Traceback" not in err
    assert code == 0 or (code == 2 and "damaged" in err and len(err.splitlines()) == 2)
    assert {r["id"] for r in json.loads(out)} <= set(ids)  # what was readable, as valid JSON
    for ref in (ids[0], ids[len(ids) // 2], "@latest"):
        code, _, err = cli(runner, path, "runs", "export", ref)
        assert "Traceback" not in err and code in (0, 2)


@pytest.mark.parametrize(
    ("table", "served"),
    [
        ("meta", RUNS),  # the schema's own table: runs all readable, writes refused
        ("sqlite_autoindex_nodes_1", RUNS),  # the node hash index: only writers use it
        ("sqlite_autoindex_runs_1", RUNS),  # the run id index: read around it
        ("nodes", RUNS - 1),  # the trees on that page are lost: those runs are not served
        ("runs", RUNS - 1),  # the rows on that page are lost, the others served
    ],
)
def test_what_damage_to_each_table_costs(tmp_path: Path, table: str, served: int) -> None:
    path = tmp_path / "runs.db"
    fill(path)
    damage(path, table=table)
    with open_store(path) as store:
        runs = store.query()
        # Reading never uses the hash index, so only the write meets that damage.
        assert (store.damage is None) == (table == "sqlite_autoindex_nodes_1")
        with pytest.raises(StoreDamagedError):
            store.put(make(1000))  # a damaged store is not written
    assert 0 < len(runs) <= served if served < RUNS else len(runs) == served
    assert all(r.config == make(r.config["i"]).config for r in runs)
    partial = [r for r in runs if "damaged" in r.extra]
    assert all(r.raw_config == {} for r in partial)


def test_damaged_store_cli_lists_readable_runs_exit_2_no_traceback(
    damaged: tuple[Path, list[str]], runner: CliRunner
) -> None:
    path, _ = damaged
    code, out, err = cli(runner, path, "runs", "list", "-n", "0")
    assert code == 2
    assert len(out.splitlines()) > RUNS // 2  # the table of what was readable
    assert err.startswith("confman: error: run store") and "is damaged" in err
    assert len(err.splitlines()) == 2 and "Traceback" not in err  # message + hint
    code, out, err = cli(runner, path, "runs", "list", "-n", "0", "--format", "json")
    assert code == 2 and out.startswith("[")


def test_damaged_store_show_and_export_of_a_lost_run_are_one_error(
    damaged: tuple[Path, list[str]], runner: CliRunner
) -> None:
    path, ids = damaged
    with open_store(path) as store:
        readable = {r.id for r in store.query()}
    lost = sorted(set(ids) - readable)
    assert lost
    for command in ("show", "export"):
        code, out, err = cli(runner, path, "runs", command, lost[0])
        assert code == 2 and not out
        assert "damaged" in err and "Traceback" not in err
    code, out, _ = cli(runner, path, "runs", "show", sorted(readable)[0])
    assert code == 0 and "config:" in out


def test_driver_errors_are_store_errors_never_raw(damaged: tuple[Path, list[str]]) -> None:
    path, ids = damaged
    with open_store(path) as store:
        failures = 0
        for run_id in ids:
            try:
                store.get(run_id)
            except StoreError as exc:
                failures += 1
                assert isinstance(exc, StoreDamagedError) and exc.hint
            except sqlite3.Error as exc:  # pragma: no cover - the regression this guards
                pytest.fail(f"raw sqlite3 error escaped: {exc!r}")
        assert failures
        with pytest.raises(StoreError):
            store.gc()


def test_empty_file_is_not_opened_as_a_store(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "runs.db"
    path.touch()
    with pytest.raises(StoreError, match="empty file, not a run store"):
        open_store(path)
    assert path.stat().st_size == 0  # left as it was
    code, _, err = cli(runner, path, "runs", "list")
    assert code == 2 and "empty file" in err


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_text("name: not a database\n" * 200)
    with pytest.raises(StoreDamagedError, match="not a database"):
        open_store(path)


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


ReadOnly = Callable[[Path], AbstractContextManager[str]]


def test_read_only_store_folder_lists_runs_and_refuses_writes_clearly(
    tmp_path: Path, make_read_only: ReadOnly, runner: CliRunner
) -> None:
    folder = tmp_path / "store"
    path = folder / "runs.db"
    ids = fill(path, 20)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with make_read_only(folder):
        with open_store(path) as store:
            assert {r.id for r in store.query()} == set(ids)
            with pytest.raises(StoreError, match=r"read-only|readonly") as caught:
                store.put(make(99))
            assert "reading works" in str(caught.value.hint)
        code, out, err = cli(runner, path, "runs", "list", "-n", "0")
        assert code == 0, err
        assert len(out.splitlines()) == 21
        code, _, err = cli(runner, path, "runs", "delete", ids[0], "--yes")
        assert code == 2 and "read-only" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing written


def test_immutable_store_file_in_a_writable_folder_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    ids = fill(path, 5)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i not available here")
    try:
        with open_store(path) as store:
            assert {r.id for r in store.query()} == set(ids)
            with pytest.raises(StoreError):
                store.put(make(6))
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_open_of_a_current_store_does_not_write(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    fill(path, 3)
    before = path.stat().st_mtime_ns, path.read_bytes()
    with open_store(path) as store:
        store.query()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_full_disk_is_a_store_error_and_the_store_keeps_its_runs(
    tmp_path: Path, mount_tmpfs: Callable[[Path, str], AbstractContextManager[Path]]
) -> None:
    with mount_tmpfs(tmp_path / "small", "256k") as small:
        path = small / "runs.db"
        written: list[str] = []
        with open_store(path) as store, pytest.raises(StoreError) as caught:
            for i in range(10_000):
                written.append(store.put(make(i)).id)
        assert "free disk space" in str(caught.value.hint) or "disk" in str(caught.value)
        assert written
        with open_store(path) as store:
            assert {r.id for r in store.query()} == set(written)  # all committed runs kept


def test_lint_reports_a_damaged_store_as_one_finding(
    damaged: tuple[Path, list[str]],
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CM102 judges keys by what recorded runs read: on a partial store it says so instead."""
    path, _ = damaged
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text("i: 1\npad: x\n")
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{path}")
    result = runner.invoke(app, ["lint", "--select", "CM102,CM000"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "CM000 run store" in result.stdout and "is damaged" in result.stdout


# The same full disk without root: a file size limit (RLIMIT_FSIZE) in a child process.
SIZE_LIMITED = r"""
import resource, signal, sys
from confman.store import RunRecord, StoreError, open_store

path = sys.argv[1]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
with open_store(path) as store:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))
    try:
        for i in range(100_000):
            c = {"i": i, "pad": "x" * 2000}
            print("ok", store.put(RunRecord(config=c, raw_config=c, status="completed")).id)
    except StoreError as exc:
        print("StoreError", exc.hint)
"""


def test_file_size_limit_is_a_store_error_and_the_store_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    done = subprocess.run(
        [sys.executable, "-c", SIZE_LIMITED, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("StoreError") and "journal" in lines[-1]
    written = {line.split()[1] for line in lines if line.startswith("ok ")}
    assert len(written) > 5
    with open_store(path) as store:
        assert {r.id for r in store.query()} == written


def test_postgres_connection_lost_is_a_store_error(pg_schema_url: str) -> None:
    import psycopg

    with open_store(pg_schema_url) as store:
        store.put(make(1))
        pid = store._read("SELECT pg_backend_pid()")[0][0]
        with psycopg.connect(pg_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError) as caught:
            store.query()
        assert caught.value.hint and not isinstance(caught.value, StoreDamagedError)
