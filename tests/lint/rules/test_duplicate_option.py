from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st
from linttree import findings, messages

from confman.lint.rules.duplicate_option import _candidates
from confman.provenance import same_value


def test_near_identical_option_says_how_it_differs(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\neps: 1.0e-8\n",
            "conf/optimizer/adam_fast.yaml": "name: adam\nlr: 0.01\nbetas: [0.9, 0.999]\neps: 1.0e-8\n",  # noqa: E501
            "conf/experiment/fast.yaml": "# @package _global_\ndefaults:\n  - override /optimizer: adam_fast\n",  # noqa: E501
        }
    )
    assert findings(root, "CM204") == [("CM204", "conf/optimizer/adam_fast.yaml", 1)]
    assert "only in 'lr' (0.001 vs 0.01)" in messages(root, "CM204")[0]


def test_identical_option(system):
    root = system(
        {"conf/data/digits_copy.yaml": "name: digits\nnum_classes: 10\npath: /data/digits\n"}
    )
    assert ("CM204", "conf/data/digits_copy.yaml", 1) in findings(root, "CM204")
    assert "identical to data/digits" in messages(root, "CM204")[0]


def test_distinct_options_are_clean(system):
    assert findings(system(), "CM204") == []


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            st.one_of(
                st.sampled_from([0, 1, 1.0, True, False, None, "x", float("nan")]),
                st.lists(st.sampled_from([0, 1, True]), max_size=2),
            ),
            max_size=6,
        ),
        max_size=10,
    )
)
def test_candidate_pairs_include_every_near_duplicate(leaves: list[dict[str, object]]) -> None:
    """The bucketing never drops a pair the exact pairwise comparison would report."""
    found = set(_candidates(leaves))
    for (i, la), (j, lb) in combinations(enumerate(leaves), 2):
        if la and set(la) == set(lb) and sum(not same_value(la[k], lb[k]) for k in la) <= 1:
            assert (i, j) in found
