from __future__ import annotations

import json
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linttree import CLEAN, findings, messages

from confman.lint.rules.duplicate_option import _candidates
from confman.provenance import same_value

#: an optimizer option big enough for CM204 (14 keys), as text; ``lr`` is the last line
BIG_ADAM = "name: adam\n" + "".join(f"k{i}: {i}\n" for i in range(12)) + "lr: 0.001\n"


def test_near_identical_option_says_how_it_differs(system):
    # (the old 4-key version of this test is normal design on real trees: see the next test)
    root = system(
        {
            "conf/optimizer/adam.yaml": BIG_ADAM,
            "conf/optimizer/adam_fast.yaml": BIG_ADAM.replace("lr: 0.001", "lr: 0.01"),
        }
    )
    assert findings(root, "CM204") == [("CM204", "conf/optimizer/adam_fast.yaml", 1)]
    message = messages(root, "CM204")[0]
    assert message.startswith("option 'optimizer/adam_fast' differs from optimizer/adam only")
    assert "only in 'optimizer.lr' (0.001 vs 0.01) once composed (13 keys copied)" in message


def test_small_options_one_value_apart_are_design(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.99]\neps: 1e-8\n",
            "conf/optimizer/fast.yaml": "name: adam\nlr: 0.01\nbetas: [0.9, 0.99]\neps: 1e-8\n",
        }
    )
    assert findings(root, "CM204") == []


def test_identical_option(system):
    data = "name: digits\n" + "".join(f"k{i}: {i}\n" for i in range(8))
    root = system({"conf/data/digits.yaml": data, "conf/data/digits_copy.yaml": data})
    assert findings(root, "CM204") == [("CM204", "conf/data/digits_copy.yaml", 1)]
    assert messages(root, "CM204")[0].startswith(
        "option 'data/digits_copy' is identical to data/digits once composed (9 keys copied)"
    )


def test_same_body_with_different_defaults_lists_is_no_duplicate(system):
    body = "".join(f"k{i}: {i}\n" for i in range(14))
    root = system(
        {
            "conf/optimizer/base_a.yaml": "extra_a: 1\n",
            "conf/optimizer/base_b.yaml": "extra_b: 1\n",
            "conf/optimizer/one.yaml": "defaults:\n  - base_a\n  - _self_\n" + body,
            "conf/optimizer/two.yaml": "defaults:\n  - base_b\n  - _self_\n" + body,
        }
    )
    assert findings(root, "CM204") == []


def test_variant_extending_its_base_copies_nothing(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": BIG_ADAM,
            "conf/optimizer/adam_fast.yaml": "defaults:\n  - adam\n  - _self_\nlr: 0.01\n",
            "conf/optimizer/adam_alias.yaml": "defaults:\n  - adam\n",
        }
    )
    assert findings(root, "CM204") == []


@pytest.mark.parametrize(
    ("a", "b", "key", "va", "vb"),
    [
        ("adam", "adamw", "_target_", "torch.optim.Adam", "torch.optim.AdamW"),
        ("gated_gcn", "mpnn", "layer_type", "pyg:gated-gcn", "pyg:mpnnplus"),
        ("slurm_3", "slurm_4", "nodes", 3, 4),
        ("cfg_mbs1_len2", "cfg_mbs2_len2", "num_sm", 4, 8),
        ("one", "two", "couplings", [{"a": 1}], [{"a": 2}]),
    ],
    ids=["target", "value-names-option", "parameter-series", "series-other-value", "structure"],
)
def test_one_difference_that_tells_options_apart(system, a, b, key, va, vb):
    body = "".join(f"k{i}: {i}\n" for i in range(14))
    root = system(
        {
            f"conf/optimizer/{a}.yaml": body + f"{key}: {json.dumps(va)}\n",
            f"conf/optimizer/{b}.yaml": body + f"{key}: {json.dumps(vb)}\n",
        }
    )
    assert findings(root, "CM204") == []


def test_group_selected_by_interpolated_name_is_a_lookup_table(system):
    body = "".join(f"k{i}: {i}\n" for i in range(10))
    train = CLEAN["conf/train.yaml"].replace(
        "  - _self_\n", "  - optional hparams: ${model}_${data}\n  - _self_\n"
    )
    root = system(
        {
            "conf/train.yaml": train,
            "conf/hparams/mlp_digits.yaml": body,
            "conf/hparams/mlp_wine.yaml": body,
        }
    )
    assert findings(root, "CM204") == []


def test_folder_nothing_selects_is_not_compared(system):
    body = "program: train.py\n" + "".join(f"k{i}: {i}\n" for i in range(10))
    root = system({"conf/sweeps/a.yaml": body, "conf/sweeps/b.yaml": body})
    assert findings(root, "CM204") == []
    # a plain config entry of a defaults list (``- sweeps/a``) selects from the folder
    train = CLEAN["conf/train.yaml"].replace("  - _self_\n", "  - sweeps/a\n  - _self_\n")
    root = system({"conf/train.yaml": train})
    assert findings(root, "CM204") == [("CM204", "conf/sweeps/b.yaml", 1)]


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
