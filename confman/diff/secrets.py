"""Which keys hold secrets, so a diff says "changed" instead of printing them."""

from __future__ import annotations

import re

__all__ = ["SECRET_KEY", "is_secret"]

# Matches any segment of a dotted path: db.password, wandb.api_key, hf_token, client_secret...
SECRET_KEY = re.compile(r"(password|passwd|token|secret|api[_-]?key|private[_-]?key)", re.I)


def is_secret(path: str) -> bool:
    """Whether any key on ``path`` names a secret (password, token, secret, api_key)."""
    return SECRET_KEY.search(path) is not None
