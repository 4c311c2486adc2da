"""CM204 duplicate-option: two options of one group that are identical or nearly so.

What it does:
    Compares the leaves of every pair of options in a group. Identical options, and options of
    four or more keys that differ in exactly one, are flagged with the difference spelled out.

Why it matters:
    A near-copy is a variant that drifts: a fix to one is forgotten in the other, and readers
    cannot tell what the second option is for.

Example:
    optimizer/adam.yaml       optimizer/adam_fast.yaml
      name: adam                name: adam
      lr: 0.001                 lr: 0.01        # CM204: differs from adam only in lr
      betas: [0.9, 0.999]       betas: [0.9, 0.999]
      weight_decay: 0.0         weight_decay: 0.0

Instead:
    Keep one option and select the variant with an override (``optimizer.lr=0.01``), or
    make the variant an experiment that overrides one key.

Options:
    none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import iter_leaves, same_value

CODE = "CM204"
NAME = "duplicate-option"
LEVEL: Severity = "warning"
MIN_KEYS = 4


def _leaves(data: object) -> dict[str, object]:
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in iter_leaves(data) if not k.startswith("defaults")}


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _coarse(value: object) -> object:
    """A hashable stand-in with ``same_value(a, b)`` implying ``_coarse(a) == _coarse(b)``
    (``True`` may share one with ``1``: candidates are checked exactly afterwards)."""
    if type(value) in _PLAIN and value == value:  # NaN is the one value unequal to itself
        return value
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | dict):
        return (type(value).__name__, len(value))
    return type(value).__name__


def _one_apart(
    sigs: dict[int, tuple[object, ...]], members: list[int], lo: int, hi: int
) -> set[tuple[int, int]]:
    """The pairs of ``members`` whose signatures agree on ``[lo, hi)`` except at most one place:
    bucketed by "every value but the k-th" (prefix and suffix hashes make each O(1))."""
    buckets: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i in members:
        sig = sigs[i][lo:hi]
        pre = [0] * (len(sig) + 1)
        for k, value in enumerate(sig):
            pre[k + 1] = hash((pre[k], value))
        suf = [0] * (len(sig) + 1)
        for k in range(len(sig) - 1, -1, -1):
            suf[k] = hash((sig[k], suf[k + 1]))
        for k in range(len(sig)):
            buckets[(k, pre[k], suf[k + 1])].append(i)
        if not sig:
            buckets[(-1, 0, 0)].append(i)
    return {pair for found in buckets.values() for pair in combinations(found, 2)}


def _candidates(leaves: list[dict[str, object]]) -> list[tuple[int, int]]:
    """The pairs (i < j) that may be identical or differ in one key, in ascending order.

    Comparing every pair of a group's options is quadratic in options times keys. Two options
    with the same keys that differ in at most one value agree on one half of their values
    entirely, so options are first bucketed by each half; only options sharing a half are
    compared on the other half, by leaving one value out at a time. Linear in the group's size
    (candidates that then differ in more than one key are dropped by the exact comparison).
    """
    by_keys: dict[tuple[str, ...], list[int]] = defaultdict(list)
    sigs: dict[int, tuple[object, ...]] = {}
    for i, la in enumerate(leaves):
        if la:
            keys = tuple(sorted(la))
            by_keys[keys].append(i)
            sigs[i] = tuple([_coarse(la[k]) for k in keys])
    pairs: set[tuple[int, int]] = set()
    for keys, members in by_keys.items():
        if len(members) < 2:
            continue
        half = len(keys) // 2
        for same, other in (((0, half), (half, len(keys))), ((half, len(keys)), (0, half))):
            by_half: dict[tuple[object, ...], list[int]] = defaultdict(list)
            for i in members:
                by_half[sigs[i][same[0] : same[1]]].append(i)
            for sharing in by_half.values():
                if len(sharing) > 1:
                    pairs |= _one_apart(sigs, sharing, *other)
    return sorted(pairs)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for group, options in sorted(ctx.groups.items()):
        if group == "experiment":
            continue
        loaded = {}
        for opt in sorted(options):
            yf = ctx.files[f"{group}/{opt}.yaml"]
            if yf.parsed is not None:
                loaded[opt] = (yf, _leaves(yf.parsed.data))
        items = list(loaded.items())
        for i, j in _candidates([la for _, (_, la) in items]):
            (a, (fa, la)), (b, (fb, lb)) = items[i], items[j]
            if not la or set(la) != set(lb):
                continue
            diff = [k for k in la if not same_value(la[k], lb[k])]
            if not diff:
                how = f"identical to {group}/{a}"
            elif len(diff) == 1 and len(la) >= MIN_KEYS:
                k = diff[0]
                how = f"differs from {group}/{a} only in '{k}' ({la[k]!r} vs {lb[k]!r})"
            else:
                continue
            yield Diagnostic(
                fb.shown,
                1,
                1,
                CODE,
                NAME,
                f"option '{group}/{b}' is {how} ({fa.shown})",
                severity=LEVEL,
                fix="keep one option; select the variant with an override or an experiment",
            )
