"""Store faults, counted: the figures behind RELIABILITY.md's "Store faults" section.

Each fault is made for real and the runs are counted (written / recovered / lost):

1. damaged pages: a page of garbage written at 40 places across a 300-run runs.db; readers must
   serve what is readable and raise only ``StoreError`` (never a raw sqlite3 error);
2. disk full: runs recorded (start + end writes, like a training) into a 256k tmpfs until it
   fills; the records refused go to the journal; the tmpfs is grown and the journal imported;
3. read-only: the store folder bind-mounted read-only; every run listed, writes refused;
4. kill -9: a writer killed mid-write 20 times (SQLite, and PostgreSQL when
   ``CONFMAN_TEST_PG_URL`` is set); every acknowledged run present, every record complete;
5. 16 writers x 200 runs at once, both backends.

2 and 3 need root (mount); they are reported as skipped otherwise.

Usage: python benchmarks/store_faults.py
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from confman.record.recorder import Recording
from confman.store import RunRecord, StoreError, journal, open_store


def make(i: int) -> RunRecord:
    config = {"i": i, "model": {"name": f"m{i % 7}"}, "optimizer": {"lr": i / 1000}}
    config["pad"] = "x" * 200
    return RunRecord(config_name="train", config=config, raw_config=config, status="completed")


def damaged_pages(work: Path) -> str:
    base = work / "base.db"
    with open_store(base) as store:
        for i in range(300):
            store.put(make(i))
    pages = base.stat().st_size // 4096
    served, partial, reported, escapes = [], 0, 0, 0
    positions = sorted({max(2, pages * k // 40) for k in range(40)})
    for page in positions:
        copy = work / f"d{page}.db"
        shutil.copy(base, copy)
        with copy.open("r+b") as f:
            f.seek((page - 1) * 4096)
            f.write(b"\xde\xad\xbe\xef" * 1024)
        try:
            with open_store(copy) as store:
                runs = store.query()
                served.append(len(runs))
                partial += sum(1 for r in runs if "damaged" in r.extra)
                reported += store.damage is not None
        except StoreError:
            served.append(0)
            reported += 1
        except Exception:  # a raw driver error: what this section must never see
            escapes += 1
    lost = [300 - n for n in served]
    return (
        f"| damaged page | a page of garbage at {len(positions)} places in a 300-run store "
        f"({pages} pages) | damage reported in one line at {reported} places (the others hit "
        f"pages a full listing does not read); {sum(served)} of {300 * len(served)} runs "
        f"served, {partial} of them without their raw config; {escapes} raw driver errors | "
        f"{sum(lost)} runs in all ({max(lost)} at worst, at one place), the rows on the "
        f"garbled page |"
    )


def _mount(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    cmd = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def disk_full(work: Path) -> str:
    small = work / "small"
    if not _mount(small, "256k"):
        return "| disk full | skipped (mount needs root) | | |"
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    try:
        url = f"sqlite:///{small / 'runs.db'}"
        total = 200
        for i in range(total):
            rec = make(i)
            rec.status = "running"
            recording = Recording(rec, url, root=work)
            recording._put()
            recording.finish()
        with open_store(url) as store:
            direct = store.count()
        waiting = journal.pending(work, url)
        subprocess.run(["mount", "-o", "remount,size=8m", str(small)], check=True)
        with open_store(url) as store:
            recovered = len(journal.recover(store, waiting).imported)
            final = store.count()
            completed = len(store.query(status="completed"))
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
    return (
        f"| disk full (256k tmpfs) | {total} runs recorded (start + end write each) | "
        f"{direct} written, {len(waiting)} journaled, {recovered} recovered after growing "
        f"the disk; {final} in the store, {completed} completed | {total - final} lost |"
    )


def read_only(work: Path) -> str:
    folder = work / "ro"
    folder.mkdir()
    with open_store(folder / "runs.db") as store:
        for i in range(50):
            store.put(make(i))
    bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bound.returncode:
        return "| read-only folder | skipped (bind mount needs root) | | |"
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        with open_store(folder / "runs.db") as store:
            listed = len(store.query())
            try:
                store.put(make(99))
                refused = "write accepted"
            except StoreError as exc:
                refused = f"write refused ({exc.hint})"
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    return f"| read-only folder (ro bind mount) | 50 runs | {listed} listed; {refused} | 0 lost |"


WRITER = r"""
import sys
from confman.store import RunRecord, open_store
with open_store(sys.argv[1]) as store:
    i = int(sys.argv[2])
    while True:
        c = {"i": i, "layers": {f"l{k}": {"w": k * i} for k in range(150)}, "n": "x" * 20000}
        store.put(RunRecord(config=c, raw_config=c, status="completed"))
        print(i, flush=True)
        i += 1
"""


def kill9(url: str, kills: int = 20) -> str:
    open_store(url).close()
    acknowledged: set[int] = set()
    for k in range(kills):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(k * 10_000)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        for _ in range(3 + k % 5):
            acknowledged.add(int(writer.stdout.readline()))
        time.sleep(0.002 * (k % 7))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        acknowledged |= {int(x) for x in rest.split()}
    integrity = "n/a"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
    with open_store(url) as store:
        runs = store.query()
    stored = {r.config["i"] for r in runs}
    incomplete = sum(
        1
        for r in runs
        if r.config.get("n") != "x" * 20000 or len(r.config.get("layers", {})) != 150
    )
    backend = url.split(":")[0]
    return (
        f"| kill -9 mid-write ({backend}) | {kills} kills | {len(acknowledged)} acknowledged, "
        f"{len(stored)} stored ({len(stored - acknowledged)} committed just before the kill), "
        f"{incomplete} incomplete, integrity_check {integrity} | "
        f"{len(acknowledged - stored)} lost |"
    )


def _writer(args: tuple[str, int]) -> int:
    url, worker = args
    with open_store(url) as store:
        for i in range(200):
            c = {"worker": worker, "i": i}
            store.put(RunRecord(config=c, raw_config=c, status="completed"))
    return 200


def concurrent(url: str) -> str:
    open_store(url).close()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(16) as pool:
        written = sum(pool.map(_writer, [(url, w) for w in range(16)]))
    seconds = time.perf_counter() - start
    with open_store(url) as store:
        stored = store.count()
    return (
        f"| 16 writers x 200 runs ({url.split(':')[0]}) | {written} written in {seconds:.1f} s | "
        f"{stored} stored | {written - stored} lost |"
    )


def _pg_schema() -> str | None:
    url = os.environ.get("CONFMAN_TEST_PG_URL")
    if not url:
        return None
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = [damaged_pages(work), disk_full(work), read_only(work)]
        rows.append(kill9(f"sqlite:///{work / 'kill.db'}"))
        rows.append(concurrent(f"sqlite:///{work / 'many.db'}"))
        for label, fn in (("kill", kill9), ("many", concurrent)):
            pg = _pg_schema()
            rows.append(fn(pg) if pg else f"| {label} (postgresql) | skipped: no server | | |")
    print("| fault | tried | what happened | lost |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
