"""``confman lint --fix`` on every corpus tree leaves every reachable composition as plain Hydra
composes it (``OmegaConf.to_yaml`` of ``hydra.compose``, unresolved, as the manifest hashes it).

The judge here is written out on purpose rather than taken from ``confman.lint.fix``: the test
checks the fix's own proof.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from corpus import Tree, available, project, trees

from confman.lint.fix import fix
from confman.lint.reachable import reachable
from confman.settings import load_settings

pytestmark = pytest.mark.skipif(not available(), reason="the real-world corpus is not beside us")


def _composed(config_dir: Path, version_base: str) -> dict[str, str | None]:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    out: dict[str, str | None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with initialize_config_dir(str(config_dir), version_base=version_base):
            for run in reachable(config_dir):
                try:
                    cfg = compose(config_name=run.primary, overrides=list(run.overrides))
                    out[run.label] = OmegaConf.to_yaml(cfg)
                except Exception:  # any failure: the run does not compose
                    out[run.label] = None
    return out


def _texts(config_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(config_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(config_dir.rglob("*.yaml"))
        if not p.is_symlink()
    }


@pytest.mark.parametrize("tree", trees(), ids=lambda t: t.name)
def test_fix_changes_no_reachable_composition(tree: Tree, tmp_path: Path) -> None:
    for config_dir in tree.config_dirs:
        root = project(tree, config_dir, tmp_path)
        settings = load_settings(cwd=root)
        texts = _texts(settings.config_dir)
        fix(settings)
        if _texts(settings.config_dir) == texts:
            continue  # nothing written: nothing can have changed
        vb = settings.version_base or "1.3"
        before = _composed(tree.path / config_dir, vb)  # the read-only original
        after = _composed(settings.config_dir, vb)
        changed = [
            label for label, was in before.items() if was is not None and after[label] != was
        ]
        assert changed == [], f"{config_dir}: --fix changed {changed}"
