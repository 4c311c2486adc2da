"""CM206 shared-across-primaries: primary configs copied from one another.

What it does:
    Compares the values the primary configs of one config dir write themselves (what their own
    bases already give left out): a key written with the same value in several primaries is
    shared by them. Files sharing at least ``MIN_SHARED`` such settings (booleans, ``0``, ``1``
    and Hydra's ``_target_`` and other instantiation keywords not counted) form a group, and each
    group is reported once, at its first file, with the other files and the keys a shared base
    config would hold (a mapping shared whole is named once, ``noise_scheduler.*``). Where
    groups overlap, the one whose base would save the most lines is reported and the files in
    it are not grouped again.

Why it matters:
    Standalone primaries copied from one another drift: a fix to the seed, the logger project
    or the run directory reaches the copy it was made in, and the others silently keep the old
    value. Readers cannot tell which differences between two copies are deliberate.

Example:
    # train_small.yaml              # train_large.yaml
    seed: 1234                      seed: 1234                # CM206 at train_small.yaml
    logging:                        logging:
      project: vision                 project: vision
    model:                          model:
      width: 64                       width: 512

Instead:
    Move the shared keys into one base config (``base.yaml``) and list it first in each
    primary's defaults list (``defaults: [base, _self_]``); each primary keeps only what it
    changes.

Options:
    none (``MIN_SHARED`` settings make a group).

Known problems:
    Primaries kept standalone on purpose (examples meant to be copied one file at a time) are
    reported too; suppress with ``# confman: noqa-file`` or ``per-file-ignores``. Nulls and
    ``???`` never count as shared values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from confman.lint.bases import added_leaves, blocks, listing
from confman.lint.context import LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM206"
NAME = "shared-across-primaries"
LEVEL: Severity = "info"
MIN_SHARED = 7
#: Hydra's instantiation keywords: node plumbing, not settings a base is extracted for
_PLUMBING = frozenset({"_target_", "_recursive_", "_convert_", "_partial_", "_args_"})
_TRIVIAL = frozenset({"0", "1", "-1", "0.0", "1.0", "''"})

_Key = tuple[str, str, str]


def _key(path: str, value: Any) -> _Key | None:
    """A hashable (path, type, value) for a value worth sharing; None for nulls and ``???``."""
    if value is None or value == "???" or value == {} or value == []:
        return None
    return path, type(value).__name__, repr(value)


def _telling(key: _Key) -> bool:
    """A shared value that is evidence of copying: not instantiation plumbing, a boolean or
    a trivial number (``0``, ``1``, ``0.0``) any two configs may share by chance."""
    path, kind, text = key
    if path.rpartition(".")[2] in _PLUMBING or kind == "bool":
        return False
    return text not in _TRIVIAL


def shared_groups(
    members: list[dict[str, Any]], min_shared: int, min_files: int = 2
) -> list[tuple[list[int], set[str]]]:
    """Disjoint groups of ``members`` (indexes) with the leaf paths they all write alike.

    Each (path, value) is bucketed by the set of members writing it (a bitmask), so the work
    grows with the distinct sets, never with pairs of files. A set's shared keys are those of
    every set containing it; groups are taken greedily by the lines a base would save.
    """
    by_mask: dict[int, list[_Key]] = defaultdict(list)
    holders = _everyones(members) if min_files >= len(members) else _holders(members)
    for key, mask in holders.items():
        if mask.bit_count() >= min_files:
            by_mask[mask].append(key)
    masks = list(by_mask)
    scored = []
    for mask in masks:
        keys = [k for other in masks if other & mask == mask for k in by_mask[other]]
        if sum(map(_telling, keys)) >= min_shared:
            scored.append((len(keys) * (mask.bit_count() - 1), mask, keys))
    scored.sort(key=lambda s: (-s[0], s[1]))
    used = 0
    out = []
    for _, mask, keys in scored:
        if mask & used:
            continue
        used |= mask
        out.append(([i for i in range(len(members)) if mask >> i & 1], {k[0] for k in keys}))
    return out


def _holders(members: list[dict[str, Any]]) -> dict[_Key, int]:
    """Each (path, value) worth sharing -> the bitmask of the members writing it."""
    holders: dict[_Key, int] = defaultdict(int)
    for i, leaves in enumerate(members):
        for path, value in leaves.items():
            key = _key(path, value)
            if key is not None:
                holders[key] |= 1 << i
    return holders


def _everyones(members: list[dict[str, Any]]) -> dict[_Key, int]:
    """:func:`_holders` of the (path, value)s every member writes, found without keying every
    leaf: the candidates are the paths all members write, and most differ at the second."""
    if not members:
        return {}
    everyone = (1 << len(members)) - 1
    holders: dict[_Key, int] = {}
    for path in set(members[0]).intersection(*members[1:]):
        key = _key(path, members[0][path])
        if key is not None and all(_key(path, m[path]) == key for m in members[1:]):
            holders[key] = everyone
    return holders


def report(
    ctx: LintContext,
    files: list[YamlFile],
    leaves: list[dict[str, Any]],
    group: list[int],
    shared: set[str],
    what: str,
    code: str,
    name: str,
    level: Severity,
) -> Diagnostic:
    """One finding at the group's first file naming the others and the keys to extract."""
    first = files[group[0]]
    lines = first.parsed.lines if first.parsed is not None else {}
    names = blocks(shared, [leaves[i] for i in group])
    line = next((lines.get(p, 1) for p in leaves[group[0]] if p in shared), 1)
    others = ", ".join(files[i].shown for i in group[1:])
    return Diagnostic(
        first.shown,
        line,
        1,
        code,
        name,
        f"{what} {len(shared)} settings with the same values as {others}: {listing(names)}",
        severity=level,
        fix="move them into one base config and list it first in each file's defaults list",
    )


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    files = [
        ctx.files[f"{p}.yaml"]
        for p in sorted(ctx.primaries)
        if ctx.files[f"{p}.yaml"].parsed is not None
        and isinstance(ctx.files[f"{p}.yaml"].parsed.data, dict)  # type: ignore[union-attr]
    ]
    if len(files) < 2:
        return
    leaves = [added_leaves(ctx, yf) for yf in files]
    for group, shared in shared_groups(leaves, MIN_SHARED):
        yield report(ctx, files, leaves, group, shared, "shares", CODE, NAME, LEVEL)
