"""Building everything the rules look at, once: YAML files, groups, compositions, Python, runs
(the data itself is :mod:`confman.lint.model`'s; this module re-exports its names).

Rules never read files themselves; they get a ``LintContext``. Building it never imports or runs
project code: YAML goes through ``confman.yamlsource``, composition through ``confman.compose``
(which does not instantiate ``_target_``), Python through ``ast``. Anything that cannot be read
becomes a CM000 diagnostic and the rest of the context is still built.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hydra.core.config_store import ConfigStore

from confman.caches import Bounded
from confman.compose.plain import Composer, PlainComposed
from confman.confine import ALLOW_HINT, confinement
from confman.errors import ConfmanError
from confman.lint.background import Background, Claims, can_fork
from confman.lint.composeall import (
    Outcome,
    Planned,
    Progress,
    compose_all,
    make,
    merge,
    plan,
)
from confman.lint.diagnostic import Diagnostic
from confman.lint.model import Composition, LintContext, Selection, YamlFile, show
from confman.lint.pysource import PythonEvidence, collect_python
from confman.lint.variants import narrowing
from confman.projectwalk import SKIPPED_FOLDERS, sorted_walk
from confman.settings import Settings
from confman.yamlsource import ParsedYaml, adopt_parses, cached_parses, load_yaml_file

__all__ = ["Composition", "LintContext", "YamlFile", "build_context"]

_DEFAULT_ENTRY = re.compile(r"^(override\s+)?/?([\w/.@-]+?)(@[\w.]+)?$")


def _selections(yf: YamlFile) -> list[Selection]:
    data = yf.parsed.data if yf.parsed else None
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), list):
        return []
    out = []
    for i, entry in enumerate(data["defaults"]):
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        key, value = next(iter(entry.items()))
        match = _DEFAULT_ENTRY.match(str(key).strip())
        if not match:
            continue
        group = match.group(2)
        if not match.group(0).startswith(("/", "override /")) and yf.group:
            group = f"{yf.group}/{group}"  # relative group entries live under the file's group
        options = value if isinstance(value, list) else [value]
        line = yf.parsed.lines.get(f"defaults[{i}]", 1) if yf.parsed else 1
        for opt in options:
            out.append(
                Selection(
                    yf.rel, line, group, None if opt is None else str(opt), bool(match.group(1))
                )
            )
    return out


def python_files(settings: Settings, ctx: LintContext) -> list[Path]:
    """The Python files to read: ``[tool.confman.lint] src``, default the project minus tests
    (never inside a virtualenv, ``.git`` or a build folder: see ``projectwalk``)."""
    src = ctx.lint_settings.get("src")
    roots = [settings.root / s for s in src] if src else [settings.root]
    skip = SKIPPED_FOLDERS if src else SKIPPED_FOLDERS | {"tests", "test"}
    found: list[Path] = []
    for base in roots:
        if not base.exists():
            ctx.problem(show(base, settings.root), 0, f"src path '{base}' does not exist")
            continue
        inside = base.is_relative_to(settings.root)
        if inside and set(base.relative_to(settings.root).parts) & skip:
            continue  # the root itself lies in a skipped folder
        if base.is_file():
            found.append(base)
        else:
            found.extend(sorted_walk(base, _python, skip if inside else ()))
    return found


def _python(name: str) -> bool:
    return name.endswith(".py")  # what rglob("*.py") matches


#: Fewest compositions worth composing in a forked child while the tree is read.
BACKGROUND_MIN_COMPOSITIONS = 8


def build_context(
    settings: Settings,
    *,
    paths: list[Path] | None = None,
    fast: bool = True,
    background: bool | None = None,
    progress: Progress | None = None,
    while_waiting: Callable[[LintContext], None] | None = None,
) -> LintContext:
    """Read the config tree, compose every reachable composition, and read the Python source.

    Args:
        settings: the project's settings.
        paths: when every path lies in the config dir, only the variants of options under them
            are composed (primaries and experiments always are: other files are judged against
            them); the engine filters the findings by path.
        fast: False composes everything with ``confman.compose`` (tests pin the fast path to it).
        background: compose in a forked child while this process reads the files (None: when
            there are enough compositions and :func:`background.can_fork` says it is safe).
        progress: called with (compositions done, compositions to make) as lint composes
            (with a forked child, by both processes: the child's calls write from the child).
        while_waiting: work on the tree read so far, done once this process has read it and
            would otherwise wait for the forked child's compositions (with a child only).
    """
    lint = settings.raw.get("lint", {}) if isinstance(settings.raw.get("lint"), dict) else {}
    ctx = LintContext(settings, settings.root, settings.config_dir, lint_settings=lint)
    if not settings.config_dir.is_dir():
        ctx.problem(show(settings.config_dir, settings.root), 0, "config dir does not exist")
        return ctx
    yaml_paths = sorted(settings.config_dir.rglob("*.yaml"))
    narrow = narrowing(settings.config_dir, paths)
    if narrow is not None:
        background = False
    reuse_key = (str(settings.config_dir.resolve()), settings.version_base, fast)
    if background is None and reuse_key in _recent:
        background = False  # most likely unchanged: reusing beats forking
    if background is None:
        rels = [p.relative_to(settings.config_dir).parts for p in yaml_paths]
        primaries = sum(len(r) == 1 for r in rels)
        # about one composition per primary and per other option (see ``reachable``)
        wanted = primaries + len(rels) >= BACKGROUND_MIN_COMPOSITIONS
        background = wanted and can_fork()
    if not background:
        _read_tree(ctx, yaml_paths, primaries_only=False)
        read_problems = len(ctx.problems)
        if narrow is not None:
            compose_all(ctx, fast, narrow, progress)  # a part of the work: nothing to remember
        elif not _reuse(ctx, reuse_key, yaml_paths):
            compose_all(ctx, fast, None, progress)
            _remember(ctx, reuse_key, yaml_paths, ctx.problems[read_problems:])
        ctx.python = _read_python(settings, ctx)
    else:
        _with_child(ctx, yaml_paths, fast, reuse_key, progress, while_waiting)
    for prob in ctx.python.problems:
        ctx.problem(show(prob.file, settings.root), prob.line, prob.message)
    return ctx


def _with_child(
    ctx: LintContext,
    yaml_paths: list[Path],
    fast: bool,
    reuse_key: tuple[str, str | None, bool],
    progress: Progress | None,
    while_waiting: Callable[[LintContext], None] | None,
) -> None:
    """``build_context``'s work shared with a forked child. This process reads the Python while
    the child composes the primaries and lists the runs; then this process reads the YAML files
    from the front while the child makes runs, and once done with the runs the child parses
    files from the back, handing the parses over. Once this process has read its files (and
    done ``while_waiting``) it makes the runs the child has not started, from the back."""
    settings = ctx.settings
    files, runs = Claims(), Claims()
    files.open(len(yaml_paths))
    child = Background(
        _compositions_only,
        settings,
        yaml_paths,
        fast,
        files,
        runs,
        _shared_progress(progress, runs),
        tells=True,
    )
    before = len(ctx.problems)
    ctx.python = _read_python(settings, ctx)
    src_problems = ctx.problems[before:]  # said after the files' problems, as without a child
    del ctx.problems[before:]
    mine: list[Path] = []
    _read_tree(ctx, _taken(files.first, yaml_paths, mine), primaries_only=False)
    ctx.problems.extend(src_problems)
    if while_waiting is not None:
        while_waiting(ctx)
    planned: Planned | None = child.told()
    made_here = (
        _from_the_back(ctx, planned, runs, fast, _shared_progress(progress, runs))
        if planned is not None
        else {}
    )
    done = child.result()
    if done is not None:
        adopt_parses(done[1])
    _read_tree(ctx, yaml_paths[len(mine) :], primaries_only=False)  # the child's parses, if any
    read_problems = len(ctx.problems)
    if done is None or planned is None:  # the child failed: compose here, as without one
        compose_all(ctx, fast)
    else:
        ctx.compositions.extend(planned.bases)
        merge(ctx, planned, {**done[0], **made_here})
        ctx.composed_in = "shared" if made_here else "child"
    _remember(ctx, reuse_key, yaml_paths, ctx.problems[read_problems:])


def _taken(take: Callable[[], int | None], paths: list[Path], taken: list[Path]) -> Iterator[Path]:
    """The paths at the positions ``take`` gives, each claimed just before it is read (and
    appended to ``taken``)."""
    for position in iter(take, None):
        taken.append(paths[position])
        yield paths[position]


def _read_python(settings: Settings, ctx: LintContext) -> PythonEvidence:
    """The evidence of the project's Python; tests that compose ``data=wine`` select that
    option, though they read no keys for production."""
    python = collect_python(python_files(settings, ctx), settings.root)
    tests = [t for t in (settings.root / "tests", settings.root / "test") if t.is_dir()]
    test_files = [p for t in tests for p in sorted(t.rglob("*.py"))]
    in_tests = collect_python(test_files, settings.root, flows=False)
    python.selections |= in_tests.selections
    python.pairs |= in_tests.pairs
    return python


@dataclass
class _Remembered:
    """One config dir's compositions, and the parses they were made from."""

    parses: dict[str, ParsedYaml]
    store_size: int
    compositions: list[Composition]
    variants: list[Composition]
    problems: list[Diagnostic]


#: The compositions of the last few config dirs linted in this process.
MAX_REMEMBERED = 4
_recent: Bounded[tuple[str, str | None, bool], _Remembered] = Bounded(
    "lint compositions of unchanged trees", MAX_REMEMBERED
)


def _store_size() -> int:
    """How many entries Hydra's ConfigStore holds (schemas can change what composes)."""

    def count(node: object) -> int:
        return 1 + sum(count(v) for v in node.values()) if isinstance(node, dict) else 1

    return count(ConfigStore.instance().repo)


def _remember(
    ctx: LintContext,
    key: tuple[str, str | None, bool],
    yaml_paths: list[Path],
    problems: list[Diagnostic],
) -> None:
    """Keep the compositions for the next lint of this tree in this process (``--fix`` and
    ``--add-noqa`` lint again; so do editors and watchers). Trees with an unparsable file are
    not kept: their compose errors depend on text the parses do not pin."""
    parses = {rel: yf.parsed for rel, yf in ctx.files.items() if yf.parsed is not None}
    if len(parses) != len(yaml_paths):
        return
    _recent.put(
        key,
        _Remembered(
            parses, _store_size(), list(ctx.compositions), list(ctx.variants), list(problems)
        ),
    )


def _reuse(ctx: LintContext, key: tuple[str, str | None, bool], yaml_paths: list[Path]) -> bool:
    """Take the remembered compositions when every YAML file parsed to the very same cached
    parse as then (``confman.yamlsource`` re-parses a file whose mtime or size changed, and
    ``clear_cache`` forgets them all), and the ConfigStore did not change."""
    entry = _recent.get(key)
    if entry is None or not len(entry.parses) == len(yaml_paths) == len(ctx.files):
        return False
    for rel, parsed in entry.parses.items():
        yf = ctx.files.get(rel)
        if yf is None or yf.parsed is not parsed:
            return False
    if entry.store_size != _store_size():
        return False
    ctx.compositions = list(entry.compositions)
    ctx.variants = list(entry.variants)
    ctx.problems.extend(entry.problems)
    ctx.composed_in = "reused"
    return True


def _read_tree(ctx: LintContext, yaml_paths: Iterable[Path], *, primaries_only: bool) -> None:
    """Read every YAML file into ``ctx`` (with ``primaries_only``: read only the primaries and
    the experiments, and list the other files as group options, which is all composing needs)."""
    settings = ctx.settings
    config_dir, root = str(settings.config_dir), str(settings.root)
    # the paths come from config_dir.rglob: plain string prefixes give what relative_to would
    shown_prefix = None
    if config_dir == root or config_dir.startswith(f"{root}{os.sep}"):
        shown_prefix = config_dir[len(root) + 1 :].replace(os.sep, "/")
    confined = confinement(settings)
    for path in yaml_paths:
        rel = str(path)[len(config_dir) + 1 :].replace(os.sep, "/")
        if shown_prefix is None:
            shown = show(path, settings.root)
        else:
            shown = f"{shown_prefix}/{rel}" if shown_prefix else rel
        if primaries_only and "/" in rel and not rel.startswith("experiment/"):
            ctx.groups.setdefault(str(Path(rel).parent), []).append(Path(rel).stem)
            continue
        # rglob does not descend into linked folders: only a file itself can be a link
        if os.path.islink(path) and (real := confined.outside(path)) is not None:
            ctx.problem(shown, 1, f"a link to {real}, outside the project: not read", ALLOW_HINT)
            continue
        try:
            parsed: ParsedYaml | None = load_yaml_file(path, name=rel)
            text = parsed.text if parsed else ""  # the file as read_text gives it, BOM included
        except ConfmanError as exc:
            try:  # unreadable or not UTF-8: said as such, and the file is left out
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as read_exc:
                ctx.problem(shown, 1, f"cannot read: {read_exc}")
                continue
            parsed = None
            # the message starts with the file's own location: shown once, as the finding's
            where = re.match(rf"{re.escape(rel)}:(\d+)(?::(\d+))?: ", exc.message)
            line, col = (int(where[1]), int(where[2] or 1)) if where else (1, 1)
            message = exc.message[where.end() :] if where else exc.message
            ctx.problem(shown, line, message, exc.hint, col)
        yf = YamlFile(rel, shown, path, text.splitlines(), parsed)
        ctx.files[rel] = yf
        if yf.group is None:
            ctx.primaries.append(yf.option)
        else:
            ctx.groups.setdefault(yf.group, []).append(yf.option)
        ctx.selections.extend(_selections(yf))


def _compositions_only(
    tell: Callable[[Planned], None],
    settings: Settings,
    yaml_paths: list[Path],
    fast: bool,
    files: Claims,
    runs: Claims,
    progress: Progress | None,
) -> tuple[dict[int, Outcome], list[tuple[str, int, int, ParsedYaml]]]:
    """Plan the compositions reading only what that needs (the primaries), tell the parent
    the plan, then make the runs from the front until none is left (the parent takes them from
    the back once it has read the tree); then parse the YAML files the parent has not reached,
    from the back, and hand those parses over (one that fails to parse is left out: the parent
    parses it and reports why).

    Runs in a forked child. A ``confman.compose`` result's provenance is finished here (it
    reads OmegaConf nodes); a plain composition's is left to the parent: its files' recorded
    writes are shared by every composition, so they pickle once, and gathering them into
    histories there is cheaper than pickling 41 finished histories.
    """
    ctx = LintContext(settings, settings.root, settings.config_dir)
    _read_tree(ctx, yaml_paths, primaries_only=True)
    planned = plan(ctx, Composer(ctx.config_dir, settings.version_base, fast=fast), None)
    _finish_provenance(planned.bases)
    runs.open(len(planned.runs))
    tell(planned)
    variants = Composer(ctx.config_dir, settings.version_base, fast=fast, check_hydra=False)
    made = make(planned, iter(runs.first, None), variants, progress)
    _finish_provenance([m for m in made.values() if isinstance(m, Composition)])
    confined = confinement(settings)
    share: list[Path] = []
    for path in _taken(files.last, yaml_paths, share):
        if os.path.islink(path) and confined.outside(path) is not None:
            continue  # a link out of the project: never read (_read_tree says so)
        with contextlib.suppress(ConfmanError):
            load_yaml_file(path, name=path.relative_to(settings.config_dir).as_posix())
    return made, cached_parses(share)


def _finish_provenance(compositions: list[Composition]) -> None:
    for comp in compositions:
        if not isinstance(comp.composed, PlainComposed):
            _ = comp.composed.provenance


def _from_the_back(
    ctx: LintContext, planned: Planned, claims: Claims, fast: bool, progress: Progress | None
) -> dict[int, Outcome]:
    """The runs this process makes while the child makes the others (none when the child has
    taken them all)."""
    variants = Composer(ctx.config_dir, ctx.settings.version_base, fast=fast, check_hydra=False)
    return make(planned, iter(claims.last, None), variants, progress)


def _shared_progress(progress: Progress | None, claims: Claims) -> Progress | None:
    """``progress`` counting the runs both processes have taken."""
    if progress is None:
        return None
    reporter = progress
    return lambda _done, total: reporter(claims.taken(), total)
