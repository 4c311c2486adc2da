"""Shared fixtures: small config trees written from dicts, and a CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

TreeWriter = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_tree(tmp_path: Path) -> TreeWriter:
    """Write ``{"rel/path.yaml": "text"}`` under ``tmp_path/conf`` and return that dir.

    Text is dedented, so trees can be written inline in tests; bytes are written as they are.
    """

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "conf"
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner that keeps stderr apart from stdout (the JSON contract is about stdout)."""
    return CliRunner()


REPO = Path(__file__).resolve().parents[1]
#: What the README's first command leaves in the checkout: tests must neither read nor write them.
_USER_STATE = (".confman", "outputs")


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    state: dict[str, tuple[int, int]] = {}
    for name in _USER_STATE:
        top = root / name
        if top.exists():
            for path in [top, *top.rglob("*")]:
                stat = path.stat()
                state[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return state


@pytest.fixture(autouse=True, scope="session")
def _repository_state_untouched() -> Iterator[None]:
    """The suite runs after the README's first command, in the same checkout: a test that writes
    the repository's own run store or outputs would make the next run of the suite differ."""
    before = _snapshot(REPO)
    yield
    after = _snapshot(REPO)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"tests changed the repository's own run state: {changed[:5]}"


@pytest.fixture(autouse=True)
def _no_ambient_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets a run store of its own that does not exist yet, never the repository's
    ``.confman/runs.db`` nor a store set in the environment (CI's PostgreSQL). Tests that exercise
    the project-relative default remove the variable themselves."""
    where = tmp_path_factory.mktemp("store") / "runs.db"
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{where}")
    # The secret marker key: never the user's ~/.config/confman/secret.key.
    monkeypatch.setenv("CONFMAN_SECRET_KEY", "confman-test-key")
