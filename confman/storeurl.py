"""Where the run store is, and whether it exists yet, without importing the store.

``confman lint`` reads the run store only when one exists, and most projects it lints have
none: asking here spares every such lint the store's import (the SQL layer, its migrations).
``confman.store`` re-exports :func:`store_url`.
"""

from __future__ import annotations

import os
from pathlib import Path

from confman.settings import Settings, load_settings

__all__ = ["DEFAULT_PATH", "store_exists", "store_url"]

#: the store's path under the project root when nothing else is configured
DEFAULT_PATH = ".confman/runs.db"


def store_url(settings: Settings | None = None) -> str:
    """The configured store URL (``sqlite:///...`` or ``postgresql://...``)."""
    env = os.environ.get("CONFMAN_STORE")
    if env:
        return env
    settings = settings or load_settings()
    configured = settings.raw.get("store")
    if configured:
        configured = str(configured)
        if "://" not in configured:  # a plain path, relative to the pyproject.toml
            return f"sqlite:///{settings.root / configured}"
        return configured
    return f"sqlite:///{settings.root / DEFAULT_PATH}"


def store_exists(url: str) -> bool:
    """Whether a store is there to read: a SQLite file, or any server URL (a server store
    either exists or says why not when opened). Reading never creates one."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).is_file()
    return "://" in url
