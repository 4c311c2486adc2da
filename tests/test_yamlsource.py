"""YAML loading: OmegaConf-identical typing, line marks, duplicates, hostile input, the cache."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from confman.errors import YamlSourceError
from confman.yamlsource import DuplicateKey, clear_cache, load_yaml_file, parse_yaml

TYPED = """
int: 1
neg: -3
float_exp: 1e-3
float_dot: 0.5
inf: .inf
bool: true
yes_word: yes
null_value: null
tilde: ~
date: 2020-01-01
timestamp: 2001-12-14t21:59:43.10-05:00
quoted: "1"
octal_like: 0o17
hex: 0x1F
list: [1, two, 3.0]
interp: ${a.b}
"""


def test_values_are_typed_exactly_like_omegaconf(tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_text(TYPED)
    ours = parse_yaml(TYPED, name="t.yaml").data
    theirs = OmegaConf.to_container(OmegaConf.load(path))
    assert ours == theirs
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    assert isinstance(ours["float_exp"], float) and ours["date"] == "2020-01-01"


def test_lines_of_nested_keys_and_defaults_entries():
    text = textwrap.dedent(
        """
        defaults:
          - model: a
          - _self_
        top:
          mid:
            leaf: 1
          other: [1, 2]
        """
    ).lstrip()
    parsed = parse_yaml(text, name="x.yaml")
    assert parsed.lines == {
        "defaults": 1,
        "defaults[0]": 2,
        "defaults[1]": 3,
        "top": 4,
        "top.mid": 5,
        "top.mid.leaf": 6,
        "top.other": 7,
    }


def test_merge_keys_map_to_anchor_lines_and_explicit_keys_win():
    text = textwrap.dedent(
        """
        base: &base
          lr: 0.1
          momentum: 0.9
        sgd:
          <<: *base
          lr: 0.01
        """
    ).lstrip()
    parsed = parse_yaml(text, name="m.yaml")
    assert parsed.data["sgd"] == {"lr": 0.01, "momentum": 0.9}
    assert parsed.lines["sgd.lr"] == 6
    assert parsed.lines["sgd.momentum"] == 3
    assert parsed.duplicates == ()


def test_duplicate_keys_are_all_reported_with_both_lines():
    text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    parsed = parse_yaml(text, name="d.yaml")
    assert sorted(parsed.duplicates, key=lambda d: d.line) == [
        DuplicateKey(path="b.c", first_line=3, line=4),
        DuplicateKey(path="a", first_line=1, line=5),
    ]


def test_empty_document():
    parsed = parse_yaml("# only a comment\n", name="e.yaml")
    assert parsed.data is None and parsed.lines == {}


BOMB = "\n".join(
    ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    + [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "a: !!python/object/apply:os.system [ls]", "refused unsafe YAML tag", id="py-apply"
        ),
        pytest.param("a: !!python/name:os.system", "refused unsafe YAML tag", id="py-name"),
        pytest.param("a: &a [*a]", "recursive YAML alias", id="cycle"),
        pytest.param(BOMB, "aliases expand to more than", id="alias-bomb"),
        pytest.param("a: " + "[" * 100_000 + "]" * 100_000, "nesting deeper than", id="deep-flow"),
        pytest.param("- " * 50_000 + "x", "nesting deeper than", id="deep-block"),
        pytest.param("a: [1, 2\nb: 3", "d.yaml:2:2: YAML syntax error", id="syntax"),
    ],
)
def test_hostile_or_broken_input_is_refused_fast(text, message):
    with pytest.raises(YamlSourceError, match=message) as info:
        parse_yaml(text, name="d.yaml")
    assert str(info.value).startswith("d.yaml")


def test_cache_reuses_parse_until_file_changes(tmp_path: Path):
    clear_cache()
    path = tmp_path / "c.yaml"
    path.write_text("a: 1\n")
    first = load_yaml_file(path)
    assert load_yaml_file(path) is first
    path.write_text("a: 22\n")  # size changes
    second = load_yaml_file(path)
    assert second.data == {"a": 22}
    stat = path.stat()
    path.write_text("a: 33\n")  # same size: mtime must invalidate
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_yaml_file(path).data == {"a": 33}
    assert load_yaml_file(path, cache=False) is not load_yaml_file(path, cache=False)


def test_unreadable_binary_and_non_utf8_files(tmp_path: Path):
    with pytest.raises(YamlSourceError, match="cannot read file"):
        load_yaml_file(tmp_path / "missing.yaml", name="missing.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"a: \x00\x01")
    with pytest.raises(YamlSourceError, match="binary"):
        load_yaml_file(binary)
    latin = tmp_path / "l.yaml"
    latin.write_bytes("a: 1\nb: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlSourceError, match=r"l.yaml:2: not valid UTF-8"):
        load_yaml_file(latin, name="l.yaml")
