"""The run store at a team's scale (``python benchmarks/store.py --scale``).

Two data sets, filled through the public batched write path (``Store.put_many``, 500 runs a
transaction), on SQLite and PostgreSQL:

- sweep: runs of one 200-leaf config in which a handful of keys vary (learning rate, depth, a
  seed unique to each run, a bucket that is "hit" in exactly 1,000 runs);
- distinct: runs whose every leaf differs from every other run's.

Each record is what the recorder writes: config, raw config, overrides, choices, provenance of
every leaf, the installed packages, argv, git commit, accessed keys, extra. Reported per store:
bytes per run, fill rate, a ``--where`` query returning 1,000 runs (full records), ``runs list``
first page (50 runs), ``runs show`` (one run), ``runs compare`` of 10,000 runs (table rendered),
opening the store, and ``gc`` after deleting 1% of the runs. Times are medians of ``--repeat``.

MLflow (its own SQLite tracking store, ``SqlAlchemyStore``) gets the same runs' config leaves as
params and the code/environment fields as tags (what ``mlflow.log_params``/``set_tags`` store;
provenance, packages and accessed keys have no place there), at ``--mlflow-runs``. It needs
``pip install mlflow`` (the ``bench`` extra); without it that part says so.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from confman.diff.runtable import compare_stored, render_table
from confman.provenance import iter_leaves
from confman.record.environment import packages
from confman.store import RunRecord, open_store

SECTIONS = {"model": 30, "optimizer": 12, "data": 40, "trainer": 38, "logging": 20, "env": 30}
NESTED = 30  # callbacks.early (15) + callbacks (15): one more level, as configs have
BATCH = 500


def base(i: int, distinct: bool) -> dict[str, Any]:
    """200 leaves in seven sections; ``distinct`` makes every leaf depend on ``i``."""
    tag = i if distinct else 0
    cfg: dict[str, Any] = {}
    for section, n in SECTIONS.items():
        cfg[section] = {
            f"{section[:3]}_{k}": (k * 7 + tag) / 10
            if k % 3 == 0
            else k * 3 + tag
            if k % 3 == 1
            else f"{section}_{k}_{tag if distinct else 'x'}"
            for k in range(n)
        }
    half = NESTED // 2
    cfg["callbacks"] = {
        "early": {f"c{k}": f"cb{k}_{tag}" for k in range(half)},
        **{f"cal_{k}": k + tag for k in range(half)},
    }
    return cfg


@functools.cache
def _provenance(distinct: bool) -> dict[str, str]:
    """Every leaf's file:line (the same keys in every run of a data set: built once, copied)."""
    cfg = base(0, distinct)
    if not distinct:
        cfg["optimizer"]["lr"] = cfg["model"]["depth"] = cfg["data"]["bucket"] = 0
        cfg["trainer"]["seed"] = 0
    return {
        key: f"conf/{key.split('.')[0]}/default.yaml:{j % 40 + 1}"
        for j, (key, _) in enumerate(iter_leaves(cfg))
    }


@functools.cache
def _sweep_base() -> str:
    return json.dumps(base(0, False))  # a fresh copy per run is one json.loads


@functools.cache
def _accessed(distinct: bool) -> tuple[str, ...]:
    return tuple(sorted(_provenance(distinct))[:150])


@functools.cache
def _packages() -> dict[str, str]:
    return packages()  # reads every installed distribution's metadata: once per process


def record(i: int, n: int, distinct: bool) -> RunRecord:
    if distinct:
        cfg, overrides = base(i, True), []
    else:
        cfg = json.loads(_sweep_base())
        cfg["optimizer"]["lr"] = [0.1, 0.03, 0.01, 0.003, 0.001][i % 5]
        cfg["model"]["depth"] = [18, 34, 50, 101][(i // 5) % 4]
        cfg["data"]["bucket"] = "hit" if i % 1000 == 0 else f"b{i % 97}"
        cfg["trainer"]["seed"] = i
        overrides = [
            f"optimizer.lr={cfg['optimizer']['lr']}",
            f"model.depth={cfg['model']['depth']}",
            f"data.bucket={cfg['data']['bucket']}",
            f"trainer.seed={i}",
        ]
    provenance = dict(_provenance(distinct))
    for o in overrides:
        provenance[o.split("=")[0]] = f"override {o}"
    return RunRecord(
        config_name="train",
        overrides=overrides,
        choices={"model": "resnet", "optimizer": "adam", "data": "imagenet"},
        config=cfg,
        raw_config=cfg,
        provenance=provenance,
        git_commit="3f" * 20,
        git_branch="main",
        python="3.11.7",
        packages=dict(_packages()),
        argv=["train.py", *overrides],
        host="gpu-node-07",
        user="alice",
        cwd="/home/alice/project",
        started=1.7e9 + i,
        ended=1.7e9 + i + 3600,
        status="completed",
        pid=10_000 + i % 30_000,
        sweep_id=None if distinct else "multirun/2026-11-23/10-00-00",
        job_num=None if distinct else i,
        accessed=list(_accessed(distinct)),
        extra={"output_dir": f"/home/alice/project/outputs/{i}"},
    )


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, result


@contextmanager
def pg_schema(url: str, keep: bool = False) -> Iterator[str]:
    """A fresh schema on the server at ``url`` (dropped afterwards unless ``keep``)."""
    import psycopg

    schema = f"scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        if keep:
            print(f"kept: {url}{sep}options=-csearch_path%3D{schema}", flush=True)
        else:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def store_bytes(url: str) -> int:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return os.path.getsize(path)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        row = conn.execute(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0])


def fill(url: str, start: int, stop: int, n: int, distinct: bool) -> float:
    """Runs ``start`` to ``stop`` of ``n`` into the store; runs per second (records prebuilt)."""
    spent = 0.0
    with open_store(url) as store:
        for first in range(start, stop, BATCH):
            batch = [record(i, n, distinct) for i in range(first, min(stop, first + BATCH))]
            began = time.perf_counter()
            store.put_many(batch)
            spent += time.perf_counter() - began
    return (stop - start) / spent


def measure(
    url: str, n: int, distinct: bool, repeat: int, sizes: list[int]
) -> Iterator[dict[str, Any]]:
    """Fill to each of ``sizes`` in turn and measure there; ``gc`` at the last size only."""
    filled = 0
    for size in sizes:
        out: dict[str, Any] = {"runs": size}
        out["fill"] = fill(url, filled, size, n, distinct)
        filled = size
        out["bytes"] = store_bytes(url) / size
        out["open"], _ = median_ms(lambda: open_store(url).close(), repeat)
        with open_store(url) as store:
            out.update(reads(store, size, distinct, repeat))
            if size == sizes[-1]:
                doomed = [r.id for r in store.query(limit=max(1, size // 100))]
                store.delete(doomed)
                began = time.perf_counter()
                out["gc_removed"] = store.gc()
                out["gc"] = (time.perf_counter() - began) * 1000
                out["gc_runs"] = len(doomed)
        yield out


def reads(store: Any, size: int, distinct: bool, repeat: int) -> dict[str, Any]:
    """Query, list, show and compare times on a store of ``size`` runs."""
    out: dict[str, Any] = {}
    # The newest 1,000 runs by a range on a leaf unique to each run (a distinct node per hit);
    # and, on the sweep, a value 1 run in 1,000 shares (one node under many configs).
    section, key = ("trainer", "tra_1") if distinct else ("trainer", "seed")
    low = store.get("@latest").config[section][key] - 999  # the newest run's, so after gc too
    key = f"{section}.{key}"
    out["query"], got = median_ms(lambda: store.query([f"{key}>={low}"]), repeat)
    out["query_hits"] = len(got)
    if not distinct:
        out["bucket"], got = median_ms(lambda: store.query(["data.bucket==hit"]), repeat)
        out["bucket_hits"] = len(got)
    out["list"], _ = median_ms(lambda: store.query(limit=50), repeat)
    middle = store.resolve(f"@latest~{size // 2}")
    out["show"], _ = median_ms(lambda: store.get(middle), repeat)
    # Distinct runs differ in all 200 keys: a table of 200 columns, whose size, not the
    # store, sets the time; 1,000 of them are compared, the sweep's 10,000.
    k = min(size, 1_000 if distinct else 10_000)
    out["compare"], text = median_ms(lambda: render_table(compare_stored(store, limit=k)), repeat)
    out["compare_runs"] = k
    out["compare_keys"] = text.splitlines()[-1]
    return out


def mlflow_measure(folder: Path, n: int, distinct: bool, repeat: int) -> dict[str, Any]:
    from mlflow.entities import Param, RunTag, ViewType
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    path = folder / f"mlflow-{'distinct' if distinct else 'sweep'}-{n}.db"
    store = SqlAlchemyStore(f"sqlite:///{path}", str(folder / "artifacts"))
    spent = 0.0
    for i in range(n):
        rec = record(i, n, distinct)
        params = [Param(k, str(v)) for k, v in iter_leaves(rec.config)]
        tags = [
            RunTag("mlflow.source.git.commit", rec.git_commit or ""),
            RunTag("mlflow.source.name", "train.py"),
            RunTag("mlflow.user", rec.user),
            RunTag("host", rec.host),
        ]
        began = time.perf_counter()
        run = store.create_run("0", rec.user, int(rec.started * 1000), tags, "run")
        for k in range(0, len(params), 100):  # its per-request limit, as log_params splits
            store.log_batch(run.info.run_id, metrics=[], params=params[k : k + 100], tags=[])
        spent += time.perf_counter() - began
    out: dict[str, Any] = {"runs": n, "fill": n / spent, "bytes": path.stat().st_size / n}
    if distinct:  # params are strings: no range query returns the same 1,000 runs
        return out
    flt = "params.`data.bucket` = 'hit'"

    from store import mlflow_search_all  # the same paging as the store benchmark's

    out["query"], got = median_ms(lambda: mlflow_search_all(store, flt), max(1, repeat // 2))
    out["query_hits"] = len(got)
    out["list"], _ = median_ms(
        lambda: store.search_runs(["0"], "", ViewType.ALL, max_results=50), repeat
    )
    return out


def reads_only(url: str, distinct: bool, repeat: int) -> None:
    """``--reads URL``: the read measures again on a store kept by ``--keep``."""
    started = time.perf_counter()
    open_store(url).close()
    with open_store(url) as store:
        size = store.count()
        out = {"runs": size, "open": (time.perf_counter() - started) * 1000}
        out["open"], _ = median_ms(lambda: open_store(url).close(), repeat)
        out.update(reads(store, size, distinct, repeat))
    print(f"{'distinct' if distinct else 'sweep'} {url.split(':')[0]} {out}", flush=True)


def run(args: Any) -> None:
    """``benchmarks/store.py --scale``: print one result line per store as it is measured."""
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(args.keep or tmp)  # --keep DIR: the stores stay there, to read again
        folder.mkdir(parents=True, exist_ok=True)
        for name, n, distinct in (
            ("sweep", args.sweep_runs, False),
            ("distinct", args.distinct_runs, True),
        ):
            if not n:
                continue
            if args.mlflow_runs and "mlflow" in backends:
                try:
                    result = mlflow_measure(folder, min(n, args.mlflow_runs), distinct, args.repeat)
                except ImportError:
                    print(f"{name} mlflow: not installed (pip install mlflow)", flush=True)
                else:
                    print(f"{name} mlflow {result}", flush=True)
            sizes = sorted({k for k in (10_000, 30_000, 100_000, 300_000) if k < n} | {n})
            for backend in backends:
                if backend == "sqlite":
                    url = f"sqlite:///{folder / f'{name}.db'}"
                    for result in measure(url, n, distinct, args.repeat, sizes):
                        print(f"{name} sqlite {result}", flush=True)
                elif backend == "postgres":
                    server = args.pg_url or os.environ.get("CONFMAN_TEST_PG_URL")
                    if not server:
                        print(f"{name} postgres: no server (--pg-url)", flush=True)
                        continue
                    with pg_schema(server, keep=bool(args.keep)) as url:
                        for result in measure(url, n, distinct, args.repeat, sizes):
                            print(f"{name} postgres {result}", flush=True)
