"""The heavy rules run in a forked child (``lint_context(parallel=True)``) with the same findings.

The child inherits the built context and sends back only its findings; if it fails or dies, the
parent runs those rules itself. Each case is compared with the same context linted serially.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from linttree import CLEAN, write_tree

from confman.lint import engine
from confman.lint.context import build_context
from confman.lint.engine import FORKED_RULES, lint_context
from confman.lint.rules import RULES
from confman.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
CODES = list(RULES)


def _example(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["examples"]\n'
    )
    mlp = tmp_path / "conf" / "model" / "mlp.yaml"
    mlp.write_text(mlp.read_text() + "width: ${data.no_such_key}\nwarmup_steps: 500\n")
    return tmp_path


def _both(root: Path) -> tuple[engine.LintResult, engine.LintResult]:
    settings = load_settings(cwd=root)
    serial = lint_context(build_context(settings, background=False), CODES)
    forked = lint_context(build_context(settings, background=False), CODES, parallel=True)
    return serial, forked


def _same(serial: engine.LintResult, forked: engine.LintResult) -> None:
    assert forked.diagnostics == serial.diagnostics
    assert forked.suppressed == serial.suppressed


def test_example_system_findings_equal_serial(tmp_path: Path) -> None:
    serial, forked = _both(_example(tmp_path))
    _same(serial, forked)
    assert {d.code for d in serial.diagnostics} & FORKED_RULES  # the child found some
    assert {d.code for d in serial.diagnostics} - FORKED_RULES  # and this process others


def test_lint_tree_findings_equal_serial(tmp_path: Path) -> None:
    _same(*_both(write_tree(tmp_path, CLEAN)))


def test_failing_child_rule_is_run_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that fails only in the child: the parent runs the child's rules itself."""
    root = _example(tmp_path)
    serial = lint_context(build_context(load_settings(cwd=root), background=False), CODES)
    parent = os.getpid()
    check = RULES["CM101"].check

    def only_here(ctx: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("fails in the child only")
        return check(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(RULES["CM101"], "check", only_here)
    ctx = build_context(load_settings(cwd=root), background=False)
    _same(serial, lint_context(ctx, CODES, parallel=True))


def test_dying_child_is_replaced_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _example(tmp_path)
    serial = lint_context(build_context(load_settings(cwd=root), background=False), CODES)
    parent = os.getpid()
    check = RULES["CM302"].check

    def die_in_child(ctx: object) -> object:
        if os.getpid() != parent:
            os._exit(9)  # killed: nothing is sent back
        return check(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(RULES["CM302"], "check", die_in_child)
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
