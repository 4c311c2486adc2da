"""The project's files under a folder, in sorted path order, without entering skipped folders.

Lint reads the project's Python and documentation from the project root by default, and
``confman migrate`` the sources under the folders it is given. A project's root often holds a
virtualenv (``.venv``: tens of thousands of files), ``.git`` or ``node_modules``:
``sorted(folder.rglob(...))`` lists all of them before any can be left out (and a migrate of
``.`` would rewrite a virtualenv's files). :func:`sorted_walk` never enters them, and gives
the same paths in the same order otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

__all__ = ["SKIPPED_FOLDERS", "sorted_walk"]

#: folders holding no project source: tools', environments' and builds' own files
SKIPPED_FOLDERS = frozenset(
    {".git", ".venv", "venv", "node_modules", "build", "dist", "__pycache__", ".tox"}
)


def sorted_walk(
    folder: Path, wanted: Callable[[str], bool], skip: Collection[str] = SKIPPED_FOLDERS
) -> Iterator[Path]:
    """The paths below ``folder`` whose name ``wanted`` accepts, in the order
    ``sorted(folder.rglob("*"))`` gives them (depth first, each folder's entries by name),
    not following linked folders (as ``rglob``) and not entering a folder named in ``skip``
    (nor yielding anything so named)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name in skip:
            continue
        if wanted(entry.name):
            yield folder / entry.name
        try:
            descend = entry.is_dir() and not entry.is_symlink()
        except OSError:
            descend = False
        if descend:
            yield from sorted_walk(folder / entry.name, wanted, skip)
