"""Configs that evolve: renames, moves, removals and value maps declared once and applied
everywhere (the YAML tree, command-line overrides, run records).

``[[tool.confman.migrations]]`` tables (:mod:`confman.migrate.model`) and pydantic fields marked
``deprecated=`` with a replacement (:mod:`confman.migrate.fields`) make one :class:`Plan`
(:mod:`confman.migrate.plan`); ``migrate()`` rewrites a tree with it and proves with plain Hydra
that every reachable composition changes only as declared.
"""

from __future__ import annotations

from confman.migrate.fields import renamed_to
from confman.migrate.model import Migration

__all__ = ["Migration", "renamed_to"]
