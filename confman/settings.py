"""Project settings: ``[tool.confman]`` in the user's pyproject.toml.

Found by walking up from the current directory, like ruff does, so that ``confman`` works from any
sub-folder of a project. Precedence is CLI flag > pyproject > built-in default; relative paths in
the file are relative to the pyproject.toml that declares them, not to the current directory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.errors import ProjectSettingsError

__all__ = ["Settings", "find_pyproject", "load_settings"]

DEFAULT_CONFIG_DIR = "conf"


@dataclass(frozen=True)
class Settings:
    """Resolved project settings.

    Attributes:
        root: folder holding the pyproject.toml (or the current directory when there is none).
        config_dir: absolute path of the Hydra config tree.
        version_base: Hydra version base used for composition (``None`` means Hydra's newest).
        raw: the whole ``[tool.confman]`` table, for later sections (schemas, store, lint).
        source: the pyproject.toml the settings came from, if any.
        allowed_paths: ``[tool.confman] allowed_paths``: folders outside the project (absolute)
            and ``pkg://`` packages a config may make confman read or import (see
            ``confman.confine``).
    """

    root: Path
    config_dir: Path
    version_base: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    allowed_paths: tuple[str, ...] = ()


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` with a ``[tool.confman]`` table."""
    found = _find(start)
    return found[0] if found else None


def _find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest confman pyproject.toml and its ``[tool.confman]`` table, parsed once."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _read_toml(candidate).get("tool", {}).get("confman")
            if table is not None:
                return candidate, dict(table)
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectSettingsError(
            f"{path}: cannot read project settings: {exc}",
            hint="fix the TOML syntax or remove the file",
        ) from exc


def load_settings(cwd: Path | None = None, *, config_dir: str | Path | None = None) -> Settings:
    """Resolve settings for a project.

    Args:
        cwd: where to start looking for pyproject.toml (default: the current directory).
        config_dir: a config dir given on the command line; beats pyproject and the default.
    """
    start = (cwd or Path.cwd()).resolve()
    found = _find(start)
    pyproject, raw = found if found else (None, {})
    root = pyproject.parent if pyproject else start
    if not isinstance(raw.get("config_dir", DEFAULT_CONFIG_DIR), str):
        raise ProjectSettingsError(
            f"{pyproject}: [tool.confman] config_dir must be a string",
            hint='e.g. config_dir = "conf"',
        )
    version_base = raw.get("version_base")
    if version_base is not None and not isinstance(version_base, str):
        raise ProjectSettingsError(
            f'{pyproject}: [tool.confman] version_base must be a string like "1.3"',
        )
    allowed = raw.get("allowed_paths", [])
    if not isinstance(allowed, list) or not all(isinstance(p, str) for p in allowed):
        raise ProjectSettingsError(
            f"{pyproject}: [tool.confman] allowed_paths must be a list of strings",
            hint='e.g. allowed_paths = ["../shared/conf", "pkg://mypkg.conf"]',
        )
    if config_dir is not None:
        chosen = Path(config_dir).expanduser()
        resolved = chosen if chosen.is_absolute() else Path.cwd() / chosen
    else:
        resolved = root / raw.get("config_dir", DEFAULT_CONFIG_DIR)
    return Settings(
        root=root,
        config_dir=resolved.resolve(),
        version_base=version_base,
        raw=raw,
        source=pyproject,
        allowed_paths=tuple(
            p if p.startswith("pkg://") else str((root / Path(p).expanduser()).resolve())
            for p in allowed
        ),
    )
