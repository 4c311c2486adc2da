"""`runs list` and `gc` on PostgreSQL beside SQLite, on the same runs, interleaved.

    python benchmarks/store_side.py --runs 30000 --pg-url URL [--rounds 5] [--keep DIR]
    python benchmarks/store_side.py --sqlite-url sqlite:///DIR/side.db --pg-url URL_WITH_SCHEMA

Fills ``--runs`` sweep runs (``store_scale.record``, through ``Store.put_many``) into a SQLite
file and a fresh PostgreSQL schema, or reads the two stores given (``--sqlite-url`` and a
``--pg-url`` whose schema already holds them). Then, ``--rounds`` times, each backend in turn:
``runs list``'s first page (``query(limit=50)``, median of ``--repeat`` on an open store, and
as the first statements on a connection just opened), and
deleting the newest 1% of the runs then ``gc`` (each round deletes other, comparable runs: every
sweep run has its own seed, so its own top node, trainer section and provenance). Prints per
round the medians, ``gc`` per deleted run, the ratios, and how many statements (and, on
PostgreSQL, round trips, from libpq's protocol trace) each operation made.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from store_scale import fill, median_ms, pg_schema

from confman.store import SQLStore, open_store


@contextmanager
def statements(store: SQLStore) -> Iterator[Callable[[], tuple[int, int]]]:
    """(statements executed, round trips) during the block: SQLite's trace callback (one call
    per statement run, each row of an ``executemany`` included; no round trips), or libpq's
    protocol trace (a ``CommandComplete`` per statement, a ``ReadyForQuery`` per round trip)."""
    conn = store._conn
    counted: list[tuple[int, int]] = []
    if isinstance(conn, sqlite3.Connection):
        calls: list[str] = []
        conn.set_trace_callback(calls.append)
        try:
            yield lambda: counted[0]
        finally:
            conn.set_trace_callback(None)
            counted.append((len(calls), 0))
        return
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        try:
            yield lambda: counted[0]
        finally:
            conn.pgconn.untrace()
            trace.seek(0)
            lines = [line for line in trace.readlines() if "\tB\t" in line]
            counted.append(
                (
                    sum("CommandComplete" in line for line in lines),
                    sum("ReadyForQuery" in line for line in lines),
                )
            )


def cold_list_ms(url: str, repeat: int) -> float:
    """The first page as ``confman runs list`` reads it: the first statements on a connection
    just opened (its opening not counted)."""
    samples = []
    for _ in range(repeat):
        with open_store(url) as store:
            began = time.perf_counter()
            store.query(limit=50)
            samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def gc_round(store: SQLStore, share: float) -> tuple[float, int, dict[str, int], float]:
    """Delete the newest ``share`` of the runs, then ``gc``: its ms, the runs, what it removed,
    and the ms the delete took."""
    doomed = [r.id for r in store.query(limit=max(1, int(store.count() * share)))]
    began = time.perf_counter()
    store.delete(doomed)
    deleted = time.perf_counter()
    removed = store.gc()
    return (time.perf_counter() - deleted) * 1000, len(doomed), removed, (deleted - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30000, help="sweep runs to fill each store")
    parser.add_argument("--pg-url", required=True, help="a PostgreSQL server (a schema is made)")
    parser.add_argument("--sqlite-url", help="read these stores, filled before, instead of filling")
    parser.add_argument("--keep", help="fill into this folder and keep both stores")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each backend in turn")
    parser.add_argument("--repeat", type=int, default=11, help="`runs list` calls per round")
    parser.add_argument("--share", type=float, default=0.01, help="runs deleted per gc round")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.sqlite_url:
            urls = {"sqlite": args.sqlite_url, "postgres": args.pg_url}
        else:
            folder = Path(args.keep or stack.enter_context(tempfile.TemporaryDirectory()))
            pg_url = stack.enter_context(pg_schema(args.pg_url, keep=bool(args.keep)))
            urls = {"sqlite": f"sqlite:///{folder / 'side.db'}", "postgres": pg_url}
            for url in urls.values():
                print(f"filled {args.runs / fill(url, 0, args.runs, args.runs, False):.0f} s")
        stores = {name: stack.enter_context(open_store(url)) for name, url in urls.items()}
        for name, store in stores.items():
            store.query(limit=50)
            with statements(store) as count:
                store.query(limit=50)
            print(f"{name}: {store.count()} runs; list makes (statements, round trips) {count()}")
        for n in range(args.rounds):
            listed = {
                name: median_ms(partial(store.query, limit=50), args.repeat)[0]
                for name, store in stores.items()
            }
            cold = {name: cold_list_ms(url, args.repeat) for name, url in urls.items()}
            collected: dict[str, Any] = {}
            for name, store in stores.items():
                with statements(store) as count:
                    ms, runs, removed, deleting = gc_round(store, args.share)
                collected[name] = (ms, runs, removed, count(), deleting)
            lite, pg = collected["sqlite"], collected["postgres"]
            print(
                f"round {n}: list SQLite {listed['sqlite']:.2f} ms, PostgreSQL "
                f"{listed['postgres']:.2f} ms ({listed['postgres'] / listed['sqlite']:.2f}x), on a "
                f"new connection SQLite {cold['sqlite']:.2f} ms, PostgreSQL {cold['postgres']:.2f} "
                f"ms ({cold['postgres'] / cold['sqlite']:.2f}x); "
                f"gc SQLite {lite[0]:.0f} ms / {lite[1]} runs = {lite[0] / lite[1]:.3f} ms a run, "
                f"PostgreSQL {pg[0]:.0f} ms / {pg[1]} = {pg[0] / pg[1]:.3f} "
                f"({pg[0] / pg[1] / (lite[0] / lite[1]):.2f}x); removed {pg[2]}; the delete "
                f"SQLite {lite[4]:.0f} ms, PostgreSQL {pg[4]:.0f} ms; "
                f"delete+gc (statements, round trips) SQLite {lite[3]}, PostgreSQL {pg[3]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
