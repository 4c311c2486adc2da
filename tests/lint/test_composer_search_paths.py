"""Lint composes with ``[tool.confman] search_paths`` as ``confman.compose`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.compose import compose
from confman.compose.plain import Composer

FILES = {
    "conf/train.yaml": "defaults:\n  - model: mlp\n  - _self_\nseed: 1\n",
    "shared/model/mlp.yaml": "layers: 2\n",
    "pyproject.toml": '[tool.confman]\nconfig_dir = "conf"\nsearch_paths = ["shared"]\n',
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fast_path_searches_the_project_search_paths(tree: Path) -> None:
    composer = Composer(tree / "conf", None)
    composed = composer.compose("train")
    assert composer.counts == {"fast": 1, "real": 0}
    real = compose("train", config_dir=tree / "conf")
    assert composed.to_container() == real.to_container() == {"model": {"layers": 2}, "seed": 1}
    assert composed.choices.keys() == real.choices.keys()


def test_lint_composes_an_option_from_a_search_path(tree: Path) -> None:
    result = CliRunner().invoke(app, ["lint"])
    assert "CM000" not in result.stdout, result.stdout
    assert result.exit_code == 0, result.stdout
