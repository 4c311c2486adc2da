"""CM101 unused-key: a config key no code reads.

What it does:
    Reads the project's Python source with ``ast`` (never imports it, never runs it) and
    collects what it reads from config objects: attribute chains and subscripts
    (``cfg.optimizer.lr``, ``cfg["optimizer"]["lr"]``), ``getattr(cfg, "lr")``,
    ``cfg.get("lr")``, ``OmegaConf.select(cfg, "optimizer.lr")``. It follows whole subtrees too
    (:mod:`confman.lint.configflow`): through local names, ``for`` loops and comprehensions over
    ``.items()``/``.values()``, and into project functions that receive them. A subtree that
    reaches ``hydra.utils.instantiate`` or ``call`` (under any import alias) or that carries a
    ``_target_`` is consumed by the target's constructor: its signature is read from the
    target's source file (the project's own, or an installed package's, located on disk and
    parsed, never imported; simple inheritance is followed), a key it accepts is used, and with
    ``**kwargs`` every key is. A registry node (``_name``/``_name_``), a target whose source
    cannot be found and a subtree handed to code we cannot read (``Trainer(**cfg.trainer)``,
    ``getattr(cfg, name)``) count as used. A key any interpolation points at (in the composed
    config or under ``hydra:``, e.g. ``hydra.run.dir: ${paths.log_dir}``) is used. Every other
    leaf of a composed config is flagged, once per file and line, only when no composition
    reads it. A primary config the code never names (when it names some) is skipped: the code
    that runs it is not in the sources; so is a ``+group=option`` probe of a group nothing
    selects (its keys land under a package no code was written for).

    An entrypoint that hands its whole config to code we cannot read (``Builder(cfg)`` from a
    library) may have any key read there: its config gets no findings. A subtree or the whole
    config that is only logged, printed or walked by a generic helper lowers the confidence.

    Confidence: ``90`` a ``_target_``'s constructor does not accept the key and no code reads
    it by path; ``80`` the key's name appears nowhere in the code; ``60`` it appears, but only
    as a plain variable, keyword or string; 10 less when the whole config is logged, 30 less
    when the key's subtree is logged or the config is walked by a helper. Under 50 a finding is
    ``info``. On the real-world corpus every finding from 50 to 80 held.

Why it matters:
    Hydra cannot tell you (hydra#323). An unused key looks like a knob: people tune it, record
    it, compare runs on it, and it changes nothing.

Example:
    # trainer/default.yaml
    warmup_steps: 500     # CM101: no code reads 'trainer.warmup_steps'

    # model/mlp.yaml, with class MLP: def __init__(self, hidden): ...
    _target_: net.MLP
    hidden: 64
    dropout: 0.1          # CM101: net.MLP does not accept 'dropout'

Instead:
    Delete the key, or wire it into the code that should honour it.

Options:
    ``src`` (where the Python lives; default: the project minus tests). Signatures of installed
    packages are read from the interpreter confman runs in.

Known problems:
    Evidence is by name: a key whose name is read anywhere (``self.dropout``) counts as read.
    Code that reads keys from strings built at run time, or a library that receives the whole
    config, is invisible; such findings carry the lower confidence. Project functions are
    matched to call sites by name, so two helpers of one name share what they do. A
    ``_target_`` class changed by a metaclass or a class decorator is treated as unknown, and
    so is an entrypoint's config when primaries of different folders share its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confman.lint.configflow import CHOSEN, ROOT_NAMES, Flow
from confman.lint.context import Composition, LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.interpolation import referenced, references
from confman.lint.pysource import PythonEvidence
from confman.lint.signatures import SignatureFinder

CODE = "CM101"
NAME = "unused-key"
LEVEL: Severity = "warning"

#: Confidence of each kind of evidence (see the docstring), and the level below which a finding
#: is only ``info``.
REJECTED, ABSENT, NAMED, INFO_BELOW = 90, 80, 60, 50
#: How much less sure a finding is when its subtree is logged or handed to unreadable code, or
#: when only the whole config is logged (most entrypoints print it).
RECORDED_PENALTY, ROOT_LOGGED_PENALTY, ROOT_OPAQUE_PENALTY = 30, 10, 30
_REGISTRY_KEYS = ("_name", "_name_")
#: how the path of a registry key or of a ``_target_`` ends
_SELECTOR_ENDS = (*_REGISTRY_KEYS, "_target_")
_ANCHOR = re.compile(r":\s*&([\w-]+)")


@dataclass(frozen=True)
class _Unused:
    path: str
    confidence: int
    reason: str


def _roots(ctx: LintContext) -> list[Path]:
    src = ctx.lint_settings.get("src") or []
    roots = [ctx.root]
    for s in src if isinstance(src, list) else []:
        path = ctx.root / str(s)
        roots += [path, path.parent] if path.is_dir() else [path.parent]
    return list(dict.fromkeys(roots))


def _strings(data: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, f"{key}.{k}" if key else str(k))
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v, key)
    elif isinstance(data, str) and "${" in data:
        yield key, data


def _hydra_references(ctx: LintContext) -> set[str]:
    """Absolute keys the ``hydra:`` nodes of the tree interpolate (``hydra.run.dir``)."""
    out: set[str] = set()
    for yf in ctx.files.values():
        data = yf.parsed.data if yf.parsed else None
        if yf.group and yf.group.split("/")[0] == "hydra":
            found = _strings(data, "hydra.x")
        elif isinstance(data, dict) and isinstance(data.get("hydra"), dict):
            found = _strings(data["hydra"], "hydra.x")
        else:
            continue
        for key, value in found:
            out.update(r for r in references(key, value) if not r.startswith("hydra."))
    return out


def _anchor_used(ctx: LintContext, file: str, line: int) -> bool:
    """The key's value carries a YAML anchor (``sample_rate: &sr 16000``) that an alias
    (``*sr``) elsewhere in the file copies: the key is how the file shares the value."""
    yf = ctx.files.get(file)
    if yf is None or not 0 < line <= len(yf.lines):
        return False
    anchor = _ANCHOR.search(yf.lines[line - 1])
    if anchor is None:
        return False
    alias = re.compile(rf"\*{re.escape(anchor.group(1))}\b")
    return any(alias.search(text) for text in yf.lines)


def _children(paths: Iterable[str]) -> dict[str, set[str]]:
    """Each node path ("" for the root) -> the names of the keys under it, from leaf paths."""
    children: dict[str, set[str]] = {}
    for path in paths:
        node = path
        while node:
            parent, _, name = node.rpartition(".")
            kids = children.get(parent)
            if kids is not None:
                kids.add(name)
                break  # a known node: everything above it is known already
            children[parent] = {name}
            node = parent
    return children


class _Judge:
    """One composition's view: which of its leaves are read, and why the others are not."""

    def __init__(self, ev: PythonEvidence, finder: SignatureFinder, comp: Composition) -> None:
        self.ev = ev
        self.finder = finder
        self.values = {p: w[-1].value for p, w in comp.composed.provenance.items()}
        self.children = _children(self.values)
        self.opaque: set[str] = set()  # node paths whose keys code we cannot see may read
        self.recorded: set[str] = set()  # node paths that are only logged or printed
        self.root_logged = self.root_opaque = self.root_handed = False
        own = comp.primary in {f.primary for f in ev.flows}
        for flow in ev.flows:
            if own and flow.primary and flow.primary != comp.primary:
                continue  # another entrypoint's config (one no entrypoint names takes all)
            walker = flow.exact and flow.path[:1] == ("*",)  # print_tree(cfg[k] for k in cfg)
            for node in self._matches(flow):
                if node == "" or walker:  # the whole config: logged (common) or handed on
                    if flow.kind == "logged":
                        self.root_logged = True
                    elif flow.kind == "opaque" and flow.primary and not walker:
                        self.root_handed = True  # this entrypoint hands its whole config on
                    elif flow.kind == "opaque":
                        self.root_opaque = True
                elif flow.kind == "logged":
                    self.recorded.add(node)
                elif flow.kind == "opaque" or "_target_" not in self.children.get(node, ()):
                    self.opaque.add(node)
        for path in self.values:
            if not path.endswith(_SELECTOR_ENDS):
                continue  # (a cheap test first: most leaves are neither)
            parent, _, leaf = path.rpartition(".")
            if leaf in _REGISTRY_KEYS:  # registry-style instantiation: signature unknown
                self.opaque.add(parent)
            elif leaf == "_target_":
                target = self.values[path]
                sig = None if "${" in str(target) else self.finder.find(str(target))
                if sig is None or sig.var_keyword:
                    self.opaque.add(parent)

    def _expand(self, pattern: tuple[str, ...]) -> list[str]:
        nodes = [""]
        for part in pattern:
            nxt = []
            for node in nodes:
                if isinstance(self.values.get(node), list):  # a list leaf holds its items
                    nxt.append(node)
                    continue
                kids = self.children.get(node, set())
                for kid in kids if part in ("*", CHOSEN) else ({part} & kids):
                    nxt.append(f"{node}.{kid}" if node else kid)
            nodes = nxt
            if not nodes:
                break
        return nodes

    def _matches(self, flow: Flow) -> list[str]:
        path = flow.path
        if flow.exact:
            return self._expand(path)
        while path:  # self.cfg.model -> cfg.model, then model
            found = self._expand(path)
            if found or path[0] not in ROOT_NAMES:
                return found
            path = path[1:]
        return []

    @staticmethod
    def _under(path: str, nodes: set[str]) -> bool:
        if not nodes:
            return False
        if "" in nodes:
            return True
        while path:
            if path in nodes:
                return True
            path = path.rpartition(".")[0]
        return False

    def _target(self, path: str) -> tuple[str, str] | bool:
        """Whether the nearest ``_target_`` node above ``path`` takes its key (True), rejects
        it (the key and the target), or there is none (False)."""
        parts = path.split(".")
        for i in range(len(parts) - 1, -1, -1):
            node = ".".join(parts[:i])
            target = self.values.get(f"{node}._target_" if node else "_target_")
            if target is None:
                continue
            sig = self.finder.find(str(target)) if "${" not in str(target) else None
            if sig is None or sig.var_keyword or parts[i] in sig.params:
                return True
            return parts[i], sig.where
        return False

    def unused(self, path: str, interpolated: set[str]) -> _Unused | None:
        ev = self.ev
        leaf = path.rsplit(".", 1)[-1]
        if leaf.startswith("_") or path in interpolated or self._under(path, self.opaque):
            return None
        if self.root_handed:
            return None  # its entrypoint hands the whole config to code we cannot read
        if self.root_opaque:
            penalty = ROOT_OPAQUE_PENALTY
        elif self._under(path, self.recorded):
            penalty = RECORDED_PENALTY
        else:
            penalty = ROOT_LOGGED_PENALTY if self.root_logged else 0
        rejected = self._target(path)
        if rejected is True:
            return None
        if rejected is not False:
            key, where = rejected
            if any(path.endswith(c) for c in ev.chains if "." in c):
                return None
            confidence = (REJECTED if leaf not in ev.names else NAMED) - penalty
            return _Unused(path, confidence, f"{where} does not accept '{key}'")
        if leaf in ev.names or path in ev.chains or leaf in ev.fields:
            return None  # read by name, or declared by a schema class (a dataclass field)
        confidence = (NAMED if leaf in ev.identifiers else ABSENT) - penalty
        return _Unused(path, confidence, "")


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    ev = ctx.python
    if ev.files == 0:
        return  # no code, no evidence either way
    finder = SignatureFinder(_roots(ctx))
    hydra_refs = _hydra_references(ctx)
    named = ev.config_names & set(ctx.primaries)
    verdicts: dict[tuple[str, int], _Unused | None] = {}
    for comp in ctx.compositions:
        if named and comp.primary not in named:
            continue  # the code that runs this primary is not in the sources
        if any(o.startswith("+") for o in comp.overrides):
            continue  # a probe (+group=option) places keys where no code may look for them
        judge = _Judge(ev, finder, comp)
        interpolated = referenced(judge.values)
        if hydra_refs:
            interpolated |= {p for p in judge.values if _Judge._under(p, hydra_refs)}
        for path, writes in comp.composed.provenance.items():
            win = writes[-1]
            if win.file is None:
                continue
            where = (win.file, win.line or 1)
            if where in verdicts and verdicts[where] is None:
                continue
            found = judge.unused(path, interpolated)
            before = verdicts.get(where, found)
            if found is None or before is None:
                verdicts[where] = None
            else:
                verdicts[where] = min(found, before, key=lambda u: u.confidence)
    for (file, line), found in sorted(verdicts.items()):
        if found is None or _anchor_used(ctx, file, line):
            continue
        reason = f"; {found.reason}" if found.reason else ""
        yield Diagnostic(
            ctx.shown(file),
            line,
            1,
            CODE,
            NAME,
            f"no code reads '{found.path}'{reason} ({found.confidence}% confidence)",
            severity=LEVEL if found.confidence >= INFO_BELOW else "info",
            fix="delete the key or read it in code",
            key=found.path,
            confidence=found.confidence,
        )
