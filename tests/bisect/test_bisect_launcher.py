"""``confman bisect --launcher`` for real: the probes run as jobs of the Hydra app's own launcher
(Hydra's basic launcher, joblib with two workers, submitit's local executor), from confman's
sweeper in one multirun."""

from __future__ import annotations

import json
import math
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hydra.core.config_store import ConfigStore
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from typer.testing import CliRunner

from confman.bisect.launcher import metric_in
from confman.bisect.session import Judge
from confman.cli import app
from confman.store import open_store
from tests.bisect.test_bisect import BREAKING, HARMLESS, REPO, _project

#: A small Hydra app: its job writes its pid, start and end times to jobs.jsonl, exits 3 when
#: both ``c`` and ``f`` are set, and returns ``{"score": ...}`` (low when ``c`` is set). With
#: ``PAIRED`` set, job 2i and job 2i+1 (one launch() call of the sweeper) each wait for the other
#: to start: run in parallel they overlap; run one after the other they cannot.
APP = """\
import json, os, sys, time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig


@hydra.main(config_path="conf", config_name="config", version_base="1.3")
def main(cfg):
    start = time.time()
    num = HydraConfig.get().job.num
    if os.environ.get("PAIRED"):
        Path(f"started/{num}").touch()
        waited = 0.0
        while not Path(f"started/{num ^ 1}").exists() and waited < 20:
            time.sleep(0.05)
            waited += 0.05
    entry = {"num": num, "pid": os.getpid(), "start": start, "end": time.time()}
    with open("jobs.jsonl", "a") as handle:
        handle.write(json.dumps(entry) + "\\n")
    if cfg.c == 1 and cfg.f == 1:
        sys.exit(3)
    return {"score": 0.2 if cfg.c == 1 else 0.9}


main()
"""
CHANGES = "a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1"


def _app(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "config.yaml").write_text("".join(f"{k}: 0\n" for k in "abcdefgh"))
    (root / "started").mkdir()
    (root / "app.py").write_text(APP)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    return root


def _bisect(runner: CliRunner, args: list[str], command: list[str]) -> dict[str, Any]:
    result = runner.invoke(
        app, ["bisect", *args, "--launcher", "--format", "json", "--", sys.executable, *command]
    )
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _records(bisect_id: str) -> list[Any]:
    with open_store() as store:
        return [r for r in store.query(config_name="bisect") if r.sweep_id == bisect_id]


def test_the_example_training_through_the_basic_launcher_and_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """The example job under ``@confman.main`` (examples/train_app.py), its probes one after
    the other in one process: the planted pair is found, each probe is a run in the store, and
    the same bisect run again reuses them."""
    monkeypatch.chdir(_project(tmp_path))
    changes = HARMLESS[:5] + BREAKING[:1] + HARMLESS[5:] + BREAKING[1:]
    args = ["train", "train", "-b", " ".join(changes)]
    report = _bisect(runner, args, ["examples/train_app.py"])
    assert [c["override"] for c in report["culprits"]] == BREAKING
    assert report["culprits"][0]["good_source"] == "train.yaml:47"
    n, k = len(changes), 2
    assert report["changes"] == n
    assert report["probes"] <= 2 + 2 * k * math.log2(n)
    records = _records(report["id"])
    assert sorted(r.id for r in records) == sorted(report["runs"])
    assert {r.status for r in records} == {"completed", "failed"}
    assert {r.extra["bisect"]["launcher"] for r in records} == {
        "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
    }
    # the job raised SystemExit(1) (the accuracy floor): a failed job with that exit code
    assert {r.extra["bisect"]["exit_code"] for r in records} == {0, 1}
    folders = list((Path.cwd() / "outputs" / "bisect" / report["id"]).iterdir())
    assert len(folders) == report["probes"]  # one Hydra output folder per probe

    with open_store() as store:  # the last three probes never finished
        assert store.delete(report["runs"][-3:]) == report["runs"][-3:]
    again = _bisect(runner, args, ["examples/train_app.py"])
    assert again["id"] == report["id"]
    assert again["culprits"] == report["culprits"]
    assert again["probes_run"] == 3
    assert again["probes_reused"] == report["probes"] - 3


def test_joblib_runs_the_two_probes_of_each_split_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """hydra/launcher=joblib with two workers: every launch() call's two jobs ran in two
    processes at the same time (each waits for the other to start), the app's sys.exit(3)
    judged bad, and the pair that fails together found."""
    root = _app(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PAIRED", "1")
    launcher = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    report = _bisect(runner, ["config", "config", "-b", CHANGES], ["app.py", *launcher])
    assert [c["override"] for c in report["culprits"]] == ["c=1", "f=1"]
    n, k = 8, 2
    assert report["probes"] <= 2 + 2 * k * math.log2(n)
    jobs = {}
    for line in (root / "jobs.jsonl").read_text().splitlines():
        job = json.loads(line)
        jobs[job["num"]] = job
    assert sorted(jobs) == list(range(report["probes"]))
    for num in range(0, report["probes"], 2):
        one, other = jobs[num], jobs[num + 1]
        assert one["pid"] != other["pid"]
        assert one["start"] < other["end"] and other["start"] < one["end"]
    records = _records(report["id"])
    assert {r.extra["bisect"]["exit_code"] for r in records} == {0, 3}
    assert {r.extra["bisect"]["launcher"] for r in records} == {
        "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
    }


def test_submitit_runs_the_probes_as_it_runs_slurm_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """hydra/launcher=submitit_local: each probe pickled into a submitit job folder, run as a
    process of its own and its result read back, the code path a SLURM cluster runs
    (submitit_slurm differs in the scheduler only; there is no SLURM here)."""
    root = _app(tmp_path)
    monkeypatch.chdir(root)
    launcher = ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"]
    report = _bisect(runner, ["config", "config", "-b", CHANGES], ["app.py", *launcher])
    assert [c["override"] for c in report["culprits"]] == ["c=1", "f=1"]
    records = _records(report["id"])
    assert {r.extra["bisect"]["exit_code"] for r in records} == {0, 3}
    assert {r.extra["bisect"]["launcher"] for r in records} == {
        "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"
    }
    pids = {json.loads(line)["pid"] for line in (root / "jobs.jsonl").read_text().splitlines()}
    assert len(pids) == report["probes"]  # a process per probe, none of them this one
    assert os.getpid() not in pids


def test_the_metric_is_the_task_functions_return_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """``--metric score``: the job returns ``{"score": 0.2}`` when ``c`` is set, so ``c`` alone
    is below the threshold (BAD exits 3, which BAD's own exit code makes bad too)."""
    monkeypatch.chdir(_app(tmp_path))
    args = ["config", "config", "-b", CHANGES, "--metric", "score", "--threshold", "0.5"]
    report = _bisect(runner, args, ["app.py"])
    assert [c["override"] for c in report["culprits"]] == ["c=1"]
    metrics = {r.extra["bisect"]["metric"] for r in _records(report["id"])}
    assert {0.2, 0.9} <= metrics


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [
        (["plain.py"], [], "COMMAND must be a Hydra app"),
        (["app.py", "hydra/launcher=nosuch"], [], "has no launcher 'nosuch' (available: basic"),
        (["app.py", "hydra/sweeper=basic"], [], "COMMAND selects a Hydra sweeper"),
        (["app.py"], ["--jobs", "2"], "--jobs and --timeout are for subprocess probes"),
        (["app.py", "c=1", "f=1"], [], "GOOD is not good"),
    ],
    ids=["not-hydra", "unknown-launcher", "other-sweeper", "jobs", "good-is-bad"],
)
def test_bad_input_is_one_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    command: list[str],
    options: list[str],
    message: str,
) -> None:
    root = _app(tmp_path)
    (root / "plain.py").write_text("print('trained')\n")
    monkeypatch.chdir(root)
    args = ["bisect", "config", "config", "-b", CHANGES, "--launcher", *options, "--"]
    result = runner.invoke(app, [*args, sys.executable, *command])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # the error and its hint
    assert "Traceback" not in result.stderr


def test_the_sweeper_is_a_hydra_plugin_packaged_beside_confman() -> None:
    """Hydra finds the sweeper in the hydra_plugins namespace (here through the editable
    install), and the wheel ships that folder without an ``__init__.py`` of its own, which
    would hide every other plugin installed in the namespace (joblib's, submitit's)."""
    names = [f"{c.__module__}.{c.__name__}" for c in Plugins.instance().discover(Sweeper)]
    assert "hydra_plugins.confman_bisect.confman_bisect_sweeper.ConfmanBisectSweeper" in names
    assert "confman_bisect.yaml" in ConfigStore.instance().list("hydra/sweeper")
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert "hydra_plugins" in wheel["targets"]["wheel"]["packages"]
    assert not (REPO / "hydra_plugins" / "__init__.py").exists()
    assert (REPO / "hydra_plugins" / "confman_bisect" / "__init__.py").exists()


def test_the_sweeper_imports_nothing_the_project_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """``[tool.confman] modules`` is code confman's compose imports; the app does not import
    it, and neither does the sweeper running inside the app (it reads the project's settings
    for the store)."""
    root = _app(tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\nmodules = ["sidefx_bisect"]\n'
    )
    (root / "sidefx_bisect.py").write_text(
        "import os\n\nwith open('imported.txt', 'a') as f:\n    f.write(f'{os.getpid()}\\n')\n"
    )
    monkeypatch.chdir(root)
    report = _bisect(runner, ["config", "config", "-b", CHANGES], ["app.py"])
    assert [c["override"] for c in report["culprits"]] == ["c=1", "f=1"]
    lines = (root / "jobs.jsonl").read_text().splitlines()
    app_pids = {json.loads(line)["pid"] for line in lines}
    imported = {int(pid) for pid in (root / "imported.txt").read_text().split()}
    assert imported == {os.getpid()}  # confman bisect composed GOOD and BAD here, with it
    assert app_pids and not app_pids & imported


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("score", 0.5, 0.5),
        ("score", {"score": 2}, 2.0),
        ("test.accuracy", {"test": {"accuracy": 0.9}}, 0.9),
        ("test.accuracy", {"test.accuracy": 0.8, "test": {"accuracy": 0.9}}, 0.8),
        ("test.accuracy", {"test": 0.9}, None),
        ("score", {"other": 1.0}, None),
        ("score", None, None),
        ("score", True, None),
        ("score", "0.5", None),
    ],
    ids=[
        "number",
        "key",
        "nested",
        "dotted-key-first",
        "not-nested",
        "missing",
        "none",
        "bool",
        "text",
    ],
)
def test_the_metric_in_a_return_value(metric: str, value: Any, expected: float | None) -> None:
    assert metric_in(Judge(metric, 0.5), value) == expected
