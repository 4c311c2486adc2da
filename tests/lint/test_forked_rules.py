"""The heavy rules run in a forked child (``lint_context(parallel=True)``) with the same findings.

The child inherits the built context and sends back only its findings; if it fails or dies, the
parent runs those rules itself. Each case is compared with the same context linted serially.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from linttree import CLEAN, example_project, write_tree

from confman.lint import engine
from confman.lint.context import build_context
from confman.lint.engine import FORKED_RULES, lint_context
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


def test_example_system_findings_equal_serial(tmp_path: Path) -> None:
    serial, forked = _both(example_project(tmp_path))
    _same(serial, forked)
    assert {d.code for d in serial.diagnostics} & FORKED_RULES  # the child found some
    assert {d.code for d in serial.diagnostics} - FORKED_RULES  # and this process others


def test_lint_tree_findings_equal_serial(tmp_path: Path) -> None:
    _same(*_both(write_tree(tmp_path, CLEAN)))


@pytest.mark.parametrize(
    ("code", "how"),
    [("CM101", "raises"), ("CM302", "dies")],  # dies: killed, nothing is sent back
)
def test_child_that_fails_has_its_rules_run_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, how: str
) -> None:
    """A rule that fails only in the child: the parent runs the child's rules itself."""
    root = example_project(tmp_path)
    serial = lint_context(build_context(load_settings(cwd=root), background=False), CODES)
    parent = os.getpid()
    check = RULES[code].check

    def fails_in_child(ctx: object) -> object:
        if os.getpid() != parent:
            if how == "dies":
                os._exit(9)
            raise RuntimeError("fails in the child only")
        return check(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(RULES[code], "check", fails_in_child)
    ctx = build_context(load_settings(cwd=root), background=False)
    _same(serial, lint_context(ctx, CODES, parallel=True))


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
