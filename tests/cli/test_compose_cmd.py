"""``confman compose``/``explain``/``tree`` through the real typer app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf
from typer.testing import CliRunner

from confman.cli import app

TREE = {
    "train.yaml": """
        defaults:
          - model: resnet
          - optimizer: adam
          - _self_
          - experiment: null
        seed: 1
        run_name: ${model.name}-${optimizer.name}
        """,
    "model/resnet.yaml": "name: resnet\ndepth: 50\n",
    "model/vit.yaml": "name: vit\npatch: 16\n",
    "optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\n",
    "optimizer/sgd.yaml": "name: sgd\nlr: 0.1\n",
    "experiment/big.yaml": """
        # @package _global_
        defaults:
          - override /model: vit

        optimizer:
          lr: 0.002
        seed: 7
        """,
}


@pytest.fixture
def conf(make_tree) -> Path:
    return make_tree(TREE)


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def hydra_container(conf: Path, name: str, overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=str(conf), version_base=None):
        return OmegaConf.to_container(hydra_compose(name, overrides), resolve=False)


@pytest.mark.parametrize(
    "overrides",
    [[], ["experiment=big"], ["experiment=big", "optimizer.lr=0.003", "+extra.k=1", "~seed"]],
    ids=["plain", "experiment", "mixed"],
)
def test_compose_json_is_exactly_hydras_container(runner, conf, overrides):
    code, out, err = run(
        runner, "compose", "train", *overrides, "-c", str(conf), "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out) == hydra_container(conf, "train", overrides)


def test_compose_yaml_default_output(runner, conf):
    code, out, _ = run(runner, "compose", "train", "-c", str(conf))
    assert code == 0
    assert "run_name: ${model.name}-${optimizer.name}" in out
    assert out.startswith("model:\n  name: resnet")


def test_compose_resolve(runner, conf):
    code, out, _ = run(runner, "compose", "train", "-c", str(conf), "--resolve", "-f", "json")
    assert code == 0
    assert json.loads(out)["run_name"] == "resnet-adam"


def test_provenance_json_contract(runner, conf):
    code, out, _ = run(
        runner,
        "compose",
        "train",
        "experiment=big",
        "optimizer.lr=0.003",
        "-c",
        str(conf),
        "--format",
        "json",
        "--provenance",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"config", "provenance"}
    assert data["provenance"]["optimizer.lr"] == [
        {"file": "optimizer/adam.yaml", "line": 2, "value": 0.001},
        {"file": "experiment/big.yaml", "line": 6, "value": 0.002},
        {"override": "optimizer.lr=0.003", "value": 0.003},
    ]
    assert data["provenance"]["model.patch"] == [{"file": "model/vit.yaml", "line": 2, "value": 16}]
    # every leaf has provenance, lists are leaves
    assert "optimizer.betas" in data["provenance"]
    assert len(data["provenance"]) == 7


def test_provenance_reports_deletions(runner, conf):
    code, out, _ = run(
        runner, "compose", "train", "~seed", "-c", str(conf), "-f", "json", "--provenance"
    )
    assert code == 0
    data = json.loads(out)
    assert "seed" not in data["config"] and "seed" not in data["provenance"]
    assert data["deleted"]["seed"] == [
        {"file": "train.yaml", "line": 6, "value": 1},
        {"override": "~seed", "deleted": True},
    ]


def test_explain_shows_chain_and_choice(runner, conf):
    code, out, _ = run(
        runner,
        "explain",
        "optimizer.lr",
        "train",
        "experiment=big",
        "optimizer.lr=0.003",
        "-c",
        str(conf),
    )
    assert code == 0
    first = out.splitlines()[0]
    assert first == (
        "optimizer.lr = 0.003  <- override 'optimizer.lr=0.003' "
        "(overrode experiment/big.yaml:6 = 0.002, optimizer/adam.yaml:2 = 0.001)"
    )
    assert "optimizer: adam  (chosen by train.yaml:3)" in out


def test_explain_subtree_and_override_chosen_option(runner, conf):
    code, out, _ = run(runner, "explain", "model", "train", "experiment=big", "-c", str(conf))
    assert code == 0
    assert 'model.name  = "vit"  <- model/vit.yaml:1' in out
    assert "model: vit  (chosen by experiment/big.yaml:3 via 'override /model')" in out


def test_explain_json(runner, conf):
    code, out, _ = run(runner, "explain", "seed", "train", "-c", str(conf), "-f", "json")
    assert code == 0
    assert json.loads(out) == {"seed": [{"file": "train.yaml", "line": 6, "value": 1}]}


def test_explain_unknown_key_suggests(runner, conf):
    code, _, err = run(runner, "explain", "optimizer.lrr", "train", "-c", str(conf))
    assert code == 2
    assert "no key 'optimizer.lrr'" in err and "did you mean 'optimizer.lr'?" in err


def test_tree_shows_who_chose(runner, conf):
    code, out, _ = run(runner, "tree", "train", "experiment=big", "optimizer=sgd", "-c", str(conf))
    assert code == 0
    assert out.splitlines() == [
        "train",
        "  model: vit  (experiment/big.yaml:3 via 'override /model')",
        "  optimizer: sgd  (override 'optimizer=sgd')",
        "  _self_",
        "  experiment: big  (override 'experiment=big')",
    ]


def test_name_defaults_to_only_primary_and_first_arg_may_be_override(runner, conf):
    code, out, _ = run(runner, "compose", "seed=3", "-c", str(conf), "-f", "json")
    assert code == 0
    assert json.loads(out)["seed"] == 3


def test_config_dir_from_pyproject_walking_up(runner, conf, monkeypatch):
    project = conf.parent
    (project / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    code, out, _ = run(runner, "compose", "train", "-f", "json")
    assert code == 0
    assert json.loads(out)["model"]["name"] == "resnet"


def test_help_on_every_command(runner):
    for command in ("compose", "explain", "tree"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.stdout


def test_python_dash_m_entry_point(conf):
    proc = subprocess.run(
        [sys.executable, "-m", "confman", "compose", "train", "-c", str(conf), "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["seed"] == 1


# --- bad input: one clear line on stderr, exit 2, no traceback --------------------------------

BAD_INPUT = [
    pytest.param(
        ["compose", "train", "-c", "{missing}"], "config directory not found", id="no-dir"
    ),
    pytest.param(["compose", "trian"], "config 'trian' not found", id="unknown-config"),
    pytest.param(
        ["compose", "train", "model=vitt"],
        "no option 'vitt' in config group 'model'",
        id="unknown-option",
    ),
    pytest.param(
        ["compose", "train", "optimizer.lrr=1"], "cannot override 'optimizer.lrr'", id="unknown-key"
    ),
    pytest.param(
        ["compose", "train", "optimizer.lr=[1"], "bad override 'optimizer.lr=[1'", id="bad-syntax"
    ),
    pytest.param(
        ["compose", "train", "+seed=2"], "cannot add 'seed': it already exists", id="add-existing"
    ),
    pytest.param(["compose", "train", "~nope"], "cannot delete 'nope'", id="delete-missing"),
    pytest.param(["compose", "train", "seed=1,2"], "seed=1,2", id="sweep-in-compose"),
    pytest.param(["compose", "train", "-f", "xml"], "unknown --format 'xml'", id="bad-format"),
    pytest.param(
        ["explain", "seed", "train", "-f", "xml"], "unknown --format 'xml'", id="explain-bad-format"
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_clear_error(runner, conf, args, message):
    args = [a.replace("{missing}", str(conf / "nope")) for a in args]
    if "-c" not in args:
        args += ["-c", str(conf)]
    code, out, err = run(runner, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("confman: error: ")
    assert message in err
    assert "Traceback" not in err


def test_suggestions_and_hints(runner, conf):
    _, _, err = run(runner, "compose", "train", "model=vitt", "-c", str(conf))
    assert "did you mean 'vit'?" in err and "available options: resnet, vit" in err
    _, _, err = run(runner, "compose", "trian", "-c", str(conf))
    assert "did you mean 'train'?" in err
    _, _, err = run(runner, "compose", "train", "optimizer.lrr=1", "-c", str(conf))
    assert "did you mean 'optimizer.lr'?" in err and "'+optimizer.lrr=1'" in err
    _, _, err = run(runner, "compose", "train", "optimizer.lr=[1", "-c", str(conf))
    lines = err.splitlines()
    caret_line = next(line for line in lines if line.strip() == "^")
    override_line = lines[lines.index(caret_line) - 1]
    assert override_line[caret_line.index("^")] == "["


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"model/resnet.yaml": "name: resnet\ndepth: [50\n"},
            "model/resnet.yaml:3:1: YAML syntax error",
            id="yaml-syntax",
        ),
        pytest.param(
            {"model/resnet.yaml": "name: resnet\ndepth: 50\nname: again\n"},
            "model/resnet.yaml:3: duplicate key 'name' (first set at line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            {"model/resnet.yaml": b"name: res\x00net\n"},
            "model/resnet.yaml: looks like a binary file",
            id="binary",
        ),
        pytest.param(
            {"model/resnet.yaml": "name: r\xe9snet\n".encode("latin-1")},
            "model/resnet.yaml:1: not valid UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            {"model/resnet.yaml": "name: !!python/object/apply:os.system [ls]\n"},
            "model/resnet.yaml:1: refused unsafe YAML tag",
            id="python-tag",
        ),
    ],
)
def test_bad_files_name_file_and_line(runner, make_tree, files, message):
    conf = make_tree({**TREE, **files})
    code, _, err = run(runner, "compose", "train", "-c", str(conf))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_resolve_errors_name_key_and_source(runner, make_tree):
    conf = make_tree({**TREE, "train.yaml": dedent(TREE["train.yaml"]) + "ref: ${nowhere.x}\n"})
    code, _, err = run(runner, "compose", "train", "-c", str(conf), "--resolve")
    assert code == 2
    assert "cannot resolve 'ref' (train.yaml:8)" in err


def test_resolve_cycle_is_an_error_not_a_hang(runner, make_tree):
    conf = make_tree({**TREE, "train.yaml": dedent(TREE["train.yaml"]) + "a: ${b}\nb: ${a}\n"})
    code, _, err = run(runner, "compose", "train", "-c", str(conf), "--resolve")
    assert code == 2
    assert "cannot resolve" in err


def test_debug_env_shows_traceback(conf):
    env = {**os.environ, "CONFMAN_DEBUG": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "confman", "compose", "trian", "-c", str(conf)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "MissingConfigError" in proc.stderr


@pytest.mark.parametrize(
    "files",
    [
        {"loop.yaml": "defaults:\n  - loop\n"},
        {"loop.yaml": "defaults:\n  - other\n", "other.yaml": "defaults:\n  - loop\n"},
    ],
    ids=["self", "pair"],
)
def test_cyclic_defaults_fail_fast_with_a_clear_error(runner, make_tree, files):
    conf = make_tree({**TREE, **files})
    code, _, err = run(runner, "compose", "loop", "-c", str(conf))
    assert code == 2
    assert "the defaults lists starting at 'loop' include each other in a cycle" in err
    assert "Traceback" not in err


def test_nothing_outside_the_config_dir_is_read(runner, make_tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("token: leaked\n")
    conf = make_tree(TREE)
    (conf / "model" / "link.yaml").symlink_to(outside / "secret.yaml")
    (conf / "model" / "dirlink").symlink_to(outside)
    attempts = [
        ["compose", "train", "model=../../outside/secret"],
        ["compose", "train", "model=link"],
        ["compose", "train", "model=dirlink/secret"],
        ["compose", "../outside/secret"],
    ]
    for args in attempts:
        code, out, err = run(runner, *args, "-c", str(conf))
        assert code == 2, args
        assert "leaked" not in out + err
        assert "not found" in err or "no option" in err
