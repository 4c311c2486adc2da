"""Reading runs back from the version 3 layout: rows and node trees to ``RunRecord`` values.

A run's config, raw config and ``meta`` are node trees. Reading many runs fetches the nodes
they need level by level (one ``IN`` query per level and 500 ids),
decodes each distinct node once (one JSON document for all of them), and gives every record its
own copy of the containers: a sweep's thousand runs share nearly every node, and decoding each
run's whole config and provenance again was most of a 1,000-run query.
"""

from __future__ import annotations

import copy
import gc
import json
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from confman.store.body import COLUMNS, from_parts
from confman.store.layout import chunks
from confman.store.record import RunRecord
from confman.store.tree import TOKEN, child_ids, decode_texts

__all__ = ["SELECT", "fetch_texts", "records_from_rows"]

Read = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

#: The columns ``records_from_rows`` reads, on the run alias ``r``.
SELECT = (
    "SELECT r.id, r.config_name, r.status, r.started, r.ended, r.sweep_id, r.job_num, "
    "r.config, r.raw, r.meta, r.fingerprint, r.body, pb.data FROM runs r "
    "LEFT JOIN blobs pb ON pb.id = r.patch "
)


def fetch_texts(read: Read, roots: Collection[int], *, arrays: bool = False) -> dict[int, str]:
    """The stored text of every node under ``roots`` (missing ones are left out).

    ``arrays`` (PostgreSQL): each level's ids as one array parameter, so every level is the
    same statement (planned cheaply, and prepared once it repeats) instead of an ``IN`` list
    of as many parameters as ids, a new statement text to parse and plan for each length.
    """
    texts: dict[int, str] = {}
    todo = set(roots)
    while todo:
        found: dict[int, str] = {}
        if arrays:
            ids: list[Any] = [sorted(todo)]
            found.update(read("SELECT id, data FROM nodes WHERE id = ANY(?::integer[])", ids))
        else:
            for part in chunks(sorted(todo)):
                marks = ", ".join("?" * len(part))
                found.update(read(f"SELECT id, data FROM nodes WHERE id IN ({marks})", part))
        texts.update(found)
        todo = {kid for text in found.values() for kid in child_ids(text)} - texts.keys()
    return texts


class MissingNodeError(ValueError):
    """A run's tree names a node the store does not have (a damaged or inconsistent store)."""


_SCALARS = (str, int, float, bool, type(None))


class _Trees:
    """Nodes decoded once per batch, built into fresh containers for each record.

    A sweep's runs share most nodes: each distinct node's JSON is decoded once, and each record
    gets its own dicts and lists (copied from the decoded node, a C-level copy), so no record
    shares a mutable object with another.
    """

    def __init__(self, texts: dict[int, str]) -> None:
        self.nodes: dict[
            int, tuple[dict[str, Any], list[tuple[str, int]], list[tuple[str, bool]]]
        ] = {}
        ids = list(texts)
        for node, entries in zip(ids, decode_texts(texts[i] for i in ids), strict=True):
            kids: list[tuple[str, int]] = []
            mutable: list[tuple[str, bool]] = []
            text = texts[node]
            if TOKEN not in text and "[" not in text and "{" not in text[1:]:  # scalars only
                self.nodes[node] = (entries, kids, mutable)
                continue
            for name, value in entries.items():
                kind = type(value)
                if kind is dict and len(value) == 1 and TOKEN in value:  # a child's token
                    kids.append((name, value[TOKEN]))
                elif kind is list or kind is dict:
                    mutable.append((name, _flat(value)))
            self.nodes[node] = (entries, kids, mutable)
        self.flat: dict[tuple[int, str], dict[str, Any]] = {}

    def build(self, node: int | None, *, meta: bool = False) -> dict[str, Any]:
        """A fresh copy of the tree at ``node``; for a ``meta`` tree, its nested provenance is
        flattened through the batch's cache (never built as nested dicts first)."""
        if node is None:
            return {}
        try:
            entries, kids, mutable = self.nodes[node]
        except KeyError:
            raise MissingNodeError(f"malformed record: node {node} is missing") from None
        out = entries.copy()
        for name, flat in mutable:
            out[name] = out[name].copy() if flat else copy.deepcopy(out[name])
        for name, kid in kids:
            nested = (
                dict(self.nodes[kid][1]).get("nested") if meta and name == "provenance" else None
            )
            out[name] = (
                self.build(kid) if nested is None else {"flat": dict(self.provenance(nested))}
            )
        return out

    def provenance(self, node: int, prefix: str = "") -> dict[str, Any]:
        """``unnest`` of a stored provenance tree, each distinct subtree flattened once."""
        found = self.flat.get((node, prefix))
        if found is None:
            entries, kids, _ = self.nodes[node]
            found = {prefix + k: v for k, v in entries.items() if type(v) is not dict}
            for name, kid in kids:
                found.update(self.provenance(kid, prefix + name))
            self.flat[(node, prefix)] = found
        return found


def _flat(value: Any) -> bool:
    """Whether a container holds scalars only (a shallow copy is then a whole copy)."""
    items = value.values() if isinstance(value, dict) else value
    return all(isinstance(v, _SCALARS) for v in items)


def records_from_rows(
    read: Read,
    rows: Sequence[tuple[Any, ...]],
    *,
    partial: bool = False,
    texts: dict[int, str] | None = None,
    arrays: bool = False,
) -> list[RunRecord]:
    """Records for rows selected with ``SELECT``; ``partial`` reads the config and body only.

    ``texts``: the nodes of the rows' trees when the caller fetched them with the rows (id ->
    stored text); otherwise they are read through ``read`` (``arrays``: as ``fetch_texts``).

    Raises:
        MissingNodeError: a node of some run's trees is not in the store.
        ValueError: a stored text is not valid JSON.
    """
    if not rows:
        return []
    with _collector_paused():
        return _build(read, rows, partial, texts, arrays)


def _build(
    read: Read,
    rows: Sequence[tuple[Any, ...]],
    partial: bool,
    texts: dict[int, str] | None,
    arrays: bool,
) -> list[RunRecord]:
    n = len(COLUMNS)
    if texts is None:
        roots = {int(r[i]) for r in rows for i in ((n,) if partial else (n, n + 1, n + 2)) if r[i]}
        texts = fetch_texts(read, roots, arrays=arrays)
    trees = _Trees(texts)
    bodies = json.loads("[" + ",".join(row[n + 4] for row in rows) + "]")
    out = []
    for row, body in zip(rows, bodies, strict=True):
        config = trees.build(row[n])
        raw, meta = (
            ({}, {}) if partial else (trees.build(row[n + 1]), trees.build(row[n + 2], meta=True))
        )
        columns = dict(zip(COLUMNS, row[:n], strict=True))
        fingerprint = bytes(row[n + 3]).hex()
        patch = None if partial else row[n + 5]
        out.append(from_parts(columns, body, meta, config, raw, patch, fingerprint))
    return out


class _Collector:
    """Who has paused the cyclic garbage collector (``_collector_paused``), across threads."""

    lock = threading.Lock()
    holders = 0
    resume = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch of records is built.

    A thousand records are tens of thousands of new containers, none of them in a cycle, and
    each few hundred allocations would start a collection walking every object alive.
    Reference counting still frees what is dropped meanwhile. The collector resumes, if it
    was running, when the last batch being built (in any thread) is done.
    """
    with _Collector.lock:
        if _Collector.holders == 0:
            _Collector.resume = gc.isenabled()
            gc.disable()
        _Collector.holders += 1
    try:
        yield
    finally:
        with _Collector.lock:
            _Collector.holders -= 1
            if _Collector.holders == 0 and _Collector.resume:
                gc.enable()
