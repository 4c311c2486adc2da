"""Lint on the real-world corpus (../shared/realworld): time per tree against its parse bound,
and each rule's precision and recall against the answer keys in tests/realworld/keys.

    python benchmarks/realworld.py [REPEATS] [TREE ...]

The parse bound of a tree is a process that imports Hydra and parses every YAML file of the
tree's config dirs (libyaml) and every Python file lint reads (``ast``): what any tool that reads
the whole ML system pays at least. ``confman lint`` is timed as a process too, once per config
dir of the tree (the manifest's config dirs; each is its own lint), summed. Medians of REPEATS
interleaved runs. Results go to benchmarks/RESULTS.md by hand, with the machine and load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

import corpus  # the test corpus helpers: one definition of what is measured

BOUND_PROCESS = """
import ast, sys, yaml
import hydra  # noqa: F401  (what any Hydra tool imports)
from pathlib import Path
for arg in sys.argv[1:]:
    path = Path(arg)
    try:
        if path.suffix == ".py":
            ast.parse(path.read_bytes())
        else:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    except (SyntaxError, yaml.YAMLError):
        pass  # a broken file is read all the same (lint reports it)
"""


def files_read(root: Path, t: corpus.Tree) -> list[str]:
    """Every YAML file of the tree's config dirs and every Python file of its sources."""
    found: set[Path] = set()
    for config_dir in t.config_dirs:
        found |= set((root / config_dir).rglob("*.yaml"))
    for src in t.src:
        base = root / src
        found |= {base} if base.is_file() else set(base.rglob("*.py"))
    return sorted(str(p) for p in found)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[1:4]} in {cwd} failed: {done.stderr.strip()[-500:]}")
    return took


def measure(t: corpus.Tree, repeats: int, tmp: Path) -> tuple[int, float, float]:
    roots = [corpus.project(t, d, tmp / d.replace("/", "_")) for d in t.config_dirs]
    files = files_read(roots[0], t)
    bounds, lints = [], []
    for _ in range(repeats):
        bounds.append(timed([sys.executable, "-c", BOUND_PROCESS, *files], roots[0]))
        lints.append(
            sum(
                timed([sys.executable, "-m", "confman", "lint", "--exit-zero"], root)
                for root in roots
            )
        )
    return len(files), statistics.median(bounds), statistics.median(lints)


def precision_table() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        total = corpus.totals(
            [
                corpus.score(corpus.lint_tree(t, Path(tmp) / t.name), corpus.answer_key(t.name))[0]
                for t in corpus.trees()
            ]
        )
    print("\n| rule | findings | true | false | unjudged | missed debts | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    for code, s in sorted(total.items()):
        found = s.true + s.false + s.unjudged
        print(
            f"| {code} | {found} | {s.true} | {s.false} | {s.unjudged} | {s.missed} "
            f"| {s.precision:.2f} | {s.recall:.2f} |"
        )


def main() -> None:
    args = sys.argv[1:]
    repeats = int(args.pop(0)) if args and args[0].isdigit() else 3
    wanted = set(args)
    print(f"cores: {os.cpu_count()}, 1-minute load average at start: {os.getloadavg()[0]:.2f}")
    print("| tree | config dirs | files read | parse bound | confman lint | ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for t in corpus.trees():
            if wanted and t.name not in wanted:
                continue
            n, bound, lint = measure(t, repeats, Path(tmp) / t.name)
            print(
                f"| {t.name} | {len(t.config_dirs)} | {n} | {bound:.2f} s | {lint:.2f} s "
                f"| {lint / bound:.2f}x |"
            )
    if not wanted:
        precision_table()


if __name__ == "__main__":
    main()
