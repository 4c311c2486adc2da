"""``confman migrate`` on the largest corpus tree (ProteinWorkshop, 228 YAML files) and on
safari: ``--check`` lists every use, ``--write`` changes exactly those lines and only the name
in them (comments, quoting and layout stay), and the recompose proof holds.

The proof composes each composition with plain Hydra twice (before and after). On safari it
judges every composition ``migrate`` would; on ProteinWorkshop it judges the reachable ones
(its 7 primaries and the 140 options of its experiment-like groups, ``task`` and ``debug``;
not the 253 options swapped in beyond them), which keeps this test to about a third of the
full proof's time; ``benchmarks/migrate.py`` runs the
full proof on that tree."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.errors import ConfmanError
from confman.migrate import api as migrate_api
from confman.yamlsource import parse_yaml
from tests.realworld import corpus

pytestmark = pytest.mark.skipif(
    not corpus.available() and os.environ.get("CI") != "true",
    reason="the real-world corpus is not beside the checkout",
)


def _readable(text: str, name: str) -> bool:
    try:
        parse_yaml(text, name=name)
    except ConfmanError:
        return False
    return True


def _listed(stdout: str) -> set[str]:
    return {line.split(": ", 1)[0] for line in stdout.splitlines()}


def _migrate(root: Path, old: str, new: str, runner: CliRunner) -> tuple[set[str], set[str]]:
    """(file:line listed by --check, file:line --write changed), with each change checked."""
    with (root / "pyproject.toml").open("a") as handle:
        handle.write(
            f'\n[[tool.confman.migrations]]\nversion = "2.0"\nrename = {{"{old}" = "{new}"}}\n'
        )
    config_dir = root / root.joinpath("pyproject.toml").read_text().split('"')[1]
    before = {p: p.read_text() for p in config_dir.rglob("*.yaml")}
    check = runner.invoke(app, ["migrate", "--check"])
    assert check.exit_code == 1, check.stderr
    wrote = runner.invoke(app, ["migrate", "--write"])
    assert wrote.exit_code == 0, wrote.stderr
    assert "unchanged but for the declared changes" in wrote.stderr
    changed = set()
    old_name, new_name = old.rpartition(".")[2], new.rpartition(".")[2]
    for path, text in before.items():
        after = path.read_text()
        assert len(after.splitlines()) == len(text.splitlines()), path
        for number, (was, now) in enumerate(
            zip(text.splitlines(), after.splitlines(), strict=True), 1
        ):
            if was != now:
                changed.add(f"{path.relative_to(root)}:{number}")
                assert now in (
                    was.replace(old, new),
                    re.sub(rf"\b{old_name}:", f"{new_name}:", was),
                )
    return _listed(check.stdout), changed


def test_protein_workshop_lr_rename_in_22_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """The optimisers' ``lr`` and every W&B sweep that sets it (``optimiser.optimizer.lr:``
    under ``parameters``, or names it in ``${...}``); four sweep files no YAML parser reads
    (``{{...}}`` templates) are left alone."""
    root = corpus.project(corpus.tree("a-r-j__ProteinWorkshop"), "proteinworkshop/config", tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setattr(migrate_api, "MAX_COMPOSITIONS", 0)  # the reachable ones only
    config = root / "proteinworkshop/config"
    old = "optimiser.optimizer.lr"
    uses = {
        f"{path.relative_to(root)}:{number}"
        for path in config.rglob("*.yaml")
        if _readable(path.read_text(), path.name)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(rf"{re.escape(old)}\b", line)
        or (path.parent.name == "optimiser" and line.strip().startswith("lr:"))
    }
    listed, changed = _migrate(root, old, "optimiser.optimizer.learning_rate", runner)
    assert listed == changed == uses
    assert len({u.split(":")[0] for u in uses}) == 22


def test_safari_optimizer_lr_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = corpus.project(corpus.tree("HazyResearch__safari"), "configs", tmp_path)
    monkeypatch.chdir(root)
    listed, changed = _migrate(root, "optimizer.lr", "optimizer.learning_rate", runner)
    assert listed == changed
    assert len(listed) == 34
