"""Configs as Merkle trees: each mapping stored once, under an integer id, whatever shares it.

A sweep varies a handful of keys in a config of hundreds, so consecutive runs' configs are
mostly the same subtrees. Each non-empty mapping is a node; a node is identified by the hash of
its content (its plain entries, and its children by *their* hashes), so equal subtrees are one
row whatever the run, and a new run costs only the nodes on the paths to the keys that changed.

Stored text: the canonical JSON of the mapping (sorted keys, ``canonical_json``'s separators)
with each child mapping replaced by ``TOKEN id END`` (``\\x01`` and ``\\x02``, characters that
canonical JSON always escapes, so they never occur otherwise). Children are named by integer ids,
not hashes: a run's new top node is a few bytes per section instead of 32 per section. Splicing
each child's text in place of its token gives back the whole config's canonical JSON, which is
how records are read (one text per config, decoded in one batch).

Comparing thousands of runs (``confman runs compare``) reads the same nodes: equal id, equal
subtree, so only the nodes on the paths to keys that vary are fetched and decoded. Each node row
keeps the number of leaves under it, so an unchanged subtree is counted without being decoded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confman.store.record import canonical_json

__all__ = [
    "END",
    "TOKEN",
    "Node",
    "NodeRef",
    "assemble",
    "child_ids",
    "decode_nodes",
    "decode_texts",
    "make_node",
    "scalar_json",
    "splice",
    "split_tree",
]

TOKEN, END = "\x01", "\x02"
_REF = re.compile("\x01(\\d+)\x02")
_OPEN = '{"\\u0001":'  # a child decodes as a one-key object, which no plain entry can be


class NodeRef(str):
    """The id of a stored node, standing where its mapping is in a decoded parent."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Node:
    """One mapping of a config, ready to store.

    Attributes:
        hash: the content address: 128 bits of sha256 over the text with children as hashes.
        template: the stored text with child ``i`` as ``TOKEN i END`` (see ``text``).
        kids: ``(key, child hash)`` per child mapping, in key order.
        plain: ``(key, value)`` per plain entry (scalar, list, empty mapping): the leaves.
        leaves: number of leaves in the whole subtree (what a reader counts without fetching).
    """

    hash: str
    template: str
    kids: tuple[tuple[str, str], ...]
    plain: tuple[tuple[str, Any], ...]
    leaves: int

    def text(self, ids: Mapping[str, int]) -> str:
        """The stored text, children named by their ids in ``ids`` (hash -> id)."""
        if not self.kids:
            return self.template
        kids = self.kids
        return _REF.sub(lambda m: f"{TOKEN}{ids[kids[int(m.group(1))][1]]}{END}", self.template)


def split_tree(config: Mapping[str, Any]) -> tuple[str, list[Node]]:
    """The root hash of ``config`` and every node of it, children before parents."""
    nodes: list[Node] = []
    root = _split(config, nodes)
    return root.hash, nodes


def _split(mapping: Mapping[str, Any], out: list[Node]) -> Node:
    node = make_node(
        (str(key), _split(value, out) if isinstance(value, Mapping) and value else value)
        for key, value in mapping.items()
    )
    out.append(node)
    return node


def make_node(entries: Iterable[tuple[str, Any]]) -> Node:
    """The node of one mapping, from its ``(key, value)`` entries in any order, each child
    mapping given as its ``Node`` (built first: a tree is split children first)."""
    parts: list[str] = []
    kids: list[tuple[str, str]] = []
    plain: list[tuple[str, Any]] = []
    merkle: list[str] = []
    leaves = 0
    for key, value in sorted(entries, key=_first):
        name = _string(key)
        if type(value) is Node:
            parts.append(f"{name}:{TOKEN}{len(kids)}{END}")
            merkle.append(f"{name}:{TOKEN}{value.hash}{END}")
            kids.append((key, value.hash))
            leaves += value.leaves
        else:
            text = f"{name}:{scalar_json(value)}"
            parts.append(text)
            merkle.append(text)
            plain.append((key, value))
            leaves += 1
    digest = hashlib.sha256(("{" + ",".join(merkle) + "}").encode("utf-8")).hexdigest()[:32]
    return Node(digest, "{" + ",".join(parts) + "}", tuple(kids), tuple(plain), leaves)


def _first(entry: tuple[str, Any]) -> str:
    return entry[0]


def splice(template: str, kids: Iterable[str]) -> str:
    """``template`` (a ``Node``'s) with child ``i``'s token replaced by the ``i``-th of ``kids``:
    given each child's whole canonical JSON, the whole subtree's."""
    if TOKEN not in template:
        return template
    parts = template.replace(END, TOKEN).split(TOKEN)
    parts[1::2] = kids
    return "".join(parts)


_string = json.encoder.encode_basestring  # what canonical_json writes for a str (no ASCII escaping)
_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def scalar_json(value: Any) -> str:
    """``canonical_json(value)``, without building an encoder for the common scalar types.

    A config has hundreds of leaves and each is encoded on every write; these are the texts
    ``json.dumps`` gives, type for type.
    """
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        return _FLOATS.get(value) or float.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    return canonical_json(value)


def child_ids(text: str) -> list[int]:
    """The ids of a stored node's children, from its text."""
    return [int(i) for i in _REF.findall(text)] if TOKEN in text else []


def decode_texts(texts: Iterable[str]) -> list[dict[str, Any]]:
    """Stored texts decoded in one JSON call, each child as ``{TOKEN: id}`` (a one-key mapping
    no plain entry can be: plain mappings are empty)."""
    joined = ",".join(texts)
    decoded: list[dict[str, Any]] = json.loads(
        "[" + joined.replace(TOKEN, _OPEN).replace(END, "}") + "]"
    )
    return decoded


def decode_nodes(rows: Iterable[tuple[Any, str]]) -> dict[str, dict[str, Any]]:
    """Read ``(id, text)`` rows back as mappings in key order; children become ``NodeRef``.

    The texts are decoded as one JSON array: one parser call for a thousand small nodes
    instead of a thousand calls.
    """
    rows = list(rows)
    if not rows:
        return {}
    decoded = decode_texts(text for _, text in rows)
    out: dict[str, dict[str, Any]] = {}
    for (key, text), entries in zip(rows, decoded, strict=True):
        if TOKEN in text:
            for name, value in entries.items():
                if type(value) is dict and len(value) == 1 and TOKEN in value:
                    entries[name] = NodeRef(value[TOKEN])
        out[str(key)] = entries
    return out


def assemble(node: int, texts: Mapping[int, str], done: dict[int, str]) -> str:
    """The canonical JSON of the whole subtree at ``node`` (``texts``: id -> stored text).

    ``done`` memoises subtrees already assembled, so a subtree shared by many configs is
    spliced together once per batch.
    """
    found = done.get(node)
    if found is not None:
        return found
    text = texts[node]
    if TOKEN in text:
        parts = text.replace(END, TOKEN).split(TOKEN)
        parts[1::2] = [assemble(int(i), texts, done) for i in parts[1::2]]
        text = "".join(parts)
    done[node] = text
    return text
