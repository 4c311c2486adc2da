"""The example system's schemas (schemas/) accept every config in conf/ and catch real mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.schema import load_bindings
from confman.schema.report import run_validate
from confman.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


def test_every_group_is_bound(at_root: Path) -> None:
    settings = load_settings()
    bindings = load_bindings(settings)
    groups = {p.name for p in settings.config_dir.iterdir() if p.is_dir()}
    assert set(bindings.groups) == groups
    assert set(bindings.configs) == {p.stem for p in settings.config_dir.glob("*.yaml")}


def test_every_config_experiment_and_option_is_valid(at_root: Path) -> None:
    settings = load_settings()
    bindings = load_bindings(settings)
    report = run_validate(settings, bindings, [], [], all_options=True)
    assert [r.target for r in report.failures] == []
    assert len(report.results) == 2 + 17  # train, serve, every option file
    for sweep in (["experiment=glob(*)"], ["model=glob(*)", "optimizer=glob(*)"]):
        report = run_validate(settings, bindings, ["train"], sweep)
        assert [r.target for r in report.failures] == []
        assert len(report.results) in (3, 6)


def test_experiment_forces_its_model(at_root: Path) -> None:
    """An experiment's model keys only fit the model it selects: choosing another one on the
    command line is caught (forest_digits sets n_estimators, which logistic does not have)."""
    settings = load_settings()
    report = run_validate(
        settings, load_bindings(settings), ["train"], ["experiment=forest_digits", "model=logistic"]
    )
    (failed,) = report.failures
    assert [i.path for i in failed.issues] == ["model.n_estimators", "model.max_depth"]
    assert failed.issues[0].location == "experiment/forest_digits.yaml:7"


def test_mistakes_are_caught_with_their_source(at_root: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "validate",
            "train",
            "data.split.test_fraction=1.5",
            "model=mlp",
            "model.hidden_sizes=[0]",
            "trainer.n_jobs=0",
            "++logging.levle=INFO",
        ],
    )
    assert result.exit_code == 1
    out = result.output
    assert "data.split.test_fraction: Input should be less than 1 (found 1.5)" in out
    assert "model.hidden_sizes[0]: Input should be greater than 0 (found 0)" in out
    assert "trainer.n_jobs" in out
    assert "logging.levle: unknown key; did you mean 'level'?" in out


def test_group_override_against_an_experiment_is_not_a_noop(at_root: Path) -> None:
    """model=logistic is the default, but not once forest_digits has chosen random_forest."""
    settings = load_settings()
    bindings = load_bindings(settings)
    report = run_validate(
        settings, bindings, ["train"], ["experiment=forest_digits", "model=logistic"]
    )
    assert report.noop == []
    report = run_validate(settings, bindings, ["train"], ["model=logistic"])
    assert report.noop == ["model=logistic"]
