"""CM302 unknown-key: an experiment sets a key that nothing else in the config defines.

What it does:
    Composes each experiment and flags leaves written only by the experiment file: keys the
    primary and the selected group options do not have. Hydra merges them without complaint, so
    a typo (``optimizer.lrr``) silently adds a key and leaves the real one untouched. The
    message suggests the closest existing key.

Why it matters:
    The experiment claims to change the learning rate; the run used the default.

Example:
    # experiment/fast.yaml
    optimizer:
      lrr: 0.05      # CM302: unknown key 'optimizer.lrr', did you mean 'lr'?

Instead:
    Fix the spelling, or define the key (with a default) in the option that owns it.

Options:
    none.
"""

from __future__ import annotations

from collections.abc import Iterator

from omegaconf import DictConfig, OmegaConf

from confman.errors import did_you_mean
from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM302"
NAME = "unknown-key"
LEVEL: Severity = "error"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    seen: set[tuple[str, int]] = set()
    for comp in ctx.compositions:
        if not comp.overrides:
            continue
        exp_files = {
            f"experiment/{o.split('=', 1)[1]}.yaml"
            for o in comp.overrides
            if o.startswith("experiment=")
        }
        for path, writes in comp.composed.provenance.items():
            files = {w.file for w in writes if w.kind == "file"}
            if len(files) != 1 or not files <= exp_files:
                continue
            win = writes[-1]
            if win.file is None or (win.file, win.line or 1) in seen:
                continue
            parent, _, leaf = path.rpartition(".")
            node = (
                OmegaConf.select(comp.composed.config, parent) if parent else comp.composed.config
            )
            siblings = [
                k
                for k in (list(node.keys()) if isinstance(node, DictConfig) else [])
                if str(k) != leaf
                and _defined_elsewhere(comp, f"{parent}.{k!s}" if parent else str(k), exp_files)
            ]
            if parent and not siblings:
                continue  # a whole new section: the experiment owns it
            seen.add((win.file, win.line or 1))
            hint = did_you_mean(leaf, [str(s) for s in siblings])
            yield Diagnostic(
                ctx.shown(win.file),
                win.line or 1,
                1,
                CODE,
                NAME,
                f"unknown key '{path}': no primary or group option defines it"
                + (f"; {hint}" if hint else ""),
                severity=LEVEL,
                fix="fix the spelling or define the key where it belongs",
                key=path,
            )


def _defined_elsewhere(comp: object, prefix: str, exp_files: set[str]) -> bool:
    prov = comp.composed.provenance  # type: ignore[attr-defined]
    return any(
        (p == prefix or p.startswith(prefix + "."))
        and any(w.kind == "file" and w.file not in exp_files for w in ws)
        for p, ws in prov.items()
    )
