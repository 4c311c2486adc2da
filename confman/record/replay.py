"""Replay a recorded run: recompose it against today's tree and say what drifted since.

The verdict has four parts, each "same" or the list of what changed: config (keys whose value
differs after recomposing the recorded config name + overrides), code (commit and dirty patch),
environment (package versions) and schema (fingerprint of the named pydantic model).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.compose import compose
from confman.confine import confinement, confinement_for
from confman.errors import ConfmanError
from confman.provenance import iter_leaves
from confman.record.environment import git_state, packages
from confman.schema.binding import import_schema
from confman.secrets import MARKER, is_marker, redact
from confman.settings import Settings, load_settings
from confman.store import RunRecord, SQLStore, fingerprint

__all__ = ["Drift", "check_replay", "exec_replay"]


@dataclass
class Drift:
    """What changed between a recorded run and a replay of it today.

    Attributes:
        config: (key, recorded, today) per leaf that differs; a missing side is ``"<absent>"``.
        code: human-readable code changes (commit, dirty patch).
        environment: package -> (recorded, today) for versions that differ.
        schema: schema change description, or None.
        notes: things that could not be checked, and why.
    """

    config: list[tuple[str, Any, Any]] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    environment: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    schema: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """True when nothing drifted."""
        return not (self.config or self.code or self.environment or self.schema)

    def to_json(self) -> dict[str, Any]:
        """JSON-able form for ``--format json``."""
        return {
            "verdict": "exact" if self.exact else "drift",
            "config": [{"key": k, "recorded": a, "today": b} for k, a, b in self.config],
            "code": self.code,
            "environment": {
                k: {"recorded": a, "today": b} for k, (a, b) in self.environment.items()
            },
            "schema": self.schema,
            "notes": self.notes,
        }


ABSENT = "<absent>"


def _config_drift(
    record: RunRecord, store: SQLStore, config_dir: Path
) -> list[tuple[str, Any, Any]]:
    composed = compose(
        record.config_name, list(record.overrides), config_dir=config_dir, cache=False
    )
    old = dict(iter_leaves(record.raw_config))
    # A key stored as a marker (a SecretStr field, a project pattern) is secret today too, so
    # both sides compare as markers and neither is printed.
    hidden = [k for k, v in old.items() if is_marker(v)]
    today = redact(composed.to_container(resolve=False), secret_paths=hidden)
    new = dict(iter_leaves(today))
    keys = [*old, *(k for k in new if k not in old)]
    return [
        (k, old.get(k, ABSENT), new.get(k, ABSENT))
        for k in keys
        if old.get(k, ABSENT) != new.get(k, ABSENT)
    ]


def _schema_drift(record: RunRecord, config_dir: Path) -> tuple[str | None, str | None]:
    """(schema drift, note). Only a model the project binds in ``[tool.confman.schemas]`` is
    imported: a record's ``schema_name`` is data anyone who can write the store controls, and
    importing the module it names would run that module's code."""
    if not record.schema_name:
        return None, None
    settings = load_settings(config_dir)
    table = settings.raw.get("schemas", {})
    specs = table.values() if isinstance(table, dict) else []
    spec = next(
        (s for s in specs if isinstance(s, str) and s.replace(":", ".", 1) == record.schema_name),
        None,
    )
    if spec is None:
        return None, (
            f"schema {record.schema_name!r} not checked: it is not bound in "
            "[tool.confman.schemas], and replay imports only the project's own bindings"
        )
    try:
        model = import_schema(spec, settings.root)
        today = fingerprint(model.model_json_schema())
    except Exception as exc:  # the schema moved or its module fails to import: that is drift too
        return f"{record.schema_name} cannot be loaded today ({type(exc).__name__}: {exc})", None
    if today != record.schema_fingerprint:
        return f"{record.schema_name} changed ({record.schema_fingerprint} -> {today})", None
    return None, None


def check_replay(record: RunRecord, store: SQLStore, config_dir: Path) -> Drift:
    """Compare a recorded run with what the same command would run today.

    Args:
        record: the recorded run.
        store: its store.
        config_dir: fallback config tree when the record does not name one.
    """
    from confman.migrate.records import current

    # in today's names: an override or key renamed since replays under its new name
    record = current(record, load_settings(config_dir))
    drift = Drift()
    recorded_dir = record.extra.get("config_dir")
    folder = Path(recorded_dir) if recorded_dir and Path(recorded_dir).is_dir() else config_dir
    if not confinement_for(config_dir).inside(folder):  # the record names a tree elsewhere
        drift.notes.append(f"recorded config dir {str(folder)!r} is outside the project: not read")
        folder = config_dir
    try:
        drift.config = _config_drift(record, store, folder)
    except ConfmanError as exc:
        drift.config = [("<compose>", "composed", f"fails today: {exc}")]
    git = git_state(record.cwd or ".")
    if record.git_commit != git.commit:
        drift.code.append(f"commit {record.git_commit or 'none'} -> {git.commit or 'none'}")
    if fingerprint(record.patch or "") != fingerprint(git.patch or ""):
        drift.code.append(
            "uncommitted changes differ"
            + (
                " (recorded run had a dirty patch)"
                if record.patch
                else " (working tree is dirty now)"
            )
        )
    now = packages()
    for name in sorted(set(record.packages) | set(now)):
        if record.packages.get(name) != now.get(name):
            drift.environment[name] = (record.packages.get(name), now.get(name))
    drift.schema, note = _schema_drift(record, config_dir)
    if note:
        drift.notes.append(note)
    return drift


#: overrides a stored record may not replay: Hydra's own settings (callbacks, launcher, search
#: path and logging name code to import or run) and any ``_target_`` (an object to instantiate)
_UNSAFE_OVERRIDE = re.compile(r"^[~+]{0,2}hydra[./=@]|_target_")


def exec_replay(record: RunRecord, settings: Settings | None = None) -> int:
    """Run the recorded entrypoint again with the job's own overrides; returns its exit code.

    A record is data that anyone who can write the store controls, so only the project's own
    code runs: the recorded script must resolve, after symlinks, to a ``.py`` file inside the
    project (or a folder ``allowed_paths`` of ``[tool.confman]`` lists); it runs with the
    current interpreter, never a recorded program; and overrides that would make Hydra import
    or instantiate something (``hydra.*``, ``hydra/...`` groups, ``_target_``) are refused.
    """
    if not record.argv:
        raise ConfmanError(f"run {record.id} recorded no command line", hint="rerun it by hand")
    hidden = [o.partition("=")[0] for o in record.overrides if MARKER.search(o)]
    if hidden:  # rerunning with a marker as the password would run, and fail, much later
        raise ConfmanError(
            f"run {record.id} was started with secret overrides ({', '.join(hidden)}): the store "
            "keeps only their markers",
            hint="rerun it by hand with those values, or set them in the environment",
        )
    settings = settings or load_settings()
    project = confinement(settings)
    cwd = Path(record.cwd) if record.cwd and project.inside(record.cwd) else settings.root
    script = cwd / record.argv[0]
    if not (script.suffix == ".py" and script.is_file() and project.inside(script)):
        raise ConfmanError(
            f"run {record.id}: recorded entrypoint {record.argv[0]!r} is not a Python file of "
            f"this project ({settings.root}); --exec runs only the project's own scripts",
            hint="rerun it by hand, or run `confman runs replay --check` to compare only",
        )
    unsafe = [o.partition("=")[0] for o in record.overrides if _UNSAFE_OVERRIDE.search(o)]
    if unsafe:
        raise ConfmanError(
            f"run {record.id}: recorded overrides {', '.join(unsafe)} would make Hydra import "
            "or instantiate what the record names; --exec does not replay them",
            hint="rerun it by hand if you trust the record",
        )
    command = [sys.executable, str(script), *record.overrides]
    return subprocess.run(command, cwd=cwd, check=False).returncode
