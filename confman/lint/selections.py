"""What selects each group option: defaults lists, code, sweeps, documentation and runs.

A group option (``model/cnn.yaml``) is selected when some defaults list of the tree names it
(a primary's ``- model: cnn``, another option's ``- /model: cnn`` or ``- override /model: cnn``,
a sibling entry ``- norm_monitor`` in ``callbacks/default.yaml``, a multi-select list
``- /callbacks: [base, checkpoint]``, a config path ``- /experiment/pile/base``, an
interpolated choice ``- optional hparams: ${encoder}_${features}``), when the Python source or
tests choose it (``"model=cnn"``, ``{"model": "cnn"}``, ``sub(model="cnn")``, a path naming
the file), when a sweep spec in the tree runs it, or when a recorded run chose it. The
project's documentation, scripts and config comments (``python train.py model=cnn``) do not
select it, but show it is meant for the command line.

Everything is read as text, as YAML the context already parsed, or with ``ast``: nothing is
imported, composed or run.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from confman.lint.context import LintContext, YamlFile
from confman.lint.runevidence import run_access
from confman.projectwalk import sorted_walk
from confman.storeurl import store_exists, store_url

__all__ = [
    "OptionEvidence",
    "experiment_like",
    "global_package",
    "option_evidence",
    "sweep_spec",
]

_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_GLOBAL_HEADER = re.compile(r"^#\s*@package\s+_global_\s*$", re.MULTILINE)
#: a ``group=option`` token of a command line (``python train.py +model=cnn,mlp``)
_CHOICE = re.compile(r"(?<![\w.$/{-])\+{0,2}(/?[A-Za-z_][\w/.-]*?)(?:@[\w.]+)?=['\"]?([\w./+,-]+)")
#: ``--config-path x`` / ``config_path="x"``: a folder holding primary configs
_CONFIG_PATH = re.compile(r"(?:--config-path|-cp|config_path)[=\s]+['\"]?([\w./+-]+)")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".sh", ".bash", ".slurm", ".sbatch")
#: documentation files larger than this are not read
DOC_MAX_BYTES = 1_000_000
#: at most this many documentation files are read
DOC_MAX_FILES = 2000


@dataclass
class OptionEvidence:
    """For each option file (config-dir-relative, ``model/cnn.yaml``): what selects it.

    Attributes:
        defaults: option -> ``file:line`` of the defaults lists that select it.
        chosen: options code, tests, a sweep spec or a composition's defaults choose, or that
            code names by path (``"configs/sam2.1/sam2.1_hiera_l.yaml"``).
        named: options whose bare name is a string in the Python source (``name = "cnn"``):
            code may build the choice, so the absence of one is less certain.
        docs: option -> where documentation, a script or a config comment shows it chosen on
            a command line.
        runs: options some recorded run chose.
        recorded_runs: how many runs the store holds (0 when there is no store).
        mandatory: groups some defaults list leaves to the command line (``model: ???``).
        defaulted: group -> ``file:line`` of a defaults entry choosing one of its options
            (a primary's first).
        unset: group -> ``file:line`` of a defaults entry leaving it ``null``.
        used_groups: groups some defaults entry names (even ``null``) or some
            ``group=option`` choice in code, sweeps, documentation or runs uses.
        global_groups: groups some defaults entry packages ``_global_`` (``task@_global_``).
        config_dirs: folders code or documentation names as a config dir of their own
            (``config_path="../conf/citrinet"``): their files are primaries.
    """

    defaults: dict[str, list[str]] = field(default_factory=dict)
    chosen: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    docs: dict[str, str] = field(default_factory=dict)
    runs: set[str] = field(default_factory=set)
    recorded_runs: int = 0
    mandatory: set[str] = field(default_factory=set)
    defaulted: dict[str, str] = field(default_factory=dict)
    unset: dict[str, str] = field(default_factory=dict)
    used_groups: set[str] = field(default_factory=set)
    global_groups: set[str] = field(default_factory=set)
    config_dirs: set[str] = field(default_factory=set)

    def selected(self, rel: str) -> bool:
        """True when a defaults list, code, a sweep or a recorded run selects the option."""
        return rel in self.defaults or rel in self.chosen or rel in self.runs

    def in_config_dir(self, yf: YamlFile) -> bool:
        """True when the file lives in a folder named as a config dir of its own."""
        group = yf.group or ""
        return any(group == d or group.startswith(f"{d}/") for d in self.config_dirs)


def experiment_like(ev: OptionEvidence, yf: YamlFile) -> bool:
    """True for an option of an experiment-like group, chosen on the command line by design:
    a group named ``experiment*`` (nested folders included), or one a defaults entry packages
    ``_global_`` (``- task@_global_: walker_walk``)."""
    if yf.group is None:
        return False
    return yf.group.split("/")[0].startswith("experiment") or any(
        yf.group == g or yf.group.startswith(f"{g}/") for g in ev.global_groups
    )


def global_package(yf: YamlFile) -> bool:
    """True when the file's ``# @package`` header is ``_global_``."""
    return bool(yf.parsed and _GLOBAL_HEADER.search(yf.parsed.header_text))


def sweep_spec(yf: YamlFile) -> bool:
    """True for a wandb sweep spec kept in the config dir (``program``/``method`` and
    ``parameters``): a plan of runs, not a Hydra config."""
    data = yf.parsed.data if yf.parsed else None
    return (
        isinstance(data, dict)
        and isinstance(data.get("parameters"), dict)
        and ("program" in data or "method" in data)
    )


def _strip_yaml(option: str) -> str:
    option = option.strip()
    return option[: -len(".yaml")] if option.endswith(".yaml") else option


def _join(group: str | None, path: str) -> str:
    """A defaults entry's path, absolute (``/model``) or relative to the including file's
    group, as a config-dir-relative path."""
    path = path.strip()
    if path.startswith("/"):
        return path.strip("/")
    return f"{group}/{path}" if group else path


class _Tree:
    """The option files of a context by config path (``model/cnn`` -> ``model/cnn.yaml``),
    and the evidence being gathered about them."""

    def __init__(self, ctx: LintContext, ev: OptionEvidence) -> None:
        self.ctx = ctx
        self.ev = ev
        self.paths = {
            rel[: -len(".yaml")]: rel for rel, yf in ctx.files.items() if yf.group is not None
        }
        self.options_of = {group: sorted(opts) for group, opts in ctx.groups.items()}

    def choose(self, group: str, options: Iterable[str], into: set[str]) -> None:
        """Record ``group=option`` choices (code, sweeps, runs): the group is in use."""
        group = group.strip().lstrip("+").strip("/")
        for option in options:
            path = f"{group}/{_strip_yaml(str(option))}"
            if path in self.paths:
                into.add(self.paths[path])
                self.ev.used_groups.add(group)

    def document(self, text: str, where: str) -> None:
        """Record the ``group=option`` choices and ``--config-path`` folders ``text`` shows."""
        for match in _CHOICE.finditer(text):
            group = match.group(1).strip("/")
            for option in filter(None, match.group(2).split(",")):
                path = f"{group}/{_strip_yaml(option)}"
                if path in self.paths:
                    self.ev.docs.setdefault(self.paths[path], where)
                    self.ev.used_groups.add(group)
        for match in _CONFIG_PATH.finditer(text):
            self.config_folder(match.group(1))

    def config_folder(self, text: str) -> None:
        """A path naming one of our folders as a config dir: ``../conf/citrinet`` is the
        folder ``citrinet`` when the config dir is called ``conf``."""
        parts = [p for p in text.strip().strip("/").split("/") if p not in ("", ".")]
        own = self.ctx.config_dir.name
        for i, part in enumerate(parts[:-1]):
            folder = "/".join(parts[i + 1 :])
            if part == own and folder in self.ctx.groups:
                self.ev.config_dirs.add(folder)


def _entries(tree: _Tree, yf: YamlFile) -> Iterator[tuple[int, str, bool]]:
    """``(line, config path or regex, is_regex)`` for every config ``yf``'s defaults list
    selects; records the groups it names, leaves mandatory or packages ``_global_``."""
    ev = tree.ev
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), list):
        return
    lines = yf.parsed.lines if yf.parsed else {}
    for i, entry in enumerate(data["defaults"]):
        line = lines.get(f"defaults[{i}]", 1)
        if isinstance(entry, str):
            if entry.strip() != "_self_":
                yield line, _strip_yaml(_join(yf.group, entry)), False
            continue
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        key, value = next(iter(entry.items()))
        words = str(key).split()  # optional / override keywords, then group@package
        raw_group, _, package = (words[-1] if words else "").partition("@")
        if not raw_group:
            continue
        group = _join(yf.group, raw_group)
        if group == "hydra" or group.startswith("hydra/"):
            continue
        ev.used_groups.add(group)
        if package == "_global_":
            ev.global_groups.add(group)
        for option in value if isinstance(value, list) else [value]:
            if option is None:
                ev.unset.setdefault(group, f"{yf.shown}:{line}")
                continue
            text = str(option).strip()
            if text == "???":
                ev.mandatory.add(group)
                continue
            ev.defaulted.setdefault(group, f"{yf.shown}:{line}")
            if "${" in text:
                yield line, f"{re.escape(group)}/{_choice_pattern(text, tree.options_of)}", True
            else:
                yield line, f"{group}/{_strip_yaml(text)}", False


def _choice_pattern(text: str, options_of: dict[str, list[str]]) -> str:
    """A regex for an interpolated choice: ``${encoder}_${features}`` becomes the product of
    the ``encoder`` and ``features`` groups' options (any name when the group is unknown)."""
    text = _strip_yaml(text)
    out, end = [], 0
    for match in _INTERPOLATION.finditer(text):
        out.append(re.escape(text[end : match.start()]))
        choices = options_of.get(match.group(1).strip().lstrip("/"))
        out.append("(?:" + "|".join(map(re.escape, choices)) + ")" if choices else "[^/]+")
        end = match.end()
    out.append(re.escape(text[end:]))
    return "".join(out)


def _defaults(tree: _Tree) -> None:
    ev, paths = tree.ev, tree.paths
    patterns: list[tuple[re.Pattern[str], str]] = []
    # primaries first: a group's default is named after the primary that chooses it
    for yf in sorted(tree.ctx.files.values(), key=lambda f: (f.group is not None, f.rel)):
        for line, path, is_regex in _entries(tree, yf):
            where = f"{yf.shown}:{line}"
            if is_regex:
                patterns.append((re.compile(path), where))
            elif path in paths and paths[path] != yf.rel:
                ev.defaults.setdefault(paths[path], []).append(where)
    for path, rel in paths.items():
        for pattern, where in patterns:
            if pattern.fullmatch(path):
                ev.defaults.setdefault(rel, []).append(where)


def _code(tree: _Tree) -> None:
    ctx, ev, paths = tree.ctx, tree.ev, tree.paths
    for comp in ctx.compositions:
        for group, choice in comp.composed.choices.items():
            if str(choice.chosen_by).startswith("override '"):
                continue  # the composition's own command-line override: lint probing it
            chosen = choice.option if isinstance(choice.option, list) else [choice.option]
            ev.chosen |= {paths[f"{group}/{o}"] for o in chosen if f"{group}/{o}" in paths}
    for group, option in ctx.python.selections:
        tree.choose(group, [option], ev.chosen)
    for group, option in _python_choices(ctx, set(ctx.groups)):
        tree.choose(group, [option], ev.chosen)
    for yf in ctx.files.values():
        for group, option in _sweep_choices(yf):
            tree.choose(group, [option], ev.chosen)
    names: set[str] = set()
    for text in ctx.python.identifiers:
        if len(text) > 2000:
            continue
        if "=" in text or "config" in text:
            tree.document(text, "shown in a Python string")
        for word in text.split():  # a path naming the file: build_sam("configs/x.yaml")
            parts = _strip_yaml(word.strip("()[]'\",.;:`")).split("/")
            for i in range(len(parts) - 1):
                path = "/".join(parts[i:])
                if path in paths:
                    ev.chosen.add(paths[path])
            if len(parts) > 1:
                tree.config_folder(word)
        if len(text) < 100:
            names.add(_strip_yaml(text))
    ev.named |= {rel for path, rel in paths.items() if path.rpartition("/")[2] in names}


def _python_choices(ctx: LintContext, groups: set[str]) -> Iterator[tuple[str, str]]:
    """``(group, option)`` pairs the Python source and tests spell as data: a dict entry
    ``{"dset": "extra44"}``, a keyword ``sub(dset="extra44")``, an assignment ``dset = "x"``
    or a loop ``for dset in ["a", "b"]`` (dora grids and launch scripts select options so)."""
    for key, value in ctx.python.pairs:
        if key in groups:
            yield key, value


def _sweep_choices(yf: YamlFile) -> Iterator[tuple[str, str]]:
    """``(group, option)`` pairs a sweep plans to run: a wandb spec's ``parameters``
    (``encoder: {values: [gcn, schnet]}``) and Hydra's ``hydra.sweeper.params``
    (``model: choice(gcn, schnet)`` or ``model: gcn,schnet``)."""
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict):
        return
    if sweep_spec(yf):
        for name, spec in data["parameters"].items():
            if not isinstance(spec, dict):
                continue
            values = spec.get("values", [spec.get("value")])
            for value in values if isinstance(values, list) else []:
                if isinstance(value, str):
                    yield str(name), value
    hydra = data.get("hydra")
    sweeper = hydra.get("sweeper") if isinstance(hydra, dict) else None
    params = sweeper.get("params") if isinstance(sweeper, dict) else None
    for name, spec in params.items() if isinstance(params, dict) else ():
        if isinstance(spec, str):
            inner = re.sub(r"^\w+\((.*)\)$", r"\1", spec.strip())
            for value in inner.split(","):
                yield str(name), value.strip()


def _doc_files(root: Path) -> Iterator[Path]:
    """The documentation files under ``root`` in sorted path order (what ``sorted(rglob)``
    gives), at most ``DOC_MAX_FILES``, never inside a virtualenv, ``.git`` or the other
    folders ``projectwalk`` skips (listing a virtualenv took longer than the rest of the rule)."""
    count = 0
    for path in sorted_walk(root, _documentation):
        if count >= DOC_MAX_FILES:
            return
        try:
            if not path.is_file() or path.stat().st_size > DOC_MAX_BYTES:
                continue
        except OSError:
            continue
        count += 1
        yield path


def _documentation(name: str) -> bool:
    return os.path.splitext(name)[1] in DOC_SUFFIXES


def _docs(tree: _Tree) -> None:
    """Command lines in the documentation and scripts, and in the config files' comments
    (``#   python train.py env=aloha``)."""
    root = tree.ctx.root
    for path in _doc_files(root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        shown = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), 1):
            if "=" in line or "config" in line:
                tree.document(line, f"documented at {shown}:{number}")
    for yf in tree.ctx.files.values():
        if yf.parsed is not None and "#" not in yf.parsed.text:
            continue  # no comment in the file (most options): no line to look at
        for number, line in enumerate(yf.lines, 1):
            comment = line.find("#")
            if comment >= 0 and ("=" in line[comment:] or "config" in line[comment:]):
                tree.document(line[comment:], f"documented at {yf.shown}:{number}")


def _runs(tree: _Tree) -> None:
    ctx, ev = tree.ctx, tree.ev
    for group, option in ctx.run_selections | run_access(ctx).selections:
        tree.choose(group, [option], ev.runs)
    url = store_url(ctx.settings)
    if not store_exists(url):
        return  # linting never creates a store
    from confman.store import StoreError, open_store  # (only for a store that exists)

    try:
        with open_store(url, settings=ctx.settings) as store:
            ev.recorded_runs = store.count()
    except StoreError:
        ev.recorded_runs = 0


#: the last context asked about (weakly held) and its evidence
_last: tuple[weakref.ref[LintContext], OptionEvidence] | None = None


def option_evidence(ctx: LintContext) -> OptionEvidence:
    """What selects each group option of ``ctx``'s tree, gathered once per context."""
    global _last
    if _last is not None and _last[0]() is ctx:
        return _last[1]
    ev = OptionEvidence()
    tree = _Tree(ctx, ev)
    _defaults(tree)
    _code(tree)
    _docs(tree)
    _runs(tree)
    _last = (weakref.ref(ctx), ev)
    return ev
