from __future__ import annotations

from linttree import findings, messages


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
    assert "re-selects the default" in messages(root, "CM202")[0]


def test_real_overrides_are_clean(system):
    assert findings(system(), "CM202") == []
