"""Which compositions lint makes beyond the primaries: what a user can reach from the command line.

A primary is run as it is, with each option of an experiment-like group (``experiment=owt/gpt2m``,
nested folders included), with every other option of a group it chooses swapped in place
(``model=vit``), and with ``+group=option`` for a group nothing chooses. This module only says
what to compose (from the context's files and its primaries' compositions, read through
:class:`Tree`); composing is :mod:`confman.lint.context`'s, and :mod:`confman.lint.reachable` is
the ``--fix`` proof's (primaries and experiment-like groups read straight from the files).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from confman.compose import Composed
from confman.compose.plain import PlainComposed
from confman.errors import ConfmanError
from confman.yamlsource import ParsedYaml, load_yaml_file

__all__ = [
    "MAX_VARIANTS",
    "PROBED_PRIMARIES",
    "Tree",
    "experiment_like",
    "narrowing",
    "option_file",
    "reachable",
    "under",
]


class _File(Protocol):
    @property
    def group(self) -> str | None: ...
    @property
    def parsed(self) -> ParsedYaml | None: ...


class _Selection(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def option(self) -> str | None: ...


class _Composition(Protocol):
    @property
    def primary(self) -> str: ...
    @property
    def overrides(self) -> tuple[str, ...]: ...
    @property
    def composed(self) -> Composed | PlainComposed: ...


class Tree(Protocol):
    """What :func:`reachable` reads of a lint context (a ``confman.lint.context.LintContext``):
    the tree's files, groups and primaries, and the primaries' own compositions."""

    @property
    def config_dir(self) -> Path: ...
    @property
    def files(self) -> Mapping[str, _File]: ...
    @property
    def groups(self) -> Mapping[str, list[str]]: ...
    @property
    def primaries(self) -> Sequence[str]: ...
    @property
    def selections(self) -> Sequence[_Selection]: ...
    @property
    def compositions(self) -> Sequence[_Composition]: ...


def narrowing(config_dir: Path, paths: list[Path] | None) -> tuple[str, ...] | None:
    """Config-dir-relative prefixes the paths name, or None when the whole tree is wanted (no
    paths, the config dir itself, or a path outside it, such as Python source)."""
    if not paths:
        return None
    root = config_dir.resolve()
    prefixes = []
    for path in paths:
        resolved = path.resolve()
        if resolved == root or not resolved.is_relative_to(root):
            return None
        prefixes.append(resolved.relative_to(root).as_posix())
    return tuple(prefixes)


def under(rel: str, prefixes: tuple[str, ...]) -> bool:
    return any(rel == p or rel.startswith(f"{p}/") for p in prefixes)


def option_file(override: str) -> str:
    """``model/vit.yaml`` for ``model=vit``, ``+model@x=vit`` and the like."""
    key, _, option = override.lstrip("+").partition("=")
    return f"{key.partition('@')[0]}/{option}.yaml"


def experiment_like(override: str) -> bool:
    """An experiment (``experiment=owt/gpt2m``, ``experiments/x``): a composition the tree is
    meant to be run as, unlike swapping one option of another group."""
    return "experiment" in override.partition("=")[0]


def _included_by_options(ctx: Tree) -> set[str]:
    """Config files other group options include through their own defaults lists: building
    blocks (``experiment/pile/base.yaml`` under ``experiment/pile/h3.yaml``), composed as part
    of what includes them, never run alone."""
    out: set[str] = set()
    for yf in ctx.files.values():
        # experiments include experiments (and a forked child reads only those: the same
        # answer either way)
        if not yf.group or "experiment" not in yf.group:
            continue
        data = yf.parsed.data if yf.parsed is not None else None
        entries = data.get("defaults") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, str):
                pairs = [(entry, None)]
            elif isinstance(entry, dict) and len(entry) == 1:
                key, value = next(iter(entry.items()))
                pairs = [(str(key), v) for v in (value if isinstance(value, list) else [value])]
            else:
                continue
            for key, option in pairs:
                name = key.strip().removeprefix("override ").removeprefix("optional ").strip()
                name = name.partition("@")[0].removesuffix(".yaml")
                if name == "_self_" or "${" in name:
                    continue
                path = name.lstrip("/") if name.startswith("/") else f"{yf.group}/{name}"
                if option is not None:
                    if not isinstance(option, str) or "${" in option:
                        continue
                    path = f"{path}/{option.removesuffix('.yaml')}"
                out.add(f"{path}.yaml")
    return out


def _options_under(ctx: Tree, group: str, groups: set[str]) -> list[str]:
    """Every option of ``group``, nested folders included (``owt/gpt2m`` of ``experiment``),
    except those under a nested folder that is a group of its own in ``groups``."""
    out = list(ctx.groups.get(group, []))
    prefix = f"{group}/"
    for sub, options in ctx.groups.items():
        if not sub.startswith(prefix):
            continue
        parts = sub.split("/")
        if any(
            "/".join(parts[:i]) in groups for i in range(len(group.split("/")) + 1, len(parts) + 1)
        ):
            continue
        out += [f"{sub[len(prefix) :]}/{o}" for o in options]
    return sorted(out)


def reachable(ctx: Tree) -> list[tuple[str, str, bool]]:
    """The compositions beyond the primaries a user can reach: ``(primary, override, probe)``.

    Every option of every group a primary's composition chooses, nested option paths included,
    is composed once with the first primary that chooses its group (``model=vit``); groups
    with ``experiment`` in their name are composed with every primary that chooses them, since
    each experiment is meant for its primary. Groups no composition chooses (``+finetune=x``
    style) are tried with ``+group=option`` on the first primaries: such a ``probe`` that fails
    was not reachable. Hydra's own groups are left to Hydra. A primary whose own composition
    failed still gets its experiments, from the groups its defaults list names.
    """
    bases = {c.primary: c for c in ctx.compositions if not c.overrides}
    choices: dict[str, list[tuple[str, str | None]]] = {}
    for primary in ctx.primaries:
        base = bases.get(primary)
        if base is not None:
            choices[primary] = [
                (key, None if isinstance(c.option, list) else c.option or "")
                for key, c in base.composed.choices.items()
                if not isinstance(c.option, list)
            ]
        else:
            rel = f"{primary}.yaml"
            choices[primary] = [
                (s.group, s.option or "")
                for s in ctx.selections
                if s.file == rel and "experiment" in s.group
            ]
    chosen = {key.partition("@")[0] for picks in choices.values() for key, _ in picks}
    blocks = _included_by_options(ctx)
    out: list[tuple[str, str, bool]] = []
    covered: set[str] = set()
    for primary, picks in choices.items():
        for key, option_chosen in picks:
            group = key.partition("@")[0]
            if group.startswith("hydra") or (group in covered and "experiment" not in group):
                continue
            covered.add(group)
            out += [
                (primary, f"{key}={option}", False)
                for option in _options_under(ctx, group, chosen)
                if option != option_chosen
                and not ("experiment" in group and f"{group}/{option}.yaml" in blocks)
            ]
    tops = {g.split("/")[0] for g in ctx.groups}
    keys = {p: set(c.composed.to_container()) for p, c in bases.items()}
    for group in sorted(tops - {g.split("/")[0] for g in chosen}):
        if not group.startswith("hydra"):
            for option in _options_under(ctx, group, chosen):
                # the primaries it fits best first: those already holding the sections it writes
                writes = _top_keys(ctx, f"{group}/{option}.yaml", group)
                probed = sorted(bases, key=lambda p: -len(keys[p] & writes))[:PROBED_PRIMARIES]
                out += [(primary, f"+{group}={option}", True) for primary in probed]
    return out


def _top_keys(ctx: Tree, rel: str, group: str) -> set[str]:
    """The top-level sections an option writes (its own keys under ``_global_``, else its
    group's node)."""
    yf = ctx.files.get(rel)
    parsed = yf.parsed if yf is not None else None
    if yf is None:  # a forked child reads only what composing needs: this one is read here
        with contextlib.suppress(ConfmanError):
            parsed = load_yaml_file(ctx.config_dir / rel, name=rel)
    if parsed is None or not isinstance(parsed.data, dict):
        return {group}
    if "_global_" in (parsed.header_text or ""):
        return {str(k) for k in parsed.data if k != "defaults"}
    return {group.split("/")[0]}


#: Most options lint swaps in place per lint (beyond, a large generated tree would take
#: minutes: each is a composition of its own); narrowing by path lifts the bound's cost.
MAX_VARIANTS = 400

#: How many primaries a ``+group=option`` probe is tried on (the first that composes is kept).
PROBED_PRIMARIES = 1
