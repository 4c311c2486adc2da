"""Benchmark ``confman lint`` on a generated large ML system against the parse bound and yamllint.

System: 2,000 option files (40 groups x 50 options x 50 keys = 100k keys), 40 experiments, and
1,000 Python files reading config keys. Baselines measured in the same run: the parse bound
(libyaml ``CSafeLoader`` load of every YAML file + ``ast.parse`` of every Python file) and
``yamllint`` (``bench`` extra) on the same YAML files.
Usage: ``python benchmarks/lint.py [repeats]``.
"""

from __future__ import annotations

import ast
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gentree import generate

from confman.lint import lint
from confman.settings import load_settings

GROUPS, OPTIONS, KEYS, EXPERIMENTS, PY_FILES = 40, 50, 50, 40, 1000


def build(root: Path) -> None:
    conf = generate(root / "conf", groups=GROUPS, options=OPTIONS, keys=KEYS)
    primary = conf / "config.yaml"
    primary.write_text(
        primary.read_text().replace("  - _self_\n", "  - _self_\n  - experiment: null\n")
    )
    (conf / "experiment").mkdir()
    for e in range(EXPERIMENTS):
        (conf / "experiment" / f"exp{e}.yaml").write_text(
            f"# @package _global_\ndefaults:\n  - override /g{e % GROUPS}: opt{e + 1}\n"
            f"top:\n  lr: {0.01 * (e + 1):.3f}\n"
        )
    src = root / "src"
    src.mkdir()
    for i in range(PY_FILES):
        g = i % GROUPS
        reads = "\n".join(f"    x += cfg.g{g}.sec{s}.k{s * 10 + i % 10}" for s in range(KEYS // 10))
        (src / f"mod{i}.py").write_text(
            f"def run{i}(cfg):\n    x = cfg.top.lr\n{reads}\n    return x\n"
        )
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["src"]\n'
    )


def parse_bound(root: Path) -> None:
    for path in (root / "conf").rglob("*.yaml"):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    for path in (root / "src").rglob("*.py"):
        ast.parse(path.read_bytes())


def timed(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root)
        bound = timed(lambda: parse_bound(root), repeats)
        findings: list[int] = []

        def run_lint() -> None:
            findings.append(len(lint(load_settings(cwd=root)).diagnostics))

        total = timed(run_lint, repeats)
        yl = timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "yamllint", "-f", "parsable", str(root / "conf")],
                capture_output=True,
                check=False,
            ),
            repeats,
        )
        yaml_files = GROUPS * OPTIONS + EXPERIMENTS + 1
        print(f"files: {yaml_files} YAML, {PY_FILES} Python; repeats={repeats}")
        print(f"parse bound  {bound:8.2f} s")
        print(f"confman lint {total:8.2f} s  ({total / bound:.2f}x parse bound, target <= 2x)")
        print(f"yamllint     {yl:8.2f} s  (lint is {yl / total:.2f}x faster)")
        print(f"findings: {findings[-1]}")


if __name__ == "__main__":
    main()
