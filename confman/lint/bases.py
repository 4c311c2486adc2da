"""What a config file's own defaults list already gives it: the bases it extends.

A file that lists plain configs in its defaults list (``- default``, ``- base.yaml``,
``- /experiment/pile/base``) before ``_self_`` extends them: their values are merged first and
the file's own lines then override them. The duplication rules ask two questions of that:
which of the file's own lines restate what its bases already give (a line to delete), and which
values the file really adds (what it shares with its siblings).

Read from the parsed files alone (no composing), and only where the answer is certain: a base
whose ``# @package`` puts it somewhere else than the file, an entry that cannot be found, or an
interpolated entry leaves the file without known bases; a group entry (``- /model: h3``) only
leaves the node it fills unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hydra.plugins.config_source import ConfigSource

from confman.lint.context import LintContext, YamlFile
from confman.provenance import iter_leaves, same_value

__all__ = [
    "Given",
    "added_leaves",
    "blocks",
    "composed_files",
    "given",
    "header_package",
    "listing",
    "own_leaves",
    "sibling_values",
]


@dataclass
class Given:
    """The values a file's defaults list gives before the file's own lines are merged.

    Attributes:
        values: leaf path -> value, relative to the file's own package.
        unknown: path prefixes a group entry fills (the values there are not known).
        origin: leaf path -> the base file that gives its value.
        bases: the files merged, in merge order (``task/medium.yaml``).
        after: leaf paths and prefixes that entries after ``_self_`` write over the file's lines.
    """

    values: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    origin: dict[str, str] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)
    after: set[str] = field(default_factory=set)

    def known(self, path: str) -> bool:
        """True when nothing unknown may write ``path`` (a group entry or a later entry)."""
        return not (_under(path, self.unknown) or _under(path, self.after))


def _under(path: str, prefixes: set[str]) -> bool:
    if not prefixes:
        return False
    parts = path.split(".")
    return any(".".join(parts[:i]) in prefixes for i in range(1, len(parts) + 1))


def header_package(yf: YamlFile) -> str | None:
    """The package a file lands at when selected at its default place, as a dotted path
    (``""`` for the root); None when the header cannot be read."""
    text = yf.parsed.header_text if yf.parsed else ""
    package: str | None = None
    if "@" in text:
        try:
            package = ConfigSource._get_header_dict(text).get("package")
        except ValueError:
            return None
    own = (yf.group or "").replace("/", ".")
    if package is None:
        return own
    return package.replace("_group_", own).removeprefix("_global_").lstrip(".")


def _entries(yf: YamlFile) -> list[Any] | None:
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict):
        return None
    entries = data.get("defaults")
    return entries if isinstance(entries, list) else []


def _plain_target(ctx: LintContext, yf: YamlFile, name: str) -> YamlFile | None:
    """The file a plain config entry names (relative to the file's group, or absolute)."""
    name = name.strip().removesuffix(".yaml")
    rel = name.lstrip("/") if name.startswith("/") else f"{yf.group or ''}/{name}".lstrip("/")
    return ctx.files.get(f"{rel}.yaml")


def _group_prefixes(ctx: LintContext, yf: YamlFile, key: str, value: Any) -> set[str] | None:
    """Where a group entry ``key: value`` may write, as prefixes relative to the file's
    package; None when it may write anywhere (a ``_global_`` package or option)."""
    key = key.strip().removeprefix("override ").removeprefix("optional ").strip()
    group, _, package = key.partition("@")
    if "_global_" in package or "${" in key:
        return None
    group = group.lstrip("/")
    out = {group.replace("/", "."), group.rsplit("/", 1)[-1]}
    if package:
        out.add(package)
    for option in value if isinstance(value, list) else [value]:
        if not isinstance(option, str) or "${" in option:
            continue
        for rel in (f"{group}/{option}.yaml", f"{yf.group}/{group}/{option}.yaml"):
            target = ctx.files.get(rel)
            if target is not None and header_package(target) in ("", None) and group:
                return None  # the option puts itself at the root
    return out


def given(ctx: LintContext, yf: YamlFile, _seen: frozenset[str] = frozenset()) -> Given | None:
    """What ``yf``'s defaults list gives it (bases merged in order), or None when ``yf``
    extends no plain config or its bases cannot be read with certainty."""
    entries = _entries(yf)
    if not entries:
        return None
    own_package = header_package(yf)
    if own_package is None:
        return None
    out = Given()
    before_self = True
    for entry in entries:
        if isinstance(entry, str):
            if entry.strip() == "_self_":
                before_self = False
                continue
            if "@" in entry or "${" in entry:
                return None
            base = _plain_target(ctx, yf, entry)
            if base is None or base.rel in _seen or base.parsed is None:
                return None
            if header_package(base) != own_package:
                return None
            values = resolved(ctx, base, _seen | {yf.rel})
            if values is None:
                return None
            if before_self:
                out.values.update(values[0])
                out.unknown |= values[1]
                out.origin.update(values[2])
                out.bases.append(base.rel)
            else:
                out.after |= set(values[0]) | values[1]
        elif isinstance(entry, dict) and len(entry) == 1:
            key, value = next(iter(entry.items()))
            prefixes = _group_prefixes(ctx, yf, str(key), value)
            if prefixes is None:
                return None
            (out.unknown if before_self else out.after).update(prefixes)
        else:
            return None
    return out if out.bases else None


_Resolved = tuple[dict[str, Any], set[str], dict[str, str]]


def resolved(
    ctx: LintContext, yf: YamlFile, _seen: frozenset[str] = frozenset()
) -> _Resolved | None:
    """The leaves ``yf`` gives once its own bases are merged under it, the prefixes left
    unknown and the file each leaf comes from; None when that cannot be read with certainty."""
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict):
        return None if data is not None else ({}, set(), {})
    values: dict[str, Any] = {}
    unknown: set[str] = set()
    origin: dict[str, str] = {}
    if data.get("defaults"):
        found = given(ctx, yf, _seen)
        if found is None:
            groups_only = all(isinstance(e, dict) for e in data["defaults"])
            if not groups_only:
                return None
            for entry in data["defaults"]:
                key, value = next(iter(entry.items())) if len(entry) == 1 else ("", None)
                prefixes = _group_prefixes(ctx, yf, str(key), value) if key else None
                if prefixes is None:
                    return None
                unknown |= prefixes
        else:
            if found.after:
                return None
            values.update(found.values)
            unknown |= found.unknown
            origin.update(found.origin)
    for path, value in own_leaves(data):
        values[path] = value
        origin[path] = yf.rel
    return values, unknown, origin


def own_leaves(data: Any) -> Iterator[tuple[str, Any]]:
    """A file's leaves, its defaults list left out."""
    if not isinstance(data, dict):
        return iter(())
    if "defaults" in data:
        data = {k: v for k, v in data.items() if k != "defaults"}
    return iter_leaves(data)


def composed_files(ctx: LintContext) -> set[str]:
    """The config-dir-relative files some composition of the context merged."""
    out: set[str] = set()
    for comp in ctx.compositions:
        stack = [comp.composed.defaults_tree]
        while stack:
            node = stack.pop()
            if node.config_path:
                out.add(f"{node.config_path.removesuffix('.yaml')}.yaml")
            stack.extend(node.children)
    return out


def added_leaves(ctx: LintContext, yf: YamlFile) -> dict[str, Any]:
    """The leaves ``yf`` writes itself, less those restating what its own bases give."""
    data = yf.parsed.data if yf.parsed else None
    leaves = dict(own_leaves(data))
    if leaves and isinstance(data, dict) and data.get("defaults"):
        base = given(ctx, yf)
        if base is not None:
            for path, value in list(leaves.items()):
                if path in base.values and same_value(base.values[path], value):
                    del leaves[path]
    return leaves


def sibling_values(
    ctx: LintContext, yf: YamlFile, memo: dict[str, dict[str, list[Any]]]
) -> dict[str, list[Any]]:
    """For each leaf path, the values every file of ``yf``'s folder writes there (``yf``
    included; ``memo`` keeps each folder's table for the next file)."""
    folder = yf.rel.rpartition("/")[0]
    if folder not in memo:
        table: dict[str, list[Any]] = {}
        for rel, other in ctx.files.items():
            if rel.rpartition("/")[0] == folder and other.parsed is not None:
                for path, value in own_leaves(other.parsed.data):
                    table.setdefault(path, []).append(value)
        memo[folder] = table
    return memo[folder]


def blocks(shared: set[str], members: list[dict[str, Any]]) -> list[str]:
    """``shared`` leaf paths named compactly: a mapping whose every leaf is shared in every
    member is named once, as ``noise_scheduler.*``; in the first member's order."""
    dirty: set[str] = set()
    unshared = {path for leaves in members for path in leaves if path not in shared}
    for path in unshared:  # siblings write mostly the same paths: each is split once
        parts = path.split(".")
        dirty.update(".".join(parts[:i]) for i in range(1, len(parts)))
    names: list[str] = []
    seen: set[str] = set()
    order = [p for p in members[0] if p in shared] if members else sorted(shared)
    for path in order:
        parts = path.split(".")
        name = path
        for i in range(1, len(parts)):
            prefix = ".".join(parts[:i])
            if prefix not in dirty:
                name = f"{prefix}.*"
                break
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def listing(names: list[str], most: int = 12) -> str:
    """``a, b, c`` with at most ``most`` names, then how many more."""
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"
