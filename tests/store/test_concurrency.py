"""16 processes x 200 runs writing at once lose nothing, on both backends."""

from __future__ import annotations

import multiprocessing

from confman.store import RunRecord, open_store
from confman.store.migrations import SCHEMA_VERSION

PROCS, RUNS = 16, 200


def _writer(args: tuple[str, int]) -> list[str]:
    url, worker = args
    ids = []
    with open_store(url) as store:
        for i in range(RUNS):
            # Half the configs are shared between workers: concurrent inserts of one fingerprint.
            config = {"worker": worker % 2, "i": i % 5, "optimizer": {"lr": i / 100}}
            rec = RunRecord(
                config_name="train", config=config, raw_config=config, status="completed"
            )
            ids.append(store.put(rec).id)
    return ids


def test_concurrent_writers_lose_nothing(store_url: str) -> None:
    open_store(store_url).close()  # create the schema once, like a first run would
    with multiprocessing.get_context("fork").Pool(PROCS) as pool:
        written = [
            i for ids in pool.map(_writer, [(store_url, w) for w in range(PROCS)]) for i in ids
        ]
    assert len(set(written)) == PROCS * RUNS
    with open_store(store_url) as store:
        assert store.count() == PROCS * RUNS
        assert {r.id for r in store.query()} == set(written)
        assert len(store.query(["worker==1", "optimizer.lr>=0.25"])) == PROCS // 2 * (RUNS - 25)
        assert store._read("SELECT COUNT(DISTINCT config) FROM runs")[0][0] == 2 * RUNS
        # Every distinct config is indexed once (its top node placed once), whoever wrote it.
        assert store._read("SELECT COUNT(*) FROM placements WHERE key = 0")[0][0] == 2 * RUNS


def test_concurrent_first_open_migrates_once(store_url: str) -> None:
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_open, [store_url] * 4)
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION == 3


def _open(url: str) -> None:
    open_store(url).close()
