"""Every human format prints YAML's ``null``, never Python's ``None``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.conftest import TreeWriter

TREE = {
    "train.yaml": "defaults:\n  - model: vit\n  - _self_\nseed: null\nlr: 0.1\n",
    "model/vit.yaml": "name: vit\ndropout: null\nlayers: [null, 2]\n",
}


@pytest.fixture
def conf(make_tree: TreeWriter) -> Path:
    return make_tree(TREE)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["diff", "train", "train", "--b", "~model seed=1"],
            "* model: vit -> null   [train.yaml:2 -> ?]",
        ),
        (
            ["diff", "train", "train", "--b", "~model", "-f", "markdown"],
            "| ⇄ | **model** | `vit` | `null` | train.yaml:2 -> ? |",
        ),
        (
            ["diff", "train", "train", "--b", "seed=1 model.layers=[1,null]"],
            "~ model.layers: [null,2] -> [1,null]   "
            "[model/vit.yaml:3 -> override 'model.layers=[1,null]']",
        ),
        (
            ["explain", "seed", "train", "seed=null"],
            "seed = null  <- override 'seed=null' (overrode train.yaml:4 = null)",
        ),
        (["explain", "model.layers", "train"], "model.layers = [null, 2]  <- model/vit.yaml:3"),
    ],
    ids=["diff-choice", "diff-markdown", "diff-list", "explain-chain", "explain-list"],
)
def test_null_not_none(runner: CliRunner, conf: Path, args: list[str], expected: str) -> None:
    result = runner.invoke(app, [*args, "--config-dir", str(conf)])
    assert result.exit_code == 0, result.output
    assert expected in result.stdout.splitlines()
    assert "None" not in result.stdout
