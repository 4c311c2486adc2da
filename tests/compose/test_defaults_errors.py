"""Errors in defaults lists name the file:line of the entry at fault; keyless overrides are quoted.

Each case is also composed by ``hydra.compose``, which must fail too: confman only says where.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir

from confman import compose
from confman.errors import CompositionError, ConfmanError, MissingConfigError, OverrideError

OPTIONS = {"db/pg.yaml": "host: a\n", "db/my.yaml": "host: m\n"}

CASES = [
    (
        "missing-option",
        {"train.yaml": "defaults:\n  - _self_\n  - db: x\na: 1\n"},
        MissingConfigError,
        "train.yaml:3: no option 'x' in config group 'db'",
    ),
    (
        "missing-option-in-option",
        {
            "train.yaml": "defaults:\n  - model: big\n",
            "model/big.yaml": "defaults:\n  - /db: oracle\nsize: 3\n",
        },
        MissingConfigError,
        "model/big.yaml:2: no option 'oracle' in config group 'db'",
    ),
    (
        "misspelled-override",
        {"train.yaml": "defaults:\n  - db: pg\n  - overide db: my\na: 1\n"},
        CompositionError,
        "train.yaml:3: 'overide' is not a defaults-list keyword",
    ),
    (
        "self-twice",
        {"train.yaml": "defaults:\n  - _self_\n  - db: pg\n  - _self_\n"},
        CompositionError,
        "train.yaml:4: '_self_' is listed twice in the defaults list of 'train' (first at line 2)",
    ),
    (
        "group-twice",
        {"train.yaml": "defaults:\n  - db: pg\n  - _self_\n  - db: my\n"},
        CompositionError,
        "train.yaml:4: config group 'db' is chosen a second time (first at train.yaml:2)",
    ),
    (
        "unrelated-typo-is-not-blamed",
        {
            "train.yaml": "defaults:\n  - db: pg\n  - optinal model: big\n  - db: my\n",
            "model/big.yaml": "size: 3\n",
        },
        CompositionError,
        "train.yaml:4: config group 'db' is chosen a second time (first at train.yaml:2)",
    ),
    (
        "cycle",
        {"train.yaml": "defaults:\n  - other\n", "other.yaml": "x: 1\ndefaults:\n  - train\n"},
        CompositionError,
        "other.yaml:3: the defaults lists starting at 'train' include each other in a cycle: "
        "train -> other -> train",
    ),
    (
        "cycle-through-option",
        {
            "train.yaml": "defaults:\n  - db: loop\n",
            "db/loop.yaml": "defaults:\n  - /train\n",
        },
        CompositionError,
        "db/loop.yaml:2: the defaults lists starting at 'train' include each other in a cycle: "
        "train -> db/loop -> train",
    ),
    (
        "override-without-match",
        {"train.yaml": "defaults:\n  - db: pg\n  - override dbb: my\n"},
        CompositionError,
        "train.yaml:3: 'override dbb' overrides a choice of 'dbb' that no earlier defaults entry",
    ),
]


def _hydra_fails(conf: Path, overrides: list[str]) -> None:
    with (
        initialize_config_dir(config_dir=str(conf), version_base="1.3"),
        warnings.catch_warnings(),
        pytest.raises(BaseException),  # noqa: B017
    ):
        warnings.simplefilter("ignore")
        hydra_compose("train", overrides)


@pytest.mark.parametrize(
    ("files", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_defaults_list_errors_name_the_entry(make_tree, files, error, message) -> None:
    conf = make_tree({**OPTIONS, **files})
    _hydra_fails(conf, [])
    with warnings.catch_warnings(), pytest.raises(error) as info:
        warnings.simplefilter("ignore")
        compose("train", config_dir=conf, cache=False)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("override", ["=1", "+=3", "++=3", "~=3", "=abc", "@=1", "+=[1]", "=null"])
def test_an_override_without_a_key_is_quoted(make_tree, override: str) -> None:
    conf = make_tree({**OPTIONS, "train.yaml": "defaults:\n  - db: pg\n  - _self_\na: 1\n"})
    _hydra_fails(conf, [override])
    with pytest.raises(OverrideError) as info:
        compose("train", [override], config_dir=conf, cache=False)
    assert str(info.value).startswith(f"bad override '{override}': no key before '=' (")
    assert "Got int" not in str(info.value) and "key=value" in (info.value.hint or "")


def test_an_option_chosen_by_an_override_is_not_blamed_on_a_file(make_tree) -> None:
    conf = make_tree({**OPTIONS, "train.yaml": "defaults:\n  - db: pg\n"})
    with pytest.raises(MissingConfigError) as info:
        compose("train", ["db=nope"], config_dir=conf, cache=False)
    assert str(info.value).startswith("no option 'nope' in config group 'db'")


def test_files_outside_the_config_dir_are_not_read_to_place_an_error(
    make_tree, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("defaults:\n  - train\n")
    conf = make_tree({"train.yaml": "defaults:\n  - link\n"})
    (conf / "link.yaml").symlink_to(outside)
    with pytest.raises(ConfmanError) as info:
        compose("train", config_dir=conf, cache=False)
    assert "outside" not in str(info.value)
