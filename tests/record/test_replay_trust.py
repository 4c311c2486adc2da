"""``runs replay --check`` imports no module a stored record names: only the project's own
``[tool.confman.schemas]`` bindings are imported, and a config dir a record names outside the
project is not read. Real stores (SQLite and PostgreSQL) holding a hostile record."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.store import RunRecord, fingerprint, open_store
from tests.store.conftest import pg_schema_url, pg_url  # noqa: F401  (fixtures)

runner = CliRunner()

SCHEMA = "from pydantic import BaseModel\n\nclass Train(BaseModel):\n    seed: int\n"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared' / 'runs.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A project binding ``train`` to its own schema module; cwd is the project."""
    root = tmp_path / "project"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "train.yaml").write_text("seed: 1\n")
    module = f"trusted_{tmp_path.name.replace('-', '_')}"
    (root / f"{module}.py").write_text(SCHEMA)
    (root / "pyproject.toml").write_text(
        f'[tool.confman]\nconfig_dir = "conf"\n\n[tool.confman.schemas]\ntrain = "{module}:Train"\n'
    )
    monkeypatch.chdir(root)
    yield root, module
    sys.modules.pop(module, None)


def _replay(store_url: str, run_id: str) -> dict[str, object]:
    result = runner.invoke(
        app, ["runs", "replay", run_id, "--check", "-f", "json", "--store", store_url]
    )
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_replay_never_imports_a_module_a_record_names(
    project: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    marker = tmp_path / "IMPORTED"
    hostile = f"hostile_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "site" / hostile).mkdir(parents=True)
    (tmp_path / "site" / hostile / "__init__.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\nclass M: pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "train.yaml").write_text("seed: 1\nstolen: hunter2-outside\n")
    record = RunRecord(
        config_name="train",
        config={"seed": 1},
        raw_config={"seed": 1},
        schema_name=f"{hostile}.M",
        schema_fingerprint="x",
        status="completed",
        extra={"config_dir": str(elsewhere)},
    )
    with open_store(store_url) as store:
        store.put(record)
    data = _replay(store_url, record.id)
    assert not marker.exists() and hostile not in sys.modules
    assert "hunter2" not in json.dumps(data)
    notes = data["notes"]
    assert isinstance(notes, list)
    assert any("not bound in [tool.confman.schemas]" in n for n in notes)
    assert any("outside the project: not read" in n for n in notes)
    assert data["config"] == [] and data["schema"] is None


def test_replay_checks_the_projects_own_binding(project: tuple[Path, str], store_url: str) -> None:
    _, module = project
    record = RunRecord(
        config_name="train",
        config={"seed": 1},
        raw_config={"seed": 1},
        schema_name=f"{module}.Train",
        schema_fingerprint="stale",
        status="completed",
    )
    with open_store(store_url) as store:
        store.put(record)
    data = _replay(store_url, record.id)
    assert (
        data["schema"]
        == f"{module}.Train changed (stale -> "
        + str(
            fingerprint(
                {
                    "properties": {"seed": {"title": "Seed", "type": "integer"}},
                    "required": ["seed"],
                    "title": "Train",
                    "type": "object",
                }
            )
        )
        + ")"
    )
