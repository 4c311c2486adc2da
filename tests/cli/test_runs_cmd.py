"""``confman runs``: the real typer app on real stores and a real recorded Hydra run."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.store import RunRecord, new_run_id, open_store
from tests.record.conftest import project, run_app  # noqa: F401  (fixture)

runner = CliRunner()


@pytest.fixture
def filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("CONFMAN_STORE", url)
    ids = []
    with open_store(url) as store:
        for i, (name, lr) in enumerate([("resnet", 0.1), ("vit", 0.01), ("resnet", 0.001)]):
            config = {
                "model": {"name": name},
                "optimizer": {"lr": lr},
                "trainer": {"tags": ["a", f"t{i}"]},
            }
            rec = RunRecord(
                id=new_run_id(time.time() - 3 + i),  # distinct seconds: short prefixes are unique
                config_name="train",
                config=config,
                raw_config=config,
                overrides=[f"optimizer.lr={lr}"],
                status="completed",
                ended=time.time(),
                started=time.time() - (30 * 86400 if i == 0 else 0),
            )
            ids.append(store.put(rec).id)
    return url, ids


def test_list_where_table(filled: tuple[str, list[str]]) -> None:
    _, ids = filled
    result = runner.invoke(
        app, ["runs", "list", "--where", "optimizer.lr<=0.01", "--where", "model.name==resnet"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "STARTED", "STATUS", "CONFIG", "DURATION", "GIT", "OVERRIDES"]
    assert len(lines) == 2 and lines[1].startswith(ids[2]) and "optimizer.lr=0.001" in lines[1]


def test_list_json_csv_since(filled: tuple[str, list[str]]) -> None:
    _, ids = filled
    data = json.loads(
        runner.invoke(app, ["runs", "list", "--format", "json", "--since", "7d"]).output
    )
    assert [r["id"] for r in data] == [ids[2], ids[1]]
    rows = list(
        csv.DictReader(
            io.StringIO(
                runner.invoke(app, ["runs", "list", "-f", "csv", "-w", "trainer.tags~=t1"]).output
            )
        )
    )
    assert [r["id"] for r in rows] == [ids[1]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runs", "list", "--where", "optimizer.lr>=big"], "needs a number"),
        (["runs", "list", "--since", "yesterday"], "not a duration or date"),
        (["runs", "list", "--format", "xml"], "unknown format"),
        (["runs", "show", "zzzz"], "no run matches 'zzzz'"),
        (["runs", "show", "@latest~9"], "fewer runs"),
        (["runs", "list", "--store", "mysql://x"], "unknown run store URL"),
    ],
    ids=["where", "since", "format", "ref", "latest", "url"],
)
def test_errors_are_one_line_exit_2(
    filled: tuple[str, list[str]], args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_show_export_delete_gc(filled: tuple[str, list[str]]) -> None:
    _, ids = filled
    shown = runner.invoke(app, ["runs", "show", "@latest~1"])
    assert (
        shown.exit_code == 0
        and f"run        {ids[1]}" in shown.output
        and "name: vit" in shown.output
    )
    # The shortest unique prefix: runs made in the same millisecond share 10+ characters.
    prefix = next(
        ids[0][:n] for n in range(6, 21) if sum(i.startswith(ids[0][:n]) for i in ids) == 1
    )
    exported = json.loads(runner.invoke(app, ["runs", "export", prefix]).output)
    assert exported["config"]["optimizer"]["lr"] == 0.1
    deleted = runner.invoke(app, ["runs", "delete", ids[0], "--yes"])
    assert deleted.exit_code == 0 and f"deleted {ids[0]}" in deleted.output
    assert (
        runner.invoke(app, ["runs", "gc"]).output.strip()
        # the model node and its leaf row are the third run's too; the raw config is the config
        == "1 configs, 2 leaves, 3 nodes, 0 blobs removed"
    )


def test_replay_check_exact_then_drift(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    assert run_app(project, "optimizer.lr=0.5").returncode == 0
    monkeypatch.chdir(project)
    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    exact = runner.invoke(app, ["runs", "replay", "@latest", "--check"])
    assert exact.exit_code == 0, exact.output
    assert "exact" in exact.output
    (project / "conf" / "optimizer" / "sgd.yaml").write_text("lr: 0.1\nmomentum: 0.5\n")
    drift = runner.invoke(app, ["runs", "replay", "@latest", "--check"])
    assert drift.exit_code == 1
    assert "optimizer.momentum: 0.9 -> 0.5" in drift.output
    assert "code: uncommitted changes differ" in drift.output
    data = json.loads(
        runner.invoke(app, ["runs", "replay", "@latest", "--check", "-f", "json"]).output
    )
    assert data["verdict"] == "drift" and data["config"] == [
        {"key": "optimizer.momentum", "recorded": 0.9, "today": 0.5}
    ]


def test_replay_exec_reruns(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    assert run_app(project, "optimizer.lr=0.5").returncode == 0
    monkeypatch.chdir(project)
    from tests.record.conftest import env_for

    monkeypatch.delenv("CONFMAN_STORE")  # the project's own .confman/runs.db, as run_app used
    for key, value in env_for(project).items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["runs", "replay", "@latest", "--exec"])
    assert result.exit_code == 0, result.output
    with open_store(f"sqlite:///{project / '.confman' / 'runs.db'}") as store:
        runs = store.query()
    assert len(runs) == 2 and runs[0].overrides == runs[1].overrides == ["optimizer.lr=0.5"]


def test_delete_without_a_terminal_needs_yes(filled: tuple[str, list[str]]) -> None:
    url, ids = filled
    refused = runner.invoke(app, ["runs", "delete", ids[0]], input="y\n")
    assert refused.exit_code == 2
    assert refused.output.splitlines() == [
        "confman: error: runs delete: 1 run(s) not deleted: stdin is not a terminal to confirm on",
        "  hint: pass --yes to delete without asking",
    ]
    with open_store(url) as store:
        assert len(store.query()) == 3
    # a bad reference is reported before anything is asked or deleted
    bad = runner.invoke(app, ["runs", "delete", ids[0], "zzzz", "--yes"])
    assert bad.exit_code == 2 and "no run matches 'zzzz'" in bad.output


def _delete_on_a_terminal(url: str, ref: str, answer: bytes) -> tuple[int, str]:
    """``confman runs delete`` in a real process whose stdin is a pseudo-terminal."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "CONFMAN_STORE": url, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "confman", "runs", "delete", ref],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(follower)
    os.write(leader, answer)
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    return proc.returncode, out.decode()


@pytest.mark.parametrize(("answer", "code", "left"), [(b"y\n", 0, 2), (b"n\n", 1, 3)])
def test_delete_asks_on_a_terminal(
    filled: tuple[str, list[str]], answer: bytes, code: int, left: int
) -> None:
    url, ids = filled
    returncode, out = _delete_on_a_terminal(url, ids[1], answer)
    assert returncode == code, out
    assert f"{ids[1]}  train  completed" in out and "Delete 1 run(s)? [y/N]" in out
    assert (f"deleted {ids[1]}" in out) == (code == 0)
    with open_store(url) as store:
        assert len(store.query()) == left


def _recorded_elsewhere(root: Path, monkeypatch: pytest.MonkeyPatch, **changes: object) -> str:
    """Record a run with ``run_app``, then rewrite its record as a hostile store writer would."""
    from dataclasses import replace

    assert run_app(root, "optimizer.lr=0.5").returncode == 0
    monkeypatch.chdir(root)
    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    with open_store(f"sqlite:///{root / '.confman' / 'runs.db'}") as store:
        rec = store.get("@latest")
        forged = replace(rec, id=new_run_id(), **changes)  # type: ignore[arg-type]
        store.put(forged)
    return forged.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"argv": ["/bin/sh", "-c", "touch PWNED"]}, "recorded entrypoint '/bin/sh' is not"),
        ({"argv": ["../outside.py"]}, "recorded entrypoint '../outside.py' is not"),
        ({"argv": ["app.py"], "cwd": "/"}, None),  # cwd outside: the project root is used
        (
            {"overrides": ["+hydra.callbacks.x._target_=os.system"]},
            "+hydra.callbacks.x._target_ would make Hydra import",
        ),
        ({"overrides": ["hydra/launcher=evil"]}, "hydra/launcher would make Hydra import"),
        ({"overrides": ["+model._target_=shutil.rmtree"]}, "+model._target_ would make"),
    ],
    ids=["program", "outside-script", "outside-cwd", "callback", "launcher", "target"],
)
def test_replay_exec_runs_only_the_projects_own_script(
    project: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, object],
    message: str | None,
) -> None:
    """A shared store's writer controls argv, cwd and overrides: --exec must not run a recorded
    program, a script outside the project, or overrides that name code for Hydra to load."""
    (project.parent / "outside.py").write_text("open('PWNED', 'w')\n")
    run_id = _recorded_elsewhere(project, monkeypatch, **changes)
    from tests.record.conftest import env_for

    for key, value in env_for(project).items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["runs", "replay", run_id, "--exec"])
    assert not (project / "PWNED").exists() and not Path("/PWNED").exists()
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    error = [line for line in result.output.splitlines() if line.startswith("confman: error:")]
    assert len(error) == 1 and message in error[0], result.output
    assert "  hint: rerun it by hand" in result.output
