"""PostgreSQL specifics: one run is read in one round trip to a real server."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from confman.store import RunRecord, SQLStore, open_store


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
def round_trips(store: SQLStore) -> Iterator[Callable[[], int]]:
    """Count the exchanges with the server during the block, from libpq's own protocol trace
    (one ``ReadyForQuery`` ends each statement's round trip)."""
    conn = store._conn
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        counted: list[int] = []
        try:
            yield lambda: counted[0]
        finally:
            conn.pgconn.untrace()
            trace.seek(0)
            counted.append(
                sum("\tB\t" in line and "ReadyForQuery" in line for line in trace.readlines())
            )


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
