"""CM103 dead-option: a group option nothing selects.

What it does:
    Flags an option file (``model/old_cnn.yaml``) that no defaults list, no experiment, no
    ``group=option`` string in the Python source and no recorded run selects (the run store
    ``confman runs`` uses, when it exists: an option chosen on the command line of a real run
    is alive). Options of the
    ``experiment`` group are chosen on the command line and are never flagged.

Why it matters:
    Dead options rot: they stop composing when keys move, and readers cannot tell which model
    configs are real.

Example:
    conf/model/old_cnn.yaml   # CM103: nothing selects model=old_cnn

Instead:
    Delete the file, or reference it from an experiment so it is composed and linted.

Options:
    none.
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.runevidence import run_access

CODE = "CM103"
NAME = "dead-option"
LEVEL: Severity = "warning"


def selected(ctx: LintContext) -> set[tuple[str, str]]:
    """Every (group, option) some defaults list, composition, code string or run selects."""
    chosen = {(s.group, s.option) for s in ctx.selections if s.option is not None}
    for comp in ctx.compositions:
        for group, choice in comp.composed.choices.items():
            options = choice.option if isinstance(choice.option, list) else [choice.option]
            chosen |= {(group, str(o)) for o in options if o is not None}
    chosen |= ctx.python.selections
    chosen |= ctx.run_selections | run_access(ctx).selections
    return chosen


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    chosen = selected(ctx)
    for group, options in sorted(ctx.groups.items()):
        if group == "experiment" or group.startswith("hydra"):
            continue
        for option in sorted(options):
            if (group, option) in chosen:
                continue
            yf = ctx.files[f"{group}/{option}.yaml"]
            yield Diagnostic(
                yf.shown,
                1,
                1,
                CODE,
                NAME,
                f"nothing selects {group}={option} (no defaults list, experiment, code or run)",
                severity=LEVEL,
                fix="delete the option or select it from an experiment",
            )
