"""Fuzzing: confman.compose against hydra.compose on generated overrides and generated trees.

Two properties, each kept to a few seconds: whatever the input, confman raises nothing but a
``ConfmanError``, and its outcome is Hydra's (the same config, or both refuse). The override
strings follow Hydra's grammar (keys, ``+``/``++``/``~``, ``group=option``, ``@package``, sweeps,
quoted strings, escapes, interpolations, lists and dicts) with some characters outside it; the
trees mix defaults-list forms (``override``, ``optional``, ``_self_`` anywhere, packages, missing
options, repeats, misspelled keywords, cycles) with YAML bodies from the alphabet that tells
libyaml and PyYAML apart.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from confman import ConfmanError, compose

TREE = {
    "config.yaml": (
        "defaults:\n  - db: pg\n  - optional extra: none\n  - _self_\n"
        "a: 1\nb:\n  c: x\n  d: [1, 2]\nname: ${b.c}\nempty: null\nmissing: ???\n"
    ),
    "db/pg.yaml": "host: localhost\nport: 5432\n",
    "db/my.yaml": "host: mysql\nport: 3306\nuser: root\n",
    "extra/one.yaml": "# @package _global_\nb:\n  c: from-extra\n",
    "other/x.yaml": "k: 1\n",
}

#: Keys of the tree above (or groups of it), then keys that are new, odd or invalid.
KEYS = ["a", "b", "b.c", "b.d", "db", "db.host", "db.port", "name", "empty", "missing", "extra"]
ODD_KEYS = [
    "b.z",
    "new",
    "x.y.z",
    "other",
    "hydra.job.name",
    "db@backup",
    "other@o.p",
    "a_b",
    "$a",
    "0",
    "",
    " a",
    "a b",
    "db.nope",
    "b.d.0",
]
#: Values Hydra reads, then values it refuses or reads in surprising ways.
VALUES = [
    "1",
    "-3",
    "0.5",
    "1e-3",
    "inf",
    "true",
    "null",
    "x",
    "pg",
    "my",
    "one",
    "none",
    "'q s'",
    '"d q"',
    "'a,b'",
    "[1,2]",
    "[]",
    "{k: 1}",
    "{}",
    "${a}",
    "${b.c}",
    "'it''s'",
    "x\\,y",
    "a=b",
    "",
    "1 2",
    "str(1)",
    "{a: [1, {b: 2}]}",
    "'${a}'",
    "ünïcode",
    "a:b",
    "+1",
    "0x1f",
    "${oc.env:HOME}",
    "'\\''",
]
ODD_VALUES = [
    "a,b",
    "range(1,3)",
    "choice(1,2)",
    "glob(*)",
    "\\'",
    " ",
    "~",
    "${",
    "[1,",
    "tag(a)",
    "interval(0,1)",
    "${nope}",
    "-",
    "{a: }",
]
PREFIXES = ["", "", "++", "++", "+", "~"]


@st.composite
def overrides(draw: Any) -> str:
    if draw(st.integers(0, 14)) == 0:  # anything at all
        return draw(st.text(alphabet="ab=+~@.,:[]{}()'\"$\\ 1*?", max_size=12))
    prefix = draw(st.sampled_from(PREFIXES))
    key = draw(st.sampled_from(KEYS if draw(st.integers(0, 3)) else ODD_KEYS))
    if prefix == "~" and draw(st.booleans()):
        return f"~{key}"
    value = draw(st.sampled_from(VALUES if draw(st.integers(0, 4)) else ODD_VALUES))
    return f"{prefix}{key}={value}"


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _outcomes(root: Path, name: str, given_overrides: list[str]) -> tuple[Any, Any]:
    """(Hydra's config or its exception, confman's config or its ConfmanError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with initialize_config_dir(config_dir=str(root), version_base="1.3"):
                expected: Any = OmegaConf.to_container(
                    hydra_compose(name, given_overrides), resolve=False
                )
        except (Exception, RecursionError) as exc:  # any refusal by Hydra
            expected = exc
        try:
            got: Any = compose(
                name, given_overrides, config_dir=root, version_base="1.3"
            ).to_container()
        except ConfmanError as exc:  # anything else is a bug: the test fails with it
            got = exc
    return expected, got


def _check(expected: Any, got: Any, context: Any) -> None:
    if isinstance(got, ConfmanError):
        assert isinstance(expected, BaseException), (context, "confman refused", str(got))
        assert "Traceback" not in str(got)
        event(f"both refused ({type(got).__name__})")
        return
    assert not isinstance(expected, BaseException), (context, "Hydra refused", repr(expected))
    assert _same(got, expected), (context, got, expected)
    event("both composed, same config")


_TREE_DIR = tempfile.TemporaryDirectory(prefix="confman-fuzz-")
for _rel, _text in TREE.items():
    (Path(_TREE_DIR.name) / _rel).parent.mkdir(parents=True, exist_ok=True)
    (Path(_TREE_DIR.name) / _rel).write_text(_text, encoding="utf-8")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(overrides(), min_size=1, max_size=3))
def test_override_strings_compose_as_hydra_composes_them(given_overrides: list[str]) -> None:
    expected, got = _outcomes(Path(_TREE_DIR.name), "config", given_overrides)
    _check(expected, got, given_overrides)


# --- generated trees --------------------------------------------------------------------------

SNIPPETS = [
    "1",
    "x",
    "[1, 2]",
    "{k: v}",
    "! x",
    "'q'",
    "null",
    "~",
    "1e3",
    "${a}",
    "???",
    "[1, 2:]",
    "!!str 3",
    "-",
    "yes",
    "0o7",
    "2020-01-01",
    "",
    "{a: 1, b:}",
    "!",
]
#: Values libyaml alone would read differently or accept: Hydra's reading must win.
ODD_SNIPPETS = [
    "|#",
    "x\ty",
    "[a?b]",
    "!!binary aGk=",
    "&x 1",
    "*x",
    "? a",
    "a: 1",
    "!foo x",
    "[x, y?]",
    "y\t",
]
ENTRIES = [
    "_self_",
    "g0: o0",
    "g0: o1",
    "g0: nope",
    "optional g1: o0",
    "optional g1: nope",
    "override g0: o1",
    "overide g0: o1",
    "g1@p: o0",
    "/g0: o0",
    "g1: null",
    "p1",
    "p0",
    "g0: [o0, o1]",
    "g1: ${a}",
]


@st.composite
def trees(draw: Any) -> dict[str, str]:
    def body() -> str:
        lines = []
        keys = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True))
        if keys and draw(st.integers(0, 9)) == 0:
            keys.append(keys[0])  # a duplicate key: Hydra refuses the file, so must confman
        for key in keys:
            odd = draw(st.integers(0, 5)) == 0
            lines.append(f"{key}: {draw(st.sampled_from(ODD_SNIPPETS if odd else SNIPPETS))}")
        return "\n".join(lines) + "\n"

    def defaults() -> str:
        chosen = draw(st.lists(st.sampled_from(ENTRIES), max_size=4))
        return "defaults:\n" + "".join(f"  - {e}\n" for e in chosen) if chosen else ""

    files = {
        "p0.yaml": defaults() + body(),
        "p1.yaml": defaults() + body(),
        "g0/o0.yaml": draw(st.sampled_from(["", "# @package _global_\n"])) + body(),
        "g0/o1.yaml": defaults() + body(),
        "g1/o0.yaml": body(),
    }
    return files


@settings(
    max_examples=70,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trees(), st.lists(st.sampled_from(["g0=o1", "+g1=o0", "a=2", "~g0", "+z=1"]), max_size=2))
def test_generated_trees_compose_as_hydra_composes_them(
    files: dict[str, str], given_overrides: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        expected, got = _outcomes(root, "p0", given_overrides)
        _check(expected, got, (files, given_overrides))
