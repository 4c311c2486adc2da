"""The store contract, run against both backends (see conftest)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from confman.store import RunNotFoundError, RunRecord, SQLStore, StoreError, WhereError, open_store
from confman.store.base import SCHEMA_VERSION


def make(lr: float = 0.1, name: str = "resnet", **fields: object) -> RunRecord:
    config = {
        "model": {"name": name, "depth": 18},
        "optimizer": {"lr": lr, "momentum": 0.9},
        "trainer": {"tags": ["baseline", "gpu"], "fast": False, "seed": None},
        "db": {"password": "hunter2"},
    }
    return RunRecord(config_name="train", config=config, raw_config=config, **fields)  # type: ignore[arg-type]


def test_put_get_roundtrip(store: SQLStore) -> None:
    rec = make(overrides=["optimizer.lr=0.1"], patch="diff --git a/x b/x\n", git_dirty=True)
    store.put(rec)
    got = store.get(rec.id)
    assert got.id == rec.id
    assert got.overrides == ["optimizer.lr=0.1"]
    assert got.config["optimizer"] == {"lr": 0.1, "momentum": 0.9}
    assert got.patch == "diff --git a/x b/x\n"
    assert got.fingerprint == store.get(rec.id[:12]).fingerprint


def test_secrets_are_markers_not_clear_text(store: SQLStore) -> None:
    a = store.put(make())
    b = store.put(make())
    c = store.put(make(extra={}))
    c_changed = make()
    c_changed.config["db"]["password"] = "other"
    d = store.put(c_changed)
    stored = store.get(a.id).config["db"]["password"]
    assert "hunter2" not in stored and stored.startswith("<secret:")
    assert (
        store.get(b.id).config["db"]["password"]
        == stored
        == store.get(c.id).config["db"]["password"]
    )
    assert store.get(d.id).config["db"]["password"] != stored
    assert "hunter2" not in str(store.get(a.id).to_json())


def test_secret_paths_redact_non_matching_keys(store: SQLStore) -> None:
    rec = make()
    rec.config["model"]["weights_url"] = "https://user:pw@host/x"
    stored = store.put(rec, secret_paths=["model.weights_url"])
    assert stored.config["model"]["weights_url"].startswith("<secret:")


def test_identical_configs_stored_once(store: SQLStore) -> None:
    for _ in range(3):
        store.put(make())
    store.put(make(lr=0.2))
    assert store._read("SELECT COUNT(DISTINCT config) FROM runs")[0][0] == 2
    assert store._read("SELECT COUNT(*) FROM placements WHERE key = 0")[0][0] == 2
    assert store._read("SELECT COUNT(*) FROM runs")[0][0] == 4


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("optimizer.lr>=0.05", {0.1, 0.3}),
        ("optimizer.lr<0.05", {0.01}),
        ("optimizer.lr==0.3", {0.3}),
        ("optimizer.lr!=0.3", {0.1, 0.01}),
        ("model.name==vit", {0.3}),
        ("model.name~=res", {0.1, 0.01}),
        ("trainer.tags~=gpu", {0.1, 0.01, 0.3}),
        ("trainer.fast==false", {0.1, 0.01, 0.3}),
        ("trainer.seed==null", {0.1, 0.01, 0.3}),
        ("model.depth==18", {0.1, 0.01, 0.3}),
        ("no.such.key==1", set()),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_query_where(store: SQLStore, where: str, expected: set[float]) -> None:
    store.put(make(lr=0.1))
    store.put(make(lr=0.01))
    store.put(make(lr=0.3, name="vit"))
    got = {r.config["optimizer"]["lr"] for r in store.query([where])}
    assert got == expected


def test_query_filters_and_order(store: SQLStore) -> None:
    old = store.put(make(started=time.time() - 10 * 86400, status="completed"))
    mid = store.put(make(lr=0.2, status="failed", error_type="ValueError"))
    new = store.put(make(lr=0.3, status="completed"))
    other = RunRecord(config_name="serve", config={"port": 80})
    store.put(other)
    assert [r.id for r in store.query(config_name="train")] == [new.id, mid.id, old.id]
    assert [r.id for r in store.query(status="failed")] == [mid.id]
    assert store.query(status="failed")[0].error_type == "ValueError"
    assert old.id not in [r.id for r in store.query(since=time.time() - 86400)]
    assert len(store.query(limit=2)) == 2


def test_refs(store: SQLStore) -> None:
    ids = [store.put(make(lr=i / 10)).id for i in range(3)]
    assert store.get("@latest").id == ids[-1]
    assert store.get("@latest~2").id == ids[0]
    with pytest.raises(RunNotFoundError, match="fewer runs"):
        store.get("@latest~3")
    with pytest.raises(RunNotFoundError, match="ambiguous"):
        store.get(ids[0][:2])
    with pytest.raises(RunNotFoundError, match="no run matches"):
        store.get("zzzz")
    with pytest.raises(RunNotFoundError, match="not a run reference"):
        store.get("Robert'); DROP TABLE runs;--")


def test_delete_resolves_refs_as_resolve_does(store: SQLStore) -> None:
    """``delete`` resolves all its refs first (together, on PostgreSQL): each to what
    ``resolve`` says, and any bad one deletes nothing."""
    ids = [store.put(make(lr=i / 10)).id for i in range(4)]
    for bad, why in (
        (ids[0][:2], "ambiguous"),
        ("zzzz", "no run matches"),
        ("@latest~9", "fewer runs"),
        ("@latestx", "not a run reference"),
    ):
        with pytest.raises(RunNotFoundError, match=why):
            store.delete([ids[0], "@latest", bad])
        assert store.count() == 4
    unique = next(ids[1][:n] for n in range(1, 21) if [i[:n] for i in ids].count(ids[1][:n]) == 1)
    refs = [unique, "@latest", ids[0], ids[1]]
    assert store.delete(refs) == [ids[1], ids[3], ids[0], ids[1]]
    assert [r.id for r in store.query()] == [ids[2]]
    assert store.delete([ids[2], ids[2]]) == [ids[2], ids[2]]  # named twice: one run
    assert store.count() == 0


def test_bad_where_is_a_clear_error(store: SQLStore) -> None:
    with pytest.raises(WhereError, match="needs a number"):
        store.query(["optimizer.lr>=big"])
    with pytest.raises(WhereError, match="cannot parse"):
        store.query(["optimizer.lr"])


def test_update_running_to_completed(store: SQLStore) -> None:
    rec = make(pid=os.getpid())
    store.put(rec)
    assert store.get(rec.id).status == "running"
    rec.status, rec.ended = "completed", time.time()
    store.put(rec)
    assert store.get(rec.id).status == "completed"
    assert store.count() == 1


def test_dead_running_writer_reads_interrupted(store: SQLStore) -> None:
    import socket

    rec = make(pid=2**22 + 12345, host=socket.gethostname())  # no such pid
    store.put(rec)
    assert store.get(rec.id).status == "interrupted"
    assert [r.id for r in store.query(status="interrupted")] == [rec.id]


def test_delete_and_gc(store: SQLStore) -> None:
    keep = store.put(make(lr=0.1))
    gone = store.put(make(lr=0.2, patch="diff\n"))
    assert store.delete([gone.id]) == [gone.id]
    # gone's own nodes are its top node and optimizer; model, trainer and db are shared, and so
    # are their leaf rows: only optimizer's two go. Its raw config is its config; the patch goes.
    assert store.gc() == {"configs": 1, "leaves": 2, "nodes": 2, "blobs": 1}
    assert store.query(["optimizer.lr==0.2"]) == [] and len(store.query(["model.depth==18"])) == 1
    assert store.get(keep.id).config["optimizer"]["lr"] == 0.1
    root = store.tree_roots(refs=[keep.id])[keep.id]
    assert store.tree_size(root) == 8 and set(store.tree_nodes([root])[root]) == {
        "db",
        "model",
        "optimizer",
        "trainer",
    }
    assert store.gc() == {"configs": 0, "leaves": 0, "nodes": 0, "blobs": 0}


def test_reopen_keeps_schema_and_salt(store_url: str) -> None:
    with open_store(store_url) as first:
        salt = first.salt
        assert first.schema_version == SCHEMA_VERSION
    with open_store(store_url) as second:
        assert second.salt == salt


def test_newer_schema_refused(store: SQLStore, store_url: str) -> None:
    with store._write() as cur:
        cur.execute(
            store._sql("UPDATE meta SET value = ? WHERE key = ?"), ("999", "schema_version")
        )
    with pytest.raises(StoreError, match="newer than this confman"):
        open_store(store_url)


def test_unknown_scheme() -> None:
    with pytest.raises(StoreError, match="unknown run store URL"):
        open_store("mysql://x")


def test_unreachable_postgres_is_clear() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgresql://nobody@/none?host=/nonexistent&connect_timeout=1")


@pytest.mark.parametrize(
    "expr",
    [
        "optimizer.lr==0.1",
        "optimizer.lr!=0.1",
        "model.name==resnet",
        "optimizer.lr>=0.1",
        "trainer.tags~=gpu",
    ],
)
def test_where_is_an_index_lookup_not_a_scan(tmp_path: Path, expr: str) -> None:
    with open_store(f"sqlite:///{tmp_path / 'runs.db'}") as store:
        store.put(make())
        clauses, params = store._where([expr])
        sql = clauses[0]
        plan = [
            row[-1]
            for row in store._read(
                f"EXPLAIN QUERY PLAN SELECT r.id FROM runs r WHERE {sql}", params
            )
        ]
        assert not [step for step in plan if step.startswith("SCAN")], plan
        assert len(store.query([expr])) == (0 if "!=" in expr else 1)


def _tables(store: SQLStore) -> dict[str, int]:
    names = ("nodes", "leaves", "edges", "placements", "blobs", "garbage")
    return {t: store._read(f"SELECT COUNT(*) FROM {t}")[0][0] for t in names}


def _sweep(i: int, **fields: object) -> RunRecord:
    config = {
        "model": {"name": ["resnet", "vit"][i % 2], "depth": 18},
        "optimizer": {"lr": [0.1, 0.01, 0.001][i % 3], "betas": {"b1": 0.9, "b2": i % 4}},
        "seed": i,
    }
    raw = {**config, "seed": "${oc.env:SEED}"}
    return RunRecord(
        config_name="train",
        config=config,
        raw_config=raw,
        provenance={"seed": f"override seed={i}", "model.name": "model/x.yaml:1"},
        patch=f"diff {i % 3}\n" if i % 2 else None,
        **fields,  # type: ignore[arg-type]
    )


def test_gc_leaves_what_a_store_of_the_kept_runs_has(store: SQLStore, tmp_path: Path) -> None:
    """Deleting runs (and rewriting some) then collecting leaves exactly the rows a store that
    only ever held the kept runs has: nothing of the gone runs, nothing the kept ones use."""
    records = [_sweep(i) for i in range(40)]
    for rec in records:
        store.put(rec)
    for rec in records[::3]:  # rewritten as they end: new meta trees, old ones unused
        rec.status, rec.accessed = "completed", ["seed"]
        store.put(rec)
    gone = [r.id for r in records if r.config["seed"] % 4 == 1]
    store.delete(gone)
    store.gc()
    kept = [r for r in records if r.id not in gone]
    with open_store(f"sqlite:///{tmp_path / 'fresh.db'}") as fresh:
        for rec in kept:
            fresh.put(rec)
        assert _tables(store) == _tables(fresh)
        for where in ("optimizer.betas.b2==1", "model.name==vit", "seed>=20"):
            assert [r.id for r in store.query([where])] == [r.id for r in fresh.query([where])]
    assert [r.to_json() for r in store.query()] == [r.to_json() for r in reversed(kept)]


def test_put_many_stores_what_put_does(store: SQLStore, tmp_path: Path) -> None:
    records = [_sweep(i) for i in range(30)]
    stored = store.put_many(records)
    assert [r.id for r in stored] == [r.id for r in records] and store.count() == 30
    with open_store(f"sqlite:///{tmp_path / 'one_by_one.db'}") as single:
        for rec in records:
            single.put(rec)
        assert _tables(store) == _tables(single)
        assert [r.to_json() for r in store.query()] == [r.to_json() for r in single.query()]
