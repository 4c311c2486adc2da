"""Where a project's ``[tool.confman]`` table is and what it holds, read as plain TOML.

This sits below everything that reports errors: the secret rules read their patterns from here,
and every error message is redacted with those rules. ``confman.settings`` checks the table and
turns a failure to read it into a ``ProjectSettingsError``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["UnreadablePyproject", "find_table"]


class UnreadablePyproject(Exception):
    """A pyproject.toml on the way up that cannot be read or parsed.

    Attributes:
        path: the file.
        reason: the underlying ``OSError``, ``UnicodeDecodeError`` or ``TOMLDecodeError``.
    """

    def __init__(self, path: Path, reason: Exception) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def find_table(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest pyproject.toml at or above ``start`` with a ``[tool.confman]`` table, and
    that table as written; None when there is none.

    Raises:
        UnreadablePyproject: a pyproject.toml on the way up cannot be read or parsed.
    """
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                document = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise UnreadablePyproject(candidate, exc) from exc
            table = document.get("tool", {}).get("confman")
            if table is not None:
                return candidate, dict(table)
    return None
