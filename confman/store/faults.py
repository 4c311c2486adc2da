"""What a failing database driver means for the user: every driver error becomes a ``StoreError``.

SQLite and psycopg raise their own exception types with terse messages ("database disk image is
malformed", "attempt to write a readonly database"). ``fault`` turns one into a ``StoreError``
that names the store and says what to do; a damaged file becomes a ``StoreDamagedError`` so that
readers can fall back to serving the runs that are still readable.
"""

from __future__ import annotations

import re

from confman.store.interface import StoreDamagedError, StoreError

__all__ = ["fault", "is_readonly", "shown_url"]

# (words in the driver's message, hint); the first match wins.
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("full", "no space"),
        "free disk space; runs that could not be recorded are kept in the fallback journal "
        "(`confman runs import` adds them)",
    ),
    (
        ("readonly", "read-only", "read only"),
        "the store is read-only: reading works, recording needs write access to the file and "
        "its folder",
    ),
    (
        ("disk i/o error", "file too large"),
        "the disk refused a read or write (full, over a size limit, removed or failing); runs "
        "that could not be recorded are kept in the fallback journal (`confman runs import`)",
    ),
    (
        ("locked", "busy"),
        "another process holds the store's write lock; retry when it is done",
    ),
    (
        ("unable to open", "permission denied", "cannot open"),
        "check the path and its permissions",
    ),
    (
        ("connection", "server", "terminat", "timeout"),
        "check that the PostgreSQL server runs and is reachable",
    ),
)

_DAMAGED = ("malformed", "not a database", "corrupt")


def shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def is_readonly(exc: BaseException) -> bool:
    """Whether a driver error says the store cannot be written (not that it is broken)."""
    text = str(exc).lower()
    return any(w in text for w in ("readonly", "read-only", "unable to open"))


def fault(exc: BaseException, url: str, doing: str) -> StoreError:
    """The ``StoreError`` to raise for driver error ``exc`` met while ``doing`` on store ``url``.

    Args:
        exc: what the driver (sqlite3, psycopg) raised.
        url: the store, as shown to the user.
        doing: what failed, as a verb phrase before "run store URL" ("read", "write a run to").
    """
    url = shown_url(url)
    detail = " ".join(str(exc).split()) or type(exc).__name__
    text = detail.lower()
    if any(word in text for word in _DAMAGED):
        return StoreDamagedError(
            f"run store {url} is damaged (cannot {doing} it: {detail})",
            hint="`confman runs list` still shows the readable runs; keep a copy of the file, "
            "`sqlite3 runs.db .recover | sqlite3 recovered.db` rebuilds what can be read",
        )
    for words, hint in _HINTS:
        if any(word in text for word in words):
            return StoreError(f"cannot {doing} run store {url}: {detail}", hint=hint)
    return StoreError(
        f"cannot {doing} run store {url}: {detail}",
        hint="set CONFMAN_DEBUG=1 to see the driver's traceback",
    )
