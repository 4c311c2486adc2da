"""The real-world corpus (``../shared/realworld/``): public Hydra projects at pinned commits.

Each tree is copied (symlinks kept) into a temporary project with a ``pyproject.toml`` that names
the config dir, the ``version_base`` its entrypoint uses and its Python sources, as the
manifest records them; the shared copy is read-only and never touched. Tests and
``benchmarks/realworld.py`` both use this module, so they measure the same thing.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "realworld"
KEYS = Path(__file__).resolve().parent / "keys"


@dataclass(frozen=True)
class Tree:
    """One corpus tree: its folder name, config dirs, sources and Hydra version base."""

    name: str
    config_dirs: tuple[str, ...]
    src: tuple[str, ...]
    version_base: str
    cases: tuple[dict[str, Any], ...]

    @property
    def path(self) -> Path:
        return CORPUS / self.name


def available() -> bool:
    return (CORPUS / "manifest.json").is_file()


@cache
def trees() -> tuple[Tree, ...]:
    """Every tree of the manifest (empty when the corpus is not beside the checkout)."""
    if not available():
        return ()
    out = []
    for entry in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8")):
        vb = entry["version_base"] if entry["version_base"] in ("1.1", "1.3") else "1.1"
        out.append(
            Tree(
                entry["tree"],
                tuple(entry["config_dirs"]),
                tuple(s.rstrip("/") for s in entry["src"]),
                vb,
                tuple(entry["cases"]),
            )
        )
    return tuple(out)


def tree(name: str) -> Tree:
    return next(t for t in trees() if t.name == name)


def project(t: Tree, config_dir: str, dest: Path) -> Path:
    """A project in ``dest`` holding a copy of ``t`` and a pyproject for ``config_dir``."""
    root = dest / t.name
    if not root.exists():
        shutil.copytree(t.path, root, symlinks=True)
        for folder, _, _ in os.walk(root):  # the shared copy is read-only; the copy is ours
            os.chmod(folder, 0o755)
    src = [s for s in t.src if (root / s).exists()]
    version_base = _case_version_base(t, config_dir)
    (root / "pyproject.toml").write_text(
        "[tool.confman]\n"
        f'config_dir = "{config_dir}"\n'
        f'version_base = "{version_base}"\n\n'
        "[tool.confman.lint]\n"
        f"src = {json.dumps(src)}\n",
        encoding="utf-8",
    )
    return root


#: The exit code of :func:`hydra_app` when its planted condition holds (Hydra's own errors exit 1).
PROBE_FAIL = 3


def hydra_app(root: Path, config_dir: str, config_name: str, version_base: str, fail: str) -> Path:
    """``root/probe.py``: an ``@hydra.main`` app over the copy's config dir that exits
    :data:`PROBE_FAIL` when ``fail`` (a Python expression over ``cfg``) holds, else 0. The
    corpus's own training code cannot run here; this stands in for it as a command that
    ``confman bisect`` probes."""
    path = root / "probe.py"
    path.write_text(
        "import sys\n\nimport hydra\n\n\n"
        f"@hydra.main(config_path={config_dir!r}, config_name={config_name!r}, "
        f"version_base={version_base!r})\n"
        f"def main(cfg):\n    sys.exit({PROBE_FAIL} if {fail} else 0)\n\n\nmain()\n",
        encoding="utf-8",
    )
    return path


def _case_version_base(t: Tree, config_dir: str) -> str:
    """The version base of the manifest's cases for ``config_dir`` (they may differ per dir)."""
    for case in t.cases:
        if case["config_dir"] == config_dir and case["version_base"] in ("1.1", "1.3"):
            return str(case["version_base"])
    return t.version_base


@dataclass(frozen=True)
class Judged:
    """One answer-key entry: a finding lint reports (or should), judged by reading the tree."""

    code: str
    file: str
    line: int
    verdict: bool
    why: str
    match: str = ""  # a substring of the message, when one line holds several findings

    def matches(self, code: str, file: str, line: int, message: str) -> bool:
        return (self.code, self.file, self.line) == (code, file, line) and self.match in message


def answer_key(name: str) -> list[Judged]:
    """Every judged entry for tree ``name``: ``keys/<tree>/<CODE>.yaml``, one file per rule."""
    entries: list[Judged] = []
    folder = KEYS / name
    if not folder.is_dir():
        return entries
    for path in sorted(folder.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            entries.append(
                Judged(
                    code=raw.get("code", path.stem),
                    file=raw["file"],
                    line=int(raw["line"]),
                    verdict=bool(raw["verdict"]),
                    why=raw["why"],
                    match=raw.get("match", ""),
                )
            )
    return entries


def lint_tree(t: Tree, dest: Path) -> list[Any]:
    """Every finding ``confman lint`` reports on every config dir of ``t`` (all rules)."""
    from confman.lint import lint
    from confman.settings import load_settings

    found: list[Any] = []
    for config_dir in t.config_dirs:
        root = project(t, config_dir, dest)
        found.extend(lint(load_settings(cwd=root)).diagnostics)
    return sorted(set(found))


@dataclass
class Score:
    """Per rule: findings judged true, judged false, not judged; key debts lint missed."""

    true: int = 0
    false: int = 0
    unjudged: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        judged = self.true + self.false
        return self.true / judged if judged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true + self.missed
        return self.true / wanted if wanted else 1.0


def score(found: list[Any], key: list[Judged]) -> tuple[dict[str, Score], list[Any], list[Judged]]:
    """Per-rule scores of ``found`` against ``key``, the unjudged findings and the missed debts."""
    scores: dict[str, Score] = {}
    unjudged = []
    hit: set[int] = set()
    for d in found:
        s = scores.setdefault(d.code, Score())
        entry = next(
            (i for i, j in enumerate(key) if j.matches(d.code, d.file, d.line, d.message)), None
        )
        if entry is None:
            s.unjudged += 1
            unjudged.append(d)
            continue
        hit.add(entry)
        if key[entry].verdict:
            s.true += 1
        else:
            s.false += 1
    missed = [j for i, j in enumerate(key) if j.verdict and i not in hit]
    for j in missed:
        scores.setdefault(j.code, Score()).missed += 1
    return scores, unjudged, missed


def totals(per_tree: list[dict[str, Score]]) -> dict[str, Score]:
    """Each rule's score summed over the trees."""
    out: dict[str, Score] = {}
    for scores in per_tree:
        for code, s in scores.items():
            acc = out.setdefault(code, Score())
            acc.true += s.true
            acc.false += s.false
            acc.unjudged += s.unjudged
            acc.missed += s.missed
    return out


if __name__ == "__main__":  # print skeleton key entries for what a tree's lint leaves unjudged
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for t in trees():
            if sys.argv[1:] and t.name not in sys.argv[1:]:
                continue
            found = lint_tree(t, Path(tmp))
            _, unjudged, missed = score(found, answer_key(t.name))
            for d in unjudged:
                print(f"# {t.name} {d.code} [{d.severity} {d.confidence}] {d.message}")
                print(f"- {{file: {d.file}, line: {d.line}, verdict: ?, why: ''}}")
            for j in missed:
                print(f"# {t.name} MISSED {j.code} {j.file}:{j.line} {j.why}")
