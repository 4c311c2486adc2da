from __future__ import annotations

from linttree import CLEAN, findings


def test_option_nothing_selects_is_found(system):
    root = system(
        {"conf/model/cnn.yaml": "name: cnn\nhidden: 32\nnum_classes: ${data.num_classes}\n"}
    )
    assert findings(root, "CM103") == [("CM103", "conf/model/cnn.yaml", 1)]


def test_option_selected_from_code_or_tests_is_clean(system):
    root = system(
        {
            "conf/model/cnn.yaml": "name: cnn\nhidden: 32\n",
            "tests/test_models.py": "OVERRIDES = ['model=cnn']\n",
        }
    )
    assert findings(root, "CM103") == []


def test_experiments_are_never_dead(system):
    root = system({"conf/experiment/other.yaml": CLEAN["conf/experiment/big.yaml"]})
    assert findings(root, "CM103") == []
