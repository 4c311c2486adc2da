"""``migrate()``: apply the plan to a config tree and to the scripts and docs named, proven.

Every reachable composition (:func:`confman.lint.reachable.reachable`: primaries and experiment
options, plus each other option of every group a primary chooses, swapped in place) is composed
with plain ``hydra.compose`` before the rewrite and again in a temporary copy after it
(:func:`confman.lint.judge.compose_each`, the judge of ``lint --fix`` too). The rewrite stands
only if each composition after it equals the one before with the declared changes applied
(:meth:`Plan.apply`); otherwise nothing is written and the error names the composition and key.
The two sets of compositions are independent, so the "after" one runs in a forked child while
this process composes "before" whenever a core is free (:mod:`confman.lint.background`).

When no config file is rewritten (``--check``, which writes nothing, or a migration whose
changes touch only scripts and docs) there is nothing to prove; it composes only to check the
declarations (a rename onto a key a config has, a key no config has), which needs each
composition's keys, not Hydra's verdict: those come from
:class:`confman.compose.plain.Composer`, which gives ``confman.compose``'s result.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from confman.compose.plain import Composer
from confman.errors import YamlSourceError
from confman.lint.background import Background, can_fork
from confman.lint.judge import compose_each
from confman.lint.reachable import Reachable, reachable
from confman.migrate.overrides import rewrite_source
from confman.migrate.plan import MigrationError, Plan
from confman.migrate.project import load_plan
from confman.migrate.yamlfile import file_package, rewrite_yaml
from confman.projectwalk import sorted_walk
from confman.provenance import iter_leaves
from confman.settings import Settings

__all__ = ["MAX_COMPOSITIONS", "MigrateOutcome", "Use", "compositions", "migrate"]

#: At most this many compositions are judged (primaries and experiments always are).
MAX_COMPOSITIONS = 400
SOURCE_SUFFIXES = (".sh", ".bash", ".zsh", ".md", ".rst", ".txt", ".py", ".cfg", ".toml")


@dataclass(frozen=True)
class Use:
    """One use of an old name: ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class MigrateOutcome:
    """What ``migrate`` found and did.

    Attributes:
        uses: every use of an old name, file by file.
        changed: path -> (text before, text after) for every file the plan rewrites.
        compositions: how many compositions the proof composed (before and after).
        left_out: reachable compositions beyond the bound, not judged.
        written: the rewrite was written to the files.
    """

    uses: list[Use] = field(default_factory=list)
    changed: dict[Path, tuple[str, str]] = field(default_factory=dict)
    compositions: int = 0
    left_out: int = 0
    written: bool = False

    def diff(self, root: Path) -> str:
        """A unified diff of every rewrite, paths relative to ``root``."""
        out: list[str] = []
        for path, (before, after) in sorted(self.changed.items()):
            name = _shown(path, root)
            out += difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                f"a/{name}",
                f"b/{name}",
            )
        return "".join(out)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- which files ---------------------------------------------------------------------------


def _config_files(config_dir: Path) -> list[Path]:
    return sorted(p for p in config_dir.rglob("*.yaml") if p.is_file() and not p.is_symlink())


def _source_files(paths: Iterable[Path], config_dir: Path) -> list[Path]:
    """Scripts, docs and Python files under ``paths`` (config files are not among them)."""
    root = config_dir.resolve()
    found: set[Path] = set()
    for path in paths:
        candidates = list(sorted_walk(path, _source)) if path.is_dir() else [path]
        for p in candidates:
            real = p.resolve()
            if real.is_relative_to(root) or not p.is_file() or p.is_symlink():
                continue
            if p.suffix in SOURCE_SUFFIXES and not any(
                part.startswith(".") or part in ("__pycache__", "node_modules") for part in p.parts
            ):
                found.add(p)
    return sorted(found)


def _source(name: str) -> bool:
    return Path(name).suffix in SOURCE_SUFFIXES


# --- the proof -----------------------------------------------------------------------------


def compositions(settings: Settings) -> tuple[list[Reachable], int]:
    """The compositions the proof judges: reachable ones plus every group option swapped in on
    each primary, at most :data:`MAX_COMPOSITIONS`; and how many were left out."""
    runs = reachable(settings.config_dir)
    labels = {r.label for r in runs}
    swaps: list[Reachable] = []
    for primary in [r.primary for r in runs if not r.overrides]:
        for group, option in _choices(settings, primary).items():
            folder = settings.config_dir / group.partition("@")[0]
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                if path.stem != option:
                    run = Reachable(primary, (f"{group}={path.stem}",))
                    if run.label not in labels:
                        labels.add(run.label)
                        swaps.append(run)
    room = max(MAX_COMPOSITIONS - len(runs), 0)
    return runs + swaps[:room], max(len(swaps) - room, 0)


def _choices(settings: Settings, primary: str) -> dict[str, str]:
    """Hydra's own group choices of a primary (``hydra.runtime.choices``), hydra's left out."""
    import warnings

    from hydra import compose, initialize_config_dir

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vb = settings.version_base
            with initialize_config_dir(str(settings.config_dir), version_base=vb):
                cfg = compose(config_name=primary, return_hydra_config=True)
                choices = dict(cfg.hydra.runtime.choices)
    except Exception:  # a primary Hydra cannot compose has no choices to swap
        return {}
    return {g: str(o) for g, o in choices.items() if o is not None and not g.startswith("hydra")}


def _composed(config_dir: Path, settings: Settings, runs: Sequence[Reachable]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, text in compose_each(config_dir, settings.version_base, runs):
        out[label] = None if text is None else yaml.safe_load(text)
    return out


def _paths(config: Any) -> set[str]:
    """Every dotted key path of a config: leaves and the mappings above them."""
    found: set[str] = set()
    for leaf, _ in iter_leaves(config or {}):
        parts = leaf.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def _check_keys(plan: Plan, before: dict[str, Any], used: set[str]) -> None:
    """A rename onto a key a config has, and a change of a key no config has: errors."""
    keys = {label: _paths(cfg) for label, cfg in before.items() if cfg is not None}
    anywhere = set().union(*keys.values()) if keys else set()
    for step in plan.steps:
        if step.kind == "remove":
            continue  # once removed everywhere, no config has it: that is the goal
        if step.new is not None:
            for label, paths in keys.items():
                if step.key in paths and step.new in paths:
                    raise MigrationError(
                        f"{step.describe()} ({step.origin}), but '{step.new}' already exists in "
                        f"composition '{label}'",
                        hint="rename onto a new key, or remove one of the two first",
                    )
        names = {step.key, plan.new_key(step.key) or step.key}
        if not (names & anywhere) and step.key not in used:
            raise MigrationError(
                f"{step.describe()} ({step.origin}), but no config has '{step.key}'"
                + (f" or '{step.new}'" if step.new else ""),
                hint="check the key path in the migration (full dotted path from the root)",
            )


def _first_difference(want: Any, got: Any) -> str:
    a, b = dict(iter_leaves(want or {})), dict(iter_leaves(got or {}))
    gone = "<missing>"
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key, gone) != b.get(key, gone):
            return f"'{key}' would be {b.get(key, gone)!r}, expected {a.get(key, gone)!r}"
    return "key order or types differ"


def _configs(settings: Settings, runs: Sequence[Reachable]) -> dict[str, Any]:
    """Each run's config as data (None where it fails), by confman's composer: the keys the
    declaration checks read, without Hydra's verdict on a rewrite."""
    composer = Composer(settings.config_dir, settings.version_base, check_hydra=False)
    out: dict[str, Any] = {}
    for run in runs:
        try:
            out[run.label] = composer.compose(run.primary, run.overrides).to_container()
        except Exception:  # any Hydra, OmegaConf or YAML failure: the run fails
            out[run.label] = None
    return out


def _before_and_after(
    settings: Settings, runs: list[Reachable], texts: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plain Hydra's compositions of the tree as it is and of a temporary copy holding the
    rewritten files; the copy's in a forked child at the same time when a core is free."""
    with tempfile.TemporaryDirectory(prefix="confman-migrate-") as tmp:
        copy = Path(tmp) / settings.config_dir.name
        shutil.copytree(settings.config_dir, copy, ignore_dangling_symlinks=True)
        for rel, text in texts.items():
            (copy / rel).write_text(text, encoding="utf-8")
        child = Background(_composed, copy, settings, runs) if can_fork() else None
        before = _composed(settings.config_dir, settings, runs)
        after = child.result() if child is not None else None
        if after is None:  # no child, or it failed: compose here
            after = _composed(copy, settings, runs)
    return before, after


def _prove(plan: Plan, before: dict[str, Any], after: dict[str, Any]) -> None:
    for label, was in before.items():
        now = after.get(label)
        if was is None:
            continue
        if now is None:
            raise MigrationError(
                f"the rewrite would make composition '{label}' fail to compose",
                hint="nothing was written; run with CONFMAN_DEBUG=1 or edit by hand",
            )
        want = plan.apply(was)
        why = _first_difference(want, now) if want != now else _resolved_difference(plan, was, now)
        if why:
            raise MigrationError(
                f"the rewrite would change composition '{label}' beyond the declared change: "
                + why,
                hint="nothing was written; a key written through an interpolation or @package "
                "the rewrite cannot follow: edit that file by hand",
            )


def _resolved(config: Any) -> Any:
    from omegaconf import OmegaConf

    try:
        return OmegaConf.to_container(OmegaConf.create(config), resolve=True)
    except Exception:  # a resolver only the project's code registers: judged unresolved only
        return None


def _resolved_difference(plan: Plan, was: Any, now: Any) -> str | None:
    """Where both resolve, what the values are must also agree (``${.lr}`` and the like)."""
    before = _resolved(was)
    if before is None:
        return None
    after = _resolved(now)
    if after is None:
        return "an interpolation would no longer resolve"
    want = plan.apply(before)
    return _first_difference(want, after) if want != after else None


# --- the whole run -------------------------------------------------------------------------


def migrate(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    write: bool = False,
    plan: Plan | None = None,
    prove: bool = True,
) -> MigrateOutcome:
    """Find every use of an old name in the config tree and in ``paths`` (scripts, docs, Python
    sources); rewrite them when ``write`` and the proof holds.

    Raises:
        MigrationError: bad declarations, an edit ruamel.yaml cannot make, or a rewrite that
            would change a composition beyond the declared change (nothing is written then).
    """
    plan = plan if plan is not None else load_plan(settings)
    outcome = MigrateOutcome()
    if not plan:
        return outcome
    root = settings.root
    texts: dict[str, str] = {}
    used: set[str] = set()
    for path in _config_files(settings.config_dir):
        rel = path.relative_to(settings.config_dir).as_posix()
        shown = _shown(path, root)
        text = path.read_text(encoding="utf-8")
        group = rel.rpartition("/")[0]
        try:
            result = rewrite_yaml(text, plan.steps, package=file_package(text, group), name=shown)
        except YamlSourceError:  # no YAML parser reads it, so Hydra composes nothing from it
            continue  # (lint reports it as CM000)
        for line, why in result.refused:
            raise MigrationError(f"{shown}:{line}: cannot migrate: {why}")
        outcome.uses += [Use(shown, h.line, h.message()) for h in result.hits]
        used |= {h.step.key for h in result.hits}
        if result.text != text:
            texts[rel] = result.text
            outcome.changed[path] = (text, result.text)
    for path in _source_files(paths, settings.config_dir):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        new, hits = rewrite_source(text, plan, python=path.suffix == ".py")
        shown = _shown(path, root)
        outcome.uses += [Use(shown, h.line, h.message()) for h in hits]
        used |= {h.step.key for h in hits}
        if new != text:
            outcome.changed[path] = (text, new)
    runs, outcome.left_out = compositions(settings)
    outcome.compositions = len(runs)
    if prove and texts:
        before, after = _before_and_after(settings, runs, texts)
        _check_keys(plan, before, used)
        _prove(plan, before, after)
    else:
        _check_keys(plan, _configs(settings, runs), used)
    if write:
        for path, (old, _) in outcome.changed.items():
            if path.read_text(encoding="utf-8") != old:
                raise MigrationError(f"{_shown(path, root)} changed while migrating; run again")
        for path, (_, new) in outcome.changed.items():
            path.write_text(new, encoding="utf-8")
        outcome.written = True
    return outcome
