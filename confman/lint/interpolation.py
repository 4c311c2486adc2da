"""Which keys a config value's ``${...}`` interpolations point at, as absolute dotted paths.

Shared by the rules that must know that a key is needed by another value even when no code
reads it (CM102: reading ``model.num_classes: ${data.num_classes}`` reads the target; CM205: a
default-equal value that an interpolation points at cannot be deleted, because OmegaConf
resolves ``${seed}`` from the config, not from the schema's default).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["referenced", "references"]

_REF = re.compile(r"\$\{(\.*[A-Za-z_][\w.]*)\}")


def references(key: str, value: Any) -> Iterator[str]:
    """Absolute paths ``value`` (written at ``key``) interpolates; resolvers are skipped.

    ``${..x}`` seen from ``a.b.c`` is ``a.x``: one dot is the key's own node.
    """
    for ref in _REF.findall(str(value)) if "${" in str(value) else ():
        if not ref.startswith("."):
            yield ref
            continue
        dots = len(ref) - len(ref.lstrip("."))
        parent = key.split(".")[:-1]
        base = parent[: max(len(parent) - (dots - 1), 0)]
        yield ".".join([*base, ref.lstrip(".")])


def referenced(values: dict[str, Any], keys: Iterable[str] | None = None) -> set[str]:
    """Paths of ``values`` that an interpolation of ``keys`` (default: every key) points at,
    following interpolations of the targets in turn; a reference to a node covers its leaves."""
    frontier = [k for k in (values if keys is None else keys) if _interpolates(values.get(k))]
    if not frontier:
        return set()
    ordered: list[str] = []  # sorted leaves, made once a reference names a node, not a leaf
    done: set[str] = set()
    seen = set(frontier)
    while frontier:
        key = frontier.pop()
        for target in references(key, values.get(key, "")):
            if target in values:  # a leaf: nothing lies below it
                found: Iterable[str] = (target,)
            else:
                ordered = ordered or sorted(values)  # the leaves under a node: one run of it
                found = _at_or_under(ordered, target)
            for path in found:
                done.add(path)
                if path not in seen:
                    seen.add(path)
                    frontier.append(path)
    return done


def _interpolates(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if value is None or isinstance(value, (bool, int, float)):
        return False
    return "${" in str(value)  # a list holding an interpolation


def _at_or_under(ordered: list[str], node: str) -> Iterator[str]:
    """The paths of sorted ``ordered`` equal to ``node`` or below it (``node.``...)."""
    at = bisect_left(ordered, node)
    if at < len(ordered) and ordered[at] == node:
        yield node
    prefix = node + "."
    for index in range(bisect_left(ordered, prefix, at), len(ordered)):
        path = ordered[index]
        if not path.startswith(prefix):
            return
        yield path
