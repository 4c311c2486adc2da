"""CM205 default-value: values equal to the bound schema's default, read from schema source."""

from __future__ import annotations

from pathlib import Path

from linttree import CLEAN, PYPROJECT, findings, messages

SCHEMAS = """
[tool.confman.schemas]
train = "schemas.train:TrainConfig"
optimizer = "schemas.optim:OptimizerConfig"
"""

OPTIM = """
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Adam(BaseModel):
    name: Literal["adam"]
    lr: float = Field(1e-3, gt=0)
    betas: tuple[float, float] = (0.9, 0.999)


class Sgd(BaseModel):
    name: Literal["sgd"]
    lr: float = Field(default=0.01)
    momentum: float = 0.9


OptimizerConfig = Annotated[Adam | Sgd, Field(discriminator="name")]
"""

TRAIN = """
from pathlib import Path

from pydantic import BaseModel, Field

from schemas.optim import OptimizerConfig


class Model(BaseModel):
    name: str
    hidden: int = 32
    num_classes: int
    out: Path = Path("out")
    tags: list[str] = Field(default_factory=list)


class TrainConfig(BaseModel):
    seed: int = 0
    run_name: str = ""
    data: dict[str, object]
    model: Model
    optimizer: OptimizerConfig
"""

VALIDATING = """
from schemas.train import TrainConfig


def train(cfg):
    settings = TrainConfig.model_validate(cfg)
    print(settings.seed, settings.run_name, settings.data, settings.model.hidden)
    head = cfg["model"]["num_classes"]
    opt = cfg.optimizer
    return head, opt.lr, opt.get("betas"), getattr(opt, "momentum", 0), cfg.data.path
"""


def with_schemas(root: Path, code: str = VALIDATING) -> Path:
    (root / "pyproject.toml").write_text(PYPROJECT + SCHEMAS)
    (root / "schemas").mkdir(exist_ok=True)
    (root / "schemas" / "__init__.py").write_text("")
    (root / "schemas" / "optim.py").write_text(OPTIM.lstrip())
    (root / "schemas" / "train.py").write_text(TRAIN.lstrip())
    (root / "src" / "train.py").write_text(code)
    return root


def test_values_equal_to_literal_defaults_are_found(system):
    root = with_schemas(system())
    # train.yaml seed: 0 (TrainConfig.seed = 0); adam lr 0.001 = Field(1e-3); betas list = tuple
    assert findings(root, "CM205") == [
        ("CM205", "conf/optimizer/adam.yaml", 2),
        ("CM205", "conf/optimizer/adam.yaml", 3),
        ("CM205", "conf/optimizer/sgd.yaml", 3),
        ("CM205", "conf/train.yaml", 7),
    ]
    text = "\n".join(messages(root, "CM205"))
    assert "'optimizer.lr' is 0.001, the default of schemas.optim:Adam.lr (schemas/optim.py:8)" in (
        text
    )
    assert "schemas.optim:Sgd.momentum" in text  # the union member picked by name: sgd


def test_union_member_is_picked_by_discriminator_not_by_field_name(system):
    # sgd's lr 0.1 differs from Sgd.lr (0.01); it would equal no Adam default either
    root = with_schemas(system({"conf/optimizer/sgd.yaml": "name: sgd\nlr: 0.001\n"}))
    assert ("CM205", "conf/optimizer/sgd.yaml", 2) not in findings(root, "CM205")


def test_nested_model_fields_and_unreadable_defaults(system):
    root = with_schemas(
        system(
            {
                "conf/model/mlp.yaml": """
                    name: mlp
                    hidden: 32
                    num_classes: ${data.num_classes}
                    out: out
                    tags: []
                    """
            }
        )
    )
    found = [f for f in findings(root, "CM205") if f[1] == "conf/model/mlp.yaml"]
    # hidden = 32 is the literal default, out = Path("out") a path literal pydantic builds
    # from the same string; default_factory is never judged
    assert found == [("CM205", "conf/model/mlp.yaml", 2), ("CM205", "conf/model/mlp.yaml", 4)]


def test_value_resetting_an_earlier_write_is_not_redundant(system):
    # sgd.yaml moves momentum off the default; the experiment puts it back: deleting the
    # experiment's line would change the run, so only values equal all along are reported
    root = with_schemas(
        system(
            {
                "conf/optimizer/sgd.yaml": "name: sgd\nlr: 0.1\nmomentum: 0.5\n",
                "conf/experiment/big.yaml": """
                    # @package _global_
                    defaults:
                      - override /optimizer: sgd
                    optimizer:
                      momentum: 0.9
                    """,
            }
        )
    )
    assert [f for f in findings(root, "CM205") if "sgd" in f[1] or "big" in f[1]] == []


def test_code_reading_the_composed_config_needs_every_value(system):
    # src/train.py of the clean tree reads cfg.optimizer.lr from the DictConfig: nothing is
    # removable, so the rule is silent even though values equal the defaults
    root = system()
    code = (root / "src" / "train.py").read_text()
    with_schemas(root, code)
    assert findings(root, "CM205") == []


def test_typed_entry_point_counts_as_schema_defaults(system):
    code = 'import confman\n\ndef main():\n    return confman.load_config("train")\n'
    root = with_schemas(system(), VALIDATING + "\n" + code)
    assert findings(root, "CM205")


def test_no_bindings_no_findings(system):
    assert findings(system(), "CM205") == []


def test_example_system_writes_defaults_its_code_needs(tmp_path):
    """The bundled system's code reads the composed DictConfig (``cfg.optimizer.lr``), so its
    default-equal values are load-bearing: silent. Reading settings through the schema
    (``confman.load_config``) makes them removable, and then they are reported."""
    from oracle import TYPED, build

    root = build(tmp_path)
    found = findings(root, "CM205")
    assert ("CM205", "conf/optimizer/adam.yaml", 2) in found
    assert len(found) > 100
    train = root / "examples" / "train.py"
    train.write_text(train.read_text().replace(TYPED, ""))
    assert findings(root, "CM205") == []


def test_a_value_another_value_interpolates_must_stay(system):
    # OmegaConf resolves ${seed} from the config: deleting 'seed: 0' breaks shuffle_seed
    train = CLEAN["conf/train.yaml"] + "shuffle_seed: ${seed}\n"
    root = with_schemas(system({"conf/train.yaml": train}))
    assert ("CM205", "conf/train.yaml", 7) not in findings(root, "CM205")


def test_findings_are_safe_to_delete_by_the_pydantic_oracle(tmp_path):
    """A sample of CM205's findings on the example system (code reading through the schema):
    deleting each line leaves every composed, validated configuration unchanged
    (tests/lint/oracle.py; the full measurement is in benchmarks/RESULTS.md)."""
    from oracle import Oracle, build

    root = build(tmp_path)
    found = sorted({(f, n) for _, f, n in findings(root, "CM205")})
    oracle = Oracle(root)
    sample = found[::15]
    assert len(sample) >= 7
    assert [w for w in sample if not oracle.deletable(*w)[0]] == []
    # and the oracle can say no: an interpolated key the rule leaves alone is not deletable
    assert oracle.deletable("conf/train.yaml", 14) == (False, False)  # seed: 0, used by ${seed}
