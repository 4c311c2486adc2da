"""Every command in README.md's ``## Diff`` section runs, and prints what the README shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Diff\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    return [(b.split("\n", 1)[0], b.split("\n", 1)[1]) for b in blocks]


@pytest.mark.parametrize(("command", "expected"), examples(), ids=lambda v: v[:40])
def test_readme_example(
    conf: Path, monkeypatch: pytest.MonkeyPatch, command: str, expected: str
) -> None:
    monkeypatch.chdir(conf.parent)
    assert command.startswith("$ confman ")
    result = CliRunner().invoke(app, shlex.split(command)[2:])
    assert result.stdout + result.stderr == expected
