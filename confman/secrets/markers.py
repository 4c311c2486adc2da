"""Markers: the keyed hash that stands in for a secret, and the key, which never lives in a store.

A marker is ``<secret:`` + the first 16 hex digits of HMAC-SHA256(key, value) + ``>``. The key is
``CONFMAN_SECRET_KEY`` when set, else a random key kept in ``~/.config/confman/secret.key``
(``$XDG_CONFIG_HOME`` respected), created 0600 on first use. Equal values give equal markers under
one key, so a diff tells "changed" from "unchanged"; a store file alone gives nothing to guess from.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets as _random
from pathlib import Path
from typing import Any

from pydantic import SecretBytes, SecretStr

__all__ = [
    "MARKER",
    "MARKER_PREFIX",
    "clear_key",
    "error_key",
    "existing_key",
    "is_marker",
    "key_file",
    "marker",
    "secret_key",
]

MARKER_PREFIX = "<secret:"
#: a marker inside a longer text
MARKER = re.compile(re.escape(MARKER_PREFIX) + r"[0-9a-f]{16}>")
_LEGACY_PREFIXES = ("<secret sha256:", "<redacted>")
#: for error messages when no key exists yet (an error never creates the key file)
_PROCESS_KEY = _random.token_bytes(32)


@functools.lru_cache(maxsize=1)
def _key_cached(env: str | None, path: str) -> bytes:
    if env:
        return env.encode("utf-8")
    file = Path(path)
    try:
        return file.read_bytes().strip()
    except FileNotFoundError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = _random.token_hex(32).encode("ascii")
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return file.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def key_file() -> Path:
    """Where the secret key is kept when ``CONFMAN_SECRET_KEY`` is not set."""
    return _key_file_at(os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=4)
def _key_file_at(xdg: str | None, home: str | None) -> Path:
    base = xdg or str(Path.home() / ".config")
    return Path(base) / "confman" / "secret.key"


#: key files seen to exist (a key file is never removed while confman runs, so one ``stat``)
_EXISTING: set[Path] = set()


def secret_key() -> bytes:
    """The marker key: ``CONFMAN_SECRET_KEY``, else the user's key file (created on first use)."""
    return _key_cached(os.environ.get("CONFMAN_SECRET_KEY"), str(key_file()))


def clear_key() -> None:
    """Forget the cached key (after changing ``CONFMAN_SECRET_KEY`` or the key file)."""
    _key_cached.cache_clear()
    _EXISTING.clear()


def existing_key() -> bytes | None:
    """The user's key when one exists (``CONFMAN_SECRET_KEY`` or the key file), never creating
    the file; None otherwise."""
    file = key_file()
    if file not in _EXISTING and file.is_file():
        _EXISTING.add(file)
    if os.environ.get("CONFMAN_SECRET_KEY") or file in _EXISTING:
        with contextlib.suppress(OSError):
            return secret_key()
    return None


def error_key() -> bytes:
    """The key for an error message: the user's key when one exists, else a per-process one."""
    return existing_key() or _PROCESS_KEY


def marker(value: Any, key: bytes | None = None) -> str:
    """The stand-in for a secret: ``<secret:`` + 16 hex digits of HMAC-SHA256 + ``>``."""
    if isinstance(value, SecretStr | SecretBytes):
        value = value.get_secret_value()
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        data = json.dumps(value, sort_keys=True, default=str).encode("utf-8")
    digest = hmac.new(key or secret_key(), data, hashlib.sha256).hexdigest()[:16]
    return f"{MARKER_PREFIX}{digest}>"


def is_marker(value: Any) -> bool:
    """Whether ``value`` is a marker (this one or an older confman's)."""
    return isinstance(value, str) and value.startswith((MARKER_PREFIX, *_LEGACY_PREFIXES))
