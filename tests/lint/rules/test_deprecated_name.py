from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from linttree import CLEAN, findings, messages
from typer.testing import CliRunner

from confman.cli import app
from confman.lint.fix import fix
from confman.settings import load_settings
from tests.realworld import corpus

RENAME = """
[[tool.confman.migrations]]
version = "2.0"
rename = {"optimizer.lr" = "optimizer.learning_rate"}
move = {"model.hidden" = "model.width"}
"""

LAUNCH = 'GRID = ["optimizer.lr=0.5", "model.hidden=32", "seed=1"]\n'


def _declare(root: Path, migrations: str = RENAME) -> Path:
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(migrations)
    return root


def _composed(root: Path, *overrides: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["compose", "train", *overrides, "--format", "json", "-c", str(root / "conf")]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_old_names_in_configs_and_python_overrides_are_found(system):
    root = _declare(system({"src/launch.py": LAUNCH}))
    assert findings(root, "CM104") == [
        ("CM104", "conf/experiment/big.yaml", 6),  # model.hidden, at the _global_ package
        ("CM104", "conf/model/mlp.yaml", 2),
        ("CM104", "conf/optimizer/adam.yaml", 2),
        ("CM104", "conf/optimizer/sgd.yaml", 2),
        ("CM104", "src/launch.py", 1),
        ("CM104", "src/launch.py", 1),
    ]
    assert messages(root, "CM104")[2] == (
        "key: 'optimizer.lr' was renamed to 'optimizer.learning_rate' in 2.0"
    )
    assert sorted(messages(root, "CM104")[4:]) == [
        "override 'model.hidden=32' -> 'model.width=32': 'model.hidden' was moved to "
        "'model.width' in 2.0",
        "override 'optimizer.lr=0.5' -> 'optimizer.learning_rate=0.5': 'optimizer.lr' was "
        "renamed to 'optimizer.learning_rate' in 2.0",
    ]


def test_no_migrations_no_findings_and_unrelated_keys_are_clean(system):
    assert findings(system(), "CM104") == []
    root = _declare(
        system(),
        '[[tool.confman.migrations]]\nversion = "3"\nrename = {"data.path" = "data.root"}\n',
    )
    assert {f[1] for f in findings(root, "CM104")} == {
        "conf/data/digits.yaml",
        "conf/data/wine.yaml",
    }


def test_bad_declarations_are_one_input_error(system, monkeypatch: pytest.MonkeyPatch):
    root = _declare(
        system(),
        '[[tool.confman.migrations]]\nversion = "2"\nrename = {"seed" = "rng"}\n'
        '[[tool.confman.migrations]]\nversion = "3"\nrename = {"rng" = "seed"}\n',
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint", "--select", "CM104", "--output-format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [(d["code"], d["file"]) for d in found] == [("CM000", "pyproject.toml")]
    assert found[0]["message"].startswith("cyclic migrations: 'seed' -> 'rng' -> 'seed'")


def test_fix_migrates_the_tree_proven_by_hydra(system, monkeypatch: pytest.MonkeyPatch):
    root = _declare(system({"src/launch.py": LAUNCH}))
    before = {o: _composed(root, o) for o in ("optimizer=sgd", "experiment=big")}
    adam = (root / "conf/optimizer/adam.yaml").read_text()

    shown = fix(load_settings(cwd=root), select=["CM104"], write=False)
    assert (root / "conf/optimizer/adam.yaml").read_text() == adam  # --diff writes nothing
    assert "+learning_rate: 0.001\n" in shown.diff() and "-lr: 0.001\n" in shown.diff()

    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint", "--fix", "--select", "CM104"])
    assert "conf/optimizer/adam.yaml: migrated 1 old name(s) (CM104)" in result.stderr
    assert (root / "conf/optimizer/adam.yaml").read_text() == adam.replace("lr:", "learning_rate:")
    assert (root / "conf/model/mlp.yaml").read_text().startswith("name: mlp\nwidth: 64\n")
    # what is left: the overrides in Python, which lint --fix reports and leaves alone
    assert findings(root, "CM104") == [("CM104", "src/launch.py", 1)] * 2
    assert (root / "src/launch.py").read_text() == LAUNCH
    for override, was in before.items():
        now = _composed(root, override)
        assert now["optimizer"]["learning_rate"] == was["optimizer"]["lr"]  # type: ignore[index]
        assert now["model"]["width"] == was["model"]["hidden"]  # type: ignore[index]
        assert yaml.safe_dump(now).count("lr:") == 0


def test_fix_is_refused_when_the_proof_fails_or_paths_cut_the_tree(system):
    root = _declare(
        system(
            {
                "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                    "  - optimizer: adam\n", "  - optimizer: adam\n  - optimizer@backup: sgd\n"
                )
            }
        )
    )
    sgd = (root / "conf/optimizer/sgd.yaml").read_text()
    outcome = fix(load_settings(cwd=root), select=["CM104"])
    assert outcome.messages[0].startswith(
        "CM104 fix refused: the rewrite would change composition 'train' beyond the declared"
    )
    assert outcome.changed == {} and (root / "conf/optimizer/sgd.yaml").read_text() == sgd

    other = _declare(system({"conf/train.yaml": CLEAN["conf/train.yaml"]}))
    cut = fix(load_settings(cwd=other), [other / "conf/optimizer"], select=["CM104"])
    assert cut.messages == [
        "CM104 fix refused: the migration also rewrites experiment/big.yaml, model/mlp.yaml, "
        "outside the paths given; run `confman lint --fix` on the whole tree"
    ]
    assert cut.changed == {}


@pytest.mark.skipif(not corpus.available(), reason="../shared/realworld is not beside the repo")
def test_real_world_tree_lint_agrees_with_migrate_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """safari's optimizer options: lint finds each use migrate --check lists in the tree."""
    root = corpus.project(corpus.tree("HazyResearch__safari"), "configs", tmp_path)
    _declare(
        root,
        '\n[[tool.confman.migrations]]\nversion = "2.0"\n'
        'rename = {"optimizer.lr" = "optimizer.learning_rate"}\n',
    )
    monkeypatch.chdir(root)
    check = CliRunner().invoke(app, ["migrate", "--check"])
    listed = sorted(
        (line.split(":")[0], int(line.split(":")[1])) for line in check.stdout.splitlines()
    )
    found = sorted((f[1], f[2]) for f in findings(root, "CM104") if f[1].endswith(".yaml"))
    assert found == listed and len(found) > 10


@pytest.mark.skipif(not corpus.available(), reason="../shared/realworld is not beside the repo")
def test_real_world_key_a_defaults_package_places_is_missed_and_the_fix_refused(
    tmp_path: Path,
):
    """drqv2's task options land at the root (``task@_global_``) and set ``nstep`` there too:
    lint sees config.yaml's ``nstep`` (a true finding) but not the task files' (a known miss,
    the file's package comes from its folder), and the proof refuses the partial fix."""
    root = corpus.project(corpus.tree("facebookresearch__drqv2"), "cfgs", tmp_path)
    _declare(
        root, '\n[[tool.confman.migrations]]\nversion = "2.0"\nrename = {"nstep" = "n_step"}\n'
    )
    found = findings(root, "CM104")
    assert [f[1] for f in found] == ["cfgs/config.yaml"]
    outcome = fix(load_settings(cwd=root), select=["CM104"])
    assert outcome.changed == {}
    assert "would change composition 'config task@_global_=" in outcome.messages[0]
