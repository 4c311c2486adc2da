"""docs/bisect.md's examples on the example system (the README's "Bisect" page), run as written
on a copy of it: subprocess probes, and probes through Hydra's launcher."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from confman.cli import app

REPO = Path(__file__).resolve().parents[2]
BREAKING = ["evaluation.thresholds.min_accuracy=0.99", "evaluation.thresholds.fail_below=true"]


def _run_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, block: str, script: str
) -> dict[str, Any]:
    """Run a ``confman bisect`` line of the docs on a copy of the example system."""
    words = shlex.split(block)
    assert words[-2:] == ["python", script]
    root = tmp_path / "proj"
    for folder in ("conf", "examples", "schemas"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    monkeypatch.chdir(root)
    cut = words.index("--")  # JSON to read the report; this interpreter for `python`
    args = [*words[1:cut], "--format", "json", "--", sys.executable, *words[cut + 2 :]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    ("pattern", "script"),
    [
        (r"```bash\n(confman bisect .*?)\n```", "examples/train.py"),
        (r"\n(confman bisect .*--launcher -- python examples/\S+)\n", "examples/train_app.py"),
    ],
    ids=["subprocess-probes", "through-the-launcher"],
)
def test_the_docs_bisect_finds_the_two_settings_that_break_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, pattern: str, script: str
) -> None:
    section = (REPO / "docs" / "bisect.md").read_text(encoding="utf-8")
    block = re.search(pattern, section)
    assert block is not None
    report = _run_block(tmp_path, monkeypatch, runner, block.group(1), script)
    assert [c["override"] for c in report["culprits"]] == BREAKING
    assert report["changes"] == 3
