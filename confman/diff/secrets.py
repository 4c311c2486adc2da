"""The diff's side of ``confman.secrets``: a secret change says "changed", never the values."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from confman import secrets
from confman.provenance import Write
from confman.secrets import is_secret_path, looks_secret, project_rules, redact

__all__ = ["is_secret", "redact_override", "redact_value", "redact_write"]


def is_secret(path: str, *values: Any) -> bool:
    """Whether a key on ``path`` names a secret, or one of ``values`` looks like a credential.

    The project's rules are found once per call (a walk up to pyproject.toml): ``runs compare``
    asks this of whole columns of values.
    """
    rules = project_rules()
    return is_secret_path(path, rules) or any(looks_secret(v, rules) for v in values)


def redact_override(override: str) -> str:
    """``db.password=x`` -> ``db.password=<redacted>`` (a diff label: no marker to compare)."""
    return secrets.MARKER.sub("<redacted>", secrets.redact_override(override))


def redact_value(value: Any) -> Any:
    """A value shown in a diff with the secrets inside it (nested keys, URLs) replaced."""
    return redact(value)


def redact_write(write: Write | None) -> Write | None:
    """A secret's write with its value and, for a CLI override, the typed value withheld."""
    if write is None:
        return None
    override = write.override
    if override is not None:
        key, eq, _ = override.partition("=")
        override = f"{key}=<redacted>" if eq else override
    return replace(write, value="<redacted>", override=override)
