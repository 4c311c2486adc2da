"""Each row of the error table (``confman.compose.RULES``) fires on what Hydra really raises.

Every row has an example: a small tree and overrides. Hydra's own ``hydra.compose`` must fail on
it with an exception the row is the first to recognise, and ``confman.compose`` must say it as
that row's handler does (the error class and a part of the message only that row writes).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.errors import ConfigCompositionException

from confman import compose
from confman.compose.errors import RULES
from confman.errors import CompositionError, ConfmanError, MissingConfigError, OverrideError

BASE = {
    "train.yaml": "defaults:\n  - db: pg\n  - _self_\nserver:\n  port: 80\npassword: hunter2\n",
    "db/pg.yaml": "host: a\n",
    "db/my.yaml": "host: m\n",
}


@dataclass(frozen=True)
class Example:
    """What to compose, and the part of the confman error that only the row's handler writes."""

    error: type[ConfmanError]
    says: str
    overrides: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    config: str = "train"


EXAMPLES = {
    "override-syntax": Example(OverrideError, "bad override 'server.port=[1'", ("server.port=[1",)),
    "keyless-override-crash": Example(
        OverrideError, "bad override '=1': no key before '='", ("=1",)
    ),
    "keyless-override": Example(OverrideError, "bad override '=abc': no key before '='", ("=abc",)),
    "self-twice": Example(
        CompositionError,
        "train.yaml:4: '_self_' is listed twice in the defaults list of 'train'",
        files=(("train.yaml", "defaults:\n  - _self_\n  - db: pg\n  - _self_\n"),),
    ),
    "override-no-match": Example(
        CompositionError,
        "train.yaml:3: 'override dbb' overrides a choice of 'dbb' that no earlier defaults entry",
        files=(("train.yaml", "defaults:\n  - db: pg\n  - override dbb: my\n"),),
    ),
    "group-twice": Example(
        CompositionError,
        "train.yaml:4: config group 'db' is chosen a second time (first at train.yaml:2)",
        files=(("train.yaml", "defaults:\n  - db: pg\n  - _self_\n  - db: my\n"),),
    ),
    "sweep": Example(OverrideError, "'server.port=1,2' is a sweep", ("server.port=1,2",)),
    "missing-primary": Example(MissingConfigError, "config 'trian' not found in", config="trian"),
    "missing-primary-named": Example(
        MissingConfigError, "config ''train' not found in", config="'train"
    ),
    "missing-option": Example(
        MissingConfigError, "no option 'pgg' in config group 'db' (did you mean 'pg'?", ("db=pgg",)
    ),
    "missing-config": Example(
        MissingConfigError,
        "In 'train': Could not load 'other'.",
        files=(("train.yaml", "defaults:\n  - other\n"),),
    ),
    "no-such-key": Example(
        OverrideError,
        "cannot override 'server.prot': no such key in the composed config "
        "(did you mean 'server.port'?",
        ("server.prot=1",),
    ),
    "delete-absent": Example(
        OverrideError, "cannot delete 'server.prot': no such key", ("~server.prot",)
    ),
    "delete-wrong-value": Example(
        OverrideError, "cannot delete 'password': its value is <secret:", ("~password=x",)
    ),
    "add-existing": Example(
        OverrideError, "cannot add 'server.port': it already exists", ("+server.port=1",)
    ),
    "merge-conflict": Example(
        CompositionError,
        "t/bad.yaml: cannot merge: Cannot merge DictConfig with ListConfig",
        files=(
            ("train.yaml", "defaults:\n  - _self_\n  - t: bad\nc: {k: 1}\n"),
            ("t/bad.yaml", "# @package _global_\nc: [1]\n"),
        ),
    ),
    "no-such-group": Example(
        OverrideError,
        "config group 'dbb' does not exist (did you mean 'db'?",
        ("+dbb@x=pg",),
    ),
    "omegaconf": Example(
        CompositionError, "cannot merge at 'a': ", files=(("train.yaml", "a: ${b\n"),)
    ),
}


def _hydra_raises(conf: Path, example: Example) -> BaseException:
    """What Hydra itself raises composing the example, as confman's composition meets it."""
    with (
        initialize_config_dir(config_dir=str(conf), version_base="1.3"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            hydra_compose(example.config, list(example.overrides))
        except Exception as exc:
            # Hydra's load_configuration wraps OmegaConf's errors in an empty exception of its
            # own; confman runs the steps inside it, so it meets OmegaConf's error itself.
            wrapped = isinstance(exc, ConfigCompositionException) and not str(exc)
            return exc.__cause__ if wrapped and exc.__cause__ else exc
    pytest.fail("Hydra composed the example: it shows no error")


def _confman_raises(conf: Path, example: Example) -> ConfmanError:
    with warnings.catch_warnings(), pytest.raises(ConfmanError) as info:
        warnings.simplefilter("ignore")
        compose(example.config, list(example.overrides), config_dir=conf, cache=False)
    return info.value


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_row_fires_on_what_hydra_raises(make_tree, rule) -> None:
    example = EXAMPLES[rule.name]
    conf = make_tree({**BASE, **dict(example.files)})
    raised = _hydra_raises(conf, example)
    first = next((r for r in RULES if r.matches(raised)), None)
    assert first is rule, f"{type(raised).__name__}: {raised}"
    error = _confman_raises(conf, example)
    assert type(error) is example.error, f"{type(error).__name__}: {error}"
    assert example.says in str(error), str(error)
    assert "hunter2" not in str(error)


def test_every_row_has_an_example() -> None:
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names), "two rows share a name"
    assert sorted(names) == sorted(EXAMPLES), (
        "a row without an example, or an example without a row"
    )


def test_what_no_row_recognises_is_said_by_its_first_line(make_tree) -> None:
    example = Example(
        CompositionError,
        "You must specify 'db', e.g, db=<OPTION>",
        files=(("train.yaml", "defaults:\n  - db: ???\n"),),
    )
    conf = make_tree({**BASE, **dict(example.files)})
    raised = _hydra_raises(conf, example)
    assert not any(r.matches(raised) for r in RULES), str(raised)
    error = _confman_raises(conf, example)
    assert type(error) is CompositionError and str(error) == example.says
