"""Composition errors placed at the defaults-list entry that causes them: a group chosen twice
(or a misspelled ``override`` keyword), defaults lists that include each other, and the entry
that selects a missing option. Hydra names only the config; confman reads the defaults lists
(:mod:`confman.defaultslist`) to point at the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from confman import defaultslist
from confman.errors import CompositionError, ConfmanError, did_you_mean

__all__ = ["chosen_twice", "cycle_error", "entry_naming"]

_MISSING_IN = re.compile(r"In '([^']+)': Could not (?:find|load) '([^']+)'")


def chosen_twice(root: Path, primary: str, group: str) -> ConfmanError | None:
    """A group chosen by two entries: a misspelled ``override`` keyword, or a real repeat."""
    chosen: list[defaultslist.Entry] = []
    for listed in defaultslist.reachable(root, primary):
        for entry in listed:
            unknown = [w for w in entry.words if w not in defaultslist.KEYWORDS]
            if entry.group == group and unknown:
                guess = did_you_mean(unknown[0], defaultslist.KEYWORDS)
                return CompositionError(
                    f"{entry.where}: '{unknown[0]}' is not a defaults-list keyword "
                    f"(in '{entry.key}')",
                    hint=f"{guess + ' ' if guess else ''}the keywords are 'override' and "
                    "'optional'; Hydra reads the entry as a second choice of "
                    f"'{entry.group}'",
                )
            if entry.group == group and "override" not in entry.words:
                chosen.append(entry)
    if len(chosen) < 2:
        return None
    first, second = chosen[0], chosen[1]
    return CompositionError(
        f"{second.where}: config group '{group}' is chosen a second time (first at {first.where})",
        hint=f"remove one entry, or write 'override {second.key}: ...' to replace the "
        "earlier choice",
    )


def cycle_error(root: Path, config_name: str | None) -> CompositionError:
    """The error for defaults lists that include each other, at the entry closing the cycle."""
    cycle = defaultslist.find_cycle(root, config_name) if config_name else None
    if not cycle:
        return CompositionError(
            f"the defaults lists starting at '{config_name}' include each other in a cycle",
            hint="a config lists itself in its defaults, directly or through other configs",
        )
    chain = " -> ".join([cycle[0].config, *(next(e.targets()) for e in cycle)])
    return CompositionError(
        f"{cycle[-1].where}: the defaults lists starting at '{config_name}' include each other "
        f"in a cycle: {chain}",
        hint="a config lists itself in its defaults, directly or through other configs; "
        "remove one entry of the cycle",
    )


def entry_naming(text: str, root: Path, missing: str) -> defaultslist.Entry | None:
    """The defaults entry of the config Hydra names (``In 'train': ...``) that selects
    ``missing``; None when an override selected it instead."""
    match = _MISSING_IN.search(text)
    if not match:
        return None
    return next(
        (e for e in defaultslist.entries(root, match.group(1)) if missing in e.targets()), None
    )
