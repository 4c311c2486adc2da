"""Helpers for lint tests: a small, clean ML system (configs + code) to plant debts into."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from confman.lint import lint
from confman.settings import load_settings

PYPROJECT = """
[tool.confman]
config_dir = "conf"

[tool.confman.lint]
src = ["src"]
"""

CLEAN: dict[str, str] = {
    "conf/train.yaml": """
        defaults:
          - data: digits
          - model: mlp
          - optimizer: adam
          - _self_
          - experiment: null
        seed: 0
        run_name: ${data.name}-${model.name}
        """,
    "conf/data/digits.yaml": """
        name: digits
        num_classes: 10
        path: /data/digits
        """,
    "conf/data/wine.yaml": """
        name: wine
        num_classes: 3
        path: /data/wine
        """,
    "conf/model/mlp.yaml": """
        name: mlp
        hidden: 64
        num_classes: ${data.num_classes}
        """,
    "conf/optimizer/adam.yaml": """
        name: adam
        lr: 0.001
        betas: [0.9, 0.999]
        """,
    "conf/optimizer/sgd.yaml": """
        name: sgd
        lr: 0.1
        momentum: 0.9
        """,
    "conf/experiment/big.yaml": """
        # @package _global_
        defaults:
          - override /optimizer: sgd
          - override /data: wine
        model:
          hidden: 256
        """,
    "src/train.py": """
        def train(cfg):
            print(cfg.seed, cfg.run_name, cfg.data.path, cfg.optimizer.name)
            head = cfg["model"]["num_classes"]
            opt = cfg.optimizer
            return head, cfg.model.hidden, opt.lr, opt.get("betas"), getattr(opt, "momentum", 0)
        """,
}

CLEAN = {rel: textwrap.dedent(text).lstrip("\n") for rel, text in CLEAN.items()}


def write_tree(root: Path, files: dict[str, str | None]) -> Path:
    """Write (or with None, delete) files under ``root``; text is dedented."""
    (root / "pyproject.toml").write_text(PYPROJECT)
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def findings(root: Path, *codes: str) -> list[tuple[str, str, int]]:
    """``(code, file, line)`` of every finding of ``codes`` (all rules when none given)."""
    result = lint(load_settings(cwd=root), select=list(codes) or None)
    return [(d.code, d.file, d.line) for d in result.diagnostics]


def messages(root: Path, *codes: str) -> list[str]:
    result = lint(load_settings(cwd=root), select=list(codes) or None)
    return [d.message for d in result.diagnostics]


def example_project(root: Path) -> Path:
    """The repository's example system copied to ``root`` (configs and code), with two debts
    planted in ``model/mlp.yaml``: an interpolation of a missing key and a key no code reads."""
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "conf", root / "conf")
    shutil.copytree(repo / "examples", root / "examples")
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["examples"]\n'
    )
    mlp = root / "conf" / "model" / "mlp.yaml"
    mlp.write_text(mlp.read_text() + "width: ${data.no_such_key}\nwarmup_steps: 500\n")
    return root
