"""CM204 duplicate-option: two options of one group that are identical or nearly so.

What it does:
    Composes every option of a group as Hydra would when a primary selects it: the option
    with its own defaults list (a base option, nested groups), at its package. Two options
    are compared on what they really contribute. Flagged: options identical once composed,
    and options that differ in exactly one value, when they each write many of the shared
    keys themselves (values both inherit from one base are shared already, not copied).

Why it matters:
    A near-copy is a variant that drifts: a fix to one is forgotten in the other, and readers
    cannot tell what the second option is for.

Example:
    model/afno.yaml           model/tiny_afno.yaml
      name: AFNO                name: AFNO
      args:                     args:
        patch_size: [8, 8]        patch_size: [8, 8]
        embed_dim: 768            embed_dim: 128    # CM204: differs from model/afno
        depth: 12                 depth: 12         #   only in 'model.args.embed_dim'
        ...  (14 more keys)       ...  (the same 14 keys)

Instead:
    Make the variant extend the other and set only what differs::

        # model/tiny_afno.yaml
        defaults:
          - afno
          - _self_
        args:
          embed_dim: 128

    or drop it and select the variant with an override (``model.args.embed_dim=128``).

Options:
    none. ``MIN_IDENTICAL`` (8) and ``MIN_KEYS`` (12) copied keys are the least an identical
    or one-value-apart pair must share to be reported.

Known problems:
    A small option that differs from another in one value is normal design (``task/easy``
    vs ``task/hard``), so pairs with few copied keys are not reported, nor pairs whose one
    difference is what tells them apart: the class or name they select (``_target_``,
    ``_name_``, ``name``), a value naming the option itself (``dataset/igfold_jaffe`` reading
    ``.../igfold_jaffe/``), or a whole structure (a list of mappings). Options named as points
    of one parameter series (``slurm_3``/``slurm_4``, ``..._mbs1_...``/``..._mbs2_...``), groups
    selected by an interpolated name (``hparams: ${encoder}_${features}``, one option per
    combination) and folders nothing selects (which may not be Hydra options at all, like
    wandb sweep files) are skipped. An option that cannot be composed on its own (its defaults
    list overrides a group only a primary selects) is not compared.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from confman.lint.context import LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.optioncomp import OptionComposition, option_compositions
from confman.provenance import same_value

CODE = "CM204"
NAME = "duplicate-option"
LEVEL: Severity = "warning"
#: fewest keys two options must both write themselves to be called identical
MIN_IDENTICAL = 8
#: fewest keys two options that differ in one value must both write themselves
MIN_KEYS = 12
#: keys that name what an option selects: options differing only there are different things
IDENTITY_KEYS = frozenset({"_target_", "_name_", "name", "_partial_"})


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


def _lookup_tables(ctx: LintContext) -> set[str]:
    """Groups some defaults list selects by an interpolated name (``hparams:
    ${encoder}_${features}``): one option per combination, so equal contents are by design.
    A selection names its group as the selecting file sees it (a search path may put it under
    a folder of the config dir), so groups match by their trailing path."""
    named = {s.group for s in ctx.selections if s.option is not None and "${" in s.option}
    return {g for g in ctx.groups if any(g == n or g.endswith(f"/{n}") for n in named)}


def _config_entries(ctx: LintContext) -> set[str]:
    """Groups of the plain config entries of defaults lists (``- model/tiny_afno``), which
    select an option without naming a group."""
    out: set[str] = set()
    for yf in ctx.files.values():
        data = yf.parsed.data if yf.parsed else None
        entries = data.get("defaults") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, str) or "/" not in entry.strip("/"):
                continue
            folder = entry.strip().rpartition("/")[0]
            if not entry.startswith("/") and yf.group:
                folder = f"{yf.group}/{folder}"
            out.add(folder.strip("/"))
    return out


def _in_use(ctx: LintContext) -> set[str]:
    """Groups something selects: a defaults list, the code, a recorded run (or a group above
    them: ``model=transformer_lm/big`` selects from ``model/transformer_lm``)."""
    chosen = {s.group for s in ctx.selections} | _config_entries(ctx)
    chosen |= {g for g, _ in ctx.python.selections} | {g for g, _ in ctx.run_selections}
    return {
        g
        for g in ctx.groups
        if any(g == c or g.endswith(f"/{c}") or c.endswith(f"/{g}") for c in chosen)
        or any(g.startswith(f"{c}/") for c in chosen)
    }


def _series(a: str, b: str) -> bool:
    """True for names of points of one parameter series (``slurm_3``/``slurm_4``,
    ``..._mbs1_...``/``..._mbs2_...``): same words, differing only in words holding digits."""
    ta, tb = re.split(r"[_\-.]", a), re.split(r"[_\-.]", b)
    if len(ta) != len(tb):
        return False
    differ = [(x, y) for x, y in zip(ta, tb, strict=True) if x != y]
    return bool(differ) and all(re.search(r"\d", x) and re.search(r"\d", y) for x, y in differ)


def _norm(text: str) -> str:
    return text.lower().replace("-", "_")


def _names_option(key: str, a: object, b: object, option_a: str, option_b: str) -> bool:
    """True when the one difference is what tells the options apart: the class or name they
    select (``_target_``, ``_name_``, ``name``), or values naming their own option
    (``fold_fold`` sets ``split: fold``, ``igfold_jaffe`` reads ``.../igfold_jaffe/``)."""
    if key.rpartition(".")[2] in IDENTITY_KEYS:
        return True

    def names(value: object, option: str) -> bool:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return False
        text, opt = _norm(str(value)), _norm(option)
        words = {w for w in re.split(r"[_./]", opt) if w}
        return opt in text or text in words

    return names(a, option_a) and names(b, option_b)


def _structured(value: object) -> bool:
    """A list holding mappings or lists, or a mapping: one "value" that is a whole structure."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    composed = option_compositions(ctx)
    skipped = _lookup_tables(ctx) | (set(ctx.groups) - _in_use(ctx))
    for group, options in sorted(ctx.groups.items()):
        if group in skipped:
            continue
        loaded: dict[str, tuple[YamlFile, OptionComposition, dict[str, object]]] = {}
        for opt in sorted(options):
            rel = f"{group}/{opt}.yaml"
            comp = composed.get(rel)
            if comp is not None:
                loaded[opt] = (ctx.files[rel], comp, comp.leaves())
        items = list(loaded.items())
        for i, j in _candidates([la for _, (_, _, la) in items]):
            (a, (fa, ca, la)), (b, (fb, cb, lb)) = items[i], items[j]
            if not la or set(la) != set(lb) or _series(a, b):
                continue
            diff = [k for k in la if not same_value(la[k], lb[k])]
            # leaves both options write themselves: what keeping one option would remove (a
            # value both inherit from one base is shared already)
            copied = sum(1 for k in la if k not in diff and ca.writer(k) != cb.writer(k))
            if not diff and copied >= MIN_IDENTICAL:
                how = f"is identical to {group}/{a} once composed ({copied} keys copied)"
            elif len(diff) == 1 and copied >= MIN_KEYS:
                k = diff[0]
                if _structured(la[k]) or _names_option(k, la[k], lb[k], a, b):
                    continue
                how = (
                    f"differs from {group}/{a} only in '{k}' ({la[k]!r} vs {lb[k]!r}) once"
                    f" composed ({copied} keys copied)"
                )
            else:
                continue
            yield Diagnostic(
                fb.shown,
                1,
                1,
                CODE,
                NAME,
                f"option '{group}/{b}' {how} ({fa.shown})",
                severity=LEVEL,
                fix=f"keep one option: make '{b}' extend it ('defaults: [{a}]') and set only what"
                " differs, or select the variant with an override",
            )
