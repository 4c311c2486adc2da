"""``schema export`` never writes through a symbolic link, and ``validate --all-options`` reads no
linked option outside the project (real links, the real app)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from confman.cli import app
from tests.schema.conftest import Project


def test_modeline_never_writes_through_a_link(
    project: Project, runner: CliRunner, tmp_path: Path
) -> None:
    root = project()
    victim = tmp_path.parent / f"{tmp_path.name}-victim.yaml"
    victim.write_text("name: adam\nlr: 0.001\n")
    (root / "conf" / "optimizer" / "adam.yaml").unlink()
    (root / "conf" / "optimizer" / "adam.yaml").symlink_to(victim)
    before = {p: p.read_text() for p in (root / "conf").rglob("*.yaml") if not p.is_symlink()}
    result = runner.invoke(app, ["schema", "export", "--modeline"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("confman: error: ") and "Traceback" not in result.output
    assert "is a symbolic link" in result.stderr and "does not write through links" in result.stderr
    assert victim.read_text() == "name: adam\nlr: 0.001\n"
    # refused before any write: no other file got a modeline either
    assert {p: p.read_text() for p in before} == before


def test_schema_files_never_written_through_a_link(
    project: Project, runner: CliRunner, tmp_path: Path
) -> None:
    root = project()
    victim = tmp_path.parent / f"{tmp_path.name}-victim.json"
    victim.write_text("{}\n")
    out = root / "schemas-out"
    out.mkdir()
    (out / "train.schema.json").symlink_to(victim)
    result = runner.invoke(app, ["schema", "export", "--out", str(out)])
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert victim.read_text() == "{}\n"
    assert list(out.iterdir()) == [out / "train.schema.json"]


def test_all_options_reads_no_linked_option_outside(
    project: Project, runner: CliRunner, tmp_path: Path
) -> None:
    root = project()
    secret = tmp_path.parent / f"{tmp_path.name}-secret.yaml"
    secret.write_text("name: big\nlayers: hunter2-outside\n")
    (root / "conf" / "model" / "leak.yaml").symlink_to(secret)
    result = runner.invoke(app, ["validate", "--all-options"])
    assert result.exit_code == 2, result.output
    assert "hunter2" not in result.output
    assert result.stderr.startswith(f"confman: error: model/leak.yaml is a link to {secret}")
    assert "allowed_paths" in result.stderr
    inside = root / "shared.yaml"  # a link that stays in the project is read as before
    inside.write_text("name: big\nlayers: 3\n")
    (root / "conf" / "model" / "leak.yaml").unlink()
    (root / "conf" / "model" / "leak.yaml").symlink_to(inside)
    assert runner.invoke(app, ["validate", "--all-options"]).exit_code == 0
