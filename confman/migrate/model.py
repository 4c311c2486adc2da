"""``[[tool.confman.migrations]]``: one table per change of the config's shape, with its version.

Each table says what one release changed, so old configs, overrides and run records can be
read in today's names::

    [[tool.confman.migrations]]
    version = "2.0"
    rename = {"optimizer.lr" = "optimizer.learning_rate"}
    move = {"trainer.seed" = "seed"}
    remove = ["trainer.legacy_flag"]
    values = {"optimizer.schedule" = {"invscaling" = "inverse_scaling"}}

``rename`` keeps a key under the same parent (only its last name changes); ``move`` puts it
anywhere, into another group's package included. This module only checks each table's shape
(it is imported when settings load, so it stays light); how the tables fit together is
:mod:`confman.migrate.plan`'s.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Migration", "version_key"]

_KEY = re.compile(r"[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*")


def _key(text: str) -> str:
    if not _KEY.fullmatch(text):
        raise ValueError(f"'{text}' is not a dotted key path (e.g. optimizer.lr)")
    return text


class Migration(BaseModel):
    """One ``[[tool.confman.migrations]]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(description="the release that made the change, e.g. '2.0'")
    rename: dict[str, str] = Field(default_factory=dict, description="old key -> new name")
    move: dict[str, str] = Field(default_factory=dict, description="old key -> new key path")
    remove: list[str] = Field(default_factory=list, description="keys that are gone")
    values: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="key -> {old value: new value}"
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("version must not be empty")
        return value.strip()

    @field_validator("rename", "move")
    @classmethod
    def _pairs(cls, value: dict[str, str]) -> dict[str, str]:
        for old, new in value.items():
            _key(old), _key(new)
            if old == new:
                raise ValueError(f"'{old}' is renamed to itself")
        return value

    @field_validator("remove")
    @classmethod
    def _removed(cls, value: list[str]) -> list[str]:
        return [_key(k) for k in value]

    @field_validator("values")
    @classmethod
    def _mapped(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for key in value:
            _key(key)
        return value

    @model_validator(mode="after")
    def _shape(self) -> Migration:
        for old, new in self.rename.items():
            if old.rpartition(".")[0] != new.rpartition(".")[0]:
                raise ValueError(
                    f"rename '{old}' -> '{new}' changes the parent: declare it as a move"
                )
        if not (self.rename or self.move or self.remove or self.values):
            raise ValueError(f"migration {self.version} declares no change")
        return self


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key of a version: numeric parts compare as numbers (``1.10`` after ``1.9``)."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-+]", version)
    )
