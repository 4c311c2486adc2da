"""Evidence from recorded runs: which keys the code read when it actually ran.

Runs recorded by ``@confman.main`` (or the ``RecordRun`` callback) keep the dotted keys the code
read through the tracking proxy (``RunRecord.accessed``). The lint reads them from the run store
the CLI uses (``CONFMAN_STORE``, ``[tool.confman] store``, ``.confman/runs.db``), and only when
that store already exists: linting never creates a store, and only queries it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from confman.lint.context import LintContext
from confman.lint.interpolation import referenced
from confman.provenance import iter_leaves
from confman.settings import Settings
from confman.storeurl import store_exists, store_url

if TYPE_CHECKING:
    from confman.store import RunRecord

__all__ = ["RunAccess", "read_run_access", "run_access"]


@dataclass
class RunAccess:
    """Per primary config: for each key present in a run's config, how many runs had it and
    whether any of them read it.

    Attributes:
        runs: runs with access records, per primary config name.
        present: key -> number of those runs whose config had the key, per primary.
        read: keys some run read, with every prefix of them (a list element read,
            ``metrics.0``, reads the list ``metrics``, which is one leaf), per primary.
        selections: every ``(group, option)`` some recorded run chose (tracked or not).
        store: the store URL read, for messages.
        problem: why the store could not be read, when it could not.
    """

    runs: dict[str, int] = field(default_factory=dict)
    present: dict[str, dict[str, int]] = field(default_factory=dict)
    read: dict[str, set[str]] = field(default_factory=dict)
    selections: set[tuple[str, str]] = field(default_factory=set)
    store: str = ""
    problem: str | None = None

    def unread(self, primary: str, key: str, values: dict[str, Any] | None = None) -> int:
        """Runs of ``primary`` whose config had ``key`` while none read it (0: no evidence).

        ``values`` (dotted key -> raw value of the composition) lets a read key's
        interpolations count as reads of their targets: reading ``model.num_classes:
        ${data.num_classes}`` reads ``data.num_classes``, though the proxy records only the
        first.
        """
        seen = self.present.get(primary, {}).get(key, 0)
        if not seen:
            return 0
        read = self.read.get(primary, set())
        if values is not None:
            read = read | referenced(values, [k for k in values if k in read])
        return 0 if key in read else seen


def read_run_access(settings: Settings, primaries: list[str]) -> RunAccess:
    """Read the access records of every run of ``primaries`` and the options every run chose,
    from the configured store (one query over all runs)."""
    url = store_url(settings)
    out = RunAccess(store=url)
    if not store_exists(url):
        return out
    # imported only for a store that exists (most linted projects have none)
    from confman.migrate.plan import MigrationError
    from confman.migrate.records import current_records
    from confman.store import StoreError, open_store

    try:
        with open_store(url, settings=settings) as store:
            records = store.query()
            damage = store.damage
        records = current_records(records, settings)  # runs from before a rename line up
    except (StoreError, MigrationError) as exc:
        out.problem = exc.message
        return out
    if damage is not None:  # some runs unreadable: "no run read it" could be wrong
        out.problem = damage.message
        return out
    for rec in records:
        for group, option in (rec.choices or {}).items():
            options = option if isinstance(option, list) else [option]
            out.selections |= {(str(group), str(o)) for o in options if o is not None}
    for primary in primaries:
        _collect(out, primary, [r for r in records if r.config_name == primary])
    return out


#: the last context asked about (weakly: a finished lint's context is not kept alive) and its
#: answer
_last: tuple[weakref.ref[LintContext], RunAccess] | None = None


def run_access(ctx: LintContext) -> RunAccess:
    """``read_run_access`` for a lint context, read once however many rules ask."""
    global _last
    if _last is None or _last[0]() is not ctx:
        _last = (weakref.ref(ctx), read_run_access(ctx.settings, ctx.primaries))
    return _last[1]


def _collect(out: RunAccess, primary: str, records: list[RunRecord]) -> None:
    present: dict[str, int] = {}
    read: set[str] = set()
    runs = 0
    for rec in records:
        accessed = rec.accessed
        if accessed is None:
            continue  # recorded without tracking: says nothing about reads
        runs += 1
        for key, _ in iter_leaves(rec.config or {}):
            present[key] = present.get(key, 0) + 1
        for key in accessed:
            parts = str(key).split(".")
            # a list element read (``metrics.0``) reads the list, which is one leaf
            read.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    if runs:
        out.runs[primary] = runs
        out.present[primary] = present
        out.read[primary] = read
