"""``--fix`` and ``--add-noqa``: rewrite YAML only where it is provably safe.

``--fix`` removes the dead first occurrence of a duplicate key (CM201) and redundant overrides
(CM202), one file at a time, and only single-line entries. After each file it recomposes every
primary and experiment with caching off; if any composed config differs from before, the file is
restored and the message says so.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from confman.compose import compose
from confman.errors import ConfmanError
from confman.lint.engine import NOQA, LintResult
from confman.yamlsource import clear_cache, parse_yaml

__all__ = ["add_noqa", "apply_fixes"]

_SCALAR_ENTRY = re.compile(r"^\s*(-\s+)?[^#\s][^:#]*:\s+\S")


def _snapshot(result: LintResult) -> dict[str, Any]:
    ctx = result.context
    out: dict[str, Any] = {}
    for comp in ctx.compositions:
        try:
            composed = compose(
                comp.primary,
                comp.overrides,
                config_dir=ctx.config_dir,
                version_base=ctx.settings.version_base,
                cache=False,
            )
            out[comp.label] = composed.to_container(resolve=False)
        except ConfmanError as exc:
            out[comp.label] = f"error: {exc.message}"
    return out


def _parse(text: str, name: str) -> Any:
    try:
        return parse_yaml(text, name=name).data
    except ConfmanError:
        return None


def _kept_by_yaml(text: str) -> Any:
    """What PyYAML's safe loader keeps (the last occurrence of a duplicate key)."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return object()


def _single_line(lines: list[str], n: int) -> bool:
    """Line ``n`` (1-based) is a ``key: value`` entry with no nested block below it."""
    text = lines[n - 1]
    if not _SCALAR_ENTRY.match(text) or text.rstrip().endswith(("|", ">", "|-", ">-")):
        return False
    indent = len(text) - len(text.lstrip())
    nxt = next((ln for ln in lines[n:] if ln.strip() and not ln.lstrip().startswith("#")), None)
    return nxt is None or len(nxt) - len(nxt.lstrip()) <= indent


def apply_fixes(result: LintResult) -> list[str]:
    """Apply safe CM201/CM202 fixes; return one message per change or refusal."""
    ctx = result.context
    targets: dict[str, set[int]] = {}
    for d in result.diagnostics:
        yf = next((f for f in ctx.files.values() if f.shown == d.file), None)
        if yf is None or yf.parsed is None:
            continue
        if d.code == "CM201":
            for dup in yf.parsed.duplicates:
                if dup.line == d.line:
                    targets.setdefault(yf.rel, set()).add(dup.first_line)
        elif d.code == "CM202":
            targets.setdefault(yf.rel, set()).add(d.line)
    if not targets:
        return ["Nothing to fix."]
    messages = []
    before = _snapshot(result)
    for rel, numbers in sorted(targets.items()):
        yf = ctx.files[rel]
        if yf.parsed is None:
            continue
        original = yf.path.read_text(encoding="utf-8")
        lines = original.splitlines(keepends=True)
        plain = [ln.rstrip("\n") for ln in lines]
        removable = sorted(n for n in numbers if _single_line(plain, n))
        if not removable:
            continue
        kept = [ln for i, ln in enumerate(lines, 1) if i not in removable]
        if yf.parsed.duplicates:
            # confman refuses to compose a file with a duplicate key, so the proof is on the file:
            # the parse after removal must equal what YAML kept before (the last occurrence)
            safe = _kept_by_yaml(original) == _parse("".join(kept), rel)
        else:
            safe = True
        yf.path.write_text("".join(kept), encoding="utf-8")
        clear_cache()
        if not safe or _snapshot(result) != before:
            yf.path.write_text(original, encoding="utf-8")
            clear_cache()
            messages.append(
                f"{yf.shown}: not fixed, removing lines {removable} changes a composed config"
            )
            continue
        messages.append(
            f"{yf.shown}: removed line(s) {', '.join(map(str, removable))}; "
            "every composed config unchanged"
        )
    return messages or ["Nothing safe to fix."]


def add_noqa(result: LintResult) -> int:
    """Append ``# confman: noqa: CODES`` to each flagged YAML line; return how many changed."""
    by_file: dict[str, dict[int, set[str]]] = {}
    for d in result.diagnostics:
        if d.code != "CM000" and d.line >= 1:
            by_file.setdefault(d.file, {}).setdefault(d.line, set()).add(d.code)
    changed = 0
    for yf in result.context.files.values():
        wanted = by_file.get(yf.shown)
        if not wanted:
            continue
        lines = yf.path.read_text(encoding="utf-8").splitlines(keepends=True)
        for n, codes in wanted.items():
            if n > len(lines) or NOQA.search(lines[n - 1]):
                continue
            body = lines[n - 1].rstrip("\r\n")
            end = lines[n - 1][len(body) :]
            lines[n - 1] = f"{body}  # confman: noqa: {', '.join(sorted(codes))}{end or chr(10)}"
            changed += 1
        yf.path.write_text("".join(lines), encoding="utf-8")
    return changed
