"""CM202 redundant-override: a value set to exactly what it already was.

What it does:
    In every composed config (each primary, and each primary with each experiment), finds writes
    that set a key to the value the previous write already gave it, for example an experiment
    setting ``trainer.max_epochs: 100`` when the trainer option already says 100. Also flags an
    ``override /group: X`` defaults entry when X is exactly the selection it replaces: the same
    option, or for a multi-select group the same list in the same order. A write or an entry is
    reported only when it is redundant in every composition it takes part in.

Why it matters:
    Redundant overrides look like decisions. Readers assume the experiment changes something it
    does not, and when the default later moves, the copy silently pins the old value.

Example:
    # trainer/default.yaml         # experiment/long.yaml
    max_epochs: 100                trainer:
                                     max_epochs: 100   # CM202: same as trainer/default.yaml:1

Instead:
    Delete the line; ``confman lint --fix`` does it when recomposing every reachable composition
    with Hydra proves nothing changes.

Options:
    none.

Fix safety:
    Safe: ``--fix`` removes a flagged line only after composing, with plain ``hydra.compose``,
    every reachable composition (see ``confman.lint.reachable``) before and after the edit in a
    copy of the config dir, and refuses any edit that changes one.

Known problems:
    A key that sibling options (other files of the same group folder, or other primaries) set
    to different values is that option's own setting: it is not reported even when it equals
    what it inherits today (a policy naming its dataset, an experiment stating its model size).
    Nor is a write whose earlier writer's siblings set the key differently (a launcher option
    pinning 32 GPUs equals only the one primary that also says 32), unless this file's own
    defaults list pulls that writer in.
    ``???`` never counts as a value. Only compositions lint makes are seen (primaries,
    experiments, each option swapped in place), so an option that composes nowhere is not
    checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from confman.compose import DefaultsNode
from confman.lint.context import LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import same_value

CODE = "CM202"
NAME = "redundant-override"
LEVEL: Severity = "warning"

_MISSING = "???"
_ENTRY = re.compile(
    r"^(?P<override>override\s+)?(optional\s+)?(?P<group>/?[\w/.-]+?)(@(?P<pkg>[\w.]+))?$"
)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    redundant: dict[tuple[str, int, str], tuple[str, int]] = {}
    inherited: set[tuple[str, int, str]] = set()  # the earlier writer is pulled in by this file
    useful: set[tuple[str, int, str]] = set()
    # every composition lint makes; an option swapped in place (a variant, composed with one
    # primary) counts only where it restates a primary and every primary choosing its group
    # gives the same value, since it can be run with any of them
    made = [(c, False) for c in ctx.compositions] + [(c, True) for c in ctx.variants]
    for comp, variant in made:
        below: dict[str, set[str]] = {}
        for path, writes in comp.composed.provenance.items():
            for prev, cur in pairwise(writes):
                if (
                    cur.kind != "file"
                    or prev.kind != "file"
                    or cur.file is None
                    or prev.file is None
                    or cur.line is None
                ):
                    continue
                if cur.file == prev.file:
                    continue  # a duplicate key in one file is CM201
                if _siblings(cur.file, prev.file) and prev.file not in _below(
                    ctx, comp.composed.defaults_tree, cur.file, below
                ):
                    continue  # two options of one group, both added: not a reachable run
                key = (cur.file, cur.line, path)
                if variant and not _every_primary_gives(ctx, cur.file, prev.file, path, cur.value):
                    continue
                if same_value(prev.value, cur.value) and cur.value != _MISSING:
                    redundant.setdefault(key, (prev.file, prev.line or 0))
                    if prev.file in _below(ctx, comp.composed.defaults_tree, cur.file, below):
                        inherited.add(key)
                else:
                    useful.add(key)
    for (file, line, path), (prev_file, prev_line) in sorted(redundant.items()):
        if (file, line, path) in useful:
            continue
        # a key siblings set differently: this option's own, or (on the earlier writer's side)
        # equal only for the sibling that happens to be chosen
        if _own_setting(ctx, file, line, path):
            continue
        key = (file, line, path)
        if key not in inherited and _own_setting(ctx, prev_file, prev_line, path):
            continue
        where = f"{ctx.shown(prev_file)}:{prev_line}"
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


def _every_primary_gives(ctx: LintContext, rel: str, prev: str, path: str, value: Any) -> bool:
    """Whether ``prev`` is a primary and every primary whose composition chooses ``rel``'s
    group has ``value`` at ``path`` (so the option restates it whichever primary it runs
    with)."""
    if "/" in prev:
        return False
    group = rel.partition("/")[0]
    givers = 0
    for primary in ctx.primaries:
        base = ctx.base(primary)
        if base is None or not any(
            k.partition("@")[0].partition("/")[0] == group for k in base.composed.choices
        ):
            continue
        writes = base.composed.provenance.get(path)
        if not writes or not same_value(writes[-1].value, value):
            return False
        givers += 1
    return givers > 0


def _siblings(a: str, b: str) -> bool:
    """Two files are options of the same group folder."""
    folder = a.rpartition("/")[0]
    return bool(folder) and folder == b.rpartition("/")[0]


def _below(ctx: LintContext, tree: DefaultsNode, rel: str, memo: dict[str, set[str]]) -> set[str]:
    """The files ``rel``'s own defaults list pulls into this composition."""
    if rel not in memo:
        memo[rel] = set()
        for node in _nodes(tree):
            if _rel(node) == rel:
                memo[rel] |= {f for child in node.children for f in _tree_files(ctx, child)}
    return memo[rel]


def _nodes(node: DefaultsNode) -> Iterator[DefaultsNode]:
    yield node
    for child in node.children:
        yield from _nodes(child)


def _rel(node: DefaultsNode) -> str | None:
    path = node.config_path
    if not path:
        return None
    return path if path.endswith(".yaml") else f"{path}.yaml"


# --- a value a sibling sets differently -------------------------------------------------------


def _local_key(yf: YamlFile, line: int, path: str) -> str | None:
    """The dotted key in ``yf`` whose line is ``line`` and that ends the composed ``path``."""
    if yf.parsed is None:
        return None
    for key, at in yf.parsed.lines.items():
        if at == line and (path == key or path.endswith(f".{key}")) and "[" not in key:
            return key
    return None


def _lookup(data: Any, dotted: str) -> tuple[bool, Any]:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _own_setting(ctx: LintContext, file: str, line: int, path: str) -> bool:
    """A sibling of ``file`` (same group folder, or another primary) sets the same key to
    another value: the key is each option's own choice, equal to the inherited one by chance."""
    yf = ctx.files.get(file)
    if yf is None or yf.parsed is None:
        return False
    key = _local_key(yf, line, path)
    if key is None:
        return False
    found, mine = _lookup(yf.parsed.data, key)
    for other in ctx.files.values():
        if other.rel == file or other.group != yf.group or other.parsed is None:
            continue
        has, value = _lookup(other.parsed.data, key)
        if has and found and not same_value(value, mine):
            return True
    return False


# --- an override entry that re-selects what it replaces ---------------------------------------


def _entries(yf: YamlFile) -> list[tuple[int, bool, str, Any]]:
    """``(line, is_override, group key, value)`` of each group entry of ``yf``'s defaults list,
    the group made absolute (``group@package`` when a package is named)."""
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), list):
        return []
    out = []
    for i, entry in enumerate(data["defaults"]):
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        raw, value = next(iter(entry.items()))
        match = _ENTRY.match(str(raw).strip())
        if match is None:
            continue
        group = match.group("group")
        if group.startswith("/"):
            group = group[1:]
        elif yf.group:
            group = f"{yf.group}/{group}"
        pkg = match.group("pkg")
        line = yf.parsed.lines.get(f"defaults[{i}]", 1) if yf.parsed else 1
        out.append((line, bool(match.group("override")), f"{group}@{pkg}" if pkg else group, value))
    return out


def _tree_files(ctx: LintContext, node: DefaultsNode) -> list[str]:
    """The config files of a defaults tree (relative to the config dir), in tree order."""
    out = []
    rel = _rel(node)
    if rel is not None and rel in ctx.files:
        out.append(rel)
    for child in node.children:
        out.extend(_tree_files(ctx, child))
    return out


def _interpolated(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and "${" in v for v in values)


def _same_selection(a: Any, b: Any) -> bool:
    """Two defaults-entry values select the same: the same option, or the same list in order."""
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and [str(x) for x in a] == [str(x) for x in b]
        )
    return (a is None and b is None) or (a is not None and b is not None and str(a) == str(b))


def _reselected_defaults(ctx: LintContext) -> Iterator[Diagnostic]:
    # (file, line) -> still redundant in every composition seen so far
    verdict: dict[tuple[str, int], bool] = {}
    shown: dict[tuple[str, int], tuple[str, Any]] = {}
    for comp in ctx.compositions:
        files = list(dict.fromkeys(_tree_files(ctx, comp.composed.defaults_tree)))
        entries = {rel: _entries(ctx.files[rel]) for rel in files}
        for rel in files:
            for line, is_override, group, value in entries[rel]:
                if not is_override or group.split("/", 1)[0] == "hydra":
                    continue
                where = (rel, line)
                shown[where] = (group, value)
                inherited = [v for f in files for _, o, g, v in entries[f] if g == group and not o]
                others = [(f, n) for f in files for n, o, g, _ in entries[f] if g == group and o]
                same = (
                    len(inherited) == 1
                    and others == [where]
                    and not _interpolated(value)
                    and not _interpolated(inherited[0])
                    and _same_selection(inherited[0], value)
                )
                verdict[where] = verdict.get(where, True) and same
    for (rel, line), same in sorted(verdict.items()):
        if not same:
            continue
        group, value = shown[(rel, line)]
        option = f"[{', '.join(map(str, value))}]" if isinstance(value, list) else value
        yield Diagnostic(
            ctx.shown(rel),
            line,
            1,
            CODE,
            NAME,
            f"'override /{group}: {option}' re-selects the option it replaces",
            severity=LEVEL,
            fix="remove this defaults entry",
            key=f"defaults.{group}",
        )
