"""Run records read in today's names: what diff, ``runs compare``, replay and CM102 compare.

A run recorded before ``optimizer.lr`` became ``optimizer.learning_rate`` stores the old name in
its config, raw config, provenance, overrides and access record. Compared as stored, every
rename shows up as a removed key beside an added one, replay composes an override the tree no
longer has, and CM102 takes the new key for one no run read. Readers ask this module for the
record as it reads after every declared change instead (:meth:`Plan.apply` on the configs,
:meth:`Plan.new_key` on each key path, :func:`migrate_overrides` on the overrides). The stored
record is never changed: each reader gets a copy, and ``runs show``/``runs export`` still print
what was recorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from confman.migrate.overrides import migrate_overrides
from confman.migrate.plan import Plan
from confman.migrate.project import load_plan
from confman.settings import Settings

if TYPE_CHECKING:
    from confman.diff.runtable import RunTable
    from confman.store import RunRecord
    from confman.store.interface import Store

__all__ = ["compare_current", "current", "current_records", "project_plan", "read_through"]


def project_plan(settings: Settings, *, schemas: bool = False) -> Plan:
    """The project's plan; empty (nothing to read through) when nothing is declared.

    Args:
        settings: the project's settings.
        schemas: also read ``renamed_to`` fields of the schemas ``[tool.confman.schemas]``
            binds, which imports them. Readers of records (diff, compare, replay, lint) leave
            it off: they import no project code, and work on trees the bindings do not fit.

    Raises:
        MigrationError: migrations that conflict or form a cycle.
    """
    schemas = schemas and bool(settings.raw.get("schemas"))
    if not settings.table.migrations and not schemas:
        return Plan()
    return load_plan(settings, schemas=schemas)


def read_through(record: RunRecord, plan: Plan) -> RunRecord:
    """A copy of ``record`` in today's names (``record`` itself when the plan is empty).

    Configs go through :meth:`Plan.apply`; provenance and access keys through
    :meth:`Plan.new_key` (a removed key's entries are dropped); overrides through
    :func:`migrate_overrides` (a removed key's override is dropped). The id, fingerprint and
    everything else stay as stored.
    """
    if not plan:
        return record
    provenance: dict[str, str] = {}
    for key, where in record.provenance.items():
        new = plan.new_key(key)
        if new is not None:
            provenance[new] = where
    accessed = None
    if record.accessed is not None:
        accessed = [new for key in record.accessed if (new := plan.new_key(key)) is not None]
    overrides, _ = migrate_overrides(record.overrides, plan)
    return dataclasses.replace(
        record,
        config=plan.apply(record.config),
        raw_config=plan.apply(record.raw_config),
        provenance=provenance,
        overrides=overrides,
        accessed=accessed,
    )


def current(record: RunRecord, settings: Settings) -> RunRecord:
    """``record`` read through the project's ``[[tool.confman.migrations]]`` (see
    :func:`read_through`)."""
    return read_through(record, project_plan(settings))


def current_records(records: Iterable[RunRecord], settings: Settings) -> list[RunRecord]:
    """Every record read through the project's migrations (the plan built once)."""
    plan = project_plan(settings)
    return [read_through(r, plan) for r in records]


def compare_current(
    store: Store,
    settings: Settings,
    refs: Sequence[str] | None = None,
    *,
    where: Sequence[str] = (),
    limit: int | None = None,
    ignore: tuple[str, ...] = (),
) -> RunTable:
    """``runs compare``'s table with every run read in today's names.

    Without migrations this is :func:`confman.diff.runtable.compare_stored` (only the store's
    nodes on differing paths are fetched); with them each run's config is fetched whole and
    read through the plan, so a key renamed between two runs is one column, not two.
    """
    from confman.diff.runtable import compare_many, compare_stored

    plan = project_plan(settings)
    if not plan:
        return compare_stored(store, refs, where=where, limit=limit, ignore=ignore)
    runs = store.tree_roots(where, refs=refs, limit=limit)
    configs = {run: plan.apply(store.get(run).config) for run in runs}
    return compare_many(configs, ignore=ignore)
