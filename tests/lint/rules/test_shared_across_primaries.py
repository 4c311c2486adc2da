from __future__ import annotations

from linttree import findings, messages

COPY = """
defaults:
  - data: digits
  - model: mlp
  - optimizer: adam
  - _self_
seed: 1234
logging:
  project: vision
  entity: lab
hydra:
  run:
    dir: outputs/${now:%Y-%m-%d}
trainer:
  max_epochs: 30
  precision: 16
  accelerator: gpu
"""


def test_copied_primaries_are_one_finding_at_the_first_naming_the_block(system):
    root = system(
        {
            "conf/a_small.yaml": COPY + "  devices: 1\n",
            "conf/b_large.yaml": COPY + "  devices: 8\n",
            "conf/c_huge.yaml": COPY + "  devices: 64\n",
        }
    )
    assert findings(root, "CM206") == [("CM206", "conf/a_small.yaml", 6)]
    (msg,) = messages(root, "CM206")
    assert "conf/b_large.yaml, conf/c_huge.yaml" in msg
    assert "logging.*" in msg and "hydra.*" in msg and "trainer.devices" not in msg


def test_few_shared_settings_or_plumbing_only_are_clean(system):
    few = "seed: 1234\nname: x\nmodel:\n  _target_: a.B\n  _recursive_: false\n"
    root = system({"conf/a.yaml": few, "conf/b.yaml": few})
    assert findings(root, "CM206") == []


def test_a_primary_extending_another_is_not_a_copy(system):
    root = system(
        {
            "conf/base_run.yaml": COPY,
            "conf/long_run.yaml": "defaults:\n  - base_run\n  - _self_\n"
            "trainer:\n  max_epochs: 300\n",
        }
    )
    assert findings(root, "CM206") == []
