"""The runs transcript of docs/runs.md is true: its runs, run as it says, list as it shows."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app

REPO = Path(__file__).resolve().parents[2]


def _transcript() -> str:
    page = (REPO / "docs" / "runs.md").read_text(encoding="utf-8")
    match = re.search(r"```text\n(\$ confman runs list\n.*?)```", page, re.S)
    assert match, "the runs transcript of docs/runs.md is gone"
    return match.group(1)


def _table(text: str) -> list[tuple[str, str, str]]:
    """(status, config, overrides) of each row of a ``runs list`` table."""
    lines = text.splitlines()
    head = lines[0]
    starts = [head.index(name) for name in ("STATUS", "CONFIG", "DURATION", "OVERRIDES")]
    return [
        (
            line[starts[0] : starts[1]].strip(),
            line[starts[1] : starts[2]].strip(),
            line[starts[3] :].strip(),
        )
        for line in lines[1:]
    ]


def test_the_runs_transcript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.split(r"^\$ ", _transcript(), flags=re.M)[1:]
    listed = next(b for b in blocks if b.startswith("confman runs list\n"))
    expected = _table(listed.split("\n", 1)[1])
    monkeypatch.chdir(tmp_path)
    for _, _, overrides in reversed(expected):  # the oldest run first
        subprocess.run(
            [sys.executable, str(REPO / "examples/train.py"), *overrides.split()],
            cwd=tmp_path,
            capture_output=True,
            check=False,
        )
    result = CliRunner().invoke(app, ["runs", "list"])
    assert result.exit_code == 0, result.output
    assert _table(result.stdout) == expected

    where = next(b for b in blocks if b.startswith("confman runs list --where"))
    command, shown = where.split("\n", 1)
    args = re.findall(r'"[^"]*"|\S+', command)[1:]
    result = CliRunner().invoke(app, [a.strip('"') for a in args])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    wanted = list(csv.DictReader(shown.splitlines()))
    assert [(r["status"], r["overrides"]) for r in rows] == [
        (r["status"], r["overrides"]) for r in wanted
    ]
