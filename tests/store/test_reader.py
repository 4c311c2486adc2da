"""Reading runs back: the collector paused while a batch is built is always resumed."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from confman.store import RunRecord, SQLStore
from confman.store.reader import MissingNodeError, records_from_rows


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False], ids=["running", "disabled-by-the-caller"])
def test_a_query_leaves_the_collector_as_it_found_it(
    store: SQLStore, collector: None, enabled: bool
) -> None:
    for i in range(3):
        store.put(RunRecord(config_name="t", config={"seed": i, "m": {"d": 1}}))
    (gc.enable if enabled else gc.disable)()
    assert [r.config["seed"] for r in store.query()] == [2, 1, 0]
    assert gc.isenabled() is enabled


def test_the_collector_resumes_after_a_failed_build(collector: None) -> None:
    gc.enable()
    row = ("a", "t", "completed", 1.0, None, None, None, 99, None, None, b"\x00", "{}", None)
    with pytest.raises(MissingNodeError):
        records_from_rows(lambda sql, params: [], [row])
    assert gc.isenabled()


def test_overlapping_builds_in_threads_resume_the_collector_once_all_are_done(
    collector: None,
) -> None:
    """The first build to start pauses it, the last to finish resumes it, in any order."""
    gc.enable()
    inside, release = threading.Barrier(3), threading.Event()
    states: list[bool] = []

    def read(sql: str, params: object) -> list[tuple[int, str]]:
        inside.wait(timeout=10)  # both builds are running
        states.append(gc.isenabled())
        release.wait(timeout=10)
        return [(1, '{"a":1}')]

    row = ("a", "t", "completed", 1.0, None, None, None, 1, None, None, b"\x00", "{}", None)
    threads = [
        threading.Thread(target=records_from_rows, args=(read, [row]), kwargs={"partial": True})
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    inside.wait(timeout=10)
    release.set()
    for t in threads:
        t.join(timeout=10)
    assert states == [False, False] and gc.isenabled()
