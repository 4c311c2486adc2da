from __future__ import annotations

from linttree import CLEAN, findings, messages


def test_key_no_code_reads(system):
    root = system({"conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n"})
    assert findings(root, "CM101") == [("CM101", "conf/model/mlp.yaml", 4)]
    assert messages(root, "CM101") == ["no code reads 'model.warmup_steps' (80% confidence)"]


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


CALLBACKS = """
model_checkpoint:
  _target_: cbs.Checkpoint
  dirpath: ckpt/
  save_top_k: 3
early_stopping:
  _target_: cbs.EarlyStop
  patience: 5
  verbose: true
"""
CBS = """
class Base:
    def __init__(self, verbose=False):
        self.verbose = verbose


class Checkpoint:
    def __init__(self, dirpath, **kwargs):
        self.where = dirpath


class EarlyStop(Base):
    pass
"""


def _with_callbacks(code: str, cbs: str = CBS) -> dict[str, str]:
    train = CLEAN["conf/train.yaml"].replace("  - _self_\n", "  - callbacks: default\n  - _self_\n")
    return {
        "conf/train.yaml": train,
        "conf/callbacks/default.yaml": CALLBACKS,
        "src/train.py": CLEAN["src/train.py"] + code,
        "src/cbs.py": cbs,
    }


def test_callbacks_instantiated_through_a_helper_loop_are_read(system):
    # lightning-hydra-template: a helper gets the subtree and instantiates each value
    code = (
        "\nfrom hydra.utils import instantiate as make\n\n"
        "def instantiate_callbacks(callbacks_cfg):\n"
        "    return [make(cb) for _, cb in callbacks_cfg.items()]\n\n"
        "def main(cfg):\n    return instantiate_callbacks(cfg.get('callbacks'))\n"
    )
    root = system(_with_callbacks(code))
    # Checkpoint takes **kwargs (save_top_k consumed); EarlyStop inherits Base(verbose) and
    # rejects patience
    assert messages(root, "CM101") == [
        "no code reads 'callbacks.early_stopping.patience'; cbs.EarlyStop does not accept "
        "'patience' (90% confidence)"
    ]


def test_target_signature_is_read_from_a_module_on_disk(system, tmp_path):
    # the target lives in an installed-style package outside the sources: found by walking
    # the search path, parsed, never imported (importing it would raise)
    site = tmp_path / "site"
    (site / "extlib" / "cb").mkdir(parents=True)
    (site / "extlib" / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (site / "extlib" / "cb" / "__init__.py").write_text("from .impl import Stop\n")
    (site / "extlib" / "cb" / "impl.py").write_text(
        "class Stop:\n    def __init__(self, patience, verbose=False):\n        pass\n"
    )
    config = CALLBACKS.replace("cbs.EarlyStop", "extlib.cb.Stop") + "  min_delta: 0.1\n"
    files = _with_callbacks(
        "\nimport hydra\n\ndef main(cfg):\n    "
        "return [hydra.utils.instantiate(c) for c in cfg.callbacks.values()]\n"
    )
    files["conf/callbacks/default.yaml"] = config
    import sys

    sys.path.insert(0, str(site))
    try:
        root = system(files)
        found = messages(root, "CM101")
    finally:
        sys.path.remove(str(site))
    assert found == [
        "no code reads 'callbacks.early_stopping.min_delta'; extlib.cb.impl.Stop does not "
        "accept 'min_delta' (90% confidence)"
    ]
    assert "extlib" not in sys.modules


def test_unknown_target_or_registry_node_is_not_claimed_unused(system):
    config = (
        CALLBACKS.replace("cbs.EarlyStop", "nowhere.to.be.Found")
        + "opt:\n  _name_: adam\n  eps: 1.0e-8\n"
    )
    code = "\ndef main(cfg):\n    return cfg.callbacks\n"
    files = _with_callbacks(code)
    files["conf/callbacks/default.yaml"] = config
    assert findings(system(files), "CM101") == []


def test_key_interpolated_by_hydra_run_dir_is_read(system):
    train = CLEAN["conf/train.yaml"] + "out_root: /runs\nhydra:\n  run:\n    dir: ${out_root}/x\n"
    root = system({"conf/train.yaml": train})
    assert findings(root, "CM101") == []


def test_whole_config_handed_to_unreadable_code_gets_no_findings(system):
    code = (
        "\nimport hydra\nfrom biglib import Builder\n\n"
        "@hydra.main(config_path='../conf', config_name='train')\n"
        "def main(cfg):\n    Builder(cfg).run()\n"
    )
    root = system(
        {
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n",
            "src/train.py": CLEAN["src/train.py"] + code,
        }
    )
    assert findings(root, "CM101") == []


def test_whole_config_only_printed_lowers_confidence(system):
    code = (
        "\nimport hydra\nfrom omegaconf import OmegaConf\n\n"
        "@hydra.main(config_path='../conf', config_name='train')\n"
        "def main(cfg):\n    print(OmegaConf.to_yaml(cfg))\n    train(cfg)\n"
    )
    root = system(
        {
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "warmup_steps: 500\n",
            "src/train.py": CLEAN["src/train.py"] + code,
        }
    )
    assert messages(root, "CM101") == ["no code reads 'model.warmup_steps' (70% confidence)"]


def test_yaml_anchor_holder_is_not_unused(system):
    model = "name: mlp\nwidth: &w 64\nhidden: *w\nnum_classes: ${data.num_classes}\n"
    assert findings(system({"conf/model/mlp.yaml": model}), "CM101") == []
