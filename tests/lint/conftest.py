"""Fixtures for lint tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from linttree import CLEAN, write_tree


@pytest.fixture
def system(tmp_path: Path) -> Callable[..., Path]:
    """Write the clean system with ``changes`` applied (path -> new text, or None to delete)."""

    def build(changes: dict[str, str | None] | None = None) -> Path:
        return write_tree(tmp_path, {**CLEAN, **(changes or {})})

    return build
