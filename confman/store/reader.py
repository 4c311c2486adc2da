"""Reading runs back from the version 3 layout: rows and node trees to ``RunRecord`` values.

A run's config, raw config and ``meta`` are node trees. Reading many runs fetches the nodes
they need level by level (one ``IN`` query per level and 500 ids), splices each tree's text
together once per distinct subtree (``confman.store.tree.assemble``), and decodes every record
of the batch in one JSON document: the parser's per-call overhead, paid per record and per
part, would otherwise be a large share of a 1,000-run query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from typing import Any

from confman.store.body import COLUMNS, from_parts
from confman.store.layout import chunks
from confman.store.record import RunRecord
from confman.store.tree import assemble, child_ids

__all__ = ["SELECT", "fetch_texts", "records_from_rows"]

Read = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

#: The columns ``records_from_rows`` reads, on the run alias ``r``.
SELECT = (
    "SELECT r.id, r.config_name, r.status, r.started, r.ended, r.sweep_id, r.job_num, "
    "r.config, r.raw, r.meta, r.fingerprint, r.body, pb.data FROM runs r "
    "LEFT JOIN blobs pb ON pb.id = r.patch "
)


def fetch_texts(read: Read, roots: Collection[int]) -> dict[int, str]:
    """The stored text of every node under ``roots`` (missing ones are left out)."""
    texts: dict[int, str] = {}
    todo = set(roots)
    while todo:
        found: dict[int, str] = {}
        for part in chunks(sorted(todo)):
            marks = ", ".join("?" * len(part))
            found.update(
                (int(i), str(t))
                for i, t in read(f"SELECT id, data FROM nodes WHERE id IN ({marks})", part)
            )
        texts.update(found)
        todo = {kid for text in found.values() for kid in child_ids(text)} - texts.keys()
    return texts


class MissingNodeError(ValueError):
    """A run's tree names a node the store does not have (a damaged or inconsistent store)."""


def records_from_rows(
    read: Read, rows: Sequence[tuple[Any, ...]], *, partial: bool = False
) -> list[RunRecord]:
    """Records for rows selected with ``SELECT``; ``partial`` reads the config and body only.

    Raises:
        MissingNodeError: a node of some run's trees is not in the store.
        ValueError: a stored text is not valid JSON.
    """
    if not rows:
        return []
    n = len(COLUMNS)
    roots = {int(r[i]) for r in rows for i in ((n,) if partial else (n, n + 1, n + 2)) if r[i]}
    texts = fetch_texts(read, roots)
    done: dict[int, str] = {}

    def text(node: Any) -> str:
        if node is None:
            return "{}"
        try:
            return assemble(int(node), texts, done)
        except KeyError as exc:
            raise MissingNodeError(f"malformed record: node {exc} is missing") from None

    parts = []
    for row in rows:
        config = text(row[n])
        raw, meta = ("{}", "{}") if partial else (text(row[n + 1]), text(row[n + 2]))
        parts.append(f"[{row[n + 4]},{config},{raw},{meta}]")
    decoded = json.loads("[" + ",".join(parts) + "]")
    out = []
    for row, (body, config, raw, meta) in zip(rows, decoded, strict=True):
        columns = dict(zip(COLUMNS, row[:n], strict=True))
        fingerprint = bytes(row[n + 3]).hex()
        patch = None if partial else row[n + 5]
        out.append(from_parts(columns, body, meta, config, raw, patch, fingerprint))
    return out
