"""``confman migrate`` on the example system, on planted trees, and on two real-world trees."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from confman.cli import app
from tests.realworld import corpus

REPO = Path(__file__).resolve().parents[2]

MIGRATION = """
[[tool.confman.migrations]]
version = "2.0"
rename = {"optimizer.lr" = "optimizer.learning_rate"}
move = {"runtime.tmp_dir" = "output.tmp_dir"}
remove = ["calibration.folds"]
values = {"optimizer.schedule" = {"invscaling" = "inverse_scaling"}}
"""


def _example(tmp_path: Path, migrations: str = MIGRATION) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "conf", root / "conf")
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n' + migrations, encoding="utf-8"
    )
    (root / "run.sh").write_text(
        "#!/bin/sh\n# sweep the learning rate\n"
        "python examples/train.py -m optimizer.lr=0.01,0.1 calibration.folds=5 model=mlp\n",
        encoding="utf-8",
    )
    return root


def _compose(root: Path, *overrides: str) -> dict[str, object]:
    runner = CliRunner()
    result = runner.invoke(
        app, ["compose", "train", *overrides, "--format", "json", "-c", str(root / "conf")]
    )
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.stdout)  # type: ignore[no-any-return]


def test_check_write_check_on_the_example_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = _example(tmp_path)
    monkeypatch.chdir(root)
    before = _compose(root, "optimizer=sgd")

    check = runner.invoke(app, ["migrate", "--check", "run.sh"])
    assert check.exit_code == 1
    lines = check.stdout.splitlines()
    assert "conf/optimizer/sgd.yaml:2: key: 'optimizer.lr' was renamed to " in lines[-4] or any(
        line.startswith("conf/optimizer/sgd.yaml:2: key: 'optimizer.lr' was renamed")
        for line in lines
    )
    assert any(
        line.startswith("conf/train.yaml:20: key: 'runtime.tmp_dir' was moved") for line in lines
    )
    assert any(
        line.startswith("conf/train.yaml:30: key: 'calibration.folds' was removed")
        for line in lines
    )
    assert any(
        line.startswith("run.sh:3: override 'calibration.folds=5' -> dropped") for line in lines
    )

    wrote = runner.invoke(app, ["migrate", "--write", "run.sh"])
    assert wrote.exit_code == 0, wrote.stderr
    assert "compositions composed with Hydra" in wrote.stderr
    sgd = (root / "conf/optimizer/sgd.yaml").read_text()
    assert (
        sgd == "name: sgd\nlearning_rate: 0.01\nmomentum: 0.9\nnesterov: true\n"
        "schedule: inverse_scaling\npower_t: 0.5\n"
    )
    train = (root / "conf/train.yaml").read_text()
    original = (REPO / "conf/train.yaml").read_text()
    # comments, the `experiment: null` spelling and the flow list stay byte for byte
    assert train.splitlines()[:10] == original.splitlines()[:10]
    assert "  metrics: [accuracy, f1_macro, balanced_accuracy]\n" in train
    assert "  folds: 3\n" not in train
    assert (root / "run.sh").read_text().splitlines()[-1] == (
        "python examples/train.py -m optimizer.learning_rate=0.01,0.1 model=mlp"
    )
    after = _compose(root, "optimizer=sgd")
    assert after["optimizer"]["learning_rate"] == before["optimizer"]["lr"]  # type: ignore[index]
    assert after["output"]["tmp_dir"] == before["runtime"]["tmp_dir"]  # type: ignore[index]
    assert "folds" not in after["calibration"]  # type: ignore[operator]

    again = runner.invoke(app, ["migrate", "--check", "run.sh"])
    assert again.exit_code == 0, again.stdout
    assert again.stdout == ""


def test_diff_shows_the_rewrite_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = _example(tmp_path)
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["migrate", "--diff"])
    assert result.exit_code == 0
    assert "--- a/conf/optimizer/adam.yaml\n+++ b/conf/optimizer/adam.yaml\n" in result.stdout
    assert "-lr: 1.0e-3\n+learning_rate: 1.0e-3\n" in result.stdout
    assert (root / "conf/optimizer/adam.yaml").read_text() == (
        REPO / "conf/optimizer/adam.yaml"
    ).read_text()


@pytest.mark.parametrize(
    ("migration", "message"),
    [
        pytest.param(
            'rename = {"optimizer.lr" = "optimizer.name"}',
            "already exists in composition 'train'",
            id="rename-onto-existing",
        ),
        pytest.param(
            'rename = {"optimizer.lrr" = "optimizer.learning_rate"}',
            "no config has 'optimizer.lrr' or 'optimizer.learning_rate'",
            id="key-no-config-has",
        ),
        pytest.param(
            'rename = {"optimizer.lr" = "optimizer.rate", "optimizer.name" = "optimizer.rate"}',
            "conflicting migrations onto 'optimizer.rate'",
            id="conflict",
        ),
    ],
)
def test_bad_input_is_one_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    migration: str,
    message: str,
) -> None:
    root = _example(tmp_path, f'\n[[tool.confman.migrations]]\nversion = "2.0"\n{migration}\n')
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["migrate", "--check"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 2  # the error and its hint


def test_a_rewrite_that_changes_more_than_declared_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = tmp_path / "proj"
    (root / "conf/optimizer").mkdir(parents=True)
    (root / "conf/train.yaml").write_text(
        "defaults:\n  - optimizer: sgd\n  - optimizer@backup: sgd\n  - _self_\n"
    )
    (root / "conf/optimizer/sgd.yaml").write_text("lr: 0.1  # the step size\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.confman]
            config_dir = "conf"
            [[tool.confman.migrations]]
            version = "2.0"
            rename = {"optimizer.lr" = "optimizer.learning_rate"}
            """
        )
    )
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["migrate", "--write"])
    assert result.exit_code == 2
    assert "would change composition 'train' beyond the declared change" in result.stderr
    assert "'backup." in result.stderr
    assert (root / "conf/optimizer/sgd.yaml").read_text() == "lr: 0.1  # the step size\n"


@pytest.mark.skipif(not corpus.available(), reason="../shared/realworld is not beside the repo")
@pytest.mark.parametrize(
    ("name", "config_dir", "migration", "uses"),
    [
        (
            "facebookresearch__drqv2",
            "cfgs",
            '{"agent.lr" = "agent.learning_rate", "save_video" = "record_video"}',
            2,
        ),
    ],
)
def test_real_world_trees(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    name: str,
    config_dir: str,
    migration: str,
    uses: int,
) -> None:
    root = corpus.project(corpus.tree(name), config_dir, tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write(f'\n[[tool.confman.migrations]]\nversion = "2.0"\nrename = {migration}\n')
    monkeypatch.chdir(root)
    check = runner.invoke(app, ["migrate", "--check"])
    assert check.exit_code == 1
    assert len(check.stdout.splitlines()) == uses
    wrote = runner.invoke(app, ["migrate", "--write"])
    assert wrote.exit_code == 0, wrote.stderr
    assert runner.invoke(app, ["migrate", "--check"]).exit_code == 0


@pytest.mark.skipif(not corpus.available(), reason="../shared/realworld is not beside the repo")
def test_real_world_key_placed_by_a_defaults_package_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """drqv2's task options land at the root (``task@_global_``) and also set ``nstep``: the
    rewrite of config.yaml alone would let them win under the old name; the proof sees it."""
    root = corpus.project(corpus.tree("facebookresearch__drqv2"), "cfgs", tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write(
            '\n[[tool.confman.migrations]]\nversion = "2.0"\nrename = {"nstep" = "n_step"}\n'
        )
    monkeypatch.chdir(root)
    before = (root / "cfgs/config.yaml").read_text()
    result = runner.invoke(app, ["migrate", "--write"])
    assert result.exit_code == 2
    assert "would change composition 'config task@_global_=" in result.stderr
    assert (root / "cfgs/config.yaml").read_text() == before


def test_a_file_yaml_cannot_read_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """ProteinWorkshop's W&B sweep files sit in its config tree and are no YAML at all."""
    root = _example(tmp_path)
    (root / "conf/sweeps").mkdir()
    (root / "conf/sweeps/wandb.yaml").write_text("values: [{{ lr }}, ? ]\nlr: 1\n")
    monkeypatch.chdir(root)
    check = runner.invoke(app, ["migrate", "--check"])
    assert check.exit_code == 1, check.stderr
    assert "conf/optimizer/sgd.yaml:2: key: 'optimizer.lr'" in check.stdout
    assert "wandb" not in check.stdout + check.stderr


def test_a_folder_is_migrated_but_not_its_environments_and_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """``migrate --check .`` reads the project's sources in the folder, never a virtualenv's,
    a build's or a hidden folder's copies of them (which it would otherwise rewrite)."""
    root = _example(tmp_path)
    monkeypatch.chdir(root)
    line = "python train.py optimizer.lr=0.1\n"
    for rel in ["scripts/a.sh", "venv/lib/b.sh", "build/c.sh", "dist/d.md", ".cache/e.sh"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(line, encoding="utf-8")
    result = runner.invoke(app, ["migrate", "--check", "."])
    assert result.exit_code == 1
    flagged = {out.split(":")[0] for out in result.stdout.splitlines() if "override" in out}
    assert flagged == {"run.sh", "scripts/a.sh"}
