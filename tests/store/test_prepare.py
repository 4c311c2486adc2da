"""A batch of records is redacted and split once per distinct mapping: the same result, record for
record and node for node, as redacting and splitting each record whole."""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import math
from collections import OrderedDict
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from confman import secrets
from confman.store import RunRecord, SQLStore, open_store
from confman.store.body import meta_of
from confman.store.prepare import Preparer
from confman.store.record import canonical_json
from confman.store.secrets import redact_record, store_rules
from confman.store.tree import split_tree

GITHUB = "ghp_" + "a1B2c3D4e5" * 4  # credential-shaped wherever it sits


def _reference(
    record: RunRecord, secret_paths: tuple[str, ...], rules: secrets.SecretRules
) -> tuple[RunRecord, set[str]]:
    """What one record alone gives: every config redacted whole, then split whole."""
    body = {f.name: getattr(record, f.name) for f in fields(record)}
    for name in ("config", "raw_config", "patch"):
        del body[name]
    rec = redact_record(
        RunRecord.from_json(
            {**json.loads(canonical_json(body)), "patch": record.patch, "config": {}}
        ),
        secret_paths=secret_paths,
        rules=rules,
    )
    config_text = canonical_json(
        secrets.redact(record.config, secret_paths=secret_paths, rules=rules)
    )
    rec.config = json.loads(config_text)
    rec.raw_config = json.loads(
        canonical_json(secrets.redact(record.raw_config, secret_paths=secret_paths, rules=rules))
    )
    rec.fingerprint = hashlib.sha256(config_text.encode("utf-8")).hexdigest()
    nodes = {
        n.hash for tree in (rec.config, rec.raw_config, meta_of(rec)) for n in split_tree(tree)[1]
    }
    return rec, nodes


def _check_batch(
    records: list[RunRecord],
    secret_paths: tuple[str, ...] = (),
    rules: secrets.SecretRules | None = None,
) -> list[RunRecord]:
    rules = rules or store_rules()
    before = [copy.deepcopy(r.to_json()) for r in records]
    preparer = Preparer(rules, secret_paths)
    prepared = [preparer.prepare(r) for r in records]
    used: set[str] = set()
    for record, got in zip(records, prepared, strict=True):
        want, nodes = _reference(record, secret_paths, rules)
        assert canonical_json(got.record.to_json()) == canonical_json(want.to_json())
        roots = {got.config, got.raw, got.meta}
        assert roots <= nodes
        assert split_tree(want.config)[0] == got.config
        assert split_tree(want.raw_config)[0] == got.raw
        assert split_tree(meta_of(want))[0] == got.meta
        used |= nodes
    # Every node the batch writes is one some record's trees have, with the same text.
    assert set(preparer.nodes) == used
    assert [r.to_json() for r in records] == before  # the caller's records are not changed
    return [p.record for p in prepared]


def _config(lr: float, seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "db": {"host": "h", "password": "hunter2", "url": "postgres://u:pw123@h/db"},
        "optimizer": {"lr": lr, "betas": [0.9, 0.99]},
        "tracking": {"token": GITHUB, "max_tokens": 5, "note": f"uses {GITHUB}"},
        "trainer": {"seed": seed, "empty": {}},
        **extra,
    }


def test_a_secret_in_a_node_the_batch_shares_is_redacted_in_every_run() -> None:
    records = [
        RunRecord(
            config=_config(lr, seed),
            raw_config=_config(lr, seed),
            overrides=[f"trainer.seed={seed}", "db.password=hunter2"],
            provenance={"db.password": "override db.password=hunter2", "trainer.seed": "x.yaml:1"},
        )
        for lr in (0.1, 0.2)
        for seed in range(3)
    ]
    stored = _check_batch(records)
    for rec in stored:
        text = canonical_json(rec.to_json())
        assert "hunter2" not in text and "pw123" not in text and GITHUB not in text
        assert secrets.is_marker(rec.config["db"]["password"])
        assert rec.config["tracking"]["max_tokens"] == 5


def test_a_node_shared_at_a_public_and_a_secret_path_is_redacted_by_its_path() -> None:
    shared = {"user": "alice", "value": "s3cr3t-value"}
    records = [
        RunRecord(config={"public": dict(shared), "credentials": dict(shared)}),
        RunRecord(config={"public": dict(shared), "handle": dict(shared)}),
    ]
    stored = _check_batch(records, secret_paths=("handle",))
    assert stored[0].config["public"] == shared
    for rec, secret in zip(stored, ("credentials", "handle"), strict=True):
        assert all(secrets.is_marker(v) for v in rec.config[secret].values())


def test_the_project_rules_apply_to_shared_nodes() -> None:
    rules = secrets.SecretRules(extra_keys=("^hook$",), ignore_keys=("db.password",))
    records = [
        RunRecord(config={"db": {"password": "pw", "hook": "h"}, "seed": i}) for i in range(3)
    ]
    for rec in _check_batch(records, rules=rules):
        assert rec.config["db"]["password"] == "pw" and secrets.is_marker(rec.config["db"]["hook"])


class _Color(enum.IntEnum):
    RED = 1


class _Mode(str, enum.Enum):  # noqa: UP042 (a mixin: its str() is not its value)
    train = "train"


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"db": {"password": SecretStr("hunter2")}, "a": {"b": 1}}, id="secretstr"),
        pytest.param({"a": {2: "x", 10: "y"}, "b": {"c": 1}}, id="int-keys"),
        pytest.param({"a": {True: "x"}, "password": {None: 1}}, id="bool-and-none-keys"),
        pytest.param({"a": {"b": (1, 2)}, "c": [(3, {"password": "pw"})]}, id="tuples"),
        pytest.param({"a": {"b": math.nan, "password": math.inf}}, id="nan"),
        pytest.param({"a": OrderedDict(b=1, password="pw")}, id="dict-subclass"),
        pytest.param({"a": {"b": _Color.RED, "token": _Color.RED}}, id="int-enum"),
        pytest.param({"a": {_Mode.train: "x", "password": _Mode.train}}, id="str-enum"),
        pytest.param({"a": {"b": Path("/x")}, "c": {"d": b"token"}}, id="not-json"),
        pytest.param({"a": [{1: "pw", 2: 2}], "b": {}}, id="int-key-in-a-list"),
    ],
)
def test_configs_that_are_not_plain_json_give_what_one_record_alone_gives(
    config: dict[Any, Any],
) -> None:
    plain = {"a": {"b": 1}, "db": {"password": "pw"}}
    _check_batch(
        [RunRecord(config=config, raw_config=plain), RunRecord(config=plain, raw_config=config)]
    )


_KEYS = st.sampled_from(
    ["a", "b", "lr", "password", "token", "max_tokens", "api_key", "credentials", "note", "db", "0"]
)
_SCALARS = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.booleans(),
    st.none(),
    st.sampled_from(["x", "", "???", "${a.b}", GITHUB, "postgres://u:pw@h/d", "<unk>", "0"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    base=st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=5),
    changes=st.lists(st.tuples(_KEYS, _KEYS, _SCALARS), min_size=1, max_size=6),
    secret_paths=st.lists(
        st.sampled_from(["a", "a.b", "db.note", "lr", "b[0]", "note.a"]), max_size=2
    ),
)
def test_a_batch_gives_what_each_record_alone_gives(
    base: dict[str, Any], changes: list[tuple[str, str, Any]], secret_paths: list[str]
) -> None:
    """Sweep-like batches: runs share most mappings and differ in a few keys."""
    records = []
    for section, key, value in changes:
        config = copy.deepcopy(base)
        sub = config.get(section)
        if isinstance(sub, dict):
            sub[key] = value
        else:
            config[section] = {key: value}
        records.append(RunRecord(config=config, raw_config=copy.deepcopy(base)))
    _check_batch(records, tuple(secret_paths))


def test_a_batch_stores_the_bytes_one_by_one_puts_store(store: SQLStore, tmp_path: Path) -> None:
    records = [
        RunRecord(
            config=_config([0.1, 0.2][i % 2], i, **({"extra": {"k": i}} if i % 3 else {})),
            raw_config=_config(0.1, 0, seed_src="${oc.env:SEED}"),
            provenance={"trainer.seed": f"override trainer.seed={i}", "db.host": "db.yaml:1"},
            patch="+password: hunter2\n" if i % 2 else None,
            started=1.7e9 + i,
        )
        for i in range(12)
    ]
    store.put_many(records)
    with open_store(f"sqlite:///{tmp_path / 'single.db'}") as single:
        for rec in records:
            single.put(rec)
        for each in (store, single):
            assert each.count() == len(records)
        assert _content(store) == _content(single)
        assert [r.to_json() for r in store.query()] == [r.to_json() for r in single.query()]
    assert "hunter2" not in json.dumps([r.to_json() for r in store.query()])


def _content(store: SQLStore) -> tuple[set[Any], ...]:
    """The stored nodes and leaf index, by hash and key path (ids differ between stores)."""
    nodes = {(bytes(h).hex(), n) for h, n in store._read("SELECT hash, leaves FROM nodes")}
    leaves = {
        (path, txt, num, bytes(h).hex())
        for path, txt, num, h in store._read(
            "SELECT k.path, l.txt, l.num, n.hash FROM leaves l "
            "JOIN keys k ON k.id = l.key JOIN nodes n ON n.id = l.node"
        )
    }
    runs = {
        (i, bytes(f).hex(), b) for i, f, b in store._read("SELECT id, fingerprint, body FROM runs")
    }
    return nodes, leaves, runs
