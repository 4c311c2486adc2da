"""Every ``console`` example in README.md runs, and prints exactly what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    found = []
    for block in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        command, _, output = block.partition("\n")
        assert command.startswith("$ "), block
        found.append((command[2:], output))
    return found


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c for c, _ in examples()])
def test_readme_console_example(command, expected, tmp_path):
    assert shlex.split(command)[0] == "confman"
    bindir = Path(sys.executable).parent
    # No run store (a developer's .confman/ would add CM102 evidence to `confman lint`).
    store = f"sqlite:///{tmp_path / 'none' / 'runs.db'}"
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "CONFMAN_STORE": store,
    }
    proc = subprocess.run(
        command, shell=True, cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert proc.stdout + proc.stderr == expected


def test_readme_python_example():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    code = next(b for b in blocks if "composed = confman.compose(" in b)
    namespace: dict = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # our own README, trusted
    finally:
        os.chdir(cwd)
    composed = namespace["composed"]
    assert composed.config.optimizer.lr == 0.05
    winner = composed.provenance["optimizer.lr"][-1]
    assert (winner.value, winner.file, winner.line) == (0.05, "experiment/mlp_sgd.yaml", 9)
    assert composed.choices["model"].chosen_by == "experiment/mlp_sgd.yaml:4 via 'override /model'"
