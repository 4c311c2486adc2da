"""The project's migration plan: ``[[tool.confman.migrations]]`` and the ``renamed_to`` fields of
the schemas ``[tool.confman.schemas]`` binds (:func:`confman.migrate.records.project_plan` is the
readers' view of it, which imports no project code)."""

from __future__ import annotations

from confman.migrate.plan import Plan, Step, build_plan
from confman.settings import Settings

__all__ = ["load_plan"]


def load_plan(settings: Settings, *, schemas: bool = True) -> Plan:
    """The project's plan: ``[[tool.confman.migrations]]`` and ``renamed_to`` schema fields.

    Raises:
        MigrationError: migrations that conflict or form a cycle.
    """
    extra: list[Step] = []
    if schemas and settings.raw.get("schemas"):
        from confman.migrate.fields import schema_steps
        from confman.schema.binding import load_bindings

        extra = schema_steps(load_bindings(settings))
    origin = settings.source.name if settings.source else "pyproject.toml"
    return build_plan(settings.table.migrations, extra, origin=origin)
