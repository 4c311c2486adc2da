"""compose/tree/explain/diff on real trees (``../shared/realworld``), as a new user runs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.realworld import corpus

if not corpus.available():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but ../shared/realworld is missing", pytrace=False)
    pytest.skip("the real-world corpus is not beside the checkout", allow_module_level=True)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


def project(trees: Path, name: str, config_dir: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = corpus.project(corpus.tree(name), config_dir, trees)
    monkeypatch.chdir(root)
    return root


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


PYANNOTE = ("pyannote__pyannote-audio", "pyannote/audio/cli/train_config")
GROUP_HEADER = (
    "confman: warning: Usage of deprecated keyword in package header '# @package _group_' (in "
)
GROUP_LINK = "; see https://hydra.cc/docs/1.2/upgrades/1.0_to_1.1/changes_to_package_header"


@pytest.mark.parametrize(
    "args",
    [
        ["compose", "config", "model=PyanNet"],
        ["tree", "config"],
        ["explain", "optimizer", "config"],
        ["diff", "config", "config", "--b", "model=PyanNet task=VoiceActivityDetection"],
    ],
    ids=["compose", "tree", "explain", "diff"],
)
def test_hydra_warnings_are_one_confman_line(
    trees: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """A 1.0-style tree: Hydra warns once per file, in several lines with site-packages
    paths; confman says it once, naming the files and Hydra's page."""
    project(trees, *PYANNOTE, monkeypatch)
    code, _, err = cli(*args)
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith(GROUP_HEADER) and line.endswith(GROUP_LINK)
    assert "hydra/default, trainer/default" in line


def test_each_kind_of_warning_is_one_line(trees: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(trees, "pyannote__pyannote-audio", "pyannote/audio/cli/evaluate_config", monkeypatch)
    code, _, err = cli("tree", "config")
    assert (code, err) == (
        0,
        "confman: warning: Defaults list is missing `_self_` (in config); "
        "see https://hydra.cc/docs/1.2/upgrades/1.0_to_1.1/default_composition_order\n"
        f"{GROUP_HEADER}hydra/default){GROUP_LINK}\n",
    )


def test_diff_with_resolvers_registered_in_python(
    trees: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """safari registers ``eval`` in train.py, which confman never imports: the value is
    compared as written and marked, and the diff goes on."""
    project(trees, "HazyResearch__safari", "configs", monkeypatch)
    code, out, err = cli(
        "diff", "config", "config", "--a", "experiment=pile/base", "--b", "experiment=pile/h3"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        "    + model.layer.lr: '${eval:\"min(0.001, ${optimizer.lr})\"}' (as written)   "
        "[model/layer/h3.yaml:6]"
    ) in lines
    assert lines[-2].startswith("(as written): an interpolation that cannot resolve here")


def test_diff_of_configs_in_subfolders_shows_lists_whole(
    trees: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(trees, "facebookresearch__sam2", "sam2", monkeypatch)
    code, out, _ = cli("diff", "configs/sam2.1/sam2.1_hiera_t", "configs/sam2.1/sam2.1_hiera_s")
    assert code == 0
    assert out.splitlines()[2:] == [
        "~ model.image_encoder.trunk.stages: [1,2,7,2] -> [1,2,11,2]   "
        "[configs/sam2.1/sam2.1_hiera_t.yaml:13 -> configs/sam2.1/sam2.1_hiera_s.yaml:13]",
        "~ model.image_encoder.trunk.global_att_blocks: [5,7,9] -> [7,10,13]   "
        "[configs/sam2.1/sam2.1_hiera_t.yaml:14 -> configs/sam2.1/sam2.1_hiera_s.yaml:14]",
        "2 changed",
    ]


def test_explain_follows_an_interpolation_across_groups(
    trees: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(trees, "HazyResearch__safari", "configs", monkeypatch)
    code, out, _ = cli("explain", "callbacks.model_checkpoint.monitor", "config", "experiment=base")
    assert code == 0
    assert out.splitlines()[:2] == [
        'callbacks.model_checkpoint.monitor = "${train.monitor}"  <- callbacks/checkpoint.yaml:3',
        '                                   -> train.monitor = "val/accuracy"  '
        '<- pipeline/cifar.yaml:12 (overrode scheduler/plateau.yaml:4 = "???", '
        'config.yaml:21 = "???")',
    ]
    code, out, _ = cli("explain", "model.layer.lr", "config", "experiment=pile/h3")
    assert out.splitlines()[1].split() == [
        "->",
        "optimizer.lr",
        "=",
        "0.0006",
        "<-",
        "experiment/pile/base.yaml:30",
        "(overrode",
        "optimizer/adamw.yaml:3",
        "=",
        "0.001)",
    ]


def test_tree_prints_null_for_no_option(trees: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(trees, "NVIDIA__physicsnemo", "examples/weather/dlwp_healpix/configs", monkeypatch)
    code, out, _ = cli("tree", "config")
    assert code == 0 and "None" not in out
    assert (
        "model/modules/blocks/activation@model.decoder.output_layer.activation: null  "
        "(model/modules/blocks/output_layer.yaml:18)"
    ) in [line.strip() for line in out.splitlines()]
