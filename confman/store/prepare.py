"""Records made ready to write: redacted, in canonical JSON, split into content-addressed nodes.

A batch of sweep runs repeats nearly every mapping of its configs and ``meta`` trees: only the
sections holding the keys that vary differ from run to run. Each distinct mapping at a key path
is redacted, encoded and split into its node once per batch (``Preparer``), and every run that
holds it again reuses the result.

That reuse is exact because, within one batch (one set of secret rules, marker key and secret
paths), the redaction of a plain JSON mapping depends on nothing but its content and the key
names on its path: whether a key is secret is decided by the names from the root down to it,
and a value's marker by the value. A config that is not plain JSON (a ``SecretStr``, a tuple, a
non-string key, NaN) is redacted whole, as a single record is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from confman.secrets import SecretRules
from confman.store.body import meta_of
from confman.store.record import RunRecord, canonical_json
from confman.store.secrets import RecordRedactor
from confman.store.tree import Node, make_node, scalar_json, splice

__all__ = ["Prepared", "Preparer"]

# Record fields stored in their own content-addressed tables, not in the run row's body.
_BODY_SKIP = ("config", "raw_config", "patch")

#: ``canonical_json`` without its fallback for other types: what it cannot encode is refused.
_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=True
).encode


@dataclass(frozen=True, slots=True)
class Prepared:
    """A redacted record and the root hashes of its config, raw config and ``meta`` trees.

    Attributes:
        record: the record as stored (secrets replaced, configs as JSON reads them back, its
            fingerprint set): what ``put`` returns.
        config / raw / meta: root hashes, each a node of the ``Preparer``'s ``nodes``.
    """

    record: RunRecord
    config: str
    raw: str
    meta: str


@dataclass(frozen=True, slots=True)
class _Subtree:
    node: Node
    text: str  # the whole subtree's canonical JSON


class Preparer:
    """Prepares the records of one batch; ``nodes`` collects every node their trees use.

    Args:
        rules: the secret rules (``store_rules``).
        secret_paths: dotted paths secret whatever their name (``SecretStr`` fields).
    """

    def __init__(self, rules: SecretRules, secret_paths: Sequence[str] = ()) -> None:
        self.redactor = RecordRedactor(rules, secret_paths)
        #: every node of the batch, by hash, children before parents
        self.nodes: dict[str, Node] = {}
        self._configs: dict[tuple[tuple[str, ...], str], _Subtree] = {}
        self._redacted: dict[str, _Subtree] = {}
        self._inner: dict[tuple[Any, ...], _Subtree] = {}
        self._leaves: dict[tuple[tuple[str, ...], str, str], tuple[Any]] = {}

    def prepare(self, record: RunRecord) -> Prepared:
        """``record`` redacted and split (the caller's record is not changed).

        Every field that can carry a secret (configs, overrides, argv, provenance, patch,
        extra) holds markers; the configs are as JSON reads them back, so what is indexed is
        exactly what a reader (and ``gc``) decodes.
        """
        body = {f.name: getattr(record, f.name) for f in fields(record) if f.name not in _BODY_SKIP}
        copy = RunRecord.from_json({**json.loads(canonical_json(body)), "patch": record.patch})
        rec = self.redactor.fields(copy)
        config, config_text = self._config(record.config)
        raw, raw_text = self._config(record.raw_config)
        rec.fingerprint = hashlib.sha256(config_text.encode("utf-8")).hexdigest()
        rec.config = json.loads(config_text)
        rec.raw_config = json.loads(raw_text)
        meta = self._split(meta_of(rec))
        return Prepared(rec, config.hash, raw.hash, meta.node.hash)

    def _config(self, data: dict[str, Any]) -> tuple[Node, str]:
        """The redacted config's root node and canonical JSON."""
        try:
            top = self._redact(data, ())
        except _NotPlain:
            text = canonical_json(self.redactor.data(data))
            return self._split(json.loads(text)).node, text
        return top.node, top.text

    def _redact(self, mapping: dict[str, Any], path: tuple[str, ...]) -> _Subtree:
        """The subtree of ``mapping`` at key ``path`` of a config, redacted and split.

        A mapping of plain entries only is looked up by its path and JSON; one with child
        mappings is built from its children's results (encoding it whole to look it up would
        encode every subtree once per level above it).

        Raises:
            _NotPlain: some part is not plain JSON with string keys.
        """
        if not _has_kids(mapping):
            key = (path, _plain_json(mapping))
            found = self._configs.get(key)
            if found is None:
                found = self._configs[key] = self._add(self._entries(path, json.loads(key[1])), {})
            return found
        plain = {k: v for k, v in mapping.items() if not isinstance(v, dict) or not v}
        kids = {k: self._redact(v, (*path, k)) for k, v in mapping.items() if k not in plain}
        text = _plain_json(plain)
        inner = (path, text, *(f"{k}:{sub.node.hash}" for k, sub in kids.items()))
        found = self._inner.get(inner)
        if found is None:
            found = self._inner[inner] = self._add(self._entries(path, json.loads(text)), kids)
        return found

    def _entries(self, path: tuple[str, ...], plain: dict[str, Any]) -> dict[str, Any]:
        """The plain entries of a config mapping at ``path``, redacted, each distinct entry once
        (a sweep's new section differs from the last run's in one key, not in all of them)."""
        out: dict[str, Any] = {}
        todo: dict[str, Any] = {}
        for name, value in plain.items():
            found = self._leaves.get((path, name, scalar_json(value)))
            if found is None:
                todo[name] = value
            else:
                out[name] = found[0]
        if todo:
            for name, value in self.redactor.entries(path, todo).items():
                self._leaves[(path, name, scalar_json(todo[name]))] = (value,)
                out[name] = value
        return out

    def _split(self, mapping: dict[str, Any]) -> _Subtree:
        """The subtree of ``mapping`` (already redacted, JSON-plain) split; a mapping of plain
        entries only, once per content (as ``_redact``)."""
        if not any(isinstance(v, dict) and v for v in mapping.values()):
            key = canonical_json(mapping)
            found = self._redacted.get(key)
            if found is None:
                found = self._redacted[key] = self._add(mapping, {})
            return found
        plain = {k: v for k, v in mapping.items() if not isinstance(v, dict) or not v}
        return self._add(plain, {k: self._split(v) for k, v in mapping.items() if k not in plain})

    def _add(self, plain: dict[str, Any], kids: dict[str, _Subtree]) -> _Subtree:
        node = make_node([*plain.items(), *((k, sub.node) for k, sub in kids.items())])
        self.nodes.setdefault(node.hash, node)
        return _Subtree(node, splice(node.template, (kids[k].text for k, _ in node.kids)))


class _NotPlain(Exception):
    """A config holds something other than plain JSON with string keys."""


def _plain_json(mapping: dict[str, Any]) -> str:
    """The canonical JSON of ``mapping``, whose redaction it determines (see the module
    docstring): only for string keys, all the way down, and types JSON encodes.

    Raises:
        _NotPlain: another key type, or a value JSON does not encode.
    """
    if not _string_keys(mapping):
        raise _NotPlain
    try:
        return _encode(mapping)
    except (TypeError, ValueError):
        raise _NotPlain from None


def _string_keys(data: Any) -> bool:
    """Whether every mapping in ``data`` has keys of type ``str`` exactly."""
    todo = [data]
    while todo:
        item = todo.pop()
        values = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict) and not set(map(type, item)) <= _STR:
            return False
        if not set(map(type, values)) <= _SCALARS:
            todo.extend(v for v in values if isinstance(v, dict | list | tuple))
    return True


def _has_kids(mapping: dict[str, Any]) -> bool:
    """Whether ``mapping`` holds a non-empty mapping (a child node)."""
    return not set(map(type, mapping.values())) <= _SCALARS and any(
        isinstance(v, dict) and v for v in mapping.values()
    )


_STR = frozenset((str,))
_SCALARS = frozenset((str, int, float, bool, type(None)))
