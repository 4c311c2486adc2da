"""CM101 unused-key: a config key no code reads.

What it does:
    Reads the project's Python source with ``ast`` (never imports it) and collects what it reads
    from config objects: attribute chains and subscripts (``cfg.optimizer.lr``,
    ``cfg["optimizer"]["lr"]``), ``getattr(cfg, "lr")``, ``cfg.get("lr")``, subtrees passed whole
    to a function (``build(cfg.model)``, ``f(**cfg.model)``: all consumed) and to
    ``instantiate(cfg.model)``: when the ``_target_`` is a project function or class its
    signature is read from source and only the keys it accepts count. Keys referenced by
    interpolations of read keys are read too. A leaf of any composed config whose name the code
    never reads is flagged. Confidence (vulture-style) is 100 when the name appears nowhere in
    the source and 60 when it appears only as a plain variable, keyword or string.

Why it matters:
    Hydra cannot tell you (hydra#323). An unused key looks like a knob: people tune it, record
    it, compare runs on it, and it changes nothing.

Example:
    # trainer/default.yaml
    warmup_steps: 500     # CM101: no code reads 'trainer.warmup_steps'

Instead:
    Delete the key, or wire it into the code that should honour it.

Options:
    ``src`` (where the Python lives; default: the project minus tests) and ``ignore-keys``
    (globs of dotted keys read by code confman cannot see, e.g. ``hydra.*``).
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.composer import select
from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.interpolation import referenced

CODE = "CM101"
NAME = "unused-key"
LEVEL: Severity = "warning"


def _covered(path: str, prefixes: set[str]) -> bool:
    parts = path.split(".")
    return any(".".join(parts[:i]) in prefixes for i in range(1, len(parts) + 1))


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    ev = ctx.python
    if ev.files == 0:
        return  # no code, no evidence either way
    leaves: dict[str, tuple[str | None, int | None, object]] = {}
    consumed = {c for c in ev.consumed if not c.startswith("@")}
    instantiated = [r.split(":", 1)[1] for r in ev.consumed if r.startswith("@instantiate:")]
    for comp in ctx.compositions:
        for sub in instantiated:
            target = select(comp.composed, f"{sub}._target_")
            sig = ev.signatures.get(str(target)) or ev.signatures.get(
                str(target).rsplit(".", 1)[-1]
            )
            if sig is None or sig.var_keyword:
                consumed.add(sub)
            else:
                consumed |= {f"{sub}.{p}" for p in sig.params} | {f"{sub}._target_"}
        for path, writes in comp.composed.provenance.items():
            win = writes[-1]
            leaves.setdefault(path, (win.file, win.line, win.value))

    def read(path: str) -> bool:
        leaf = path.rsplit(".", 1)[-1]
        return (
            leaf in ev.names
            or path in ev.chains
            or _covered(path, consumed)
            or leaf.startswith("_")
        )

    done = {p for p in leaves if read(p)}
    # interpolations of read keys (absolute or relative, followed in turn) make targets read
    done |= referenced({p: v for p, (_, _, v) in leaves.items()}, done)
    reported: set[tuple[str, int]] = set()
    for path, (file, line, _) in sorted(leaves.items()):
        if path in done or file is None:
            continue
        where = (file, line or 1)
        if where in reported:
            continue
        reported.add(where)
        leaf = path.rsplit(".", 1)[-1]
        confidence = 60 if leaf in ev.identifiers else 100
        yield Diagnostic(
            ctx.shown(file),
            line or 1,
            1,
            CODE,
            NAME,
            f"no code reads '{path}' ({confidence}% confidence)",
            severity=LEVEL,
            fix="delete the key or read it in code",
            key=path,
            confidence=confidence,
        )
