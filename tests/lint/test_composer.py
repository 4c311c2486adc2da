"""Lint's fast compositions equal ``confman.compose``'s, and lint's results equal the slow path's.

The fast path keeps Hydra's defaults lists and replaces OmegaConf's node merge with a plain one
where that is provably the same; these tests pin it to the real compose on the example system,
on every case of the compose corpus, and on generated trees, including trees built to hit each
fallback.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from linttree import CLEAN, example_project, write_tree
from omegaconf import OmegaConf

from confman import ConfmanError, compose
from confman.compose.plain import Composer, PlainComposed, select
from confman.lint import context as context_module
from confman.lint import optioncomp
from confman.lint.background import Background, Claims
from confman.lint.composeall import Planned, make
from confman.lint.context import build_context
from confman.lint.engine import lint_context
from confman.lint.model import Composition
from confman.lint.rules import RULES
from confman.settings import load_settings
from confman.yamlsource import adopt_parses, clear_cache

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "compose" / "corpus"
sys.path.insert(0, str(REPO / "benchmarks"))
from gentree import generate  # noqa: E402


def strict_same(a: Any, b: Any) -> bool:
    """Deep equality that also compares key order and types (``True`` is not ``1``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(strict_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(strict_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if hasattr(a, "__dataclass_fields__"):
        return all(strict_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b)


def assert_same(fast: Any, real: Any) -> None:
    assert strict_same(fast.to_container(), real.to_container())
    assert strict_same(fast.provenance, real.provenance)
    assert fast.choices == real.choices
    assert fast.defaults_tree == real.defaults_tree
    assert fast.deleted == real.deleted
    assert strict_same(OmegaConf.to_container(fast.config), OmegaConf.to_container(real.config))
    assert OmegaConf.is_struct(fast.config) == OmegaConf.is_struct(real.config)


def both(conf: Path, name: str | None, overrides: list[str]) -> tuple[Any, Any, str]:
    """(fast result or error message, real result or error message, path the fast one took)."""
    composer = Composer(conf, None)
    try:
        fast: Any = composer.compose(name, overrides)
    except ConfmanError as exc:
        fast = f"{type(exc).__name__}: {exc.message}"
    try:
        real: Any = compose(name, overrides, config_dir=conf)
    except ConfmanError as exc:
        real = f"{type(exc).__name__}: {exc.message}"
    took = "fast" if composer.counts["fast"] else "real"
    return fast, real, took


def check(conf: Path, name: str | None, overrides: list[str]) -> str:
    fast, real, took = both(conf, name, overrides)
    if isinstance(real, str):
        assert fast == real
    else:
        assert_same(fast, real)
        assert isinstance(fast, PlainComposed) == (took == "fast")
    return took


def _corpus_cases() -> list[Any]:
    params = []
    for case_dir in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for run in yaml.safe_load((case_dir / "cases.yaml").read_text(encoding="utf-8")):
            overrides = [str(o) for o in run.get("overrides", [])]
            conf = case_dir / run.get("config_dir", ".")
            rid = f"{case_dir.name}:{run['config']}[{' '.join(overrides)}]"
            params.append(pytest.param(conf, run["config"], overrides, id=rid))
    return params


@pytest.fixture
def corpus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFMAN_CORPUS_DIR", str(CORPUS / "searchpath"))
    monkeypatch.syspath_prepend(str(CORPUS / "searchpath_pkg"))


@pytest.mark.parametrize(("conf", "name", "overrides"), _corpus_cases())
def test_corpus_case_equals_compose(
    corpus_env: None, conf: Path, name: str, overrides: list[str]
) -> None:
    check(conf, name, overrides)


def test_corpus_takes_both_paths(corpus_env: None) -> None:
    """The corpus exercises the fast path and every kind of fallback, not just one of them."""
    took = {check(p.values[0], p.values[1], p.values[2]) for p in _corpus_cases()}
    assert took == {"fast", "real"}


def test_missing_over_a_value_takes_the_fast_path(corpus_env: None) -> None:
    """'???' keeps the old value: the plain merge does the same, equal to the real compose."""
    runs = yaml.safe_load((CORPUS / "missing_never_overwrites" / "cases.yaml").read_text())
    for run in runs:
        if not run.get("error"):
            ovr = [str(o) for o in run.get("overrides", [])]
            path = CORPUS / "missing_never_overwrites" / run.get("config_dir", ".")
            took = check(path, run["config"], ovr)  # equal either way
            assert took == "fast" or ovr, ovr  # config overrides are always composed for real


def test_fallback_cases_fall_back(corpus_env: None) -> None:
    for case, overrides in [
        ("dict_into_interpolation", []),  # OmegaConf expands an interpolation
        ("deletions", None),  # ~key overrides
    ]:
        runs = yaml.safe_load((CORPUS / case / "cases.yaml").read_text(encoding="utf-8"))
        for run in runs:
            if run.get("error"):
                continue
            ovr = [str(o) for o in run.get("overrides", [])]
            if overrides is not None and ovr != overrides:
                continue
            took = check(CORPUS / case / run.get("config_dir", "."), run["config"], ovr)
            if case != "deletions" or any(o.startswith("~") for o in ovr):
                assert took == "real", (case, ovr)


def test_example_system_is_all_fast() -> None:
    ctx = build_context(load_settings(cwd=REPO), fast=False)
    assert len(ctx.compositions) >= 5
    for comp in ctx.compositions:
        assert check(REPO / "conf", comp.primary, list(comp.overrides)) == "fast"


def _generated(root: Path) -> Path:
    conf = generate(root / "conf", groups=6, options=4, keys=20)
    primary = conf / "config.yaml"
    primary.write_text(
        primary.read_text().replace("  - _self_\n", "  - _self_\n  - experiment: null\n")
    )
    (conf / "experiment").mkdir()
    experiments = {
        "plain": "defaults:\n  - override /g1: opt2\ntop:\n  lr: 0.5\n",
        "two": "defaults:\n  - override /g0: opt3\n  - override /g5: opt1\nseed: 7\n",
        "newkeys": "g2:\n  extra: {a: 1, b: [1, 2]}\n",
        "replace_interp": "g0:\n  sec0:\n    k4: 5\n",  # k4 is ${.k0}: a scalar replaces it
        "replace_interp_list": "g0:\n  sec0:\n    k4: [5]\n",  # OmegaConf merges: fallback
        "missing": "top:\n  lr: ???\n",  # '???' over a value: fallback
        "list_over_map": "g1:\n  sec0: [1]\n",  # OmegaConf refuses or not: the real path says
    }
    for name, text in experiments.items():
        (conf / "experiment" / f"{name}.yaml").write_text("# @package _global_\n" + text)
    return conf


def test_generated_tree(tmp_path: Path) -> None:
    conf = _generated(tmp_path)
    took = {
        name: check(conf, "config", [f"experiment={name}"] if name else [])
        for name in [
            "",
            "plain",
            "two",
            "newkeys",
            "replace_interp",
            "replace_interp_list",
            "missing",
            "list_over_map",
        ]
    }
    assert took[""] == took["plain"] == took["two"] == took["newkeys"] == took["missing"] == "fast"
    assert took["replace_interp"] == "fast"
    assert took["replace_interp_list"] == took["list_over_map"] == "real"


def test_cli_config_overrides_take_the_real_path(tmp_path: Path) -> None:
    conf = _generated(tmp_path)
    assert check(conf, "config", ["top.lr=3"]) == "real"
    assert check(conf, "config", ["+extra=1"]) == "real"
    assert check(conf, "config", ["g0=opt1"]) == "fast"
    # Hydra's defaults-list error, said as compose says it, without composing again
    assert check(conf, "config", ["g0=nope"]) == "fast"


def _hydra_tree(root: Path, hydra_node: str) -> Path:
    """A primary writing Hydra's own node, one option selecting a user ``hydra/`` option."""
    conf = root / "conf"
    for d in ("db", "hydra/job_logging"):
        (conf / d).mkdir(parents=True)
    (conf / "config.yaml").write_text(f"defaults:\n  - db: a\n  - _self_\nx: 1\n{hydra_node}")
    (conf / "db" / "a.yaml").write_text("port: 1\n")
    (conf / "db" / "b.yaml").write_text("port: 2\n")
    (conf / "db" / "c.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /hydra/job_logging: mine\n"
        "  - _self_\ndb:\n  port: 3\n"
    )
    (conf / "hydra" / "job_logging" / "mine.yaml").write_text("version: 1\n")
    return conf


def _took(composer: Composer, conf: Path, overrides: list[str]) -> str:
    """The path ``composer`` took for one composition, after checking it equals compose's."""
    before = dict(composer.counts)
    try:
        fast: Any = composer.compose("config", overrides)
    except ConfmanError as exc:
        fast = f"{type(exc).__name__}: {exc.message}"
    try:
        real: Any = compose("config", overrides, config_dir=conf)
    except ConfmanError as exc:
        real = f"{type(exc).__name__}: {exc.message}"
    if isinstance(real, str):
        assert fast == real
    else:
        assert_same(fast, real)
    return "fast" if composer.counts["fast"] > before["fast"] else "real"


def test_hydra_node_is_checked_once_per_inputs(tmp_path: Path) -> None:
    """Hydra checks its own node against its schema; the real compose makes the first
    composition writing it, and later ones writing it from the same files take the fast path."""
    conf = _hydra_tree(tmp_path, "hydra:\n  run:\n    dir: outputs/x\n")
    composer = Composer(conf, None)
    assert _took(composer, conf, []) == "real"
    assert _took(composer, conf, ["db=b"]) == "fast"  # the same inputs write the node
    assert _took(composer, conf, ["db=c"]) == "real"  # a user hydra/ option: new inputs
    assert _took(composer, conf, ["db=c", "+y=1"]) == "real"  # a config override, as always
    assert _took(composer, conf, ["db=c"]) == "fast"
    assert _took(composer, conf, ["hydra.job.name=j"]) == "real"  # a hydra override, always


def test_hydra_node_failing_its_schema_is_never_skipped(tmp_path: Path) -> None:
    conf = _hydra_tree(tmp_path, "hydra:\n  not_a_hydra_key: 1\n")
    composer = Composer(conf, None)
    for overrides in ([], ["db=b"], []):
        with pytest.raises(ConfmanError, match="not_a_hydra_key"):
            compose("config", overrides, config_dir=conf)
        assert _took(composer, conf, overrides) == "real"


def test_unparsable_option_fails_on_the_fast_path_as_compose_does(tmp_path: Path) -> None:
    conf = _hydra_tree(tmp_path, "")
    (conf / "db" / "bad.yaml").write_text("port: [1,\n")
    composer = Composer(conf, None)
    assert _took(composer, conf, ["db=bad"]) == "fast"


def _lint_both(root: Path) -> tuple[list[Any], list[Any]]:
    settings = load_settings(cwd=root)
    codes = list(RULES)
    fast = lint_context(build_context(settings, fast=True), codes).diagnostics
    slow = lint_context(build_context(settings, fast=False), codes).diagnostics
    return fast, slow


PLANTED = {
    "clean": {},
    "broken_interp": {"conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: ${data.nope}\n"},
    "chain": {
        "conf/data/wine.yaml": "name: wine\nnum_classes: ${.classes}\npath: /data/wine\n",
        "conf/experiment/big.yaml": CLEAN["conf/experiment/big.yaml"],
    },
    "relative_and_env": {
        "conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: ${..data.num_classes}\n"
        "home: ${oc.env:HOME}/${.name}\nlst: ['${data.path}']\n",
    },
    "experiment_typo": {
        "conf/experiment/big.yaml": "# @package _global_\ndefaults:\n"
        "  - override /optimizer: sgd\noptimizer:\n  lrr: 0.5\nmodel:\n  hidden: 64\n",
    },
    "experiment_over_interp": {
        "conf/experiment/big.yaml": "# @package _global_\nmodel:\n  num_classes: 3\n",
    },
}


@pytest.mark.parametrize("plant", sorted(PLANTED))
def test_lint_equals_slow_path(tmp_path: Path, plant: str) -> None:
    root = write_tree(tmp_path, {**CLEAN, **PLANTED[plant]})
    fast, slow = _lint_both(root)
    assert fast == slow
    if plant != "clean":
        (tmp_path / "clean").mkdir()
        assert fast != _lint_both(write_tree(tmp_path / "clean", CLEAN))[0]


def test_lint_example_system_equals_slow_path(tmp_path: Path) -> None:
    fast, slow = _lint_both(example_project(tmp_path))
    assert fast == slow
    assert {d.code for d in fast} >= {"CM101", "CM301"}


def test_lint_generated_tree_equals_slow_path(tmp_path: Path) -> None:
    _generated(tmp_path)
    (tmp_path / "conf" / "experiment" / "list_over_map.yaml").unlink()
    src = tmp_path / "src"
    src.mkdir()
    (src / "run.py").write_text("def run(cfg):\n    return cfg.top.lr, cfg.g0.sec0.k0\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["src"]\n'
    )
    fast, slow = _lint_both(tmp_path)
    assert fast == slow
    assert len(fast) > 10


def test_background_compositions_equal_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Composing (and parsing the files this process has not reached) in a forked child gives
    the same context as doing everything in-process."""
    _generated(tmp_path)
    (tmp_path / "conf" / "experiment" / "list_over_map.yaml").unlink()
    (tmp_path / "conf" / "experiment" / "broken.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /g0: no_such_option\n"
    )
    (tmp_path / "conf" / "zz").mkdir()  # the last files: the child, from the back, parses them
    (tmp_path / "conf" / "zz" / "bad.yaml").write_text("a: [1\n")
    (tmp_path / "conf" / "zz" / "good.yaml").write_text("a: 1\na: 2\n")
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    settings = load_settings(cwd=tmp_path)
    serial = build_context(settings, background=False)
    clear_cache()
    adopted: list[str] = []

    def adopt(entries: list[Any]) -> None:
        adopted.extend(full for full, *_ in entries)
        adopt_parses(entries)

    monkeypatch.setattr(context_module, "adopt_parses", adopt)
    _both_read_files(monkeypatch)  # the child parses the last files, zz/ among them
    forked = build_context(settings, background=True)
    assert str(tmp_path / "conf" / "zz" / "good.yaml") in adopted
    assert str(tmp_path / "conf" / "zz" / "bad.yaml") not in adopted
    assert serial.composed_in == "here" and forked.composed_in in ("child", "shared")
    assert forked.files == serial.files
    assert list(forked.files) == list(serial.files)
    assert forked.groups == serial.groups and forked.selections == serial.selections
    assert [c.label for c in forked.compositions] == [c.label for c in serial.compositions]
    for a, b in zip(forked.compositions, serial.compositions, strict=True):
        assert type(a.composed) is type(b.composed)
        assert_same(a.composed, b.composed)
    assert forked.problems == serial.problems
    assert any("no_such_option" in p.message for p in serial.problems)
    assert any(p.file == "conf/zz/bad.yaml" for p in serial.problems)
    codes = list(RULES)
    assert lint_context(forked, codes).diagnostics == lint_context(serial, codes).diagnostics


def _slowed(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, seconds: float, *, in_child: bool
) -> None:
    """``owner.name`` made ``seconds`` slower in a forked child only (``in_child``) or in this
    process only, to make the two share work in a known way."""
    parent, original = os.getpid(), getattr(owner, name)

    def slowed(*args: Any, **kwargs: Any) -> Any:
        if (os.getpid() != parent) == in_child:
            time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slowed)


def _both_read_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the parent and its forked child each read part of the YAML files: the parent reads
    the Python slowly (so the child, done composing, starts on the files from the back), and the
    child parses slowly (so the parent, once done with the Python, reads the rest)."""
    _slowed(monkeypatch, context_module, "_read_python", 1.5, in_child=False)
    _slowed(monkeypatch, context_module, "load_yaml_file", 0.05, in_child=True)


def test_options_composed_while_the_child_composes_equal_those_made_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lint composes the options read so far while its forked child makes the compositions
    (``optioncomp.prepare``), and the rest afterwards: the same option compositions, in the
    same order, as composing them all at once."""
    _generated(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    settings = load_settings(cwd=tmp_path)
    serial = build_context(settings, background=False)
    expected = dict(optioncomp.option_compositions(serial))
    clear_cache()
    read_then: list[int] = []

    def waiting(ctx: Any) -> None:
        read_then.append(len(ctx.files))
        optioncomp.prepare(ctx)

    _both_read_files(monkeypatch)
    forked = build_context(settings, background=True, while_waiting=waiting)
    assert forked.composed_in in ("child", "shared")
    assert read_then and 0 < read_then[0] < len(forked.files)  # prepared on part of the tree
    got = optioncomp.option_compositions(forked)
    assert len(expected) > 10 and list(got) == list(expected)
    for rel, made in got.items():
        assert made.container == expected[rel].container
        assert made.provenance == expected[rel].provenance


@pytest.mark.parametrize(
    "key",
    ["top.lr", "g0.sec0.k0", "g0.sec0.k4", "g0.sec0", "g0.nope", "nope.x", "top.lr.x", "seed"],
)
def test_select_equals_omegaconf_select(tmp_path: Path, key: str) -> None:
    conf = _generated(tmp_path)
    composed = Composer(conf, None).compose("config", [])
    assert isinstance(composed, PlainComposed)
    expected = OmegaConf.select(composed.config, key, default=None)
    got = select(composed, key)
    if OmegaConf.is_config(expected):
        expected = OmegaConf.to_container(expected)
        got = OmegaConf.to_container(got) if OmegaConf.is_config(got) else got
    assert strict_same(got, expected)


def test_runs_shared_with_the_child_merge_as_if_made_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the child composes slowly, this process takes the runs it has not started from the
    back. Merged in run order, the compositions, the probes kept (one per override, the first
    that composes) and the failures reported (each cause once, at its first composition, with
    the count) are those of one process making every run in order."""
    conf = _generated(tmp_path)
    (conf / "experiment" / "list_over_map.yaml").unlink()
    for name in ("broken_a", "broken_m", "broken_z"):
        (conf / "experiment" / f"{name}.yaml").write_text(
            "# @package _global_\ndefaults:\n  - override /g0: no_such_option\n"
        )
    (conf / "config2.yaml").write_text((conf / "config.yaml").read_text())
    (conf / "extra").mkdir()  # a group no primary chooses: probed with both primaries
    (conf / "extra" / "a.yaml").write_text("note: 1\n")
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    settings = load_settings(cwd=tmp_path)
    serial = build_context(settings, background=False)
    clear_cache()
    _slowed(monkeypatch, Composer, "compose", 0.05, in_child=True)
    shared = build_context(settings, background=True)
    assert shared.composed_in == "shared"
    assert [c.label for c in shared.compositions] == [c.label for c in serial.compositions]
    assert [c.label for c in shared.variants] == [c.label for c in serial.variants]
    assert [c.label for c in serial.variants if "+extra" in c.label] == ["config +extra=a"]
    made, expected = shared.compositions + shared.variants, serial.compositions + serial.variants
    for a, b in zip(made, expected, strict=True):
        assert_same(a.composed, b.composed)
    assert shared.problems == serial.problems
    broken = [p.message for p in serial.problems if "no_such_option" in p.message]
    assert len(broken) == 1 and "(and 5 other compositions)" in broken[0]
    codes = list(RULES)
    assert lint_context(shared, codes).diagnostics == lint_context(serial, codes).diagnostics


def test_make_skips_a_probe_only_after_the_same_probe_composed_earlier(tmp_path: Path) -> None:
    """A process taking runs from the back sees later positions first: a probe is skipped only
    when the same override composed at an earlier position, whatever the order."""
    conf = tmp_path / "conf"
    (conf / "extra").mkdir(parents=True)
    (conf / "a.yaml").write_text("defaults:\n  - missing: nope\n  - _self_\n")  # fails
    (conf / "b.yaml").write_text("y: 1\n")
    (conf / "c.yaml").write_text("w: 1\n")
    (conf / "extra" / "e.yaml").write_text("z: 1\n")
    runs = [(primary, "+extra=e", True) for primary in ("a", "b", "c")]
    planned = Planned([], [], runs, [])
    composer = Composer(conf, None, check_hydra=False)
    rising = make(planned, [0, 1, 2], composer)
    assert isinstance(rising[0], str) and isinstance(rising[1], Composition)
    assert rising[2] is None  # b's probe composed first
    mixed = make(planned, [2, 0, 1], composer)
    assert isinstance(mixed[0], str) and isinstance(mixed[2], Composition)
    assert isinstance(mixed[1], Composition)  # the first that composes, though c's came first


def test_claims_give_each_position_to_one_process() -> None:
    """A forked child taking positions from the front and this process from the back take
    every position once between them."""
    claims = Claims()
    child = Background(_take_all, claims, tells=True)
    assert child.told() == "open"
    here = list(iter(claims.last, None))
    there = child.result()
    assert sorted(here + there) == list(range(2000))
    assert there == sorted(there) and here == sorted(here, reverse=True)
    assert claims.front() == len(there)  # what the child took: 0..front-1


def _take_all(tell: Any, claims: Claims) -> list[int]:
    claims.open(2000)
    tell("open")
    return list(iter(claims.first, None))


def _child_fails(*args: Any) -> Any:
    raise RuntimeError("the child process fails")


def test_failed_child_composes_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _generated(tmp_path)
    (tmp_path / "conf" / "experiment" / "list_over_map.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    settings = load_settings(cwd=tmp_path)
    serial = build_context(settings, background=False)
    monkeypatch.setattr(context_module, "_compositions_only", _child_fails)
    fallback = build_context(settings, background=True)
    assert fallback.composed_in == "here"
    assert [c.label for c in fallback.compositions] == [c.label for c in serial.compositions]
    assert fallback.problems == serial.problems


def test_unchanged_tree_reuses_compositions(tmp_path: Path) -> None:
    """A second lint of the unchanged tree in one process reuses the compositions; any edit (or
    a cleared parse cache) composes again, and the findings are those of a fresh lint."""
    root = write_tree(tmp_path, {**CLEAN, **PLANTED["broken_interp"]})
    settings = load_settings(cwd=root)
    codes = list(RULES)
    first = build_context(settings, background=False)
    again = build_context(settings, background=False)
    assert (first.composed_in, again.composed_in) == ("here", "reused")
    assert lint_context(again, codes).diagnostics == lint_context(first, codes).diagnostics

    mlp = root / "conf" / "model" / "mlp.yaml"
    mlp.write_text(mlp.read_text() + "extra: 1\n")
    edited = build_context(settings, background=False)
    assert edited.composed_in == "here"
    assert any("model.extra" in c.composed.provenance for c in edited.compositions)
    fresh = build_context(settings, background=False, fast=False)
    assert lint_context(edited, codes).diagnostics == lint_context(fresh, codes).diagnostics

    clear_cache()
    assert build_context(settings, background=False).composed_in == "here"


def test_tree_with_unparsable_file_is_not_reused(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**CLEAN, "conf/data/bad.yaml": "name: [x\n"})
    settings = load_settings(cwd=root)
    build_context(settings, background=False)
    assert build_context(settings, background=False).composed_in == "here"
