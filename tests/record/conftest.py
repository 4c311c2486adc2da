"""A tiny real Hydra project in a git repo, run in subprocesses like a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

APP = """
import sys, time
import confman

@confman.main(config_name="train", config_path="conf")
def run(cfg):
    lr = cfg.optimizer.lr
    if cfg.trainer.fail:
        raise ValueError("boom")
    if cfg.trainer.sleep:
        print("STARTED", flush=True)
        time.sleep(cfg.trainer.sleep)
    print("LR", lr)

if __name__ == "__main__":
    run()
"""

PLAIN = """
import hydra

@hydra.main(config_name="train", config_path="conf", version_base="1.3")
def run(cfg):
    print("LR", cfg.optimizer.lr)

if __name__ == "__main__":
    run()
"""

TRAIN = """
defaults:
  - optimizer: sgd
  - _self_
trainer:
  epochs: 3
  fail: false
  sleep: 0
  api_token: abc123
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repo holding app.py (``@confman.main``), plain.py (unmodified Hydra) and conf/."""
    (tmp_path / "conf" / "optimizer").mkdir(parents=True)
    (tmp_path / "conf" / "train.yaml").write_text(textwrap.dedent(TRAIN).lstrip())
    (tmp_path / "conf" / "optimizer" / "sgd.yaml").write_text("lr: 0.1\nmomentum: 0.9\n")
    (tmp_path / "conf" / "optimizer" / "adam.yaml").write_text("lr: 0.001\nbetas: [0.9, 0.999]\n")
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "plain.py").write_text(PLAIN)
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=tmp_path, check=True)
    return tmp_path


def env_for(project: Path, store: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("CONFMAN_STORE", None)
    if store:
        env["CONFMAN_STORE"] = store
    return env


def run_app(
    project: Path, *args: str, script: str = "app.py", store: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, script, *args],
        cwd=project,
        env=env_for(project, store),
        capture_output=True,
        text=True,
        timeout=120,
    )
