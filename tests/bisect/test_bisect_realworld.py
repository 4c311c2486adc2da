"""``confman bisect`` on real trees (``../shared/realworld``): their training code cannot run here,
so the probed command is a small ``@hydra.main`` app over the tree's own config dir that fails
(exit 3) when a planted condition holds on the composed config. Hydra rejecting an override
exits 1, so a probe broken by an override bisect wrote would show as neither good nor bad.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from typer.testing import CliRunner

from confman.bisect import load_sides, units_between
from confman.cli import app
from confman.diff.render import tree_groups
from confman.store import open_store
from tests.realworld import corpus

pytestmark = pytest.mark.skipif(
    not corpus.available() and os.environ.get("CI") != "true",
    reason="the real-world corpus is not beside the checkout",
)


#: how probes run two at a time: subprocesses, or jobs of Hydra's joblib launcher
WAYS = {
    "subprocess": (["--jobs", "2"], []),
    "launcher-joblib": (["--launcher"], ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]),
}


def _bisect(
    runner: CliRunner, args: list[str], command: list[str], way: str = "subprocess"
) -> dict[str, Any]:
    """The bisect's report, its probes run two at a time; each probe wrote Hydra's outputs to
    a folder of its own (Hydra's default folder is named to the second)."""
    options, after = WAYS[way]
    result = runner.invoke(
        app,
        ["bisect", *args, *options, "--format", "json", "--", sys.executable, *command, *after],
    )
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    folders = list((Path.cwd() / "outputs" / "bisect" / report["id"]).iterdir())
    assert len(folders) == report["probes_run"]
    assert all(any(folder.rglob("*.yaml")) for folder in folders)  # Hydra's .hydra files
    return report


def _probe_exit_codes(bisect_id: str) -> list[int]:
    with open_store() as store:
        records = [r for r in store.query(config_name="bisect") if r.sweep_id == bisect_id]
    return [int(r.extra["bisect"]["exit_code"]) for r in records]


def _hydra(root: Path, config_dir: str, version_base: str, name: str, overrides: list[str]) -> Any:
    with initialize_config_dir(str(root / config_dir), version_base=version_base):
        cfg = compose(name, overrides=overrides)
    return OmegaConf.to_container(cfg)


PW_BAD = [
    "encoder=schnet",
    "features=ca_bb",
    "optimiser=adamw",
    "scheduler=plateau",
    "trainer=cpu",
    "seed=1",
    "num_workers=4",
    "name=bisect",
    "optimiser.optimizer.lr=0.0005",
    "encoder.cutoff=5.0",
    "features.edge_types=[knn_16,eps_8]",
    "callbacks.early_stopping.patience=3",
]


@pytest.mark.parametrize("way", list(WAYS))
def test_protein_workshop_group_swaps_and_values_set_inside_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, way: str
) -> None:
    """Composed sides: group swaps (one of them drags ``hparams`` along through an interpolated
    default) and values typed for keys of the swapped-in options. The planted break needs the
    plateau scheduler *and* the lower learning rate, a value B set inside a swapped group.
    Probed as subprocesses, and as jobs of the joblib launcher (``--launcher``)."""
    t = corpus.tree("a-r-j__ProteinWorkshop")
    config_dir = "proteinworkshop/config"
    root = corpus.project(t, config_dir, tmp_path)
    for var in ("RUNS_PATH", "ROOT_DIR", "DATA_PATH"):  # the tree's env/default.yaml reads them
        monkeypatch.setenv(var, str(tmp_path / "runs"))
    monkeypatch.chdir(root)
    corpus.hydra_app(
        root,
        config_dir,
        "train",
        t.version_base,
        "cfg.scheduler.get('scheduler') is not None and cfg.optimiser.optimizer.lr == 0.0005",
    )
    report = _bisect(runner, ["train", "train", "-b", " ".join(PW_BAD)], ["probe.py"], way)
    assert [c["override"] for c in report["culprits"]] == [
        "scheduler=plateau",
        "optimiser.optimizer.lr=0.0005",
    ]
    assert report["culprits"][1]["bad_source"] == "override 'optimiser.optimizer.lr=0.0005'"
    n, k = report["changes"], 2
    assert n >= len(PW_BAD)  # hparams=schnet_ca_bb comes with encoder and features
    assert report["probes"] <= 2 + 2 * k * math.log2(n)
    assert set(_probe_exit_codes(report["id"])) == {0, corpus.PROBE_FAIL}

    good, bad = load_sides("train", "train", bad_overrides=PW_BAD)
    units = units_between(good, bad, groups=tree_groups(root / config_dir))
    for unit in units:  # each change alone is accepted by Hydra
        _hydra(root, config_dir, t.version_base, "train", list(unit.overrides))
    every = [o for unit in units for o in unit.overrides]
    assert _hydra(root, config_dir, t.version_base, "train", every) == _hydra(
        root, config_dir, t.version_base, "train", PW_BAD
    )


SAFARI_GOOD = "experiment=lra/long-conv-lra-cifar"
SAFARI_BAD = "experiment=lra/long-conv-lra-imdb"


def test_safari_two_experiments_written_to_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """Files written from two experiments: every difference is a leaf override (lists,
    interpolations, keys only one side has). ``dataset`` is also a config group, so Hydra reads
    ``~dataset`` as removing the group: bisect deletes its keys one by one instead, and leaves
    out the one it cannot delete (``dataset.permute: null``)."""
    t = corpus.tree("HazyResearch__safari")
    root = corpus.project(t, "configs", tmp_path)
    monkeypatch.chdir(root)
    for name, experiment in (("good.yaml", SAFARI_GOOD), ("bad.yaml", SAFARI_BAD)):
        result = runner.invoke(app, ["compose", "config", experiment])
        assert result.exit_code == 0, result.stderr
        (root / name).write_text(result.stdout)
    corpus.hydra_app(root, "configs", "config.yaml", t.version_base, "cfg.model.norm == 'batch'")
    report = _bisect(runner, ["good.yaml", "bad.yaml"], ["probe.py", SAFARI_GOOD])
    assert [c["override"] for c in report["culprits"]] == ["model.norm=batch"]
    assert report["culprits"][0]["good_source"].startswith("good.yaml:")
    n = report["changes"]
    assert n > 20
    assert report["probes"] <= 2 + 2 * math.log2(n)
    assert set(_probe_exit_codes(report["id"])) == {0, corpus.PROBE_FAIL}

    good, bad = load_sides("good.yaml", "bad.yaml")
    units = units_between(good, bad, groups=tree_groups(root / "configs"))
    assert not any(o.startswith("~dataset") and "." not in o for u in units for o in u.overrides)
    every = [o for unit in units for o in unit.overrides]
    again = _hydra(root, "configs", t.version_base, "config.yaml", [SAFARI_GOOD, *every])
    wanted = _hydra(root, "configs", t.version_base, "config.yaml", [SAFARI_BAD])
    assert again["dataset"].pop("permute") is None
    assert again == wanted
