"""The store's side of ``confman.secrets``: no secret reaches a store in clear.

Every field of a record that can carry one is redacted: both configs, overrides, the command
line, provenance (an override's text), the dirty patch and the free-form ``extra``. Markers are
keyed hashes (see ``confman.secrets``), so the store itself holds nothing to guess from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from confman import secrets
from confman.store.record import RunRecord

__all__ = ["DEFAULT_SECRET_PATTERNS", "redact", "redact_record", "store_rules"]

#: extra key patterns on top of ``confman.secrets``' own (``[tool.confman] secret_patterns``)
DEFAULT_SECRET_PATTERNS: tuple[str, ...] = ()


def store_rules(patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS) -> secrets.SecretRules:
    """The project's secret rules with the store's extra key ``patterns``."""
    rules = secrets.project_rules()
    extra = tuple(p for p in patterns if p not in rules.extra_keys)
    return dataclasses.replace(rules, extra_keys=rules.extra_keys + extra) if extra else rules


def redact(
    data: Any,
    salt: str | None = None,
    *,
    patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS,
    secret_paths: Iterable[str] = (),
) -> Any:
    """``confman.secrets.redact`` with the store's extra patterns (``salt`` is unused: the marker
    key lives outside the store)."""
    del salt
    return secrets.redact(data, secret_paths=secret_paths, rules=store_rules(patterns))


def redact_record(
    record: RunRecord,
    *,
    secret_paths: Sequence[str] = (),
    patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS,
    rules: secrets.SecretRules | None = None,
) -> RunRecord:
    """A copy of ``record`` with every secret replaced by its marker.

    ``rules`` (``store_rules(patterns)``), when a caller redacts many records at once.
    """
    rules = rules or store_rules(patterns)
    key = secrets.secret_key()  # once: provenance alone has an entry per leaf
    return dataclasses.replace(
        record,
        overrides=[
            secrets.redact_override(o, rules, secret_paths=secret_paths) for o in record.overrides
        ],
        argv=secrets.redact_argv(record.argv, rules, secret_paths=secret_paths),
        config=secrets.redact(record.config, secret_paths=secret_paths, rules=rules),
        raw_config=secrets.redact(record.raw_config, secret_paths=secret_paths, rules=rules),
        provenance={
            k: secrets.redact_text(v, rules, key, secret_paths=secret_paths)
            for k, v in record.provenance.items()
        },
        choices=secrets.redact(record.choices, rules=rules),
        patch=secrets.redact_patch(record.patch, rules),
        cwd=secrets.redact_text(record.cwd, rules, key),
        extra=secrets.redact(record.extra, rules=rules),
        # Recomputed from the redacted config: a hash of the clear one would let anyone holding
        # the record test guesses of a weak password offline.
        fingerprint="",
    )
