"""``--where`` expressions: ``optimizer.lr>=0.01``, ``model.name==resnet``, ``trainer.tags~=foo``.

Parsed into (key, operator, value) and compiled to a condition on the flat leaf index, so a query
touches only the rows of the keys it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from confman.errors import ConfmanError
from confman.store.record import canonical_json

__all__ = ["Where", "WhereError", "condition_sql", "leaf_row", "parse_where"]

OPERATORS = ("==", "!=", ">=", "<=", "~=", ">", "<")
_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.\-@/]*)\s*(==|!=|>=|<=|~=|>|<)\s*(.*?)\s*$")


class WhereError(ConfmanError):
    """A ``--where`` expression cannot be parsed."""


@dataclass(frozen=True)
class Where:
    """One comparison of a config key against a literal."""

    key: str
    op: str
    value: Any

    @property
    def numeric(self) -> bool:
        """Compare as numbers (the literal parsed as int/float)."""
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_where(expr: str) -> Where:
    """Parse ``KEY OP VALUE`` (OP one of == != >= <= > < ~=; ~= is substring/regex match)."""
    match = _PATTERN.match(expr)
    if not match:
        raise WhereError(
            f"cannot parse --where {expr!r}",
            hint="write KEY OP VALUE with OP one of "
            + " ".join(OPERATORS)
            + ", e.g. optimizer.lr>=0.01",
        )
    key, op, raw = match.groups()
    value = raw if op == "~=" else _literal(raw)
    if op in (">", "<", ">=", "<=") and not isinstance(value, (int, float)):
        raise WhereError(
            f"--where {expr!r}: {op} needs a number, got {raw!r}", hint="use == or ~= for text"
        )
    return Where(key, op, value)


def leaf_row(value: Any) -> tuple[float | None, str]:
    """How a leaf is indexed: ``(num, txt)``; numbers get both, so ``==`` matches either way."""
    if isinstance(value, bool):
        return None, "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value), repr(value) if isinstance(value, float) else str(value)
    if value is None:
        return None, "null"
    if isinstance(value, str):
        return None, value
    return None, canonical_json(value)


_LEAVES = "SELECT fingerprint FROM leaves WHERE key = ?"


def condition_sql(where: Where) -> tuple[str, list[Any]]:
    """An SQL condition on the run alias ``r`` and its parameters (``?`` placeholders).

    Every branch is a lookup on one of the ``(key, num)`` / ``(key, txt)`` indexes; a number
    compared with ``==`` matches a numeric leaf or the same text, as a UNION of two index
    lookups rather than an OR the planner would answer with a scan.
    """
    value = where.value
    if where.op in (">", "<", ">=", "<="):
        return f"r.fingerprint IN ({_LEAVES} AND num {where.op} ?)", [where.key, float(value)]
    if where.op == "~=":
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"r.fingerprint IN ({_LEAVES} AND txt LIKE ? ESCAPE '\\')", [
            where.key,
            f"%{escaped}%",
        ]
    num, txt = leaf_row(value)
    if num is not None:
        match = f"{_LEAVES} AND num = ? UNION {_LEAVES} AND txt = ?"
        params: list[Any] = [where.key, num, where.key, txt]
    else:
        match, params = f"{_LEAVES} AND txt = ?", [where.key, txt]
    if where.op == "==":
        return f"r.fingerprint IN ({match})", params
    # != : the key exists with another value (a run without the key does not match).
    return (
        f"r.fingerprint IN ({_LEAVES}) AND r.fingerprint NOT IN ({match})",
        [where.key, *params],
    )
