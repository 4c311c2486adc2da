"""Redaction: data, free text, command lines, YAML-like lines and git patches with every secret
replaced by its marker (``confman.secrets.rules`` says what is secret)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, overload

from pydantic import SecretBytes, SecretStr

from confman.secrets.markers import MARKER, error_key, is_marker, marker, secret_key
from confman.secrets.rules import (
    INDEX,
    URL_PASSWORD,
    SecretRules,
    is_placeholder,
    is_secret_child,
    is_secret_path,
    last_rules,
    project_rules,
)

__all__ = [
    "redact",
    "redact_argv",
    "redact_at",
    "redact_error",
    "redact_lines",
    "redact_override",
    "redact_patch",
    "redact_text",
]

#: ``key=value`` (overrides, env assignments, ``--flag=value``): ``~`` ``+`` ``++`` prefixes kept;
#: a value runs on over commas (a sweep, ``a,b``) until the next ``key=`` (``a=1,b=2``)
_ASSIGNMENT = re.compile(
    r"(?P<key>(?<![\w.\-])[~+]{0,2}-{0,2}[A-Za-z_][\w.\-\[\]/]*)(?P<sep>\s*=\s*)"
    r"(?P<val>\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\{[^}]*\}|\w+\([^)]*\)"
    r"|[^\s,;)'\"]+(?:,(?![\w.\-+~@/]+=)[^\s,;)'\"]+)*)"
)
#: a command-line override or flag: the key, then everything after the first ``=`` is its value
_OVERRIDE = re.compile(r"(?P<key>[~+]{0,2}-{0,2}[A-Za-z_][\w.\-\[\]/@]*)=(?P<val>.*)", re.DOTALL)
#: a line of YAML/TOML/JSON/Python/env that assigns a value to a key
_LINE = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?)(?P<q>[\"']?)(?P<key>[A-Za-z_$][\w.\-$]*)(?P=q)"
    r"(?P<sep>\s*(?::|=)\s*)(?P<val>.*?)(?P<tail>\s*,?\s*(?:#.*)?)$"
)


def _scrub_shapes(text: str, rules: SecretRules, key: bytes) -> str:
    text = rules.values.sub(lambda m: marker(m.group(0), key), text)
    return URL_PASSWORD.sub(
        lambda m: (
            m.group(0)
            if MARKER.fullmatch(m.group("pw"))
            else f"{m.group('head')}{marker(m.group('pw'), key)}@"
        ),
        text,
    )


def _hide(value: Any, key: bytes) -> Any:
    """A secret leaf's stand-in; None, booleans, ``???``, bare interpolations stay as they are."""
    return value if is_placeholder(value) else marker(value, key)


def redact(
    data: Any,
    *,
    secret_paths: Iterable[str] = (),
    rules: SecretRules | None = None,
    key: bytes | None = None,
) -> Any:
    """A copy of plain nested data with every secret replaced by its marker.

    Args:
        data: dicts, lists and scalars (``SecretStr`` values anywhere are secret).
        secret_paths: dotted paths known to be secret whatever their name (``SecretStr`` fields
            of a validated model); everything under them is secret too.
        rules: the project's rules (default: the current project's).
        key: the marker key (default: ``secret_key()``).
    """
    return _redact(
        data, "", False, frozenset(secret_paths), rules or project_rules(), key or secret_key()
    )


def _redact(
    data: Any, path: str, hidden: bool, paths: frozenset[str], rules: SecretRules, key: bytes
) -> Any:
    if isinstance(data, dict):
        out = {}
        for name, value in data.items():
            sub = f"{path}.{name}" if path else str(name)
            secret = hidden or (
                (
                    sub in paths
                    or is_secret_child(rules, INDEX.sub("", path).rpartition(".")[2], str(name))
                )
                and not rules.ignored(sub)
            )
            out[name] = _redact(value, sub, secret, paths, rules, key)
        return out
    if isinstance(data, list | tuple):
        return [
            _redact(v, f"{path}[{i}]", hidden or f"{path}[{i}]" in paths, paths, rules, key)
            for i, v in enumerate(data)
        ]
    if isinstance(data, SecretStr | SecretBytes):
        return marker(data, key)
    if hidden:
        return _hide(data, key)
    if isinstance(data, str):
        return _scrub_shapes(data, rules, key)
    return data


def redact_at(path: str, value: Any, rules: SecretRules | None = None) -> Any:
    """``value`` redacted as the value at dotted ``path`` (all of it when the path is secret)."""
    rules = rules or project_rules()
    return _redact(value, path, is_secret_path(path, rules), frozenset(), rules, secret_key())


def redact_text(
    text: str,
    rules: SecretRules | None = None,
    key: bytes | None = None,
    *,
    secret_paths: Iterable[str] = (),
) -> str:
    """Free text (an error message, a command line) with secrets replaced by markers.

    Replaces credential-shaped values, URL passwords and the value of every ``key=value`` whose
    key names a secret (``db.password=x``, ``+tracking.api_key=x``, ``--token=x``, ``API_KEY=x``).
    """
    if not text:
        return text
    rules = rules or project_rules()
    key = key or secret_key()
    text = _scrub_shapes(text, rules, key)
    paths = tuple(secret_paths)

    def assignment(m: re.Match[str]) -> str:
        name = m.group("key").lstrip("~+-")
        known = any(name == p or name.startswith((f"{p}.", f"{p}[")) for p in paths)
        if not (known or is_secret_path(name, rules)) or is_marker(m.group("val")):
            return m.group(0)
        return f"{m.group('key')}{m.group('sep')}{_hide(_unquote(m.group('val')), key)}"

    return _ASSIGNMENT.sub(assignment, text)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


@overload
def redact_error(text: str, secret_paths: Iterable[str] = ()) -> str: ...
@overload
def redact_error(text: None, secret_paths: Iterable[str] = ()) -> None: ...
def redact_error(text: str | None, secret_paths: Iterable[str] = ()) -> str | None:
    """``redact_text`` for an error message: never raises, never loads settings (a settings error
    is itself an error message), and works without a key file (a per-process key then)."""
    if not text:
        return text
    return redact_text(text, last_rules(), error_key(), secret_paths=secret_paths)


def redact_override(
    override: str, rules: SecretRules | None = None, *, secret_paths: Iterable[str] = ()
) -> str:
    """``db.password=x`` -> ``db.password=<secret:...>``; other overrides unchanged.

    The whole value after the first ``=`` is one secret, sweeps included (``db.password=a,b``,
    ``choice(a,b)``): an override is one argument, not free text. ``secret_paths`` are keys
    secret whatever their name (``SecretStr`` fields).
    """
    return _redact_override(override, rules or project_rules(), secret_key(), tuple(secret_paths))


def _redact_override(
    override: str, rules: SecretRules, key: bytes, secret_paths: tuple[str, ...]
) -> str:
    m = _OVERRIDE.fullmatch(override)
    if m is not None:
        name = m.group("key").lstrip("~+-")
        known = any(name == p or name.startswith((f"{p}.", f"{p}[")) for p in secret_paths)
        name = name.partition("@")[0]  # ``group@package=option``: the group names the key
        if known or is_secret_path(name, rules):
            value = m.group("val")
            hidden = value if is_marker(value) else _hide(_unquote(value), key)
            return f"{m.group('key')}={hidden}"
    return redact_text(override, rules, key, secret_paths=secret_paths)


def redact_argv(
    argv: Sequence[str], rules: SecretRules | None = None, *, secret_paths: Iterable[str] = ()
) -> list[str]:
    """A command line with secrets replaced: ``key=value`` overrides, ``--password x`` flags.

    ``secret_paths`` are keys secret whatever their name (``SecretStr`` fields).
    """
    paths = tuple(secret_paths)
    rules = rules or project_rules()
    key = secret_key()
    out: list[str] = []
    flag_secret = False
    for arg in argv:
        if flag_secret and not arg.startswith("-"):
            out.append(_hide(arg, key))
            flag_secret = False
            continue
        flag_secret = (
            arg.startswith("-") and "=" not in arg and is_secret_path(arg.lstrip("-"), rules)
        )
        out.append(_redact_override(arg, rules, key, paths))
    return out


def redact_lines(
    lines: Sequence[str], rules: SecretRules | None = None, key: bytes | None = None
) -> list[str]:
    """Lines of YAML/TOML/JSON/Python/env with secret values replaced, subtrees included.

    A line ``credentials:`` (nothing after the colon) hides every more-indented line after it,
    and list items at its own indentation (``tokens:`` then ``- a``).
    """
    rules = rules or project_rules()
    key = key or secret_key()
    out: list[str] = []
    block: int | None = None  # indentation of the secret key whose block we are in
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block is not None and stripped:
            inside = indent > block or (indent == block and stripped.startswith("- "))
            if inside:
                out.append(_hide_line(line, key))
                continue
            block = None
        m = _LINE.match(line)
        if m and is_secret_path(m.group("key"), rules):
            value = m.group("val")
            if value in ("", "|", ">", "|-", ">-", "[", "{"):
                block = indent
                out.append(redact_text(line, rules, key))
                continue
            hidden = _hide(_unquote(value), key)
            q = value[0] if value[:1] in "'\"" and value[-1:] == value[:1] else ""
            shown = hidden if hidden == _unquote(value) else f"{q}{hidden}{q}"
            out.append(f"{line[: m.start('val')]}{shown}{m.group('tail')}")
            continue
        out.append(redact_text(line, rules, key))
    return out


def _hide_line(line: str, key: bytes) -> str:
    """A line inside a secret block: the value after ``key:`` or ``-`` hidden, the key kept."""
    m = _LINE.match(line)
    if m:
        value = _unquote(m.group("val"))
        hidden = _hide(value, key) if value else value
        return f"{line[: m.start('val')]}{hidden}{m.group('tail')}"
    body = line.lstrip()
    lead = line[: len(line) - len(body)]
    if body.startswith("- "):
        return f"{lead}- {_hide(_unquote(body[2:].strip()), key)}"
    return f"{lead}{_hide(body, key)}"


def redact_patch(patch: str | None, rules: SecretRules | None = None) -> str | None:
    """A ``git diff`` with secret-looking lines redacted (added, removed and context lines).

    Each file's lines are read as one YAML-like text, so a secret block that starts in a
    context line hides the added lines under it.
    """
    if not patch:
        return patch
    rules = rules or project_rules()
    key = secret_key()
    out: list[str] = []
    body: list[str] = []
    marks: list[str] = []

    def flush() -> None:
        for mark, line in zip(marks, redact_lines(body, rules, key), strict=True):
            out.append(mark + line)
        body.clear()
        marks.clear()

    for line in patch.split("\n"):
        if line.startswith(("diff --git", "@@", "+++", "---", "index ")) or line[:1] not in (
            "+",
            "-",
            " ",
        ):
            flush()
            out.append(redact_text(line, rules, key))
        else:
            marks.append(line[0])
            body.append(line[1:])
    flush()
    return "\n".join(out)
