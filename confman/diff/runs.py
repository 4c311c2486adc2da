"""A recorded run as a diff side: its stored config, group choices and per-leaf provenance.

Runs come from the run store (:mod:`confman.store`): ``@latest``, ``@latest~N`` or an id prefix.
Diffing never creates a store: when none exists yet, there are simply no runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from confman.compose import Choice
from confman.diff.model import Side
from confman.errors import DiffSideError
from confman.provenance import Write
from confman.settings import Settings

__all__ = ["from_run", "looks_like_run"]

_LATEST = re.compile(r"@latest(?:~\d+)?")
_FILE_LINE = re.compile(r"(?P<file>.+):(?P<line>\d+)")


def looks_like_run(spec: str) -> bool:
    """``@latest``/``@latest~N`` always name a run; an id prefix only when no config has it."""
    return _LATEST.fullmatch(spec) is not None


def from_run(spec: str, settings: Settings, *, resolve: bool = True) -> Side:
    """Load run ``spec`` from the project's store.

    Raises:
        DiffSideError: no store, no such run, or an ambiguous id prefix (listing candidates).
    """
    from confman.store import RunNotFoundError, open_store, store_url

    url = store_url(settings)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise DiffSideError(
            f"no run {spec!r}: no runs recorded yet ({url})",
            hint="record runs with @confman.main, or name a config, file or NAME@REV",
        )
    from confman.migrate.records import current

    with open_store(url, settings=settings) as store:
        try:
            record = store.get(spec)
        except RunNotFoundError as exc:
            raise DiffSideError(exc.message, hint=exc.hint) from exc
    record = current(record, settings)  # in today's names: a rename since is no change
    provenance: dict[str, tuple[Write, ...]] = {
        leaf: (_write(where),) for leaf, where in record.provenance.items()
    }
    choices = {
        group: Choice(
            group=group,
            option=option,
            package=group.split("@")[0].replace("/", "."),
            chosen_by=f"run {record.id}",
        )
        for group, option in record.choices.items()
    }
    return Side(
        label=f"run {record.id}",
        config=record.config if resolve else record.raw_config,
        provenance=provenance,
        choices=choices,
        overrides=tuple(record.overrides),
        kind="run",
    )


def _write(where: str) -> Write:
    """The stored ``file:line`` or ``override '...'`` text, back as a ``Write``."""
    if where.startswith("override '") and where.endswith("'"):
        return Write(value=None, kind="override", override=where[10:-1])
    match = _FILE_LINE.fullmatch(where)
    if match:
        return Write(value=None, file=match["file"], line=int(match["line"]))
    return Write(value=None, file=where)
