"""Renderers of a diff, one per output format, all over the same ``Change`` list."""

from __future__ import annotations

from collections.abc import Callable

from confman.diff.model import Change, Side
from confman.diff.render.overrides import override_lines, render_overrides, tree_groups
from confman.diff.render.structured import (
    as_document,
    render_json,
    render_markdown,
    render_yaml,
)
from confman.diff.render.terminal import render_terminal, summary

__all__ = [
    "FORMATS",
    "as_document",
    "override_lines",
    "render",
    "render_overrides",
    "render_terminal",
    "summary",
    "tree_groups",
]


def _plain_terminal(changes: list[Change], a: Side, b: Side) -> str:
    return "".join(f"{line.plain}\n" for line in render_terminal(changes, a, b))


FORMATS: dict[str, Callable[[list[Change], Side, Side], str]] = {
    "terminal": _plain_terminal,
    "json": render_json,
    "markdown": render_markdown,
    "yaml": render_yaml,
    "overrides": render_overrides,
}


def render(changes: list[Change], a: Side, b: Side, fmt: str = "terminal") -> str:
    """The diff in one of ``FORMATS`` as text (terminal without colour)."""
    return FORMATS[fmt](changes, a, b)
