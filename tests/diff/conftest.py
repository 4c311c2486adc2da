"""A small Hydra tree under git, with two commits, for diff tests."""
# The CLI tests (tests/cli/test_diff_cmd.py) use the same tree through ``git_tree``.

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import TreeWriter

TREE = {
    "train.yaml": """
        defaults:
          - model: vit
          - optimizer: adam
          - _self_
        seed: 1
        db:
          password: hunter2
        """,
    "model/vit.yaml": "name: vit\ndepth: 12\npatch: 16\n",
    "model/resnet.yaml": "name: resnet\ndepth: 50\nblock: bottleneck\n",
    "optimizer/adam.yaml": "lr: 0.001\nbetas: [0.9, 0.999]\n",
    "optimizer/sgd.yaml": "lr: 0.1\nmomentum: 0.9\n",
}


def git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    out = subprocess.run(["git", *env_args, *args], cwd=cwd, check=True, capture_output=True)
    return out.stdout.decode().strip()


def git_tree(make_tree: TreeWriter) -> Path:
    """``conf/`` in a git repo: commit 1 has lr 0.001, commit 2 (HEAD) lr 0.003."""
    root = make_tree(TREE)
    repo = root.parent
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    adam = root / "optimizer/adam.yaml"
    adam.write_text(adam.read_text().replace("0.001", "0.003"))
    git(repo, "commit", "-qam", "two")
    return root


@pytest.fixture
def conf(make_tree: TreeWriter) -> Path:
    """The git-tracked tree (see ``git_tree``)."""
    return git_tree(make_tree)
