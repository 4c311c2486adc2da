"""CM208 restated-base-value: a line that repeats what the config's own base already gives.

What it does:
    For every config that extends another through its own defaults list (``defaults:
    [default]``, ``- base``, ``- /experiment/pile/base``, listed before ``_self_``), merges the
    bases as Hydra would and reports each line of the config that sets a key to exactly the
    value its bases already give there. Only configs that no composition merges are examined:
    in a composed config the same line is CM202's (redundant-override), reported once there.

Why it matters:
    The variant is meant to say how it differs from its base. A restated value hides the real
    differences among copies, and when the base changes, the restatement silently keeps the old
    value in this variant only.

Example:
    # callbacks/default.yaml        # callbacks/wandb.yaml
    model_checkpoint:               defaults:
      monitor: val/loss               - default
      mode: min                     model_checkpoint:
                                      mode: min        # CM208: callbacks/default.yaml gives it

Instead:
    Delete the line; the base still gives the value.

Options:
    none.

Known problems:
    A key that other files of the same folder set to different values is the option's own
    setting (``accelerator: cpu`` in ``trainer/cpu.yaml``) and is not reported, even when it
    equals what the base gives today. A base placed at another package (a ``# @package``
    differing from the config's own), an entry with an interpolation, or a group entry whose
    option lands at the root makes the config's bases unknown, and the config is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from confman.lint.bases import composed_files, given, own_leaves, sibling_values
from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import same_value

CODE = "CM208"
NAME = "restated-base-value"
LEVEL: Severity = "warning"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    composed: set[str] | None = None
    memo: dict[str, dict[str, list[Any]]] = {}
    for rel, yf in sorted(ctx.files.items()):
        if yf.parsed is None or not isinstance(yf.parsed.data, dict):
            continue
        if not yf.parsed.data.get("defaults"):
            continue
        if composed is None:
            composed = composed_files(ctx)
        if rel in composed:
            continue  # CM202 judges its lines in every composition it takes part in
        base = given(ctx, yf)
        if base is None:
            continue
        siblings = sibling_values(ctx, yf, memo)
        for path, value in own_leaves(yf.parsed.data):
            if path not in base.values or not base.known(path):
                continue
            if not same_value(base.values[path], value):
                continue
            if any(not same_value(v, value) for v in siblings.get(path, [])):
                continue  # siblings set it otherwise: the line states this option's own choice
            if isinstance(value, dict):
                continue  # an empty mapping restates nothing worth a line
            source = base.origin.get(path)
            where = f"{ctx.shown(source)}:{_line(ctx, source, path)}"
            yield Diagnostic(
                yf.shown,
                yf.parsed.lines.get(path, 1),
                1,
                CODE,
                NAME,
                f"'{path}: {value!r}' restates the value its base already gives ({where})",
                severity=LEVEL,
                fix="delete the line; the base gives the value",
                key=path,
            )


def _line(ctx: LintContext, rel: str | None, path: str) -> int:
    yf = ctx.files.get(rel or "")
    return yf.parsed.lines.get(path, 1) if yf is not None and yf.parsed is not None else 1
