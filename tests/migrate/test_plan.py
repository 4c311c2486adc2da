"""The plan: chains, applying changes to plain configs, and bad declarations (one error each)."""

from __future__ import annotations

import pytest

from confman.migrate.model import Migration
from confman.migrate.plan import MigrationError, build_plan


def test_chained_renames_follow_versions_not_declaration_order() -> None:
    plan = build_plan(
        [
            Migration(version="1.10", rename={"opt.rate": "opt.learning_rate"}),
            Migration(version="1.9", rename={"opt.lr": "opt.rate"}),
        ]
    )
    assert plan.new_key("opt.lr") == "opt.learning_rate"
    assert plan.new_key("opt.rate") == "opt.learning_rate"
    assert plan.new_key("opt.momentum") == "opt.momentum"


def test_apply_keeps_place_moves_removes_maps_and_repoints_interpolations() -> None:
    plan = build_plan(
        [
            Migration(
                version="2.0",
                rename={"opt.lr": "opt.learning_rate"},
                move={"train.seed": "seed"},
                remove=["train.legacy"],
                values={"opt.schedule": {"invscaling": "inverse_scaling"}},
            )
        ]
    )
    old = {
        "opt": {"name": "sgd", "lr": 0.1, "schedule": "invscaling"},
        "train": {"seed": 3, "legacy": True, "warmup": "${opt.lr}"},
    }
    new = plan.apply(old)
    assert list(new["opt"]) == ["name", "learning_rate", "schedule"]
    assert new == {
        "opt": {"name": "sgd", "learning_rate": 0.1, "schedule": "inverse_scaling"},
        "train": {"warmup": "${opt.learning_rate}"},
        "seed": 3,
    }
    assert old["opt"]["lr"] == 0.1  # the input is left as it was


@pytest.mark.parametrize(
    ("migrations", "message"),
    [
        pytest.param(
            [Migration(version="1", rename={"a.x": "a.z", "a.y": "a.z"})],
            "conflicting migrations onto 'a.z'",
            id="two-keys-one-name",
        ),
        pytest.param(
            [Migration(version="1", rename={"a.x": "a.y"}, remove=["a.x"])],
            "conflicting migrations of 'a.x'",
            id="rename-and-remove",
        ),
        pytest.param(
            [
                Migration(version="1", rename={"a.x": "a.y"}),
                Migration(version="2", rename={"a.y": "a.x"}),
            ],
            "cyclic migrations: 'a.x' -> 'a.y' -> 'a.x'",
            id="cycle",
        ),
    ],
)
def test_bad_declarations_are_one_error(migrations: list[Migration], message: str) -> None:
    with pytest.raises(MigrationError) as caught:
        build_plan(migrations)
    assert message in caught.value.message


def test_table_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="changes the parent"):
        Migration(version="1", rename={"a.x": "b.x"})
    with pytest.raises(ValueError, match="declares no change"):
        Migration(version="1")
