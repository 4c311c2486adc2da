"""``references_resolve`` says True only when OmegaConf finds every referenced key."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import ListConfig, OmegaConf
from omegaconf.errors import InterpolationKeyError

from confman.compose.plaininterp import references_resolve
from confman.provenance import iter_leaves

REFS = st.sampled_from(
    [
        "${a}",
        "${a.x}",
        "${b.y}",
        "${.x}",
        "${..a}",
        "${...a}",
        "${nope}",
        "p-${a.x}-${.y}",
        "${oc.env:HOME}",
        "${oc.env:HOME}/${b}",
        "${now:%H}",
        "\\${a}",
        "${oc.decode:${a.x}}",
        "[${a.x}]",
        "${eval:4 * ${a.x}}",
        "${eval:${nope}}",
        "${eval:${div_up:${.x}, 2}}",
        "${eval:'min(1, ${b.y})'}",
        "${a.${b}}",
        "${eval:${now:%H}}",
    ]
)
LEAVES = st.one_of(st.integers(0, 3), st.none(), st.just("???"), REFS, st.lists(REFS, max_size=2))
TREES = st.recursive(
    LEAVES,
    lambda inner: st.dictionaries(st.sampled_from(["a", "b", "x", "y"]), inner, max_size=3),
    max_leaves=10,
)


def key_errors(container: dict[str, Any]) -> list[str]:
    """The leaves CM301 would flag: OmegaConf raises InterpolationKeyError resolving them."""
    cfg = OmegaConf.create(container)
    flagged = []
    for path, _ in iter_leaves(container):
        try:
            node = OmegaConf.select(cfg, path, throw_on_resolution_failure=True)
            if isinstance(node, ListConfig):
                OmegaConf.to_container(node, resolve=True)
        except InterpolationKeyError:
            flagged.append(path)
        except Exception:  # other resolution failures are not CM301's
            continue
    return flagged


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "x", "y"]), TREES, max_size=4))
def test_true_means_omegaconf_resolves_every_reference(container: dict[str, Any]) -> None:
    if references_resolve(container):
        assert key_errors(container) == []


@pytest.mark.parametrize(
    ("container", "proven"),
    [
        ({"a": {"x": 1, "y": "${.x}"}, "b": "${a.y}"}, True),  # relative, and a chain
        ({"a": {"x": 1}, "b": "${a}"}, True),  # a mapping target
        ({"a": "${oc.env:HOME}", "b": "${a}-${oc.env:USER}"}, True),
        ({"a": {"x": "${..b}"}, "b": 2}, True),
        ({"a": "${b}"}, False),  # missing: OmegaConf words the finding
        ({"a": "${b}", "b": "${a}"}, False),  # a cycle
        ({"a": "${b.0}", "b": [1]}, False),  # through a list
        ({"a": "${oc.select:b,1}"}, True),  # no plain reference: CM301 skips it too
        ({"a": ["${b}"], "b": 1}, False),  # inside a list
        ({"a": "${b}", "b": ["${c}"]}, False),  # a list target with interpolations
        # references nested in an unknown resolver's arguments (safari's ``${eval:...}``)
        ({"a": {"x": 1, "y": "${eval:4 * ${.x}}"}, "b": "${eval:${div_up:${a.x}, 2}}"}, True),
        ({"a": "${eval:'min(1, ${b})'}", "b": 2}, True),
        ({"a": "${eval:${nope}}"}, False),  # missing: a key error before the call
        ({"a": "${oc.decode:${b}}", "b": "1"}, False),  # a resolver OmegaConf has: not proven
        ({"a": "${b.${c}}", "b": {"x": 1}, "c": "x"}, False),  # a key made by interpolation
    ],
)
def test_cases(container: dict[str, Any], proven: bool) -> None:
    assert references_resolve(container) is proven
    if proven:
        assert key_errors(container) == []
