"""CM202 redundant-override: a value set to exactly what it already was.

What it does:
    In every composed config (each primary, and each primary with each experiment), finds writes
    that set a key to the value the previous write already gave it, for example an experiment
    setting ``trainer.max_epochs: 100`` when the trainer option already says 100. Also flags
    ``override /group: X`` in an experiment when X is already the primary's default. A write is
    reported only when it is redundant in every composition it takes part in.

Why it matters:
    Redundant overrides look like decisions. Readers assume the experiment changes something it
    does not, and when the default later moves, the copy silently pins the old value.

Example:
    # trainer/default.yaml         # experiment/long.yaml
    max_epochs: 100                trainer:
                                     max_epochs: 100   # CM202: same as trainer/default.yaml:1

Instead:
    Delete the line; ``confman lint --fix`` does it when recomposing proves nothing changes.

Options:
    none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import same_value

CODE = "CM202"
NAME = "redundant-override"
LEVEL: Severity = "warning"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    redundant: dict[tuple[str, int, str], str] = {}
    useful: set[tuple[str, int, str]] = set()
    for comp in ctx.compositions:
        for path, writes in comp.composed.provenance.items():
            for prev, cur in pairwise(writes):
                if (
                    cur.kind != "file"
                    or prev.kind != "file"
                    or cur.file is None
                    or cur.line is None
                ):
                    continue
                if cur.file == prev.file:
                    continue  # a duplicate key in one file is CM201
                key = (cur.file, cur.line, path)
                if same_value(prev.value, cur.value):
                    redundant.setdefault(key, f"{ctx.shown(prev.file)}:{prev.line}")
                else:
                    useful.add(key)
    for (file, line, path), where in sorted(redundant.items()):
        if (file, line, path) in useful:
            continue
        yield Diagnostic(
            ctx.shown(file),
            line,
            1,
            CODE,
            NAME,
            f"'{path}' is set to the value it already has from {where}",
            severity=LEVEL,
            fix="remove this line",
            key=path,
        )
    yield from _reselected_defaults(ctx)


def _reselected_defaults(ctx: LintContext) -> Iterator[Diagnostic]:
    defaults: dict[str, set[str | None]] = defaultdict(set)
    for primary in ctx.primaries:
        if not any(s.group == "experiment" and s.file == f"{primary}.yaml" for s in ctx.selections):
            continue
        base = ctx.base(primary)
        if base is None:
            continue
        for group, choice in base.composed.choices.items():
            option = choice.option
            defaults[group].add(option if isinstance(option, str) or option is None else None)
    for sel in ctx.selections:
        if not sel.override or not sel.file.startswith("experiment/"):
            continue
        chosen = defaults.get(sel.group)
        if chosen and chosen == {sel.option}:
            yield Diagnostic(
                ctx.shown(sel.file),
                sel.line,
                1,
                CODE,
                NAME,
                f"'override /{sel.group}: {sel.option}' re-selects the default option",
                severity=LEVEL,
                fix="remove this defaults entry",
                key=f"defaults.{sel.group}",
            )
