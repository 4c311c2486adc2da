from __future__ import annotations

import textwrap

from linttree import CLEAN, findings, messages

CLEAN_TRAIN = textwrap.dedent(CLEAN["conf/train.yaml"]).lstrip()


def test_experiment_setting_the_value_it_already_has(system):
    root = system(
        {
            "conf/experiment/big.yaml": """
                # @package _global_
                defaults:
                  - override /optimizer: sgd
                model:
                  hidden: 64
                """
        }
    )
    assert findings(root, "CM202") == [("CM202", "conf/experiment/big.yaml", 5)]
    assert "model/mlp.yaml:2" in messages(root, "CM202")[0]


def test_override_reselecting_the_default_option(system):
    root = system(
        {
            "conf/experiment/big.yaml": """
                # @package _global_
                defaults:
                  - override /optimizer: adam
                model:
                  hidden: 256
                """
        }
    )
    assert findings(root, "CM202") == [("CM202", "conf/experiment/big.yaml", 3)]
    assert "re-selects the option it replaces" in messages(root, "CM202")[0]


def test_real_overrides_are_clean(system):
    assert findings(system(), "CM202") == []


CALLBACKS = {
    "conf/callbacks/base.yaml": "every: 1\n",
    "conf/callbacks/norm.yaml": "norm: true\n",
}


def _with_callbacks(system, inherited: str, override: str):
    return system(
        {
            **CALLBACKS,
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "- optimizer: adam", f"- optimizer: adam\n  - callbacks: {inherited}"
            ),
            "conf/experiment/owt/small.yaml": f"""
                # @package _global_
                defaults:
                  - override /callbacks: {override}
                """,
        }
    )


def test_multi_select_override_adding_an_item_is_not_redundant(system):
    # issue #11: the list was read as its first item, and --fix deleted the line
    root = _with_callbacks(system, "[base]", "[base, norm]")
    assert findings(root, "CM202") == []


def test_multi_select_override_in_another_order_is_not_redundant(system):
    root = _with_callbacks(system, "[base, norm]", "[norm, base]")
    assert findings(root, "CM202") == []


def test_multi_select_override_equal_to_the_inherited_list(system):
    root = _with_callbacks(system, "[base, norm]", "[base, norm]")
    assert findings(root, "CM202") == [("CM202", "conf/experiment/owt/small.yaml", 3)]
    assert "'override /callbacks: [base, norm]' re-selects" in messages(root, "CM202")[0]


def test_override_in_a_nested_experiment(system):
    root = system(
        {
            "conf/experiment/owt/small.yaml": """
                # @package _global_
                defaults:
                  - override /optimizer: adam
                """
        }
    )
    assert findings(root, "CM202") == [("CM202", "conf/experiment/owt/small.yaml", 3)]


def test_missing_marker_restated_is_not_a_value(system):
    root = system(
        {
            "conf/model/mlp.yaml": "name: mlp\nhidden: ???\nnum_classes: ${data.num_classes}\n",
            "conf/experiment/big.yaml": """
                # @package _global_
                model:
                  hidden: ???
                """,
        }
    )
    assert findings(root, "CM202") == []


POLICIES = {
    "conf/run.yaml": """
        defaults:
          - _self_
          - policy: a
        dataset: pusht
        save: true
        """,
    "conf/policy/a.yaml": """
        # @package _global_
        dataset: pusht
        save: true
        """,
    "conf/policy/b.yaml": """
        # @package _global_
        dataset: aloha
        save: true
        """,
}


def test_a_key_siblings_set_differently_is_the_options_own(system):
    # each policy names its own dataset; a's equals the primary's today by choice (lerobot)
    found = findings(system(POLICIES), "CM202")
    assert ("CM202", "conf/policy/a.yaml", 2) not in found
    assert ("CM202", "conf/policy/a.yaml", 3) in found
