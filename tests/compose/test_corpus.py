"""confman's composition equals ``hydra.compose`` on a corpus of Hydra trees, with right provenance.

Each directory under ``corpus/`` is a config tree plus a ``cases.yaml`` listing what to compose::

    - {config: train, overrides: [experiment=fast], indirect: [a.b], error: true, config_dir: conf}

``indirect`` lists leaves that have no direct writer (a dict merged into an interpolation);
``error: true`` says Hydra refuses the composition, and confman must refuse it too;
``config_dir`` is the config dir inside the case (default: the case dir itself).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf
from omegaconf._utils import get_yaml_loader

from confman import ConfmanError, compose
from confman.provenance import iter_leaves

CORPUS = Path(__file__).parent / "corpus"


def _load_cases() -> list[Any]:
    params = []
    for case_dir in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        runs = yaml.safe_load((case_dir / "cases.yaml").read_text(encoding="utf-8"))
        for run in runs:
            overrides = [str(o) for o in run.get("overrides", [])]
            rid = f"{case_dir.name}:{run['config']}[{' '.join(overrides)}]"
            params.append(pytest.param(case_dir, run, overrides, id=rid))
    return params


CASES = _load_cases()
COMPOSABLE = [c for c in CASES if not c.values[1].get("error")]


@pytest.fixture(autouse=True)
def _corpus_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The searchpath cases: a second dir named through ``${oc.env:CONFMAN_CORPUS_DIR}``, and an
    importable config package."""
    monkeypatch.setenv("CONFMAN_CORPUS_DIR", str(CORPUS / "searchpath"))
    monkeypatch.syspath_prepend(str(CORPUS / "searchpath_pkg"))  # pkg://confman_corpus_pkg.conf


def _config_dir(case_dir: Path, run: dict[str, Any]) -> Path:
    return case_dir / run.get("config_dir", ".")


_HYDRA: dict[tuple[str, str, tuple[str, ...]], tuple[Any, Any]] = {}


def _hydra_results(conf: Path, name: str, overrides: list[str]) -> tuple[Any, Any]:
    """Hydra's composed config (plain, hydra node dropped) and its runtime choices, memoized:
    the corpus files are read-only, and Hydra is the slow half of every comparison."""
    key = (str(conf.resolve()), name, tuple(overrides))
    if key not in _HYDRA:
        with initialize_config_dir(config_dir=key[0], version_base=None):
            cfg = hydra_compose(name, overrides, return_hydra_config=True)
        choices = OmegaConf.to_container(cfg.hydra.runtime.choices)
        plain = OmegaConf.to_container(cfg, resolve=False)
        assert isinstance(plain, dict)
        plain.pop("hydra")
        _HYDRA[key] = (plain, choices)
    return _HYDRA[key]


def _hydra(conf: Path, name: str, overrides: list[str]) -> Any:
    with initialize_config_dir(config_dir=str(conf.resolve()), version_base=None):
        return hydra_compose(name, overrides)


def _same(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN and True is not 1."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(("case_dir", "run", "overrides"), CASES)
def test_config_equals_hydra(case_dir: Path, run: dict[str, Any], overrides: list[str]) -> None:
    conf = _config_dir(case_dir, run)
    if run.get("error"):
        with pytest.raises(Exception):  # noqa: B017 - Hydra's own exception types vary
            _hydra(conf, run["config"], overrides)
        with pytest.raises(ConfmanError):
            compose(run["config"], overrides, config_dir=conf)
        with pytest.raises(ConfmanError):
            compose(run["config"], overrides, config_dir=conf, cache=False)
        return
    expected = _hydra_results(conf, run["config"], overrides)[0]
    for cache in (True, False, True):  # cold, uncached, warm
        got = compose(run["config"], overrides, config_dir=conf, cache=cache).to_container()
        assert _same(got, expected), f"cache={cache}"


def _line_text(conf: Path, file: str, line: int) -> str:
    path = conf / file
    assert path.is_file(), f"provenance names a missing file {file}"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert 1 <= line <= len(lines), f"{file}:{line} is past the end of the file"
    return lines[line - 1]


def _yaml_key(text: str) -> str | None:
    """The key on a ``key: value`` line as the config spells it (``off:`` is ``False``)."""
    try:
        data = yaml.load(text.strip(), Loader=get_yaml_loader())
    except yaml.YAMLError:
        return None
    return str(next(iter(data))) if isinstance(data, dict) and data else None


@pytest.mark.parametrize(("case_dir", "run", "overrides"), COMPOSABLE)
def test_provenance(case_dir: Path, run: dict[str, Any], overrides: list[str]) -> None:
    conf = _config_dir(case_dir, run)
    composed = compose(run["config"], overrides, config_dir=conf)
    final = composed.to_container()
    leaves = dict(iter_leaves(final))
    prov = composed.provenance
    assert set(prov) == set(leaves)
    indirect = set(run.get("indirect", []))
    for key, history in prov.items():
        winner = history[-1]
        assert _same(winner.value, leaves[key]), key
        if key in indirect:
            assert winner.kind == "indirect", (key, winner)
            continue
        if winner.kind == "override":
            assert winner.override in overrides, (key, winner)
            continue
        assert winner.kind == "file", (key, history)
        assert winner.file is not None, (key, winner)
        root = conf if (conf / winner.file).exists() else case_dir
        if winner.line is None:  # only an empty file writes a leaf (its {}) without a line
            assert yaml.safe_load((root / winner.file).read_text(encoding="utf-8")) is None
            assert winner.value == {}, (key, winner)
            continue
        text = _line_text(root, winner.file, winner.line)
        leaf_name = key.rsplit(".", 1)[-1]
        assert leaf_name in text or _yaml_key(text) == leaf_name, (key, winner.location, text)
    for history in composed.deleted.values():
        assert history[-1].kind == "delete" and history[-1].override in overrides


@pytest.mark.parametrize(("case_dir", "run", "overrides"), COMPOSABLE)
def test_choices_match_hydra(case_dir: Path, run: dict[str, Any], overrides: list[str]) -> None:
    conf = _config_dir(case_dir, run)
    choices = _hydra_results(conf, run["config"], overrides)[1]
    expected = {k: v for k, v in choices.items() if not (k == "hydra" or k.startswith("hydra/"))}
    got = compose(run["config"], overrides, config_dir=conf).choices
    assert {k: c.option for k, c in got.items()} == expected


def test_cache_invalidates_on_touch(tmp_path: Path) -> None:
    """A file changed between two composes is re-read: same size, new mtime, new value."""
    (tmp_path / "db").mkdir()
    (tmp_path / "config.yaml").write_text("defaults:\n  - db: a\n  - _self_\nx: 1\n")
    option = tmp_path / "db" / "a.yaml"
    option.write_text("port: 1\n")
    first = compose("config", config_dir=tmp_path)
    assert compose("config", config_dir=tmp_path).to_container() == first.to_container()
    option.write_text("port: 2\n")  # same size
    stat = option.stat()
    os.utime(option, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = compose("config", config_dir=tmp_path)
    assert second.to_container() == {"db": {"port": 2}, "x": 1}
    assert second.provenance["db.port"][-1].value == 2
    with initialize_config_dir(config_dir=str(tmp_path), version_base=None):
        assert OmegaConf.to_container(hydra_compose("config")) == second.to_container()


@pytest.mark.parametrize(("case_dir", "run", "overrides"), COMPOSABLE)
def test_config_equals_hydra_version_base_1_1(
    case_dir: Path, run: dict[str, Any], overrides: list[str]
) -> None:
    """The oldest version base Hydra 1.3 supports composes the same way in both."""
    conf = _config_dir(case_dir, run)
    with initialize_config_dir(config_dir=str(conf.resolve()), version_base="1.1"):
        expected = OmegaConf.to_container(hydra_compose(run["config"], overrides), resolve=False)
    got = compose(run["config"], overrides, config_dir=conf, version_base="1.1").to_container()
    assert _same(got, expected)


@pytest.mark.parametrize(("case_dir", "run", "overrides"), COMPOSABLE)
def test_choices_name_the_right_defaults_entry(
    case_dir: Path, run: dict[str, Any], overrides: list[str]
) -> None:
    """``chosen_by`` is the CLI override, or the defaults entry line naming this very group."""
    conf = _config_dir(case_dir, run)
    for key, choice in compose(run["config"], overrides, config_dir=conf).choices.items():
        by = choice.chosen_by
        if by.startswith("override '"):
            assert by[len("override '") : -1] in overrides, (key, by)
            continue
        if by.startswith("optional"):
            continue
        file, _, rest = by.partition(":")
        line_no = rest.split(" ")[0]
        assert line_no.isdigit(), (key, by)
        text = _line_text(conf, file, int(line_no)).strip().removeprefix("- ")
        entry = text.split(":")[0].strip().removeprefix("optional ").removeprefix("override ")
        group, _, package = entry.partition("@")
        want_group, _, want_package = key.partition("@")
        assert want_group.endswith(group.lstrip("/")), (key, by, text)
        assert package == want_package or (package and package.split(":")[-1] == want_package), (
            key,
            by,
            text,
        )
