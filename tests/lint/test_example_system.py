"""The bundled example system (conf/ + examples/) lints clean, and each planted debt is found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from confman.lint import lint
from confman.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["examples"]\n'

PLANTS = {
    "CM101": ("conf/model/mlp.yaml", "warmup_steps: 500\n"),
    "CM201": ("conf/model/mlp.yaml", "activation: tanh\n"),
    "CM202": ("conf/experiment/mlp_sgd.yaml", None),
    "CM203": ("conf/model/mlp.yaml", None),
    "CM301": ("conf/model/mlp.yaml", "width: ${data.no_such_key}\n"),
    "CM302": ("conf/experiment/mlp_sgd.yaml", None),
    "CM401": ("conf/train.yaml", "tracking_token: tok-1234567890\n"),
    "CM103": ("conf/model/old_cnn.yaml", "name: old_cnn\n"),
    "CM204": ("conf/data/wine_v2.yaml", None),
}


def copy_system(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    # the example tests select data=breast_cancer and features=kbest; CM103 counts that
    shutil.copytree(REPO / "tests" / "examples", tmp_path / "tests" / "examples")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def codes(root: Path) -> set[str]:
    return {d.code for d in lint(load_settings(cwd=root)).diagnostics}


def test_copy_is_clean(tmp_path):
    assert codes(copy_system(tmp_path)) == set()


@pytest.mark.parametrize("code", sorted(PLANTS))
def test_planted_debt_is_found(tmp_path, code):
    root = copy_system(tmp_path)
    rel, text = PLANTS[code]
    path = root / rel
    if code == "CM204":  # a copy of the 12-key wine data option, selected by an experiment
        path.write_text((root / "conf/data/wine.yaml").read_text())
        exp = root / "conf/experiment/mlp_sgd.yaml"
        exp.write_text(
            exp.read_text().replace(
                "override /optimizer: sgd", "override /optimizer: sgd\n  - override /data: wine_v2"
            )
        )
    elif code == "CM202":  # the experiment re-states mlp's own activation
        exp = root / "conf/experiment/mlp_sgd.yaml"
        exp.write_text(exp.read_text().replace("model:\n", "model:\n  activation: relu\n"))
    elif code == "CM302":  # a typo: max_epoch for max_epochs
        exp = root / "conf/experiment/mlp_sgd.yaml"
        exp.write_text(exp.read_text().replace("max_epochs:", "max_epoch:"))
    elif code == "CM203":
        mlp = root / "conf/model/mlp.yaml"
        mlp.write_text(
            mlp.read_text().replace("num_outputs: ${data.num_classes}", "num_outputs: 10")
        )
        (root / "conf/data/digits.yaml").write_text(
            (root / "conf/data/digits.yaml").read_text() + "num_outputs: 10\n"
        )
    else:
        path.write_text((path.read_text() if path.exists() else "") + text)
    assert code in codes(root)
