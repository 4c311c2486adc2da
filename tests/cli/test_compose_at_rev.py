"""``confman compose NAME@REV`` (and explain/tree): the tree as committed at a git revision."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.conftest import TreeWriter
from tests.diff.conftest import git_tree


@pytest.fixture
def conf(make_tree: TreeWriter) -> Path:
    """``conf/`` under git: HEAD~1 has ``optimizer.lr`` 0.001, HEAD 0.003."""
    return git_tree(make_tree)


def invoke(runner: CliRunner, conf: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--config-dir", str(conf)])
    return result.exit_code, result.stdout, result.stderr


def test_compose_at_a_revision(runner: CliRunner, conf: Path) -> None:
    code, out, _ = invoke(runner, conf, "compose", "train@HEAD~1", "model=resnet", "-f", "json")
    assert code == 0
    config = json.loads(out)
    assert config["optimizer"]["lr"] == 0.001 and config["model"]["name"] == "resnet"
    code, out, _ = invoke(runner, conf, "compose", "train", "-f", "json")
    assert json.loads(out)["optimizer"]["lr"] == 0.003


def test_explain_and_tree_at_a_revision(runner: CliRunner, conf: Path) -> None:
    code, out, _ = invoke(runner, conf, "explain", "optimizer.lr", "train@HEAD~1")
    assert (code, out.splitlines()[0]) == (0, "optimizer.lr = 0.001  <- optimizer/adam.yaml:1")
    code, out, _ = invoke(runner, conf, "tree", "train@HEAD~1", "model=resnet")
    assert code == 0 and "  model: resnet  (override 'model=resnet')" in out.splitlines()


def test_the_working_tree_and_index_are_left_alone(runner: CliRunner, conf: Path) -> None:
    (conf / "optimizer/adam.yaml").write_text("lr: 0.5\nbetas: [0.9, 0.999]\n")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=conf, capture_output=True)
    code, out, _ = invoke(runner, conf, "compose", "train@HEAD", "-f", "json")
    assert code == 0 and json.loads(out)["optimizer"]["lr"] == 0.003
    after = subprocess.run(["git", "status", "--porcelain"], cwd=conf, capture_output=True)
    assert after.stdout == status.stdout
    assert "lr: 0.5" in (conf / "optimizer/adam.yaml").read_text()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("train@nope", "confman: error: bad revision 'nope': git knows no commit by that name"),
        ("train@", "confman: error: 'train@': empty revision after '@'"),
        ("other@HEAD", "confman: error: at revision 'HEAD' ("),
    ],
    ids=["unknown-rev", "empty-rev", "unknown-config"],
)
def test_bad_revisions_are_one_line(runner: CliRunner, conf: Path, spec: str, message: str) -> None:
    code, out, err = invoke(runner, conf, "compose", spec)
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith(message)
    assert "Traceback" not in err
