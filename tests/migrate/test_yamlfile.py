"""Rewriting one YAML file: dotted mapping keys are override keys (sweep definitions)."""

from __future__ import annotations

import pytest

from confman.migrate.plan import Step
from confman.migrate.yamlfile import rewrite_yaml

RENAME = Step(
    kind="rename",
    key="optimizer.lr",
    new="optimizer.learning_rate",
    version="2.0",
    origin="pyproject.toml migration 2.0",
)


@pytest.mark.parametrize(
    ("text", "wanted", "lines"),
    [
        (
            "parameters:\n  optimizer.lr:   # the step\n    values: [0.1, 0.01]\n",
            "parameters:\n  optimizer.learning_rate:   # the step\n    values: [0.1, 0.01]\n",
            [2],
        ),
        (
            "hydra:\n  sweeper:\n    params:\n      ++optimizer.lr: choice(1, 2)\n",
            "hydra:\n  sweeper:\n    params:\n      ++optimizer.learning_rate: choice(1, 2)\n",
            [4],
        ),
        (
            "parameters:\n  'optimizer.lr': {values: [1]}\n  name: {value: 'lr_${optimizer.lr}'}\n",
            "parameters:\n  'optimizer.learning_rate': {values: [1]}\n"
            "  name: {value: 'lr_${optimizer.learning_rate}'}\n",
            [2, 3],
        ),
        ("parameters:\n  optimizer.lr_decay: 1\n  xoptimizer.lr: 2\n", None, []),
    ],
    ids=["wandb-parameters", "hydra-sweeper-params", "quoted-and-interpolated", "other-keys"],
)
def test_a_dotted_key_is_an_override_key(text: str, wanted: str | None, lines: list[int]) -> None:
    out = rewrite_yaml(text, (RENAME,), package="sweeps", name="sweeps/lr.yaml")
    assert out.text == (wanted or text)
    assert [hit.line for hit in out.hits] == lines
    assert not out.refused
