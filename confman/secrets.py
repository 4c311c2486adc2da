"""What is secret, for every part of confman, and the marker that stands in for it.

One module decides: the store, diff, lint (CM401), the renderers and error messages all ask it.

A value is secret when
- a key on its path names a secret (``password``, ``token``, ``secret``, ``api_key``,
  ``private_key``, ``credentials`` ... as a word of any segment, at any depth), so a whole
  subtree under such a name is secret (``tokens: [...]``, ``credentials: {slack: ...}``); words
  that only look secret (``tokenizer``, ``max_tokens``, ``eos_token``) are not;
- it is a pydantic ``SecretStr``/``SecretBytes`` or sits at a path the caller knows is secret;
- it is shaped like a well-known credential (AWS access key ids, GitHub, Slack, OpenAI,
  Hugging Face, Google, Stripe tokens, JWTs, PEM private keys), or is the password of a
  ``scheme://user:password@host`` URL; only the matching part of a longer string is replaced.

A secret is replaced by a marker, ``<secret:0123456789abcdef>``: a keyed hash (HMAC-SHA256) of the
value. The key never lives in the store: it is ``CONFMAN_SECRET_KEY`` when set, else a random key
kept in ``~/.config/confman/secret.key`` (created 0600 on first use). Equal values give equal
markers under one key, so a diff can tell "changed" from "unchanged", while guessing a value from
the store alone is impossible. A team sharing a store shares the key through the environment.

Patterns are configurable in ``[tool.confman.secrets]``: ``extra-keys`` (regexes matched against
each key segment), ``ignore-keys`` (regexes matched against a dotted path or a segment, never
secret) and ``extra-values`` (regexes for credential-shaped values).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets as _random
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from pydantic import SecretBytes, SecretStr

from confman.errors import ProjectSettingsError

__all__ = [
    "MARKER",
    "MARKER_PREFIX",
    "SecretRules",
    "bound_secret_paths",
    "clear",
    "is_marker",
    "is_placeholder",
    "is_secret_key",
    "is_secret_path",
    "looks_secret",
    "marker",
    "project_rules",
    "redact",
    "redact_argv",
    "redact_at",
    "redact_error",
    "redact_lines",
    "redact_override",
    "redact_patch",
    "redact_text",
    "rules_from_settings",
    "secret_fields",
    "secret_key",
]

MARKER_PREFIX = "<secret:"
#: a marker inside a longer text
MARKER = re.compile(re.escape(MARKER_PREFIX) + r"[0-9a-f]{16}>")
_LEGACY_PREFIXES = ("<secret sha256:", "<redacted>")

#: a word of a key segment that names a secret on its own
_SECRET_WORDS = frozenset(
    (
        "password",
        "passwords",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "credential",
        "credentials",
        "creds",
        "apikey",
        "apikeys",
        "privatekey",
        "accesskey",
        "secretkey",
        "sessionkey",
    )
)
#: two adjacent words that name a secret together (``api_key``, ``private-key``, ``accessKey``)
_SECRET_PAIRS = frozenset(
    (first, "key")
    for first in (
        "api",
        "private",
        "access",
        "secret",
        "signing",
        "encryption",
        "master",
        "ssh",
        "session",
        "client",
    )
) | frozenset((first, "keys") for first in ["api", "private", "access", "ssh"])
#: words that make a ``token`` key public: counts, sizes and tokenizer vocabulary
_PUBLIC_TOKEN_WORDS = frozenset(
    (
        "max",
        "min",
        "num",
        "n",
        "total",
        "new",
        "unk",
        "pad",
        "bos",
        "eos",
        "sep",
        "cls",
        "mask",
        "sos",
        "eot",
        "blank",
        "start",
        "end",
        "begin",
        "special",
        "per",
        "ids",
        "id",
        "idx",
        "index",
        "len",
        "length",
        "count",
        "counts",
        "limit",
        "size",
        "budget",
        "type",
        "types",
        "embedding",
        "embeddings",
        "embed",
        "vocab",
        "dropout",
        "level",
        "image",
        "audio",
        "video",
        "text",
        "prompt",
        "output",
        "input",
        "context",
        "decoder",
        "encoder",
        "add",
        "use",
        "merge",
        "rate",
        "window",
        "stride",
        "drop",
        "position",
        "prefix",
        "suffix",
        "sample",
        "generated",
        "target",
        "source",
        "dim",
        "dims",
        "weight",
        "loss",
        "ratio",
        "frac",
        "fraction",
        "label",
        "labels",
        "bucket",
        "buckets",
        "chunk",
        "batch",
        "batches",
        "seq",
        "sequence",
        "max_new",
        "split",
        "sort",
        "spl",
        "extra",
        "added",
        "stop",
        "reserved",
        "control",
        "fim",
    )
)
_TOKEN_WORDS = frozenset({"token", "tokens"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_INDEX = re.compile(r"\[\d+\]")

#: credential shapes, each replaced wherever it appears
_VALUE_PATTERNS = (
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{30,}\b",
    r"\bxox[abposre]-[A-Za-z0-9-]{10,}",
    r"\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{20,}",
    r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b",
    r"\bhf_[A-Za-z0-9]{30,}\b",
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    r"\bglpat-[A-Za-z0-9_-]{20,}\b",
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
)
#: ``scheme://user:password@host``: the password group is replaced, the rest kept
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)(?P<pw>[^\s@/'\"]+)@"
)
#: ``key=value`` (overrides, env assignments, ``--flag=value``): ``~`` ``+`` ``++`` prefixes kept
_ASSIGNMENT = re.compile(
    r"(?P<key>(?<![\w.\-])[~+]{0,2}-{0,2}[A-Za-z_][\w.\-\[\]/]*)(?P<sep>\s*=\s*)"
    r"(?P<val>\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\{[^}]*\}|[^\s,;)'\"]+)"
)
#: a line of YAML/TOML/JSON/Python/env that assigns a value to a key
_LINE = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?)(?P<q>[\"']?)(?P<key>[A-Za-z_$][\w.\-$]*)(?P=q)"
    r"(?P<sep>\s*(?::|=)\s*)(?P<val>.*?)(?P<tail>\s*,?\s*(?:#.*)?)$"
)
#: values kept under a secret name: absent, missing, or a bare interpolation with no default
#: and tokenizer vocabulary literals (``<unk>``, ``[PAD]``, ``<|endoftext|>``)
_KEPT = re.compile(
    r"\?\?\?|\$\{[\w.:/-]+\}|<\|?[\w.:-]{1,40}\|?>|\[[A-Z_]{1,20}\]|"
    + re.escape(MARKER_PREFIX)
    + r"[0-9a-f]{16}>"
)


@dataclass(frozen=True)
class SecretRules:
    """The project's patterns on top of the built-in ones.

    Attributes:
        extra_keys: regexes; a key segment matching one (``re.search``, any case) is secret.
        ignore_keys: regexes; a dotted path or segment matching one (``re.fullmatch``) is not.
        extra_values: regexes for credential-shaped values, replaced wherever they appear.
    """

    extra_keys: tuple[str, ...] = ()
    ignore_keys: tuple[str, ...] = ()
    extra_values: tuple[str, ...] = ()

    @functools.cached_property
    def _extra(self) -> re.Pattern[str] | None:
        return _compile(self.extra_keys, "|")

    @functools.cached_property
    def _ignore(self) -> re.Pattern[str] | None:
        return _compile(self.ignore_keys, "|")

    @functools.cached_property
    def values(self) -> re.Pattern[str]:
        pattern = _compile((*_VALUE_PATTERNS, *self.extra_values), "|")
        assert pattern is not None
        return pattern

    def segment(self, name: str) -> bool:
        """Whether one key segment names a secret."""
        return _segment(self, name)

    def ignored(self, text: str) -> bool:
        return self._ignore is not None and self._ignore.fullmatch(text) is not None


def _compile(patterns: Iterable[str], join: str) -> re.Pattern[str] | None:
    items = [f"(?:{p})" for p in patterns]
    return re.compile(join.join(items), re.I) if items else None


@functools.lru_cache(maxsize=65_536)
def _words(name: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD_SPLIT.split(_CAMEL.sub("_", name).lower()) if w)


@functools.lru_cache(maxsize=65_536)
def _segment(rules: SecretRules, name: str) -> bool:
    if rules.ignored(name):
        return False
    if rules._extra is not None and rules._extra.search(name):
        return True
    words = _words(name)
    hit = [w for w in words if w in _SECRET_WORDS]
    pairs = any((a, b) in _SECRET_PAIRS for a, b in itertools.pairwise(words))
    if pairs or any(w not in _TOKEN_WORDS for w in hit):
        return True
    if hit:  # only token/tokens: public when a count, size or vocabulary word goes with it
        return not any(w in _PUBLIC_TOKEN_WORDS for w in words)
    return False


DEFAULT_RULES = SecretRules()


def rules_from_settings(raw: dict[str, Any]) -> SecretRules:
    """The rules of a ``[tool.confman]`` table (its ``secrets`` sub-table).

    Raises:
        ProjectSettingsError: an unknown option, a non-list, or a regex that does not compile.
    """
    table = raw.get("secrets", {})
    legacy = raw.get("secret_patterns", [])
    if not isinstance(table, dict):
        raise ProjectSettingsError("[tool.confman] secrets must be a table")
    known = ("extra-keys", "ignore-keys", "extra-values")
    for name in table:
        if name not in known:
            from confman.errors import did_you_mean

            raise ProjectSettingsError(
                f"[tool.confman.secrets] unknown option {name!r}",
                hint=did_you_mean(name, known) or f"known options: {', '.join(known)}",
            )
    lists: dict[str, tuple[str, ...]] = {}
    for name in known:
        value = table.get(name, [])
        if name == "extra-keys":
            value = [*value, *legacy] if isinstance(value, list) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProjectSettingsError(
                f"[tool.confman.secrets] {name} must be a list of regexes",
                hint=f'e.g. {name} = ["^hook_url$"]',
            )
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ProjectSettingsError(
                    f"[tool.confman.secrets] {name}: {pattern!r} is not a regex: {exc}"
                ) from exc
        lists[name] = tuple(value)
    return SecretRules(lists["extra-keys"], lists["ignore-keys"], lists["extra-values"])


@functools.lru_cache(maxsize=8)
def _rules_at(pyproject: str, mtime: int) -> SecretRules:
    from confman.settings import load_settings

    return rules_from_settings(load_settings(Path(pyproject).parent).raw)


_last_rules = DEFAULT_RULES


def project_rules(settings: Any = None) -> SecretRules:
    """The rules of ``settings`` (a ``confman.settings.Settings``), else of the project around
    the current directory (re-read when its pyproject.toml changes)."""
    global _last_rules
    if settings is not None:
        _last_rules = rules_from_settings(settings.raw)
        return _last_rules
    from confman.settings import find_pyproject

    try:
        found = find_pyproject(Path.cwd())
        rules = DEFAULT_RULES if found is None else _rules_at(str(found), found.stat().st_mtime_ns)
    except (OSError, ProjectSettingsError):  # redaction never fails: the built-in rules apply
        return DEFAULT_RULES
    _last_rules = rules
    return rules


# -- the key ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _key_cached(env: str | None, path: str) -> bytes:
    if env:
        return env.encode("utf-8")
    file = Path(path)
    try:
        return file.read_bytes().strip()
    except FileNotFoundError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = _random.token_hex(32).encode("ascii")
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return file.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def key_file() -> Path:
    """Where the secret key is kept when ``CONFMAN_SECRET_KEY`` is not set."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "confman" / "secret.key"


def secret_key() -> bytes:
    """The marker key: ``CONFMAN_SECRET_KEY``, else the user's key file (created on first use)."""
    return _key_cached(os.environ.get("CONFMAN_SECRET_KEY"), str(key_file()))


def clear() -> None:
    """Forget the cached key and project rules (after changing the environment or pyproject)."""
    _key_cached.cache_clear()
    _rules_at.cache_clear()


def marker(value: Any, key: bytes | None = None) -> str:
    """The stand-in for a secret: ``<secret:`` + 16 hex digits of HMAC-SHA256 + ``>``."""
    if isinstance(value, SecretStr | SecretBytes):
        value = value.get_secret_value()
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        data = json.dumps(value, sort_keys=True, default=str).encode("utf-8")
    digest = hmac.new(key or secret_key(), data, hashlib.sha256).hexdigest()[:16]
    return f"{MARKER_PREFIX}{digest}>"


def is_marker(value: Any) -> bool:
    """Whether ``value`` is a marker (this one or an older confman's)."""
    return isinstance(value, str) and value.startswith((MARKER_PREFIX, *_LEGACY_PREFIXES))


# -- what is secret -----------------------------------------------------------------------


def secret_fields(tp: Any, prefix: str = "", _seen: frozenset[Any] = frozenset()) -> list[str]:
    """Dotted paths of every ``SecretStr``/``SecretBytes`` field of a pydantic model class
    (nested models, ``Optional`` and unions included), so a run recorded without a model
    instance still hides them."""
    from pydantic import BaseModel

    found: list[str] = []
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)) or tp in _seen:
        return found
    for name, info in tp.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        todo, kinds = [info.annotation], []
        while todo:
            item = todo.pop()
            kinds.append(item)
            todo.extend(typing.get_args(item))
        if any(k in (SecretStr, SecretBytes) for k in kinds):
            found.append(path)
            continue
        for kind in kinds:
            found.extend(secret_fields(kind, path, _seen | {tp}))
    return found


def bound_secret_paths(settings: Any, config_name: str | None) -> list[str]:
    """``secret_fields`` of the models ``[tool.confman.schemas]`` binds: ``config_name``'s and
    every other config's and group's (the project's own code, which pyproject names); none when
    they cannot load."""
    if not settings.raw.get("schemas"):
        return []
    from confman.schema.binding import load_bindings

    try:
        bindings = load_bindings(settings)
    except Exception:  # a broken binding is validate's to report; recording goes on
        return []
    # Every primary config's models, not only ``config_name``'s: a ``SecretStr`` path of any of
    # them is treated as secret in this run too (argv often carries overrides for another).
    paths: list[str] = []
    for binding in bindings.configs.values():
        paths.extend(secret_fields(binding.schema))
    for binding in bindings.groups.values():
        paths.extend(secret_fields(binding.schema, binding.package))
    return paths


def is_secret_key(name: str, rules: SecretRules | None = None, parent: str = "") -> bool:
    """Whether one key segment (``api_key``, ``hfToken``) names a secret.

    ``parent`` is the segment above it: a bare ``tokens`` under a public token name
    (``special_tokens.tokens``, a vocabulary) is public too.
    """
    return _child(rules or project_rules(), parent, str(name))


def _child(rules: SecretRules, parent: str, name: str) -> bool:
    if not _segment(rules, name):
        return False
    if parent and set(_words(name)) <= _TOKEN_WORDS and set(_words(parent)) & _TOKEN_WORDS:
        return rules._extra is not None and rules._extra.search(name) is not None
    return True


def is_secret_path(path: str, rules: SecretRules | None = None) -> bool:
    """Whether any segment of a dotted path names a secret (so its whole subtree is secret)."""
    rules = rules or project_rules()
    clean = _INDEX.sub("", str(path)).lstrip("~+")
    if rules.ignored(clean):
        return False
    parts = [p for p in clean.split(".") if p]
    return any(
        _child(rules, parent, part) for parent, part in zip(["", *parts], parts, strict=False)
    )


def looks_secret(value: Any, rules: SecretRules | None = None) -> bool:
    """Whether a value is a ``SecretStr`` or holds a credential-shaped string or URL password."""
    if isinstance(value, SecretStr | SecretBytes):
        return True
    if not isinstance(value, str):
        return False
    rules = rules or project_rules()
    return bool(rules.values.search(value) or _URL_PASSWORD.search(value))


def _scrub_shapes(text: str, rules: SecretRules, key: bytes) -> str:
    text = rules.values.sub(lambda m: marker(m.group(0), key), text)
    return _URL_PASSWORD.sub(
        lambda m: (
            m.group(0)
            if MARKER.fullmatch(m.group("pw"))
            else f"{m.group('head')}{marker(m.group('pw'), key)}@"
        ),
        text,
    )


def is_placeholder(value: Any) -> bool:
    """Whether a value under a secret name is no secret: absent, a boolean, ``???``, a bare
    interpolation, a marker or a tokenizer vocabulary literal (``<unk>``, ``[PAD]``)."""
    return (
        value is None
        or isinstance(value, bool)
        or (isinstance(value, str) and _KEPT.fullmatch(value) is not None)
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
                (sub in paths or _child(rules, _INDEX.sub("", path).rpartition(".")[2], str(name)))
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
    try:
        key = secret_key()
    except OSError:
        key = _PROCESS_KEY
    return redact_text(text, _last_rules, key, secret_paths=secret_paths)


_PROCESS_KEY = _random.token_bytes(32)


def redact_override(
    override: str, rules: SecretRules | None = None, *, secret_paths: Iterable[str] = ()
) -> str:
    """``db.password=x`` -> ``db.password=<secret:...>``; other overrides unchanged.

    ``secret_paths`` are keys secret whatever their name (``SecretStr`` fields).
    """
    return redact_text(override, rules, secret_paths=secret_paths)


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
        out.append(redact_text(arg, rules, key, secret_paths=paths))
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
