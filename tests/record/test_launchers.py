"""Multiruns through the launchers teams use, recorded into a real PostgreSQL store.

hydra-submitit-launcher's ``submitit_local`` runs each job the way a SLURM job runs it (pickled,
unpickled and started by ``submitit`` in a process of its own); hydra-joblib-launcher runs jobs in
a pool of worker processes. Every job's record must be complete: config, overrides, choices,
status, sweep id and job number, the keys the code read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from confman.store import open_store
from tests.record.conftest import project, run_app  # noqa: F401  (fixture)
from tests.store.conftest import pg_schema_url  # noqa: F401  (fixture)

PLAIN = """
import hydra

@hydra.main(config_name="train", config_path="conf", version_base="1.3")
def run(cfg):
    if cfg.trainer.fail:
        raise ValueError("boom")
    print("LR", cfg.optimizer.lr)

if __name__ == "__main__":
    run()
"""

LAUNCHERS = {
    "submitit_local": ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"],
    "joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
}


#: ``@confman.main`` (app.py), and an unmodified Hydra app with the callback (plain.py)
ENTRYPOINTS = {
    "main": ("app.py", []),
    "callback": ("plain.py", ["+hydra.callbacks.confman._target_=confman.hydra.RecordRun"]),
}


@pytest.mark.parametrize("entrypoint", sorted(ENTRYPOINTS))
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_every_job_of_a_launched_sweep_is_recorded(
    project: Path,  # noqa: F811
    pg_schema_url: str,  # noqa: F811
    launcher: str,
    entrypoint: str,
) -> None:
    script, extra = ENTRYPOINTS[entrypoint]
    (project / "plain.py").write_text(PLAIN)
    done = run_app(
        project,
        "-m",
        *LAUNCHERS[launcher],
        *extra,
        "optimizer=sgd,adam",
        "trainer.fail=false,true",
        script=script,
        store=pg_schema_url,
    )
    # A failed job fails the sweep (Hydra re-raises it in the launching process) ...
    assert done.returncode == 1 and "boom" in done.stderr, done.stderr[-3000:]
    with open_store(pg_schema_url) as store:
        runs = store.query()
    # ... and every job, failed or not, is in the store, complete.
    assert len(runs) == 4, [r.overrides for r in runs]
    assert len({r.sweep_id for r in runs}) == 1 and runs[0].sweep_id
    assert Path(str(runs[0].sweep_id)).is_absolute() or (project / str(runs[0].sweep_id)).is_dir()
    assert sorted(r.job_num for r in runs) == [0, 1, 2, 3]  # type: ignore[type-var]
    lr = {"sgd": 0.1, "adam": 0.001}
    seen = set()
    for rec in runs:
        optimizer, fail = rec.choices["optimizer"], rec.config["trainer"]["fail"]
        seen.add((optimizer, fail))
        assert rec.config_name == "train"
        # as Hydra expands a sweep: ``trainer.fail=false,true`` gives ``trainer.fail=True``
        assert rec.overrides == [f"optimizer={optimizer}", f"trainer.fail={fail}"]
        assert rec.config["optimizer"]["lr"] == rec.raw_config["optimizer"]["lr"] == lr[optimizer]
        assert rec.config["trainer"]["api_token"].startswith("<secret:")
        assert rec.provenance["trainer.epochs"] == "train.yaml:5"
        assert (rec.status, rec.error_type) == (
            ("failed", "ValueError") if fail else ("completed", None)
        )
        if entrypoint == "main":  # the callback sees Hydra's own config: no read tracking
            assert rec.accessed[:2] == ["optimizer.lr", "trainer.fail"]
        assert rec.ended is not None and rec.ended >= rec.started
        assert rec.git_commit and rec.packages.get("hydra-core")
        # the command the user typed, not the launcher worker's
        assert rec.argv[0] == script and "optimizer=sgd,adam" in rec.argv and rec.pid
    assert seen == {("sgd", False), ("sgd", True), ("adam", False), ("adam", True)}
    # the jobs ran in processes of their own, not the launching one
    assert len({r.pid for r in runs}) > 1
