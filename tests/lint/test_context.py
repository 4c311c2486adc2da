"""How the context reads the tree: each YAML file's text comes with its parse, as read_text gives
it, and unreadable files are said to be so."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from linttree import CLEAN, write_tree

from confman.lint.context import build_context
from confman.settings import load_settings


def test_lines_as_read_text_gives_them(tmp_path: Path) -> None:
    root = write_tree(tmp_path, CLEAN)
    conf = root / "conf"
    (conf / "data" / "bom.yaml").write_bytes(b"\xef\xbb\xbfname: bom\r\nnum_classes: 2\r\n")
    ctx = build_context(load_settings(cwd=root), background=False)
    for rel, yf in ctx.files.items():
        assert yf.lines == (conf / rel).read_text(encoding="utf-8").splitlines(), rel
    assert ctx.files["data/bom.yaml"].lines[0].startswith("\ufeff")
    assert ctx.files["data/bom.yaml"].parsed.data == {"name": "bom", "num_classes": 2}


def test_unreadable_and_broken_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path, CLEAN)
    conf = root / "conf"
    (conf / "data" / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    (conf / "data" / "broken.yaml").write_text("name: [unclosed\n")
    ctx = build_context(load_settings(cwd=root), background=False)
    problems = {(p.file, p.message.split(":")[0]) for p in ctx.problems}
    assert ("conf/data/latin.yaml", "cannot read") in problems
    assert "data/latin.yaml" not in ctx.files  # left out, as an unreadable file
    assert ctx.files["data/broken.yaml"].parsed is None
    assert ctx.files["data/broken.yaml"].lines == ["name: [unclosed"]
    assert any(p.file == "conf/data/broken.yaml" and p.line == 2 for p in ctx.problems)


def _labels(root: Path) -> tuple[set[str], set[str]]:
    ctx = build_context(load_settings(cwd=root), background=False)
    return {c.label for c in ctx.compositions}, {c.label for c in ctx.variants}


def test_every_reachable_composition_is_composed(tmp_path: Path) -> None:
    """Experiments in nested folders with their primary; every other option of each chosen
    group in place (a variant); a group nothing chooses tried with ``+group=option``."""
    root = write_tree(
        tmp_path,
        {
            **CLEAN,
            "conf/experiment/owt/small.yaml": "# @package _global_\nseed: 3\n",
            "conf/finetune/lora.yaml": "# @package _global_\nseed: 4\n",
        },
    )
    compositions, variants = _labels(root)
    assert {"train", "train experiment=big", "train experiment=owt/small"} <= compositions
    assert {"train data=wine", "train optimizer=sgd", "train +finetune=lora"} <= variants
    assert not compositions & variants


def test_variants_are_not_evidence_that_an_option_is_selected(tmp_path: Path) -> None:
    """Lint composes ``data=wine`` itself; that choice is made on lint's own command line."""
    root = write_tree(tmp_path, CLEAN)
    ctx = build_context(load_settings(cwd=root), background=False)
    wine = next(c for c in ctx.variants if c.overrides == ("data=wine",))
    assert wine.composed.choices["data"].chosen_by.startswith("override '")


def test_a_failing_variant_is_no_finding_but_a_failing_experiment_is(tmp_path: Path) -> None:
    """``model=x`` may need another group chosen with it; an experiment is meant to compose."""
    root = write_tree(
        tmp_path,
        {
            **CLEAN,
            "conf/model/needs.yaml": "defaults:\n  - /extra: nope\nname: needs\n",
            "conf/experiment/broken.yaml": "# @package _global_\ndefaults:\n"
            "  - override /optimizer: nope\n",
        },
    )
    ctx = build_context(load_settings(cwd=root), background=False)
    composing = [p for p in ctx.problems if "cannot compose" in p.message]
    assert len(composing) == 1 and "train experiment=broken" in composing[0].message


def test_a_path_in_the_config_dir_narrows_what_is_composed(tmp_path: Path) -> None:
    root = write_tree(tmp_path, CLEAN)
    settings = load_settings(cwd=root)
    wanted = [root / "conf" / "data"]
    calls: list[tuple[int, int]] = []
    ctx = build_context(settings, paths=wanted, progress=lambda d, t: calls.append((d, t)))
    assert {c.label for c in ctx.variants} == {"train data=wine"}  # not optimizer=sgd
    assert {c.label for c in ctx.compositions} == {"train", "train experiment=big"}
    assert calls and calls[-1][0] == calls[-1][1]  # reported up to the last composition
    whole = build_context(settings, paths=[root / "src"], background=False)
    assert "train optimizer=sgd" in {c.label for c in whole.variants}  # outside: everything


def test_progress_is_reported_by_both_processes_while_a_child_composes(tmp_path: Path) -> None:
    """Asking for progress (a person at a terminal) keeps the forked child: each process reports
    the runs taken so far by both, and the last report counts every run."""
    root = write_tree(tmp_path, CLEAN)
    log = tmp_path / "progress.txt"
    with log.open("w") as stream:

        def report(done: int, total: int) -> None:
            stream.write(f"{os.getpid()} {done} {total}\n")
            stream.flush()

        ctx = build_context(load_settings(cwd=root), background=True, progress=report)
    assert ctx.composed_in in ("child", "shared")
    reports = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    totals = {total for _, _, total in reports}
    assert len(totals) == 1 and max(done for _, done, _ in reports) == totals.pop()
    assert {pid for pid, _, _ in reports} - {os.getpid()}  # the child reported too


def test_an_experiment_other_experiments_include_is_not_run_alone(tmp_path: Path) -> None:
    """``experiment/pile/base.yaml`` under ``experiment/pile/h3.yaml`` is a building block."""
    root = write_tree(
        tmp_path,
        {
            **CLEAN,
            "conf/experiment/pile/base.yaml": "# @package _global_\nseed: 1\n",
            "conf/experiment/pile/h3.yaml": "# @package _global_\n"
            "defaults:\n  - /experiment/pile/base\n  - _self_\nseed: 2\n",
        },
    )
    compositions, _ = _labels(root)
    assert "train experiment=pile/h3" in compositions
    assert "train experiment=pile/base" not in compositions


def test_past_the_bound_options_are_not_swapped_in_place_and_lint_says_so(
    tmp_path: Path, monkeypatch
) -> None:
    from confman.lint import composeall

    monkeypatch.setattr(composeall, "MAX_VARIANTS", 1)
    ctx = build_context(load_settings(cwd=write_tree(tmp_path, CLEAN)), background=False)
    assert ctx.variants == [] and "train experiment=big" in {c.label for c in ctx.compositions}
    (note,) = [p for p in ctx.problems if "swapped in place" in p.message]
    assert note.severity == "info" and "confman lint conf/<group>" in (note.fix or "")


def test_python_files_are_the_sorted_rglob_minus_skipped_folders_never_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's Python: what ``sorted(rglob("*.py"))`` gives less virtualenvs, builds and
    (by default) tests, found without listing the skipped folders at all (a virtualenv in the
    project root holds tens of thousands of files)."""
    from confman import projectwalk
    from confman.lint import context as context_module
    from confman.lint.model import LintContext

    for rel in ["a.py", "pkg/b.py", "pkg-x/c.py", "pkg/tests/t.py", "build/gen.py", "docs.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "site.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    settings = load_settings(cwd=tmp_path)
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        listed.append(str(path))
        return real_scandir(path)

    monkeypatch.setattr(projectwalk.os, "scandir", scandir)
    found = context_module.python_files(settings, LintContext(settings, tmp_path, tmp_path))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.py", "pkg/b.py", "pkg-x/c.py"]
    assert not any(".venv" in p or "build" in p or "tests" in p for p in listed)
    with_src = LintContext(settings, tmp_path, tmp_path, lint_settings={"src": ["pkg"]})
    found = context_module.python_files(settings, with_src)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["pkg/b.py", "pkg/tests/t.py"]
