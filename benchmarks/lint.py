"""Benchmark ``confman lint`` on a generated large ML system against the parse bound and yamllint.

System: 2,000 option files (40 groups x 50 options x 50 keys = 100k keys), 40 experiments, and
1,000 Python files reading config keys. Baselines measured in the same run: the parse bound
(libyaml ``CSafeLoader`` load of every YAML file + ``ast.parse`` of every Python file) and
``yamllint`` (``bench`` extra) on the same YAML files.

Measured, each as the median of ``repeats`` runs, interleaved with the parse bound so that both
see the same machine load (the cold runs are also printed as ratios paired with the parse bound
measured just before each: their median and range):

* cold: lint in this process with every confman cache emptied first (parses, loaders), as a
  fresh ``confman lint`` process sees the tree; this is the number the target (<= 2x) is
  about. Twice: serial (everything in this process: what ``confman lint`` does on one core)
  and with its forked children (the compositions made while this process reads the files,
  then the rules shared as each process comes free: what ``confman lint`` does whenever a
  second core is idle, the default where there is one);
* warm: the serial lint again in the same process on the unchanged tree (parses cached, and
  the compositions reused);
* CLI: ``python -m confman lint`` as a subprocess (adds interpreter start and imports), against
  the parse bound run as a subprocess too;
* the slow path: the same lint with every composition made by ``confman.compose`` (once).

Usage: ``python benchmarks/lint.py [repeats]``.
"""

from __future__ import annotations

import ast
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import compile_confman
from gentree import generate

from confman import caches
from confman.lint.context import build_context
from confman.lint.engine import _fewer_gc_passes as fewer_gc_passes
from confman.lint.engine import lint_context, selected_codes
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


#: The parse bound as a process of its own (interpreter start and the two imports included),
#: the like-for-like baseline for a ``confman lint`` process.
BOUND_PROCESS = """
import ast, sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
for path in (root / "conf").rglob("*.yaml"):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
for path in (root / "src").rglob("*.py"):
    ast.parse(path.read_bytes())
"""


def timed(fn, repeats: int, cpu: list[float] | None = None) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of ``repeats`` calls; with ``cpu``, each call's CPU time is appended."""
    runs = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return statistics.median(runs)


def forget_caches() -> None:
    """Empty confman's per-process caches: the next lint parses and builds everything anew.

    Also collects the garbage earlier runs left (reference cycles of OmegaConf and Hydra
    objects): a fresh ``confman lint`` process starts without it, and the cycle collector's
    passes during the next run would otherwise rescan it.
    """
    caches.clear()
    gc.collect()


def _paired(runs: list[float], bounds: list[float]) -> str:
    """The median and range of each repeat's ratio to the parse bound measured just before
    it: on a shared machine whose speed drifts, a pair sees the same speed."""
    ratios = sorted(run / bound for run, bound in zip(runs, bounds, strict=True))
    return f"median {statistics.median(ratios):.2f}x, {ratios[0]:.2f}-{ratios[-1]:.2f}x"


def main() -> None:
    compile_confman()
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root)
        settings = load_settings(cwd=root)
        findings: list[int] = []

        codes = selected_codes(settings.raw.get("lint", {}))

        def run(background: bool) -> None:
            """``lint()``, with its forked children (compositions while the tree is read, the
            heaviest rules while the others run) forced on or off."""
            with fewer_gc_passes():
                ctx = build_context(settings, background=background)
                result = lint_context(ctx, codes, parallel=background)
                findings.append(len(result.diagnostics))

        bounds, colds, forks, warms = [], [], [], []
        bound_cpu: list[float] = []
        cold_cpu: list[float] = []
        load = os.getloadavg()[0]
        for _ in range(repeats):
            gc.collect()
            bounds.append(timed(lambda: parse_bound(root), 1, bound_cpu))
            forget_caches()
            colds.append(timed(lambda: run(False), 1, cold_cpu))
            warms.append(timed(lambda: run(False), 1))
            forget_caches()
            forks.append(timed(lambda: run(True), 1))
        bound, cold, fork, warm = (statistics.median(x) for x in (bounds, colds, forks, warms))
        cli = timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "confman", "lint", "--exit-zero", "--statistics"],
                cwd=root,
                capture_output=True,
                check=True,
            ),
            repeats,
        )
        bound_process = timed(
            lambda: subprocess.run(
                [sys.executable, "-c", BOUND_PROCESS, str(root)], capture_output=True, check=True
            ),
            repeats,
        )
        forget_caches()
        start = time.perf_counter()
        slow_findings = len(lint_context(build_context(settings, fast=False), codes).diagnostics)
        slow = time.perf_counter() - start
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
        print(f"cores: {os.cpu_count()}, 1-minute load average at start: {load:.2f}")
        print(f"parse bound        {bound:8.2f} s")
        print(f"confman lint cold  {cold:8.2f} s  ({cold / bound:.2f}x parse bound, one core)")
        bcpu, ccpu = statistics.median(bound_cpu), statistics.median(cold_cpu)
        print(f"  CPU time: bound {bcpu:.2f} s, cold lint {ccpu:.2f} s ({ccpu / bcpu:.2f}x)")
        print(f"  forked children  {fork:8.2f} s  ({fork / bound:.2f}x parse bound, target <= 2x)")
        print(f"  paired (each run / the parse bound just before it): {_paired(colds, bounds)}")
        print(f"    forked children: {_paired(forks, bounds)}")
        print(f"confman lint warm  {warm:8.2f} s  ({warm / bound:.2f}x parse bound)")
        print(
            f"confman lint CLI   {cli:8.2f} s  (a process: {cli / bound_process:.2f}x the parse"
            f" bound as a process, {bound_process:.2f} s)"
        )
        print(f"slow path (compose)  {slow:6.2f} s  (every composition by confman.compose, once)")
        print(
            f"yamllint           {yl:8.2f} s  (cold lint is {yl / cold:.2f}x faster, "
            f"{yl / fork:.2f}x with its forked children)"
        )
        assert len(set(findings)) == 1 and slow_findings == findings[0], (findings, slow_findings)
        print(f"findings: {findings[-1]} (the same on every run and on the slow path)")


if __name__ == "__main__":
    main()
