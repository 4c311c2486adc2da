"""PostgreSQL's ``runs show`` and open, each beside SQLite's and beside what it was before.

    python benchmarks/store_pg.py --runs 5000 --pg-url URL [--repeat 11] [--rounds 5]

Fills ``--runs`` sweep runs (``store_scale.record``) into a SQLite file and a fresh PostgreSQL
schema, then reads runs spread over the store, alternating in one process: PostgreSQL's
``get`` (the run and its three trees in one statement), the generic ``SQLStore.get`` on the same
connection (resolve, the run row, then the trees level by level: what PostgreSQL did before),
and SQLite's ``get``. Then opening each store, alternating: a bare ``psycopg.connect`` (what
no PostgreSQL store can beat), ``open_store`` (the connection and one read of ``meta``), the
connection with the three reads the store made before (a ``to_regclass`` probe, the schema
version, the salt), and SQLite's ``open_store``. Prints the median of each per round, and the
ratios to SQLite.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from store_scale import fill, pg_schema

from confman.store import SQLStore, open_store


def _median_ms(get: object, refs: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        for ref in refs:
            began = time.perf_counter()
            get(ref)  # type: ignore[operator]
            samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def _open_before(url: str) -> None:
    """What ``open_store`` did on PostgreSQL before: connect, probe, version, salt."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SELECT to_regclass('meta')").fetchall()
    conn.execute("SELECT value FROM meta WHERE key = %s", ("schema_version",)).fetchall()
    conn.execute("SELECT value FROM meta WHERE key = %s", ("salt",)).fetchall()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000, help="sweep runs in each store")
    parser.add_argument("--pg-url", required=True, help="a PostgreSQL server (a schema is made)")
    parser.add_argument("--repeat", type=int, default=11, help="reads of each run per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each backend in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, pg_schema(args.pg_url) as pg_url:
        sqlite_url = f"sqlite:///{Path(tmp) / 'show.db'}"
        for url in (sqlite_url, pg_url):
            fill(url, 0, args.runs, args.runs, distinct=False)
        with open_store(sqlite_url) as lite, open_store(pg_url) as pg:
            step = max(1, args.runs // 20)
            at = [f"@latest~{k}" for k in range(0, args.runs, step)]
            pg_refs, lite_refs = [pg.resolve(r) for r in at], [lite.resolve(r) for r in at]
            assert all(pg.get(r).to_json() == SQLStore.get(pg, r).to_json() for r in pg_refs)
            for n in range(args.rounds):
                one = _median_ms(pg.get, pg_refs, args.repeat)
                levels = _median_ms(lambda r: SQLStore.get(pg, r), pg_refs, args.repeat)
                file = _median_ms(lite.get, lite_refs, args.repeat)
                print(
                    f"round {n}: PostgreSQL one statement {one:.3f} ms, level by level "
                    f"{levels:.3f} ms; SQLite {file:.3f} ms; ratios {one / file:.2f}x "
                    f"(before {levels / file:.2f}x)",
                    flush=True,
                )
        for n in range(args.rounds):
            bare = _median_ms(lambda u: psycopg.connect(u, autocommit=True).close(), [pg_url], 31)
            now = _median_ms(lambda u: open_store(u).close(), [pg_url], 31)
            before = _median_ms(_open_before, [pg_url], 31)
            file = _median_ms(lambda u: open_store(u).close(), [sqlite_url], 31)
            print(
                f"open round {n}: psycopg.connect {bare:.2f} ms, open_store {now:.2f} ms "
                f"(before {before:.2f}); SQLite {file:.2f} ms; confman's part "
                f"{now - bare:.2f} ms (before {before - bare:.2f}); ratio {now / file:.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
