"""Project settings: ``[tool.confman]`` in the user's pyproject.toml.

Found by walking up from the current directory, like ruff does, so that ``confman`` works from any
sub-folder of a project. Precedence is CLI flag > pyproject > built-in default; relative paths in
the file are relative to the pyproject.toml that declares them, not to the current directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from confman.caches import Bounded
from confman.errors import ProjectSettingsError, did_you_mean
from confman.migrate.model import Migration
from confman.pyproject import UnreadablePyproject, find_table
from confman.secrets.rules import SecretRules, SecretsTableError, rules_from_table

__all__ = [
    "ProjectTable",
    "Settings",
    "clear",
    "find_pyproject",
    "load_settings",
    "rules_from_settings",
    "settings_for",
]

DEFAULT_CONFIG_DIR = "conf"
#: Config dirs whose settings are remembered (one process rarely sees more).
MAX_CONFIG_DIRS = 64
_chosen: Bounded[Path, Settings] = Bounded("settings per config dir", MAX_CONFIG_DIRS)


class ProjectTable(BaseModel):
    """The ``[tool.confman]`` table, checked once: a misspelled key is an error, not ignored.

    A new setting is a new field here. Sub-tables whose owners check their own options
    (``lint``, ``schemas``, ``secrets``) are kept as tables; their readers use ``Settings.raw``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    config_dir: str = Field(DEFAULT_CONFIG_DIR, description='the Hydra config tree, e.g. "conf"')
    config_name: str | None = Field(None, description="default primary config")
    version_base: str | None = Field(None, description='Hydra version base, e.g. "1.3"')
    store: str | None = Field(None, description="run store: a SQLite path or PostgreSQL URL")
    schemas: dict[str, Any] = Field(default_factory=dict, description="schema bindings")
    lint: dict[str, Any] = Field(default_factory=dict, description="lint options")
    secrets: dict[str, Any] = Field(default_factory=dict, description="secret patterns")
    secret_patterns: list[str] = Field(default_factory=list, description="extra secret keys")
    allowed_paths: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("allowed_paths", "allowed-paths"),
        description="folders and pkg:// packages outside the project a config may name",
    )
    modules: list[str] = Field(
        default_factory=list,
        description='modules imported before composing (ConfigStore entries): "pkg.mod" or '
        '"pkg.mod:function" to also call a function',
    )
    search_paths: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("search_paths", "search-paths"),
        description="config search path entries added after the config dir: a folder "
        "(relative to pyproject.toml) or pkg://package",
    )
    resolvers: dict[str, str] = Field(
        default_factory=dict, description='OmegaConf resolvers: name = "module:function"'
    )
    migrations: list[Migration] = Field(
        default_factory=list, description="[[tool.confman.migrations]]: renames and removals"
    )


_EXAMPLES = {
    "config_dir": 'e.g. config_dir = "conf"',
    "version_base": 'a string like "1.3"',
    "allowed_paths": 'e.g. allowed_paths = ["../shared/conf", "pkg://mypkg.conf"]',
    "migrations": 'e.g. [[tool.confman.migrations]] version = "2.0" rename = {"a.x" = "a.y"}',
}


def _checked(raw: dict[str, Any], pyproject: Path | None) -> ProjectTable:
    """``raw`` as a :class:`ProjectTable`, or one error naming the file, the key and the fix."""
    try:
        return ProjectTable.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        top = str(error["loc"][0]) if error["loc"] else key
        if error["type"] == "extra_forbidden":
            known = [
                *ProjectTable.model_fields,
                *(n.replace("_", "-") for n in ProjectTable.model_fields),
            ]
            guess = did_you_mean(top, known)
            raise ProjectSettingsError(
                f"{pyproject}: [tool.confman] unknown key '{key}'",
                hint=f"{guess + ' ' if guess else ''}known keys: "
                + ", ".join(ProjectTable.model_fields),
            ) from None
        kind = {"string_type": "a string", "list_type": "a list", "dict_type": "a table"}.get(
            error["type"]
        )
        if top in ("allowed_paths", "allowed-paths", "modules", "search_paths", "search-paths"):
            kind = "a list of strings"
        elif top == "resolvers":
            kind = 'a table of name = "module:function"'
        what = f"must be {kind}" if kind else error["msg"].lower()
        raise ProjectSettingsError(
            f"{pyproject}: [tool.confman] {top.replace('-', '_')} {what}",
            hint=_EXAMPLES.get(top.replace("-", "_")),
        ) from None


@dataclass(frozen=True)
class Settings:
    """Resolved project settings.

    Attributes:
        root: folder holding the pyproject.toml (or the current directory when there is none).
        config_dir: absolute path of the Hydra config tree.
        version_base: Hydra version base used for composition (``None`` means Hydra's newest).
        raw: the whole ``[tool.confman]`` table as written (checked by :class:`ProjectTable`),
            for the readers of its sub-tables (schemas, store, lint, secrets).
        table: the same table, typed.
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
    table: ProjectTable = field(default_factory=lambda: ProjectTable.model_validate({}))


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` with a ``[tool.confman]`` table."""
    found = _find(start)
    return found[0] if found else None


def _find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest confman pyproject.toml and its ``[tool.confman]`` table, parsed once."""
    try:
        return find_table(start)
    except UnreadablePyproject as exc:
        raise ProjectSettingsError(
            f"{exc.path}: cannot read project settings: {exc.reason}",
            hint="fix the TOML syntax or remove the file",
        ) from exc


def rules_from_settings(raw: dict[str, Any]) -> SecretRules:
    """The secret rules of a ``[tool.confman]`` table (its ``secrets`` sub-table), checked.

    Raises:
        ProjectSettingsError: an unknown option, a non-list, or a regex that does not compile.
    """
    try:
        return rules_from_table(raw)
    except SecretsTableError as exc:
        raise ProjectSettingsError(exc.message, hint=exc.hint) from exc


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
    table = _checked(raw, pyproject)
    rules_from_settings(raw)  # [tool.confman.secrets]: an unknown option or a bad regex is an error
    version_base = table.version_base
    allowed = table.allowed_paths
    if config_dir is not None:
        chosen = Path(config_dir).expanduser()
        resolved = chosen if chosen.is_absolute() else Path.cwd() / chosen
    else:
        resolved = root / table.config_dir
    settings = Settings(
        root=root,
        config_dir=resolved.resolve(),
        version_base=version_base,
        raw=raw,
        source=pyproject,
        table=table,
        allowed_paths=tuple(
            p if p.startswith("pkg://") else str((root / Path(p).expanduser()).resolve())
            for p in allowed
        ),
    )
    _chosen.put(settings.config_dir, settings)
    return settings


def settings_for(config_dir: Path) -> Settings:
    """The settings that govern a config dir (an absolute, resolved path).

    Those of the last :func:`load_settings` that chose it, so that a compose given only the
    config dir gets the settings that named it (``--config-dir`` given to a command run in a
    project); else those of the project at or above it, with it as the config dir (a project
    with none: no pyproject settings, the config dir as the root).
    """
    found = _chosen.get(config_dir)
    if found is not None:
        return found
    pyproject = find_pyproject(config_dir)
    if pyproject is not None:
        load_settings(pyproject.parent)  # the project's own config dir is chosen by it
        found = _chosen.get(config_dir)
    return found or load_settings(config_dir, config_dir=config_dir)


def clear() -> None:
    """Forget which settings chose each config dir."""
    _chosen.clear()
