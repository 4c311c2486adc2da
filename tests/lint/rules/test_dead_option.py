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


def test_option_chosen_by_a_recorded_run_is_alive(system, monkeypatch):
    from confman.store import RunRecord, open_store

    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    root = system({"conf/model/cnn.yaml": "name: cnn\nhidden: 64\nnum_classes: 10\n"})
    assert findings(root, "CM103") == [("CM103", "conf/model/cnn.yaml", 1)]
    with open_store(f"sqlite:///{root / '.confman' / 'runs.db'}") as store:
        store.put(RunRecord(config_name="train", choices={"model": "cnn", "data": "digits"}))
    assert findings(root, "CM103") == []
