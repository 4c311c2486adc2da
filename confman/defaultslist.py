"""The defaults lists of a config tree as written, each entry with its file:line.

Hydra reports a bad defaults list (an option that does not exist, a group chosen twice, a
misspelled ``override``, ``_self_`` twice, a cycle) without saying which file and line hold the
entry. confman reads the same lists from the YAML files, only to point at that entry: what
composes is still decided by Hydra. Only files inside the config dir are read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confman.errors import ConfmanError
from confman.yamlsource import load_yaml_file

__all__ = ["Entry", "entries", "find_cycle", "reachable"]

#: Words Hydra reads before a group in a defaults entry (``override /db: pg``).
KEYWORDS = ("override", "optional")

#: Most configs walked when looking for an entry (a bound on hostile trees).
_MAX_CONFIGS = 2_000
#: Longest chain of configs followed when looking for a cycle.
_MAX_DEPTH = 200


@dataclass(frozen=True)
class Entry:
    """One entry of one defaults list.

    Attributes:
        config: the config path holding it (``db/pg``).
        where: ``file:line`` of the entry (the file relative to the config dir).
        key: the key as written (``override /db@backup``) for a group entry, else None.
        group: the group path it chooses (``db``), None for ``_self_`` or a config entry.
        words: the words written before the group (``override``, ``optional``, or typos).
        value: the option(s) chosen, or the config named by a plain entry.
    """

    config: str
    where: str
    key: str | None
    group: str | None
    words: tuple[str, ...]
    value: Any

    @property
    def line(self) -> int | None:
        tail = self.where.rsplit(":", 1)[-1]
        return int(tail) if tail.isdigit() else None

    def targets(self) -> Iterator[str]:
        """Config paths this entry loads (options as written; interpolations skipped)."""
        if self.group is None:
            if isinstance(self.value, str) and self.value != "_self_":
                yield _joined(posixpath.dirname(self.config), self.value)
            return
        values = self.value if isinstance(self.value, list) else [self.value]
        for option in values:
            if isinstance(option, str) and "${" not in option:
                yield posixpath.join(self.group, option.removesuffix(".yaml"))


def _joined(base: str, name: str) -> str:
    name = name.removesuffix(".yaml")
    if name.startswith("/"):
        return name.lstrip("/")
    return posixpath.join(base, name) if base else name


def _file(root: Path, config: str) -> Path | None:
    """The YAML file of ``config`` when it lies inside the config dir (links included)."""
    real_root = root.resolve()
    path = root / f"{config}.yaml"
    try:
        inside = path.is_file() and path.resolve().is_relative_to(real_root)
    except (OSError, ValueError):
        return None
    return path if inside else None


def entries(root: Path, config: str) -> list[Entry]:
    """The defaults-list entries of ``config`` in the tree at ``root`` (none if unreadable)."""
    path = _file(root, config)
    if path is None:
        return []
    name = f"{config}.yaml"
    try:
        parsed = load_yaml_file(path, name=name)
    except ConfmanError:
        return []
    data = parsed.data
    items = data.get("defaults") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    base = posixpath.dirname(config)
    found = []
    for index, item in enumerate(items):
        line = parsed.lines.get(f"defaults[{index}]")
        where = f"{name}:{line}" if line else name
        if isinstance(item, dict) and len(item) == 1:
            key, value = next(iter(item.items()))
            words = str(key).split(" ")
            group = words[-1].split("@")[0]
            found.append(
                Entry(config, where, str(key), _joined(base, group), tuple(words[:-1]), value)
            )
        else:
            found.append(Entry(config, where, None, None, (), item))
    return found


def reachable(root: Path, primary: str) -> Iterator[list[Entry]]:
    """The defaults lists of ``primary`` and of every config it reaches, breadth first."""
    seen = {primary}
    queue = [primary]
    while queue and len(seen) <= _MAX_CONFIGS:
        config = queue.pop(0)
        listed = entries(root, config)
        yield listed
        for entry in listed:
            for target in entry.targets():
                if target not in seen:
                    seen.add(target)
                    queue.append(target)


def find_cycle(root: Path, primary: str) -> list[Entry] | None:
    """Entries that lead from ``primary`` back to a config already on the path, in order."""
    path: list[str] = []
    via: list[Entry] = []
    done: set[str] = set()

    def visit(config: str) -> list[Entry] | None:
        if len(done) > _MAX_CONFIGS or len(path) > _MAX_DEPTH:
            return None
        path.append(config)
        for entry in entries(root, config):
            for target in entry.targets():
                if target in path:
                    return [*via[path.index(target) :], entry]
                if target in done or _file(root, target) is None:
                    continue
                via.append(entry)
                found = visit(target)
                if found:
                    return found
                via.pop()
        path.pop()
        done.add(config)
        return None

    if len(primary) > 0 and _file(root, primary) is not None:
        return visit(primary)
    return None
