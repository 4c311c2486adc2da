"""``confman validate`` on the real app: exit codes, sweeps, --all-options, formats, bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from confman.cli import app
from tests.schema.conftest import Project


def test_all_valid_exits_0(project: Project, runner: CliRunner) -> None:
    project()
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 checked, 1 valid, 0 invalid")


def test_sweep_validates_every_point(project: Project, runner: CliRunner) -> None:
    project()
    result = runner.invoke(
        app, ["validate", "train", "optimizer.lr=0.001,2", "model=glob(*)", "seed=range(0,2)"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "8 checked, 4 valid, 4 invalid"
    assert "train optimizer.lr=2 model=big seed=0: 1 issue(s)" in lines
    assert (
        "  override 'optimizer.lr=2': optimizer.lr: Input should be less than or equal to 1 "
        "(found 2)" in lines
    )
    assert (
        "note: override 'optimizer.lr=0.001' changes nothing (the value is already there)" in lines
    )


def test_noop_group_choice(project: Project, runner: CliRunner) -> None:
    project()
    result = runner.invoke(app, ["validate", "train", "model=small,big"])
    assert result.exit_code == 0
    assert "note: override 'model=small' changes nothing" in result.output
    assert "model=big' changes nothing" not in result.output
    result = runner.invoke(app, ["validate", "train", "model=small", "epochs=3"])
    assert "note: override 'model=small' changes nothing" in result.output
    assert "note: override 'epochs=3' changes nothing" in result.output


def test_all_options_catches_unselected_option(project: Project, runner: CliRunner) -> None:
    project(
        {
            "conf/model/broken.yaml": "name: broken\nlayers: -1\nsize: ${model.layers}\n",
            "conf/model/interp.yaml": "name: ${oc.env:USER}\nlayers: 1\n",
        }
    )
    ok = runner.invoke(app, ["validate"])
    assert ok.exit_code == 0
    result = runner.invoke(app, ["validate", "--all-options"])
    assert result.exit_code == 1
    assert "model/broken.yaml: 2 issue(s)" in result.output
    assert "  model/broken.yaml:2: model.layers" not in result.output
    assert (
        "  model/broken.yaml:2: layers: Input should be greater than or equal to 1" in result.output
    )
    assert "  model/broken.yaml:3: size: unknown key" in result.output
    assert "interp.yaml" not in result.output
    assert result.output.strip().endswith("7 checked, 6 valid, 1 invalid")


def test_json_and_github_formats(project: Project, runner: CliRunner) -> None:
    project({"conf/optimizer/adam.yaml": "name: adam\nlr: 7\n"})
    result = runner.invoke(app, ["validate", "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["points"] == 1 and payload["failed"] == 1
    (issue,) = payload["results"][0]["issues"]
    assert issue["file"] == "optimizer/adam.yaml" and issue["line"] == 2 and issue["found"] == 7
    result = runner.invoke(app, ["validate", "--format", "github"])
    assert result.stdout.startswith("::error file=conf/optimizer/adam.yaml,line=2::train: ")


def test_bad_module_exits_2(project: Project, runner: CliRunner) -> None:
    project(bindings={"train": "nonexistent_mod:Train"})
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "cannot import schema module 'nonexistent_mod'" in result.stderr
    assert "Traceback" not in result.output


def test_not_a_model_exits_2(project: Project, runner: CliRunner) -> None:
    project(bindings={"train": "M:Optimizer", "model": "M:Field"})
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "not a pydantic model" in result.stderr


def test_unknown_group_exits_2(project: Project, runner: CliRunner) -> None:
    project(bindings={"optimiser": "M:Optimizer"})
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "'optimiser' is neither a primary config nor a group" in result.stderr
    assert "did you mean 'optimizer'?" in result.stderr


def test_field_without_yaml_value_exits_2(project: Project, runner: CliRunner) -> None:
    project(
        {
            "bad_schema_mod.py": """
        from pydantic import BaseModel, ConfigDict
        class Handle:
            pass
        class Bad(BaseModel):
            model_config = ConfigDict(arbitrary_types_allowed=True)
            handle: Handle
    """
        },
        bindings={"model": "bad_schema_mod:Bad"},
    )
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "a field has no possible YAML value" in result.stderr


def test_bad_sweep_syntax_exits_2(project: Project, runner: CliRunner) -> None:
    project()
    result = runner.invoke(app, ["validate", "train", "seed=range(1,"])
    assert result.exit_code == 2
    assert result.stderr.startswith("confman: error:")
