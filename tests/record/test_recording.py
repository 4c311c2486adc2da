"""Recording real Hydra runs: ``@confman.main``, the callback, multirun, failures, kills."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from confman.store import open_store
from tests.record.conftest import env_for, run_app


def store_of(project: Path):  # type: ignore[no-untyped-def]
    return open_store(f"sqlite:///{project / '.confman' / 'runs.db'}")


def test_main_records_a_completed_run(project: Path) -> None:
    (project / "conf" / "optimizer" / "sgd.yaml").write_text("lr: 0.1\nmomentum: 0.8\n")  # dirty
    done = run_app(project, "optimizer.lr=0.5")
    assert done.returncode == 0, done.stderr
    assert "LR 0.5" in done.stdout
    with store_of(project) as store:
        rec = store.get("@latest")
    assert rec.status == "completed"
    assert rec.config_name == "train"
    assert rec.overrides == ["optimizer.lr=0.5"]
    assert rec.choices["optimizer"] == "sgd"
    assert rec.config["optimizer"] == {"lr": 0.5, "momentum": 0.8}
    assert rec.config["trainer"]["api_token"].startswith("<secret:")
    assert rec.git_branch == "main" and len(rec.git_commit or "") == 40
    assert rec.git_dirty and rec.patch and "+momentum: 0.8" in rec.patch
    assert rec.accessed == ["optimizer.lr", "trainer.fail", "trainer.sleep"]
    assert rec.provenance["optimizer.lr"] == "override 'optimizer.lr=0.5'"
    assert rec.provenance["trainer.epochs"] == "train.yaml:5"
    assert "hydra-core" in rec.packages and rec.argv[-1] == "optimizer.lr=0.5"
    assert rec.ended is not None and rec.ended >= rec.started


def test_main_records_failure_with_exception_type(project: Path) -> None:
    done = run_app(project, "trainer.fail=true")
    assert done.returncode != 0
    with store_of(project) as store:
        rec = store.get("@latest")
    assert (rec.status, rec.error_type) == ("failed", "ValueError")


def test_cfg_and_info_still_work_and_record_nothing(project: Path) -> None:
    done = run_app(project, "--cfg", "job", "optimizer=adam")
    assert done.returncode == 0 and "betas:" in done.stdout
    assert run_app(project, "--info", "defaults").returncode == 0
    assert not (project / ".confman" / "runs.db").exists()


def test_callback_records_unmodified_app_multirun_joblib(project: Path) -> None:
    done = run_app(
        project,
        "-m",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "+hydra.callbacks.confman._target_=confman.hydra.RecordRun",
        "optimizer=sgd,adam",
        "trainer.epochs=1,2",
        script="plain.py",
    )
    assert done.returncode == 0, done.stderr
    with store_of(project) as store:
        runs = store.query()
    assert len(runs) == 4
    assert {r.status for r in runs} == {"completed"}
    assert len({r.sweep_id for r in runs}) == 1 and runs[0].sweep_id
    assert sorted(r.job_num for r in runs) == [0, 1, 2, 3]  # type: ignore[type-var]
    assert {(r.choices["optimizer"], r.config["trainer"]["epochs"]) for r in runs} == {
        ("sgd", 1),
        ("sgd", 2),
        ("adam", 1),
        ("adam", 2),
    }


def test_sigkill_mid_run_leaves_interrupted_run(project: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "app.py", "trainer.sleep=60"],
        cwd=project,
        env=env_for(project),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "STARTED"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with store_of(project) as store:
        rec = store.get("@latest")
        assert rec.status == "interrupted"
        assert store.query(status="interrupted")[0].id == rec.id


TYPED_APP = """
import confman
from pydantic import BaseModel, ConfigDict, SecretStr

class Optimizer(BaseModel):
    model_config = ConfigDict(extra="allow")
    lr: float

class Trainer(BaseModel):
    epochs: int
    fail: bool
    sleep: float
    api_token: str
    dsn: SecretStr = SecretStr("postgresql://user:pw@db/x")

class Train(BaseModel):
    optimizer: Optimizer
    trainer: Trainer

@confman.main(config_name="train", config_path="conf", schema=Train)
def run(cfg: Train):
    print(isinstance(cfg, Train), cfg.optimizer.lr, cfg.trainer.dsn)

if __name__ == "__main__":
    run()
"""


def test_main_with_schema_hands_a_model_and_keeps_secret_fields_out(project: Path) -> None:
    (project / "typed.py").write_text(TYPED_APP)
    done = run_app(
        project,
        "optimizer.lr=0.25",
        "+trainer.dsn=postgresql://u:hunter2@db/prod",
        script="typed.py",
    )
    assert done.returncode == 0, done.stderr
    assert "True 0.25 **********" in done.stdout  # the function got the typed model
    with store_of(project) as store:
        rec = store.get("@latest")
    assert rec.schema_name == "__main__.Train" and rec.schema_fingerprint
    # ``dsn`` matches no secret key pattern: it is kept out because the schema says SecretStr.
    assert rec.config["trainer"]["dsn"].startswith("<secret:")
    assert rec.raw_config["trainer"]["dsn"].startswith("<secret:")
    assert rec.accessed == ["optimizer.lr", "trainer.dsn"]
    with store_of(project) as store:
        stored = [
            *store._read("SELECT data FROM nodes"),
            *store._read("SELECT data FROM blobs"),
            *store._read("SELECT body FROM runs"),
        ]
    assert not [row for row in stored if "hunter2" in row[0]]


def test_a_run_folder_named_by_a_secret_override_is_warned_about(project: Path) -> None:
    """Hydra names the folder from the overrides before confman runs: confman cannot rename it,
    so it says how to keep the key out of the name; the files inside hold markers."""
    done = run_app(
        project, "trainer.api_token=S3CRETdir01", "hydra.run.dir=runs/${hydra.job.override_dirname}"
    )
    assert done.returncode == 0, done.stderr
    assert "confman: warning: this job's output folder name holds a secret" in done.stderr
    assert "override_dirname.exclude_keys" in done.stderr and "S3CRETdir01" not in done.stderr
    (folder,) = (project / "runs").iterdir()
    assert not any(b"S3CRETdir01" in p.read_bytes() for p in folder.rglob("*") if p.is_file())
    quiet = run_app(project, "trainer.api_token=S3CRETdir02")  # the default, timestamped folder
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
