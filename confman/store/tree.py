"""Configs as Merkle trees: every mapping stored once under the hash of its content.

Comparing thousands of recorded runs (``confman runs compare``) is mostly comparing subtrees
that are identical in every run: a sweep varies a handful of keys in a config of hundreds.
Decoding every run's whole config to find those few keys costs about 0.1 ms per kilobyte of
JSON, over a second for 10,000 runs, before any comparison starts. Storing each non-empty
mapping as a node whose children are referenced by hash lets a reader compare hashes instead:
equal hash, equal subtree (same keys, values and JSON types), so only the nodes on the paths to
the keys that vary are ever fetched and decoded.

A node's text is the canonical JSON of its mapping with each non-empty child mapping replaced
by ``{"@": <child hash>, "n": <leaves under it>}``. Leaves never hold a non-empty mapping
(those are nodes), so the reference form is unambiguous. A node's hash is the sha256 of its
text. The leaf count in a reference lets a reader count an unchanged subtree without reading it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confman.store.record import canonical_json

__all__ = ["Node", "NodeRef", "StoredNode", "decode_nodes", "split_tree"]

_REF = "@"
_SIZE = "n"


class NodeRef(str):
    """The hash of a stored node, standing where its mapping is in a decoded parent."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Node:
    """One mapping of a config, ready to store.

    Attributes:
        hash: sha256 hex of ``text``.
        text: canonical JSON of the mapping, child mappings as ``{"@": hash}``.
        kids: hashes of the child nodes, space-separated (what ``gc`` follows).
        leaves: number of leaves in the whole subtree (what a reader counts without fetching).
    """

    hash: str
    text: str
    kids: str
    leaves: int


@dataclass(frozen=True, slots=True)
class StoredNode:
    """A node as read back.

    Attributes:
        entries: its mapping, child mappings as ``NodeRef``.
        leaves: leaves in its whole subtree.
        sizes: leaves under each child, by child hash.
    """

    entries: dict[str, Any]
    leaves: int
    sizes: dict[str, int]


def split_tree(config: Mapping[str, Any]) -> tuple[str, list[Node]]:
    """The root hash of ``config`` and every node of it, children before parents."""
    nodes: list[Node] = []
    root = _split(config, nodes)
    return root.hash, nodes


def _split(mapping: Mapping[str, Any], out: list[Node]) -> Node:
    entries: dict[str, Any] = {}
    kids: list[str] = []
    leaves = 0
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            child = _split(value, out)
            entries[str(key)] = {_REF: child.hash, _SIZE: child.leaves}
            kids.append(child.hash)
            leaves += child.leaves
        else:
            entries[str(key)] = value
            leaves += 1
    text = canonical_json(entries)
    node = Node(hashlib.sha256(text.encode("utf-8")).hexdigest(), text, " ".join(kids), leaves)
    out.append(node)
    return node


def decode_nodes(rows: Iterable[tuple[str, str, int]]) -> dict[str, StoredNode]:
    """Read ``(hash, text, leaves)`` rows back; child references become ``NodeRef``.

    The texts are decoded as one JSON array: one parser call for a thousand small nodes
    instead of a thousand calls, which is most of the cost at this size.
    """
    rows = list(rows)
    if not rows:
        return {}
    decoded = json.loads("[" + ",".join(text for _, text, _ in rows) + "]")
    out: dict[str, StoredNode] = {}
    for (key, _, leaves), entries in zip(rows, decoded, strict=True):
        sizes: dict[str, int] = {}
        for name, value in entries.items():
            if type(value) is dict and value:
                entries[name] = ref = NodeRef(value[_REF])
                sizes[ref] = value[_SIZE]
        out[key] = StoredNode(entries, leaves, sizes)
    return out
