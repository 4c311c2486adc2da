"""Shell completion of config names, groups, options and override keys, through typer's own
completion protocol (what bash runs on TAB), on the example tree and on real trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.realworld import corpus

REPO = Path(__file__).resolve().parents[2]


def complete(line: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What bash completion offers for the last word of ``line`` (``confman ...``)."""
    monkeypatch.chdir(cwd)
    words = line.split(" ")
    env = {
        "_CONFMAN_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="confman")
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_config_names(monkeypatch: pytest.MonkeyPatch) -> None:
    assert complete("confman compose ", REPO, monkeypatch) == ["serve", "train"]
    assert complete("confman diff tr", REPO, monkeypatch) == ["train"]
    validate = complete("confman validate se", REPO, monkeypatch)
    assert validate[0] == "serve" and "seed=" in validate  # a name, or an override


def test_groups_then_options(monkeypatch: pytest.MonkeyPatch) -> None:
    words = complete("confman compose train mod", REPO, monkeypatch)
    assert words[0] == "model=" and "model.name=" in words
    assert complete("confman compose train optimizer=", REPO, monkeypatch) == [
        "optimizer=adam",
        "optimizer=sgd",
    ]
    assert complete("confman tree train +data=w", REPO, monkeypatch) == ["+data=wine"]


def test_override_keys_and_explain_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "optimizer.lr=" in complete("confman compose train optimizer.l", REPO, monkeypatch)
    for line in ("confman compose ~trainer.ea", "confman compose train ~trainer.ea"):
        assert "~trainer.early_stopping" in complete(line, REPO, monkeypatch)
    assert complete("confman explain trainer.early_stopping.p", REPO, monkeypatch) == [
        "trainer.early_stopping.patience"
    ]


def test_a_missing_config_dir_offers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete("confman compose ", tmp_path, monkeypatch) == []


needs_corpus = pytest.mark.skipif(
    not corpus.available() and os.environ.get("CI") != "true",
    reason="the real-world corpus is not beside the checkout",
)


@needs_corpus
def test_on_real_trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1.0-style tree (``# @package _group_``) and a tree with nested groups."""
    root = corpus.project(
        corpus.tree("pyannote__pyannote-audio"), "pyannote/audio/cli/train_config", tmp_path
    )
    assert complete("confman compose config model=Py", root, monkeypatch) == ["model=PyanNet"]
    assert "optimizer.lr=" in complete("confman compose config optimizer.", root, monkeypatch)
    root = corpus.project(corpus.tree("HazyResearch__safari"), "configs", tmp_path)
    assert "experiment=pile/h3" in complete(
        "confman compose config experiment=pile/", root, monkeypatch
    )
    assert "model/layer=h3" in complete("confman compose config model/layer=", root, monkeypatch)
