"""``confman migrate`` on real trees: the cost of ``--check`` and of ``--write``'s Hydra proof,
against plain Hydra composing the same compositions.

    python benchmarks/migrate.py [--rounds 5] [--only ProteinWorkshop safari]

Each tree (the example system and corpus trees a rename applies to, the largest corpus tree
among them) is copied to a temporary folder and given one ``[[tool.confman.migrations]]``
table. Per round, interleaved: the baseline composes every composition ``migrate`` judges
(reachable primaries and experiments, each group option swapped in) with ``hydra.compose``
in one ``initialize_config_dir``; ``check`` is ``migrate(prove=False)`` (what
``migrate --check`` runs: find every use, compose the tree once with confman's composer to
check the declarations);
``proof`` is ``migrate(write=False)`` (``--write`` without the final write: rewrite in memory,
compose before and again in a copy, compare). Medians in seconds and ratios to the baseline;
a JSON line per tree, then the table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from confman.lint.fix import compose_each
from confman.migrate.api import compositions, migrate
from confman.settings import load_settings
from confman.yamlsource import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

import corpus  # the test corpus helpers

REPO = Path(__file__).resolve().parents[1]

#: (label, corpus tree or None for the example system, config dir, TOML of the migration)
CASES = [
    (
        "example conf/",
        None,
        "conf",
        'rename = {"optimizer.lr" = "optimizer.learning_rate"}\n'
        'move = {"runtime.tmp_dir" = "output.tmp_dir"}\n'
        'remove = ["calibration.folds"]\n',
    ),
    ("drqv2", "facebookresearch__drqv2", "cfgs", 'rename = {"agent.lr" = "agent.learning_rate"}\n'),
    (
        "safari",
        "HazyResearch__safari",
        "configs",
        'rename = {"optimizer.lr" = "optimizer.learning_rate"}\n',
    ),
    (
        "ProteinWorkshop",
        "a-r-j__ProteinWorkshop",
        "proteinworkshop/config",
        'rename = {"optimiser.optimizer.lr" = "optimiser.optimizer.learning_rate"}\n',
    ),
]


def _project(tree: str | None, config_dir: str, migration: str, dest: Path) -> Path:
    if tree is None:
        root = dest / "example"
        shutil.copytree(REPO / "conf", root / "conf")
        (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    else:
        root = corpus.project(corpus.tree(tree), config_dir, dest)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[[tool.confman.migrations]]\nversion = "2.0"\n{migration}')
    return root


def _timed(fn: Callable[[], object]) -> float:
    clear_cache()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(root: Path, rounds: int) -> dict[str, object]:
    os.chdir(root)
    settings = load_settings(root)
    runs, left_out = compositions(settings)
    outcome = migrate(settings, prove=False)

    def baseline() -> None:
        for _ in compose_each(settings.config_dir, settings.version_base, runs):
            pass

    times: dict[str, list[float]] = {"hydra": [], "check": [], "proof": []}
    for _ in range(rounds):
        times["hydra"].append(_timed(baseline))
        times["check"].append(_timed(lambda: migrate(settings, prove=False)))
        times["proof"].append(_timed(lambda: migrate(settings, write=False)))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "yaml_files": sum(1 for _ in settings.config_dir.rglob("*.yaml")),
        "compositions": len(runs),
        "left_out": left_out,
        "uses": len(outcome.uses),
        "files_rewritten": len(outcome.changed),
        **{f"{k}_s": round(v, 3) for k, v in med.items()},
        "check_ratio": round(med["check"] / med["hydra"], 2),
        "proof_ratio": round(med["proof"] / med["hydra"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="trees to measure (labels)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    with tempfile.TemporaryDirectory(prefix="confman-bench-migrate-") as tmp:
        for label, tree, config_dir, migration in CASES:
            if tree is not None and not corpus.available():
                continue
            if args.only and label.split()[0] not in args.only:
                continue
            root = _project(tree, config_dir, migration, Path(tmp) / label.split()[0])
            row = {"tree": label, **measure(root, args.rounds)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(
        "\n| tree | YAML files | compositions | uses | files | Hydra s | check s (x) "
        "| proof s (x) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['tree']} | {r['yaml_files']} | {r['compositions']} | {r['uses']} "
            f"| {r['files_rewritten']} | {r['hydra_s']:.2f} | {r['check_s']:.2f} "
            f"({r['check_ratio']}x) | {r['proof_s']:.2f} ({r['proof_ratio']}x) |"
        )


if __name__ == "__main__":
    main()
