"""A lint of a project without a run store never imports the store (its SQL layer and
migrations are a visible share of a small lint process); with a store it reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from linttree import example_project

#: lints the project in the current directory and says which store modules it imported
PROCESS = """
import json, sys
from confman.lint import lint
from confman.settings import load_settings
result = lint(load_settings())
json.dump({"store": "confman.store" in sys.modules,
           "codes": sorted({d.code for d in result.diagnostics})}, sys.stdout)
"""


def _lint_process(root: Path, store: str | None = None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "CONFMAN_STORE"}
    if store is not None:
        env["CONFMAN_STORE"] = store
    out = subprocess.run(
        [sys.executable, "-c", PROCESS], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_no_store_no_store_import(tmp_path: Path) -> None:
    found = _lint_process(example_project(tmp_path / "p"))
    assert found["store"] is False
    assert found["codes"]  # the lint ran: the planted debts are found


def test_an_existing_store_is_read(tmp_path: Path) -> None:
    from confman.store import open_store

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    with open_store(url):
        pass  # created, empty
    found = _lint_process(example_project(tmp_path / "p"), url)
    assert found["store"] is True
