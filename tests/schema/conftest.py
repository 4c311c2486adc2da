"""A small project on disk: pyproject with [tool.confman.schemas], a schema module, a conf tree."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SCHEMA = '''
from typing import Annotated, Literal, Union
from pydantic import BaseModel, ConfigDict, Field


class Adam(BaseModel):
    """Adam optimizer."""
    name: Literal["adam"] = "adam"
    lr: float = Field(1e-3, gt=0, le=1, description="learning rate")
    betas: list[float] = [0.9, 0.999]


class Sgd(BaseModel):
    name: Literal["sgd"]
    lr: float = Field(gt=0, le=1)
    momentum: float = Field(0.0, ge=0, lt=1)


Optimizer = Annotated[Union[Adam, Sgd], Field(discriminator="name")]


class Model(BaseModel):
    name: str
    layers: int = Field(ge=1)


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class Train(BaseModel):
    seed: int = 0
    epochs: int = Field(ge=1)
    tag: str = "x"
    optimizer: Optimizer
    model: Model
'''

Project = Callable[..., Path]

#: The example primary's defaults list, for tests that write their own ``train.yaml``.
TRAIN_DEFAULTS = """
defaults:
  - optimizer: adam
  - model: small
  - _self_
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """Write a project; returns its root. ``files`` adds/replaces files (paths from the root)."""
    modname = f"schemas_{tmp_path.name.replace('-', '_')}"

    def make(files: dict[str, str] | None = None, bindings: dict[str, str] | None = None) -> Path:
        default = {
            f"{modname}.py": SCHEMA,
            "conf/train.yaml": """
                defaults:
                  - optimizer: adam
                  - model: small
                  - _self_
                seed: 1
                epochs: 3
            """,
            "conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\n",
            "conf/optimizer/sgd.yaml": "name: sgd\nlr: 0.1\nmomentum: 0.9\n",
            "conf/model/small.yaml": "name: small\nlayers: 2\n",
            "conf/model/big.yaml": "name: big\nlayers: 8\n",
        }
        default.update(files or {})
        binds = (
            bindings
            if bindings is not None
            else {"train": "M:Train", "optimizer": "M:Optimizer", "model": "M:Model"}
        )
        table = "\n".join(f'"{k}" = "{v.replace("M:", modname + ":")}"' for k, v in binds.items())
        default["pyproject.toml"] = (
            f'[project]\nname = "x"\n\n[tool.confman]\nconfig_dir = "conf"\n\n'
            f"[tool.confman.schemas]\n{table}\n"
        )
        for rel, text in default.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    make.module = modname  # type: ignore[attr-defined]
    yield make
    sys.modules.pop(modname, None)
