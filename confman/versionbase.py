"""Which Hydra rules a compose follows (``version_base``), and a hint when a tree wants older ones.

``@hydra.main`` takes its version base from its argument: absent means 1.1 (with a warning),
``None`` means the installed Hydra's own (1.3), a string means that version. confman does the
same for ``@confman.main``, then falls back to ``[tool.confman] version_base``, then 1.3.

A Hydra 1.0-style tree (``# @package _group_`` headers) composed under 1.2+ rules does not fail:
the header is read as a literal package and the options land under a ``_group_`` key. That is
never what the author meant, so a compose that produces such a key warns, once per config dir.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any

from packaging.version import Version

if TYPE_CHECKING:
    from confman.compose.model import Composed

__all__ = ["UNSET", "VersionBaseWarning", "effective", "hint_version_base"]

#: ``version_base`` not passed to ``@confman.main`` (not the same as ``None``).
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()
_LEGACY_KEYS = ("_group_", "_name_")
_warned: set[tuple[str, str]] = set()
_lock = threading.Lock()


class VersionBaseWarning(UserWarning):
    """The tree was written for older Hydra rules than the ones it was composed under."""


def effective(argument: Any, project: str | None) -> str | None:
    """The version base ``@confman.main`` hands Hydra: its argument if given (``None`` included,
    meaning Hydra's own), else ``[tool.confman] version_base``, else 1.3."""
    if argument is not UNSET:
        return None if argument is None else str(argument)
    return project or "1.3"


def hint_version_base(composed: Composed, base: str) -> None:
    """Warn (once per config dir) when ``composed`` holds the literal ``_group_`` key that a
    ``@package _group_`` header leaves under version base 1.2 or newer."""
    if Version(base) < Version("1.2"):
        return
    keys = [k for k in _LEGACY_KEYS if k in composed.config]
    if not keys:
        return
    with _lock:
        key = (str(composed.config_dir), base)
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(
        f"'@package {keys[0]}' headers (Hydra 1.0 style) composed under version_base {base} "
        f"put options under a literal '{keys[0]}' key: set version_base = \"1.1\" in "
        '[tool.confman] (or pass version_base="1.1")',
        VersionBaseWarning,
        stacklevel=3,
    )
