from __future__ import annotations

import json

import pytest

from confman.diff.runtable import ABSENT, compare_many, render_table

RUNS = {
    "r1": {"lr": 0.1, "seed": 1, "model": {"name": "vit", "depth": 12}, "db": {"token": "aaa"}},
    "r2": {"lr": 0.2, "seed": 1, "model": {"name": "vit", "depth": 12}, "db": {"token": "bbb"}},
    "r3": {"lr": 0.3, "seed": 1, "model": {"name": "resnet", "depth": 12}, "db": {"token": "aaa"}},
    "r4": {
        "lr": 0.1,
        "seed": 1,
        "model": {"name": "vit", "depth": 12},
        "db": {"token": "aaa"},
        "extra": True,
    },
}


def test_only_differing_keys_most_varying_first_secrets_hidden() -> None:
    table = compare_many(RUNS)
    assert table.keys == ("lr", "model.name", "db.token", "extra")
    assert table.differing == {"lr": 2, "model.name": 1, "db.token": 1, "extra": 1}
    assert table.constant == 2
    assert table.values["db.token"] == ("secret#1", "secret#2", "secret#1", "secret#1")
    assert table.values["extra"] == (ABSENT, ABSENT, ABSENT, True)


def test_types_are_values() -> None:
    table = compare_many({"a": {"x": 1}, "b": {"x": 1.0}, "c": {"x": True}, "d": {"x": "1"}})
    assert table.differing == {"x": 3}


def test_ignore() -> None:
    assert compare_many(RUNS, ignore=("lr", "db.*")).keys == ("model.name", "extra")


TABLE = """\
run  lr   model.name  db.token  extra
r1   0.1  vit         secret#1  <absent>
r2   0.2  vit         secret#2  <absent>
r3   0.3  resnet      secret#1  <absent>
r4   0.1  vit         secret#1  true
4 differing keys; 2 constant keys hidden
"""

MARKDOWN = """\
| run | `lr` | `model.name` | `db.token` | `extra` |
|---|---|---|---|---|
| r1 | 0.1 | vit | secret#1 | <absent> |
| r2 | 0.2 | vit | secret#2 | <absent> |
| r3 | 0.3 | resnet | secret#1 | <absent> |
| r4 | 0.1 | vit | secret#1 | true |

4 differing keys; 2 constant keys hidden
"""

CSV = """\
run,lr,model.name,db.token,extra
r1,0.1,vit,secret#1,<absent>
r2,0.2,vit,secret#2,<absent>
r3,0.3,resnet,secret#1,<absent>
r4,0.1,vit,secret#1,true
"""


@pytest.mark.parametrize(
    ("fmt", "expected"), [("table", TABLE), ("markdown", MARKDOWN), ("csv", CSV)]
)
def test_formats(fmt: str, expected: str) -> None:
    assert render_table(compare_many(RUNS), fmt) == expected


def test_json() -> None:
    doc = json.loads(render_table(compare_many(RUNS), "json"))
    assert doc["constant_keys"] == 2
    assert doc["runs"][1] == {
        "run": "r2",
        "lr": 0.2,
        "model.name": "vit",
        "db.token": "secret#2",
        "extra": ABSENT,
    }
    assert "aaa" not in json.dumps(doc)


def test_type_only_difference_inside_an_equal_looking_subtree() -> None:
    # {"x": 1} == {"x": True} in Python; the table must still show the difference.
    table = compare_many({"a": {"m": {"x": 1, "y": 2}}, "b": {"m": {"x": True, "y": 2}}})
    assert (table.keys, table.constant) == (("m.x",), 1)


def test_nan_everywhere_is_constant() -> None:
    table = compare_many({"a": {"x": float("nan")}, "b": {"x": float("nan")}})
    assert (table.keys, table.constant) == ((), 1)
