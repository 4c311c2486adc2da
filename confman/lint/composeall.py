"""Making every composition lint judges: each primary, then every run :func:`reachable` lists.

The work is three steps so that it can be shared between processes: :func:`plan` composes the
primaries and lists the runs after them; :func:`make` composes any of those runs (by position,
so a forked child can take them from the front while its parent, once it has read the tree,
takes them from the back, see ``background.Claims``); :func:`merge` puts the outcomes back in
run order, so the compositions, the probes kept and the CM000 findings for failures are those
of one process making them all in order (:func:`compose_all`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from confman.compose.plain import Composer
from confman.errors import ConfmanError
from confman.lint.diagnostic import Diagnostic
from confman.lint.model import Composition, LintContext, YamlFile, input_error, show
from confman.lint.variants import MAX_VARIANTS, experiment_like, option_file, reachable, under

__all__ = ["Outcome", "Planned", "Progress", "compose_all", "make", "merge", "plan"]


@dataclass
class Planned:
    """The primaries composed and the runs to make after them: ``(primary, override, probe)``
    as :func:`reachable` lists them. Picklable, since a forked child plans and hands it over."""

    bases: list[Composition]
    #: each primary that failed to compose: (primary, its failure's cause)
    failed: list[tuple[str, str]]
    runs: list[tuple[str, str, bool]]
    #: said once about the runs (options left out over MAX_VARIANTS)
    notes: list[Diagnostic]


#: What making one run gave: its composition, the cause of its failure (message, NUL, hint),
#: or None when it was not made (a probe whose override an earlier run already made).
Outcome = Composition | str | None

#: Reports (compositions done, compositions to make).
Progress = Callable[[int, int], None]


def compose_all(
    ctx: LintContext,
    fast: bool,
    narrow: tuple[str, ...] | None = None,
    progress: Progress | None = None,
) -> None:
    """Compose every composition a user can reach, in this process (with ``narrow``, only
    the variants of options under those config-dir-relative paths)."""
    planned = plan(ctx, Composer(ctx.config_dir, ctx.settings.version_base, fast=fast), narrow)
    variants = Composer(ctx.config_dir, ctx.settings.version_base, fast=fast, check_hydra=False)
    merge(ctx, planned, make(planned, range(len(planned.runs)), variants, progress))


def plan(ctx: LintContext, composer: Composer, narrow: tuple[str, ...] | None) -> Planned:
    """Compose each primary into ``ctx.compositions`` and list the runs :func:`reachable`
    finds from them (every option swapped in, experiments, probes)."""
    planned = Planned([], [], [], [])
    for primary in ctx.primaries:
        yf = ctx.files[f"{primary}.yaml"]
        if yf.parsed is None:
            continue
        try:
            base = composer.compose(primary, ())
        except ConfmanError as exc:
            planned.failed.append((primary, _failure(exc)))
            continue
        planned.bases.append(Composition(primary, primary, (), base))
    ctx.compositions.extend(planned.bases)
    runs = reachable(ctx)
    if narrow is not None:
        runs = [r for r in runs if experiment_like(r[1]) or under(option_file(r[1]), narrow)]
    swapped = [r for r in runs if not experiment_like(r[1])]
    if len(swapped) > MAX_VARIANTS:
        runs = [r for r in runs if experiment_like(r[1])]
        config_dir = show(ctx.config_dir, ctx.root)
        planned.notes.append(
            input_error(
                config_dir,
                0,
                f"composed every primary and experiment, but not the {len(swapped)} options "
                f"swapped in place (over {MAX_VARIANTS}): rules that judge an option in place "
                "(CM202, CM302) see only the options those compositions use",
                f"lint a folder to check its options, e.g. `confman lint {config_dir}/<group>`",
                severity="info",
            )
        )
    planned.runs = runs
    return planned


def make(
    planned: Planned,
    positions: Iterable[int],
    composer: Composer,
    progress: Progress | None = None,
) -> dict[int, Outcome]:
    """Compose the runs at ``positions``, in any order. A probe whose override composed here
    at an earlier position is skipped (:func:`merge` would drop it)."""
    out: dict[int, Outcome] = {}
    probed: dict[str, int] = {}  # override -> the first position where its probe composed
    for position in positions:
        if progress is not None:
            progress(position + 1, len(planned.runs))
        primary, override, probe = planned.runs[position]
        if probe and probed.get(override, position) < position:
            out[position] = None
            continue
        try:
            composed = composer.compose(primary, (override,))
        except ConfmanError as exc:
            out[position] = _failure(exc)
            continue
        out[position] = Composition(f"{primary} {override}", primary, (override,), composed)
        if probe:
            probed[override] = min(position, probed.get(override, position))
    return out


def merge(ctx: LintContext, planned: Planned, outcomes: dict[int, Outcome]) -> None:
    """Put the outcomes of every run into ``ctx`` in run order: experiments into
    ``compositions``, variants and the first probe of each override that composed into
    ``variants``, and one CM000 finding per cause of failure (the same Hydra error from many
    compositions is reported once, at the first, with a count), never one per composition.

    A variant that fails only needs another group chosen with it (``model=gine`` with
    ``training=largemix``), and a ``+group=option`` probe that fails was never reachable:
    neither is reported.
    """
    ctx.problems.extend(planned.notes)
    unparsed = {rel for rel, yf in ctx.files.items() if yf.parsed is None}
    failures: dict[str, list[tuple[YamlFile, str]]] = {}
    for primary, cause in planned.failed:
        failures.setdefault(cause, []).append((ctx.files[f"{primary}.yaml"], primary))
    probed: set[str] = set()
    for position, (primary, override, probe) in enumerate(planned.runs):
        made = outcomes.get(position)
        if made is None or (probe and override in probed):
            continue
        if isinstance(made, str):
            if experiment_like(override):
                yf = ctx.files[f"{primary}.yaml"]
                failures.setdefault(made, []).append((yf, f"{primary} {override}"))
            continue
        (ctx.variants if probe or not experiment_like(override) else ctx.compositions).append(made)
        if probe:
            probed.add(override)
    for cause, where in failures.items():
        if _reported_elsewhere(cause, unparsed):
            continue
        yf, label = where[0]
        more = f" (and {len(where) - 1} other compositions)" if len(where) > 1 else ""
        message, _, hint = cause.partition("\0")
        hint = _project_hint(yf, message) or hint
        at = _FILE_LINE.match(message)
        if at and at[1] in ctx.files:  # the error names the file and line that hold it
            yf, line, message = ctx.files[at[1]], int(at[2]), message[at.end() :]
        else:
            line = _selection_line(ctx, yf.rel, message)
        ctx.problem(yf.shown, line, f"cannot compose '{label}'{more}: {message}", hint or None)


def _failure(exc: ConfmanError) -> str:
    return f"{exc.message}\0{exc.hint or ''}"


def _reported_elsewhere(cause: str, unparsed: set[str]) -> bool:
    """Whether another rule or an earlier CM000 already reports this failure: a duplicate key
    (CM201) or a file that does not parse."""
    message = cause.partition("\0")[0]
    return "duplicate key" in message or any(message.startswith(f"{rel}:") for rel in unparsed)


_FILE_LINE = re.compile(r"([\w./-]+\.yaml):(\d+): ")

_RESOLVER = re.compile(r"\$\{([\w.]+):")


def _project_hint(yf: YamlFile, message: str) -> str | None:
    """What the project does in Python or on its command line that lint does not, when the
    failure points at it: a search path it adds, a resolver it registers, a launcher plugin it
    selects."""
    data = yf.parsed.data if yf.parsed is not None else None
    hydra = data.get("hydra") if isinstance(data, dict) else None
    paths = hydra.get("searchpath") if isinstance(hydra, dict) else None
    if _NO_OPTION.search(message) and isinstance(paths, list) and paths:
        shown = ", ".join(str(p) for p in paths)
        return (
            f"'{yf.rel}' adds search path(s) {shown}: options found only there are not seen, "
            "since confman does not import packages or read outside the project to follow them"
        )
    resolver = _RESOLVER.search(message)
    if "resolving interpolation" in message and resolver and not resolver[1].startswith("oc."):
        return (
            f"'{resolver[1]}' is a custom resolver the project registers in Python "
            "(OmegaConf.register_new_resolver); lint runs no project code"
        )
    if "Launcher" in message or "Sweeper" in message:
        return (
            "the config sets a plugin's keys without selecting the plugin: add "
            "'override hydra/launcher: <plugin>' to its defaults list, or it only composes "
            "with that override on the command line"
        )
    return None


_NO_OPTION = re.compile(r"no option '([^']+)' in config group '([^']+)'")


def _selection_line(ctx: LintContext, rel: str, message: str) -> int:
    """The line of the defaults entry a "no option" error is about, when ``rel`` holds it."""
    match = _NO_OPTION.search(message)
    if match:
        option, group = match.groups()
        for sel in ctx.selections:
            if sel.file == rel and sel.option == option and sel.group.endswith(group):
                return sel.line
    return 1
