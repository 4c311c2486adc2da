"""What is secret, for every part of confman, and the marker that stands in for it.

One package decides, for the store, diff, lint (CM401), the renderers and error messages:
``rules`` says what is secret, ``markers`` makes the stand-in, ``redact`` applies both to data
and text, ``scrub`` to what a run prints and logs and to tracebacks.

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

from confman.secrets.markers import (
    MARKER,
    MARKER_PREFIX,
    clear_key,
    is_marker,
    key_file,
    marker,
    secret_key,
)
from confman.secrets.redact import (
    redact,
    redact_argv,
    redact_at,
    redact_error,
    redact_lines,
    redact_override,
    redact_patch,
    redact_text,
)
from confman.secrets.rules import (
    DEFAULT_RULES,
    SecretRules,
    SecretsTableError,
    clear_rules,
    is_placeholder,
    is_secret_key,
    is_secret_path,
    looks_secret,
    project_rules,
    rules_from_table,
    secret_fields,
)
from confman.secrets.scrub import (
    RedactingStream,
    Scrubber,
    format_exception,
    redacted_logs,
    secret_values,
)

__all__ = [
    "DEFAULT_RULES",
    "MARKER",
    "MARKER_PREFIX",
    "RedactingStream",
    "Scrubber",
    "SecretRules",
    "SecretsTableError",
    "clear",
    "format_exception",
    "is_marker",
    "is_placeholder",
    "is_secret_key",
    "is_secret_path",
    "key_file",
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
    "redacted_logs",
    "rules_from_table",
    "secret_fields",
    "secret_key",
    "secret_values",
]


def clear() -> None:
    """Forget the cached key and project rules (after changing the environment or pyproject)."""
    clear_key()
    clear_rules()
