"""mypy knows what ``confman.load_config("train")`` returns: the model bound in pyproject."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

PYPROJECT = """
[tool.confman]
config_dir = "conf"

[tool.confman.schemas]
train = "appschemas.train:TrainConfig"

[tool.mypy]
plugins = ["confman.mypy_plugin"]
"""
APP = """
import confman
from appschemas.train import Other

reveal_type(confman.load_config("train"))
reveal_type(confman.load_config("train", ["lr=0.1"]))
reveal_type(confman.load_config("serve"))
reveal_type(confman.load_config("serve", schema=Other))
confman.load_config("train").lr.upper()
"""


def test_load_config_is_typed_from_the_binding(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "appschemas").mkdir()
    (tmp_path / "appschemas" / "__init__.py").write_text("")
    (tmp_path / "appschemas" / "train.py").write_text(
        textwrap.dedent(
            """
            from pydantic import BaseModel

            class TrainConfig(BaseModel):
                lr: float

            class Other(BaseModel):
                name: str
            """
        )
    )
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    monkeypatch.chdir(tmp_path)
    out, err, _ = api.run(
        ["app.py", "--config-file", "pyproject.toml", "--cache-dir", str(tmp_path / ".mypy")]
    )
    revealed = [
        line.split("Revealed type is ")[1] for line in out.splitlines() if "Revealed" in line
    ]
    assert revealed == [
        '"appschemas.train.TrainConfig"',
        '"appschemas.train.TrainConfig"',
        '"Any"',
        '"appschemas.train.Other"',
    ], out + err
    assert '"float" has no attribute "upper"' in out


def test_without_the_plugin_it_is_any(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT.replace('plugins = ["confman.mypy_plugin"]', "")
    )
    (tmp_path / "app.py").write_text('import confman\nreveal_type(confman.load_config("train"))\n')
    monkeypatch.chdir(tmp_path)
    out, _, _ = api.run(["app.py", "--cache-dir", str(tmp_path / ".mypy")])
    assert 'Revealed type is "Any"' in out
