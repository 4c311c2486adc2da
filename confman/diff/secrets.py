"""Which keys hold secrets, so a diff says "changed" instead of printing them."""

from __future__ import annotations

import re
from dataclasses import replace

from confman.provenance import Write

__all__ = ["SECRET_KEY", "is_secret", "redact_override", "redact_write"]

# Matches any segment of a dotted path: db.password, wandb.api_key, hf_token, client_secret...
SECRET_KEY = re.compile(r"(password|passwd|token|secret|api[_-]?key|private[_-]?key)", re.I)


def is_secret(path: str) -> bool:
    """Whether any key on ``path`` names a secret (password, token, secret, api_key)."""
    return SECRET_KEY.search(path) is not None


def redact_override(override: str) -> str:
    """``db.password=x`` -> ``db.password=<redacted>``; other overrides unchanged."""
    key, eq, _ = override.partition("=")
    return f"{key}=<redacted>" if eq and is_secret(key) else override


def redact_write(write: Write | None) -> Write | None:
    """A secret's write with its value and, for a CLI override, the typed value withheld."""
    if write is None:
        return None
    override = write.override
    if override is not None:
        key, eq, _ = override.partition("=")
        override = f"{key}=<redacted>" if eq else override
    return replace(write, value="<redacted>", override=override)
