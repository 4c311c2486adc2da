"""Migrate Hydra command-line overrides: in argv, in shell scripts, docs and Python source.

Hydra's own ``OverridesParser`` reads each candidate; only an override whose key a declared
change covers is rewritten, and only its key (or its value, for a value map) changes: the
prefix (``+``, ``++``, ``~``), ``@package`` and the rest of the text stay as typed. Candidates
come from tokenizers, never from a pattern over the text: ``shlex`` for command lines (scripts,
Markdown, text), Python's ``tokenize`` for string literals in ``.py`` files.
"""

from __future__ import annotations

import ast
import io
import shlex
import tokenize
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from confman.migrate.plan import Plan, Step

__all__ = ["OverrideHit", "migrate_override", "migrate_overrides", "rewrite_source"]

_STRIP = "`()[]{},;."  # quoting and punctuation of prose around a word


@dataclass(frozen=True)
class OverrideHit:
    """One override using an old name: where (1-based line), as typed, and as it becomes."""

    line: int
    old: str
    new: str | None
    step: Step

    def message(self) -> str:
        now = f"'{self.new}'" if self.new is not None else "dropped"
        return f"override '{self.old}' -> {now}: {self.step.describe()}"


@cache
def _parser() -> Any:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create()


def _parse(text: str) -> Any:
    if "=" not in text and not text.startswith("~"):
        return None
    try:
        return _parser().parse_override(text)
    except Exception:  # not an override Hydra reads: left alone
        return None


def migrate_override(text: str, plan: Plan) -> tuple[str | None, list[Step]]:
    """``text`` with the plan applied (None: the override sets a removed key) and the steps
    that applied; ``(text, [])`` when it is not an override or uses no old name."""
    from confman.diff.render.values import hydra_value

    override = _parse(text)
    if override is None or (
        override.is_sweep_override() and not plan.step_for(override.key_or_group)
    ):
        return text, []
    element = override.get_key_element()
    at = text.find(element)
    if at == -1:
        return text, []
    prefix = element[: len(element) - len(element.lstrip("+~"))]
    key, package = override.key_or_group, override.package
    rest = text[at + len(element) :]
    used: list[Step] = []
    for step in plan.steps:
        if not step.covers(key):
            continue
        if step.kind == "remove":
            return None, [*used, step]
        if step.new is not None:
            key = step.new + key[len(step.key) :]
            used.append(step)
        elif step.kind == "values" and key == step.key and not override.is_delete():
            if override.is_sweep_override():
                continue
            hit, new = step.mapped(override.value())
            if hit:
                rest = "=" + hydra_value(new)
                used.append(step)
    if not used:
        return text, []
    pkg = f"@{package}" if package else ""
    return f"{text[:at]}{prefix}{key}{pkg}{rest}", used


def migrate_overrides(
    overrides: Sequence[str], plan: Plan
) -> tuple[list[str], list[tuple[str, str | None, Step]]]:
    """Each override migrated (removed keys dropped) and (old, new, step) for each change."""
    out: list[str] = []
    changes: list[tuple[str, str | None, Step]] = []
    for text in overrides:
        new, used = migrate_override(text, plan)
        if used:
            changes.append((text, new, used[-1]))
        if new is not None:
            out.append(new)
    return out, changes


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # prose with an apostrophe: words as they stand
        return line.split()


def _rewrite_lines(text: str, plan: Plan) -> tuple[str, list[OverrideHit]]:
    hits: list[OverrideHit] = []
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        if "=" not in line and "~" not in line:
            continue
        cursor = 0
        for word in _words(line):
            token = word.strip(_STRIP)
            new, used = migrate_override(token, plan)
            if not used:
                continue
            at = line.find(token, cursor)
            if at == -1:
                continue
            replacement = new if new is not None else ""
            hits.append(OverrideHit(n + 1, token, new, used[-1]))
            end = at + len(token)
            if new is None and line[end : end + 1] == " ":
                end += 1  # a dropped override takes its separating space with it
            elif new is None and at > 0 and line[at - 1] == " ":
                at -= 1  # the last word of the line: the space before it
            line = line[:at] + replacement + line[end:]
            cursor = at + len(replacement)
        lines[n] = line
    return "".join(lines), hits


def _rewrite_python(text: str, plan: Plan) -> tuple[str, list[OverrideHit]]:
    hits: list[OverrideHit] = []
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text, []
    for tok in tokens:
        if tok.type != tokenize.STRING or tok.start[0] != tok.end[0]:
            continue
        try:
            with warnings.catch_warnings():  # '\D' in a docstring is the file's own business
                warnings.simplefilter("ignore")
                value = ast.literal_eval(tok.string)
        except (ValueError, SyntaxError):
            continue
        if not isinstance(value, str):
            continue
        new, used = migrate_override(value, plan)
        if not used:
            continue
        hits.append(OverrideHit(tok.start[0], value, new, used[-1]))
        if new is None:
            continue  # a removed key's override in code is reported, not cut out of the code
        quote_at = len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))
        quote = tok.string[quote_at]
        if value not in tok.string or quote in new:
            continue
        literal = tok.string.replace(value, new, 1)
        edits.append((tok.start[0] - 1, tok.start[1], tok.end[1], literal))
    for row, start, end, literal in sorted(edits, reverse=True):
        lines[row] = lines[row][:start] + literal + lines[row][end:]
    return "".join(lines), hits


def rewrite_source(text: str, plan: Plan, *, python: bool) -> tuple[str, list[OverrideHit]]:
    """A script's, doc's or Python file's text with its overrides migrated, and each use."""
    if python:
        return _rewrite_python(text, plan)
    return _rewrite_lines(text, plan)
