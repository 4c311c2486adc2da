"""``--fix`` and ``--add-noqa``: rewrite YAML only where Hydra proves it changes nothing.

``--fix`` removes the dead first occurrence of a duplicate key (CM201) and redundant overrides
(CM202), single-line entries only. It works on a temporary copy of the config dir: every
reachable composition (:func:`confman.lint.reachable.reachable`) is composed there with plain
``hydra.compose`` before and after the edits, and an edit that changes what any of them
composes to (``OmegaConf.to_yaml``, unresolved) is refused, naming the composition. A
composition that fails before the edits must still fail after them, except where a CM201 edit
makes a file readable whose parse is then exactly what YAML kept. Only once the edits are
proven are the user's files written (or, for ``--diff``, shown).
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from confman.compose import DefaultsNode
from confman.errors import ConfmanError
from confman.lint.engine import NOQA, LintResult, lint, selected_codes
from confman.lint.judge import compose_all, compose_each
from confman.lint.model import show
from confman.lint.reachable import Reachable, reachable
from confman.lint.rules import deprecated_name
from confman.secrets import redact_lines
from confman.settings import Settings
from confman.yamlsource import clear_cache, parse_yaml

__all__ = ["Edit", "FixOutcome", "add_noqa", "fix"]

FIXABLE = ("CM201", "CM202")
#: Lint rounds: a fixed duplicate key can make a file composable, which shows new CM202s.
ROUNDS = 3

_SCALAR_ENTRY = re.compile(r"^\s*(-\s+)?[^#\s][^:#]*:\s+\S")


@dataclass(frozen=True, order=True)
class Edit:
    """Remove line ``line`` of ``rel`` (config-dir relative), for rule ``code``."""

    rel: str
    line: int
    code: str


@dataclass
class FixOutcome:
    """What ``--fix`` did or would do.

    Attributes:
        messages: one line per file fixed and per edit refused.
        changed: config-dir relative file -> (text before, text after), for proven edits.
        shown: config-dir relative file -> the path as the user sees it.
    """

    messages: list[str] = field(default_factory=list)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)

    def diff(self) -> list[str]:
        """A unified diff of every change, file by file, secret values shown as markers (the
        lines are redacted as the files would read, then given their diff prefix back)."""
        out: list[str] = []
        for rel, (before, after) in sorted(self.changed.items()):
            name = self.shown.get(rel, rel)
            hidden = {
                side: dict(zip(text.splitlines(), redact_lines(text.splitlines()), strict=True))
                for side, text in (("-", before), ("+", after), (" ", after + "\n" + before))
            }
            for line in difflib.unified_diff(
                before.splitlines(), after.splitlines(), f"a/{name}", f"b/{name}", lineterm=""
            ):
                prefix, body = line[:1], line[1:]
                if line.startswith(("---", "+++", "@@")) or prefix not in hidden:
                    out.append(f"{line}\n")
                else:
                    out.append(f"{prefix}{hidden[prefix].get(body, body)}\n")
        return out


# --- planning edits --------------------------------------------------------------------------


def _single_line(lines: list[str], n: int) -> bool:
    """Line ``n`` (1-based) is a ``key: value`` entry with no nested block below it."""
    if n < 1 or n > len(lines):
        return False
    text = lines[n - 1]
    if not _SCALAR_ENTRY.match(text) or text.rstrip().endswith(("|", ">", "|-", ">-")):
        return False
    indent = len(text) - len(text.lstrip())
    nxt = next((ln for ln in lines[n:] if ln.strip() and not ln.lstrip().startswith("#")), None)
    return nxt is None or len(nxt) - len(nxt.lstrip()) <= indent


def _planned(result: LintResult, allowed: set[str]) -> list[Edit]:
    """The single-line edits CM201/CM202 findings ask for, in files in ``allowed``."""
    ctx = result.context
    by_shown = {yf.shown: yf for yf in ctx.files.values()}
    edits: set[Edit] = set()
    for d in result.diagnostics:
        yf = by_shown.get(d.file)
        if d.code not in FIXABLE or yf is None or yf.parsed is None or yf.rel not in allowed:
            continue
        if d.code == "CM201":
            lines = [dup.first_line for dup in yf.parsed.duplicates if dup.line == d.line]
        else:
            lines = [d.line]
        plain = [ln.rstrip("\r\n") for ln in yf.path.read_text(encoding="utf-8").splitlines()]
        edits |= {Edit(yf.rel, n, d.code) for n in lines if _single_line(plain, n)}
    return sorted(edits)


def _kept_by_yaml(text: str) -> Any:
    """What PyYAML's safe loader keeps (the last occurrence of a duplicate key)."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return object()


def _parse(text: str, name: str) -> Any:
    try:
        return parse_yaml(text, name=name).data
    except ConfmanError:
        return None


def _remove(text: str, numbers: set[int]) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(ln for i, ln in enumerate(lines, 1) if i not in numbers)


# --- proving edits ---------------------------------------------------------------------------


def _loaded(node: DefaultsNode) -> Iterator[str]:
    """The config files (config-dir relative) of a defaults tree."""
    if node.config_path:
        path = node.config_path
        yield path if path.endswith(".yaml") else f"{path}.yaml"
    for child in node.children:
        yield from _loaded(child)


class _Workspace:
    """A copy of the config dir where edits are tried and judged."""

    def __init__(self, copy: Path, version_base: str | None) -> None:
        self.copy = copy
        self.version_base = version_base
        self.original = {
            p.relative_to(copy).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(copy.rglob("*.yaml"))
        }
        self.current = dict(self.original)
        #: per file, the original line number of each current line
        self.origin = {
            rel: list(range(1, len(t.splitlines()) + 1)) for rel, t in self.current.items()
        }
        self.runs = reachable(copy)
        #: per composition label, the files Hydra's defaults list loads (None: not known)
        self.loads: dict[str, set[str] | None] = {}

    def learn(self, result: LintResult) -> None:
        """Which files each composition loads, from lint's compositions (Hydra's own defaults
        lists): an edit is judged on the compositions that load its file, and on every
        composition lint could not make."""
        made = [*result.context.compositions, *result.context.variants]
        known = {c.label: set(_loaded(c.composed.defaults_tree)) for c in made}
        # every composition lint could make is reachable too (each option of a group swapped
        # in place, ``+group=option``): an edit to an option only those load is judged on them
        labels = {run.label for run in self.runs}
        self.runs += [Reachable(c.primary, c.overrides) for c in made if c.label not in labels]
        self.loads = {run.label: known.get(run.label) for run in self.runs}

    def affected(self, edits: Sequence[Edit]) -> list[Reachable]:
        files = {e.rel for e in edits}
        return [
            run
            for run in self.runs
            if (loads := self.loads.get(run.label)) is None or loads & files
        ]

    def where(self, edit: Edit) -> int:
        """``edit``'s line as numbered in the user's file."""
        return self.origin[edit.rel][edit.line - 1]

    def write(self, texts: dict[str, str]) -> None:
        for rel, text in texts.items():
            (self.copy / rel).write_text(text, encoding="utf-8")
        clear_cache()

    def texts_with(self, edits: Sequence[Edit]) -> dict[str, str]:
        """The edited files' texts with ``edits`` applied over the current state."""
        by_file: dict[str, set[int]] = {}
        for e in edits:
            by_file.setdefault(e.rel, set()).add(e.line)
        return {rel: _remove(self.current[rel], lines) for rel, lines in by_file.items()}

    def judge(self, edits: Sequence[Edit], before: dict[str, str | None]) -> str | None:
        """None when ``edits`` change no reachable composition; else why (a composition)."""
        texts = self.texts_with(edits)
        for rel in {e.rel for e in edits if e.code == "CM201"}:
            if _kept_by_yaml(self.current[rel]) != _parse(texts[rel], rel):
                return f"{rel} would not read as YAML kept it"
        cm201 = any(e.code == "CM201" for e in edits)
        # the runs that select an edited option first: a change, if any, shows there soonest
        names = {e.rel.removesuffix(".yaml") for e in edits}
        runs = sorted(
            self.affected(edits),
            key=lambda r: (
                not any(n.endswith(o.partition("=")[2]) for o in r.overrides for n in names)
            ),
        )
        self.write(texts)
        try:
            for label, now in compose_each(self.copy, self.version_base, runs):
                was = before[label]
                if was is None and (now is None or cm201):
                    continue
                if now != was:  # the first change decides: the rest need not be composed
                    return f"composition '{label}' would change"
        finally:
            self.write({rel: self.current[rel] for rel in texts})
        return None

    def accept(self, edits: Sequence[Edit]) -> None:
        self.current.update(self.texts_with(edits))
        for rel in {e.rel for e in edits}:
            gone = {e.line for e in edits if e.rel == rel}
            self.origin[rel] = [n for i, n in enumerate(self.origin[rel], 1) if i not in gone]
        self.write({rel: self.current[rel] for rel in {e.rel for e in edits}})


def _prove(
    ws: _Workspace, edits: list[Edit], shown_as: dict[str, str], before: dict[str, str | None]
) -> tuple[list[Edit], list[str]]:
    """The edits proven safe and a message per refused edit: all at once when they are, else
    the files split in halves until a half is proven (few Hydra passes when most edits are
    safe), and a file that fails alone line by line."""
    accepted: list[Edit] = []
    refused: list[str] = []

    def settle(files: list[str]) -> None:
        group = [e for e in edits if e.rel in files]
        if ws.judge(group, before) is None:
            ws.accept(group)
            accepted.extend(group)
        elif len(files) > 1:
            settle(files[: len(files) // 2])
            settle(files[len(files) // 2 :])
        elif len(group) > 1:
            # one by one, last line first: an accepted removal leaves the earlier lines' numbers
            for e in sorted(group, reverse=True):
                settle_one(e)
        else:
            settle_one(group[0])

    def settle_one(e: Edit) -> None:
        why = ws.judge([e], before)
        if why is None:
            ws.accept([e])
            accepted.append(e)
        else:
            refused.append(f"{shown_as[e.rel]}:{ws.where(e)}: {e.code} fix refused: {why}")

    settle(sorted({e.rel for e in edits}))
    return accepted, refused


def _allowed(settings: Settings, paths: Sequence[Path]) -> set[str]:
    """The config files ``--fix`` may edit: regular files (never through a symlink) under
    ``paths`` when given."""
    out = set()
    wanted = [p.resolve() for p in paths]
    for path in settings.config_dir.rglob("*.yaml"):
        if path.is_symlink() or not path.is_file():
            continue
        real = path.resolve()
        if wanted and not any(real == w or real.is_relative_to(w) for w in wanted):
            continue
        out.add(path.relative_to(settings.config_dir).as_posix())
    return out


def fix(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    write: bool = True,
) -> FixOutcome:
    """Apply the CM201/CM202 fixes Hydra proves safe; with ``write=False`` only say what.

    Args:
        settings: the project's settings.
        paths: only edit files under these paths (default: the whole config dir).
        select, extend_select, ignore: as for :func:`confman.lint.lint`.
        write: write the proven edits to the user's files (False: leave them untouched).
    """
    outcome = FixOutcome()
    allowed = _allowed(settings, paths)
    lint_settings = settings.raw.get("lint", {})
    chosen = selected_codes(
        lint_settings if isinstance(lint_settings, dict) else {}, select, extend_select, ignore
    )
    codes = [c for c in chosen if c in FIXABLE]
    migrating = deprecated_name.CODE in chosen
    if not codes and not migrating:
        return FixOutcome(messages=["Nothing to fix: CM201, CM202 and CM104 are not selected."])
    with tempfile.TemporaryDirectory(prefix="confman-fix-") as tmp:
        # the copy sits where it sits in the project, so findings name the same paths
        # (per-file-ignores match them); the Python source is not copied: CM201/CM202 read none
        try:
            inside = settings.config_dir.relative_to(settings.root)
            there = replace(settings, root=Path(tmp), config_dir=Path(tmp) / inside)
        except ValueError:
            there = replace(settings, config_dir=Path(tmp) / settings.config_dir.name)
        copy = there.config_dir
        shutil.copytree(settings.config_dir, copy, ignore_dangling_symlinks=True)
        ws = _Workspace(copy, settings.version_base)
        shown_as = {rel: show(settings.config_dir / rel, settings.root) for rel in ws.original}
        done: dict[str, list[int]] = {}
        before: dict[str, str | None] | None = None
        tried: set[tuple[str, int]] = set()  # judged already (refused ones stay refused)
        for _ in range(ROUNDS if codes else 0):
            result = lint(there, select=codes)
            edits = [e for e in _planned(result, allowed) if (e.rel, ws.where(e)) not in tried]
            if not edits:
                break
            ws.learn(result)
            if before is None:  # only compositions that load an edited file can change
                before = compose_all(copy, ws.version_base, ws.affected(edits))
            else:
                missing = [r for r in ws.affected(edits) if r.label not in before]
                before.update(compose_all(copy, ws.version_base, missing))
            lines = {e: ws.where(e) for e in edits}
            tried |= {(e.rel, n) for e, n in lines.items()}
            accepted, refused = _prove(ws, edits, shown_as, before)
            outcome.messages += refused
            for e in accepted:
                done.setdefault(e.rel, []).append(lines[e])
            if not any(e.code == "CM201" for e in accepted):
                break  # only a fixed duplicate key can make new findings (a file now composes)
            before = None
        if migrating:  # CM104: migrate's own rewrite and proof, on the copy as fixed so far
            from confman.migrate.lintfix import migrate_copy

            moved = migrate_copy(there, settings, allowed)
            ws.current.update(moved.texts)
            outcome.messages += moved.messages
        clear_cache()
    for rel, text in ws.current.items():
        if text != ws.original[rel]:
            outcome.changed[rel] = (ws.original[rel], text)
            outcome.shown[rel] = shown_as[rel]
    for rel in sorted(r for r in outcome.changed if r in done):
        numbers = ", ".join(map(str, sorted(done.get(rel, []))))
        outcome.messages.append(
            f"{shown_as[rel]}: removed line(s) {numbers}; every reachable composition unchanged "
            f"({len(ws.runs)} composed with Hydra)"
        )
    if write:
        for rel, (old, new) in outcome.changed.items():
            target = settings.config_dir / rel
            if target.read_text(encoding="utf-8") == old:  # unchanged while we proved
                target.write_text(new, encoding="utf-8")
            else:
                outcome.messages.append(f"{shown_as[rel]}: changed meanwhile, not written")
        clear_cache()
    if not outcome.changed and not outcome.messages:
        outcome.messages.append("Nothing to fix.")
    return outcome


def add_noqa(result: LintResult) -> int:
    """Append ``# confman: noqa: CODES`` to each flagged YAML line; return how many changed."""
    by_file: dict[str, dict[int, set[str]]] = {}
    for d in result.diagnostics:
        if d.code != "CM000" and d.line >= 1:
            by_file.setdefault(d.file, {}).setdefault(d.line, set()).add(d.code)
    changed = 0
    for yf in result.context.files.values():
        wanted = by_file.get(yf.shown)
        if not wanted:
            continue
        lines = yf.path.read_text(encoding="utf-8").splitlines(keepends=True)
        for n, codes in wanted.items():
            if n > len(lines) or NOQA.search(lines[n - 1]):
                continue
            body = lines[n - 1].rstrip("\r\n")
            end = lines[n - 1][len(body) :]
            lines[n - 1] = f"{body}  # confman: noqa: {', '.join(sorted(codes))}{end or chr(10)}"
            changed += 1
        yf.path.write_text("".join(lines), encoding="utf-8")
    return changed
