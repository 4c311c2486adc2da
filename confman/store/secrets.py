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
    batch = RecordRedactor(rules or store_rules(patterns), secret_paths)
    return dataclasses.replace(
        batch.fields(record),
        config=batch.data(record.config),
        raw_config=batch.data(record.raw_config),
        fingerprint="",  # recomputed from the redacted config (see ``fields``)
    )


class RecordRedactor:
    """Redaction of the records of one batch under one set of rules, marker key and secret paths.

    What is secret is ``confman.secrets``' to decide; this only applies it to each field of a
    record. The provenance of a sweep's runs repeats the same few hundred texts, each redacted
    once per batch (a text's redaction depends on the text alone once the rules, key and paths
    are fixed).
    """

    def __init__(self, rules: secrets.SecretRules, secret_paths: Sequence[str] = ()) -> None:
        self.rules = rules
        self.secret_paths = tuple(secret_paths)
        self.key = secrets.secret_key()  # once: provenance alone has an entry per leaf
        self._texts: dict[str, str] = {}

    def fields(self, record: RunRecord) -> RunRecord:
        """A copy of ``record`` with every field but the two configs redacted."""
        rules, paths = self.rules, self.secret_paths
        return dataclasses.replace(
            record,
            overrides=[
                secrets.redact_override(o, rules, secret_paths=paths) for o in record.overrides
            ],
            argv=secrets.redact_argv(record.argv, rules, secret_paths=paths),
            provenance={k: self.text(v) for k, v in record.provenance.items()},
            choices=secrets.redact(record.choices, rules=rules, key=self.key),
            patch=secrets.redact_patch(record.patch, rules),
            cwd=secrets.redact_text(record.cwd, rules, self.key),
            extra=secrets.redact(record.extra, rules=rules, key=self.key),
            # Recomputed from the redacted config: a hash of the clear one would let anyone
            # holding the record test guesses of a weak password offline.
            fingerprint="",
        )

    def text(self, text: str) -> str:
        """``secrets.redact_text`` with the batch's rules, key and secret paths, once per text."""
        found = self._texts.get(text) if type(text) is str else None
        if found is None:
            found = secrets.redact_text(text, self.rules, self.key, secret_paths=self.secret_paths)
            if type(text) is str:
                self._texts[text] = found
        return found

    def data(self, data: Any) -> Any:
        """``secrets.redact`` of a whole config."""
        return secrets.redact(data, secret_paths=self.secret_paths, rules=self.rules, key=self.key)

    def entries(self, path: Sequence[str], entries: dict[str, Any]) -> dict[str, Any]:
        """``entries`` redacted as the plain entries of the mapping at key ``path`` of a config.

        Whether a key is secret depends only on the names on its path, so the mapping is
        redacted inside one-key mappings naming its path: what the whole config's redaction
        gives for these entries, without walking the rest of the config.
        """
        wrapped: Any = entries
        for name in reversed(path):
            wrapped = {name: wrapped}
        out = self.data(wrapped)
        for name in path:
            out = out[name]
        return dict(out)
