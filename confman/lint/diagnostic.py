"""One lint finding, shaped like ruff's: code, name, message, where, how bad, and how to fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Diagnostic", "Severity"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding at ``file:line:col``.

    Attributes:
        file: path relative to the project root (``conf/model/mlp.yaml``).
        line: 1-based line (0 when the finding is about a whole file).
        col: 1-based column.
        code: rule code, ``CM201``.
        name: rule name, ``duplicate-key``.
        message: what is wrong, naming the key path and every place involved.
        severity: ``error``, ``warning`` or ``info``.
        fix: what to do instead, one sentence.
        key: the dotted key path the finding is about, when there is one.
        confidence: 0-100 for heuristic evidence (vulture-style), 100 when certain.
    """

    file: str
    line: int
    col: int
    code: str
    name: str
    message: str
    severity: Severity = "warning"
    fix: str | None = None
    key: str | None = None
    confidence: int = 100

    def to_json(self) -> dict[str, Any]:
        """A plain dict for ``--output-format json``."""
        return asdict(self)
