"""Turn a Hydra job into a run record: written as ``running`` at start, completed or failed at end.

Both entry points share this: ``@confman.main`` and the ``confman.hydra.RecordRun`` callback. The
record is written twice (start, end) so that a job killed in between still shows in the store,
as ``running`` while its process lives and ``interrupted`` after.

A store fault never costs a run: when the record cannot be written, one line on stderr says so,
the record goes to the fallback journal (``confman.store.journal``) and the user's code runs on;
its own exception, if any, propagates unchanged. The next successful write imports the journal.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from confman.compose import Composed
from confman.errors import ConfmanError
from confman.record.environment import git_state, host_user, packages, python_version
from confman.record.tracking import track
from confman.secrets import format_exception, redact_error
from confman.settings import load_settings
from confman.store import RunRecord, SQLStore, fingerprint, journal, open_store
from confman.store.secrets import redact_record

__all__ = ["Recording", "recorded", "start_recording", "start_recording_composed", "warn"]


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
    return _winners(composed)


def _winners(composed: Composed) -> dict[str, str]:
    """The winning ``file:line`` (or override) of every leaf."""
    return {key: writes[-1].location for key, writes in composed.provenance.items() if writes}


@dataclass
class Recording:
    """One job's record and the store it goes to."""

    record: RunRecord
    store_url: str
    secret_paths: list[str] = field(default_factory=list)
    #: The project root: its ``.confman/journal/`` takes records the store refuses.
    root: Path = field(default_factory=Path.cwd)
    #: The journal file holding the record while the store cannot take it.
    journaled: Path | None = None

    def _put(self) -> None:
        """Write the record; on any failure journal it and warn in one line, never raise."""
        try:
            store: SQLStore = open_store(self.store_url)
        except Exception as exc:
            self._fallback(exc)
            return
        try:
            store.put(self.record, secret_paths=self.secret_paths)
        except Exception as exc:
            self._fallback(exc)
        else:
            if self.journaled is not None:
                journal.discard(self.record.id, self.root)
                self.journaled = None
            self._recover(store)
        finally:
            store.close()

    def _recover(self, store: SQLStore) -> None:
        """Import runs journaled for this store earlier (this write proved it works again)."""
        try:
            waiting = journal.pending(self.root, store.url)
            if waiting:
                journal.recover(store, waiting)
        except Exception as exc:  # recovery is a bonus: a failure here is retried next time
            warn(f"journaled runs not imported yet: {exc}")

    def _fallback(self, exc: BaseException) -> None:
        """Keep the record in the journal and say so once per run (the run goes on)."""
        if os.environ.get("CONFMAN_DEBUG") == "1":
            print(format_exception(exc, self.secret_paths), end="", file=sys.stderr)
        why = exc.message if isinstance(exc, ConfmanError) else redact_error(str(exc))
        first = self.journaled is None
        try:
            self.journaled = journal.save(
                self.record, self.store_url, self.root, secret_paths=self.secret_paths
            )
        except Exception as lost:
            warn(f"run {self.record.id} not recorded ({why}) and not journaled ({lost})")
            return
        if first:
            warn(
                f"run {self.record.id} not recorded ({why}); kept in {self.journaled} "
                "until `confman runs import` or the next recorded run"
            )

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
        try:
            self._put()
        except Exception as exc:  # never replace the run's own outcome with ours
            warn(f"run {self.record.id} not recorded: {exc}")


def warn(message: str) -> None:
    """One line on stderr (messages name run ids, paths and the store's error, never values)."""
    print(f"confman: warning: {message}", file=sys.stderr, flush=True)


@contextmanager
def recorded(recording: Recording | None, obj: Any, *, track_access: bool) -> Iterator[Any]:
    """Hand out ``obj`` for the run and finish ``recording`` when the block ends.

    With ``track_access`` the block gets a read-tracking view of ``obj`` and the record keeps
    the keys read. The record ends completed, or failed with the type of the exception the
    block raised (which propagates). Shared by ``@confman.main`` and ``confman.record_run``.
    """
    seen: set[str] | None = None
    if track_access:
        obj, seen = track(obj)
    try:
        yield obj
    except BaseException as exc:
        if recording is not None:
            recording.finish(exc, seen)
        raise
    if recording is not None:
        recording.finish(None, seen)


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
    argv: list[str] | None = None,
) -> Recording:
    """Build the record of the current Hydra job and write it as ``running``.

    Args:
        cfg: the job config Hydra hands the task function (or the callback).
        schema: the pydantic model the config is validated with, if any.
        secret_paths: dotted paths that hold secrets whatever their key name (SecretStr fields).
        argv: the command line that started the run, when this process is not it (a launcher's
            worker: submitit's job runs ``submitit/core/_submit.py``).
    """
    hc = HydraConfig.get()
    raw, resolved = _containers(cfg)
    overrides = list(hc.overrides.task)
    config_dir = _config_dir(hc)
    multirun = str(hc.mode) == "RunMode.MULTIRUN"
    return _start(
        hc.runtime.cwd,
        hc.runtime.cwd,
        RunRecord(
            config_name=hc.job.config_name,
            overrides=overrides,
            choices={k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra/")},
            config=resolved,
            raw_config=raw,
            provenance=_provenance(hc.job.config_name, config_dir, overrides),
            sweep_id=str(hc.sweep.dir) if multirun else None,
            job_num=int(hc.job.num) if multirun else None,
            extra={"output_dir": str(hc.runtime.output_dir), "config_dir": config_dir},
            argv=list(argv or sys.argv),
        ),
        schema,
        secret_paths,
    )


def start_recording_composed(
    composed: Composed,
    *,
    schema: type | None = None,
    secret_paths: list[str] | None = None,
) -> Recording:
    """``start_recording`` for a config composed with ``confman.compose`` (no Hydra job).

    The record's provenance, choices and overrides come from ``composed`` itself; the project
    (for the store and git) is the one whose pyproject.toml holds the config dir, else the
    current directory's.
    """
    raw, resolved = _containers(composed.config)
    return _start(
        str(composed.config_dir),
        os.getcwd(),
        RunRecord(
            config_name=composed.config_name,
            overrides=list(composed.overrides),
            choices={k: c.option for k, c in composed.choices.items()},
            config=resolved,
            raw_config=raw,
            provenance=_winners(composed),
            extra={"config_dir": str(composed.config_dir)},
            argv=list(sys.argv),
        ),
        schema,
        secret_paths,
    )


def _start(
    where: str, cwd: str, record: RunRecord, schema: type | None, secret_paths: list[str] | None
) -> Recording:
    """Fill in code, environment and schema, write the record as ``running``.

    ``where`` is a folder inside the project (its pyproject.toml names the store); ``cwd`` is
    where the run was started (Hydra's, which may have changed directory since).
    """
    from confman.store import store_url

    settings = load_settings(Path(where))
    if settings.source is None:
        settings = load_settings()
    git = git_state(str(settings.root))
    record.host, record.user = host_user()
    record.git_commit, record.git_branch = git.commit, git.branch
    record.git_dirty, record.patch = git.dirty, git.patch
    record.python, record.packages = python_version(), packages()
    record.cwd, record.pid = str(cwd), os.getpid()
    if schema is not None:
        record.schema_name = f"{schema.__module__}.{schema.__qualname__}"
        record.schema_fingerprint = fingerprint(schema.model_json_schema())  # type: ignore[attr-defined]
    # Redacted once, here: the store, the fallback journal and every later write of this record
    # only ever see markers (configs, argv, overrides, provenance, the patch).
    from confman.schema.binding import bound_secret_paths  # import confman.record stays light

    secret_paths = [*(secret_paths or ()), *bound_secret_paths(settings, record.config_name)]
    record = redact_record(record, secret_paths=secret_paths)
    recording = Recording(record, store_url(settings), list(secret_paths or ()), root=settings.root)
    recording._put()
    return recording
