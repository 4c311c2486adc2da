"""Configs as Merkle trees: every mapping stored once under the hash of its content.

Comparing thousands of recorded runs (``confman runs compare``) is mostly comparing subtrees
that are identical in every run: a sweep varies a handful of keys in a config of hundreds.
Decoding every run's whole config to find those few keys costs about 0.1 ms per kilobyte of
JSON, over a second for 10,000 runs, before any comparison starts. Storing each non-empty
mapping as a node whose children are referenced by hash lets a reader compare hashes instead:
equal hash, equal subtree (same keys, values and JSON types), so only the nodes on the paths to
the keys that vary are ever fetched and decoded.

A node's text is the canonical JSON of ``[leaves, kids]``: its plain entries (scalars, lists,
empty mappings), and the hash of each non-empty child mapping. The hash is the first 128 bits
of the text's sha256, in hex (short, because a reader of 10,000 runs decodes tens of thousands
of them; 128 bits keep collisions out of reach). Each node row also keeps the number of leaves
under it, so an unchanged subtree is counted without being decoded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confman.store.record import canonical_json

__all__ = ["Node", "NodeRef", "child_hashes", "decode_nodes", "split_tree"]


class NodeRef(str):
    """The hash of a stored node, standing where its mapping is in a decoded parent."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Node:
    """One mapping of a config, ready to store.

    Attributes:
        hash: the node's address (see the module docstring).
        text: canonical JSON of ``[leaves, kids]``.
        leaves: number of leaves in the whole subtree (what a reader counts without fetching).
    """

    hash: str
    text: str
    leaves: int


def split_tree(config: Mapping[str, Any]) -> tuple[str, list[Node]]:
    """The root hash of ``config`` and every node of it, children before parents."""
    nodes: list[Node] = []
    root = _split(config, nodes)
    return root.hash, nodes


def _split(mapping: Mapping[str, Any], out: list[Node]) -> Node:
    plain: dict[str, Any] = {}
    kids: dict[str, str] = {}
    leaves = 0
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            child = _split(value, out)
            kids[str(key)] = child.hash
            leaves += child.leaves
        else:
            plain[str(key)] = value
            leaves += 1
    text = canonical_json([plain, kids])
    node = Node(hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], text, leaves)
    out.append(node)
    return node


def decode_nodes(rows: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Read ``(hash, text)`` rows back as mappings in key order; children become ``NodeRef``.

    The texts are decoded as one JSON array: one parser call for a thousand small nodes
    instead of a thousand calls. Entries come back in sorted key order, the order a whole
    config has in the store, so a comparison reads the same either way.
    """
    rows = list(rows)
    if not rows:
        return {}
    decoded = json.loads("[" + ",".join(text for _, text in rows) + "]")
    out: dict[str, dict[str, Any]] = {}
    for (key, _), (entries, kids) in zip(rows, decoded, strict=True):
        if kids:
            for name, child in kids.items():
                entries[name] = NodeRef(child)
            if len(kids) < len(entries):
                entries = dict(sorted(entries.items()))
        out[key] = entries
    return out


def child_hashes(text: str) -> list[str]:
    """The hashes of a node's children, from its stored text (what ``gc`` follows)."""
    return list(json.loads(text)[1].values())
