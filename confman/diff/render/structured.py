"""Machine and review formats: JSON, YAML and a Markdown table for PR comments."""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from confman.diff.model import Change, Side
from confman.diff.render.terminal import AS_WRITTEN, AS_WRITTEN_NOTE, _where, summary
from confman.diff.render.values import hydra_value

__all__ = ["as_document", "render_json", "render_markdown", "render_yaml"]


def as_document(changes: list[Change], a: Side, b: Side) -> dict[str, Any]:
    """The diff as one JSON-ready mapping: both sides' labels, the changes, a summary."""
    return {
        "a": a.label,
        "b": b.label,
        "changes": [_jsonable(c.to_json()) for c in changes],
        "summary": summary(changes),
    }


def _jsonable(value: Any) -> Any:
    """NaN and infinities as strings: strict JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def render_json(changes: list[Change], a: Side, b: Side) -> str:
    """Indented JSON (see ``as_document``)."""
    return json.dumps(as_document(changes, a, b), indent=2, default=str) + "\n"


def render_yaml(changes: list[Change], a: Side, b: Side) -> str:
    """The same document as ``render_json``, as YAML."""
    return yaml.safe_dump(as_document(changes, a, b), sort_keys=False, allow_unicode=True)


def render_markdown(changes: list[Change], a: Side, b: Side) -> str:
    """A GitHub-flavoured table, fit to paste in a pull-request comment."""
    out = [
        f"**Config diff** `{_cell(a.label)}` → `{_cell(b.label)}`: {summary(changes)}",
        "",
    ]
    if not changes:
        return "\n".join(out)
    out += ["| | key | a | b | set by |", "|---|---|---|---|---|"]
    marks = {"changed": "~", "type_changed": "~", "added": "+", "removed": "-", "choice": "⇄"}
    for change in changes:
        key = f"**{change.path}**" if change.kind == "choice" else f"`{change.path}`"
        if change.group is not None:
            key = f"↳ {key}"
        old = _value(change, change.old, change.old_unresolved)
        new = _value(change, change.new, change.new_unresolved)
        if change.kind == "added":
            old = ""
        if change.kind == "removed":
            new = ""
        where = _where(change.old_source, change.new_source, change.kind)
        out.append(f"| {marks[change.kind]} | {key} | {old} | {new} | {_cell(where)} |")
    if any(c.unresolved for c in changes):
        out += ["", f"*{_cell(AS_WRITTEN_NOTE)}*"]
    return "\n".join(out) + "\n"


def _value(change: Change, value: Any, unresolved: bool) -> str:
    if change.secret:
        return "*changed*"
    shown = str(value) if change.kind == "choice" and value is not None else hydra_value(value)
    return f"`{_cell(shown)}`" + (f" *{AS_WRITTEN}*" if unresolved else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")
