"""``confman.compose.hydrafast`` builds the defaults lists Hydra builds, and patches nothing.

Each defaults list of the compose corpus and of every real-world manifest case is built twice,
by Hydra's own ``create_defaults_list`` over confman's plain repository and by ``hydrafast``
over its fast one, and must give the same entries, overrides, tree and errors.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hydra import version as hydra_version
from hydra._internal import config_repository as hydra_repository
from hydra._internal import defaults_list as hydra_defaults
from hydra._internal.config_repository import CachingConfigRepository
from hydra._internal.defaults_list import create_defaults_list
from hydra._internal.utils import create_config_search_path
from hydra.core.default_element import ConfigDefault, GroupDefault, InputDefault
from hydra.core.override_parser.overrides_parser import OverridesParser
from packaging.version import Version

from confman.compose import hydrafast
from confman.errors import ConfmanError
from confman.sources import Repository

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "compose" / "corpus"
REALWORLD = REPO.parent / "shared" / "realworld"
PATCHABLE = (
    (hydra_defaults, "_create_interpolation_map"),
    (hydra_defaults, "create_defaults_list"),
    (hydra_version, "base_at_least"),
    (ConfigDefault, "is_interpolation"),
    (GroupDefault, "is_interpolation"),
    (hydra_repository.ConfigRepository, "_create_defaults_list"),
)


def _cases() -> Iterator[Any]:
    for case_dir in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for run in yaml.safe_load((case_dir / "cases.yaml").read_text(encoding="utf-8")):
            overrides = [str(o) for o in run.get("overrides", [])]
            conf = case_dir / run.get("config_dir", ".")
            rid = f"{case_dir.name}:{run['config']}[{' '.join(overrides)}]"
            yield pytest.param(conf, run["config"], overrides, "1.3", id=rid)
    if not (REALWORLD / "manifest.json").is_file():
        return
    for tree in json.loads((REALWORLD / "manifest.json").read_text(encoding="utf-8")):
        for case in tree["cases"]:
            conf = REALWORLD / tree["tree"] / case["config_dir"]
            base = case["version_base"] or "1.3"
            overrides = list(case["overrides"])
            yield pytest.param(conf, case["config_name"], overrides, base, id=case["id"])


def _outcome(build: Any, repo: Any, name: str | None, overrides: list[str]) -> Any:
    """What a build gives, comparable across the two repositories' entry classes."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides=overrides)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            made = build(repo, name, parsed)
    except Exception as exc:  # the error is part of the outcome
        return ("error", type(exc).__name__, str(exc))
    return (
        made.defaults,
        [(o.key_or_group, o.value()) for o in made.config_overrides],
        _tree(made.defaults_tree),
    )


def _tree(node: Any) -> Any:
    element = node.node
    described = (type(element).__name__, repr(element))
    children = [_tree(c) if hasattr(c, "node") else repr(c) for c in node.children or []]
    return described, children


def _hydra(repo: Any, name: str | None, parsed: Any) -> Any:
    return create_defaults_list(repo, name, parsed, prepend_hydra=True, skip_missing=False)


@pytest.fixture
def version_base() -> Iterator[Any]:
    instance = hydra_version.VersionBase.instance()
    saved = instance.getbase()
    yield instance
    instance.version_base = saved  # may be Hydra's "unspecified" marker, which setbase refuses


@pytest.mark.parametrize(("conf", "name", "overrides", "base"), list(_cases()))
def test_defaults_lists_equal_hydra(
    monkeypatch: pytest.MonkeyPatch,
    version_base: Any,
    conf: Path,
    name: str,
    overrides: list[str],
    base: str,
) -> None:
    monkeypatch.setenv("CONFMAN_CORPUS_DIR", str(CORPUS / "searchpath"))
    monkeypatch.syspath_prepend(str(CORPUS / "searchpath_pkg"))
    version_base.setbase(Version(base))
    search = create_config_search_path(str(conf))
    plain = CachingConfigRepository(Repository(search, label_root=str(conf), cache=True))
    fast = CachingConfigRepository(
        hydrafast.FastRepository(search, label_root=str(conf), cache=True, skeleton=True)
    )
    name = name.removesuffix(".yaml") if name else name
    expected = _outcome(_hydra, plain, name, overrides)
    assert _outcome(hydrafast.create_defaults_list, fast, name, overrides) == expected


@pytest.mark.parametrize(
    "element",
    [
        ConfigDefault(path="db/mysql"),
        ConfigDefault(path="${platform}_base"),
        ConfigDefault(path="_self_"),
        GroupDefault(group="db", value="mysql"),
        GroupDefault(group="db", value="${platform}"),
        GroupDefault(group="db", value="???"),
        GroupDefault(group="db", value=["a", "${b}"]),
        GroupDefault(group="db", value=None),
    ],
    ids=repr,
)
def test_entries_answer_is_interpolation_as_hydra(element: InputDefault) -> None:
    fast_type = {ConfigDefault: hydrafast.ConfigDefault, GroupDefault: hydrafast.GroupDefault}
    fast = fast_type[type(element)](**vars(element))
    element.update_parent("", "")
    fast.update_parent("", "")
    assert fast.is_interpolation() is element.is_interpolation()


@pytest.mark.parametrize("base", ["1.1", "1.2", "1.3"])
def test_version_answers_as_hydra(version_base: Any, base: str) -> None:
    version_base.setbase(Version(base))
    remembered = hydrafast._Version()
    for ver in ("1.1", "1.2", "1.3", "1.2.0.dev2", "1.4"):
        assert remembered.base_at_least(ver) is hydra_version.base_at_least(ver)
        assert remembered.base_at_least(ver) is hydra_version.base_at_least(ver)  # remembered


def test_map_is_hydras_whenever_an_entry_may_interpolate() -> None:
    plain = [GroupDefault(group="db", value="mysql"), ConfigDefault(path="_self_")]
    assert hydrafast._interpolation_map(None, plain, True) is None
    interpolated = [*plain, GroupDefault(group="x", value="${db}_x")]
    for entry in interpolated:
        entry.update_parent("", "")
    overrides = hydra_defaults.Overrides(repo=None, overrides_list=[])  # type: ignore[arg-type]
    made = hydrafast._interpolation_map(overrides, interpolated, True)
    assert made == hydra_defaults._create_interpolation_map(overrides, interpolated, True)


def test_nothing_of_hydra_is_patched(tmp_path: Path) -> None:
    """A lint leaves Hydra's modules and classes as they were, and no confman module assigns
    to an attribute of one (the fast builds run over copies of Hydra's functions)."""
    from confman.compose.plain import Composer

    before = [getattr(owner, name) for owner, name in PATCHABLE]
    conf = tmp_path / "conf"
    (conf / "db").mkdir(parents=True)
    (conf / "config.yaml").write_text("defaults:\n  - db: a\n  - _self_\nx: 1\n")
    (conf / "db" / "a.yaml").write_text("port: 1\n")
    (conf / "db" / "b.yaml").write_text("port: 2\n")
    composer = Composer(conf, "1.3")
    assert composer.compose("config", ["db=b"]).container == {"db": {"port": 2}, "x": 1}
    assert composer.counts["fast"] == 1
    assert [getattr(owner, name) for owner, name in PATCHABLE] == before
    assert "confman" not in hydra_defaults.create_defaults_list.__globals__.get("__name__", "")
    assert sys.modules["hydra._internal.defaults_list"] is hydra_defaults


@pytest.mark.parametrize("found", ["1.2.0", "1.4.0", "2.0.0.dev1"])
def test_untested_hydra_is_refused_clearly(found: str) -> None:
    with pytest.raises(ConfmanError, match=rf"hydra-core {found} is not supported"):
        hydrafast.check_hydra_version(found)
    hydrafast.check_hydra_version("1.3.2")


def test_defaults_list_copy_equals_deepcopy() -> None:
    """The entry-by-entry copy of a defaults list is ``copy.deepcopy``'s: equal, independent
    (lists too), and anything not a flat entry is deep-copied as before."""
    import copy

    entries: list[Any] = [
        GroupDefault(group="db", value=["a", "b"], optional=True),
        ConfigDefault(path="_self_"),
        hydrafast.GroupDefault(group="x", value="y", package="p"),
    ]
    made = hydrafast._Copy.deepcopy(entries)
    assert made == copy.deepcopy(entries)
    assert [type(e) for e in made] == [type(e) for e in entries]
    assert all(a is not b for a, b in zip(made, entries, strict=True))
    made[0].value.append("c")
    assert entries[0].value == ["a", "b"]
    odd = [GroupDefault(group="db", value="a"), {"not": "an entry"}]
    copied = hydrafast._Copy.deepcopy(odd)
    assert copied == odd and copied[1] is not odd[1]


def test_entries_ask_the_remembered_version() -> None:
    """The entry methods that ask ``hydra.version`` are copies over confman's remembered one;
    Hydra's own classes keep theirs."""
    for cls in (hydrafast.ConfigDefault, hydrafast.GroupDefault):
        method = vars(cls)["_get_final_package"]
        assert method.__globals__["version"] is hydrafast._VERSION
    assert InputDefault._get_final_package.__globals__["version"] is hydra_version
