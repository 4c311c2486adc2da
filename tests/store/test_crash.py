"""kill -9 in the middle of writing runs: the store afterwards holds complete records only, and
every run the writer saw committed is there (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import time

from confman.store import open_store

# A writer that prints each run's id once ``put`` returned (so: committed). Its configs are big
# (hundreds of leaves, a long text) so that a kill lands inside a write.
WRITER = r"""
import sys
from confman.store import RunRecord, open_store

def config(i):
    return {"i": i, "layers": {f"l{k}": {"width": k * i, "act": "relu"} for k in range(150)},
            "notes": "x" * (20000 + i)}

with open_store(sys.argv[1]) as store:
    i = int(sys.argv[2])
    while True:
        c = config(i)
        rec = store.put(RunRecord(config_name="train", config=c, raw_config=c, status="completed"))
        print(rec.id, i, flush=True)
        i += 1
"""

KILLS = 4


def expected(i: int) -> str:
    """A digest of writer config ``i`` (recomputed here, independently of the store)."""
    layers = {f"l{k}": {"width": k * i, "act": "relu"} for k in range(150)}
    config = {"i": i, "layers": layers, "notes": "x" * (20000 + i)}
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def test_sigkill_mid_write_leaves_complete_records_only(store_url: str) -> None:
    open_store(store_url).close()
    acknowledged: set[str] = set()
    start = 0
    for kill in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        for _ in range(5 + 7 * kill):  # kill after a different number of runs each time
            run_id, i = writer.stdout.readline().split()
            acknowledged.add(run_id)
        time.sleep(0.003 * kill)  # and at a different point of the next write
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        acknowledged |= {line.split()[0] for line in rest.splitlines() if line.strip()}
        start = int(i) + 1000
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    with open_store(store_url) as store:
        runs = store.query()
        assert acknowledged <= {r.id for r in runs}  # nothing the writer saw committed is lost
        assert len(runs) <= len(acknowledged) + KILLS  # at most one unacknowledged per kill
        for run in runs:  # complete records only: config, raw config and index all there
            digest = hashlib.sha256(json.dumps(run.config, sort_keys=True).encode()).hexdigest()
            assert digest == expected(run.config["i"]) and run.raw_config == run.config
            assert store.query([f"layers.l149.width=={149 * run.config['i']}"], limit=None)
