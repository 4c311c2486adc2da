"""The run record: everything needed to say what ran, with which config, code and environment.

A record is plain data (a dataclass of JSON-able values) so that every backend stores the same
thing and the diff tool can compare two records without a store at hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["RunRecord", "canonical_json", "fingerprint", "new_run_id"]

STATUSES = ("running", "completed", "failed", "interrupted")

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_last = (0, 0)


def new_run_id(now: float | None = None) -> str:
    """A time-sortable id: 10 chars of milliseconds then 10 random chars (ULID layout, lowercase).

    Sorting ids as strings sorts runs by start time, which is what ``@latest`` relies on. Within
    one process and millisecond the random part is incremented (monotonic ULIDs), so ids created
    in a row sort in creation order.
    """
    global _last
    ms = int((time.time() if now is None else now) * 1000)
    rand = int.from_bytes(os.urandom(6), "big")
    if now is None and ms <= _last[0]:
        ms, rand = _last[0], _last[1] + 1
    if now is None:
        _last = (ms, rand)
    head = "".join(_CROCKFORD[(ms >> (5 * i)) & 31] for i in reversed(range(10)))
    tail = "".join(_CROCKFORD[(rand >> (5 * i)) & 31] for i in reversed(range(10)))
    return head + tail


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no whitespace: equal configs give equal bytes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fingerprint(data: Any) -> str:
    """sha256 hex of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


@dataclass
class RunRecord:
    """One run of an entrypoint.

    Attributes:
        id: time-sortable run id (see ``new_run_id``).
        config_name: primary config composed.
        overrides: command-line overrides, as given.
        choices: chosen option per config group.
        config: resolved config (secrets replaced by markers).
        raw_config: unresolved config, interpolations kept (secrets replaced by markers).
        fingerprint: sha256 of the canonical JSON of ``config``; the content address.
        provenance: winning ``file:line`` (or override) per leaf of the resolved config.
        schema_name / schema_fingerprint: the pydantic model the config was validated with, if any.
        git_commit / git_branch / git_dirty / patch: code version; ``patch`` is ``git diff HEAD``.
        python / packages: interpreter version and installed distribution versions.
        argv / host / user / cwd: how and where the run was started.
        started / ended: unix timestamps (seconds).
        status: running, completed, failed or interrupted; ``error_type`` names the exception.
            A ``running`` record whose process (``pid`` on ``host``) is gone reads as interrupted.
        sweep_id / job_num: the multirun a job belongs to and its number in it.
        accessed: config keys the code actually read (dotted paths), when tracked.
        extra: anything else a caller wants kept (free-form, JSON-able).
    """

    id: str = field(default_factory=new_run_id)
    config_name: str | None = None
    overrides: list[str] = field(default_factory=list)
    choices: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    raw_config: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    provenance: dict[str, str] = field(default_factory=dict)
    schema_name: str | None = None
    schema_fingerprint: str | None = None
    git_commit: str | None = None
    git_branch: str | None = None
    git_dirty: bool = False
    patch: str | None = None
    python: str = ""
    packages: dict[str, str] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)
    host: str = ""
    user: str = ""
    cwd: str = ""
    started: float = field(default_factory=time.time)
    ended: float | None = None
    status: str = "running"
    error_type: str | None = None
    pid: int | None = None
    sweep_id: str | None = None
    job_num: int | None = None
    accessed: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = fingerprint(self.config)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-able dict (what ``confman runs export`` prints)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        """Inverse of ``to_json``; unknown keys (from a newer confman) are ignored."""
        known = _FIELDS.get(cls)
        if known is None:
            known = _FIELDS[cls] = frozenset(f.name for f in fields(cls))
        return cls(**{k: v for k, v in data.items() if k in known})


_FIELDS: dict[type[RunRecord], frozenset[str]] = {}
