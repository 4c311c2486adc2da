"""The root command's habits: --version, bare ``confman``, help texts, usage errors."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from confman.cli import app


def _all_commands() -> list[list[str]]:
    """Every command path of the app (``[]`` is the root), groups included."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_version(runner: CliRunner) -> None:
    for flag in ("--version", "-V"):
        result = runner.invoke(app, [flag])
        assert result.exit_code == 0
        assert result.stdout == f"confman {version('confman')}\n"


def test_bare_confman_prints_help_and_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: confman [OPTIONS] COMMAND")
    for command in ("compose", "diff", "validate", "lint", "runs"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "<root>")
def test_help_renders_literally(runner: CliRunner, path: list[str]) -> None:
    """No markup language reads the help: ``[tool.confman]`` stays, no ``[bold]`` shows."""
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: confman")
    for leftover in ("[bold]", "[/", "\\["):
        assert leftover not in result.stdout


@pytest.mark.parametrize(
    "path",
    [["compose"], ["validate"], ["schema"], ["diff"]],
)
def test_help_keeps_the_pyproject_table_name(runner: CliRunner, path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert "[tool.confman" in " ".join(result.stdout.split())


def test_lint_on_a_missing_config_dir_is_a_usage_error(runner: CliRunner, tmp_path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["lint", "--config-dir", str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"confman: error: config directory not found: {missing}"
    assert "CM000" not in result.output
