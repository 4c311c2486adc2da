"""Compare two sides with DeepDiff and turn its report into ``Change`` values.

DeepDiff does the comparison (value and type changes, added/removed keys, list changes, NaN
handling, numeric tolerance through a custom operator). confman feeds it both configs as
flat ``{dotted.leaf: value}`` mappings, for two reasons:

* provenance, ``--ignore`` globs and Hydra overrides all speak dotted leaf paths, and Hydra merges
  a list as one leaf, so the leaf is the unit a user reasons about;
* speed: leaves that are identical (same type, equal value) are dropped with one dict pass before
  DeepDiff sees the rest. On a 100k-leaf config with 1% changed, DeepDiff then walks 1k leaves
  instead of 100k (see benchmarks/diff.py).

Then the changes are grouped by composition: a config group whose option differs becomes a
``choice`` change, and each leaf change whose value on either side comes from that group's files
is attached to it.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from deepdiff import DeepDiff
from deepdiff.operator import BaseOperator

from confman.compose import Choice
from confman.diff.model import REDACTED, Change, ChangeKind, Side
from confman.diff.secrets import is_secret, redact_value, redact_write
from confman.provenance import Write, iter_leaves

__all__ = ["compare", "ignore_matcher"]

_KINDS: dict[str, ChangeKind] = {
    "values_changed": "changed",
    "type_changes": "type_changed",
    "dictionary_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_added": "added",
    "iterable_item_removed": "removed",
}


class _Tolerance(BaseOperator):
    """Numbers within ``rtol``/``atol`` of each other (``math.isclose``) are not a change."""

    def __init__(self, rtol: float, atol: float) -> None:
        super().__init__()
        self.rtol = rtol
        self.atol = atol

    def match(self, level: Any) -> bool:
        return _is_number(level.t1) and _is_number(level.t2)

    def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
        return math.isclose(level.t1, level.t2, rel_tol=self.rtol, abs_tol=self.atol)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def ignore_matcher(globs: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for ``--ignore`` globs on dotted paths; a glob also covers everything below
    what it matches (``hydra`` ignores ``hydra.run.dir``, ``*.seed`` ignores ``data.seed``)."""
    parts = [fnmatch.translate(g)[:-2] + r"(?:\..*)?\Z" for g in globs if g]
    # fnmatch.translate ends with ``\Z``; the optional suffix lets a glob match a subtree.
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def _flatten(config: Mapping[str, Any], ignore: re.Pattern[str] | None) -> dict[str, Any]:
    flat = dict(iter_leaves(config))
    if ignore is None:
        return flat
    return {k: v for k, v in flat.items() if ignore.match(k) is None}


def _same(a: Any, b: Any) -> bool:
    """Identical for a diff: same type and equal (lists also equal as text, so 1 != 1.0)."""
    if a is b:
        return True
    if type(a) is not type(b) or a != b:
        return False
    return not isinstance(a, list | dict) or repr(a) == repr(b)


def compare(
    a: Side,
    b: Side,
    *,
    ignore: Iterable[str] = (),
    rtol: float = 0.0,
    atol: float = 0.0,
) -> list[Change]:
    """All differences from ``a`` to ``b``: group choice changes first, each followed by the
    leaf changes it implies, then the other leaf changes in config order."""
    matcher = ignore_matcher(ignore)
    flat_a = _flatten(a.config, matcher)
    flat_b = _flatten(b.config, matcher)
    only_a = {k: v for k, v in flat_a.items() if k not in flat_b or not _same(v, flat_b[k])}
    only_b = {k: v for k, v in flat_b.items() if k not in flat_a or not _same(flat_a[k], v)}
    leaves = _leaf_changes(only_a, only_b, a, b, rtol, atol)
    order = {k: i for i, k in enumerate([*flat_a, *(k for k in flat_b if k not in flat_a)])}
    leaves.sort(key=lambda c: (order.get(c.leaf, len(order)), c.path))
    return _group(leaves, a, b, matcher)


def _leaf_changes(
    only_a: dict[str, Any], only_b: dict[str, Any], a: Side, b: Side, rtol: float, atol: float
) -> list[Change]:
    if not only_a and not only_b:
        return []
    operators = [_Tolerance(rtol, atol)] if rtol or atol else []
    report = DeepDiff(
        only_a,
        only_b,
        view="tree",
        ignore_nan_inequality=True,
        custom_operators=operators,
        threshold_to_diff_deeper=0,
    )
    changes: list[Change] = []
    whole: set[str] = set()
    for report_type, levels in report.items():
        kind = _KINDS.get(report_type)
        if kind is None:
            continue
        for level in levels:
            steps = level.path(output_format="list")
            leaf = path = str(steps[0])
            if leaf in whole:
                continue
            if len(steps) > 1:
                # Inside a list. Hydra merges and overrides a list as one value, and a user
                # reads it as one: the list is shown whole, once.
                whole.add(leaf)
                kind, old, new = "changed", only_a[leaf], only_b[leaf]
            else:
                old = None if kind == "added" else level.t1
                new = None if kind == "removed" else level.t2
            secret = is_secret(path, old, new)
            if secret:
                old = None if old is None else REDACTED
                new = None if new is None else REDACTED
            else:  # an added or removed mapping may hold secret keys, a string a URL password
                old, new = redact_value(old), redact_value(new)
            old_unresolved = leaf in a.unresolved and kind != "added"
            new_unresolved = leaf in b.unresolved and kind != "removed"
            if kind == "type_changed" and (old_unresolved or new_unresolved):
                kind = "changed"  # a value as written is a string: its type says nothing
            old_source = a.source(leaf) if leaf in only_a else None
            new_source = b.source(leaf) if leaf in only_b else None
            if secret:
                old_source, new_source = redact_write(old_source), redact_write(new_source)
            changes.append(
                Change(
                    path=path,
                    kind=kind,
                    old=old,
                    new=new,
                    leaf=leaf,
                    old_source=old_source,
                    new_source=new_source,
                    secret=secret,
                    old_unresolved=old_unresolved,
                    new_unresolved=new_unresolved,
                )
            )
    return changes


def _group(leaves: list[Change], a: Side, b: Side, ignore: re.Pattern[str] | None) -> list[Change]:
    """Put each changed group choice first, followed by the leaf changes it implies.

    Only when both sides say which options they were made of: a saved file has no choices,
    which is not the same as having chosen none.
    """
    if not (a.knows_choices and b.knows_choices):
        return leaves
    groups = sorted(
        g
        for g in {*a.choices, *b.choices}
        if _option(a.choices.get(g)) != _option(b.choices.get(g))
        and (ignore is None or ignore.match(g) is None)
    )
    if not groups:
        return leaves
    # Longest group path first, so ``model/encoder`` wins over ``model`` for its own files.
    by_dir = sorted(groups, key=lambda g: -len(g.split("@")[0]))
    implied: dict[str, list[Change]] = {g: [] for g in groups}
    rest: list[Change] = []
    for change in leaves:
        group = _implied_by(change, by_dir, a, b)
        if group is None:
            rest.append(change)
        else:
            implied[group].append(_with_group(change, group))
    result: list[Change] = []
    for g in groups:
        result.append(_choice_change(g, a.choices.get(g), b.choices.get(g)))
        result.extend(implied[g])
    return result + rest


def _option(choice: Choice | None) -> Any:
    return None if choice is None else choice.option


def _implied_by(change: Change, groups: list[str], a: Side, b: Side) -> str | None:
    """The changed group whose files set this leaf on either side.

    Composed sides know each leaf's file, so that decides. A saved config (a Hydra run dir)
    only knows its choices: there, a leaf under the group's package is taken as implied.
    """
    sources = [w for w in (change.old_source, change.new_source) if w is not None]
    for group in groups:
        folder = group.split("@")[0] + "/"
        if any(w.kind == "file" and (w.file or "").startswith(folder) for w in sources):
            return group
    if any(w.kind in ("override", "delete") for w in sources):
        return None  # set on the command line: the override explains it, not the group
    if a.kind == "composed" and b.kind == "composed":
        return None  # a file outside the group's folder set it: that file explains it
    for group in groups:
        for choice in (a.choices.get(group), b.choices.get(group)):
            if (
                choice is not None
                and choice.package
                and change.leaf.startswith(choice.package + ".")
            ):
                return group
    return None


def _with_group(change: Change, group: str) -> Change:
    from dataclasses import replace

    return replace(change, group=group)


def _choice_change(group: str, old: Choice | None, new: Choice | None) -> Change:
    kind: ChangeKind = "choice"

    def source(choice: Choice | None) -> Write | None:
        if choice is None or not choice.chosen_by:
            return None
        by = choice.chosen_by
        if by.startswith("override '") and by.endswith("'"):
            return Write(value=choice.option, kind="override", override=by[10:-1])
        file, _, line = by.partition(" ")[0].rpartition(":")
        if line.isdigit():
            return Write(value=choice.option, file=file, line=int(line))
        return Write(value=choice.option, file=by)

    return Change(
        path=group,
        kind=kind,
        old=_option(old),
        new=_option(new),
        leaf=group,
        old_source=source(old),
        new_source=source(new),
    )
