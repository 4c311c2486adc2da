"""On composed sides: composing A with A's overrides plus the printed ones gives B."""

from __future__ import annotations

from pathlib import Path

import pytest

from confman.diff import compare_sides, load_side
from confman.diff.render import override_lines


@pytest.mark.parametrize(
    ("a_overrides", "b_overrides"),
    [
        ([], ["model=resnet"]),
        (["model=vit", "+extra.k=1", "optimizer.lr=0.5"], ["model=resnet", "optimizer.lr=0.1"]),
        (["model=resnet", "~seed"], ["optimizer.betas=[0.5,0.6]", "+name='a b'"]),
        (["optimizer=sgd"], ["~optimizer", "+model.extra=x"]),
        ([], ["model=resnet", "model.depth=34", "optimizer=sgd", "optimizer.momentum=0.5"]),
    ],
    ids=["group", "group-and-values", "removed-and-quoted", "group-deleted", "group-own-values"],
)
def test_composing_a_with_printed_overrides_gives_b(
    conf: Path, a_overrides: list[str], b_overrides: list[str]
) -> None:
    a = load_side("train", a_overrides, config_dir=conf, resolve=False)
    b = load_side("train", b_overrides, config_dir=conf, resolve=False)
    lines = override_lines(compare_sides(a, b), a, b)
    assert lines
    again = load_side("train", [*a_overrides, *lines], config_dir=conf, resolve=False)
    assert compare_sides(again, b) == []


def test_a_deleted_group_cannot_be_restored_by_an_override(conf: Path) -> None:
    # Hydra ignores ``+optimizer=adam`` after ``~optimizer``; the renderer says what to do.
    a = load_side("train", ["~optimizer"], config_dir=conf, resolve=False)
    b = load_side("train", [], config_dir=conf, resolve=False)
    assert override_lines(compare_sides(a, b), a, b) == [
        "# optimizer: drop A's '~optimizer' (Hydra cannot restore a deleted group), "
        "then '+optimizer=adam'"
    ]
