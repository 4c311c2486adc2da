"""Run the selected rules over a context, then apply ruff-style selection and suppressions.

Selection: ``select`` / ``extend-select`` / ``ignore`` take codes or prefixes (``CM2`` is every
duplication rule, ``ALL`` everything), from ``[tool.confman.lint]`` and the command line (the
command line wins). Suppressions: ``# confman: noqa`` or ``# confman: noqa: CM203,CM101`` on the
flagged YAML line, ``# confman: noqa-file`` in the first lines of a file, ``per-file-ignores``
(glob -> codes) and ``ignore-keys`` (globs of dotted keys) in settings.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from confman.errors import ConfmanError
from confman.lint import optioncomp
from confman.lint.background import Background, Claims, can_fork
from confman.lint.composeall import Progress
from confman.lint.context import LintContext, YamlFile, build_context
from confman.lint.diagnostic import Diagnostic
from confman.lint.rules import RULES
from confman.settings import Settings

__all__ = ["LintResult", "lint", "lint_context", "selected_codes"]

NOQA = re.compile(r"#\s*confman:\s*noqa(?::\s*([A-Z0-9, ]+))?", re.I)
NOQA_FILE = re.compile(r"#\s*confman:\s*noqa-file", re.I)
_FILE_HEADER_LINES = 10


class LintSettingsError(ConfmanError):
    """``[tool.confman.lint]`` or a command-line code list is malformed."""


@dataclass
class LintResult:
    """Diagnostics that survived selection and suppression, plus what was checked."""

    diagnostics: list[Diagnostic]
    context: LintContext
    suppressed: int = 0
    codes: list[str] = field(default_factory=list)


def _codes(value: object, source: str) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise LintSettingsError(
            f"{source}: expected a list of rule codes", hint='e.g. ["CM2", "CM101"]'
        )
    out = [str(i).strip().upper() for i in items if str(i).strip()]
    for code in out:
        if code != "ALL" and not any(c.startswith(code) for c in RULES):
            raise LintSettingsError(
                f"{source}: unknown rule code '{code}'",
                hint=f"known codes: {', '.join(RULES)} (prefixes like CM2 work)",
            )
    return out


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def selected_codes(
    settings: dict[str, object],
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[str]:
    """The rule codes to run, settings first, then the command line."""
    chosen = (
        list(select) if select else _codes(settings.get("select"), "[tool.confman.lint] select")
    )
    chosen = chosen or ["ALL"]
    chosen += list(extend_select or []) + _codes(settings.get("extend-select"), "extend-select")
    ignored = _codes(settings.get("ignore"), "[tool.confman.lint] ignore") + list(ignore or [])
    # input errors are reported whatever is selected (a tree read only in part is no clean
    # tree), unless they are ignored by name
    chosen.append("CM000")
    return [c for c in RULES if _matches(c, chosen) and not _matches(c, ignored)]


def _suppressed(
    diag: Diagnostic,
    ctx: LintContext,
    per_file: dict[str, list[str]],
    by_shown: dict[str, YamlFile],
) -> bool:
    for pattern, codes in per_file.items():
        if fnmatch(diag.file, pattern) and _matches(diag.code, codes):
            return True
    globs = ctx.lint_settings.get("ignore-keys") or []
    if diag.key and any(fnmatch(diag.key, g) for g in globs):
        return True
    yf = by_shown.get(diag.file)
    if yf is None:
        return False
    if any(NOQA_FILE.search(line) for line in yf.lines[:_FILE_HEADER_LINES]):
        return True
    if 1 <= diag.line <= len(yf.lines):
        match = NOQA.search(yf.lines[diag.line - 1])
        if match and not NOQA_FILE.search(yf.lines[diag.line - 1]):
            listed = match.group(1)
            return listed is None or _matches(diag.code, _codes(listed, "noqa comment"))
    return False


#: The rules that read the run store: they run in this process, never in the forked child
#: that shares the others (a database connection must not be used on both sides of a fork).
STORE_RULES = frozenset({"CM102", "CM103"})
#: The rules by their share of a large lint's rule time, costliest first (measured on
#: ``benchmarks/lint.py``'s generated tree and the corpus trees); the rest cost little. With a
#: second core the two processes take them from the two ends of :func:`_two_ended`'s order.
COSTLIEST_FIRST = ("CM101", "CM207", "CM302", "CM301", "CM401", "CM203", "CM202", "CM204")
#: The rules that read every option composed alone (:mod:`confman.lint.optioncomp`).
OPTION_RULES = frozenset({"CM204", "CM302"})
#: Fewest leaves over a context's compositions for which forking pays for itself.
FORK_MIN_LEAVES = 20_000


def lint_context(ctx: LintContext, codes: Sequence[str], *, parallel: bool = False) -> LintResult:
    """Run ``codes`` over an already built context (with ``parallel``, shared with a forked
    child that takes rules from one end of a list while this process takes them from the
    other; the findings are the same)."""
    per_file_raw = ctx.lint_settings.get("per-file-ignores") or {}
    if not isinstance(per_file_raw, dict):
        raise LintSettingsError(
            "[tool.confman.lint] per-file-ignores must be a table glob -> codes"
        )
    per_file = {g: _codes(c, f"per-file-ignores '{g}'") for g, c in per_file_raw.items()}
    found = _check(ctx, codes, parallel)
    by_shown: dict[str, YamlFile] = {}
    for yf in ctx.files.values():
        by_shown.setdefault(yf.shown, yf)  # the first, as a scan of ctx.files would find
    kept = [d for d in found if not _suppressed(d, ctx, per_file, by_shown)]
    kept = sorted(set(kept), key=lambda d: (d.file, d.line, d.col, d.code, d.message))
    return LintResult(kept, ctx, suppressed=len(found) - len(kept), codes=list(codes))


def _check(ctx: LintContext, codes: Sequence[str], parallel: bool) -> list[Diagnostic]:
    """The rules' findings. Shared, the rules go to whichever process is free: which process
    runs a rule is decided as they go, so no fixed split leaves one idle on a tree whose
    costs differ from the generated tree's. If the child fails, this process runs the rules
    it took."""
    shared = _two_ended([c for c in codes if c not in STORE_RULES])
    if not parallel or len(shared) < 2:
        return _run(ctx, codes)
    for comp in ctx.compositions:
        comp.composed.provenance  # noqa: B018  (made once here, inherited by the child)
    claims = Claims()
    claims.open(len(shared))
    child = Background(_claimed, ctx, shared, claims.first)
    found = _run(ctx, [c for c in codes if c in STORE_RULES])
    found += _claimed(ctx, shared, claims.last)
    done = child.result()
    return found + (done if done is not None else _run(ctx, shared[: claims.front()]))


def _two_ended(codes: list[str]) -> list[str]:
    """``codes`` ordered so that a process taking from the front and one taking from the back
    each meet the costliest rules first, alternately, and the cheap ones last, in the middle:
    whichever process is free then takes them."""
    rank = {code: i for i, code in enumerate(COSTLIEST_FIRST)}
    ordered = sorted(codes, key=lambda c: rank.get(c, len(rank)))
    return ordered[::2] + ordered[1::2][::-1]


def _claimed(
    ctx: LintContext, codes: list[str], take: Callable[[], int | None]
) -> list[Diagnostic]:
    """The findings of the rules at the positions ``take`` gives, each claimed just before
    it runs."""
    return _run(ctx, (codes[position] for position in iter(take, None)))


def _run(ctx: LintContext, codes: Iterable[str]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for code in codes:
        found.extend(RULES[code].check(ctx))
    return found


def _worth_forking(ctx: LintContext) -> bool:
    """Whether the rules have enough leaves to judge for a child to pay for itself. The
    variants count too (CM202 and CM302 judge them), each estimated at the compositions'
    mean size: their histories are made only by the rules that read them."""
    if not ctx.compositions:
        return False
    leaves = sum(len(comp.composed.provenance) for comp in ctx.compositions)
    estimate = leaves + len(ctx.variants) * leaves // len(ctx.compositions)
    return estimate >= FORK_MIN_LEAVES and can_fork()


#: Allocations between young-generation collections while linting (Python's default is 700).
GC_YOUNG_THRESHOLD = 50_000


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Collect garbage less often while a lint builds its (large, acyclic) parse and provenance
    data: with the default threshold the cycle collector runs hundreds of times and rescans
    what was just built, a visible share of a large lint (``benchmarks/lint.py``). Restored
    afterwards."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], GC_YOUNG_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def lint(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> LintResult:
    """Lint the ML system described by ``settings``.

    Args:
        settings: project settings (config dir, ``[tool.confman.lint]``).
        paths: only report findings in files under these paths (default: everything); paths
            inside the config dir also narrow what is composed.
        select, extend_select, ignore: rule codes or prefixes, beating the settings.
        progress: called with (compositions done, compositions to make) while composing.
    """
    lint_settings = settings.raw.get("lint", {})
    if not isinstance(lint_settings, dict):
        raise LintSettingsError("[tool.confman.lint] must be a table")
    codes = selected_codes(
        lint_settings,
        _codes(list(select), "--select") if select else None,
        _codes(list(extend_select), "--extend-select") if extend_select else None,
        _codes(list(ignore), "--ignore") if ignore else None,
    )
    with _fewer_gc_passes():
        # the rules that compare options composed alone start on them while the child composes
        waiting = optioncomp.prepare if OPTION_RULES & set(codes) else None
        ctx = build_context(
            settings, paths=list(paths) or None, progress=progress, while_waiting=waiting
        )
        result = lint_context(ctx, codes, parallel=_worth_forking(ctx))
    if paths:
        wanted = [p.resolve() for p in paths]
        result.diagnostics = [
            d
            for d in result.diagnostics
            if any(_under((settings.root / d.file).resolve(), w) for w in wanted)
        ]
    return result


def _under(path: Path, base: Path) -> bool:
    return path == base or base in path.parents
