"""``confman import``: JSON/TOML/YAML in, validated, field order, never overwriting silently."""

from __future__ import annotations

from typer.testing import CliRunner

from confman.cli import app
from tests.schema.conftest import Project


def test_import_json_in_field_order(project: Project, runner: CliRunner) -> None:
    root = project()
    (root / "old.json").write_text('{"momentum": 0.5, "lr": 0.2, "name": "sgd"}')
    result = runner.invoke(app, ["import", "old.json", "--into", "conf/optimizer/old.yaml"])
    assert result.exit_code == 0, result.output
    text = (root / "conf/optimizer/old.yaml").read_text()
    assert text.splitlines()[1:] == ["name: sgd", "lr: 0.2", "momentum: 0.5"]
    again = runner.invoke(app, ["import", "old.json", "--into", "conf/optimizer/old.yaml"])
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    forced = runner.invoke(
        app, ["import", "old.json", "--into", "conf/optimizer/old.yaml", "--force"]
    )
    assert forced.exit_code == 0
    check = runner.invoke(app, ["validate", "train", "optimizer=old"])
    assert check.exit_code == 0, check.output


def test_import_toml_and_yaml_with_errors(project: Project, runner: CliRunner) -> None:
    root = project()
    (root / "m.toml").write_text('layers = 4\nname = "deep"\n')
    ok = runner.invoke(app, ["import", "m.toml", "--into", "conf/model/deep.yaml"])
    assert ok.exit_code == 0, ok.output
    assert (root / "conf/model/deep.yaml").read_text().endswith("name: deep\nlayers: 4\n")
    (root / "bad.yaml").write_text("name: x\nlayers: 0\nlayer: 3\n")
    bad = runner.invoke(app, ["import", "bad.yaml", "--into", "conf/model/bad.yaml"])
    assert bad.exit_code == 1
    assert "bad.yaml:2: layers: Input should be greater than or equal to 1" in bad.stderr
    assert "bad.yaml:3: layer: unknown key; did you mean 'layers'?" in bad.stderr
    assert not (root / "conf/model/bad.yaml").exists()


def test_import_explicit_schema_and_bad_input(project: Project, runner: CliRunner) -> None:
    root = project(bindings={"train": "M:Train"})
    (root / "m.json").write_text('{"name": "n", "layers": 1}')
    none = runner.invoke(app, ["import", "m.json", "--into", "conf/model/n.yaml"])
    assert none.exit_code == 2 and "no schema bound to group 'model'" in none.stderr
    module = project.module  # type: ignore[attr-defined]
    given = runner.invoke(
        app, ["import", "m.json", "--into", "conf/model/n.yaml", "--schema", f"{module}:Model"]
    )
    assert given.exit_code == 0, given.output
    outside = runner.invoke(app, ["import", "m.json", "--into", "elsewhere/n.yaml"])
    assert outside.exit_code == 2 and "not inside the config dir" in outside.stderr
    (root / "broken.json").write_text("{oops")
    broken = runner.invoke(
        app, ["import", "broken.json", "--into", "conf/model/b.yaml", "--schema", f"{module}:Model"]
    )
    assert broken.exit_code == 2 and "not valid JSON" in broken.stderr
