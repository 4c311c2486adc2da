"""docs/bisect.md's example (the README's "Bisect" page), run as written on a copy of the
example system."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_bisect_finds_the_two_settings_that_break_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    section = (REPO / "docs" / "bisect.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(confman bisect .*?)\n```", section)
    assert block is not None
    words = shlex.split(block.group(1))
    assert words[-2:] == ["python", "examples/train.py"]
    root = tmp_path / "proj"
    for folder in ("conf", "examples", "schemas"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    monkeypatch.chdir(root)
    cut = words.index("--")  # JSON to read the report; this interpreter for `python`
    args = [*words[1:cut], "--format", "json", "--", sys.executable, *words[cut + 2 :]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [c["override"] for c in report["culprits"]] == [
        "evaluation.thresholds.min_accuracy=0.99",
        "evaluation.thresholds.fail_below=true",
    ]
    assert report["changes"] == 3
