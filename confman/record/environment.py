"""What a run ran on: code version from git, interpreter and package versions, host and user.

Git is asked through the real ``git`` executable (no library re-implements its notion of dirty),
and every probe degrades to "unknown" rather than failing the run it records.
"""

from __future__ import annotations

import functools
import getpass
import importlib.metadata
import platform
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GitState", "git_state", "host_user", "packages", "python_version"]


@dataclass(frozen=True)
class GitState:
    """Commit, branch, dirty flag and ``git diff HEAD`` of a work tree (all None outside git)."""

    commit: str | None = None
    branch: str | None = None
    dirty: bool = False
    patch: str | None = None


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(cwd: str | Path) -> GitState:
    """The git state of the work tree containing ``cwd``; untracked files do not count as dirty."""
    cwd = Path(cwd)
    commit = _git(cwd, "rev-parse", "HEAD")
    if commit is None:
        return GitState()
    branch = (_git(cwd, "rev-parse", "--abbrev-ref", "HEAD") or "").strip() or None
    patch = _git(cwd, "diff", "HEAD", "--binary")
    return GitState(
        commit=commit.strip(),
        branch=None if branch == "HEAD" else branch,
        dirty=bool(patch),
        patch=patch or None,
    )


@functools.cache
def packages() -> dict[str, str]:
    """Installed distributions and their versions (cached: they do not change during a run)."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower()] = dist.version
    return dict(sorted(found.items()))


def python_version() -> str:
    """``3.11.9 (CPython)``."""
    return f"{platform.python_version()} ({platform.python_implementation()})"


def host_user() -> tuple[str, str]:
    """Host name and login name (``?`` when the OS does not say)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return socket.gethostname(), user
