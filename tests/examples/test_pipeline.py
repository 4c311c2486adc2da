"""The bundled example ML system: conf/ composes like Hydra, examples/ trains and serves on it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf

import confman

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
EXAMPLES = ROOT / "examples"
FAST = ["trainer=fast", "evaluation.bootstrap.rounds=20"]
EXPERIMENTS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))
MODELS = sorted(p.stem for p in (CONF / "model").glob("*.yaml"))


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train() -> ModuleType:
    return load("train")


@pytest.fixture(scope="module")
def serve() -> ModuleType:
    return load("serve")


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    # train.py records each run; keep them out of the repository's own store.
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{tmp_path / 'runs.db'}")
    return tmp_path


def metrics_of(workdir: Path, name: str) -> dict:
    return json.loads((workdir / "outputs" / name / "metrics.json").read_text())


def test_tree_is_realistic():
    assert len(confman.compose("train", config_dir=CONF).provenance) >= 100
    assert len(MODELS) >= 3 and len(EXPERIMENTS) >= 3
    assert len(list((CONF / "optimizer").glob("*.yaml"))) >= 2


@pytest.mark.parametrize(
    ("name", "overrides"),
    [("train", []), ("serve", [])]
    + [("train", [f"experiment={e}"]) for e in EXPERIMENTS]
    + [("train", [f"model={m}"]) for m in MODELS]
    + [("train", ["data=breast_cancer", "features=kbest", "optimizer=sgd"])],
    ids=lambda v: v if isinstance(v, str) else ",".join(v) or "defaults",
)
def test_composes_exactly_like_hydra(name, overrides):
    with initialize_config_dir(config_dir=str(CONF), version_base=None):
        expected = OmegaConf.to_container(hydra_compose(name, overrides), resolve=False)
    composed = confman.compose(name, overrides, config_dir=CONF)
    assert composed.to_container() == expected
    OmegaConf.to_container(composed.config, resolve=True)  # every interpolation resolves


def test_serving_shares_preprocessing_with_training():
    train_cfg = confman.compose("train", config_dir=CONF)
    serve_cfg = confman.compose("serve", config_dir=CONF)
    assert train_cfg.config.preprocess == serve_cfg.config.preprocess
    assert train_cfg.config.features == serve_cfg.config.features
    assert serve_cfg.provenance["preprocess.scaler"][-1].file == "preprocess/standard.yaml"


@pytest.mark.parametrize("model", MODELS)
def test_every_model_trains(train, workdir, model):
    assert train.main([f"model={model}", *FAST]) == 0
    metrics = metrics_of(workdir, f"digits-{model}")
    assert metrics["test"]["accuracy"] > 0.8  # chance is 0.1 on digits
    assert set(metrics["cv"]) == {"cv_accuracy", "cv_f1_macro", "cv_balanced_accuracy"}
    assert (workdir / "outputs" / f"digits-{model}" / "model.pkl").is_file()


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_trains(train, workdir, experiment):
    assert train.main([f"experiment={experiment}", *FAST]) == 0
    (out,) = (workdir / "outputs").iterdir()
    saved = yaml.safe_load((out / "config.yaml").read_text())
    composed = confman.compose("train", [f"experiment={experiment}", *FAST], config_dir=CONF)
    assert saved == OmegaConf.to_container(composed.config, resolve=True)


def test_overrides_take_effect(train, workdir):
    argv = ["model=random_forest", "model.n_estimators=7", "seed=3", "name=custom", *FAST]
    assert train.main(argv) == 0
    saved = yaml.safe_load((workdir / "outputs" / "custom" / "config.yaml").read_text())
    assert saved["model"]["n_estimators"] == 7
    assert saved["seed"] == 3 and saved["reproducibility"]["numpy_seed"] == 3


def test_optional_stages(train, workdir):
    argv = [
        "model=mlp",
        "search.enabled=true",
        "search.n_iter=2",
        "calibration.enabled=true",
        "features=kbest",
        "tracking.enabled=true",
        "data=breast_cancer",
        *FAST,
    ]
    assert train.main(argv) == 0
    assert metrics_of(workdir, "breast_cancer-mlp")["test"]["accuracy"] > 0.8
    (log,) = (workdir / ".confman" / "tracking").glob("*.jsonl")
    assert json.loads(log.read_text())["tags"] == ["example", "breast_cancer"]


def test_serve_matches_training_and_refuses_other_preprocessing(train, serve, workdir, capsys):
    assert train.main(FAST) == 0
    trained_accuracy = metrics_of(workdir, "digits-logistic")["test"]["accuracy"]
    capsys.readouterr()
    assert serve.main([]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["accuracy"] == pytest.approx(trained_accuracy, abs=1e-3)
    assert summary["drift"]["alert"] is False
    assert serve.main(["preprocess=minmax_pca"]) == 2
    assert "preprocess: serving differs from training" in capsys.readouterr().err
    assert serve.main(["reference=wine"]) == 2  # Hydra sets the key to the string 'wine'
    assert "use the group override data@reference=wine" in capsys.readouterr().err


def test_bad_override_is_a_clear_error(workdir):
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "train.py"), "model=vitt"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no option 'vitt' in config group 'model'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_each_training_run_is_recorded(train, workdir):
    assert train.main(["model=random_forest", *FAST]) == 0
    assert train.main(["model=nope"]) == 2  # fails before a run starts: nothing recorded
    with confman.open_store(f"sqlite:///{workdir / 'runs.db'}") as store:
        (run,) = store.query()
    assert (run.status, run.config_name, run.choices["model"]) == (
        "completed",
        "train",
        "random_forest",
    )
    assert run.overrides == ["model=random_forest", *FAST]
    assert "model.n_estimators" in (run.accessed or [])
    assert run.provenance["model.n_estimators"].startswith("model/random_forest.yaml:")
