"""Delta debugging: the smallest set of changes whose presence makes the outcome bad.

This is Zeller's recursive ``dd`` (*Yesterday, my program worked*, 1999), the form of delta
debugging that finds the changes that are needed *together*: split the changes in two; if one
half with everything kept fails, recurse into it; if neither fails alone, the culprits are on
both sides, so minimise the first half with the second applied, then the second with the first
half's culprits applied. One culprit among n costs at most 2·log2(n) probes; k culprits about
2·k·log2(n). The two probes of a split are independent, so with ``jobs >= 2`` they run
together; with one job the second is skipped when the first already fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

__all__ = ["Tester", "Verdict", "minimize"]

Verdict = Literal["bad", "good", "unresolved"]
#: Judges a batch of subsets (each a sorted tuple of change indices), verdicts in order.
Tester = Callable[[Sequence[tuple[int, ...]]], list[Verdict]]


def minimize(n_changes: int, test: Tester, *, jobs: int = 1) -> tuple[int, ...]:
    """A minimal failing subset of ``range(n_changes)``, the whole set being known bad."""
    return tuple(sorted(_dd(tuple(range(n_changes)), (), test, jobs)))


def _dd(
    changes: tuple[int, ...], kept: tuple[int, ...], test: Tester, jobs: int
) -> tuple[int, ...]:
    if len(changes) <= 1:
        return changes
    half = len(changes) // 2
    first, second = changes[:half], changes[half:]
    probes = [tuple(sorted(first + kept)), tuple(sorted(second + kept))]
    if jobs >= 2:
        verdicts = test(probes)
    else:
        verdicts = test(probes[:1])
        if verdicts[0] != "bad":
            verdicts += test(probes[1:])
    if verdicts[0] == "bad":
        return _dd(first, kept, test, jobs)
    if verdicts[1] == "bad":
        return _dd(second, kept, test, jobs)
    found = _dd(first, second + kept, test, jobs)
    return found + _dd(second, found + kept, test, jobs)
