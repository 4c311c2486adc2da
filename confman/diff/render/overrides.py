"""The Hydra override list that turns side A into side B.

Appending these to A's own overrides (or applying them to A's config with Hydra's override
parser) gives B: group choices first (``model=resnet``), then deletions (``~key``, one per
removed subtree), then values (``key=value``) and additions (``+key=value``). Leaf changes a
group choice implies are left out: the ``group=option`` line brings them. Hydra merges lists
whole, so a changed list is written whole. Secrets are never written: each becomes a comment.
"""

from __future__ import annotations

from typing import Any

from confman.diff.model import Change, Side
from confman.diff.render.values import hydra_key_ok, hydra_value
from confman.provenance import iter_leaves

__all__ = ["render_overrides"]


def render_overrides(changes: list[Change], a: Side, b: Side) -> str:
    """One override per line (empty when A and B are the same)."""
    return "".join(f"{line}\n" for line in override_lines(changes, a, b))


def override_lines(changes: list[Change], a: Side, b: Side) -> list[str]:
    """The overrides as a list, in the order Hydra must apply them."""
    lines: list[str] = []
    comments: list[str] = []
    for change in changes:
        if change.kind == "choice":
            lines.append(_choice(change))
    leaf_changes = [c for c in changes if c.kind != "choice" and c.group is None]
    flat_b: dict[str, Any] = dict(iter_leaves(b.config))
    interior_b = _interiors(flat_b)
    deleted: list[str] = []
    for change in leaf_changes:
        if change.kind == "removed" and change.path == change.leaf:
            root = _removal_root(change.leaf, interior_b)
            if root not in deleted and not any(root.startswith(d + ".") for d in deleted):
                deleted.append(root)
    lines.extend(f"~{root}" for root in deleted)
    flat_a = dict(iter_leaves(a.config))
    done: set[str] = set()
    for change in leaf_changes:
        leaf = change.leaf
        if leaf in done or leaf not in flat_b:
            continue
        done.add(leaf)
        if change.secret:
            comments.append(f"# {leaf}: secret {change.kind}, value withheld")
            continue
        if not hydra_key_ok(leaf):
            comments.append(f"# {leaf}: key cannot be written as a Hydra override")
            continue
        existed = leaf in flat_a and not any(leaf == d or leaf.startswith(d + ".") for d in deleted)
        prefix = "" if existed else "+"
        lines.append(f"{prefix}{leaf}={hydra_value(flat_b[leaf])}")
    return lines + comments


def _choice(change: Change) -> str:
    if change.new is None:
        return f"~{change.path}"
    prefix = "+" if change.old is None else ""
    return f"{prefix}{change.path}={hydra_value(change.new)}"


def _interiors(flat: dict[str, Any]) -> set[str]:
    """Every dotted path that is a non-empty mapping in the flattened config."""
    found: set[str] = set()
    for path in flat:
        dot = path.find(".")
        while dot != -1:
            found.add(path[:dot])
            dot = path.find(".", dot + 1)
    return found


def _removal_root(leaf: str, interior_b: set[str]) -> str:
    """The topmost key on ``leaf``'s path that B does not keep as a mapping: deleting it
    removes exactly what B lacks (or what B holds as a plain value instead)."""
    parts = leaf.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix not in interior_b:
            return prefix
    return leaf
