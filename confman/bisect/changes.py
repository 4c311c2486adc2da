"""The changes a bisect searches: the Hydra overrides that turn GOOD into BAD, as units.

They come from ``confman diff --format overrides`` (:func:`override_lines` over the diff's
``Change`` values), so a group choice is one change that brings its files' values, and each
other leaf one more. Overrides that only make sense together (``~key`` and the ``+key...``
that rebuilds it) form one unit. Each unit keeps the diff's provenance: where GOOD and BAD
got the value.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.diff import Change, Side, compare_sides, load_side
from confman.diff.render.overrides import override_lines

__all__ = ["Culprit", "Unit", "units_between"]


@dataclass(frozen=True)
class Unit:
    """One change: the overrides that make it and the diff's changes behind them."""

    overrides: tuple[str, ...]
    changes: tuple[Change, ...] = ()

    @property
    def key(self) -> str:
        first = self.overrides[0].lstrip("+~")
        return first.partition("=")[0].partition("@")[0]


@dataclass(frozen=True)
class Culprit:
    """A culprit as reported: key, override, values and where each side set it."""

    key: str
    override: str
    old: Any = None
    new: Any = None
    kind: str = ""
    good_source: str | None = None
    bad_source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {
            "key": self.key,
            "override": self.override,
            "kind": self.kind,
            "good": self.old,
            "bad": self.new,
            "good_source": self.good_source,
            "bad_source": self.bad_source,
        }
        return {k: v for k, v in data.items() if v is not None or k in ("good", "bad")}


def _root(line: str) -> str:
    return line.lstrip("+~").partition("=")[0].partition("@")[0]


def units_between(good: Side, bad: Side, *, groups: Collection[str] = ()) -> list[Unit]:
    """The override units that turn ``good`` into ``bad`` (secret changes are left out).

    ``groups`` names the tree's top-level config groups (see :func:`tree_groups`).
    """
    changes = compare_sides(good, bad)
    lines = override_lines(changes, good, bad, groups=groups)
    lines = [line for line in lines if not line.startswith("#")]
    deleted = [_root(line) for line in lines if line.startswith("~")]
    grouped: dict[str, list[str]] = {}
    for line in lines:
        root = _root(line)
        owner = next((d for d in deleted if root == d or root.startswith(d + ".")), root)
        grouped.setdefault(owner, []).append(line)
    units = []
    for owner, members in grouped.items():
        related = tuple(
            c
            for c in changes
            if (c.path if c.kind == "choice" else c.leaf) == owner
            or (c.leaf or c.path).startswith(owner + ".")
        )
        units.append(Unit(tuple(members), related))
    return units


def culprit(unit: Unit) -> Culprit:
    """How a unit is reported."""
    change = unit.changes[0] if unit.changes else None
    return Culprit(
        key=unit.key,
        override=" ".join(unit.overrides),
        old=change.old if change else None,
        new=change.new if change else None,
        kind=change.kind if change else "",
        good_source=change.old_source.location if change and change.old_source else None,
        bad_source=change.new_source.location if change and change.new_source else None,
    )


def load_sides(
    good: str,
    bad: str,
    *,
    good_overrides: Sequence[str] = (),
    bad_overrides: Sequence[str] = (),
    config_dir: Path | None = None,
) -> tuple[Side, Side]:
    """GOOD and BAD as a user names them (runs, files, configs), unresolved as overrides want."""
    return (
        load_side(good, good_overrides, config_dir=config_dir, resolve=False),
        load_side(bad, bad_overrides, config_dir=config_dir, resolve=False),
    )
