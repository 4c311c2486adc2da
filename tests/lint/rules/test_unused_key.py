from __future__ import annotations

from linttree import CLEAN, findings, messages


def test_key_no_code_reads(system):
    root = system({"conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n"})
    assert findings(root, "CM101") == [("CM101", "conf/model/mlp.yaml", 4)]
    assert messages(root, "CM101") == ["no code reads 'model.warmup_steps' (100% confidence)"]


def test_subtree_passed_to_unknown_function_is_consumed(system):
    code = CLEAN["src/train.py"] + "\ndef build(cfg):\n    return external.make(**cfg.model)\n"
    root = system(
        {
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n",
            "src/train.py": code,
        }
    )
    assert findings(root, "CM101") == []


def test_instantiate_reads_target_signature_from_source(system):
    model = (
        "_target_: net.MLP\nname: mlp\nhidden: 64\nnum_classes: ${data.num_classes}\ndropout: 0.1\n"
    )
    code = CLEAN["src/train.py"] + "\ndef build(cfg):\n    return instantiate(cfg.model)\n"
    net = (
        "class MLP:\n    def __init__(self, name, hidden, num_classes):\n        self.h = hidden\n"
    )
    root = system({"conf/model/mlp.yaml": model, "src/train.py": code, "src/net.py": net})
    assert findings(root, "CM101") == [("CM101", "conf/model/mlp.yaml", 5)]


def test_key_read_only_through_interpolation_is_read(system):
    root = system(
        {"conf/train.yaml": CLEAN["conf/train.yaml"] + "base_seed: 7\nseed: ${base_seed}\n"}
    )
    # seed now appears twice (CM201 territory); base_seed is read because seed is read
    assert ("CM101", "conf/train.yaml", 8) not in findings(root, "CM101")


def test_broken_python_is_cm000_and_lint_continues(system):
    root = system(
        {
            "src/broken.py": "def f(:\n",
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n",
        }
    )
    found = findings(root, "CM101")
    assert ("CM000", "src/broken.py", 1) in found
    assert ("CM101", "conf/model/mlp.yaml", 4) in found


def test_relative_interpolation_of_a_read_key_reads_its_target(system):
    root = system(
        {"conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: ${.classes}\nclasses: 10\n"}
    )
    assert findings(root, "CM101") == []
