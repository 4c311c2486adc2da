"""The Hydra override list that turns side A into side B.

Appending these to A's own overrides (or applying them to A's config with Hydra's override
parser) gives B: group choices first (``model=resnet``), then deletions (``~key``, one per
removed subtree), then values (``key=value``) and additions (``+key=value``; ``++key=value``
under a changed group's package, whose new option may bring the key). Leaf changes a group
choice implies are left out: the ``group=option`` line brings them (unless B's command line set
them). Hydra merges lists whole, so a changed list is written whole. Secrets are never written:
each becomes a comment.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from confman.diff.model import Change, Side
from confman.diff.render.values import hydra_key_ok, hydra_value
from confman.provenance import MISSING, iter_leaves

__all__ = ["override_lines", "render_overrides", "tree_groups"]


def render_overrides(
    changes: list[Change], a: Side, b: Side, *, groups: Collection[str] = ()
) -> str:
    """One override per line (empty when A and B are the same); ``groups`` as for
    :func:`override_lines`."""
    return "".join(f"{line}\n" for line in override_lines(changes, a, b, groups=groups))


def tree_groups(config_dir: Path) -> frozenset[str]:
    """The top-level config groups of a tree: Hydra reads ``~name``/``name=`` as theirs."""
    if not config_dir.is_dir():
        return frozenset()
    return frozenset(p.name for p in config_dir.iterdir() if p.is_dir() and p.name != "__pycache__")


def override_lines(
    changes: list[Change], a: Side, b: Side, *, groups: Collection[str] = ()
) -> list[str]:
    """The overrides as a list, in the order Hydra must apply them.

    Args:
        changes: the diff from ``a`` to ``b``.
        a: side A.
        b: side B.
        groups: the config tree's top-level groups, besides those the sides chose from. Hydra
            reads an override of a top-level key named like a group (``~dataset``) as one of
            the group, so such a key is never deleted or set whole; a comment says so.
    """
    group_names = {*groups, *(_top(g) for g in (*a.choices, *b.choices))}
    lines: list[str] = []
    comments: list[str] = []
    for change in changes:
        if change.kind != "choice":
            continue
        deleted_by = [o for o in a.overrides if o.split("=")[0] == f"~{change.path}"]
        if change.old is None and deleted_by:
            # Hydra cannot bring back a group a ``~group`` override deleted: later overrides of
            # that group are ignored. Say so instead of printing an override that does nothing.
            comments.append(
                f"# {change.path}: drop A's '{deleted_by[0]}' (Hydra cannot restore a deleted "
                f"group), then '{_choice(change)}'"
            )
            continue
        lines.append(_choice(change))
    leaf_changes = [
        c for c in changes if c.kind != "choice" and (c.group is None or _typed_on_b(c))
    ]
    flat_b: dict[str, Any] = dict(iter_leaves(b.config))
    interior_b = _interiors(flat_b)
    flat_a = dict(iter_leaves(a.config))
    deleted: list[str] = []
    rewritten: list[str] = []
    for change in leaf_changes:
        if change.kind == "removed" and change.path == change.leaf:
            root = _removal_root(change.leaf, interior_b)
            if flat_a.get(root, "") is None or flat_a.get(root) == MISSING:
                if root in interior_b:
                    continue  # null/??? becoming a mapping: ``+root.key=...`` fills it in
                # Hydra's ``~key`` refuses a key whose value is null or ??? ("does not exist"):
                # delete the enclosing mapping and add it back as B has it.
                if "." not in root:
                    comments.append(f"# ~{root}: Hydra cannot delete a top-level null/??? key")
                    continue
                parent = root.rsplit(".", 1)[0]
                if parent in group_names:
                    comments.append(
                        f"# ~{root}: Hydra cannot delete a null/??? key, and '~{parent}' "
                        f"would remove config group '{parent}'"
                    )
                    continue
                root = parent
                if root not in rewritten:
                    rewritten.append(root)
            if root not in deleted:
                deleted.append(root)
        elif change.leaf in flat_a and change.leaf in flat_b:
            old, new = flat_a[change.leaf], flat_b[change.leaf]
            # Hydra merges ``key=value`` into a list or mapping: replace it instead.
            replace = _shape(old) != _shape(new) and old is not None and old != MISSING
            if replace and change.leaf not in deleted:
                deleted.append(change.leaf)
    deleted = [d for d in deleted if not any(d.startswith(o + ".") for o in deleted)]
    rewritten = [r for r in rewritten if r in deleted]
    for root in [r for r in deleted if r in group_names]:
        comments.append(f"# ~{root}: Hydra would read it as removing config group '{root}'")
        deleted.remove(root)
    lines.extend(f"~{root}" for root in deleted)
    for root in rewritten:
        try:
            lines.append(f"+{root}={hydra_value(_subtree(b.config, root))}")
        except ValueError as exc:
            comments.append(f"# {root}: {exc}")
    done: set[str] = set()
    swapped = _swapped_packages(changes, b)
    for change in leaf_changes:
        leaf = change.leaf
        if leaf in done or leaf not in flat_b or _under(leaf, rewritten):
            continue
        done.add(leaf)
        if change.secret:
            comments.append(f"# {leaf}: secret {change.kind}, value withheld")
            continue
        if leaf in group_names:
            comments.append(f"# {leaf}: Hydra would read '{leaf}=...' as choosing a group option")
            continue
        if not hydra_key_ok(leaf):
            comments.append(f"# {leaf}: key cannot be written as a Hydra override")
            continue
        existed = leaf in flat_a and not _under(leaf, deleted)
        # a key A lacks may come with a new group option: ``++`` adds it or sets it
        prefix = "" if existed else "++" if _under_any(leaf, swapped) else "+"
        lines.append(f"{prefix}{leaf}={hydra_value(flat_b[leaf])}")
    return lines + comments


def _top(group: str) -> str:
    return group.split("@")[0].split("/")[0]


def _typed_on_b(change: Change) -> bool:
    """B's own command line set (or deleted) this leaf of a changed group: the group's
    ``group=option`` line does not bring it, so it needs its own override."""
    source = change.new_source
    return source is not None and source.kind in ("override", "delete")


def _swapped_packages(changes: list[Change], b: Side) -> list[str]:
    """Where the options of B's changed groups put their keys (``""``: the root)."""
    found = []
    for change in changes:
        choice = b.choices.get(change.path) if change.kind == "choice" else None
        if choice is not None:
            found.append(choice.package)
    return found


def _under_any(leaf: str, packages: list[str]) -> bool:
    return any(p == "" or leaf == p or leaf.startswith(p + ".") for p in packages)


def _shape(value: Any) -> str:
    if isinstance(value, list | dict):
        return type(value).__name__
    return "scalar"


def _under(leaf: str, roots: list[str]) -> bool:
    return any(leaf == r or leaf.startswith(r + ".") for r in roots)


def _subtree(config: dict[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        node = node[part]
    return node


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
