"""version_base as @hydra.main reads it: decorator argument, then [tool.confman], and the
one-line hint when a Hydra 1.0-style tree is composed under 1.2+ rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.compose import compose
from confman.versionbase import VersionBaseWarning

TREE = {
    "conf/train.yaml": "defaults:\n  - model: mlp\n  - _self_\nseed: 1\n",
    "conf/model/mlp.yaml": "# @package _group_\nlayers: 2\n",
}
SCRIPT = """
import json
import confman
from omegaconf import OmegaConf


@confman.main(config_name="train", config_path="conf", record=False, track_access=False{extra})
def run(cfg):
    print(json.dumps(OmegaConf.to_container(confman.unwrap(cfg))))


run()
"""


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    for rel, text in TREE.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_group_header_under_13_warns_once_and_11_nests(legacy: Path) -> None:
    with pytest.warns(VersionBaseWarning, match=r"version_base = \"1.1\""):
        old_rules = compose("train", config_dir=legacy / "conf", version_base="1.3")
    assert old_rules.to_container() == {"_group_": {"layers": 2}, "seed": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("error", VersionBaseWarning)
        compose("train", config_dir=legacy / "conf", version_base="1.3")  # said once already
        nested = compose("train", config_dir=legacy / "conf", version_base="1.1")
    assert nested.to_container() == {"model": {"layers": 2}, "seed": 1}


def test_cli_honours_the_project_version_base(legacy: Path, monkeypatch) -> None:
    monkeypatch.chdir(legacy)
    (legacy / "pyproject.toml").write_text('[tool.confman]\nversion_base = "1.1"\n')
    result = CliRunner().invoke(app, ["compose", "train", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"model": {"layers": 2}, "seed": 1}


def run_main(project: Path, extra: str = "") -> dict[str, object]:
    (project / "train.py").write_text(textwrap.dedent(SCRIPT.format(extra=extra)))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "train.py", "hydra.run.dir=out", "hydra.output_subdir=null"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_main_takes_the_project_version_base_unless_given(legacy: Path) -> None:
    (legacy / "pyproject.toml").write_text('[tool.confman]\nversion_base = "1.1"\n')
    assert run_main(legacy) == {"model": {"layers": 2}, "seed": 1}
    assert run_main(legacy, ', version_base="1.3"') == {"_group_": {"layers": 2}, "seed": 1}
    # None is Hydra's own version base (1.3 here), as for @hydra.main
    assert run_main(legacy, ", version_base=None") == {"_group_": {"layers": 2}, "seed": 1}


def test_main_without_any_setting_composes_under_13(legacy: Path) -> None:
    (legacy / "pyproject.toml").write_text("[tool.confman]\n")
    assert run_main(legacy) == {"_group_": {"layers": 2}, "seed": 1}


@pytest.mark.parametrize(
    "args",
    [["compose", "train"], ["tree", "train"], ["schema", "infer", "--out", "vb_models/m.py"]],
    ids=["compose", "tree", "infer"],
)
def test_cli_says_the_hint_in_one_confman_line(
    legacy: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Not Python's two-line warning (a confman source path, then a line of its code)."""
    monkeypatch.chdir(legacy)
    (legacy / "pyproject.toml").write_text('[tool.confman]\nversion_base = "1.3"\n')
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "confman: warning: '@package _group_' headers (Hydra 1.0 style) composed under "
        "version_base 1.3 put options under a literal '_group_' key: set version_base = \"1.1\" "
        'in [tool.confman] (or pass version_base="1.1")'
    )
    assert "VersionBaseWarning" not in result.stderr and ".py:" not in result.stderr
