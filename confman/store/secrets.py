"""Secrets never reach the store in clear: they become a marker plus a salted hash.

The hash is salted with a per-store salt, so two runs in one store with the same secret get the
same marker (a diff can tell "changed" from "unchanged") while the value itself cannot be looked
up in a table of common passwords.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["DEFAULT_SECRET_PATTERNS", "SECRET_PREFIX", "is_secret_key", "redact"]

DEFAULT_SECRET_PATTERNS = ("password", "passwd", "token", "secret", "api_key", "apikey")
SECRET_PREFIX = "<secret sha256:"


def is_secret_key(key: str, patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS) -> bool:
    """Whether a key's last segment names a secret (case-insensitive substring match)."""
    last = key.rsplit(".", 1)[-1].lower()
    return _matcher(tuple(patterns)).search(last) is not None


@functools.lru_cache(maxsize=32)
def _matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """All patterns as one compiled regex (a record has hundreds of keys to check)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)")


def marker(value: Any, salt: str) -> str:
    """The stored stand-in for a secret value."""
    digest = hashlib.sha256(f"{salt}\0{value}".encode()).hexdigest()[:16]
    return f"{SECRET_PREFIX}{digest}>"


def redact(
    data: Any,
    salt: str,
    *,
    patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS,
    secret_paths: Iterable[str] = (),
    _path: str = "",
) -> Any:
    """A copy of ``data`` with secret leaves replaced by markers.

    Args:
        data: plain nested dicts/lists.
        salt: the store's salt.
        patterns: regexes matched against each key's last segment.
        secret_paths: dotted paths known to be secret (e.g. pydantic ``SecretStr`` fields).
    """
    patterns = tuple(patterns)
    paths = frozenset(secret_paths)
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            path = f"{_path}.{key}" if _path else str(key)
            if (
                (path in paths or is_secret_key(str(key), patterns))
                and not isinstance(value, (dict, list))
                and value is not None
            ):
                out[key] = marker(value, salt)
            else:
                out[key] = redact(value, salt, patterns=patterns, secret_paths=paths, _path=path)
        return out
    if isinstance(data, list):
        return [redact(v, salt, patterns=patterns, secret_paths=paths, _path=_path) for v in data]
    if type(data).__name__ == "SecretStr":
        return marker(data.get_secret_value(), salt)
    return data
