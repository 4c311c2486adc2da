from __future__ import annotations

from linttree import CLEAN, findings, messages


def test_duplicate_key_in_one_mapping_is_found(system):
    root = system(
        {"conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\nlr: 0.01\n"}
    )
    assert findings(root, "CM201") == [("CM201", "conf/optimizer/adam.yaml", 4)]
    assert messages(root, "CM201") == ["'lr' is already set at line 2; YAML keeps only this one"]


def test_same_key_in_different_mappings_is_clean(system):
    root = system(
        {"conf/data/digits.yaml": CLEAN["conf/data/digits.yaml"] + "\nsplit:\n  name: test\n"}
    )
    assert findings(root, "CM201") == []
