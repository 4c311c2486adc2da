"""The rules shared with a forked child (``lint_context(parallel=True)``) give the same findings.

The child inherits the built context, takes rules from the front of a list while this process
takes them from the back (after the rules that read the run store, which stay here), and sends
back only its findings; if it fails or dies, the parent runs the rules it took. Each case is
compared with the same context linted serially.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from linttree import CLEAN, example_project, write_tree

from confman.lint import engine
from confman.lint.context import build_context
from confman.lint.engine import COSTLIEST_FIRST, STORE_RULES, lint_context
from confman.lint.model import LintContext
from confman.lint.rules import RULES
from confman.settings import load_settings

CODES = list(RULES)


def _both(root: Path) -> tuple[engine.LintResult, engine.LintResult]:
    settings = load_settings(cwd=root)
    serial = lint_context(build_context(settings, background=False), CODES)
    forked = lint_context(build_context(settings, background=False), CODES, parallel=True)
    return serial, forked


def _same(serial: engine.LintResult, forked: engine.LintResult) -> None:
    assert forked.diagnostics == serial.diagnostics
    assert forked.suppressed == serial.suppressed


def _logged(monkeypatch: pytest.MonkeyPatch, log: Path, *, here: float = 0.05) -> None:
    """Every rule appends ``code pid`` to ``log`` when it runs, after sleeping a little so
    that each process has time to take some (``here`` seconds in this process, 0.05 in the
    child)."""
    parent = os.getpid()
    for code, rule in RULES.items():
        original = rule.check

        def check(ctx: Any, code: str = code, original: Any = original) -> Any:
            time.sleep(here if os.getpid() == parent else 0.05)
            with log.open("a") as out:
                out.write(f"{code} {os.getpid()}\n")
            return original(ctx)

        monkeypatch.setattr(rule, "check", check)


def test_example_system_findings_equal_serial(tmp_path: Path) -> None:
    serial, forked = _both(example_project(tmp_path / "p"))
    _same(serial, forked)


def test_lint_tree_findings_equal_serial(tmp_path: Path) -> None:
    _same(*_both(write_tree(tmp_path, CLEAN)))


def test_each_rule_runs_once_and_both_processes_take_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules go to whichever process is free: each runs exactly once, the child takes some,
    and the rules that read the run store never run in the child."""
    root = example_project(tmp_path / "p")
    serial = lint_context(build_context(load_settings(cwd=root), background=False), CODES)
    log = tmp_path / "ran.log"
    _logged(monkeypatch, log)
    ctx = build_context(load_settings(cwd=root), background=False)
    _same(serial, lint_context(ctx, CODES, parallel=True))
    ran = [line.split() for line in log.read_text().splitlines()]
    assert sorted(code for code, _ in ran) == sorted(CODES)
    child = {code for code, pid in ran if int(pid) != os.getpid()}
    assert child, "the child took no rule"
    assert not child & STORE_RULES
    assert child != set(CODES) - STORE_RULES, "this process took no shared rule"


def test_two_ended_order_gives_each_end_the_costliest_first() -> None:
    order = engine._two_ended(["CM201", *COSTLIEST_FIRST])
    front = order[: (len(order) + 1) // 2]
    back = order[len(order) // 2 :][::-1]
    assert sorted(order) == sorted(["CM201", *COSTLIEST_FIRST])
    assert [front[0], back[0]] == list(COSTLIEST_FIRST[:2])
    assert "CM201" in (front[-1], back[-1])  # the cheap rule is taken last, in the middle


@pytest.mark.parametrize(
    ("code", "how"),
    [("CM101", "raises"), ("CM302", "dies")],  # dies: killed, nothing is sent back
)
def test_child_that_fails_has_its_rules_run_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, how: str
) -> None:
    """A rule that fails only in the child: the parent runs the rules the child took. This
    process is slowed on the run-store rules so that the child takes ``code`` first."""
    root = example_project(tmp_path / "p")
    serial = lint_context(build_context(load_settings(cwd=root), background=False), CODES)
    parent = os.getpid()
    check = RULES[code].check
    failed = tmp_path / "failed"

    def fails_in_child(ctx: object) -> object:
        if os.getpid() != parent:
            failed.touch()
            if how == "dies":
                os._exit(9)
            raise RuntimeError("fails in the child only")
        return check(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(RULES[code], "check", fails_in_child)
    for store_rule in STORE_RULES:
        original = RULES[store_rule].check

        def slow(ctx: Any, original: Any = original) -> Any:
            time.sleep(0.5)
            return original(ctx)

        monkeypatch.setattr(RULES[store_rule], "check", slow)
    ctx = build_context(load_settings(cwd=root), background=False)
    _same(serial, lint_context(ctx, CODES, parallel=True))
    assert failed.exists(), f"the child never ran {code}"


@pytest.mark.parametrize(
    ("line", "cores", "idle"),
    [
        ("0.10 0.20 0.30 1/120 999\n", 2, True),  # only this process runs
        ("0.10 0.20 0.30 2/120 999\n", 2, False),  # another one runs: no core to spare
        ("3.00 3.00 3.00 3/120 999\n", 4, True),
        ("garbled\n", 2, None),  # unreadable: the load average decides
    ],
)
def test_idle_core_counts_runnable_processes_now(
    tmp_path: Path, line: str, cores: int, idle: bool | None
) -> None:
    from confman.lint.background import _idle_core

    loadavg = tmp_path / "loadavg"
    loadavg.write_text(line)
    if idle is None:
        assert _idle_core(cores, loadavg) == (os.getloadavg()[0] < cores - 1)
    else:
        assert _idle_core(cores, loadavg) is idle


def test_variants_count_towards_forking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree of few primaries and many options (ProteinWorkshop: 4 compositions, 199
    variants) has most of its rule work in the variants: they count, at the compositions'
    mean size, without making their histories first."""
    monkeypatch.setattr(engine, "can_fork", lambda: True)
    ctx = LintContext(load_settings(cwd=tmp_path), tmp_path, tmp_path)
    composition = SimpleNamespace(composed=SimpleNamespace(provenance=dict.fromkeys(range(150))))
    ctx.compositions = [composition] * 4  # type: ignore[list-item]
    assert not engine._worth_forking(ctx)
    ctx.variants = [composition] * (engine.FORK_MIN_LEAVES // 150)  # type: ignore[list-item]
    assert engine._worth_forking(ctx)
    ctx.compositions = []
    assert not engine._worth_forking(ctx)


def test_the_run_store_is_opened_only_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a store to read and the rules shared, every opening of the store happens in this
    process: a rule that reads the store but is missing from ``STORE_RULES`` would open it in
    the child, on a connection's far side of the fork."""
    import confman.store
    from confman.store import open_store

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    with open_store(url):
        pass
    monkeypatch.setenv("CONFMAN_STORE", url)
    opened = tmp_path / "opened.log"

    def logged_open(*args: Any, **kwargs: Any) -> Any:
        with opened.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return open_store(*args, **kwargs)

    monkeypatch.setattr(confman.store, "open_store", logged_open)
    root = example_project(tmp_path / "p")
    ran = tmp_path / "ran.log"
    _logged(monkeypatch, ran, here=0.3)  # this process slow: the child takes most rules
    lint_context(build_context(load_settings(cwd=root), background=False), CODES, parallel=True)
    assert {int(pid) for pid in opened.read_text().split()} == {os.getpid()}
    ran_in = [line.split() for line in ran.read_text().splitlines()]
    in_child = {code for code, pid in ran_in if int(pid) != os.getpid()}
    assert len(in_child) >= (len(CODES) - len(STORE_RULES)) // 2  # the child ran most
