"""YAML loading: OmegaConf-identical typing, line marks, duplicates, hostile input, the cache."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf._utils import get_yaml_loader

from confman.errors import YamlSourceError
from confman.yamlsource import (
    _NOT_PLAIN,
    DuplicateKey,
    _construct_plain,
    _LibyamlLoader,
    _nesting_upper_bound,
    adopt_parses,
    cached_parses,
    clear_cache,
    load_yaml_file,
    parse_yaml,
)

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


# --- the plain constructor is PyYAML's constructor, faster --------------------------------------

_TOKENS = [
    "1",
    "-3",
    "+7",
    "0",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "190:20:30",
    "1e-3",
    "1.5",
    "-2.",
    ".5",
    "1_0.5",
    ".inf",
    "-.inf",
    ".NaN",
    "true",
    "True",
    "yes",
    "off",
    "on",
    "n",
    "null",
    "~",
    "",
    "2020-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "'quoted'",
    '"1"',
    '"a\\tb"',
    "${a.b}",
    "a b",
    "[1, two, 3.0]",
    "{x: 1, y: [a]}",
    "[]",
    "{}",
    "&anchor 3",
    "!!str 5",
    "!!int '7'",
    "!!float 1",
    "!!bool yes",
    "!!null ''",
    "!!binary aGVsbG8=",
    "!!timestamp 2020-01-01",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "{<<: {z: 1}}",
    "{[a, b]: 1}",
    "{{k: v}: 1}",
    "? complex\n",
    "|\n  block\n  text",
    ">-\n  folded",
]
_KEYS = ["a", "b", "1", "true", "null", "2.5", "'q'", "<<", "x y", "a", "defaults"]


def _same(a: object, b: object) -> bool:
    """Equal values of identical types all the way down (NaN equals NaN, 1 is not True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _document(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines = []
    for key in draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4)):
        if depth < 2 and draw(st.booleans()):
            lines.append(f"{key}:")
            lines += [f"  {line}" for line in _document(draw, depth + 1)]
        else:
            token = draw(st.sampled_from(_TOKENS))
            lines += f"{key}: {token}".splitlines()
    return lines


@st.composite
def _documents(draw: st.DrawFn) -> str:
    return "\n".join(_document(draw)) + "\n"


class _Reference(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader with OmegaConf's implicit types: what confman's libyaml
    loader, its resolver and its plain constructor must agree with."""

    yaml_implicit_resolvers = get_yaml_loader().yaml_implicit_resolvers


@settings(max_examples=400, deadline=None)
@given(_documents())
def test_parsing_equals_pure_pyyaml_with_omegaconf_types(text: str):
    try:
        expected = yaml.load(text, Loader=_Reference)
    except yaml.YAMLError:
        with pytest.raises(YamlSourceError):
            parse_yaml(text, name="t.yaml")
        return
    assert _same(parse_yaml(text, name="t.yaml").data, expected)


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_direct_walk_indexes_lines_and_duplicates_as_the_general_path(text: str):
    """A ``*`` anywhere (here in a trailing comment) sends a document down the general path:
    PyYAML's constructor and ``_index_keys``. Both paths must give the same parse."""
    try:
        direct = parse_yaml(text, name="t.yaml")
    except YamlSourceError:
        return
    general = parse_yaml(f"{text}# *\n", name="t.yaml")
    assert _same(direct.data, general.data)
    assert direct.lines == general.lines
    assert direct.duplicates == general.duplicates


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a: 1\nb: [x, {c: .inf}]\n", True),
        ("a: !!str 1\n", True),
        ("a: !!set {x, y}\n", False),
        ("a: {<<: {z: 1}}\n", False),
        ("a: 2020-01-01\n", True),  # OmegaConf's resolvers keep dates as strings
        ("a: !!binary aGVsbG8=\n", False),
    ],
)
def test_plain_construction_leaves_tags_and_merges_to_pyyaml(text: str, plain: bool):
    loader = _LibyamlLoader(text)
    try:
        result = _construct_plain(loader, loader.get_single_node(), {}, [])
    finally:
        loader.dispose()
    assert (result is not _NOT_PLAIN) is plain
    assert _same(parse_yaml(text, name="t.yaml").data, yaml.load(text, Loader=_Reference))


def test_a_mapping_used_as_a_key_is_still_refused_with_its_line():
    with pytest.raises(YamlSourceError, match=r"t.yaml:2: found unhashable key"):
        parse_yaml("a: 1\n[x, y]: 2\n", name="t.yaml")


def test_parses_handed_to_another_process_are_reused_until_the_file_changes(tmp_path: Path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    clear_cache()
    parsed = load_yaml_file(path, name="a.yaml")
    entries = cached_parses([path, tmp_path / "never_read.yaml"])
    assert [full for full, *_ in entries] == [str(path)]
    clear_cache()
    adopt_parses(entries)
    assert load_yaml_file(path, name="a.yaml") is parsed
    path.write_text("a: 22\n")
    assert load_yaml_file(path, name="a.yaml").data == {"a": 22}


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_NESTED = st.recursive(
    st.one_of(st.integers(), st.text(max_size=3), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_NESTED, st.sampled_from([False, True, None]))
def test_nesting_bound_is_an_upper_bound(value: object, flow: bool | None):
    text = yaml.safe_dump(value, default_flow_style=flow)
    assert _depth(value) <= _nesting_upper_bound(text)


# --- Fidelity with Hydra's own YAML loader (OmegaConf's ``get_yaml_loader()``) ---------------

_HYDRA_LOADER = get_yaml_loader()


def _hydra_reads(text: str) -> tuple[bool, object]:
    """What OmegaConf's loader (the one ``hydra.compose`` parses files with) makes of ``text``."""
    try:
        return True, yaml.load(text, Loader=_HYDRA_LOADER)
    except (yaml.YAMLError, ValueError):  # ``0b_`` matches the int pattern, then int() fails
        return False, None


def _confman_reads(text: str) -> tuple[bool, object]:
    """What confman's loader makes of ``text``; a duplicate key is a refusal, as in Hydra
    (confman keeps parsing to report every duplicate, then refuses the file at compose)."""
    try:
        parsed = parse_yaml(text, name="t.yaml")
    except YamlSourceError:
        return False, None
    return not parsed.duplicates, parsed.data if not parsed.duplicates else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !\n", {"a": None}),
        ("a: ! foo\n", {"a": "foo"}),
        ("b: 39\tB\n", YamlSourceError),
        ("a: x\t\n", YamlSourceError),
        ("[1, 233:]\n", [1, {233: None}]),
        ("{a: 1, b:}\n", {"a": 1, "b": None}),
        ("a:\n\t- 1\n", YamlSourceError),
        ("x: !!binary aGVsbG8=\n", {"x": b"hello"}),
        ("a: |#\n", YamlSourceError),
        ("a: >-#\n", YamlSourceError),
        ("a: [b?c]\n", YamlSourceError),
        ("a: http://x?y=1\nb: [1]\n", {"a": "http://x?y=1", "b": [1]}),
        ("a: [1,\n  b?c]\n", YamlSourceError),
        ("a: [[x], y?]\n", YamlSourceError),
        ("a: ???\nb: [1]\n", {"a": "???", "b": [1]}),
    ],
    ids=[
        "empty-tag",
        "tag-space",
        "tab-in-plain",
        "trailing-tab",
        "flow-key-colon-end",
        "flow-map-empty-value",
        "tab-indent",
        "binary",
        "block-comment",
        "folded-comment",
        "flow-question",
        "block-question",
        "flow-question-multiline",
        "flow-question-nested",
        "missing-marker",
    ],
)
def test_documents_where_libyaml_and_hydra_disagree_read_as_hydra(text: str, expected: object):
    assert _hydra_reads(text) == (
        (False, None) if expected is YamlSourceError else (True, expected)
    )
    if expected is YamlSourceError:
        with pytest.raises(YamlSourceError, match=r"^t\.yaml:\d+:\d+: YAML syntax error"):
            parse_yaml(text, name="t.yaml")
    else:
        assert _same(parse_yaml(text, name="t.yaml").data, expected)


#: Characters YAML gives meaning to, plus a few plain ones: random documents over this alphabet
#: hit the scanner's corners (flow indicators, tags, tabs, anchors, block scalars, comments).
_YAML_CHARS = "ab1.-:?,[]{}!&*|>'\"#%@` \t\n~\\e_+xyz09"


@st.composite
def _raw_documents(draw: st.DrawFn) -> str:
    """Either random text over the YAML alphabet, or a structured document whose values are
    random snippets of it (so most examples get past the first line)."""
    snippet = st.text(alphabet=_YAML_CHARS, max_size=12)
    if draw(st.booleans()):
        return draw(st.text(alphabet=_YAML_CHARS, max_size=40))
    lines = []
    for key in draw(st.lists(st.sampled_from(["a", "b", "c d", "1", "'q'", "-"]), max_size=4)):
        indent = draw(st.sampled_from(["", "", "  ", "\t"]))
        lines.append(f"{indent}{key}:{draw(st.sampled_from([' ', '', chr(9)]))}{draw(snippet)}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=1500, deadline=None)
@given(_raw_documents())
def test_any_document_reads_as_hydra_reads_it(text: str):
    """Same value (types included) or both refuse, against OmegaConf's loader itself.

    Deliberate difference: confman refuses ``!!python/...`` tags that OmegaConf's loader would
    construct (``pathlib.Path``); the alphabet cannot spell them.
    """
    hydra_ok, hydra_value = _hydra_reads(text)
    ours_ok, ours_value = _confman_reads(text)
    assert ours_ok == hydra_ok, (text, hydra_value, ours_value)
    if hydra_ok:
        assert _same(ours_value, hydra_value), (text, hydra_value, ours_value)


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_structured_documents_read_as_hydra_reads_them(text: str):
    """The token table above (typed scalars, tags, merges, block scalars) against OmegaConf's
    loader itself, duplicates included."""
    hydra_ok, hydra_value = _hydra_reads(text)
    ours_ok, ours_value = _confman_reads(text)
    assert ours_ok == hydra_ok, (text, hydra_value, ours_value)
    if hydra_ok:
        assert _same(ours_value, hydra_value), (text, hydra_value, ours_value)
