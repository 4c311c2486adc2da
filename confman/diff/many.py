"""Compare many configs at once (``confman runs compare``): one table of only the keys that differ.

Two-sided diffs answer "what changed"; across a sweep of runs the question is "which settings
vary, and how". Keys whose value is the same in every run are hidden and counted. Columns are
ordered by how many runs differ from the most common value, so the settings that vary most come
first. Values are compared by type and value (``1``, ``1.0``, ``True`` and ``"1"`` are four
values); secrets are never shown, only which runs share a value (``secret#1``, ``secret#2``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from confman.diff.compare import ignore_matcher
from confman.diff.render.values import hydra_value
from confman.diff.secrets import is_secret
from confman.provenance import iter_leaves

__all__ = ["ABSENT", "RunTable", "compare_many", "render_table"]

ABSENT = "<absent>"


class _Shown(str):
    """A label shown as it is, never as a value (``<absent>``, ``secret#1``)."""

    __slots__ = ()


_ABSENT = _Shown(ABSENT)


@dataclass(frozen=True)
class RunTable:
    """The keys that differ across runs.

    Attributes:
        runs: run labels (row order).
        keys: the differing keys, most-varying first.
        values: per key, one shown value per run (``ABSENT`` where a run lacks the key).
        differing: per key, how many runs differ from the key's most common value.
        constant: how many keys have the same value in every run (hidden).
    """

    runs: tuple[str, ...]
    keys: tuple[str, ...]
    values: dict[str, tuple[Any, ...]]
    differing: dict[str, int]
    constant: int

    def to_json(self) -> dict[str, Any]:
        """Rows of ``{"run": id, key: value...}`` plus the hidden-key count."""
        rows = [
            {"run": run, **{k: self.values[k][i] for k in self.keys}}
            for i, run in enumerate(self.runs)
        ]
        return {"runs": rows, "keys": list(self.keys), "constant_keys": self.constant}


def _identity(value: Any) -> Any:
    """A hashable stand-in that tells apart values of different types."""
    if isinstance(value, list | dict):
        return (type(value).__name__, repr(value))
    if isinstance(value, float) and value != value:
        return (float, "nan")
    return (type(value), value)


def compare_many(
    configs: Mapping[str, Mapping[str, Any]], *, ignore: tuple[str, ...] = ()
) -> RunTable:
    """Build the table of differing keys for ``{run label: config}``."""
    matcher = ignore_matcher(ignore)
    runs = tuple(configs)
    flats = [dict(iter_leaves(configs[r])) for r in runs]
    order: dict[str, None] = {}
    for flat in flats:
        order.update(dict.fromkeys(flat))
    missing = object()
    keys: list[str] = []
    values: dict[str, tuple[Any, ...]] = {}
    differing: dict[str, int] = {}
    constant = 0
    for key in order:
        if matcher is not None and matcher.match(key):
            continue
        column = [flat.get(key, missing) for flat in flats]
        ids = [_ABSENT if v is missing else _identity(v) for v in column]
        counts = Counter(ids)
        if len(counts) == 1:
            constant += 1
            continue
        keys.append(key)
        differing[key] = len(ids) - counts.most_common(1)[0][1]
        if is_secret(key):
            classes: dict[Any, str] = {}
            shown = [
                _ABSENT
                if i is _ABSENT
                else classes.setdefault(i, _Shown(f"secret#{len(classes) + 1}"))
                for i in ids
            ]
        else:
            shown = [_ABSENT if v is missing else v for v in column]
        values[key] = tuple(shown)
    keys.sort(key=lambda k: -differing[k])  # stable: ties keep config order
    return RunTable(runs, tuple(keys), values, differing, constant)


def _cell(value: Any) -> str:
    return str(value) if isinstance(value, _Shown) else hydra_value(value)


def render_table(table: RunTable, fmt: str = "table") -> str:
    """``table`` (aligned text), ``markdown``, ``csv`` or ``json``."""
    header = ["run", *table.keys]
    rows = [
        [run, *(_cell(table.values[k][i]) for k in table.keys)] for i, run in enumerate(table.runs)
    ]
    footer = f"{len(table.keys)} differing keys; {table.constant} constant keys hidden"
    if fmt == "json":
        return json.dumps(table.to_json(), indent=2, default=str) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join([*lines, "", footer]) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join([*lines, footer]) + "\n"
