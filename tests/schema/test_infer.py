"""``confman schema infer``: models from every option and composition, bound, validating."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from confman.cli import app
from tests.realworld import corpus

FILES = {
    "conf/train.yaml": """
        defaults:
          - optimizer: adam
          - model: small
          - _self_
        seed: 1
        lr_scale: 1
        notes: null
        tags: [a, b]
        """,
    "conf/optimizer/adam.yaml": """
        _target_: mylib.optim.Adam
        lr: 0.001
        """,
    "conf/optimizer/sgd.yaml": """
        _target_: mylib.optim.Sgd
        lr: 0.1
        momentum: 0.9
        """,
    "conf/model/small.yaml": "layers: 2\nwidth: 64\ndropout: null\n",
    "conf/model/big.yaml": "layers: 8\nwidth: 512\ndropout: 0.1\nname: ${model.layers}\n",
    "conf/experiment/long.yaml": "# @package _global_\nseed: 2\nlr_scale: 0.5\n",
    "mylib/__init__.py": "",
    "mylib/optim.py": """
        class Adam:
            def __init__(self, lr: float, betas=(0.9, 0.999)):
                self.lr = lr

        class Sgd:
            def __init__(self, lr, momentum=0.0, **extra):
                self.lr = lr
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def ruff_clean(path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    for args in (["check", "--select", "E,F,W,I,UP,B,SIM,RUF"], ["format", "--check"]):
        done = subprocess.run(
            [ruff, *args, "--isolated", "--line-length", "100", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def infer_bound(root: Path, files: dict[str, str], out: str) -> tuple[str, Result]:
    """Write the tree, run ``schema infer --bind --out OUT`` in it (the cwd is ``root``), and
    return the module written (ruff-clean) and the command's result."""
    write(root, files)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    result = CliRunner().invoke(app, ["schema", "infer", "--bind", "--out", out])
    assert result.exit_code == 0, result.output
    ruff_clean(root / out)
    return (root / out).read_text(), result


def test_planted_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    source, _ = infer_bound(tmp_path, FILES, "planted_models/inferred.py")
    # a discriminated union for the group whose options name different targets
    assert "OptimizerOptions = Annotated[" in source
    assert 'Field(discriminator="target")' in source
    # the target's signature, read from mylib/optim.py without importing it
    assert "betas: Any = Field(None)  # a parameter no option sets" in source
    assert "Arguments of its ``_target_``: parameters read from its source." in source
    schemas = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["confman"]["schemas"]
    assert schemas["train"] == "planted_models.inferred:TrainConfig"
    assert schemas["optimizer"] == "planted_models.inferred:OptimizerOptions"
    assert "experiment" in schemas
    checked = runner.invoke(app, ["validate", "--all-options"])
    assert checked.exit_code == 0, checked.output
    assert "0 invalid" in checked.output
    # the inferred models catch what validate is for: a typo, a wrong type
    (tmp_path / "conf/model/small.yaml").write_text("layers: 2\nwidht: 64\n")
    (tmp_path / "conf/optimizer/adam.yaml").write_text("_target_: mylib.optim.Adam\nlr: fast\n")
    failed = runner.invoke(app, ["validate", "--all-options"])
    assert failed.exit_code == 1
    assert "model/small.yaml:2: widht: unknown key; did you mean 'width'?" in failed.output
    assert "optimizer/adam.yaml:2: lr: Input should be a valid number" in failed.output


def test_no_bind_prints_the_bindings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, FILES)
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    monkeypatch.chdir(tmp_path)
    before = (tmp_path / "pyproject.toml").read_text()
    result = CliRunner().invoke(app, ["schema", "infer", "--out", "nobind_models/m.py"])
    assert result.exit_code == 0, result.output
    assert '"train" = "nobind_models.m:TrainConfig"' in result.output
    assert (tmp_path / "pyproject.toml").read_text() == before
    bad = CliRunner().invoke(app, ["schema", "infer", "--out", "../elsewhere.py"])
    assert bad.exit_code == 2
    assert "outside the project" in bad.output


@pytest.mark.skipif(not corpus.available(), reason="../shared/realworld not present")
@pytest.mark.parametrize("name", ["facebookresearch__drqv2", "huggingface__lerobot"])
def test_corpus_tree_init_infer_validate(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / name
    shutil.copytree(corpus.CORPUS / name, root, symlinks=True)
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    monkeypatch.chdir(root)
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--yes"]).exit_code == 0
    module = f"inferred_{name.split('__')[1].replace('-', '_')}/models.py"
    inferred = runner.invoke(app, ["schema", "infer", "--bind", "--out", module])
    assert inferred.exit_code == 0, inferred.output
    ruff_clean(root / module)
    bound = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["confman"]["schemas"]
    assert bound
    checked = runner.invoke(app, ["validate", "--all-options", "--allow-missing"])
    assert checked.exit_code == 0, checked.output


def test_values_of_an_unregistered_resolver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NeMo's ``${multiply:...}`` is registered by its training script as a lambda: here it
    cannot resolve. The value is typed Any with the reason in the model, the config is still
    bound, and validate notes the value instead of failing."""
    name = "cm_infer_multiply"
    files = {
        **FILES,
        "conf/model/small.yaml": f"layers: 2\nwidth: 64\nhidden: ${{{name}:${{.width}},4}}\n",
        "conf/model/big.yaml": f"layers: 8\nwidth: 512\nhidden: ${{{name}:${{.width}},4}}\n",
    }
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    source, result = infer_bound(tmp_path, files, "unreg_models/inferred.py")
    assert "not bound" not in result.stderr
    assert (
        f"note: resolver '{name}' is not registered (register it in [tool.confman.resolvers]); "
        "typed from the other values seen there, else Any: model.hidden"
    ) in result.stderr.splitlines()
    assert (
        f"    # Any: no value resolved here: resolver '{name}' is not registered (register it in\n"
        "    # [tool.confman.resolvers]). Run `confman schema infer` again once it resolves, "
        "to type it.\n"
        "    hidden: Any = None\n"
    ) in source
    schemas = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["confman"]["schemas"]
    assert {"train", "model"} <= set(schemas)
    checked = runner.invoke(app, ["validate", "--all-options"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[0].startswith(
        f"note: not checked: resolver '{name}' is not registered"
    )
    assert runner.invoke(app, ["validate", "--strict"]).exit_code == 1


PLACED = {
    "conf/train.yaml": """
        defaults:
          - base/model: small
          - _self_
        data:
          test:
            split: test
        """,
    "conf/base/model/small.yaml": "name: small\nlayers: 2\n",
    "conf/base/model/big.yaml": "name: big\nlayers: 8\n",
    "conf/data/dataset.yaml": "_convert_: all\nsplit: ???\nsize: 30\n",
    "conf/experiment/water.yaml": """
        # @package _global_
        defaults:
          - /data@data.test: dataset
        data:
          test:
            size: 3
        """,
}


def test_group_named_like_an_import_and_an_option_placed_by_experiments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shapes of physicsnemo's trees: group ``base/model`` (a class named ``BaseModel``
    would replace pydantic's for every class after it), and ``data.test`` that only an
    experiment fills with a ``data`` option (the primary alone writes ``split`` there)."""
    monkeypatch.chdir(tmp_path)
    source, result = infer_bound(tmp_path, PLACED, "placed_models/inferred.py")
    assert "not bound" not in result.stderr, result.stderr
    assert "class BaseModel(" not in source and "class BaseModel2(BaseModel):" in source
    checked = CliRunner().invoke(app, ["validate", "--all-options", "--allow-missing"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[-1] == "5 checked, 5 valid, 0 invalid"
