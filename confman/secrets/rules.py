"""What is secret: key names (at any depth, whole subtrees under them), credential-shaped values,
``SecretStr`` fields, and the project's own patterns from ``[tool.confman.secrets]``."""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretBytes, SecretStr

from confman.pyproject import UnreadablePyproject, find_table
from confman.secrets.markers import MARKER_PREFIX

__all__ = [
    "DEFAULT_RULES",
    "INDEX",
    "URL_PASSWORD",
    "SecretRules",
    "SecretsTableError",
    "clear_rules",
    "is_placeholder",
    "is_secret_child",
    "is_secret_key",
    "is_secret_path",
    "last_rules",
    "looks_secret",
    "project_rules",
    "rules_from_table",
    "secret_fields",
]

#: a word of a key segment that names a secret on its own
_SECRET_WORDS = frozenset(
    (  # noqa: SIM905
        "password passwords passwd pwd passphrase secret secrets token tokens credential "
        "credentials creds apikey apikeys privatekey accesskey secretkey sessionkey"
    ).split()
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
    (  # noqa: SIM905
        "max min num n total new unk pad bos eos sep cls mask sos eot blank start end begin "
        "special per ids id idx index len length count counts limit size budget type types "
        "embedding embeddings embed vocab dropout level image audio video text prompt output "
        "input context decoder encoder add use merge rate window stride drop position prefix "
        "suffix sample generated target source dim dims weight loss ratio frac fraction label "
        "labels bucket buckets chunk batch batches seq sequence max_new split sort spl extra "
        "added stop reserved control fim"
    ).split()
)
_TOKEN_WORDS = frozenset({"token", "tokens"})
#: a last word that makes the key name something about a secret, not the secret itself
#: (``api_key_header: X-Api-Key``, ``password_file: /run/secrets/db``, ``token_env: HF_TOKEN``);
#: a credential-shaped value under such a key is still found by its shape
_ABOUT_WORDS = frozenset(("header", "headers", "env", "var", "file", "path", "name", "field"))

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
INDEX = re.compile(r"\[\d+\]")

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
URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)(?P<pw>[^\s@/'\"]+)@"
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
    if len(words) > 1 and words[-1] in _ABOUT_WORDS:
        return False
    hit = [w for w in words if w in _SECRET_WORDS]
    pairs = any((a, b) in _SECRET_PAIRS for a, b in itertools.pairwise(words))
    if pairs or any(w not in _TOKEN_WORDS for w in hit):
        return True
    if hit:  # only token/tokens: public when a count, size or vocabulary word goes with it
        return not any(w in _PUBLIC_TOKEN_WORDS for w in words)
    return False


DEFAULT_RULES = SecretRules()


class SecretsTableError(ValueError):
    """A ``[tool.confman.secrets]`` table that cannot be used (``confman.settings`` reports it
    as a ``ProjectSettingsError``; redaction falls back to the built-in rules).

    Attributes:
        message: what is wrong.
        hint: what to do about it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_OPTIONS = ("extra-keys", "ignore-keys", "extra-values")


def rules_from_table(raw: dict[str, Any]) -> SecretRules:
    """The rules of a ``[tool.confman]`` table (its ``secrets`` sub-table).

    Raises:
        SecretsTableError: an unknown option, a non-list, or a regex that does not compile.
    """
    table = raw.get("secrets", {})
    legacy = raw.get("secret_patterns", [])
    if not isinstance(table, dict):
        raise SecretsTableError("[tool.confman] secrets must be a table")
    for name in table:
        if name not in _OPTIONS:
            # errors.did_you_mean's wording: errors sits above this module (it redacts with it)
            close = difflib.get_close_matches(name, _OPTIONS, n=1, cutoff=0.6)
            raise SecretsTableError(
                f"[tool.confman.secrets] unknown option {name!r}",
                hint=f"did you mean '{close[0]}'?"
                if close
                else f"known options: {', '.join(_OPTIONS)}",
            )
    lists: dict[str, tuple[str, ...]] = {}
    for name in _OPTIONS:
        value = table.get(name, [])
        if name == "extra-keys":
            value = [*value, *legacy] if isinstance(value, list) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SecretsTableError(
                f"[tool.confman.secrets] {name} must be a list of regexes",
                hint=f'e.g. {name} = ["^hook_url$"]',
            )
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SecretsTableError(
                    f"[tool.confman.secrets] {name}: {pattern!r} is not a regex: {exc}"
                ) from exc
        lists[name] = tuple(value)
    return SecretRules(lists["extra-keys"], lists["ignore-keys"], lists["extra-values"])


@functools.lru_cache(maxsize=8)
def _rules_at(pyproject: str, mtime: int) -> SecretRules:
    found = find_table(Path(pyproject).parent)
    return DEFAULT_RULES if found is None else rules_from_table(found[1])


_last_rules = DEFAULT_RULES


def project_rules(settings: Any = None) -> SecretRules:
    """The rules of ``settings`` (a ``confman.settings.Settings``), else of the project around
    the current directory (re-read when its pyproject.toml changes).

    The project's pyproject.toml is read here, not through ``confman.settings``: every error
    message is redacted with these rules, so finding them reports no error of its own.
    """
    global _last_rules
    if settings is not None:
        _last_rules = rules_from_table(settings.raw)
        return _last_rules
    try:
        found = find_table(Path.cwd())
        rules = (
            DEFAULT_RULES
            if found is None
            else _rules_at(str(found[0]), found[0].stat().st_mtime_ns)
        )
    except (OSError, UnreadablePyproject, SecretsTableError):
        return DEFAULT_RULES  # redaction never fails: the built-in rules apply
    _last_rules = rules
    return rules


def last_rules() -> SecretRules:
    """The rules ``project_rules`` returned last (error messages use them: loading settings
    there could itself raise a settings error)."""
    return _last_rules


def clear_rules() -> None:
    """Forget the cached project rules."""
    _rules_at.cache_clear()


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


def is_secret_key(name: str, rules: SecretRules | None = None, parent: str = "") -> bool:
    """Whether one key segment (``api_key``, ``hfToken``) names a secret.

    ``parent`` is the segment above it: a bare ``tokens`` under a public token name
    (``special_tokens.tokens``, a vocabulary) is public too.
    """
    return is_secret_child(rules or project_rules(), parent, str(name))


def is_secret_child(rules: SecretRules, parent: str, name: str) -> bool:
    """``is_secret_key`` with explicit rules (the walkers pass them down)."""
    if not _segment(rules, name):
        return False
    if parent and set(_words(name)) <= _TOKEN_WORDS and set(_words(parent)) & _TOKEN_WORDS:
        return rules._extra is not None and rules._extra.search(name) is not None
    return True


def is_secret_path(path: str, rules: SecretRules | None = None) -> bool:
    """Whether any segment of a dotted path names a secret (so its whole subtree is secret)."""
    rules = rules or project_rules()
    clean = INDEX.sub("", str(path)).lstrip("~+")
    if rules.ignored(clean):
        return False
    parts = [p for p in clean.split(".") if p]
    return any(
        is_secret_child(rules, parent, part)
        for parent, part in zip(["", *parts], parts, strict=False)
    )


def looks_secret(value: Any, rules: SecretRules | None = None) -> bool:
    """Whether a value is a ``SecretStr`` or holds a credential-shaped string or URL password."""
    if isinstance(value, SecretStr | SecretBytes):
        return True
    if not isinstance(value, str):
        return False
    rules = rules or project_rules()
    return bool(rules.values.search(value) or URL_PASSWORD.search(value))


def is_placeholder(value: Any) -> bool:
    """Whether a value under a secret name is no secret: absent, a boolean, ``???``, a bare
    interpolation, a marker or a tokenizer vocabulary literal (``<unk>``, ``[PAD]``)."""
    return (
        value is None
        or isinstance(value, bool)
        or (isinstance(value, str) and _KEPT.fullmatch(value) is not None)
    )
