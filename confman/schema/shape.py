"""The shape of many config values at one place, merged: what ``schema infer`` types from.

Each observation is plain data (an option file as written, or a composed config as
``validate`` sees it, resolved). A value written as an interpolation or ``???`` says nothing
about the type (``validate`` skips the first in option files, and reports the second apart), so
it only marks the key as present and not always typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Shape", "is_placeholder"]

_PATH_PART = re.compile(r"\[\d+\]|[^.\[\]]+")


def is_placeholder(value: Any) -> bool:
    """An interpolation or ``???``: a value whose type is only known once composed and run."""
    return isinstance(value, str) and ("${" in value or value == "???")


@dataclass
class Shape:
    """Everything seen at one config path.

    Attributes:
        kinds: the scalar and container kinds seen (``none``, ``bool``, ``int``, ``float``,
            ``str``, ``list``, ``dict``) and ``placeholder`` for interpolations and ``???``.
        seen: how many observations had a value here.
        dicts: how many of them were mappings (a field is required when every one has it).
        items: the merged shape of list elements.
        fields: the merged shape under each mapping key.
        odd_keys: a mapping had a key that is not a string (YAML ``1: x``).
        targets: the ``_target_`` strings seen on mappings here.
        groups: the config groups whose option was composed at this path.
        grouped: how many of the mappings seen here were a group's option.
        unresolved: why a value here could not resolve (``resolver 'multiply' is not registered
            (register it in ...)``): such a value stays as written, so it says nothing about
            the type.
    """

    kinds: set[str] = field(default_factory=set)
    seen: int = 0
    dicts: int = 0
    items: Shape | None = None
    fields: dict[str, Shape] = field(default_factory=dict)
    odd_keys: bool = False
    targets: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    grouped: int = 0
    unresolved: set[str] = field(default_factory=set)

    def add(self, value: Any) -> None:
        """Merge one observed value into this shape."""
        self.seen += 1
        if is_placeholder(value):
            self.kinds.add("placeholder")
        elif value is None:
            self.kinds.add("none")
        elif isinstance(value, bool):
            self.kinds.add("bool")
        elif isinstance(value, int):
            self.kinds.add("int")
        elif isinstance(value, float):
            self.kinds.add("float")
        elif isinstance(value, str):
            self.kinds.add("str")
        elif isinstance(value, list):
            self.kinds.add("list")
            self.items = self.items or Shape()
            for item in value:
                self.items.add(item)
        elif isinstance(value, dict):
            self.kinds.add("dict")
            self.dicts += 1
            for key, child in value.items():
                if not isinstance(key, str):
                    self.odd_keys = True
                    continue
                self.fields.setdefault(key, Shape()).add(child)
            target = value.get("_target_")
            if isinstance(target, str) and not is_placeholder(target):
                self.targets.add(target)
        else:
            self.kinds.add("placeholder")  # dates and other YAML types: not typed

    def at(self, path: str) -> Shape | None:
        """The shape at a dotted ``path`` below this one, if observed."""
        node: Shape | None = self
        for part in [p for p in path.split(".") if p]:
            node = node.fields.get(part) if node is not None else None
        return node

    def mark_unresolved(self, path: str, cause: str) -> None:
        """Note that the value at ``path`` (``a.b[0].c``, as validate names it) could not
        resolve here, and why."""
        node: Shape | None = self
        for part in _PATH_PART.findall(path):
            if node is None:
                return
            node = node.items if part.startswith("[") else node.fields.get(part)
        if node is not None:
            node.unresolved.add(cause)

    def required(self, parent: Shape) -> bool:
        """Present with a typed, non-null value in every mapping its parent was."""
        return self.seen >= parent.dicts and not self.kinds & {"none", "placeholder"}
