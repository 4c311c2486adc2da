"""``confman init`` on corpus trees copied to tmp_path: what it finds and how it writes."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.realworld import corpus

pytestmark = pytest.mark.skipif(not corpus.available(), reason="../shared/realworld not present")


def copy_tree(name: str, dest: Path) -> Path:
    root = dest / name
    shutil.copytree(corpus.CORPUS / name, root, symlinks=True)
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    return root


PYPROJECT = '[project]\nname = "safari"  # the user\'s comment\n\n[tool.ruff]\nline-length = 99\n'


def test_init_writes_the_table_and_keeps_the_rest_byte_identical(tmp_path: Path) -> None:
    root = copy_tree("HazyResearch__safari", tmp_path)
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = CliRunner().invoke(app, ["init", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert '+config_dir = "configs"' in result.output  # the diff is shown first
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)
    table = tomllib.loads(text)["tool"]["confman"]
    assert table["config_dir"] == "configs"
    assert table["config_name"] == "config"
    assert table["version_base"] == "1.1"  # @hydra.main without version_base
    assert table["lint"]["src"] == ["src", "train.py"]
    assert "resolvers" not in table  # running project code is the user's call...
    assert '# eval = "builtins:eval"  # train.py:35' in text  # ...one uncommented line away
    assert "experiment" in result.output and "confman schema infer" in result.output


def test_init_refuses_an_existing_table_unless_forced(tmp_path: Path) -> None:
    root = copy_tree("facebookresearch__drqv2", tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.black]\nline-length = 88\n\n[tool.confman]\nconfig_dir = "old"\n\n'
        '[tool.confman.lint]\nsrc = ["x"]\n\n[tool.isort]\nprofile = "black"\n'
    )
    refused = CliRunner().invoke(app, ["init", str(root), "--yes"])
    assert refused.exit_code == 2
    assert "already has a [tool.confman] table" in refused.output
    assert "--force" in refused.output
    forced = CliRunner().invoke(app, ["init", str(root), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
    text = (root / "pyproject.toml").read_text()
    assert text.startswith("[tool.black]\nline-length = 88\n\n[tool.confman]\n")
    assert text.endswith('[tool.isort]\nprofile = "black"\n')
    data = tomllib.loads(text)
    assert data["tool"]["confman"]["config_dir"] == "cfgs"
    assert data["tool"]["confman"]["lint"]["src"] != ["x"]


def test_answering_no_writes_nothing(tmp_path: Path) -> None:
    root = copy_tree("facebookresearch__drqv2", tmp_path)
    result = CliRunner().invoke(app, ["init", str(root)], input="n\n")
    assert result.exit_code == 0
    assert "+++ pyproject.toml (with confman)" in result.output
    assert "nothing written" in result.output
    assert not (root / "pyproject.toml").exists()


def test_configstore_modules_and_other_config_dirs_are_reported(tmp_path: Path) -> None:
    root = copy_tree("facebookresearch__fairseq", tmp_path)
    result = CliRunner().invoke(app, ["init", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    text = (root / "pyproject.toml").read_text()
    assert '# modules = ["fairseq.dataclass.initialize:hydra_init"]' in text
    assert tomllib.loads(text)["tool"]["confman"]["config_dir"] == "fairseq/config"
    assert "ConfigStore entries are registered in Python" in result.output


def test_config_dir_option_and_declared_version_base(tmp_path: Path) -> None:
    root = copy_tree("pyannote__pyannote-audio", tmp_path)
    chosen = "pyannote/audio/cli/evaluate_config"
    result = CliRunner().invoke(app, ["init", str(root), "--yes", "-c", str(root / chosen)])
    assert result.exit_code == 0, result.output
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["confman"]
    assert table["config_dir"] == chosen
    assert "other config dirs: pyannote/audio/cli/train_config" in result.output


def test_version_base_as_declared(tmp_path: Path) -> None:
    root = copy_tree("huggingface__lerobot", tmp_path)
    assert CliRunner().invoke(app, ["init", str(root), "--yes"]).exit_code == 0
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["confman"]
    assert table["version_base"] == "1.2"


def test_not_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not a folder" in result.output


def test_a_group_header_tree_without_entrypoint_gets_11(tmp_path: Path) -> None:
    root = copy_tree("facebookresearch__fairseq", tmp_path)
    chosen = "examples/hubert/config/pretrain"
    result = CliRunner().invoke(app, ["init", str(root), "--yes", "-c", str(root / chosen)])
    assert result.exit_code == 0, result.output
    text = (root / "pyproject.toml").read_text()
    assert "version_base = \"1.1\"  # its files use '@package _group_'" in text


def test_a_primary_searchpath_to_a_project_folder_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """physicsnemo's corrdiff primaries add ``pkg://conf/base``: a package Hydra finds from the
    script's folder. init writes the folder (YAML only, no code runs), so they compose."""
    root = copy_tree("NVIDIA__physicsnemo", tmp_path)
    chosen = "examples/weather/corrdiff/conf"
    result = CliRunner().invoke(app, ["init", str(root), "--yes", "-c", str(root / chosen)])
    assert result.exit_code == 0, result.output
    text = (root / "pyproject.toml").read_text()
    table = tomllib.loads(text)["tool"]["confman"]
    assert table["search_paths"] == [f"{chosen}/base"]
    assert f"#   {chosen}/base: {chosen}/config_generate_custom.yaml:23 pkg://conf/base" in text
    monkeypatch.chdir(root)
    composed = CliRunner().invoke(app, ["compose", "config_training_hrrr_mini_regression"])
    assert composed.exit_code == 0, composed.output
    assert "model_channels: 64" in composed.stdout  # from base/model_size/mini.yaml
