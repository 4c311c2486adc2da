"""The one exception family every confman failure is reported through.

Why one base class: the CLI turns any ``ConfmanError`` into a single readable line on stderr and
exit code 2, and library callers can catch one type. Subclasses exist per concern so callers can
tell a bad override from a broken YAML file without parsing messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from confman.secrets.redact import redact_error

__all__ = [
    "CompositionError",
    "ConfigDirError",
    "ConfinementError",
    "ConfmanError",
    "DiffSideError",
    "MissingConfigError",
    "OverrideError",
    "ProjectSettingsError",
    "SchemaError",
    "ValidationFailed",
    "YamlSourceError",
    "did_you_mean",
]


class ConfmanError(Exception):
    """Base of every error confman reports to a user.

    Args:
        message: what went wrong, naming the key path and file:line where known.
        hint: what to do about it (shown after the message).
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        # A message quotes overrides, values and URLs: secrets in them never reach a user.
        message, hint = redact_error(message), redact_error(hint)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ProjectSettingsError(ConfmanError):
    """``[tool.confman]`` in pyproject.toml is malformed."""


class ConfigDirError(ConfmanError):
    """The config directory is missing or is not a directory."""


class YamlSourceError(ConfmanError):
    """A config file cannot be read safely: syntax, duplicate keys, encoding, hostile content."""


class MissingConfigError(ConfmanError):
    """A config name or group option does not exist in the config tree."""


class OverrideError(ConfmanError):
    """A command-line override is malformed or names a key that does not exist."""


class CompositionError(ConfmanError):
    """Hydra could not compose the config (defaults list, merge or interpolation problems)."""


class ConfinementError(ConfmanError):
    """A config names something outside the project to read or import (a search path, a link,
    a package) that ``[tool.confman] allowed_paths`` does not list; or an export would write
    through a link."""


class DiffSideError(ConfmanError):
    """A side of a diff cannot be loaded: missing or non-mapping file, bad git revision,
    config missing at that revision, unknown or ambiguous run."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return ``"did you mean 'x'?"`` for the closest candidate, or None when nothing is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


class SchemaError(ConfmanError):
    """A schema binding is unusable: module does not import, not a pydantic model, unknown
    group, or a field no YAML value can satisfy."""


class ValidationFailed(ConfmanError):
    """A config does not match its schema; ``issues`` holds every problem, sorted by file:line."""

    def __init__(self, message: str, issues: list[object], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.issues = issues
