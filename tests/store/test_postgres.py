"""PostgreSQL specifics: one run is read in one round trip to a real server; ``gc`` deletes
rows a batch per statement."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from confman.store import RunRecord, SQLStore, open_store
from confman.store.gc import collect


def deep_record(seed: int) -> RunRecord:
    """A run whose config is six mappings deep, with nested provenance: read level by level,
    its trees take six or more queries."""
    config = {"a": {"b": {"c": {"d": {"e": {"seed": seed, "lr": 0.1}, "f": 1}}}}, "top": "x"}
    return RunRecord(
        config_name="train",
        config=config,
        raw_config=config,
        provenance={"a.b.c.d.e.seed": "overrides: a.b.c.d.e.seed", "top": "train.yaml:1"},
        accessed=["a.b.c.d.e.seed"],
        overrides=[f"a.b.c.d.e.seed={seed}"],
        patch="diff --git a/x b/x\n",
        git_dirty=True,
    )


@contextmanager
def traced(store: SQLStore, message: str) -> Iterator[Callable[[], int]]:
    """Count the server's ``message``s during the block, from libpq's own protocol trace."""
    conn = store._conn
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        counted: list[int] = []
        try:
            yield lambda: counted[0]
        finally:
            conn.pgconn.untrace()
            trace.seek(0)
            counted.append(sum("\tB\t" in line and message in line for line in trace.readlines()))


def round_trips(store: SQLStore) -> AbstractContextManager[Callable[[], int]]:
    """Count the exchanges with the server (one ``ReadyForQuery`` ends each round trip)."""
    return traced(store, "ReadyForQuery")


def statements(store: SQLStore) -> AbstractContextManager[Callable[[], int]]:
    """Count the statements the server ran (a ``CommandComplete`` each, pipelined ones too)."""
    return traced(store, "CommandComplete")


def test_a_run_and_its_three_trees_come_in_one_round_trip(pg_schema_url: str) -> None:
    with open_store(pg_schema_url) as store:
        written = [store.put(deep_record(seed)) for seed in range(3)]
        target = written[1]
        with round_trips(store) as by_id:
            got = store.get(target.id)
        with round_trips(store) as by_prefix:
            assert store.get(target.id[:10]).to_json() == got.to_json()
        with round_trips(store) as by_latest:
            latest = store.get("@latest~1")
        assert (by_id(), by_prefix(), by_latest()) == (1, 1, 2)  # @latest~N is looked up first
        assert latest.to_json() == got.to_json()
        # The same record as the batch reader (level by level) builds, and as was written.
        (queried,) = [r for r in store.query() if r.id == target.id]
        assert got.to_json() == queried.to_json()
        assert got.config == target.config and got.patch == target.patch
        assert got.provenance == target.provenance and got.accessed == target.accessed


def test_opening_a_current_store_reads_its_schema_in_one_round_trip(pg_schema_url: str) -> None:
    with open_store(pg_schema_url) as created:
        salt = created.salt
    with open_store(pg_schema_url) as store:
        with round_trips(store) as count:
            assert store._migrate() == salt  # what the constructor runs after connecting
        assert count() == 1


def wide_record(seed: int) -> RunRecord:
    """A run whose 60 leaves are its own (none shared with another seed's run)."""
    config = {f"s{k}": {f"v{j}": seed * 1000 + k * 10 + j for j in range(10)} for k in range(6)}
    return RunRecord(config_name="train", config=config, raw_config=config)


def test_gc_deletes_rows_a_batch_per_statement_not_a_statement_per_row(
    pg_schema_url: str,
) -> None:
    """20 deleted runs are 1,200 leaf rows and 140 nodes: ``gc`` removes them in a few
    statements per batch of the queue (23 here), where a statement per row (the old
    ``executemany``, one pipelined statement each on the server) made 1,783; ``delete``
    resolves the refs together and queues their trees in one statement (7 in all; 46 with a
    round trip per ref and a statement per queued tree)."""
    with open_store(pg_schema_url) as store:
        runs = [store.put(wide_record(seed)) for seed in range(30)]
        with statements(store) as deleting:
            store.delete([r.id for r in runs[:20]])
        with statements(store) as collecting:
            removed = store.gc()
        assert removed == {"configs": 20, "leaves": 1200, "nodes": 140, "blobs": 0}
        assert deleting() <= 8  # the refs resolved together, then one statement per table
        assert collecting() <= 40  # 1,783 a statement per row
        assert store.query(["s0.v0==0"]) == [] and store.count() == 10
        kept = store.query(["s5.v9>=25059"])
        assert [r.id for r in kept] == [r.id for r in reversed(runs[25:])]
        assert kept[0].config == runs[-1].config


def test_each_level_of_the_trees_a_query_reads_is_one_statement(pg_schema_url: str) -> None:
    """The nodes of a level go as one array parameter: 600 runs (about 1,200 roots, 4,800
    nodes below) take as many round trips as 5 runs, where ``IN`` lists of 500 ids took one
    per 500."""
    with open_store(pg_schema_url) as store:
        runs = store.put_many([wide_record(seed) for seed in range(600)])
        with round_trips(store) as few:
            newest = store.query(limit=5)
        with round_trips(store) as many:
            every = store.query()
        assert few() == many() <= 5
        assert [r.id for r in every] == [r.id for r in reversed(runs)]
        assert every[:5] == newest and every[-1].config == runs[0].config


class _Explaining:
    """A cursor that has the server plan each set-based delete before running it."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur
        self.plans: list[str] = []

    def execute(self, sql: str, params: Any = None) -> None:
        if sql.startswith("DELETE") and "unnest" in sql:
            self.cur.execute("EXPLAIN " + sql, params)
            self.plans.append("\n".join(line for (line,) in self.cur.fetchall()))
        self.cur.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> None:
        self.cur.executemany(sql, rows)

    def fetchall(self) -> Any:
        return self.cur.fetchall()


def test_gc_finds_each_row_it_deletes_by_its_key(pg_schema_url: str) -> None:
    """A batch of 1,200 leaf rows is deleted by a probe of the primary key a row, not by a
    hash or merge join over the whole table, which the planner picks when it costs the probes
    as random reads (on a large store: a scan of millions of rows for each batch)."""
    with open_store(pg_schema_url) as store:
        runs = [store.put(wide_record(seed)) for seed in range(30)]
        store.delete([r.id for r in runs[:20]])
        with store._transaction("collect garbage in") as cur:
            explaining = _Explaining(cur)
            assert collect(explaining, store._sql, arrays=True)["leaves"] == 1200
    assert len(explaining.plans) >= 3
    assert not [plan for plan in explaining.plans if "Hash Join" in plan or "Merge Join" in plan]
