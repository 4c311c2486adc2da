"""Provenance bookkeeping: OmegaConf's merge rules for what a write replaces."""

from __future__ import annotations

import math
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from confman.provenance import Provenance, Write, iter_leaves, same_value


def w(value, file="f.yaml", line=1):
    return Write(value=value, file=file, line=line)


def test_iter_leaves_treats_lists_and_empty_mappings_as_leaves():
    data = {"a": {"b": 1, "c": [1, {"x": 2}]}, "d": {}, "e": None}
    assert list(iter_leaves(data)) == [
        ("a.b", 1),
        ("a.c", [1, {"x": 2}]),
        ("d", {}),
        ("e", None),
    ]


def test_history_is_oldest_first_winner_last():
    prov = Provenance()
    prov.record("a", w(1, "x.yaml", 3))
    prov.record("a", w(2, "y.yaml", 5))
    assert prov.finish({"a": 2})["a"] == (w(1, "x.yaml", 3), w(2, "y.yaml", 5))


def test_missing_never_overwrites_a_value_or_a_mapping():
    prov = Provenance()
    prov.record("a", w(1))
    prov.record("a", w("???"))
    prov.record("m.x", w(1))
    prov.record("m", w("???"))
    assert prov.writes["a"] == [w(1)]
    assert "m" not in prov.writes and prov.writes["m.x"] == [w(1)]


def test_leaf_over_mapping_ends_the_subtree_and_mapping_over_leaf_ends_the_leaf():
    prov = Provenance()
    prov.record("m.x", w(1))
    prov.record("m", w(None, line=2))
    assert "m.x" not in prov.writes and prov.writes["m"] == [w(None, line=2)]
    prov.record("m.y", w(3, line=3))
    assert "m" not in prov.writes
    assert prov.finish({"m": {"y": 3}}) == {"m.y": (w(3, line=3),)}


def test_empty_mapping_merged_into_mapping_changes_nothing():
    prov = Provenance()
    prov.record("m.x", w(1))
    prov.record("m", w({}))
    assert prov.finish({"m": {"x": 1}}) == {"m.x": (w(1),)}


def test_delete_moves_history_to_deleted():
    prov = Provenance()
    prov.record("m.x", w(1))
    prov.record("m.y", w(2))
    gone = Write(value=None, kind="delete", override="~m")
    prov.delete("m", gone)
    assert prov.writes == {}
    assert prov.deleted == {"m.x": [w(1), gone], "m.y": [w(2), gone]}


def test_unwritten_leaf_is_indirect_with_the_interpolation_it_came_from():
    prov = Provenance()
    prov.record("a", w("${b}", "x.yaml", 4))
    prov.record("a.extra", w(1, "y.yaml", 2))
    result = prov.finish({"a": {"extra": 1, "k": 5}})
    assert result["a.extra"] == (w(1, "y.yaml", 2),)
    (only,) = result["a.k"]
    assert only.kind == "indirect" and only.value == 5
    assert only.note == "expanded from a = '${b}' (x.yaml:4)"


def test_changed_value_is_marked_coerced_not_attributed():
    prov = Provenance()
    prov.record("port", w("8080", "s.yaml", 2))
    *_, last = prov.finish({"port": 8080})["port"]
    assert last.kind == "coerced" and last.value == 8080 and "s.yaml:2" in last.note


def test_same_value_semantics():
    assert same_value(math.nan, math.nan)
    assert not same_value(True, 1)
    assert same_value(1, 1.0)


def test_write_json_shapes():
    assert w(1, "a.yaml", 2).to_json() == {"file": "a.yaml", "line": 2, "value": 1}
    assert Write(3, kind="override", override="a=3").to_json() == {"override": "a=3", "value": 3}
    assert Write(None, kind="delete", override="~a").to_json() == {
        "override": "~a",
        "deleted": True,
    }


def _leaves_recursive(data, prefix=""):
    """The plain recursive definition ``iter_leaves`` must keep to."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping) and value:
                yield from _leaves_recursive(value, f"{path}.")
            else:
                yield path, value
    elif prefix:
        yield prefix.rstrip("."), data


_TREES = st.recursive(
    st.one_of(st.integers(), st.none(), st.text(max_size=2), st.lists(st.integers(), max_size=2)),
    lambda inner: st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(_TREES, st.sampled_from(["", "x.", "p.q."]))
def test_iter_leaves_matches_the_recursive_definition(data, prefix):
    assert list(iter_leaves(data, prefix)) == list(_leaves_recursive(data, prefix))
