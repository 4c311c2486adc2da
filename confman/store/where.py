"""``--where`` expressions: ``optimizer.lr>=0.01``, ``model.name==resnet``, ``trainer.tags~=foo``.

Parsed into (key, operator, value) and compiled to a condition on the flat leaf index, so a query
touches only the rows of the keys it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from confman.errors import ConfmanError

__all__ = ["Where", "WhereError", "parse_where"]

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
