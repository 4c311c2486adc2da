"""CM401 secret-literal: a password, token or API key written in clear in a config file.

What it does:
    Flags a key whose name looks secret (password, passwd, token, secret, api_key, apikey,
    private_key, access_key, credentials) holding a literal string, not an interpolation.

Why it matters:
    Config files are committed, copied into run directories and logged. A secret in one leaks
    everywhere the config goes.

Example:
    tracking:
      api_key: sk-live-2f9a...   # CM401

Instead:
    tracking:
      api_key: ${oc.env:TRACKING_API_KEY}

Options:
    ``ignore-keys`` in ``[tool.confman.lint]`` for keys that only look secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.provenance import iter_leaves

CODE = "CM401"
NAME = "secret-literal"
LEVEL: Severity = "error"

SECRET = re.compile(
    r"(pass(word|wd)?|token|secret|api_?key|private_?key|access_?key|credentials?)$", re.I
)
_PLACEHOLDERS = {"", "???", "changeme", "xxx", "none", "null", "<redacted>"}


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for yf in ctx.files.values():
        if yf.parsed is None or not isinstance(yf.parsed.data, dict):
            continue
        for path, value in iter_leaves(yf.parsed.data):
            leaf = path.rsplit(".", 1)[-1]
            if not SECRET.search(leaf) or not isinstance(value, str):
                continue
            if "${" in value or value.strip().lower() in _PLACEHOLDERS:
                continue
            env = leaf.upper()
            yield Diagnostic(
                yf.shown,
                yf.parsed.lines.get(path, 1),
                1,
                CODE,
                NAME,
                f"'{path}' holds a secret in clear text",
                severity=LEVEL,
                fix=f"use '${{oc.env:{env}}}' and set {env} in the environment",
                key=path,
            )
