"""The fallback journal: run records that could not reach their store, kept until they can.

When a store cannot be written (disk full, read-only, damaged, server down), the recorder saves
the record here instead, so the run is never lost and the training never stops. One JSON file
per run, ``<run-id>.json``, in the project's ``.confman/journal/`` or, when that cannot be
written either, in the user's cache folder (``$XDG_CACHE_HOME/confman/journal``, by default
``~/.cache/confman/journal``). Records are redacted before they are written, like the store's.

``recover`` puts them into their store: the recorder calls it after its next successful write,
and ``confman runs import`` on demand.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.store.interface import RunNotFoundError, Store, StoreError
from confman.store.record import RunRecord
from confman.store.secrets import redact_record

__all__ = [
    "Entry",
    "ImportResult",
    "discard",
    "journal_dirs",
    "load",
    "pending",
    "recover",
    "same_store",
    "save",
]


def journal_dirs(root: Path) -> list[Path]:
    """Where journal entries go, first choice first: the project's, then the user's cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [root / ".confman" / "journal", Path(cache) / "confman" / "journal"]


def same_store(a: str, b: str) -> bool:
    """Whether two store URLs name one store (SQLite paths compared resolved)."""

    def canonical(url: str) -> str:
        if url.startswith(("postgresql://", "postgres://")):
            return url
        path = url.removeprefix("sqlite:///")
        return str(Path(path).resolve())

    return canonical(a) == canonical(b)


@dataclass
class Entry:
    """One journaled record and the store it was meant for."""

    path: Path
    store: str
    record: RunRecord
    secret_paths: list[str] = field(default_factory=list)


def save(record: RunRecord, store: str, root: Path, *, secret_paths: Sequence[str] = ()) -> Path:
    """Write ``record`` (redacted) to the first journal folder that takes it; returns the file.

    Raises:
        OSError: no journal folder could be written.
    """
    data = {
        "store": store,
        "secret_paths": list(secret_paths),
        "record": redact_record(record, secret_paths=secret_paths).to_json(),
    }
    text = json.dumps(data, default=str)
    errors: list[str] = []
    for folder in journal_dirs(root):
        path = folder / f"{record.id}.json"
        tmp = folder / f".{record.id}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)  # a killed writer leaves the old entry or the new one
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            errors.append(f"{folder}: {exc.strerror or exc}")
            continue
        return path
    raise OSError("; ".join(errors))


def discard(run_id: str, root: Path) -> None:
    """Remove ``run_id``'s journal entries (its record reached the store)."""
    for folder in journal_dirs(root):
        with suppress(OSError):
            (folder / f"{run_id}.json").unlink(missing_ok=True)


def load(path: Path) -> Entry:
    """Read one journal file.

    Raises:
        StoreError: the file is not a journal entry.
    """
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Entry(
            path,
            str(data["store"]),
            RunRecord.from_json(data["record"]),
            list(data.get("secret_paths", [])),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"{path}: not a readable journal entry ({exc})",
            hint="journal entries are the <run-id>.json files under .confman/journal/",
        ) from exc


def pending(root: Path, store: str | None = None) -> list[Path]:
    """Journal files waiting for ``store`` (any store when None), oldest run first."""
    found: dict[str, Path] = {}
    for folder in journal_dirs(root):
        try:
            files = sorted(folder.glob("*.json"))
        except OSError:
            continue
        for path in files:
            if path.name in found:
                continue
            if store is not None:
                try:
                    target = json.loads(path.read_text(encoding="utf-8")).get("store", "")
                except (OSError, ValueError, AttributeError):
                    continue
                if not same_store(str(target), store):
                    continue
            found[path.name] = path
    return [found[name] for name in sorted(found)]


@dataclass
class ImportResult:
    """What ``recover`` did: runs imported, journal files that could not be."""

    imported: list[str] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def recover(store: Store, paths: Sequence[Path]) -> ImportResult:
    """Put the journaled records at ``paths`` into ``store``, deleting each file once stored.

    A journaled ``running`` record never replaces a run the store already has: the store's is
    then newer (the run finished and was recorded after the journal entry was written).
    """
    result = ImportResult()
    for path in paths:
        try:
            entry = load(path)
            rec = entry.record
            if rec.status == "running":
                try:
                    store.get(rec.id)
                except RunNotFoundError:
                    store.put(rec, secret_paths=entry.secret_paths)
            else:
                store.put(rec, secret_paths=entry.secret_paths)
        except StoreError as exc:
            result.failed.append((path, str(exc)))
            continue
        path.unlink(missing_ok=True)
        result.imported.append(rec.id)
    return result
