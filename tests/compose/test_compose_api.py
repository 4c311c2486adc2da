"""confman.compose as a library: repeated, threaded, nested in Hydra apps, and project settings.

The corpus tests prove the config itself; these prove the call is safe to make anywhere: it
touches no Hydra global state (GlobalHydra, version base) a caller could notice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir, version
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from confman import caches, compose

TREE = {
    "train.yaml": """
        defaults:
          - model: small
          - optimizer: sgd
          - _self_
          - experiment: null
        seed: 1
        """,
    "serve.yaml": "defaults:\n  - model: small\n  - _self_\nport: 8080\n",
    "model/small.yaml": "layers: 2\nwidth: 64\n",
    "model/big.yaml": "layers: 24\nwidth: 1024\n",
    "optimizer/sgd.yaml": "lr: 0.1\n",
    "optimizer/adam.yaml": "lr: 0.001\nbetas: [0.9, 0.999]\n",
    "experiment/fast.yaml": (
        "# @package _global_\ndefaults:\n  - override /model: big\nseed: 7\n"
        "hydra:\n  run:\n    dir: out/fast\n"
    ),
}

JOBS = [
    ("train", []),
    ("train", ["model=big"]),
    ("train", ["experiment=fast"]),
    ("train", ["optimizer=adam", "seed=3"]),
    ("serve", []),
    ("serve", ["model=big", "port=1"]),
    ("train", ["+extra=1", "model.width=8"]),
    ("serve", ["~port"]),
]


def _hydra(conf: Path, name: str, overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=str(conf), version_base=None):
        return OmegaConf.to_container(hydra_compose(name, overrides), resolve=False)


@pytest.fixture
def conf(make_tree) -> Path:
    return make_tree(TREE)


@pytest.fixture
def expected(conf: Path) -> list[dict]:
    return [_hydra(conf, name, overrides) for name, overrides in JOBS]


def test_many_calls_in_one_process(conf: Path, expected: list[dict]) -> None:
    for _ in range(5):
        for (name, overrides), want in zip(JOBS, expected, strict=True):
            assert compose(name, overrides, config_dir=conf).to_container() == want


def test_eight_threads_compose_concurrently(conf: Path, expected: list[dict]) -> None:
    def work(index: int) -> list[dict]:
        name, overrides = JOBS[index]
        return [compose(name, overrides, config_dir=conf).to_container() for _ in range(4)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(len(JOBS))))
    for got, want in zip(results, expected, strict=True):
        assert got == [want] * 4


def test_threads_with_and_without_cache_and_several_dirs(make_tree, tmp_path: Path) -> None:
    dirs = []
    for i in range(4):
        root = tmp_path / f"tree{i}"
        (root / "g").mkdir(parents=True)
        (root / "config.yaml").write_text(f"defaults:\n  - g: a\n  - _self_\nn: {i}\n")
        (root / "g" / "a.yaml").write_text(f"v: {i * 10}\n")
        dirs.append(root)

    def work(i: int) -> tuple[int, dict]:
        root = dirs[i % 4]
        return i, compose("config", config_dir=root, cache=bool(i % 2)).to_container()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for i, got in pool.map(work, range(32)):
            assert got == {"g": {"v": (i % 4) * 10}, "n": i % 4}


def test_inside_initialize_config_dir_leaves_hydra_state(conf: Path, make_tree) -> None:
    other = conf.parent / "other"
    other.mkdir()
    (other / "app.yaml").write_text("app: 1\n")
    with initialize_config_dir(config_dir=str(other), version_base="1.1"):
        gh = GlobalHydra.instance()
        loader_before = gh.config_loader()
        base_before = version.getbase()
        got = compose("train", ["model=big"], config_dir=conf, version_base="1.3")
        assert got.config.model.layers == 24
        assert GlobalHydra.instance() is gh and gh.is_initialized()
        assert gh.config_loader() is loader_before
        assert version.getbase() == base_before
        assert OmegaConf.to_container(hydra_compose("app")) == {"app": 1}
    assert not GlobalHydra.instance().is_initialized()


def test_outside_hydra_leaves_it_uninitialized(conf: Path) -> None:
    GlobalHydra.instance().clear()
    base_before = version.VersionBase.instance().version_base
    compose("train", config_dir=conf)
    assert not GlobalHydra.instance().is_initialized()
    assert version.VersionBase.instance().version_base == base_before


APP = """
import json
import os
import hydra
from hydra import compose as hydra_compose, version
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf
import confman

@hydra.main(config_path="app_conf", config_name="app", version_base="1.1")
def main(cfg):
    gh = GlobalHydra.instance()
    before = (id(gh.config_loader()), version.getbase(), HydraConfig.get().job.name)
    mine = confman.compose("train", ["model=big"], config_dir=CONF)
    after = (id(gh.config_loader()), version.getbase(), HydraConfig.get().job.name)
    again = hydra_compose("app", ["x=2"])
    print(json.dumps({
        "same_state": before == after,
        "base": str(version.getbase()),
        "confman": mine.to_container(),
        "app_cfg": OmegaConf.to_container(cfg),
        "app_compose": OmegaConf.to_container(again),
    }))

if __name__ == "__main__":
    main()
"""


def test_inside_a_running_hydra_main_app(conf: Path, tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    (app_dir / "app_conf").mkdir(parents=True)
    (app_dir / "app_conf" / "app.yaml").write_text("x: 1\n")
    script = app_dir / "app.py"
    script.write_text(f"CONF = {str(conf)!r}\n" + textwrap.dedent(APP))
    done = subprocess.run(
        [sys.executable, str(script), "hydra.run.dir=.", "hydra/job_logging=disabled"],
        cwd=app_dir,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["same_state"] is True
    assert out["base"] == "1.1"
    assert out["confman"] == _hydra(conf, "train", ["model=big"])
    assert out["app_cfg"] == {"x": 1}
    assert out["app_compose"] == {"x": 2}


def test_return_hydra_config_matches_hydra_node(conf: Path) -> None:
    overrides = ["experiment=fast", "seed=3", "hydra.job.name=j"]
    with initialize_config_dir(config_dir=str(conf), version_base=None):
        want = hydra_compose("train", overrides, return_hydra_config=True).hydra
    got = compose("train", overrides, config_dir=conf, return_hydra_config=True).config.hydra
    assert OmegaConf.to_container(got.runtime.choices) == OmegaConf.to_container(
        want.runtime.choices
    )
    assert list(got.overrides.task) == list(want.overrides.task)
    assert list(got.overrides.hydra) == list(want.overrides.hydra)
    assert got.run.dir == want.run.dir == "out/fast"
    assert got.job.name == want.job.name == "j"
    for node in ("sweep", "launcher", "sweeper", "help", "hydra_help", "job_logging"):
        assert OmegaConf.to_container(got[node], resolve=False) == OmegaConf.to_container(
            want[node], resolve=False
        ), node


def test_hydra_node_dropped_by_default(conf: Path) -> None:
    got = compose("train", ["experiment=fast"], config_dir=conf)
    assert "hydra" not in got.config
    assert not any(k.startswith("hydra.") for k in got.provenance)


def _project(tmp_path: Path, conf: Path) -> Path:
    project = tmp_path / "project"
    (project / "src" / "deep").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.confman]\nconfig_dir = {str(conf)!r}\n'
    )
    return project


def test_config_dir_from_pyproject_walking_up(
    conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, conf)
    monkeypatch.chdir(project / "src" / "deep")
    got = compose("train", ["model=big"])
    assert got.config_dir == conf.resolve()
    assert got.to_container() == _hydra(conf, "train", ["model=big"])


def test_relative_config_dir_is_relative_to_pyproject(
    make_tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = make_tree(TREE)
    project = tmp_path / "p2"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "../conf"\n')
    monkeypatch.chdir(project / "sub")
    assert compose("serve").config_dir == conf.resolve()


def test_explicit_config_dir_beats_pyproject(
    conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, conf)
    explicit = tmp_path / "explicit"
    explicit.mkdir()
    (explicit / "train.yaml").write_text("only: here\n")
    monkeypatch.chdir(project / "src")
    got = compose("train", config_dir=explicit)
    assert got.to_container() == {"only": "here"}


def test_user_config_package_is_reread_after_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pkg://`` searchpath configs of the user's own (editable) package are not cached stale."""
    package = tmp_path / "site" / "confman_api_pkg"
    (package / "conf" / "db").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "conf" / "__init__.py").write_text("")
    option = package / "conf" / "db" / "remote.yaml"
    option.write_text("host: one\n")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(
        "defaults:\n  - db: remote\nhydra:\n  searchpath:\n    - pkg://confman_api_pkg.conf\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for _ in range(3):
        assert compose("config", config_dir=conf).to_container() == {"db": {"host": "one"}}
    option.write_text("host: two\n")
    stat = option.stat()
    os.utime(option, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    got = compose("config", config_dir=conf)
    assert got.to_container() == {"db": {"host": "two"}} == _hydra(conf, "config", [])
    assert got.provenance["db.host"][-1].location == f"{option}:1"


def test_structured_config_option_provenance(tmp_path: Path) -> None:
    """A ConfigStore option's keys are attributed to it, at its package (no lines to give)."""
    from dataclasses import dataclass

    from hydra.core.config_store import ConfigStore

    @dataclass
    class Remote:
        host: str = "structured"
        port: int = 1

    ConfigStore.instance().store(group="confman_api_db", name="remote", node=Remote)
    (tmp_path / "config.yaml").write_text("defaults:\n  - confman_api_db: remote\n  - _self_\n")
    got = compose("config", ["confman_api_db.port=2"], config_dir=tmp_path)
    assert got.to_container() == _hydra(tmp_path, "config", ["confman_api_db.port=2"])
    host = got.provenance["confman_api_db.host"]
    assert host[-1].kind == "file" and "confman_api_db/remote" in (host[-1].file or "")
    port = got.provenance["confman_api_db.port"]
    assert [w.kind for w in port] == ["file", "override"]


def test_many_config_dirs_keep_a_bounded_number_of_loaders(tmp_path: Path) -> None:
    from confman.compose import hydrapath as module

    for i in range(module.MAX_LOADERS + 5):
        root = tmp_path / f"d{i}"
        root.mkdir()
        (root / "config.yaml").write_text(f"i: {i}\n")
        assert compose("config", config_dir=root).to_container() == {"i": i}
    assert len(module._loaders) <= module.MAX_LOADERS
    assert module._loaders in caches.registered()
    first = tmp_path / "d0"
    assert compose("config", config_dir=first).to_container() == {"i": 0}  # rebuilt fine


def test_hydra_calls_confmans_embedding(tmp_path: Path) -> None:
    """Hydra's loader calls ``self._embed_result_config``, so the loader's own embedding (the
    one without the defensive copy) is the one used; were Hydra to call it on its class, this
    would fail instead of composing slower unnoticed."""
    from confman.compose import hydrapath

    conf = tmp_path / "conf"
    (conf / "db").mkdir(parents=True)
    (conf / "config.yaml").write_text("defaults:\n  - db: a\n  - _self_\nx: 1\n")
    (conf / "db" / "a.yaml").write_text("port: 1\n")
    assert hydrapath.compose("config", config_dir=conf).to_container() == {
        "db": {"port": 1},
        "x": 1,
    }
    with hydrapath.LOCK:
        loader = hydrapath.loader_for(str(conf.resolve()), True)
    assert loader.embedded  # the option placed at its package 'db' went through it
