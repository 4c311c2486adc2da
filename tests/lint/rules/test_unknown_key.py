from __future__ import annotations

from linttree import findings, messages


def test_typo_in_experiment_gets_did_you_mean(system):
    root = system(
        {
            "conf/experiment/big.yaml": """
                # @package _global_
                defaults:
                  - override /optimizer: sgd
                optimizer:
                  lrr: 0.05
                """
        }
    )
    assert findings(root, "CM302") == [("CM302", "conf/experiment/big.yaml", 5)]
    assert messages(root, "CM302")[0].endswith("did you mean 'lr'?")


def test_experiment_setting_existing_keys_is_clean(system):
    assert findings(system(), "CM302") == []
