"""Overrides: read by Hydra's parser, only the key (or mapped value) rewritten."""

from __future__ import annotations

import pytest

from confman.migrate.model import Migration
from confman.migrate.overrides import migrate_override, rewrite_source
from confman.migrate.plan import build_plan

PLAN = build_plan(
    [
        Migration(
            version="2.0",
            rename={"optimizer.lr": "optimizer.learning_rate"},
            remove=["calibration.folds"],
            values={"optimizer.schedule": {"invscaling": "inverse_scaling"}},
        )
    ]
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("optimizer.lr=0.1", "optimizer.learning_rate=0.1"),
        ("+optimizer.lr=0.1", "+optimizer.learning_rate=0.1"),
        ("++optimizer.lr@pkg=3", "++optimizer.learning_rate@pkg=3"),
        ("~optimizer.lr", "~optimizer.learning_rate"),
        ("optimizer.lr=0.1,0.2", "optimizer.learning_rate=0.1,0.2"),
        ("optimizer.lr='a b'", "optimizer.learning_rate='a b'"),
        ("optimizer.schedule=invscaling", "optimizer.schedule=inverse_scaling"),
        ("optimizer.schedule=constant", "optimizer.schedule=constant"),
        ("optimizer.lrx=1", "optimizer.lrx=1"),
        ("model=mlp", "model=mlp"),
        ("calibration.folds=3", None),
        ("not an override", "not an override"),
    ],
    ids=lambda v: str(v),
)
def test_override(old: str, new: str | None) -> None:
    assert migrate_override(old, PLAN)[0] == new


def test_scripts_docs_and_python_sources() -> None:
    script = "python train.py optimizer.lr=0.1 calibration.folds=3 model=mlp  # comment\n"
    text, hits = rewrite_source(script, PLAN, python=False)
    assert text == "python train.py optimizer.learning_rate=0.1 model=mlp  # comment\n"
    assert [(h.line, h.old, h.new) for h in hits] == [
        (1, "optimizer.lr=0.1", "optimizer.learning_rate=0.1"),
        (1, "calibration.folds=3", None),
    ]
    doc = "Don't forget: `optimizer.lr=3` works.\n"
    assert rewrite_source(doc, PLAN, python=False)[0] == (
        "Don't forget: `optimizer.learning_rate=3` works.\n"
    )
    code = 'compose("train", ["optimizer.lr=0.1", \'model=mlp\'])\nlr = "optimizer.lr"\n'
    assert rewrite_source(code, PLAN, python=True)[0] == (
        'compose("train", ["optimizer.learning_rate=0.1", \'model=mlp\'])\nlr = "optimizer.lr"\n'
    )
