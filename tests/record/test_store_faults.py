"""A store fault never costs a run: the training runs, its own exception propagates unchanged,
one line on stderr says what happened, and the record waits in the fallback journal until
``confman runs import`` or the next recorded run puts it in the store."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from typer.testing import CliRunner

import confman
from confman.cli.app import app
from confman.store import StoreError, journal, open_store
from tests.record.conftest import run_app


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small filesystem (root only; skipped elsewhere)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill_up(folder: Path) -> Path:
    """Write a file until the filesystem under ``folder`` is full; returns it."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f, suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


@pytest.fixture
def broken_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CONFMAN_STORE names an empty file: no store can be opened there."""
    path = tmp_path / "broken" / "runs.db"
    path.parent.mkdir()
    path.touch()
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{path}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return path


def journal_files(project: Path) -> list[Path]:
    return sorted((project / ".confman" / "journal").glob("*.json"))


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("confman: warning:")]


def test_main_runs_and_journals_when_the_store_cannot_be_opened(
    project: Path, broken_store: Path
) -> None:
    done = run_app(project, store=f"sqlite:///{broken_store}")
    assert done.returncode == 0, done.stderr
    assert "LR 0.1" in done.stdout  # the training ran
    (line,) = warnings(done.stderr)
    assert "not recorded" in line and "empty file" in line and "runs import" in line
    assert "hint" not in line and "(delete it" not in line  # the message, not the store's hint
    (entry,) = journal_files(project)
    data = json.loads(entry.read_text())
    assert data["record"]["status"] == "completed" and data["record"]["id"] == entry.stem
    assert "abc123" not in entry.read_text()  # the journal is redacted like the store


def test_a_failing_training_keeps_its_own_exception(project: Path, broken_store: Path) -> None:
    done = run_app(project, "trainer.fail=true", store=f"sqlite:///{broken_store}")
    assert done.returncode == 1
    assert "ValueError: boom" in done.stderr and "StoreError" not in done.stderr
    (entry,) = journal_files(project)
    record = json.loads(entry.read_text())["record"]
    assert (record["status"], record["error_type"]) == ("failed", "ValueError")


def test_runs_import_puts_journaled_runs_in_the_store(
    project: Path, broken_store: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in ((), ("trainer.fail=true",), ("optimizer=adam",)):
        run_app(project, *args, store=f"sqlite:///{broken_store}")
    journaled = {p.stem for p in journal_files(project)}
    assert len(journaled) == 3
    broken_store.unlink()  # the store works again
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["runs", "import"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 3 run(s)")
    assert journal_files(project) == []
    with open_store(broken_store) as store:
        assert {r.id for r in store.query()} == journaled
        assert sorted(r.status for r in store.query()) == ["completed", "completed", "failed"]


def test_the_next_recorded_run_imports_the_journal(project: Path, broken_store: Path) -> None:
    run_app(project, store=f"sqlite:///{broken_store}")
    (entry,) = journal_files(project)
    broken_store.unlink()
    done = run_app(project, "optimizer=adam", store=f"sqlite:///{broken_store}")
    assert done.returncode == 0 and not warnings(done.stderr)
    assert journal_files(project) == []
    with open_store(broken_store) as store:
        assert entry.stem in {r.id for r in store.query()} and store.count() == 2


def test_record_run_block_runs_and_its_exception_propagates(
    project: Path,
    broken_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(project)
    composed = confman.compose("train", config_dir=project / "conf")
    ran = []
    with pytest.raises(ZeroDivisionError) as caught, confman.record_run(composed):
        ran.append(True)
        _ = 1 / 0
    assert ran and not isinstance(caught.value.__context__, StoreError)
    assert len(warnings(capsys.readouterr().err)) == 1  # one line for the run, not per write


def test_journal_falls_back_to_the_user_cache_when_the_project_is_unwritable(
    project: Path, broken_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".confman").write_text("a file where the folder would be")
    monkeypatch.chdir(project)
    composed = confman.compose("train", config_dir=project / "conf")
    with confman.record_run(composed, track_access=False):
        pass
    (entry,) = (tmp_path / "cache" / "confman" / "journal").glob("*.json")
    assert json.loads(entry.read_text())["record"]["status"] == "completed"


def test_disk_full_during_training_costs_nothing(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The store fills up while the run trains: it completes, the record waits, nothing lost."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with tmpfs(tmp_path / "small", "512k") as small:
        store = small / "runs.db"
        monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{store}")
        composed = confman.compose("train", config_dir=project / "conf")
        with confman.record_run(composed, track_access=False):
            filler = fill_up(small)  # the disk fills while the training runs
        (line,) = warnings(capsys.readouterr().err)
        assert "not recorded" in line
        (entry,) = journal_files(project)
        filler.unlink()
        with confman.record_run(composed, track_access=False):
            pass
        assert journal_files(project) == []
        with open_store(store) as opened:
            runs = opened.query()
    assert [r.status for r in runs] == ["completed", "completed"]
    assert entry.stem in {r.id for r in runs}


def test_runs_import_of_a_file_that_is_not_an_entry_is_one_error(
    tmp_path: Path, runner: CliRunner
) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["runs", "import", str(bad)])
    assert result.exit_code == 2 and result.stdout.startswith("imported 0 run(s)")
    assert "not a readable journal entry" in result.stderr and "Traceback" not in result.stderr
    assert bad.exists()  # kept for the user to look at


def test_hydra_callback_app_runs_when_the_store_cannot_be_opened(
    project: Path, broken_store: Path
) -> None:
    done = run_app(
        project,
        "-m",
        "+hydra.callbacks.confman._target_=confman.hydra.RecordRun",
        "optimizer=sgd,adam",
        script="plain.py",
        store=f"sqlite:///{broken_store}",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("LR ") == 2  # both jobs ran
    assert len(warnings(done.stderr)) == 2  # one line per job
    assert len(journal_files(project)) == 2


def test_main_runs_on_a_read_only_store_and_journals(project: Path, tmp_path: Path) -> None:
    """An immutable store file (root ignores chmod; chattr +i holds even for root)."""
    store = tmp_path / "ro" / "runs.db"
    with open_store(store):
        pass
    if subprocess.run(["chattr", "+i", str(store)], capture_output=True).returncode:
        pytest.skip("chattr +i not available here")
    try:
        done = run_app(project, store=f"sqlite:///{store}")
    finally:
        subprocess.run(["chattr", "-i", str(store)], check=False)
    assert done.returncode == 0 and "LR 0.1" in done.stdout
    (line,) = warnings(done.stderr)
    assert "readonly database" in line
    (entry,) = journal_files(project)
    with open_store(store) as opened:
        assert opened.count() == 0
        journal.recover(opened, [entry])
        assert opened.get(entry.stem).status == "completed"
