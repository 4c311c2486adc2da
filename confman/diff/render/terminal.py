"""The default, human format: one line per change, grouped under the group choice that implies
it, with where each side's value came from. Styled with rich; the CLI's console drops colour
when stdout is not a terminal (and honours NO_COLOR)."""

from __future__ import annotations

from rich.text import Text

from confman.diff.model import Change, Side
from confman.diff.render.values import hydra_value
from confman.provenance import Write

__all__ = ["AS_WRITTEN", "AS_WRITTEN_NOTE", "render_terminal", "summary"]

AS_WRITTEN = "(as written)"
AS_WRITTEN_NOTE = (
    f"{AS_WRITTEN}: an interpolation that cannot resolve here (${{hydra:...}} outside a run, a "
    "resolver registered in Python, a missing key) is compared as written"
)

_MARK = {
    "changed": ("~", "yellow"),
    "type_changed": ("~", "magenta"),
    "added": ("+", "green"),
    "removed": ("-", "red"),
    "choice": ("*", "bold cyan"),
}


def summary(changes: list[Change]) -> str:
    """``3 changed, 1 added, 1 removed (1 group choice)``, or ``no differences``."""
    if not changes:
        return "no differences"
    counts: dict[str, int] = {}
    for change in changes:
        key = "changed" if change.kind == "type_changed" else change.kind
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{counts[k]} {k}" for k in ("changed", "added", "removed") if counts.get(k)]
    text = ", ".join(parts) or "0 leaf changes"
    if counts.get("choice"):
        n = counts["choice"]
        text += f" ({n} group choice{'s' if n > 1 else ''})"
    return text


def render_terminal(changes: list[Change], a: Side, b: Side) -> list[Text]:
    """Lines of styled text, ready for ``rich.console.Console.print``."""
    lines = [Text(f"--- a: {a.label}", style="red"), Text(f"+++ b: {b.label}", style="green")]
    for change in changes:
        lines.append(_line(change))
    if any(c.unresolved for c in changes):
        lines.append(Text(AS_WRITTEN_NOTE, style="dim"))
    lines.append(Text(summary(changes), style="bold"))
    return lines


def _show(change: Change, value: object) -> str:
    return str(value) if change.kind == "choice" and value is not None else hydra_value(value)


def _type(value: object) -> str:
    """A value's type in YAML's words (``null``, ``mapping``), not Python's (``NoneType``)."""
    if value is None:
        return "null"
    return "mapping" if isinstance(value, dict) else type(value).__name__


def _value(text: Text, change: Change, value: object, unresolved: bool, style: str) -> None:
    text.append(_show(change, value), style=style)
    if unresolved:
        text.append(f" {AS_WRITTEN}", style="italic")


def _line(change: Change) -> Text:
    mark, style = _MARK[change.kind]
    indent = "    " if change.group is not None else ""
    text = Text(indent)
    text.append(f"{mark} ", style=style)
    text.append(change.path, style="bold" if change.kind == "choice" else "")
    text.append(": ")
    if change.secret:
        text.append(f"secret {change.kind}", style="italic")
    elif change.kind == "added":
        _value(text, change, change.new, change.new_unresolved, "green")
    elif change.kind == "removed":
        _value(text, change, change.old, change.old_unresolved, "red")
    else:
        _value(text, change, change.old, change.old_unresolved, "red")
        text.append(" -> ")
        _value(text, change, change.new, change.new_unresolved, "green")
        if change.kind == "type_changed":
            text.append(f"  ({_type(change.old)} -> {_type(change.new)})", style="magenta")
    where = _where(change.old_source, change.new_source, change.kind)
    if where:
        text.append(f"   [{where}]", style="dim")
    return text


def _where(old: Write | None, new: Write | None, kind: str) -> str:
    if kind == "added":
        return new.location if new else ""
    if kind == "removed":
        return old.location if old else ""
    if old is None and new is None:
        return ""
    left = old.location if old else "?"
    right = new.location if new else "?"
    return left if left == right else f"{left} -> {right}"
