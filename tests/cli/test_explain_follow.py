"""``confman explain`` follows interpolations to the file:line that finally sets the value."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.cli.render import references
from tests.conftest import TreeWriter

TREE = {
    "train.yaml": """
        defaults:
          - model: vit
          - _self_
        base_lr: 0.1
        lr: ${base_lr}
        warmup_lr: ${lr}
        run: ${model.name}-${oc.env:USER,x}
        env_only: ${oc.env:HOME}
        dangling: ${nowhere.key}
        whole: ${model}
        trainer:
          val_fraction: 0.2
          early:
            fraction: ${..val_fraction}
        """,
    "model/vit.yaml": "name: vit\ndepth: 12\n",
}


@pytest.fixture
def conf(make_tree: TreeWriter) -> Path:
    return make_tree(TREE)


def explain(runner: CliRunner, conf: Path, key: str, *overrides: str) -> list[str]:
    result = runner.invoke(app, ["explain", key, "train", *overrides, "-c", str(conf)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_a_chain_is_followed_to_the_last_file_line(runner: CliRunner, conf: Path) -> None:
    assert explain(runner, conf, "warmup_lr") == [
        'warmup_lr = "${lr}"  <- train.yaml:6',
        '          -> lr = "${base_lr}"  <- train.yaml:5',
        "            -> base_lr = 0.1  <- train.yaml:4",
    ]


def test_the_override_that_finally_sets_it(runner: CliRunner, conf: Path) -> None:
    assert explain(runner, conf, "lr", "base_lr=0.5") == [
        'lr = "${base_lr}"  <- train.yaml:5',
        "   -> base_lr = 0.5  <- override 'base_lr=0.5' (overrode train.yaml:4 = 0.1)",
    ]


def test_relative_and_several_references_and_resolvers(runner: CliRunner, conf: Path) -> None:
    assert explain(runner, conf, "trainer.early.fraction") == [
        'trainer.early.fraction = "${..val_fraction}"  <- train.yaml:14',
        "                       -> trainer.val_fraction = 0.2  <- train.yaml:12",
    ]
    assert explain(runner, conf, "run") == [
        'run = "${model.name}-${oc.env:USER,x}"  <- train.yaml:7',
        '    -> model.name = "vit"  <- model/vit.yaml:1',
    ]
    assert explain(runner, conf, "env_only") == ['env_only = "${oc.env:HOME}"  <- train.yaml:8']


def test_missing_keys_and_subtrees_are_said(runner: CliRunner, conf: Path) -> None:
    assert explain(runner, conf, "dangling")[1].strip() == "-> nowhere.key: not in the config"
    assert explain(runner, conf, "whole")[1].strip() == (
        "-> model: a subtree (explain it to see its keys)"
    )


def test_a_cycle_ends() -> None:
    assert references("a.b", "${.b}") == ["a.b"]
    assert references("a", "${...x}") == []  # above the root: OmegaConf refuses it too
