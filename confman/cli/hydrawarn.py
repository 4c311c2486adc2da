"""Hydra's warnings as confman lines: one line per kind of warning, on stderr.

Hydra warns through Python's ``warnings`` module, and a Hydra 1.0-style tree gets one
multi-line ``UserWarning`` per file (``In 'model/vit': Usage of deprecated keyword in package
header '# @package _group_'. See https://...``), each printed with a ``site-packages`` path and
source line that mean nothing to the user. confman's own warning about such a tree
(:class:`confman.versionbase.VersionBaseWarning`) would print the same way. A command collects
them while it runs and prints each kind once, with the config files it is about and Hydra's
link.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

from confman.versionbase import VersionBaseWarning

__all__ = ["hydra_warnings", "summarize"]

_IN_FILE = re.compile(r"In '(?P<file>[^']+)': (?P<text>.*)")
_LINK = re.compile(r"https?://\S+")
_SEE = re.compile(r"\s*See https?://\S+( for more information\.?)?", re.IGNORECASE)
_SHOWN_FILES = 4


def _from_hydra(record: warnings.WarningMessage) -> bool:
    """Hydra's and OmegaConf's warnings, and confman's own about the tree (a 1.0-style tree
    under newer rules): each is about the user's configs, not about a line of Python."""
    if issubclass(record.category, VersionBaseWarning):
        return True
    path = record.filename.replace("\\", "/")
    return "/hydra/" in path or "/omegaconf/" in path


def summarize(records: Sequence[warnings.WarningMessage]) -> list[str]:
    """One ``confman: warning: ...`` line per distinct Hydra warning, files named once."""
    kinds: dict[tuple[str, str], list[str]] = {}
    for record in records:
        message = str(record.message).strip() or record.category.__name__
        link = _LINK.search(message)
        # Hydra's "See <link> for more information" may follow on the same line or the next.
        first = (_SEE.sub("", message).strip().splitlines() or [message])[0].strip()
        match = _IN_FILE.fullmatch(first)
        text, where = (match["text"], match["file"]) if match else (first, "")
        url = link.group(0).rstrip(".") if link else ""
        files = kinds.setdefault((text.rstrip(". "), url), [])
        if where and where not in files:
            files.append(where)
    out = []
    for (text, page), files in kinds.items():
        line = f"confman: warning: {text}"
        if files:
            shown = ", ".join(files[:_SHOWN_FILES])
            more = len(files) - _SHOWN_FILES
            line += f" (in {shown}{f' and {more} more' if more > 0 else ''})"
        if page:
            line += f"; see {page}"
        out.append(line)
    return out


@contextmanager
def hydra_warnings() -> Iterator[None]:
    """Collect Hydra's and OmegaConf's warnings while the block runs and print them as
    confman lines when it ends; other warnings are shown as Python would show them."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            yield
    finally:  # also when the command fails: the warnings may say why
        for line in summarize([r for r in caught if _from_hydra(r)]):
            typer.echo(line, err=True)
        for r in caught:
            if not _from_hydra(r):
                warnings.showwarning(r.message, r.category, r.filename, r.lineno, r.file, r.line)
