from __future__ import annotations

import json
from pathlib import Path

import pytest

import confman
from confman.diff import load_side
from confman.errors import ConfmanError, DiffSideError
from tests.conftest import TreeWriter
from tests.diff.conftest import git


def test_yaml_file_sides_carry_file_lines(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("model:\n  lr: 0.1\n  depth: 3\n")
    (tmp_path / "b.json").write_text(json.dumps({"model": {"lr": 0.2, "depth": 3}}))
    (change,) = confman.diff(tmp_path / "a.yaml", str(tmp_path / "b.json"))
    assert (change.path, change.old, change.new) == ("model.lr", 0.1, 0.2)
    assert change.old_source is not None and change.old_source.location.endswith("a.yaml:2")


def test_hydra_run_dir_brings_its_choices(tmp_path: Path, conf: Path) -> None:
    run = tmp_path / "outputs" / "run1"
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra/config.yaml").write_text("name: resnet\n")
    (run / ".hydra/hydra.yaml").write_text(
        "hydra:\n  runtime:\n    choices:\n      model: resnet\n      hydra/launcher: basic\n"
        "  overrides:\n    task: [model=resnet]\n"
    )
    side = load_side(str(run))
    assert {g: c.option for g, c in side.choices.items()} == {"model": "resnet"}
    assert side.overrides == ("model=resnet",)


def test_resolve_and_no_resolve(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\ny: ${x}\n")
    (tmp_path / "b.yaml").write_text("x: 2\ny: ${x}\n")
    resolved = confman.diff(tmp_path / "a.yaml", tmp_path / "b.yaml")
    raw = confman.diff(tmp_path / "a.yaml", tmp_path / "b.yaml", resolve=False)
    assert [c.path for c in resolved] == ["x", "y"]
    assert [c.path for c in raw] == ["x"]


def test_git_revision_side_leaves_worktree_and_index_alone(conf: Path) -> None:
    repo = conf.parent
    (conf / "optimizer/adam.yaml").write_text("lr: 0.5\nbetas: [0.9, 0.999]\n")  # uncommitted
    git(repo, "add", "conf/optimizer/adam.yaml")
    status_before = git(repo, "status", "--porcelain")
    changes = confman.diff("train@HEAD~1", "train@HEAD", config_dir=conf)
    assert [(c.path, c.old, c.new) for c in changes] == [("optimizer.lr", 0.001, 0.003)]
    assert changes[0].old_source is not None
    assert changes[0].old_source.location == "optimizer/adam.yaml:1"
    assert git(repo, "status", "--porcelain") == status_before
    assert "0.5" in (conf / "optimizer/adam.yaml").read_text()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("train@nope", "bad revision 'nope'"),
        ("missing@HEAD", "at revision 'HEAD'"),
        ("@HEAD", "names no config"),
        ("gone.yaml", "file not found: gone.yaml"),
    ],
    ids=["bad-rev", "config-missing-at-rev", "no-name", "missing-file"],
)
def test_bad_sides(conf: Path, spec: str, message: str) -> None:
    with pytest.raises(ConfmanError, match=message.replace("(", r"\(")):
        load_side(spec, config_dir=conf)


def test_config_dir_missing_at_revision(conf: Path) -> None:
    new = conf.parent / "conf2"
    new.mkdir()
    (new / "x.yaml").write_text("a: 1\n")
    with pytest.raises(DiffSideError, match="does not exist at revision 'HEAD'"):
        load_side("x@HEAD", config_dir=new)


@pytest.mark.parametrize(
    ("content", "message"),
    [("- 1\n- 2\n", "top level is a list, not a mapping"), ("a: [\n", "a.yaml")],
    ids=["list", "syntax"],
)
def test_non_mapping_or_broken_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(content)
    with pytest.raises(DiffSideError, match=message):
        load_side(str(path))


def test_two_hydra_run_dirs_group_their_leaves(tmp_path: Path) -> None:
    for name, option, depth in (("r1", "vit", 12), ("r2", "resnet", 50)):
        hydra = tmp_path / name / ".hydra"
        hydra.mkdir(parents=True)
        (hydra / "config.yaml").write_text(f"model:\n  depth: {depth}\nseed: 1\n")
        (hydra / "hydra.yaml").write_text(
            f"hydra:\n  runtime:\n    choices:\n      model: {option}\n"
        )
    changes = confman.diff(tmp_path / "r1", str(tmp_path / "r2"))
    assert [(c.path, c.kind, c.group) for c in changes] == [
        ("model", "choice", None),
        ("model.depth", "changed", "model"),
    ]


def _run_dir(root: Path, config: str, choices: str) -> Path:
    hydra = root / ".hydra"
    hydra.mkdir(parents=True)
    (hydra / "config.yaml").write_text(config)
    (hydra / "hydra.yaml").write_text(f"hydra:\n  runtime:\n    choices:\n{choices}")
    return root


def test_run_dir_against_a_saved_file_has_no_group_choice_rows(tmp_path: Path) -> None:
    """A saved file says nothing about group options: that is not a change of every group."""
    run = _run_dir(tmp_path / "run", "model:\n  depth: 12\nseed: 1\n", "      model: vit\n")
    saved = tmp_path / "saved.yaml"
    saved.write_text("model:\n  depth: 50\nseed: 1\n")
    for a, b in ((run, saved), (saved, run)):
        changes = confman.diff(a, b)
        assert [(c.path, c.kind, c.group) for c in changes] == [("model.depth", "changed", None)]


def test_run_dir_values_name_the_saved_config_file(tmp_path: Path) -> None:
    run = _run_dir(tmp_path / "outputs" / "run1", "seed: 1\nlr: 0.1\n", "      model: vit\n")
    other = tmp_path / "other.yaml"
    other.write_text("seed: 1\nlr: 0.2\n")
    (change,) = confman.diff(run, other)
    assert change.old_source is not None
    assert change.old_source.location == f"{run}/.hydra/config.yaml:2"


def test_composed_side_keeps_what_resolves_only_in_a_run(make_tree: TreeWriter) -> None:
    conf = make_tree(
        {
            "a.yaml": "out: ${hydra:runtime.cwd}/out\nn: ${div_up:7,2}\nlr: 0.1\nref: ${lr}\n",
            "b.yaml": "out: ${hydra:runtime.cwd}/out\nn: ${div_up:9,2}\nlr: 0.2\nref: ${lr}\n",
        }
    )
    changes = confman.diff("a", "b", config_dir=conf)
    assert [(c.path, c.old, c.new, c.old_unresolved, c.new_unresolved) for c in changes] == [
        ("n", "${div_up:7,2}", "${div_up:9,2}", True, True),
        ("lr", 0.1, 0.2, False, False),
        ("ref", 0.1, 0.2, False, False),
    ]
    side = load_side("a", config_dir=conf)
    assert set(side.unresolved) == {"out", "n"}
    assert "div_up" in side.unresolved["n"]
