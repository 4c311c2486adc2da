"""CM201 duplicate-key: the same key twice in one YAML mapping.

What it does:
    Flags a mapping key written a second time in the same mapping of one file.

Why it matters:
    PyYAML (and so Hydra) silently keeps the last value. Whoever edits the first occurrence
    changes nothing, and the file no longer says what the run used.

Example:
    optimizer:
      lr: 0.1
      momentum: 0.9
      lr: 0.01        # CM201: 'optimizer.lr' already set at line 2

Instead:
    Keep one definition. ``confman lint --fix`` removes the earlier, dead one when recomposing
    proves every composed config unchanged.

Options:
    none.
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM201"
NAME = "duplicate-key"
LEVEL: Severity = "error"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for yf in ctx.files.values():
        if yf.parsed is None:
            continue
        for dup in yf.parsed.duplicates:
            yield Diagnostic(
                yf.shown,
                dup.line,
                1,
                CODE,
                NAME,
                f"'{dup.path}' is already set at line {dup.first_line}; YAML keeps only this one",
                severity=LEVEL,
                fix=f"remove one of lines {dup.first_line} and {dup.line}",
                key=dup.path,
            )
