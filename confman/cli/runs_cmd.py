"""``confman runs``: list, show, export, delete, gc, replay and import recorded runs."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confman.cli.app import EXIT_FINDINGS, EXIT_OK, fail, user_errors

if TYPE_CHECKING:
    from confman.store import RunRecord, SQLStore

__all__ = ["parse_since", "register"]

runs_app = typer.Typer(
    name="runs",
    help="Recorded runs: list, show, export, delete, gc, replay, import. "
    "RUN is an id, a unique id prefix, @latest or @latest~N.",
    no_args_is_help=True,
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str) -> float:
    """``7d``/``12h``/``30m``/``2w`` ago, or an ISO date/time, as a unix timestamp."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhdw])", text.strip())
    if match:
        return time.time() - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--since {text!r}: not a duration or date", "use 7d, 12h, 30m or 2026-01-31"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _store(url: str | None) -> SQLStore:
    from confman.store import open_store

    return open_store(url)


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(rec: RunRecord) -> str:
    return f"{rec.ended - rec.started:.1f}s" if rec.ended else "-"


def _row(rec: RunRecord) -> dict[str, Any]:
    return {
        "id": rec.id,
        "started": _when(rec.started),
        "status": rec.status + (f" ({rec.error_type})" if rec.error_type else ""),
        "config": rec.config_name or "-",
        "duration": _duration(rec),
        "git": (rec.git_commit or "-")[:8] + ("+dirty" if rec.git_dirty else ""),
        "overrides": " ".join(rec.overrides),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no runs"
    heads = list(rows[0])
    widths = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in heads}
    lines = ["  ".join(h.upper().ljust(widths[h]) for h in heads).rstrip()]
    lines += ["  ".join(str(r[h]).ljust(widths[h]) for h in heads).rstrip() for r in rows]
    return "\n".join(lines)


StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store URL (default: CONFMAN_STORE, [tool.confman] store, .confman/runs.db).",
    ),
]


@runs_app.command("list")
def list_runs(
    config: Annotated[
        str | None, typer.Option("--config", help="Only runs of this config name.")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            help="KEY OP VALUE on any config key; OP is == != >= <= > < ~= (contains).",
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="running, completed, failed or interrupted.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Started within (7d, 12h, 30m) or since a date.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many runs (0: all).")
    ] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    store_url: StoreOpt = None,
) -> None:
    """List runs, newest first, filtered on config keys, status and time.

    Example: confman runs list --where 'optimizer.lr>=0.01' --where model.name==resnet --since 7d
    """
    if fmt not in ("table", "json", "csv"):
        raise fail(f"--format {fmt!r}: unknown format", "use table, json or csv")
    if status is not None and status not in ("running", "completed", "failed", "interrupted"):
        raise fail(
            f"--status {status!r}: unknown status", "use running, completed, failed or interrupted"
        )
    moment = parse_since(since) if since else None
    with user_errors(), _store(store_url) as store:
        runs = store.query(
            where or [], config_name=config, status=status, since=moment, limit=limit or None
        )
    if fmt == "json":
        typer.echo(json.dumps([r.to_json() for r in runs], indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(_row(runs[0])) if runs else ["id"])
        writer.writeheader()
        writer.writerows(_row(r) for r in runs)
        typer.echo(out.getvalue().rstrip("\n"))
    else:
        typer.echo(_table([_row(r) for r in runs]))
    if store.damage is not None:  # the readable runs were shown; the damage is an error still
        raise fail(store.damage.message, store.damage.hint)


@runs_app.command("show")
def show(
    run: Annotated[str, typer.Argument(help="Run id, unique prefix, @latest or @latest~N.")],
    store_url: StoreOpt = None,
) -> None:
    """Show one run: what ran, on which code and environment, and its config."""
    import yaml

    with user_errors(), _store(store_url) as store:
        rec = store.get(run)
    lines = [
        f"run        {rec.id}",
        f"status     {_row(rec)['status']}",
        f"config     {rec.config_name}  {' '.join(rec.overrides)}".rstrip(),
        f"started    {_when(rec.started)} UTC   ended {_when(rec.ended)}   ({_duration(rec)})",
        f"git        {rec.git_commit or '-'} ({rec.git_branch or '-'})"
        + ("  dirty, patch stored" if rec.git_dirty else ""),
        f"python     {rec.python}   {len(rec.packages)} packages",
        f"host       {rec.user}@{rec.host}   {rec.cwd}",
        f"argv       {' '.join(rec.argv)}",
        f"fingerprint {rec.fingerprint}",
    ]
    if rec.schema_name:
        lines.append(f"schema     {rec.schema_name} ({(rec.schema_fingerprint or '')[:12]})")
    if rec.sweep_id is not None:
        lines.append(f"sweep      {rec.sweep_id} job {rec.job_num}")
    if rec.choices:
        lines.append("choices    " + ", ".join(f"{k}={v}" for k, v in rec.choices.items()))
    if rec.accessed is not None:
        lines.append(f"read       {len(rec.accessed)} keys: {', '.join(rec.accessed)}")
    lines.append("config:")
    dumped = yaml.safe_dump(rec.config, sort_keys=False, default_flow_style=False).rstrip()
    lines += ["  " + line for line in dumped.splitlines()]
    typer.echo("\n".join(lines))


@runs_app.command("export")
def export(
    run: Annotated[str, typer.Argument(help="Run id, unique prefix, @latest or @latest~N.")],
    store_url: StoreOpt = None,
) -> None:
    """Print the whole run record as JSON (config, provenance, patch, packages)."""
    with user_errors(), _store(store_url) as store:
        rec = store.get(run)
    typer.echo(json.dumps(rec.to_json(), indent=2, default=str))


@runs_app.command("delete")
def delete(
    runs: Annotated[list[str], typer.Argument(help="Runs to delete (ids, prefixes, @latest...).")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete without asking (needed without a terminal).")
    ] = False,
    store_url: StoreOpt = None,
) -> None:
    """Delete runs, after asking (all references are resolved first: one bad reference deletes
    nothing). Without a terminal to ask on, nothing is deleted unless --yes is given."""
    with user_errors(), _store(store_url) as store:
        ids = store.resolve_all(runs)
        if not yes:
            _confirm_delete(store, ids)
        deleted = store.delete(ids)
    for run_id in deleted:
        typer.echo(f"deleted {run_id}")
    typer.echo("run `confman runs gc` to free configs and patches no run uses any more")


def _confirm_delete(store: SQLStore, ids: list[str]) -> None:
    """List the runs and ask; refuse (exit 2) when no one can answer, stop (exit 1) on no."""
    if not sys.stdin.isatty():
        raise fail(
            f"runs delete: {len(ids)} run(s) not deleted: stdin is not a terminal to confirm on",
            "pass --yes to delete without asking",
        )
    for run_id in dict.fromkeys(ids):
        rec = store.get(run_id)
        typer.echo(f"  {run_id}  {rec.config_name or '-'}  {rec.status}  {_when(rec.started)}")
    if not typer.confirm(f"Delete {len(set(ids))} run(s)?", default=False):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(EXIT_FINDINGS)


@runs_app.command("gc")
def gc(store_url: StoreOpt = None) -> None:
    """Remove stored configs, index rows and blobs (raw configs, patches) no run refers to."""
    with user_errors(), _store(store_url) as store:
        counts = store.gc()
    typer.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()) + " removed")


@runs_app.command("replay")
def replay(
    run: Annotated[str, typer.Argument(help="Run id, unique prefix, @latest or @latest~N.")],
    check: Annotated[
        bool,
        typer.Option("--check", help="Only report the verdict: exact, or what drifted (exit 1)."),
    ] = False,
    execute: Annotated[
        bool, typer.Option("--exec", help="Rerun the entrypoint with the recorded overrides.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    store_url: StoreOpt = None,
) -> None:
    """Recompose a run against today's tree and code and say whether it would be the same run.

    Exit 0 when exact, 1 when something drifted (config keys, code, packages, schema).
    """
    from confman.record.replay import check_replay, exec_replay
    from confman.settings import load_settings

    if fmt not in ("text", "json"):
        raise fail(f"--format {fmt!r}: unknown format", "use text or json")
    with user_errors(), _store(store_url) as store:
        rec = store.get(run)
        drift = check_replay(rec, store, load_settings().config_dir)
        if fmt == "json":
            typer.echo(json.dumps(drift.to_json(), indent=2, default=str))
        else:
            typer.echo(_verdict_text(rec, drift))
        if execute and not check:
            raise typer.Exit(exec_replay(rec))
    raise typer.Exit(EXIT_OK if drift.exact else EXIT_FINDINGS)


@runs_app.command("import")
def import_runs(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Journal files to import (default: every run waiting for the store)."),
    ] = None,
    store_url: StoreOpt = None,
) -> None:
    """Add the runs kept in the fallback journal (records the store could not take) to the store.

    Recording never stops a training: when the store cannot be written, the record waits in
    .confman/journal/ (or ~/.cache/confman/journal/) until this command or the next recorded run.
    """
    from confman.settings import load_settings
    from confman.store import journal
    from confman.store.faults import shown_url

    with user_errors(), _store(store_url) as store:
        paths = list(files or journal.pending(load_settings().root, store.url))
        result = journal.recover(store, paths)
    typer.echo(f"imported {len(result.imported)} run(s) into {shown_url(store.url)}")
    for path, reason in result.failed:
        typer.echo(f"confman: error: {path}: {reason}", err=True)
    if result.failed:
        raise typer.Exit(2)


def _verdict_text(rec: RunRecord, drift: Any) -> str:
    if drift.exact:
        return f"{rec.id}: exact (config, code, environment and schema unchanged)"
    lines = [f"{rec.id}: drift"]
    if drift.config:
        lines.append(f"  config: {len(drift.config)} keys differ")
        lines += [f"    {k}: {a!r} -> {b!r}" for k, a, b in drift.config]
    lines += [f"  code: {c}" for c in drift.code]
    if drift.environment:
        lines.append(f"  environment: {len(drift.environment)} packages differ")
        lines += [f"    {k}: {a or '-'} -> {b or '-'}" for k, (a, b) in drift.environment.items()]
    if drift.schema:
        lines.append(f"  schema: {drift.schema}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``confman runs ...`` to the root app."""
    app.add_typer(runs_app, name="runs")
