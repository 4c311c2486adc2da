"""Configs as Merkle trees in the store: what ``runs compare`` reads instead of whole configs."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from confman.diff.many import compare_many, compare_stored
from confman.store import RunRecord, SQLStore, open_store
from confman.store.migrations import SCHEMA_VERSION
from confman.store.tree import NodeRef, child_hashes, decode_nodes, split_tree

CONFIG = {"model": {"name": "vit", "depth": 12}, "opt": {"lr": 0.1}, "seed": 1, "empty": {}}


def test_split_and_decode() -> None:
    root, nodes = split_tree(CONFIG)
    assert nodes[-1].hash == root
    assert [n.leaves for n in nodes] == [2, 1, 5]
    top = decode_nodes([(root, nodes[-1].text)])[root]
    assert top["seed"] == 1 and top["empty"] == {}
    assert type(top["model"]) is NodeRef
    assert set(child_hashes(nodes[-1].text)) == {nodes[0].hash, nodes[1].hash}
    assert list(top) == sorted(CONFIG)  # the order a whole stored config has


def test_equal_subtrees_share_a_hash_and_types_do_not() -> None:
    a, _ = split_tree({"x": {"v": 1}, "y": 2})
    b, _ = split_tree({"y": 2, "x": {"v": 1}})  # key order does not matter
    c, _ = split_tree({"x": {"v": 1.0}, "y": 2})  # 1 and 1.0 are different values
    d, _ = split_tree({"x": {"v": True}, "y": 2})
    assert a == b and len({a, c, d}) == 3


def test_put_stores_each_node_once(store: SQLStore) -> None:
    for lr in (0.1, 0.2, 0.1):
        store.put(RunRecord(config_name="t", config={**CONFIG, "opt": {"lr": lr}}))
    # Two configs: two top nodes and two opt nodes, one shared model node.
    assert store._read("SELECT COUNT(*) FROM nodes")[0][0] == 5


def test_version_1_store_is_migrated(store_url: str) -> None:
    with open_store(store_url) as store:
        rec = store.put(RunRecord(config_name="t", config=CONFIG))
        with store._write() as cur:  # back to version 1: no node tree
            cur.execute("DROP TABLE nodes")
            cur.execute("ALTER TABLE configs DROP COLUMN root")
            cur.execute(
                store._sql("UPDATE meta SET value = ? WHERE key = ?"), ("1", "schema_version")
            )
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        table = compare_stored(store, [rec.id, rec.id])
        assert table.keys == () and table.constant == 5


configs = st.recursive(
    st.one_of(
        st.integers(-3, 3),
        st.floats(allow_nan=False),
        st.booleans(),
        st.none(),
        st.sampled_from(["a", "1", "true"]),
    ),
    lambda inner: st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=12,
).filter(lambda c: isinstance(c, dict))


@settings(max_examples=60, deadline=None)
@given(st.lists(configs, min_size=2, max_size=5))
def test_compare_stored_equals_compare_many(
    tmp_path_factory: Any, runs: list[dict[str, Any]]
) -> None:
    db = tmp_path_factory.mktemp("tree") / "runs.db"
    with open_store(f"sqlite:///{db}") as store:
        ids = [store.put(RunRecord(config_name="t", config=c)).id for c in runs]
        stored = compare_stored(store, ids)
    # What the store gives back for each run is the config as JSON keeps it (sorted keys).
    memory = compare_many(
        {i: json.loads(json.dumps(c, sort_keys=True)) for i, c in zip(ids, runs, strict=True)}
    )
    assert stored == memory
