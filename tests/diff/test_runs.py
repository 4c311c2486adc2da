"""Recorded runs as diff sides, from a real SQLite run store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import confman
from confman.cli import app
from confman.diff import load_side
from confman.errors import DiffSideError
from confman.store import RunRecord, open_store


@pytest.fixture
def runs(conf: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Three runs of ``train`` (model vit, vit, resnet) in the project's default store."""
    db = conf.parent / "runs.db"
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{db}")
    ids = []
    with open_store(f"sqlite:///{db}") as store:
        for n, (option, lr) in enumerate((("vit", 0.1), ("vit", 0.2), ("resnet", 0.2))):
            composed = confman.compose("train", [f"model={option}"], config_dir=conf)
            config = composed.to_container()
            config["optimizer"]["lr"] = lr
            record = RunRecord(
                id=f"0abc{n}x",
                config_name="train",
                overrides=[f"model={option}"],
                choices={"model": option, "optimizer": "adam"},
                config=config,
                raw_config=config,
                provenance={
                    **{k: w[-1].location for k, w in composed.provenance.items()},
                    "optimizer.lr": f"override 'optimizer.lr={lr}'",
                },
            )
            ids.append(store.put(record).id)
    return ids


def test_latest_against_previous_with_groups_and_sources(conf: Path, runs: list[str]) -> None:
    changes = confman.diff("@latest~1", "@latest", config_dir=conf)
    assert (changes[0].path, changes[0].kind) == ("model", "choice")
    assert {(c.path, c.kind, c.group) for c in changes[1:]} == {
        ("model.name", "changed", "model"),
        ("model.depth", "changed", "model"),
        ("model.patch", "removed", "model"),
        ("model.block", "added", "model"),
    }
    depth = next(c for c in changes if c.path == "model.depth")
    assert depth.old_source is not None and depth.old_source.location == "model/vit.yaml:2"
    assert depth.new_source is not None and depth.new_source.location == "model/resnet.yaml:2"


def test_id_prefix_and_run_against_a_composed_config(conf: Path, runs: list[str]) -> None:
    # The store keeps secrets as salted markers, so against a composed config a secret always
    # reads as changed (never shown either way).
    secret, change = confman.diff("0abc0", "train", config_dir=conf)
    assert (secret.path, secret.secret, secret.old, secret.new) == (
        "db.password",
        True,
        "<redacted>",
        "<redacted>",
    )
    assert (change.path, change.old, change.new) == ("optimizer.lr", 0.1, 0.003)
    assert change.old_source is not None
    assert change.old_source.location == "override 'optimizer.lr=0.1'"


def test_ambiguous_prefix_lists_candidates(conf: Path, runs: list[str]) -> None:
    with pytest.raises(DiffSideError, match=r"ambiguous \(0abc0x, 0abc1x, \.\.\.\)"):
        load_side("0abc", config_dir=conf)


def test_unknown_run_and_no_store(conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{conf.parent / 'none.db'}")
    with pytest.raises(DiffSideError, match="no runs recorded yet"):
        load_side("@latest", config_dir=conf)
    assert not (conf.parent / "none.db").exists()


def test_cli_unknown_run_is_one_line(conf: Path, runs: list[str]) -> None:
    result = CliRunner().invoke(app, ["diff", "@latest~7", "train", "-c", str(conf)])
    assert result.exit_code == 2
    assert result.stderr.startswith("confman: error: side A (@latest~7): no run at @latest~7")


def test_runs_compare_cli(conf: Path, runs: list[str]) -> None:
    result = CliRunner().invoke(app, ["runs", "compare", "0abc0", "@latest", "-c", str(conf)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # Ties (one run differs in each) keep config order, a key new in a later run after its
    # siblings.
    assert lines[0].split() == [
        "run",
        "model.depth",
        "model.name",
        "model.patch",
        "model.block",
        "optimizer.lr",
    ]
    assert lines[1].split() == ["0abc0x", "12", "vit", "16", "<absent>", "0.1"]
    assert lines[2].split() == ["0abc2x", "50", "resnet", "<absent>", "bottleneck", "0.2"]
    assert lines[3].endswith("constant keys hidden")


def test_runs_compare_where_and_errors(conf: Path, runs: list[str]) -> None:
    result = CliRunner().invoke(
        app, ["runs", "compare", "--where", "optimizer.lr>=0.2", "-f", "csv", "-c", str(conf)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("run,")
    assert len(result.stdout.splitlines()) == 3
    result = CliRunner().invoke(app, ["runs", "compare", "0abc", "@latest", "-c", str(conf)])
    assert result.exit_code == 2 and "ambiguous" in result.stderr
