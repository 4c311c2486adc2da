"""docs/migrate.md (the README's "Migrations" page), run as written on a copy of the example
system."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, Field
from typer.testing import CliRunner

from confman.cli import app
from confman.migrate import renamed_to

REPO = Path(__file__).resolve().parents[2]


def _section() -> str:
    return (REPO / "docs" / "migrate.md").read_text(encoding="utf-8")


def test_the_readme_migration_and_commands_do_what_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    section = _section()
    toml = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert toml is not None
    commands = re.findall(r"`(confman migrate [^`]*)`", section)
    assert commands == [
        "confman migrate --check scripts/",
        "confman migrate --diff",
        "confman migrate --write scripts/ README.md",
    ]
    root = tmp_path / "proj"
    shutil.copytree(REPO / "conf", root / "conf")
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n\n' + toml.group(1), encoding="utf-8"
    )
    (root / "scripts").mkdir()
    (root / "scripts/sweep.sh").write_text(
        "python examples/train.py -m optimizer.lr=0.01,0.1 calibration.folds=5\n"
    )
    (root / "README.md").write_text("Run `python examples/train.py optimizer.lr=0.1`.\n")
    monkeypatch.chdir(root)

    def run(command: str) -> object:
        return runner.invoke(app, shlex.split(command)[1:])

    check = run(commands[0])
    assert check.exit_code == 1  # type: ignore[attr-defined]
    assert "scripts/sweep.sh:1: override 'optimizer.lr=0.01,0.1' -> " in check.stdout  # type: ignore[attr-defined]
    diff = run(commands[1])
    assert "+learning_rate: 1.0e-3" in diff.stdout  # type: ignore[attr-defined]
    assert "sweep.sh" not in diff.stdout  # type: ignore[attr-defined]  # no PATHS given
    wrote = run(commands[2])
    assert wrote.exit_code == 0, wrote.stderr  # type: ignore[attr-defined]
    assert (root / "scripts/sweep.sh").read_text() == (
        "python examples/train.py -m optimizer.learning_rate=0.01,0.1\n"
    )
    assert (root / "README.md").read_text() == (
        "Run `python examples/train.py optimizer.learning_rate=0.1`.\n"
    )
    assert run("confman migrate --check scripts/ README.md").exit_code == 0  # type: ignore[attr-defined]
    composed = runner.invoke(app, ["compose", "train", "--format", "json"])
    config = yaml.safe_load(composed.stdout)
    assert "learning_rate" in config["optimizer"] and "tmp_dir" in config["output"]
    assert "folds" not in config["calibration"]


def test_the_readme_schema_field_is_valid_pydantic() -> None:
    section = _section()
    found = re.search(r"`(lr: float \| None = Field\(.*?\))`", section)
    assert found is not None and "`from confman.migrate import renamed_to`" in section
    namespace = {"Field": Field, "renamed_to": renamed_to, "BaseModel": BaseModel}
    exec(
        f"class Opt(BaseModel):\n    learning_rate: float = 1e-3\n    {found.group(1)}\n", namespace
    )
    marker = namespace["Opt"].model_fields["lr"].deprecated  # type: ignore[attr-defined]
    assert (marker.new, marker.version) == ("learning_rate", "2.0")
