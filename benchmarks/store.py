"""Run store vs MLflow's SQLite tracking store, same machine, same data, same process.

Measures (medians of several repeats):
- write: one run with 50 params, confman ``Store.put`` vs MLflow ``create_run`` + ``log_batch``
  (params) + ``update_run_info`` (end), both on SQLite files in a temp dir.
- query: a filtered query returning 1,000 runs out of N, confman ``Store.query(["p07>=..."])`` vs
  MLflow ``search_runs`` with the equivalent ``params.p07`` filter. MLflow params are strings, so
  the MLflow filter is an equality on a categorical param both sides share.
- tracking overhead: reading 50 leaves through the access-tracking view vs the plain DictConfig.

Usage: python benchmarks/store.py [--runs 100000] [--mlflow-runs 10000] [--repeat 5]

``--scale`` runs the team-scale benchmark instead (``benchmarks/store_scale.py``):
python benchmarks/store.py --scale [--sweep-runs 1000000] [--distinct-runs 100000]
    [--backends mlflow,sqlite,postgres] [--pg-url URL] [--mlflow-runs 10000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from confman.store import RunRecord, open_store

PARAMS = 50


def config(i: int, n: int = 100_000) -> dict[str, Any]:
    """50 params: 'bucket' is "hit" for exactly 1,000 of n runs; 49 numbers/strings varying by run."""  # noqa: E501
    data: dict[str, Any] = {"bucket": "hit" if i % max(1, n // 1000) == 0 else f"m{i % 97}"}
    for k in range(1, PARAMS):
        data[f"p{k:02d}"] = (i * 31 + k) % 997 / 7 if k % 2 else f"v{(i + k) % 13}"
    return data


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_confman_write(folder: Path, n: int) -> list[float]:
    times = []
    with open_store(f"sqlite:///{folder / 'confman.db'}") as store:
        for i in range(n):
            rec = RunRecord(
                config_name="train", config=config(i), raw_config=config(i), status="completed"
            )
            start = time.perf_counter()
            store.put(rec)
            times.append(time.perf_counter() - start)
    return times


def _mlflow_store(path: Path) -> Any:
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    return SqlAlchemyStore(f"sqlite:///{path}", str(path.parent / "artifacts"))


def bench_mlflow_write(folder: Path, n: int) -> list[float]:
    from mlflow.entities import Param, RunStatus

    store = _mlflow_store(folder / "mlflow.db")
    times = []
    for i in range(n):
        params = [Param(k, str(v)) for k, v in config(i).items()]
        start = time.perf_counter()
        run = store.create_run("0", "bench", int(time.time() * 1000), [], "run")
        store.log_batch(run.info.run_id, metrics=[], params=params, tags=[])
        store.update_run_info(run.info.run_id, RunStatus.FINISHED, int(time.time() * 1000), None)
        times.append(time.perf_counter() - start)
    return times


def fill_confman(path: Path, n: int) -> Any:
    store = open_store(f"sqlite:///{path}")
    for start in range(0, n, 500):  # the batched write path: one transaction per 500 runs
        batch = [config(i, n) for i in range(start, min(n, start + 500))]
        store.put_many(
            [
                RunRecord(config_name="train", config=c, raw_config=c, status="completed")
                for c in batch
            ]
        )
    return store


def fill_mlflow(path: Path, n: int) -> Any:
    from mlflow.entities import Param

    store = _mlflow_store(path)
    for i in range(n):
        run = store.create_run("0", "bench", int(time.time() * 1000), [], "run")
        store.log_batch(
            run.info.run_id,
            metrics=[],
            params=[Param(k, str(v)) for k, v in config(i, n).items()],
            tags=[],
        )
    return store


def time_it(fn: Any, repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return median_ms(samples), result


def bench_tracking(repeat: int) -> tuple[float, float]:
    from omegaconf import OmegaConf

    from confman.record.tracking import track

    cfg = OmegaConf.create({"section": config(0)})
    keys = list(config(0))

    def plain() -> None:
        for _ in range(200):
            for k in keys:
                cfg.section[k]

    def tracked() -> None:
        view, _ = track(cfg)
        for _ in range(200):
            for k in keys:
                view.section[k]

    return time_it(plain, repeat)[0], time_it(tracked, repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--mlflow-runs", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", action="store_true", help="the team-scale benchmark")
    parser.add_argument("--sweep-runs", type=int, default=1_000_000)
    parser.add_argument("--distinct-runs", type=int, default=100_000)
    parser.add_argument("--backends", default="mlflow,sqlite,postgres")
    parser.add_argument("--pg-url", default=None, help="default: CONFMAN_TEST_PG_URL")
    parser.add_argument("--tmp", default=None, help="where the stores are built")
    parser.add_argument("--keep", default=None, help="build the stores in DIR and keep them")
    parser.add_argument("--reads", default=None, help="with --scale: only the read measures")
    parser.add_argument("--distinct", action="store_true", help="--reads: a distinct store")
    args = parser.parse_args()
    if args.scale and args.reads:
        from store_scale import reads_only

        reads_only(args.reads, args.distinct, args.repeat)
        return
    if args.scale:
        from store_scale import run

        run(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cw = median_ms(bench_confman_write(folder, args.writes))
        mw = median_ms(bench_mlflow_write(folder, args.writes))
        print(
            f"write, 50 params/run ({args.writes} runs): confman {cw:.2f} ms  mlflow {mw:.2f} ms  -> {mw / cw:.1f}x"  # noqa: E501
        )

        cstore = fill_confman(folder / "cq.db", args.runs)
        cq, got = time_it(lambda: cstore.query(["bucket==hit"]), args.repeat)
        print(f"query 1,000 of {args.runs} runs (confman returns {len(got)}): {cq:.1f} ms")
        # Same selectivity on MLflow: 1,000 of its runs.
        mstore = fill_mlflow(folder / "mq.db", args.mlflow_runs)
        mq, mgot = time_it(
            lambda: list(mlflow_search_all(mstore, "params.bucket = 'hit'")),
            max(1, args.repeat // 2),
        )
        print(f"query 1,000 of {args.mlflow_runs} runs (mlflow returns {len(mgot)}): {mq:.1f} ms")
        # And confman at MLflow's size, for the like-for-like ratio.
        small = fill_confman(folder / "cs.db", args.mlflow_runs)
        sq, sgot = time_it(lambda: small.query(["bucket==hit"]), args.repeat)
        print(
            f"query 1,000 of {args.mlflow_runs} runs (confman returns {len(sgot)}): {sq:.1f} ms -> {mq / sq:.1f}x at equal size"  # noqa: E501
        )
        print(
            f"mlflow at {args.mlflow_runs} vs confman at {args.runs} (1,000 runs returned): {mq / cq:.1f}x"  # noqa: E501
        )
        plain, tracked = bench_tracking(args.repeat)
        print(
            f"access tracking: 10,000 leaf reads plain {plain:.1f} ms, tracked {tracked:.1f} ms -> {tracked / plain:.2f}x"  # noqa: E501
        )


def mlflow_search_all(store: Any, flt: str) -> list[Any]:
    """Every run of MLflow's store matching ``flt``, page by page (its pages hold 1,000)."""
    from mlflow.entities import ViewType

    runs, token = [], None
    while True:
        page = store.search_runs(["0"], flt, ViewType.ALL, max_results=1000, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            return runs


if __name__ == "__main__":
    main()
