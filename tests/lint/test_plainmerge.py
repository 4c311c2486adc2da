"""The plain merge equals OmegaConf's merge on every input it accepts, and refuses the rest."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from test_composer import strict_same

from confman.compose.plain import _replay
from confman.compose.plainmerge import NotPlain, check_plain, embed, merge_into
from confman.provenance import Provenance, Write, iter_leaves

KEYS = st.sampled_from(["a", "b", "c", "lr", "_target_", "a.b"])
SCALARS = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=32),
    st.booleans(),
    st.none(),
    st.sampled_from(["x", "", "???", "${a}", "${.b}", "pre-${c}", "${oc.env:HOME}"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
CONFIGS = st.dictionaries(KEYS, VALUES, max_size=5)


def omegaconf_merge(dest: dict[str, Any], src: dict[str, Any]) -> Any:
    cfg = OmegaConf.create(dest)
    cfg.merge_with(OmegaConf.create(src))
    return OmegaConf.to_container(cfg, resolve=False)


@settings(max_examples=400, deadline=None)
@given(CONFIGS, CONFIGS)
def test_accepted_merges_equal_omegaconf(dest: dict[str, Any], src: dict[str, Any]) -> None:
    src_before = copy.deepcopy(src)
    mine = copy.deepcopy(dest)
    try:
        merge_into(mine, src)
    except NotPlain:
        return
    assert strict_same(mine, omegaconf_merge(dest, src))
    assert strict_same(src, src_before)  # the source (a cached parse) is never written


@settings(max_examples=200, deadline=None)
@given(CONFIGS, CONFIGS, CONFIGS)
def test_merged_result_does_not_alias_sources(
    a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]
) -> None:
    """A source merged first and written into by a later merge stays as it was parsed."""
    a_before, b_before = copy.deepcopy(a), copy.deepcopy(b)
    dest: dict[str, Any] = {}
    try:
        for src in (a, b, c):
            merge_into(dest, src)
    except NotPlain:
        pass
    assert strict_same(a, a_before) and strict_same(b, b_before)


@pytest.mark.parametrize(
    ("dest", "src"),
    [
        ({"a": 1}, {"a": "???"}),
        ({"a": {"x": 1}}, {"a": "???"}),
        ({"a": "${b}", "b": 1}, {"a": "???"}),
    ],
)
def test_missing_never_replaces_a_value(dest: dict[str, Any], src: dict[str, Any]) -> None:
    mine = copy.deepcopy(dest)
    merge_into(mine, src)
    assert strict_same(mine, omegaconf_merge(dest, src)) and strict_same(mine, dest)


@pytest.mark.parametrize(
    ("dest", "src"),
    [
        ({"a": "${b}", "b": {"x": 1}}, {"a": {"y": 2}}),  # OmegaConf expands the interpolation
        ({"a": "${b}", "b": {"x": 1}}, {"a": [1]}),  # ... and refuses a list into its target
        ({"a": "${b}", "b": [1]}, {"a": [2]}),
        ({"a": "${b.c"}, {"a": 2}),  # OmegaConf fails to parse it when it dereferences it
        ({"a": {"x": 1}}, {"a": [1]}),
        ({"a": [1]}, {"a": {"x": 1}}),
    ],
)
def test_special_cases_are_refused(dest: dict[str, Any], src: dict[str, Any]) -> None:
    with pytest.raises(NotPlain):
        merge_into(copy.deepcopy(dest), src)


def _boom() -> None:
    raise RuntimeError("a resolver that fails")


@pytest.mark.parametrize(
    "dest",
    [
        {"a": "${b}", "b": 1},
        {"a": "${b}", "b": {"x": 1}},  # dereferenced to a mapping, then replaced all the same
        {"a": "${b}", "b": [1]},
        {"a": "${nope.k}"},  # nothing to find
        {"a": "${b}", "b": "${a}"},  # a cycle
        {"a": "${unregistered:1}"},
        {"a": "${confman_test_boom:}"},  # a resolver that raises
        {"a": "${oc.env:CONFMAN_TEST_NOT_SET}"},
        {"a": "pre-${b}", "b": {"x": 1}},
        {"s": {"a": "${.t}", "t": {"x": 1}}},
    ],
)
@pytest.mark.parametrize("value", [2, "text", None, 0.5, True, "${c}"])
def test_a_scalar_replacing_an_interpolation_is_plain(dest: dict[str, Any], value: Any) -> None:
    """OmegaConf dereferences the interpolation before merging into it, but a scalar replaces
    whatever it finds, and a failed resolution is not raised: the plain merge's result."""
    if not OmegaConf.has_resolver("confman_test_boom"):
        OmegaConf.register_new_resolver("confman_test_boom", _boom)
    src = {"s": {"a": value}} if "s" in dest else {"a": value}
    mine = copy.deepcopy(dest)
    merge_into(mine, src)
    assert strict_same(mine, omegaconf_merge(dest, src))


def test_odd_keys_and_types_are_refused() -> None:
    for data in ({1: "a"}, {"a": {True: 1}}, {"a": b"raw"}, {"a": [{"b": (1, 2)}]}):
        with pytest.raises(NotPlain):
            check_plain(data)
    check_plain({"a": [1, {"b": None}], "c": 1.5, "d": "${x}"})


def test_embed_matches_omegaconf_update() -> None:
    cfg = OmegaConf.create()
    OmegaConf.update(cfg, "db.backup", {"port": 1}, merge=False)
    assert embed({"port": 1}, "db.backup") == OmegaConf.to_container(cfg)
    assert embed({"port": 1}, "") == {"port": 1}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(CONFIGS, st.sampled_from(["", "a", "b.c"])), min_size=1, max_size=4))
def test_replayed_provenance_equals_recorded(files: list[tuple[dict[str, Any], str]]) -> None:
    """``_replay`` gives what ``Provenance.record`` of every write, then ``finish``, gives."""
    container: dict[str, Any] = {}
    merged = []
    dotted = False
    for n, (data, package) in enumerate(files):
        try:
            dotted = check_plain(data) or dotted
            merge_into(container, embed(data, package))
        except NotPlain:
            return
        prefix = f"{package}." if package else ""
        merged.append(
            [
                (f"{prefix}{path}", Write(value=value, file=f"f{n}.yaml", line=i + 1))
                for i, (path, value) in enumerate(iter_leaves(data))
            ]
        )
    recorded = Provenance()
    for calls in merged:
        for path, write in calls:
            recorded.record(path, write)
    assert _replay(merged, container, gather=not dotted) == recorded.finish(container)


def test_dotted_keys_are_plain_and_reported() -> None:
    """A key holding a dot merges as any key (OmegaConf's merge), and is reported so the
    provenance is recorded write by write."""
    assert check_plain({"a": {"b.c": 1}}) is True
    assert check_plain({"a": [{"b": {"c.d": 1}}]}) is True
    assert check_plain({"a": {"b": 1}}) is False
    dest: dict[str, Any] = {"a": {"b.c": 1, "b": {"c": 2}}}
    merge_into(dest, {"a": {"b.c": 3}})
    expected = OmegaConf.merge({"a": {"b.c": 1, "b": {"c": 2}}}, {"a": {"b.c": 3}})
    assert dest == OmegaConf.to_container(expected)
