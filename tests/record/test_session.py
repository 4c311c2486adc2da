"""``confman.record_run``: recording code that composes with ``confman.compose`` itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, SecretStr

import confman
from confman.store import open_store


@pytest.fixture(autouse=True)
def _project_default_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the project-relative default store, ``.confman/runs.db``."""
    monkeypatch.delenv("CONFMAN_STORE")


def latest(project: Path) -> confman.RunRecord:
    with open_store(f"sqlite:///{project / '.confman' / 'runs.db'}") as store:
        return store.get("@latest")


def test_records_a_completed_run_with_what_the_code_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    composed = confman.compose("train", ["optimizer=adam"], config_dir=project / "conf")
    with confman.record_run(composed) as cfg:
        assert isinstance(cfg, type(composed.config))
        assert cfg.optimizer.lr == 0.001
        running = latest(project)
    assert running.status == "running"
    rec = latest(project)
    assert rec.id == running.id and rec.status == "completed" and rec.ended
    assert (rec.config_name, rec.overrides) == ("train", ["optimizer=adam"])
    assert rec.choices == {"optimizer": "adam"}
    assert rec.provenance["optimizer.lr"] == "optimizer/adam.yaml:1"
    assert rec.provenance["trainer.epochs"] == "train.yaml:5"
    assert rec.accessed == ["optimizer.lr"]
    assert rec.config["trainer"]["api_token"].startswith("<secret:")
    assert rec.git_branch == "main" and not rec.git_dirty and rec.cwd == str(project)


def test_a_failing_block_is_recorded_failed_and_the_error_propagates(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    composed = confman.compose("train", config_dir=project / "conf")
    with pytest.raises(ZeroDivisionError), confman.record_run(composed, track_access=False):
        _ = 1 / 0
    rec = latest(project)
    assert (rec.status, rec.error_type, rec.accessed) == ("failed", "ZeroDivisionError", None)


class Trainer(BaseModel):
    model_config = ConfigDict(extra="allow")
    epochs: int
    api_token: SecretStr


class Train(BaseModel):
    model_config = ConfigDict(extra="allow")
    trainer: Trainer


def test_with_a_model_the_block_gets_it_and_its_schema_is_recorded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "conf")  # anywhere in the project: the store is the project's
    composed = confman.compose("train", config_dir=project / "conf")
    model = Train.model_validate(composed.to_container(resolve=True))
    with confman.record_run(composed, model=model) as cfg:
        assert isinstance(cfg, Train) and cfg.trainer.epochs == 3
    rec = latest(project)
    assert rec.schema_name and rec.schema_name.endswith("Train") and rec.schema_fingerprint
    assert rec.accessed == ["trainer.epochs"]
    assert not (project / "conf" / ".confman").exists()
