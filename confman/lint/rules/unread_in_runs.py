"""CM102 unread-in-runs: a config key that no recorded run of its config read.

What it does:
    Reads the run store (the one ``confman runs`` uses; only when it already exists) and, for
    every primary config with at least one run recorded with access tracking
    (``@confman.main`` records the keys the code read), flags each key of the current
    composition that was present in those runs' configs and read by none of them. The message
    gives the number of runs considered. Runs recorded without tracking are ignored; a key no
    tracked run had (added since) is not judged.

Why it matters:
    Static analysis (CM101) sees a name in the code; runs show what the code really did. A key
    that dozens of runs carried and never read is a knob that changes nothing in practice:
    often a dead branch (``if cfg.calibration.enabled``) or code that reads a renamed key.

Example:
    # conf/trainer/default.yaml
    warmup_steps: 500   # CM102: no recorded run of 'train' read 'trainer.warmup_steps' (12 runs)

Instead:
    Delete the key, or run the code path that uses it. A subtree handed to a library through
    ``confman.unwrap`` is read untracked: list such keys in ``ignore-keys``.

Options:
    ``ignore-keys`` (globs of dotted keys); the store is ``CONFMAN_STORE`` or
    ``[tool.confman] store`` (default ``.confman/runs.db``).
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.runevidence import run_access

CODE = "CM102"
NAME = "unread-in-runs"
LEVEL: Severity = "info"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    access = run_access(ctx)
    if access.problem:
        yield Diagnostic(
            "pyproject.toml", 0, 1, "CM000", "input-error", access.problem, severity="error"
        )
    reported: set[tuple[str, int]] = set()
    for primary, runs in sorted(access.runs.items()):
        comps = sorted(
            (c for c in ctx.compositions if c.primary == primary), key=lambda c: len(c.overrides)
        )
        seen: set[str] = set()  # the primary on its own comes first: its file:line wins
        for comp in comps:
            values = {p: ws[-1].value for p, ws in comp.composed.provenance.items() if ws}
            for path, writes in sorted(comp.composed.provenance.items()):
                if path in seen:
                    continue
                seen.add(path)
                win = writes[-1]
                considered = access.unread(primary, path, values)
                if not considered or win.file is None or win.kind != "file":
                    continue
                where = (win.file, win.line or 1)
                if where in reported:
                    continue
                reported.add(where)
                yield Diagnostic(
                    ctx.shown(win.file),
                    win.line or 1,
                    1,
                    CODE,
                    NAME,
                    f"no recorded run of '{primary}' read '{path}' ({considered} of {runs} "
                    "tracked run(s) had it)",
                    severity=LEVEL,
                    fix="delete the key, or exercise the code that reads it",
                    key=path,
                )
