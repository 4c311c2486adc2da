"""CM301 broken-interpolation: an interpolation whose target is missing in some composition.

What it does:
    Composes every primary and every experiment and resolves each ``${...}`` leaf. When the key
    it points at does not exist in a composition, the writing line is flagged with the
    compositions where it breaks. Resolvers such as ``${oc.env:...}`` are not evaluated. A
    value that only breaks because a key it names is itself broken is not flagged again.

Why it matters:
    The run crashes at the first access, often hours in, or only for the one experiment that
    switched the group option which defined the target.

Example:
    # model/mlp.yaml
    in_features: ${data.n_features}   # CM301: data/wine.yaml has no n_features

Instead:
    Define the target in every option the interpolation can meet, or point at a key that is
    always there.

Options:
    none.

Known problems:
    A reference that is missing from the root but exists below an enclosing section
    (``${data.train_ds.x}`` written in ``model.data.validation_ds``) is not reported: code
    that hands that section on as a config of its own resolves it there. Nor is a key of a
    ``_target_`` node that the code passes to ``instantiate`` by keyword anywhere
    (``instantiate(cfg.scheduler, optimizer=opt)``): the written reference is a placeholder
    Hydra replaces before resolving it. The keyword is matched by name, not by call site.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import InterpolationKeyError

from confman.compose.plain import PlainComposed
from confman.compose.plaininterp import references_resolve
from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM301"
NAME = "broken-interpolation"
LEVEL: Severity = "error"
_PLAIN_REF = re.compile(r"\$\{(?![\w.]+:)")
_REFS = re.compile(r"\$\{([\w.\[\]-]+)\}")
_MISSING = re.compile(r"Interpolation key '([^']+)' not found")


def _direct(text: str, error: str) -> bool:
    """True when the missing key is one this value names itself, not one that a value it
    names refers to (``b: ${a}`` with ``a: ${nope}``: only ``a`` is broken at its source)."""
    missing = _MISSING.search(error)
    if missing is None:
        return True
    target = missing.group(1)
    return any(target == r or target.endswith(r.lstrip(".")) for r in _REFS.findall(text))


def _resolves_in_section(cfg: Any, path: str, error: str) -> bool:
    """The missing key exists below an enclosing section of ``path`` (``${data.x}`` written in
    ``model.data.y``, with ``model.data.x`` there): the section is meant to be handed on as a
    config of its own, whose root it then is (NeMo passes ``cfg.model`` to the model so)."""
    missing = _MISSING.search(error)
    if missing is None:
        return False
    target = missing.group(1)
    parts = path.split(".")[:-1]
    for end in range(len(parts), 0, -1):
        try:
            if OmegaConf.select(cfg, f"{'.'.join(parts[:end])}.{target}") is not None:
                return True
        except Exception:  # the target itself fails to resolve there: not proven
            continue
    return False


def _supplied_by_code(ctx: LintContext, cfg: Any, path: str) -> bool:
    """A ``_target_`` node's key that the code passes to ``instantiate`` itself
    (``optimizer: ${model.optimizer}`` with ``instantiate(cfg.x, optimizer=opt)``): the
    written reference is a placeholder replaced before it is resolved."""
    parent, _, key = path.rpartition(".")
    if key not in ctx.python.supplied:
        return False
    node = OmegaConf.select(cfg, parent, throw_on_resolution_failure=False) if parent else cfg
    return isinstance(node, DictConfig) and "_target_" in node


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    broken: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    messages: dict[tuple[str, int, str], str] = {}
    for comp in ctx.compositions:
        composed = comp.composed
        if isinstance(composed, PlainComposed) and references_resolve(composed.container):
            continue  # proven on the plain data; otherwise OmegaConf resolves, as below
        cfg = composed.config
        try:  # one resolve of the whole config is much cheaper than one select per leaf
            OmegaConf.to_container(cfg, resolve=True)
            continue
        except Exception:  # something fails: find which leaves, and why, below
            pass
        for path, writes in comp.composed.provenance.items():
            value = writes[-1].value
            text = str(value)
            if "${" not in text or not _PLAIN_REF.search(text):
                continue
            try:
                node = OmegaConf.select(cfg, path, throw_on_resolution_failure=True)
                if isinstance(node, ListConfig):
                    OmegaConf.to_container(node, resolve=True)
            except InterpolationKeyError as exc:
                if not _direct(text, str(exc)):
                    continue  # reported where the broken reference is written
                if _resolves_in_section(cfg, path, str(exc)):
                    continue
                if _supplied_by_code(ctx, cfg, path):
                    continue
                win = writes[-1]
                key = (ctx.shown(win.file), win.line or 1, path)
                broken[key].append(comp.label)
                messages[key] = str(exc).splitlines()[0]
            except Exception:  # resolver errors (oc.env unset, ...) are not this rule's business
                continue
    for (file, line, path), labels in sorted(broken.items()):
        yield Diagnostic(
            file,
            line,
            1,
            CODE,
            NAME,
            f"'{path}' interpolation breaks in {', '.join(labels)}: {messages[(file, line, path)]}",
            severity=LEVEL,
            fix="define the target in every composition or point elsewhere",
            key=path,
        )
