"""``--where`` expressions: ``optimizer.lr>=0.01``, ``model.name==resnet``, ``trainer.tags~=foo``.

Parsed into (key, operator, value) and compiled to a condition on the leaf index (one row per
leaf per distinct node, see ``confman.store.layout``), so a query touches only the rows of the
key it names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


def _nodes(cond: str) -> str:
    return f"SELECT node FROM leaves WHERE key = ? AND {cond}"


def _match(where: Where, key: int) -> tuple[str, list[Any]]:
    """The nodes whose leaf at trie key ``key`` satisfies ``where`` (one or two index lookups)."""
    value = where.value
    if where.op in (">", "<", ">=", "<="):
        return _nodes(f"num {where.op} ?"), [key, float(value)]
    if where.op == "~=":
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return _nodes("txt LIKE ? ESCAPE '\\'"), [key, f"%{escaped}%"]
    num, txt = leaf_row(value)
    if num is not None:
        sql = f"{_nodes('num = ?')} UNION {_nodes('txt = ?')}"
        params: list[Any] = [key, num, key, txt]
    else:
        sql, params = _nodes("txt = ?"), [key, txt]
    if where.op == "==":
        return sql, params
    # != : the key is there with another value (a run without the key does not match).
    return f"SELECT node FROM leaves WHERE key = ? AND node NOT IN ({sql})", [key, *params]


def condition_sql(where: Where, chains: Sequence[Sequence[int]]) -> tuple[str, list[Any]]:
    """An SQL condition on the run alias ``r`` and its parameters (``?`` placeholders).

    ``chains`` are the trie keys the dotted key names (usually one): each is the leaf's key
    then the keys of the mappings above it, top-level section last (the root itself is not in
    it). The leaves matching are found on an index, once per distinct node holding them; the
    walk up to the configs' top nodes follows the ``edges`` index one level per key, and the
    runs are found on ``runs(config)``: no step scans a table.
    """
    branches: list[str] = []
    params: list[Any] = []
    for chain in chains:
        sql, values = _match(where, chain[0])
        for key in chain[1:]:
            sql, values = (
                f"SELECT parent FROM edges WHERE key = ? AND child IN ({sql})",
                [
                    key,
                    *values,
                ],
            )
        branches.append(sql)
        params.extend(values)
    if not branches:
        return "1 = 0", []
    return f"r.config IN ({' UNION '.join(branches)})", params
