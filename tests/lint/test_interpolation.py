"""Interpolation targets as absolute paths, followed transitively."""

from __future__ import annotations

import pytest

from confman.lint.interpolation import referenced, references


@pytest.mark.parametrize(
    ("key", "value", "targets"),
    [
        ("a.b", "${x.y}", ["x.y"]),
        ("a.b.c", "${..d}", ["a.d"]),
        ("a.b", "${.c}", ["a.c"]),
        ("a.b", "run-${x}-${y.z}", ["x", "y.z"]),
        ("a.b", "${oc.env:HOME}", []),
        ("a.b", 3, []),
    ],
    ids=["absolute", "parent", "sibling", "two-in-a-string", "resolver", "not-a-string"],
)
def test_references(key, value, targets):
    assert list(references(key, value)) == targets


def test_referenced_follows_chains_and_nodes():
    values = {
        "seed": 0,
        "numpy_seed": "${seed}",
        "data.name": "digits",
        "data.path": "/d",
        "label": "${whole}",
        "whole": "${data}",
        "unrelated": 5,
    }
    assert referenced(values) == {"seed", "data.name", "data.path", "whole"}
    assert referenced(values, ["label"]) == {"whole", "data.name", "data.path"}
    assert referenced(values, ["unrelated"]) == set()
