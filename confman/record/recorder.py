"""Turn a Hydra job into a run record: written as ``running`` at start, completed or failed at end.

Both entry points share this: ``@confman.main`` and the ``confman.hydra.RecordRun`` callback. The
record is written twice (start, end) so that a job killed in between still shows in the store,
as ``running`` while its process lives and ``interrupted`` after.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from confman.errors import ConfmanError
from confman.record.environment import git_state, host_user, packages, python_version
from confman.settings import load_settings
from confman.store import RunRecord, SQLStore, fingerprint, open_store

__all__ = ["Recording", "start_recording"]


def _containers(cfg: DictConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """(raw, resolved) plain copies of the job config without Hydra's own node."""
    raw = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(raw, dict)
    raw.pop("hydra", None)
    try:
        resolved = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(resolved, dict)
        resolved.pop("hydra", None)
    except Exception:  # an interpolation that only fails at use: keep the raw text
        resolved = raw
    return dict(raw), dict(resolved)


def _provenance(
    config_name: str | None, config_dir: str | None, overrides: list[str]
) -> dict[str, str]:
    """Winner ``file:line`` per leaf, by recomposing with confman (cached, so cheap after first)."""
    if not config_dir:
        return {}
    from confman.compose import compose

    try:
        composed = compose(config_name, overrides, config_dir=config_dir)
    except ConfmanError:
        return {}
    return {key: writes[-1].location for key, writes in composed.provenance.items() if writes}


@dataclass
class Recording:
    """One job's record and the store it goes to."""

    record: RunRecord
    store_url: str
    secret_paths: list[str] = field(default_factory=list)

    def _put(self) -> None:
        store: SQLStore = open_store(self.store_url)
        try:
            store.put(self.record, secret_paths=self.secret_paths)
        finally:
            store.close()

    def finish(self, error: BaseException | None = None, accessed: set[str] | None = None) -> None:
        """Mark the run completed (or failed with ``error``'s type) and write it."""
        self.record.ended = time.time()
        if error is None:
            self.record.status = "completed"
        else:
            self.record.status = "failed"
            self.record.error_type = (
                f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
            )
        if accessed is not None:
            self.record.accessed = sorted(accessed)
        self._put()


def _config_dir(hc: Any) -> str | None:
    for source in hc.runtime.config_sources:
        if source.provider == "main" and source.schema == "file":
            return str(source.path)
    return None


def start_recording(
    cfg: DictConfig,
    *,
    schema: type | None = None,
    secret_paths: list[str] | None = None,
) -> Recording:
    """Build the record of the current Hydra job and write it as ``running``.

    Args:
        cfg: the job config Hydra hands the task function (or the callback).
        schema: the pydantic model the config is validated with, if any.
        secret_paths: dotted paths that hold secrets whatever their key name (SecretStr fields).
    """
    hc = HydraConfig.get()
    cwd = hc.runtime.cwd
    settings = load_settings(Path(cwd))
    from confman.store import store_url

    raw, resolved = _containers(cfg)
    overrides = list(hc.overrides.task)
    config_dir = _config_dir(hc)
    host, user = host_user()
    git = git_state(cwd)
    multirun = str(hc.mode) == "RunMode.MULTIRUN"
    record = RunRecord(
        config_name=hc.job.config_name,
        overrides=overrides,
        choices={k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra/")},
        config=resolved,
        raw_config=raw,
        provenance=_provenance(hc.job.config_name, config_dir, overrides),
        schema_name=f"{schema.__module__}.{schema.__qualname__}" if schema else None,
        schema_fingerprint=fingerprint(schema.model_json_schema()) if schema is not None else None,  # type: ignore[attr-defined]
        git_commit=git.commit,
        git_branch=git.branch,
        git_dirty=git.dirty,
        patch=git.patch,
        python=python_version(),
        packages=packages(),
        argv=list(sys.argv),
        host=host,
        user=user,
        cwd=str(cwd),
        pid=os.getpid(),
        sweep_id=str(hc.sweep.dir) if multirun else None,
        job_num=int(hc.job.num) if multirun else None,
        extra={"output_dir": str(hc.runtime.output_dir), "config_dir": config_dir},
    )
    recording = Recording(record, store_url(settings), list(secret_paths or ()))
    recording._put()
    return recording
