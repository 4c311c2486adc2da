"""``confman validate`` and values made by a resolver that is not registered here: noted once,
not checked, failing only with ``--strict``; registered in pyproject, they are checked."""

from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf
from typer.testing import CliRunner

from confman.cli import app
from tests.schema.conftest import TRAIN_DEFAULTS, Project

# A resolver name nothing registers in this process (NeMo registers ``multiply`` inline, as a
# lambda, in the training script confman never runs).
NAME = "cm_test_multiply"
FILES = {
    "conf/train.yaml": TRAIN_DEFAULTS + f"seed: 1\nepochs: ${{{NAME}:1,3}}\n",
    "conf/model/small.yaml": f"name: small\nlayers: ${{{NAME}:2,1}}\n",
    "resolvers_cm_test.py": "def multiply(a, b):\n    return a * b\n",
}
NOTE = (
    f"note: not checked: resolver '{NAME}' is not registered "
    "(register it in [tool.confman.resolvers]); "
)


def test_unregistered_resolver_is_noted_once_and_passes(
    project: Project, runner: CliRunner
) -> None:
    project(FILES)
    assert not OmegaConf.has_resolver(NAME)
    result = runner.invoke(app, ["validate", "train", "model=small,big"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        "note: override 'model=small' changes nothing (the value is already there)",
        f"{NOTE}3 values in 2 configs, first model.layers at model/small.yaml:2",
        "2 checked, 2 valid, 0 invalid",
    ]
    # the value as written is not judged against the schema's int (no "valid integer" noise)
    assert "Input should be" not in result.stdout


def test_strict_makes_it_an_issue(project: Project, runner: CliRunner) -> None:
    project(FILES)
    result = runner.invoke(app, ["validate", "train", "--strict"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "train: 2 issue(s)",
        f"  model/small.yaml:2: model.layers: resolver '{NAME}' is not registered "
        f"(found '${{{NAME}:2,1}}'); register it in [tool.confman.resolvers]",
        f"  train.yaml:6: epochs: resolver '{NAME}' is not registered "
        f"(found '${{{NAME}:1,3}}'); register it in [tool.confman.resolvers]",
        "1 checked, 0 valid, 1 invalid",
    ]


def test_json_and_github_carry_the_note(project: Project, runner: CliRunner) -> None:
    project(FILES)
    result = runner.invoke(app, ["validate", "train", "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["failed"] == 0
    assert report["not_checked"] == [
        {
            "message": f"not checked: resolver '{NAME}' is not registered",
            "hint": "register it in [tool.confman.resolvers]",
            "values": [
                {"target": "train", "path": "model.layers", "location": "model/small.yaml:2"},
                {"target": "train", "path": "epochs", "location": "train.yaml:6"},
            ],
        }
    ]
    github = runner.invoke(app, ["validate", "train", "--format", "github"])
    assert github.exit_code == 0
    assert github.stdout.splitlines()[0].startswith(
        f"::notice::not checked: resolver '{NAME}' is not registered"
    )


def test_registered_in_pyproject_the_values_are_checked(
    project: Project, runner: CliRunner
) -> None:
    root = project(FILES)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[tool.confman.resolvers]\n{NAME} = "resolvers_cm_test:multiply"\n'
    )
    try:
        ok = runner.invoke(app, ["validate", "train"])
        assert ok.exit_code == 0, ok.stdout
        assert ok.stdout == "1 checked, 1 valid, 0 invalid\n"
        (root / "conf/model/small.yaml").write_text(f"name: small\nlayers: ${{{NAME}:0,1}}\n")
        bad = runner.invoke(app, ["validate", "train"])
        assert bad.exit_code == 1
        assert (
            "  model/small.yaml:2: model.layers: Input should be greater than or equal to 1 "
            "(found 0)"
        ) in bad.stdout.splitlines()
    finally:
        OmegaConf.clear_resolver(NAME)


def test_an_environment_variable_not_set_here_is_noted_too(
    project: Project, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``${oc.env:DATA_PATH}`` without a default: the run sets it (ProteinWorkshop's data
    paths); here it is unset, so the value is noted, not failed; set, it is checked."""
    project({"conf/train.yaml": TRAIN_DEFAULTS + "epochs: 3\ntag: ${oc.env:CM_TEST_DATA}/x\n"})
    monkeypatch.delenv("CM_TEST_DATA", raising=False)
    noted = runner.invoke(app, ["validate", "train"])
    assert noted.exit_code == 0, noted.stdout
    assert noted.stdout.splitlines() == [
        "note: not checked: environment variable 'CM_TEST_DATA' is not set "
        "(set it to check the values that read it); 1 value in train, first tag at train.yaml:6",
        "1 checked, 1 valid, 0 invalid",
    ]
    assert runner.invoke(app, ["validate", "train", "--strict"]).exit_code == 1
    monkeypatch.setenv("CM_TEST_DATA", "/data")
    checked = runner.invoke(app, ["validate", "train", "--strict"])
    assert checked.exit_code == 0, checked.stdout
    assert checked.stdout == "1 checked, 1 valid, 0 invalid\n"


def test_hydra_resolver_is_noted_as_the_runs_own(project: Project, runner: CliRunner) -> None:
    """``${hydra:job.name}`` answers only inside a run Hydra starts (registered or not in
    this process, it cannot resolve here): noted, with why, not 'register it'."""
    project({"conf/train.yaml": TRAIN_DEFAULTS + "epochs: 3\ntag: ${hydra:job.name}\n"})
    result = runner.invoke(app, ["validate", "train"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[0] == (
        "note: not checked: ${hydra:...} resolves only while Hydra runs the app (its value comes "
        "from the run's own Hydra config); 1 value in train, first tag at train.yaml:6"
    )
