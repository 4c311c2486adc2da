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


def _coarse(value: object) -> object:
    """A hashable stand-in with ``same_value(a, b)`` implying ``_coarse(a) == _coarse(b)``."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, int | float | str) or value is None:
        return value
    if isinstance(value, list | dict):
        return (type(value).__name__, len(value))
    return type(value).__name__


def _candidates(leaves: list[dict[str, object]]) -> list[tuple[int, int]]:
    """The pairs (i < j) that may be identical or differ in one key, in ascending order.

    Comparing every pair of a group's options is quadratic in options times keys; bucketing each
    option by its values with one key left out finds the same pairs (and a few that the exact
    comparison then drops) in linear time.
    """
    buckets: dict[object, list[int]] = defaultdict(list)
    keysets: dict[tuple[str, ...], int] = {}
    for i, la in enumerate(leaves):
        if not la:
            continue
        keys = tuple(sorted(la))
        kid = keysets.setdefault(keys, len(keysets))
        sig = [_coarse(la[k]) for k in keys]
        # hashes of every prefix and suffix: "all values but the k-th" in O(1) per k
        pre = [0] * (len(sig) + 1)
        for k, value in enumerate(sig):
            pre[k + 1] = hash((pre[k], value))
        suf = [0] * (len(sig) + 1)
        for k in range(len(sig) - 1, -1, -1):
            suf[k] = hash((sig[k], suf[k + 1]))
        buckets[(kid, -1, pre[-1], 0)].append(i)
        for k in range(len(sig)):
            buckets[(kid, k, pre[k], suf[k + 1])].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        pairs.update(combinations(members, 2))
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
