"""Shared fixtures: small config trees written from dicts, and a CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

TreeWriter = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_tree(tmp_path: Path) -> TreeWriter:
    """Write ``{"rel/path.yaml": "text"}`` under ``tmp_path/conf`` and return that dir.

    Text is dedented, so trees can be written inline in tests; bytes are written as they are.
    """

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "conf"
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner that keeps stderr apart from stdout (the JSON contract is about stdout)."""
    return CliRunner()
