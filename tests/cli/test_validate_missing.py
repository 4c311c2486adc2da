"""``confman validate`` and ``???``: one wording everywhere, and ``--allow-missing``."""

from __future__ import annotations

from typer.testing import CliRunner

from confman.cli import app
from tests.schema.conftest import TRAIN_DEFAULTS, Project

FILES = {
    "conf/train.yaml": """
        defaults:
          - optimizer: adam
          - model: small
          - _self_
        seed: ???
        epochs: 3
    """,
    "conf/model/big.yaml": "name: big\nlayers: ???\n",
}


def test_missing_is_reported_in_the_same_words_composed_and_alone(
    project: Project,
    runner: CliRunner,
) -> None:
    project(FILES)
    composed = runner.invoke(app, ["validate", "train", "model=big"])
    assert composed.exit_code == 1
    assert composed.stdout.splitlines()[:3] == [
        "train model=big: 2 issue(s)",
        "  model/big.yaml:2: model.layers: missing value (???); "
        "set it in a config file or with an override",
        "  train.yaml:5: seed: missing value (???); set it in a config file or with an override",
    ]
    alone = runner.invoke(app, ["validate", "--all-options"])
    assert alone.exit_code == 1
    assert (
        "model/big.yaml: 1 issue(s)\n"
        "  model/big.yaml:2: layers: missing value (???); "
        "set it in a config file or with an override\n"
    ) in alone.stdout
    assert "'???'" not in alone.stdout and "Input should be" not in alone.stdout


def test_allow_missing_accepts_what_the_code_fills_at_run_time(
    project: Project,
    runner: CliRunner,
) -> None:
    project(FILES)
    for args in (["train", "model=big"], ["--all-options"]):
        result = runner.invoke(app, ["validate", "--allow-missing", *args])
        assert result.exit_code == 0, result.stdout
        assert "invalid" in result.stdout and "missing" not in result.stdout


def test_allow_missing_still_reports_everything_else(
    project: Project,
    runner: CliRunner,
) -> None:
    project(FILES)
    result = runner.invoke(app, ["validate", "--allow-missing", "train", "epochs=0"])
    assert result.exit_code == 1
    assert "epochs: Input should be greater than or equal to 1 (found 0)" in result.stdout
    assert "missing value" not in result.stdout


def test_null_is_printed_as_yaml_writes_it(project: Project, runner: CliRunner) -> None:
    project()
    result = runner.invoke(app, ["validate", "train", "epochs=null", "+model.extra=[null,1]"])
    assert result.exit_code == 1
    assert "epochs: Input should be a valid integer (found null)" in result.stdout
    assert "None" not in result.stdout


INTERPOLATED = {
    "conf/train.yaml": TRAIN_DEFAULTS
    + "seed: 1\nepochs: 3\ntrain_manifest: ???\ntag: ${train_manifest}\n",
    "conf/model/small.yaml": "name: ${train_manifest}\nlayers: 2\n",
}


def test_an_interpolation_of_a_missing_value_is_missing_too(
    project: Project,
    runner: CliRunner,
) -> None:
    """``tag: ${train_manifest}`` with ``train_manifest: ???``: the code fills the target at
    run time and the interpolation then resolves, so it is the same missing value, in the
    same words, with what it waits for (the group's node included)."""
    project(INTERPOLATED)
    strict = runner.invoke(app, ["validate", "train"])
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[:4] == [
        "train: 3 issue(s)",
        "  model/small.yaml:1: model.name: missing value (???) (found '${train_manifest}'); "
        "'train_manifest' is ???: set it in a config file or with an override",
        "  train.yaml:7: train_manifest: missing value (???); "
        "set it in a config file or with an override",
        "  train.yaml:8: tag: missing value (???) (found '${train_manifest}'); "
        "'train_manifest' is ???: set it in a config file or with an override",
    ]
    assert "cannot resolve" not in strict.stdout
    allowed = runner.invoke(app, ["validate", "train", "--allow-missing"])
    assert allowed.exit_code == 0, allowed.stdout
    assert allowed.stdout == "1 checked, 1 valid, 0 invalid\n"


def test_allow_missing_still_reports_a_broken_interpolation(
    project: Project,
    runner: CliRunner,
) -> None:
    project({**INTERPOLATED, "conf/model/small.yaml": "name: ${no_such_key}\nlayers: 2\n"})
    result = runner.invoke(app, ["validate", "train", "--allow-missing"])
    assert result.exit_code == 1
    assert (
        "  model/small.yaml:1: model.name: cannot resolve interpolation: "
        "Interpolation key 'no_such_key' not found (found '${no_such_key}')"
    ) in result.stdout.splitlines()
