"""Every ``console`` example in README.md and docs/ runs, and prints exactly what the page shows."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def examples() -> list[tuple[str, str, str]]:
    """(page, command, expected output) of every console block."""
    found = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            command, _, output = block.partition("\n")
            assert command.startswith("$ "), f"{page.name}: {block}"
            found.append((str(page.relative_to(ROOT)), command[2:], output))
    return found


@pytest.mark.parametrize(
    ("page", "command", "expected"), examples(), ids=[f"{p}: {c}" for p, c, _ in examples()]
)
def test_readme_console_example(page, command, expected, tmp_path):
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
    assert proc.stdout + proc.stderr == expected, page


def test_readme_python_example():
    text = "".join(page.read_text(encoding="utf-8") for page in PAGES)
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    code = next(b for b in blocks if "composed = confman.compose(" in b)
    namespace: dict = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "docs", "exec"), namespace)  # our own docs, trusted
    finally:
        os.chdir(cwd)
    composed = namespace["composed"]
    assert composed.config.optimizer.lr == 0.05
    winner = composed.provenance["optimizer.lr"][-1]
    assert (winner.value, winner.file, winner.line) == (0.05, "experiment/mlp_sgd.yaml", 9)
    assert composed.choices["model"].chosen_by == "experiment/mlp_sgd.yaml:4 via 'override /model'"


def test_readme_tour(tmp_path):
    """Every line of the README's tour runs and succeeds on a copy of the example system."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = re.search(r"^## A five-minute tour\n.*?```bash\n(.*?)```", readme, re.S | re.M)
    assert tour, "the README's tour is gone"
    for name in ("conf", "schemas", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    bindir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "CONFMAN_STORE": f"sqlite:///{tmp_path / '.confman' / 'runs.db'}",
    }
    lines = tour.group(1).splitlines()
    assert len(lines) >= 8
    for line in lines:
        proc = subprocess.run(
            line, shell=True, cwd=tmp_path, capture_output=True, text=True, env=env, check=False
        )
        assert proc.returncode == 0, f"{line}\n{proc.stdout}{proc.stderr}"
