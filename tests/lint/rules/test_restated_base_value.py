from __future__ import annotations

from linttree import findings, messages

BASE = "model_checkpoint:\n  monitor: val/loss\n  mode: min\n  save_top_k: 1\n"


def test_line_restating_its_base_in_an_uncomposed_option(system):
    root = system(
        {
            "conf/callbacks/default.yaml": BASE,
            "conf/callbacks/wandb.yaml": "defaults:\n  - default\n  - _self_\n"
            "model_checkpoint:\n  mode: min\n  save_top_k: 3\n",
        }
    )
    assert findings(root, "CM208") == [("CM208", "conf/callbacks/wandb.yaml", 5)]
    (msg,) = messages(root, "CM208")
    assert "'model_checkpoint.mode: 'min''" in msg and "conf/callbacks/default.yaml:3" in msg


def test_absolute_and_suffixed_base_entries(system):
    root = system(
        {
            "conf/callbacks/default.yaml": BASE,
            "conf/callbacks/wandb.yaml": "defaults:\n  - /callbacks/default.yaml\n"
            "model_checkpoint:\n  monitor: val/loss\n",
        }
    )
    assert findings(root, "CM208") == [("CM208", "conf/callbacks/wandb.yaml", 4)]


def test_value_siblings_set_otherwise_is_the_options_own_setting(system):
    root = system(
        {
            "conf/trainer/default.yaml": "accelerator: cpu\nmax_epochs: 10\n",
            "conf/trainer/cpu.yaml": "defaults:\n  - default\naccelerator: cpu\n",
            "conf/trainer/gpu.yaml": "defaults:\n  - default\naccelerator: gpu\n",
        }
    )
    assert findings(root, "CM208") == []


def test_composed_options_are_left_to_cm202_and_other_packages_skipped(system):
    root = system(
        {
            "conf/optimizer/base.yaml": "lr: 0.001\nbetas: [0.9, 0.999]\n",
            "conf/optimizer/adam.yaml": "defaults:\n  - base\nname: adam\nlr: 0.001\n",
            "conf/callbacks/default.yaml": BASE,
            "conf/callbacks/wandb.yaml": "# @package _global_\ndefaults:\n  - default\n"
            "model_checkpoint:\n  mode: min\n",
        }
    )
    assert findings(root, "CM208") == []
