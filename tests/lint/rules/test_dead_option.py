from __future__ import annotations

import pytest
from linttree import CLEAN, findings

from confman.lint import lint
from confman.settings import load_settings


def diagnostics(root):
    found = lint(load_settings(cwd=root), select=["CM103"]).diagnostics
    return [d for d in found if d.code == "CM103"]


def test_option_nothing_selects_is_info_only_selectable_from_the_command_line(system):
    root = system(
        {"conf/model/cnn.yaml": "name: cnn\nhidden: 32\nnum_classes: ${data.num_classes}\n"}
    )
    assert findings(root, "CM103") == [("CM103", "conf/model/cnn.yaml", 1)]
    (found,) = diagnostics(root)
    assert found.severity == "info"
    assert "only selectable from the command line" in found.message
    assert "an alternative to the default chosen at conf/train.yaml:3" in found.message
    assert found.confidence == 90


def test_option_selected_from_code_or_tests_is_clean(system):
    root = system(
        {
            "conf/model/cnn.yaml": "name: cnn\nhidden: 32\n",
            "tests/test_models.py": "OVERRIDES = ['model=cnn']\n",
        }
    )
    assert findings(root, "CM103") == []


@pytest.mark.parametrize(
    "code",
    [
        "GRID = {'model': 'cnn', 'data': 'wine'}\n",
        "def grid(sub):\n    sub(model='cnn')\n",
        "for model in ['mlp', 'cnn']:\n    print(model)\n",
    ],
    ids=["dict", "keyword", "loop"],
)
def test_option_chosen_by_a_launch_grid_is_clean(system, code):
    root = system({"conf/model/cnn.yaml": "name: cnn\n", "src/grid.py": code})
    assert findings(root, "CM103") == []


def test_experiments_are_never_dead(system):
    root = system(
        {
            "conf/experiment/other.yaml": CLEAN["conf/experiment/big.yaml"],
            "conf/experiment/owt/base.yaml": CLEAN["conf/experiment/big.yaml"],
        }
    )
    assert findings(root, "CM103") == []


def test_groups_packaged_global_by_a_defaults_entry_are_experiment_like(system):
    root = system(
        {
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "  - _self_\n", "  - _self_\n  - task@_global_: walker\n"
            ),
            "conf/task/walker.yaml": "task_name: walker\n",
            "conf/task/cheetah.yaml": "task_name: cheetah\n",
        }
    )
    assert findings(root, "CM103") == []


@pytest.mark.parametrize(
    ("selector", "entry"),
    [
        ("conf/callbacks/default.yaml", "defaults:\n  - norm_monitor\n  - _self_\n"),
        ("conf/callbacks/default.yaml", "defaults:\n  - norm_monitor.yaml\n"),
        ("conf/pipeline/big.yaml", "defaults:\n  - /callbacks: [default, norm_monitor]\n"),
        ("conf/pipeline/big.yaml", "defaults:\n  - override /callbacks: norm_monitor\n"),
        ("conf/pipeline/big.yaml", "defaults:\n  - /callbacks@cb: norm_monitor.yaml\n"),
        ("conf/pipeline/big.yaml", "defaults:\n  - optional /callbacks: norm_monitor\n"),
        ("conf/pipeline/big.yaml", "defaults:\n  - /callbacks/norm_monitor\n"),
    ],
    ids=["sibling", "sibling-yaml", "multi-select", "override", "package", "optional", "path"],
)
def test_any_defaults_list_of_the_tree_selects(system, selector, entry):
    root = system(
        {
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "  - _self_\n", "  - callbacks: default\n  - pipeline: big\n  - _self_\n"
            ),
            "conf/callbacks/default.yaml": "early_stop:\n  patience: 3\n",
            "conf/callbacks/norm_monitor.yaml": "norm:\n  every: 10\n",
            "conf/pipeline/big.yaml": "size: 2\n",
            selector: entry,
        }
    )
    assert diagnostics(root) == []


def test_relative_group_entries_resolve_against_the_including_group(system):
    root = system(
        {
            "conf/model/cnn.yaml": "defaults:\n  - layer: conv\n\nname: cnn\n",
            "conf/model/layer/conv.yaml": "kernel: 3\n",
            "conf/layer/conv.yaml": "kernel: 5\n",
            "tests/test_cnn.py": "ARGS = ['model=cnn']\n",
        }
    )
    # model/layer/conv is selected; a top-level layer/conv is a folder nothing uses
    assert findings(root, "CM103") == []


def test_interpolated_choices_select_every_option_they_can_name(system):
    root = system(
        {
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "  - _self_\n", "  - optional hparams: ${model}_${data}\n  - _self_\n"
            ),
            "conf/hparams/mlp_digits.yaml": "lr: 0.1\n",
            "conf/hparams/mlp_wine.yaml": "lr: 0.2\n",
        }
    )
    assert findings(root, "CM103") == []


def test_documented_command_line_options_say_where(system):
    root = system(
        {
            "conf/model/cnn.yaml": "name: cnn\n",
            "README.md": "Train a CNN:\n\n    python train.py model=cnn,mlp data=wine\n",
        }
    )
    (found,) = diagnostics(root)
    assert found.severity == "info"
    assert found.message.endswith("documented at README.md:3")


def test_folders_no_defaults_list_uses_are_not_groups(system):
    root = system(
        {
            # a standalone primary kept in a folder, and one a script names as its config dir
            "conf/legacy/old_train.yaml": "seed: 1\nrun_name: old\n",
            "conf/serving/serve.yaml": "port: 80\n",
            "src/serve.py": "CONFIG_PATH = '../conf/serving'\n",
            # a preset for `+preset=ci` is an option even so
            "conf/preset/ci.yaml": "# @package _global_\nseed: 3\n",
        }
    )
    assert findings(root, "CM103") == [("CM103", "conf/preset/ci.yaml", 1)]


def test_sweep_specs_select_and_are_not_options(system):
    root = system(
        {
            "conf/model/cnn.yaml": "name: cnn\n",
            "conf/sweeps/models.yaml": (
                "program: train.py\nmethod: grid\nparameters:\n  model:\n    values: [mlp, cnn]\n"
            ),
        }
    )
    assert findings(root, "CM103") == []


def test_option_chosen_by_a_recorded_run_is_alive(system, monkeypatch):
    from confman.store import RunRecord, open_store

    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    root = system({"conf/model/cnn.yaml": "name: cnn\nhidden: 64\nnum_classes: 10\n"})
    assert findings(root, "CM103") == [("CM103", "conf/model/cnn.yaml", 1)]
    with open_store(f"sqlite:///{root / '.confman' / 'runs.db'}") as store:
        store.put(RunRecord(config_name="train", choices={"model": "cnn", "data": "digits"}))
    assert findings(root, "CM103") == []


def test_recorded_runs_that_never_chose_an_option_make_it_a_warning(system, monkeypatch):
    from confman.store import RunRecord, open_store

    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    root = system({"conf/model/cnn.yaml": "name: cnn\n"})
    with open_store(f"sqlite:///{root / '.confman' / 'runs.db'}") as store:
        for _ in range(3):
            store.put(RunRecord(config_name="train", choices={"model": "mlp"}))
    (found,) = diagnostics(root)
    assert (found.severity, found.confidence) == ("warning", 80)
    assert "any of the 3 recorded runs" in found.message


def test_documentation_is_read_in_path_order_and_never_in_a_virtualenv(tmp_path, monkeypatch):
    """The documentation files are those ``sorted(rglob)`` gives (files and folders mixed in
    name order, linked folders not followed), capped at ``DOC_MAX_FILES``, and the skipped
    folders (a virtualenv) are never listed at all."""
    from confman.lint import selections

    for rel in ["b.md", "a/z.md", "a-b.md", "a/b/c.txt", "c/d.py", "docs/x.rst", "n.md/x.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("python train.py model=cnn\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "README.md").write_text("model=cnn\n")
    (tmp_path / "linked").symlink_to(tmp_path / "docs")
    expected = [
        p
        for p in sorted(tmp_path.rglob("*"))
        if p.suffix in selections.DOC_SUFFIXES and p.is_file() and ".venv" not in p.parts
    ]
    assert list(selections._doc_files(tmp_path)) == expected
    assert [p.relative_to(tmp_path).as_posix() for p in expected[:3]] == [
        "a/b/c.txt",
        "a/z.md",
        "a-b.md",
    ]
    monkeypatch.setattr(selections, "DOC_MAX_FILES", 2)
    assert list(selections._doc_files(tmp_path)) == expected[:2]
    listed: list[str] = []
    real_scandir = selections.os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        listed.append(str(path))
        return real_scandir(path)

    monkeypatch.setattr(selections.os, "scandir", scandir)
    list(selections._doc_files(tmp_path))
    assert not any(".venv" in p for p in listed)
