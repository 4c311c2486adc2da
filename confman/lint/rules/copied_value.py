"""CM203 copied-value: the same setting written as a literal in several files.

What it does:
    Within each composed config, finds leaves with the same key within their top-level section
    (``data.num_classes`` and ``model.num_classes``) and the same literal value
    (a number or a string; booleans, nulls, integers below 10, trivial values such as 0.0,
    1.0 and "" and directive
    keys wrapped in underscores such as ``_target_``, ``_convert_`` or ``_name_`` are skipped)
    defined in different files, for example ``num_classes: 10`` in ``data/digits.yaml`` and in
    ``model/mlp.yaml``. The message lists every place.

Why it matters:
    Copies drift. Switch the data set and forget the model's copy, and the run trains a
    10-class head on 3 classes.

Example:
    # data/digits.yaml      # model/mlp.yaml
    num_classes: 10         num_classes: 10    # CM203

Instead:
    Define it once and point the others at it: ``num_classes: ${data.num_classes}``.

Options:
    none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import Write

CODE = "CM203"
NAME = "copied-value"
LEVEL: Severity = "warning"
_TRIVIAL = {0.0, 1.0, -1.0, 2.0}
#: Integers below this (in absolute value) are not taken as copies.
SMALL_INT = 10


def _literal(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        # a small count (4 workers, 6 layers, a step of 6) is shared by chance far more often
        # than copied: on real trees every such match was two different knobs
        return abs(value) >= SMALL_INT
    if isinstance(value, float):
        return value not in _TRIVIAL
    return isinstance(value, str) and len(value) >= 2 and "${" not in value


_Setting = tuple[tuple[str, str, str], tuple[str, int, str]]


#: keys wrapped in underscores are framework directives (Hydra's ``_target_``/``_convert_``,
#: registries' ``_name_``): each object's own switch, not a setting copied between files
_DIRECTIVE = re.compile(r"^_\w+_$")


def _setting(path: str, win: Write) -> _Setting | None:
    """``((leaf key, type, value), (file, line, path))`` for a literal a file wrote, else None."""
    if win.kind != "file" or win.file is None or win.line is None or not _literal(win.value):
        return None
    if _DIRECTIVE.match(path.rsplit(".", 1)[-1]):
        return None
    leaf = path.split(".", 1)[-1]  # the key within its section: data.num_classes -> num_classes
    return (leaf, type(win.value).__name__, repr(win.value)), (win.file, win.line, path)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    groups: dict[tuple[str, str, str], set[tuple[str, int, str]]] = defaultdict(set)
    # compositions of one tree share their files' recorded writes (the same Write object for a
    # leaf), so each winning write is described once; the compositions keep them all alive
    # meanwhile, so their ids stay theirs
    described: dict[int, tuple[str, _Setting | None]] = {}
    for comp in ctx.compositions:
        by_value: dict[tuple[str, str, str], set[tuple[str, int, str]]] = defaultdict(set)
        for path, writes in comp.composed.provenance.items():
            win = writes[-1]
            known = described.get(id(win))
            if known is None or known[0] != path:
                known = described[id(win)] = (path, _setting(path, win))
            setting = known[1]
            if setting is not None:
                by_value[setting[0]].add(setting[1])
        for key, places in by_value.items():
            if len({f for f, _, _ in places}) > 1 and len({p for _, _, p in places}) > 1:
                groups[key] |= places
    for (_leaf, _, value), places in sorted(groups.items()):
        ordered = sorted(places)
        listing = ", ".join(f"{p} ({ctx.shown(f)}:{n})" for f, n, p in ordered)
        first = ordered[0]
        for file, line, path in ordered[1:]:
            yield Diagnostic(
                ctx.shown(file),
                line,
                1,
                CODE,
                NAME,
                f"'{path}: {value}' is a copy; the same value is written at {listing}",
                severity=LEVEL,
                fix=f"write it once and use '${{{first[2]}}}' here",
                key=path,
            )
