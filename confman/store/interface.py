"""The run store's interface: what ``confman diff``, ``confman runs`` and the lint rely on.

Backends implement it on SQL (``confman.store.base.SQLStore``); callers get one from
``confman.store.open_store()`` and use only these methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from typing import Any, Self

from confman.errors import ConfmanError
from confman.store.record import RunRecord
from confman.store.where import Where

__all__ = ["RunNotFoundError", "Store", "StoreDamagedError", "StoreError"]


class StoreError(ConfmanError):
    """The run store cannot be opened or used."""


class StoreDamagedError(StoreError):
    """The store's file is damaged (SQLite reports a malformed database or a non-database)."""


class RunNotFoundError(StoreError):
    """A run reference matches no run, or more than one."""


class Store(ABC):
    """Where run records live. Open one with ``confman.store.open_store()``.

    The interface other tools build on (``confman diff``, ``confman runs``):
    ``put`` a record (insert or update), ``get`` one by reference, ``query`` many.
    """

    url: str

    @abstractmethod
    def put(self, record: RunRecord, *, secret_paths: Sequence[str] = ()) -> RunRecord:
        """Insert or replace ``record`` atomically; returns it as stored (secrets redacted)."""

    def put_many(
        self, records: Sequence[RunRecord], *, secret_paths: Sequence[str] = ()
    ) -> list[RunRecord]:
        """``put`` for many records; stores that can write them in one transaction do."""
        return [self.put(record, secret_paths=secret_paths) for record in records]

    @abstractmethod
    def get(self, ref: str) -> RunRecord:
        """One run by id, unique id prefix, ``@latest`` or ``@latest~N`` (N before latest)."""

    @abstractmethod
    def query(
        self,
        where: Sequence[str | Where] = (),
        *,
        config_name: str | None = None,
        status: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs matching every condition, newest first."""

    @abstractmethod
    def tree_roots(
        self,
        where: Sequence[str | Where] = (),
        *,
        refs: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, str]:
        """Run id -> hash of its config's top node, for ``refs`` or the runs matching ``where``.

        With ``tree_nodes`` this is how many runs are compared without decoding every config.
        """

    @abstractmethod
    def tree_nodes(self, hashes: Collection[str]) -> dict[str, dict[str, Any]]:
        """The stored nodes with these hashes: mappings in key order, children as ``NodeRef``."""

    @abstractmethod
    def tree_size(self, node: str) -> int:
        """The number of leaves under the stored node ``node``."""

    @abstractmethod
    def delete(self, refs: Sequence[str]) -> list[str]:
        """Delete runs; returns the ids deleted."""

    @abstractmethod
    def gc(self) -> dict[str, int]:
        """Remove configs, leaves and blobs no run refers to; returns counts removed."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
