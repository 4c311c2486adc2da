"""What a diff is made of: the two sides being compared and the ``Change`` values between them.

Renderers and the Python API consume these plain values; nothing here knows about DeepDiff,
Hydra's loader or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from confman.provenance import Write

__all__ = ["REDACTED", "Change", "ChangeKind", "Side"]

ChangeKind = Literal["choice", "changed", "type_changed", "added", "removed"]

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Side:
    """One side of a diff: a config as plain data, plus what is known about where it came from.

    Attributes:
        label: how the side is named in output (``train[model=vit]``, ``run 3f2a1c``, a path).
        config: the config as plain nested dicts and lists.
        provenance: per dotted leaf, its write history (winner last); empty when unknown.
        choices: group -> chosen option, for composed configs and Hydra run dirs.
        overrides: the Hydra overrides this side was composed with.
        kind: ``file``, ``composed``, ``git`` or ``run``.
        unresolved: per dotted leaf whose interpolation cannot resolve here (``${hydra:...}``
            outside a run, an unregistered resolver, a missing key), why; its value is as written.
    """

    label: str
    config: dict[str, Any]
    provenance: dict[str, tuple[Write, ...]] = field(default_factory=dict)
    choices: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()
    kind: str = "file"
    unresolved: dict[str, str] = field(default_factory=dict)

    @property
    def knows_choices(self) -> bool:
        """Whether this side says which group options it was made of: a composed config or a
        run does; a saved file without Hydra's ``hydra.yaml`` beside it does not."""
        return bool(self.choices) or self.kind in ("composed", "run")

    def source(self, leaf: str) -> Write | None:
        """The write that set ``leaf``'s value on this side, if known."""
        history = self.provenance.get(leaf)
        return history[-1] if history else None


@dataclass(frozen=True)
class Change:
    """One difference between side A and side B.

    Attributes:
        path: dotted key path (a changed list is one change, shown whole); for a ``choice``
            change, the group (``model``).
        kind: ``choice`` (a config group option differs), ``changed``, ``type_changed``,
            ``added`` (only in B) or ``removed`` (only in A).
        old: A's value (None when added); ``REDACTED`` for secrets.
        new: B's value (None when removed); ``REDACTED`` for secrets.
        leaf: the dotted leaf the change is in (the same as ``path`` for a leaf change);
            provenance and overrides work on leaves, because Hydra merges lists as a whole.
        old_source: the write that set A's value (file:line or CLI override), when known.
        new_source: the write that set B's value, when known.
        group: for a leaf change, the group whose option change implies it; else None.
        secret: the key names a secret: values are never shown, only that they changed.
        old_unresolved: A's value holds an interpolation that cannot resolve here, so it is
            compared as written (see ``Side.unresolved``).
        new_unresolved: the same for B's value.
    """

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None
    leaf: str = ""
    old_source: Write | None = None
    new_source: Write | None = None
    group: str | None = None
    secret: bool = False
    old_unresolved: bool = False
    new_unresolved: bool = False

    @property
    def unresolved(self) -> bool:
        """Either side's value is as written (its interpolation cannot resolve here)."""
        return self.old_unresolved or self.new_unresolved

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (sources in DESIGN.md's provenance shape)."""
        data: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind != "added":
            data["old"] = self.old
        if self.kind != "removed":
            data["new"] = self.new
        if self.group is not None:
            data["group"] = self.group
        if self.secret:
            data["secret"] = True
        if self.old_unresolved:
            data["old_unresolved"] = True
        if self.new_unresolved:
            data["new_unresolved"] = True
        for name, write in (("old_source", self.old_source), ("new_source", self.new_source)):
            if write is not None:
                shown = write.to_json()
                if self.secret:
                    shown.pop("value", None)
                data[name] = shown
        return data
