"""CM401 secret-literal: a password, token or API key written in clear in a config file.

What it does:
    Flags a literal string (not an interpolation) that ``confman.secrets`` calls secret: under a
    key whose name looks secret (password, token, secret, api_key, private_key, credentials ...,
    at any depth, the whole subtree under such a name), or shaped like a well-known credential
    (AWS access key ids, GitHub/Slack/OpenAI/Hugging Face tokens, ``user:password@`` in a URL).

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
    ``ignore-keys`` in ``[tool.confman.secrets]`` (regexes of keys that only look secret),
    ``extra-keys`` and ``extra-values`` for the project's own secret names and shapes; the same
    patterns decide what the run store, diff and error messages redact.

Known problems:
    Tokenizer vocabulary entries (``unk_token``, ``pad_token``, ``eos_token`` ...) and counts
    (``max_tokens``) name "token" but are public; they are not reported, nor is ``tokenizer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.secrets import (
    SecretRules,
    is_placeholder,
    is_secret_key,
    looks_secret,
    project_rules,
)

CODE = "CM401"
NAME = "secret-literal"
LEVEL: Severity = "error"

_PLACEHOLDERS = {"", "???", "changeme", "xxx", "none", "null", "<redacted>"}
_ENV_NAME = re.compile(r"[^A-Za-z0-9]+")


class _Judge:
    """The secrets module's verdicts, each asked once per lint: key names and values repeat
    across the files of a tree (every option of a group has the same keys)."""

    def __init__(self, rules: SecretRules) -> None:
        self.rules = rules
        self._keys: dict[tuple[str, str], bool] = {}
        self._values: dict[str, bool] = {}

    def key(self, parent: str, name: str) -> bool:
        found = self._keys.get((parent, name))
        if found is None:
            found = self._keys[(parent, name)] = is_secret_key(name, self.rules, parent)
        return found

    def value(self, text: str) -> bool:
        found = self._values.get(text)
        if found is None:
            found = self._values[text] = looks_secret(text, self.rules)
        return found


def _secret_leaves(
    data: Any, judge: _Judge, prefix: str = "", under: str | None = None
) -> Iterator[tuple[str, str, str]]:
    """``(dotted path, secret key name, value)`` of every secret string leaf.

    ``under`` is the secret key a subtree hangs from (``credentials`` for
    ``credentials.slack``); list items are reported at the list's path.
    """
    items = data.items() if isinstance(data, dict) else ((None, v) for v in data)
    parent = prefix.rpartition(".")[2]
    for key, value in items:
        # a leaf's path is spelled only when it is needed (most leaves are not secrets)
        name = under if under is not None or key is None else None
        if (
            name is None
            and judge.key(parent, str(key))
            and not judge.rules.ignored(_path(prefix, key))
        ):
            name = str(key)
        if isinstance(value, (dict, list)):
            yield from _secret_leaves(value, judge, _path(prefix, key), name)
        elif isinstance(value, str) and (name is not None or judge.value(value)):
            path = _path(prefix, key)
            yield path, name or (str(key) if key is not None else path), value


def _path(prefix: str, key: Any) -> str:
    """The dotted path of ``key`` under ``prefix`` (a list item's is its list's)."""
    return prefix if key is None else f"{prefix}.{key}" if prefix else str(key)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    judge = _Judge(project_rules(ctx.settings))
    for yf in ctx.files.values():
        if yf.parsed is None or not isinstance(yf.parsed.data, dict):
            continue
        reported: set[str] = set()
        for path, leaf, value in _secret_leaves(yf.parsed.data, judge):
            if (
                "${" in value
                or value.strip().lower() in _PLACEHOLDERS
                or is_placeholder(value)
                or path in reported
            ):
                continue
            reported.add(path)
            env = _ENV_NAME.sub("_", leaf.rsplit(".", 1)[-1]).strip("_").upper() or "SECRET"
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
