"""Where each field of a run record lives in the store (schema version 3).

A record is split three ways, so that what runs share is stored once:

- columns of its ``runs`` row: what queries filter and sort on (id, config name, status, times,
  sweep), and references to its config, raw config, ``meta`` tree and patch;
- ``body``: the small fields that differ from run to run (overrides, argv, pid, error, cwd,
  extra), as JSON in the row, rewritten in place when the run ends;
- ``meta``: every other field (environment, packages, choices, provenance, accessed keys, and
  any field a newer record gains) as a node tree (``confman.store.tree``): a sweep's runs share
  all of it but the provenance of the keys they override.

Provenance is a flat mapping of dotted keys; stored flat it would be one node of hundreds of
entries per run. It is nested on the first dot, repeatedly (``{"optimizer.": {"lr": ...}}``),
so a sweep's runs share every section but the overridden keys'. The nesting is lossless
whatever the keys hold (a group is told from a leaf by its value, a mapping against a string).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from confman.store.record import RunRecord

__all__ = ["BODY", "COLUMNS", "body_of", "from_parts", "meta_of", "nest", "unnest"]

#: Fields that are columns of the ``runs`` row.
COLUMNS = ("id", "config_name", "status", "started", "ended", "sweep_id", "job_num")
#: Small fields that differ between runs, kept as JSON in the row.
BODY = ("overrides", "argv", "pid", "error_type", "cwd", "extra")
#: Fields stored elsewhere: the config and raw config trees, the patch blob, the fingerprint.
_TREES = ("config", "raw_config", "patch", "fingerprint")


def nest(flat: dict[str, str]) -> dict[str, Any]:
    """``{"a.b": x, "c": y}`` -> ``{"a.": {"b": x}, "c": y}`` (see the module docstring)."""
    out: dict[str, Any] = {}
    groups: dict[str, dict[str, str]] = {}
    for key, value in flat.items():
        head, dot, rest = key.partition(".")
        if dot:
            groups.setdefault(head + ".", {})[rest] = value
        else:
            out[key] = value
    for head, group in groups.items():
        out[head] = nest(group)
    return out


def unnest(
    tree: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The inverse of ``nest``."""
    out = {} if out is None else out
    for key, value in tree.items():
        if isinstance(value, dict):
            unnest(value, prefix + key, out)
        else:
            out[prefix + key] = value
    return out


def meta_of(record: RunRecord) -> dict[str, Any]:
    """The record's fields that go into its ``meta`` tree, provenance nested and tagged."""
    meta: dict[str, Any] = {}
    for f in fields(record):
        if f.name in COLUMNS or f.name in BODY or f.name in _TREES:
            continue
        meta[f.name] = getattr(record, f.name)
    provenance = meta.get("provenance") or {}
    if all(isinstance(v, str) for v in provenance.values()):
        meta["provenance"] = {"nested": nest(provenance)}
    else:
        meta["provenance"] = {"flat": provenance}
    if meta.get("accessed") is not None:
        meta["accessed"] = {"keys": meta["accessed"]}
    return meta


def from_parts(
    columns: dict[str, Any],
    body: dict[str, Any],
    meta: dict[str, Any],
    config: dict[str, Any],
    raw: dict[str, Any],
    patch: str | None,
    fingerprint: str,
) -> RunRecord:
    """The record again from its stored parts (unknown fields, from a newer confman, dropped)."""
    provenance = meta.get("provenance") or {}
    if "nested" in provenance:
        meta["provenance"] = unnest(provenance["nested"])
    else:
        meta["provenance"] = provenance.get("flat", {})
    accessed = meta.get("accessed")
    if accessed is not None:
        meta["accessed"] = accessed.get("keys", [])
    return RunRecord.from_json(
        {
            **meta,
            **body,
            **columns,
            "config": config,
            "raw_config": raw,
            "patch": patch,
            "fingerprint": fingerprint,
        }
    )


def body_of(record: RunRecord) -> dict[str, Any]:
    """The record's small per-run fields (``BODY``)."""
    return {name: getattr(record, name) for name in BODY}
