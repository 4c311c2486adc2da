"""A config tree as it was at a git revision, without touching the working tree or the index.

``git archive REV -- <config dir>`` streams the tree at that revision into a temporary
directory, where it is composed like any other tree. Real git does the work; nothing is checked
out, stashed or written to ``.git``.
"""

from __future__ import annotations

import io
import posixpath
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from confman.errors import ConfmanError, DiffSideError

if TYPE_CHECKING:
    from confman.compose import Composed
    from confman.settings import Settings

__all__ = ["compose_at", "config_dir_at"]


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise DiffSideError("git is not installed", hint="install git to diff revisions") from exc


@contextmanager
def config_dir_at(config_dir: Path, rev: str) -> Iterator[tuple[Path, str]]:
    """Yield ``(temporary config dir, short commit id)`` holding ``config_dir`` as of ``rev``.

    Raises:
        DiffSideError: not a git repository, unknown revision, or no config dir at ``rev``.
    """
    config_dir = config_dir.resolve()
    if not config_dir.is_dir():
        raise DiffSideError(f"config directory not found: {config_dir}")
    top = _git(config_dir, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise DiffSideError(
            f"{config_dir} is not in a git repository, so '@{rev}' cannot be read",
            hint="NAME@REV needs the config dir under git",
        )
    root = Path(top.stdout.decode().strip()).resolve()
    if rev.startswith("-"):
        raise DiffSideError(f"bad revision '{rev}'")
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--short", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        raise DiffSideError(
            f"bad revision '{rev}': git knows no commit by that name",
            hint="use a branch, tag or commit id (see `git log --oneline`)",
        )
    short = commit.stdout.decode().strip()
    rel = config_dir.relative_to(root).as_posix() if config_dir != root else "."
    archive = _git(root, "archive", "--format=tar", short, "--", rel)
    if archive.returncode != 0:
        raise DiffSideError(
            f"config directory '{rel}' does not exist at revision '{rev}' ({short})",
            hint="pick a revision where the config tree existed (see `git log -- " + rel + "`)",
        )
    with tempfile.TemporaryDirectory(prefix="confman-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            _refuse_links_out(tar, rel, rev)
            try:
                tar.extractall(tmp, filter="data")
            except tarfile.TarError as exc:  # what the "data" filter refuses, said in one line
                raise DiffSideError(
                    f"cannot read '{rel}' at revision '{rev}' ({short}): {exc}",
                    hint="the committed tree holds an entry confman does not extract",
                ) from exc
        yield Path(tmp) / rel, short


def compose_at(name: str, overrides: Sequence[str], settings: Settings, rev: str) -> Composed:
    """Config ``name`` composed from the project's config tree as it was at git revision
    ``rev``, with ``overrides``; only files are read (safe YAML), nothing is imported or run.

    Raises:
        DiffSideError: the revision or its tree cannot be read, or the config does not compose
            there (the message names the revision).
    """
    from confman.compose import compose

    if not rev:
        raise DiffSideError(f"'{name}@': empty revision after '@'", hint="write NAME@REV")
    with config_dir_at(settings.config_dir, rev) as (tree, short):
        try:
            return compose(
                name, overrides, config_dir=tree, cache=False, version_base=settings.version_base
            )
        except ConfmanError as exc:
            raise DiffSideError(
                f"at revision '{rev}' ({short}): {exc.message}", hint=exc.hint
            ) from exc


def _refuse_links_out(tar: tarfile.TarFile, rel: str, rev: str) -> None:
    """A committed symlink that leaves the config dir is refused, as in a working tree: the
    tree at a revision is read no further than the tree today."""
    top = posixpath.normpath(rel)
    for member in tar.getmembers():
        if not (member.issym() or member.islnk()):
            continue
        target = member.linkname
        if member.issym():
            target = posixpath.join(posixpath.dirname(member.name), target)
        resolved = posixpath.normpath(target)
        if posixpath.isabs(member.linkname) or not _within(resolved, top):
            raise DiffSideError(
                f"{member.name} at revision '{rev}' is a link to {member.linkname!r}, outside "
                f"the config dir '{rel}'",
                hint="confman reads no file outside the config tree; diff the files it links to "
                "directly",
            )


def _within(path: str, top: str) -> bool:
    """Whether the normalized archive path ``path`` lies in folder ``top`` (``.``: the root)."""
    if top == ".":
        return path != ".." and not path.startswith("../")
    return path == top or path.startswith(top + "/")
