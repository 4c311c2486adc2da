"""CM102 unread-in-runs: keys no recorded run read, from a real SQLite store of real runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from linttree import CLEAN, findings, messages, write_tree

from confman.lint.runevidence import RunAccess
from confman.store import open_store

REPO = Path(__file__).resolve().parents[3]

APP = """
import confman

@confman.main(config_name="train", config_path="../conf")
def run(cfg):
    print(cfg.seed, cfg.optimizer.lr, cfg.data.path)
    if cfg.model.hidden > 100:
        print(cfg.model.num_classes)
    for name in cfg.optimizer.betas:
        print(name)

if __name__ == "__main__":
    run()
"""


def record(root: Path, *overrides: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CONFMAN_STORE", None)
    done = subprocess.run(
        [sys.executable, "src/app.py", *overrides],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def recorded_once(tmp_path_factory):
    """The clean lint tree with two real runs of ``train`` recorded by ``@confman.main``."""
    root = write_tree(tmp_path_factory.mktemp("recorded"), {**CLEAN, "src/app.py": APP})
    record(root)
    record(root, "model.hidden=256")
    return root


@pytest.fixture
def recorded(recorded_once, tmp_path, monkeypatch):
    """A private copy of the recorded tree (store included), so tests may edit it."""
    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    return Path(shutil.copytree(recorded_once, tmp_path / "copy"))


def test_keys_no_run_read_are_reported_with_their_line(recorded):
    found = findings(recorded, "CM102")
    # read: seed, optimizer.lr, optimizer.betas (iterated), data.path, model.hidden,
    # model.num_classes (second run only) and through it data.num_classes (interpolation).
    # Never read: run_name, data.name, model.name, optimizer.name.
    assert found == [
        ("CM102", "conf/data/digits.yaml", 1),
        ("CM102", "conf/model/mlp.yaml", 1),
        ("CM102", "conf/optimizer/adam.yaml", 1),
        ("CM102", "conf/train.yaml", 8),
    ]
    text = messages(recorded, "CM102")
    assert "no recorded run of 'train' read 'run_name' (2 of 2 tracked run(s) had it)" in text


def test_a_key_read_by_one_run_is_not_reported(recorded):
    assert ("CM102", "conf/model/mlp.yaml", 3) not in findings(recorded, "CM102")


def test_keys_added_since_the_runs_are_not_judged(recorded):
    adam = recorded / "conf/optimizer/adam.yaml"
    adam.write_text(adam.read_text() + "eps: 1.0e-8\n")
    assert ("CM102", "conf/optimizer/adam.yaml", 4) not in findings(recorded, "CM102")


def test_runs_without_access_records_give_no_evidence(system, monkeypatch):
    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    root = system()
    from confman.store import RunRecord

    with open_store(f"sqlite:///{root / '.confman/runs.db'}") as store:
        store.put(RunRecord(config_name="train", config={"seed": 0, "run_name": "x"}))
    assert findings(root, "CM102") == []


def test_no_store_no_findings_and_no_store_created(system, monkeypatch):
    monkeypatch.delenv("CONFMAN_STORE", raising=False)
    root = system()
    assert findings(root, "CM102") == []
    assert not (root / ".confman").exists()


def test_store_named_by_environment_is_used(recorded, monkeypatch, tmp_path_factory):
    empty = tmp_path_factory.mktemp("other") / "runs.db"
    with open_store(f"sqlite:///{empty}"):
        pass
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{empty}")
    assert findings(recorded, "CM102") == []


@pytest.mark.parametrize(
    ("key", "ref", "target"),
    [
        ("model.num_classes", "data.num_classes", "data.num_classes"),
        ("trainer.early_stopping.fraction", "..val_fraction", "trainer.val_fraction"),
        ("trainer.early_stopping.fraction", ".patience", "trainer.early_stopping.patience"),
        ("top", "..x", "x"),
    ],
    ids=["absolute", "parent", "sibling", "above-root"],
)
def test_interpolation_of_a_read_key_reads_its_target(key, ref, target):
    access = RunAccess(
        runs={"train": 1},
        present={"train": {key: 1, target: 1}},
        read={"train": {key}},
    )
    assert access.unread("train", target) == 1  # the proxy alone never saw the target
    assert access.unread("train", target, {key: f"${{{ref}}}", target: 1}) == 0


def test_run_evidence_does_not_keep_a_finished_lint_alive(tmp_path: Path) -> None:
    """The per-context memo holds its context weakly: a lint's data is freed after it."""
    import gc
    import weakref

    from confman.lint.context import build_context
    from confman.lint.runevidence import run_access
    from confman.settings import load_settings

    root = write_tree(tmp_path, CLEAN)
    ctx = build_context(load_settings(cwd=root))
    run_access(ctx)
    alive = weakref.ref(ctx)
    del ctx
    gc.collect()
    assert alive() is None
