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

Known problems:
    Tokenizer vocabulary entries (``unk_token``, ``pad_token``, ``eos_token`` ...) end in
    "token" but are public strings; they are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM401"
NAME = "secret-literal"
LEVEL: Severity = "error"

SECRET = re.compile(
    r"(pass(word|wd)?|token|secret|api_?key|private_?key|access_?key|credentials?)$", re.I
)
#: tokenizer vocabulary entries (``unk_token: '[UNK]'``), named like secrets but public
_VOCABULARY = re.compile(
    r"^(unk|pad|bos|eos|sep|cls|mask|sos|blank|start|end|begin|special)_?tokens?$", re.I
)
_PLACEHOLDERS = {"", "???", "changeme", "xxx", "none", "null", "<redacted>"}


def _secret_leaves(data: dict[Any, Any], prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """``(dotted path, key, value)`` of every string leaf whose key names a secret.

    Walks the parsed data itself rather than ``iter_leaves``: keys repeat across a tree, so the
    name test is remembered per key, and no path string is built for the other leaves.
    """
    for key, value in data.items():
        if isinstance(value, dict):
            if value:
                yield from _secret_leaves(value, f"{prefix}{key}.")
        elif isinstance(value, str):
            name = str(key)
            secret = _SECRET_NAMES.get(name)
            if secret is None:
                if len(_SECRET_NAMES) >= 65_536:
                    _SECRET_NAMES.clear()
                secret = _SECRET_NAMES[name] = SECRET.search(
                    name
                ) is not None and not _VOCABULARY.match(name)
            if secret:
                yield f"{prefix}{name}", name.rsplit(".", 1)[-1], value


_SECRET_NAMES: dict[str, bool] = {}


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for yf in ctx.files.values():
        if yf.parsed is None or not isinstance(yf.parsed.data, dict):
            continue
        for path, leaf, value in _secret_leaves(yf.parsed.data):
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
