"""Print diagnostics like ruff: concise, full (with the YAML excerpt), json, sarif, github."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from confman.lint.engine import LintResult
from confman.lint.rules import RULES
from confman.secrets import redact_lines

__all__ = ["FORMATS", "render", "sarif", "statistics"]

FORMATS = ("concise", "full", "json", "sarif", "github")
_CONTEXT = 2
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _concise(result: LintResult) -> list[str]:
    return [f"{d.file}:{d.line}:{d.col}: {d.code} {d.message}" for d in result.diagnostics]


def _full(result: LintResult) -> list[str]:
    files = {f.shown: f for f in result.context.files.values()}
    shown: dict[str, list[str]] = {}  # each file's lines with secrets as markers, once
    out: list[str] = []
    for d in result.diagnostics:
        out.append(f"{d.code} [{d.name}] {d.message}")
        out.append(f"  --> {d.file}:{d.line}:{d.col}")
        yf = files.get(d.file)
        if yf is not None and d.line >= 1:
            if d.file not in shown:
                shown[d.file] = redact_lines(yf.lines)
            lines = shown[d.file]
            lo, hi = max(1, d.line - _CONTEXT), min(len(lines), d.line + _CONTEXT)
            width = len(str(hi))
            out.append(f"{'':>{width}} |")
            for n in range(lo, hi + 1):
                out.append(f"{n:>{width}} | {lines[n - 1]}")
                if n == d.line:
                    text = lines[n - 1]
                    indent = len(text) - len(text.lstrip())
                    out.append(f"{'':>{width}} | {' ' * indent}{'^' * max(1, len(text.strip()))}")
        if d.fix:
            out.append(f"  = help: {d.fix}")
        out.append("")
    return out


def _github(result: LintResult) -> list[str]:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    return [
        f"::{level[d.severity]} title=confman ({d.code}),file={d.file},line={max(d.line, 1)},"
        f"col={d.col}::{d.code} {d.message}"
        for d in result.diagnostics
    ]


def sarif(result: LintResult) -> dict[str, Any]:
    """A SARIF 2.1.0 log, shaped for GitHub code scanning."""
    codes = sorted({*result.codes, *(d.code for d in result.diagnostics)})
    rules = []
    for code in codes:
        module = RULES.get(code)
        doc = (module.__doc__ or "").strip() if module else "Input could not be read or composed."
        name = module.NAME if module else "input-error"
        rules.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": doc.splitlines()[0]},
                "fullDescription": {"text": doc},
                "help": {"text": doc},
                "defaultConfiguration": {"level": _level(module.LEVEL if module else "error")},
            }
        )
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in result.diagnostics:
        print_key = f"{d.code}:{d.file}:{d.key or d.message}"
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _level(d.severity),
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": d.file, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": max(d.line, 1), "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {
                    "confmanKey/v1": hashlib.sha256(print_key.encode()).hexdigest()[:32]
                },
            }
        )
    return {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "confman",
                        "informationUri": "https://github.com/confman/confman",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning", "info": "note"}.get(severity, "warning")


def statistics(result: LintResult) -> list[str]:
    """``--statistics``: count per rule, most frequent first."""
    counts = Counter((d.code, d.name) for d in result.diagnostics)
    return [f"{n:>5}\t{code}\t{name}" for (code, name), n in counts.most_common()]


def render(result: LintResult, fmt: str) -> Sequence[str]:
    """The output lines for ``--output-format``."""
    if fmt == "json":
        return [json.dumps([d.to_json() for d in result.diagnostics], indent=2)]
    if fmt == "sarif":
        return [json.dumps(sarif(result), indent=2)]
    if fmt == "github":
        return _github(result)
    if fmt == "full":
        return _full(result)
    return _concise(result)
