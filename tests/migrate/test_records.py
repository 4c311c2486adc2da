"""Runs recorded before a rename, read in today's names; old names on an entrypoint's command line.

A real project (``tests/record/conftest.py``): ``app.py`` under ``@confman.main`` records a run
into the test's store with ``optimizer.lr``; then the project renames ``optimizer.lr`` and
``optimizer.momentum``, migrates its tree, and records again typing the old name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.store import open_store
from tests.record.conftest import project, run_app  # noqa: F401  (fixture)

MIGRATION = """
[[tool.confman.migrations]]
version = "2.0"
rename = {"optimizer.lr" = "optimizer.learning_rate", "optimizer.momentum" = "optimizer.inertia"}
"""


@pytest.fixture
def renamed(project: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:  # noqa: F811
    """One run recorded with the old names, then the rename declared and migrated."""
    store = os.environ["CONFMAN_STORE"]
    before = run_app(project, "optimizer.lr=0.5", store=store)
    assert before.returncode == 0, before.stderr
    assert "confman: warning" not in before.stderr  # nothing declared yet
    with (project / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(MIGRATION)
    monkeypatch.chdir(project)
    wrote = runner.invoke(app, ["migrate", "--write"])
    assert wrote.exit_code == 0, wrote.output
    assert (project / "conf/optimizer/sgd.yaml").read_text() == (
        "learning_rate: 0.1\ninertia: 0.9\n"
    )
    code = (
        (project / "app.py").read_text().replace("cfg.optimizer.lr", "cfg.optimizer.learning_rate")
    )
    (project / "app.py").write_text(code)
    return project


def test_old_name_on_the_command_line_runs_with_one_warning(renamed: Path) -> None:
    store = os.environ["CONFMAN_STORE"]
    result = run_app(renamed, "optimizer.lr=0.7", "trainer.epochs=4", store=store)
    assert result.returncode == 0, result.stderr
    assert "LR 0.7" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "confman: warning" in line]
    assert warnings == [
        "confman: warning: 'optimizer.lr=0.7' -> 'optimizer.learning_rate=0.7': 'optimizer.lr' "
        "was renamed to 'optimizer.learning_rate' in 2.0 (use the new name; old names are "
        "accepted with this warning)"
    ]
    with open_store(store) as s:
        latest = s.get("@latest")
    assert latest.overrides == ["optimizer.learning_rate=0.7", "trainer.epochs=4"]
    assert latest.config["optimizer"]["learning_rate"] == 0.7
    assert latest.argv[1:] == ["optimizer.lr=0.7", "trainer.epochs=4"]  # what was typed

    plain = run_app(renamed, "optimizer.learning_rate=0.2", store=store)
    assert plain.returncode == 0 and "confman: warning" not in plain.stderr


def test_diff_and_compare_line_up_runs_across_the_rename(renamed: Path, runner: CliRunner) -> None:
    store = os.environ["CONFMAN_STORE"]
    assert run_app(renamed, "optimizer.learning_rate=0.7", store=store).returncode == 0

    diff = runner.invoke(app, ["diff", "@latest~1", "@latest", "--format", "json"])
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.stdout)["changes"]
    assert [(c["path"], c.get("old"), c.get("new")) for c in changes] == [
        ("optimizer.learning_rate", 0.5, 0.7)
    ]

    compare = runner.invoke(app, ["runs", "compare", "@latest~1", "@latest", "-f", "json"])
    assert compare.exit_code == 0, compare.output
    table = json.loads(compare.stdout)
    assert table["keys"] == ["optimizer.learning_rate"]
    assert [row["optimizer.learning_rate"] for row in table["runs"]] == [0.5, 0.7]

    with open_store(store) as s:  # the record keeps what was stored
        first = s.get("@latest~1")
    assert first.config["optimizer"] == {"lr": 0.5, "momentum": 0.9}
    assert first.overrides == ["optimizer.lr=0.5"]


def test_replay_check_recomposes_an_old_run_under_the_new_names(
    renamed: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["runs", "replay", "@latest", "--check", "-f", "json"])
    data = json.loads(result.stdout)
    assert data["config"] == []  # optimizer.lr=0.5 replays as optimizer.learning_rate=0.5
    (renamed / "conf/optimizer/sgd.yaml").write_text("learning_rate: 0.1\ninertia: 0.5\n")
    drift = json.loads(
        runner.invoke(app, ["runs", "replay", "@latest", "--check", "-f", "json"]).stdout
    )
    assert drift["config"] == [{"key": "optimizer.inertia", "recorded": 0.9, "today": 0.5}]


def test_cm102_reads_old_runs_in_new_names(renamed: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["lint", "--select", "CM102", "--output-format", "json"])
    found = [(d["file"], d["line"], d["key"]) for d in json.loads(result.stdout)]
    # the old run read optimizer.lr (now learning_rate) and never read momentum (now inertia)
    assert ("conf/optimizer/sgd.yaml", 2, "optimizer.inertia") in found
    assert not [f for f in found if f[2] == "optimizer.learning_rate"]
    assert not [f for f in found if "momentum" in f[2] or f[2] == "optimizer.lr"]
