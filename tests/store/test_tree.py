"""Configs as Merkle trees in the store: what ``runs compare`` reads instead of whole configs."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from confman.diff.runtable import compare_many, compare_stored
from confman.store import RunRecord, SQLStore, open_store
from confman.store.record import canonical_json
from confman.store.tree import NodeRef, assemble, child_ids, decode_nodes, split_tree

CONFIG = {"model": {"name": "vit", "depth": 12}, "opt": {"lr": 0.1}, "seed": 1, "empty": {}}


def test_split_and_decode() -> None:
    root, nodes = split_tree(CONFIG)
    assert nodes[-1].hash == root
    assert [n.leaves for n in nodes] == [2, 1, 5]
    ids = {n.hash: i for i, n in enumerate(nodes, 1)}
    texts = {ids[n.hash]: n.text(ids) for n in nodes}
    top = decode_nodes([(3, texts[3])])["3"]
    assert top["seed"] == 1 and top["empty"] == {}
    assert type(top["model"]) is NodeRef and top["model"] == "1"
    assert set(child_ids(texts[3])) == {1, 2}
    assert list(top) == sorted(CONFIG)  # the order a whole stored config has
    # Splicing the children's texts in gives the config's canonical JSON back, byte for byte.
    assert assemble(3, texts, {}) == canonical_json(CONFIG)


def test_a_string_that_looks_like_a_child_stays_a_string() -> None:
    config = {"a": "\x011\x01", "b": [{"\x01": 1}], "c": {"d": 1}}
    _, nodes = split_tree(config)
    ids = {n.hash: i for i, n in enumerate(nodes, 1)}
    top = nodes[-1].text(ids)
    assert child_ids(top) == [1]
    decoded = decode_nodes([(2, top)])["2"]
    assert decoded["a"] == "\x011\x01" and decoded["b"] == [{"\x01": 1}]
    assert type(decoded["c"]) is NodeRef


def test_equal_subtrees_share_a_hash_and_types_do_not() -> None:
    a, _ = split_tree({"x": {"v": 1}, "y": 2})
    b, _ = split_tree({"y": 2, "x": {"v": 1}})  # key order does not matter
    c, _ = split_tree({"x": {"v": 1.0}, "y": 2})  # 1 and 1.0 are different values
    d, _ = split_tree({"x": {"v": True}, "y": 2})
    assert a == b and len({a, c, d}) == 3


def test_put_stores_each_node_once(store: SQLStore) -> None:
    for lr in (0.1, 0.2, 0.1):
        store.put(RunRecord(config_name="t", config={**CONFIG, "opt": {"lr": lr}}))
    # Two configs: two top nodes and two opt nodes, one shared model node, each placed once.
    assert store._read("SELECT COUNT(*) FROM placements")[0][0] == 5
    # Leaf rows: the shared model node's two once, each opt node's one, each top's two.
    assert store._read("SELECT COUNT(*) FROM leaves")[0][0] == 2 + 2 * 1 + 2 * 2


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
        back = [store.get(i).config for i in ids]
    # What the store gives back for each run is the config as JSON keeps it (sorted keys).
    memory = compare_many(
        {i: json.loads(json.dumps(c, sort_keys=True)) for i, c in zip(ids, runs, strict=True)}
    )
    assert stored == memory
    assert back == [json.loads(canonical_json(c)) for c in runs]
