from __future__ import annotations

import pytest
from linttree import CLEAN, findings, messages


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


def test_global_option_selected_by_the_primary(system):
    root = system(
        {
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "  - _self_\n", "  - preset: quick\n  - _self_\n"
            ),
            "conf/preset/quick.yaml": """
                # @package _global_
                optimizer:
                  lr: 0.5
                  betaz: [0.8, 0.9]
                """,
        }
    )
    assert findings(root, "CM302") == [("CM302", "conf/preset/quick.yaml", 4)]
    assert messages(root, "CM302")[0].endswith("did you mean 'betas'?")


def test_option_packaged_into_another_groups_node(system):
    root = system(
        {
            "conf/tuning/wide.yaml": """
                # @package model
                hiden: 512
                """
        }
    )
    # no composition selects tuning/wide: it is composed as '+tuning=wide' for the check
    assert findings(root, "CM302") == [("CM302", "conf/tuning/wide.yaml", 2)]
    assert messages(root, "CM302")[0].endswith("did you mean 'hidden'?")


def test_unselected_global_option_of_a_default_group(system):
    root = system(
        {
            "conf/optimizer/ci.yaml": """
                # @package _global_
                optimizer:
                  name: sgd
                  lr: 0.1
                  momentum: 0.9
                model:
                  hiden: 8
                """
        }
    )
    # no composition selects optimizer/ci: it is composed as 'optimizer=ci' for the check;
    # its optimizer.* keys replace adam's, model.hiden is a typo inside model's node
    assert findings(root, "CM302") == [("CM302", "conf/optimizer/ci.yaml", 7)]


@pytest.mark.parametrize(
    "files",
    [
        {"conf/preset/own.yaml": "# @package _group_\nfresh: 1\n"},
        {"conf/preset/sub.yaml": "# @package preset.deeper\nfresh: 1\n"},
        {"conf/preset/section.yaml": "# @package _global_\nprofiling:\n  enabled: true\n"},
        {"conf/preset/right.yaml": "# @package _global_\nmodel:\n  hidden: 128\n"},
    ],
    ids=["own-group", "own-subpackage", "new-section", "existing-key"],
)
def test_packaged_options_that_are_fine(system, files):
    assert findings(system(files), "CM302") == []


def test_package_chosen_by_the_defaults_list_is_not_foreign(system):
    train = CLEAN["conf/train.yaml"].replace(
        "  - _self_\n", "  - data@reference: wine\n  - _self_\n"
    )
    assert findings(system({"conf/train.yaml": train}), "CM302") == []


def test_unreadable_header_of_an_unused_option_is_an_input_error(system):
    root = system({"conf/preset/ci.yaml": "# @package _global_  # for CI\ntrainer:\n  x: 1\n"})
    found = findings(root, "CM302")
    assert found == [("CM000", "conf/preset/ci.yaml", 1)]
    assert "Too many components" in messages(root, "CM302")[0]


@pytest.mark.parametrize("package", ["..", ".model", "model."])
def test_a_package_with_an_empty_part_is_an_input_error_not_a_crash(system, package):
    """Hydra composes ``# @package ..`` into keys named '': lint says so instead of failing."""
    root = system({"conf/model/mlp.yaml": f"# @package {package}\nname: mlp\nhidden: 64\n"})
    assert ("CM000", "conf/model/mlp.yaml", 1) in findings(root, "CM302")
    assert any("has an empty part" in m for m in messages(root, "CM302"))


def test_comment_lines_with_at_signs_are_not_headers(system):
    root = system({"conf/optimizer/mail.yaml": "# owner: ml@example.com\nlr: 0.1\n"})
    assert findings(root, "CM302") == []


def _experiment(body: str) -> dict[str, str]:
    """experiment/big.yaml (adam kept) writing ``body`` at the top."""
    return {"conf/experiment/big.yaml": "# @package _global_\n" + body}


@pytest.mark.parametrize(
    "files",
    [
        # sgd, another option of the optimizer group, defines momentum
        _experiment("optimizer:\n  momentum: 0.5\n"),
        # an option composed with its own defaults list defines it (optimizer/fancy extends adam)
        {
            **_experiment("optimizer:\n  amsgrad: true\n"),
            "conf/optimizer/fancy.yaml": "defaults:\n  - adam\n  - _self_\namsgrad: false\n",
        },
        # extra keyword arguments of a _target_ node
        {
            **_experiment("model:\n  dropout: 0.1\n"),
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "_target_: nets.MLP\n",
        },
        # keys inside a keyword bag
        {
            **_experiment("model:\n  layer_kwargs:\n    bias: false\n"),
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "layer_kwargs:\n  eps: 1\n",
        },
        # the code reads the name
        {
            **_experiment("optimizer:\n  nesterov: true\n"),
            "src/opt.py": "def build(cfg):\n    return cfg.optimizer.nesterov\n",
        },
    ],
    ids=["other-option", "option-base", "target-kwargs", "kwargs-bag", "code-reads"],
)
def test_keys_something_vouches_for_are_known(system, files):
    assert findings(system(files), "CM302") == []


def test_without_a_voucher_the_same_key_is_flagged(system):
    root = system(_experiment("optimizer:\n  amsgrad: true\n"))
    assert findings(root, "CM302") == [("CM302", "conf/experiment/big.yaml", 3)]


GLOBAL = "# @package _global_\n"


def test_global_option_defines_its_own_groups_keys(system):
    # scheduler/cosine.yaml writes scheduler.* from _global_: its own node, not an override
    root = system(
        {
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "  - _self_\n", "  - scheduler: step\n  - _self_\n"
            ),
            "conf/scheduler/step.yaml": f"{GLOBAL}scheduler:\n  name: step\n  size: 5\n",
            "conf/scheduler/cosine.yaml": f"{GLOBAL}scheduler:\n  name: cos\n  T_max: 5\n",
        }
    )
    assert findings(root, "CM302") == []
