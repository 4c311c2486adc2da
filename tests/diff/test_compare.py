from __future__ import annotations

from pathlib import Path

import pytest

import confman
from confman.diff import REDACTED, Change


def kinds(changes: list[Change]) -> list[tuple[str, str, object, object]]:
    return [(c.path, c.kind, c.old, c.new) for c in changes]


def test_every_kind_of_change_from_deepdiff() -> None:
    a = {"m": {"lr": 0.1, "layers": [1, 2, 3], "gone": 1}, "seed": 1, "flag": True}
    b = {"m": {"lr": 0.2, "layers": [1, 2, 4, 5], "new": {}}, "seed": "1", "flag": 1}
    assert kinds(confman.diff(a, b)) == [
        ("m.lr", "changed", 0.1, 0.2),
        ("m.layers", "changed", [1, 2, 3], [1, 2, 4, 5]),
        ("m.gone", "removed", 1, None),
        ("seed", "type_changed", 1, "1"),
        ("flag", "type_changed", True, 1),
        ("m.new", "added", None, {}),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [([1, 2], [1, 3]), ([1, 2], [1, 2, 3]), ([1, 2, 3], [1]), ([{"a": 1}], [{"a": 2}])],
    ids=["item", "appended", "shortened", "nested"],
)
def test_a_changed_list_is_one_change_shown_whole(old: list[object], new: list[object]) -> None:
    """Hydra sets a list as one value, so a diff shows it whole, once."""
    (change,) = confman.diff({"l": old, "k": 1}, {"l": new, "k": 1})
    assert (change.path, change.leaf, change.kind, change.old, change.new) == (
        "l",
        "l",
        "changed",
        old,
        new,
    )


def test_a_list_within_tolerance_is_no_change() -> None:
    assert confman.diff({"l": [1.0, 2.0]}, {"l": [1.0, 2.0001]}, rtol=1e-3) == []


@pytest.mark.parametrize(
    ("rtol", "atol", "differs"),
    [(0, 0, True), (1e-3, 0, False), (0, 0.01, False), (1e-9, 1e-9, True)],
    ids=["exact", "rtol", "atol", "too-tight"],
)
def test_numeric_tolerance(rtol: float, atol: float, differs: bool) -> None:
    changes = confman.diff({"lr": 1.0, "n": 1000}, {"lr": 1.0001, "n": 1000}, rtol=rtol, atol=atol)
    assert bool(changes) is differs


def test_nan_equals_nan() -> None:
    assert confman.diff({"x": float("nan")}, {"x": float("nan")}) == []


@pytest.mark.parametrize(
    ("globs", "paths"),
    [
        (["hydra.*"], ["seed", "out.dir"]),
        (["hydra"], ["seed", "out.dir"]),
        (["*.dir"], ["hydra.run.x", "seed"]),
        (["seed", "out"], ["hydra.run.x"]),
    ],
    ids=["subtree-star", "subtree-name", "suffix", "two-globs"],
)
def test_ignore_globs(globs: list[str], paths: list[str]) -> None:
    a = {"hydra": {"run": {"x": 1}}, "seed": 1, "out": {"dir": "a"}}
    b = {"hydra": {"run": {"x": 2}}, "seed": 2, "out": {"dir": "b"}}
    assert sorted(c.path for c in confman.diff(a, b, ignore=globs)) == sorted(paths)


def test_secrets_never_in_clear() -> None:
    a = {"db": {"password": "hunter2"}, "api_key": "k"}
    b = {"db": {"password": "swordfish"}, "api_key": "k"}
    changes = confman.diff(a, b)
    assert kinds(changes) == [("db.password", "changed", REDACTED, REDACTED)]
    shown = str(changes[0].to_json())
    assert "hunter2" not in shown and "swordfish" not in shown


def test_group_choice_first_with_implied_leaves_and_sources(conf: Path) -> None:
    changes = confman.diff(
        "train", "train", b_overrides=["model=resnet", "optimizer.lr=0.1"], config_dir=conf
    )
    rows = [(c.path, c.kind, c.group) for c in changes]
    assert rows == [
        ("model", "choice", None),
        ("model.name", "changed", "model"),
        ("model.depth", "changed", "model"),
        ("model.patch", "removed", "model"),
        ("model.block", "added", "model"),
        ("optimizer.lr", "changed", None),
    ]
    choice, depth, lr = changes[0], changes[2], changes[5]
    assert (choice.old, choice.new) == ("vit", "resnet")
    assert choice.old_source is not None and choice.old_source.location == "train.yaml:2"
    assert choice.new_source is not None and choice.new_source.location == "override 'model=resnet'"
    assert depth.old_source is not None and depth.old_source.location == "model/vit.yaml:2"
    assert depth.new_source is not None and depth.new_source.location == "model/resnet.yaml:2"
    assert lr.old_source is not None and lr.old_source.location == "optimizer/adam.yaml:1"
    assert lr.new_source is not None and lr.new_source.location == "override 'optimizer.lr=0.1'"


def test_secret_override_is_redacted_in_its_source(conf: Path) -> None:
    (change,) = confman.diff("train", "train", b_overrides=["db.password=s3cr3t"], config_dir=conf)
    assert change.secret and "s3cr3t" not in repr(change)
    assert (
        change.new_source is not None
        and change.new_source.location == "override 'db.password=<redacted>'"
    )
