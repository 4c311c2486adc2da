"""``confman schema export``: pydantic's JSON Schema accepts every valid option file of the
example and rejects broken ones (checked with jsonschema); modelines are idempotent and keep
Hydra's ``# @package`` header working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.compose import compose
from confman.yamlsource import load_yaml_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example project (conf/, schemas/, pyproject) that tests may modify."""
    for name in ("conf", "schemas"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_exported_schemas_accept_every_option_and_reject_broken(
    example: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["schema", "export", "--out", "out"])
    assert result.exit_code == 0, result.output
    out = example / "out"
    checked = 0
    for group in ("data", "preprocess", "features", "model", "optimizer", "trainer", "experiment"):
        validator = _validator(out / f"group.{group}.schema.json")
        for option in sorted((example / "conf" / group).glob("*.yaml")):
            data = dict(load_yaml_file(option).data)
            data.pop("defaults", None)
            errors = list(validator.iter_errors(data))
            assert errors == [], (option, errors[0].message if errors else None)
            checked += 1
    assert checked == 17
    optimizer = _validator(out / "group.optimizer.schema.json")
    assert not optimizer.is_valid({"name": "adam", "lr": 3})
    assert not optimizer.is_valid({"name": "adam", "lr": 0.1, "betaz": [0.9, 0.9]})
    assert not optimizer.is_valid({"name": "rmsprop"})
    train = _validator(out / "train.schema.json")
    composed = compose("train", config_dir=example / "conf").to_container()
    assert list(train.iter_errors(composed)) == []
    composed["trainer"]["cv_folds"] = 1
    assert not train.is_valid(composed)


def test_modeline_is_idempotent_and_after_package_header(example: Path, runner: CliRunner) -> None:
    before = compose("train", ["experiment=mlp_sgd"], config_dir=example / "conf").to_container()
    result = runner.invoke(app, ["schema", "export", "--modeline"])
    assert result.exit_code == 0, result.output
    assert "modelines: 19 file(s) updated" in result.output
    lines = (example / "conf/experiment/mlp_sgd.yaml").read_text().splitlines()
    assert lines[0] == "# @package _global_"
    assert lines[1] == (
        "# yaml-language-server: $schema=../../.confman/schemas/group.experiment.schema.json"
    )
    after = compose("train", ["experiment=mlp_sgd"], config_dir=example / "conf").to_container()
    assert after == before
    again = runner.invoke(app, ["schema", "export", "--modeline"])
    assert "modelines: 0 file(s) updated" in again.output


def test_vscode_mapping(example: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "export", "--vscode"])
    assert result.exit_code == 0
    mapping = json.loads(result.stdout)["yaml.schemas"]
    assert mapping[".confman/schemas/group.model.schema.json"] == ["conf/model/*.yaml"]
    assert mapping[".confman/schemas/train.schema.json"] == ["conf/train.yaml"]
