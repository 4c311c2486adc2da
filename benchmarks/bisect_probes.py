"""``confman bisect`` on the example training: probes and wall time against the number of
changes n and of culprits k, beside the 2·k·log2(n) bound and one-change-at-a-time (n probes).

    python benchmarks/bisect_probes.py [--n 8 16 32] [--jobs 2]
    python benchmarks/bisect_probes.py --realworld
    python benchmarks/bisect_probes.py --launcher [--n 16] [--k 2] [--rounds 3]

``--realworld`` bisects two corpus trees instead (``../shared/realworld``), with the probed
command a small ``@hydra.main`` app over each tree's config dir that fails when a planted
condition holds (``corpus.hydra_app``; the trees' training code cannot run here):
ProteinWorkshop between ``train`` and ``train`` with group swaps and values (composed sides),
safari between files written from two experiments (every difference a leaf override).

The example system (conf/, examples/, schemas/) is copied to a temporary project. BAD is
``train`` with n overrides: n - k harmless changes (settings the run reads or carries without
failing) with the k culprits spread among them; k = 1 is a setting that makes training fail
on its own (``trainer.cv_folds=1``), k = 2 two that fail only together (an accuracy floor of
0.99 and the switch that enforces it). Each bisect is one ``confman bisect train train -b ...
-- python examples/train.py`` process (``--jobs`` probes at a time, a store of its own) and
must name exactly the planted culprits. A JSON line per bisect, then the table for
benchmarks/RESULTS.md. Probe counts are deterministic; wall times are single runs.

``--launcher`` compares the ways probes run, on the same case and the same job (the example
training as a Hydra app, ``examples/train_app.py``, each job writing to its own Hydra output
folder, ``output.dir=${hydra:runtime.output_dir}``): subprocess probes one and two at a time
(``--jobs 1``, ``--jobs 2``), and ``--launcher`` through Hydra's basic launcher and through
joblib with two workers (``hydra/launcher=joblib hydra.launcher.n_jobs=2``). Rounds are
interleaved (each round runs every way once); the table gives medians and the ratio to
``--jobs 1`` in the same rounds.

Not ``bisect.py``: run as a script, a file of that name in this folder would shadow the
standard library's ``bisect`` (which ``random`` imports) for every benchmark here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "realworld"))

import corpus  # noqa: E402  (the test corpus helpers)

HARMLESS = [
    "output.compress=1",
    "evaluation.bootstrap.rounds=50",
    "logging.progress_every=5",
    "output.report.top_errors=5",
    "tracking.notes=bisect",
    "search.n_iter=4",
    "calibration.method=isotonic",
    "output.save_predictions=true",
    "logging.level=WARNING",
    "evaluation.calibration_bins=5",
    "output.model_file=m.pkl",
    "output.metrics_file=m.json",
    "output.report.file=r.md",
    "output.report.include_config=false",
    "tracking.project=bench",
    "tracking.log_model=false",
    "logging.capture_warnings=false",
    "evaluation.per_class_report=false",
    "evaluation.confusion_matrix=false",
    "evaluation.bootstrap.confidence=0.9",
    "description=bench",
    "version=2",
    "runtime.memory_limit_gb=8",
    "search.method=grid",
    "search.refit_metric=accuracy",
    "calibration.folds=4",
    "preprocess.pca.components=16",
    "preprocess.pca.whiten=true",
    "features.polynomial.degree=3",
    "features.noise.std=0.02",
    "output.report.format=text",
    "tracking.uri=.confman/bench",
]
CULPRITS = {
    1: ["trainer.cv_folds=1"],
    2: ["evaluation.thresholds.min_accuracy=0.99", "evaluation.thresholds.fail_below=true"],
}


def _project(dest: Path) -> Path:
    root = dest / "proj"
    for folder in ("conf", "examples", "schemas"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    # one run first fills the dataset cache, as any project that has trained before has it
    # (probes that start together would otherwise race to write it)
    env = {**os.environ, "CONFMAN_STORE": f"sqlite:///{root / 'warm.db'}"}
    subprocess.run([sys.executable, "examples/train.py"], cwd=root, env=env, check=True)
    return root


def _changes(n: int, k: int) -> list[str]:
    """n changes: the k culprits spread evenly among n - k harmless ones."""
    changes = HARMLESS[: n - k]
    for i, culprit in enumerate(CULPRITS[k]):
        changes.insert((i + 1) * len(changes) // (k + 1) + i, culprit)
    return changes


def _timed_bisect(
    root: Path, n: int, k: int, store: str, options: list[str], probe: list[str]
) -> tuple[dict[str, Any], float]:
    """One ``confman bisect train train -b <n changes> OPTIONS -- python PROBE...`` process
    with a store of its own: its report (checked: exactly the planted culprits) and wall time."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "CONFMAN_STORE": f"sqlite:///{root / store}"}
    command = [sys.executable, "-m", "confman", "bisect", "train", "train"]
    command += ["-b", " ".join(_changes(n, k)), *options, "--format", "json", "--"]
    command += [sys.executable, *probe]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bisect {options} n={n} k={k} failed: {done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout)
    found = [c["override"] for c in report["culprits"]]
    if sorted(found) != sorted(CULPRITS[k]):
        raise SystemExit(f"bisect {options} n={n} k={k} found {found}, planted {CULPRITS[k]}")
    return report, wall


def run(root: Path, n: int, k: int, jobs: int) -> dict[str, object]:
    options = ["--jobs", str(jobs)]
    report, wall = _timed_bisect(root, n, k, f"runs-{n}-{k}.db", options, ["examples/train.py"])
    return {
        "n": n,
        "k": k,
        "probes": report["probes"],
        "search_probes": report["probes"] - 2,  # GOOD and BAD themselves are probed first
        "bound": round(2 * k * math.log2(n), 1),
        "one_at_a_time": n,
        "wall_s": round(wall, 1),
        "s_per_probe": round(wall / report["probes"], 2),
    }


PW_BAD = (
    "encoder=schnet features=ca_bb optimiser=adamw scheduler=plateau trainer=cpu seed=1 "
    "num_workers=4 name=bisect optimiser.optimizer.lr=0.0005 encoder.cutoff=5.0 "
    "features.edge_types=[knn_16,eps_8] callbacks.early_stopping.patience=3"
)
#: (label, tree, config dir, config name, GOOD/BAD args, probe args, {k: planted condition})
REAL = [
    (
        "ProteinWorkshop",
        "a-r-j__ProteinWorkshop",
        "proteinworkshop/config",
        "train",
        ["train", "train", "-b", PW_BAD],
        [],
        {
            1: "cfg.optimiser.optimizer.lr == 0.0005",
            2: "cfg.scheduler.get('scheduler') is not None "
            "and cfg.optimiser.optimizer.lr == 0.0005",
        },
    ),
    (
        "safari",
        "HazyResearch__safari",
        "configs",
        "config.yaml",
        ["good.yaml", "bad.yaml"],
        ["experiment=lra/long-conv-lra-cifar"],
        {
            1: "cfg.model.norm == 'batch'",
            2: "cfg.model.norm == 'batch' and cfg.loader.batch_size == 16",
        },
    ),
]


def run_real(dest: Path, jobs: int) -> list[dict[str, object]]:
    rows = []
    for label, name, config_dir, config_name, sides, probe_args, planted in REAL:
        t = corpus.tree(name)
        root = corpus.project(t, config_dir, dest)
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        for var in ("RUNS_PATH", "ROOT_DIR", "DATA_PATH"):  # ProteinWorkshop's env/default.yaml
            env[var] = str(dest / "runs")
        if label == "safari":
            for file, experiment in (
                ("good.yaml", probe_args[0]),
                ("bad.yaml", "experiment=lra/long-conv-lra-imdb"),
            ):
                out = subprocess.run(
                    [sys.executable, "-m", "confman", "compose", "config", experiment],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                (root / file).write_text(out.stdout)
        for k, fail in planted.items():
            corpus.hydra_app(root, config_dir, config_name, t.version_base, fail)
            env["CONFMAN_STORE"] = f"sqlite:///{root / f'runs-{k}.db'}"
            command = [sys.executable, "-m", "confman", "bisect", *sides, "--jobs", str(jobs)]
            command += ["--format", "json", "--", sys.executable, "probe.py", *probe_args]
            start = time.perf_counter()
            done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"bisect {label} k={k} failed: {done.stderr.strip()}")
            report = json.loads(done.stdout)
            n = report["changes"]
            rows.append(
                {
                    "tree": label,
                    "n": n,
                    "k": k,
                    "culprits": [c["override"] for c in report["culprits"]],
                    "probes": report["probes"],
                    "search_probes": report["probes"] - 2,
                    "bound": round(2 * k * math.log2(n), 1),
                    "wall_s": round(wall, 1),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


#: label -> (confman bisect options, what follows the probed script)
WAYS = {
    "subprocess --jobs 1": (["--jobs", "1"], []),
    "subprocess --jobs 2": (["--jobs", "2"], []),
    "launcher basic": (["--launcher"], []),
    "launcher joblib n_jobs=2": (
        ["--launcher"],
        ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
    ),
}


def run_ways(root: Path, n: int, k: int, rounds: int) -> list[dict[str, object]]:
    """Every way of running probes, ``rounds`` times interleaved, on one case."""
    walls: dict[str, list[float]] = {label: [] for label in WAYS}
    probes: dict[str, int] = {}
    for number in range(rounds):
        for label, (options, after) in WAYS.items():
            slug = label.replace(" ", "-").replace("=", "")
            probe = ["examples/train_app.py", *after, "output.dir=${hydra:runtime.output_dir}"]
            store = f"ways-{n}-{k}-{slug}-{number}.db"
            report, wall = _timed_bisect(root, n, k, store, options, probe)
            walls[label].append(wall)
            probes[label] = report["probes"]
            row = {"way": label, "n": n, "k": k, "round": number, "probes": report["probes"]}
            print(json.dumps({**row, "wall_s": round(wall, 2)}), flush=True)
    base = statistics.median(walls["subprocess --jobs 1"])
    return [
        {
            "way": label,
            "n": n,
            "k": k,
            "probes": probes[label],
            "wall_s": round(statistics.median(walls[label]), 1),
            "runs": [round(w, 1) for w in walls[label]],
            "ratio": round(statistics.median(walls[label]) / base, 2),
        }
        for label in WAYS
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--realworld", action="store_true", help="bisect two corpus trees")
    parser.add_argument("--launcher", action="store_true", help="subprocess vs launcher probes")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --launcher")
    args = parser.parse_args()
    if args.launcher:
        with tempfile.TemporaryDirectory(prefix="confman-bench-bisect-") as tmp:
            root = _project(Path(tmp))
            ways = [
                row for k in args.k for n in args.n for row in run_ways(root, n, k, args.rounds)
            ]
        print("\n| n | k | probes run | way | wall s (median) | runs | x --jobs 1 |")
        print("|---|---|---|---|---|---|---|")
        for r in ways:
            runs = ", ".join(str(w) for w in r["runs"])  # type: ignore[attr-defined]
            print(
                f"| {r['n']} | {r['k']} | {r['probes']} | {r['way']} | {r['wall_s']} | {runs} "
                f"| {r['ratio']} |"
            )
        return
    if args.realworld:
        with tempfile.TemporaryDirectory(prefix="confman-bench-bisect-") as tmp:
            real = run_real(Path(tmp), 1)  # probes sharing Hydra's run dir: one at a time
        print("\n| tree | n | k | culprits | probes (search + GOOD/BAD) | 2·k·log2(n) | wall s |")
        print("|---|---|---|---|---|---|---|")
        for r in real:
            found = " ".join(f"`{c}`" for c in r["culprits"])  # type: ignore[attr-defined]
            print(
                f"| {r['tree']} | {r['n']} | {r['k']} | {found} | {r['search_probes']} + 2 "
                f"| {r['bound']} | {r['wall_s']} |"
            )
        return
    if max(args.n) > len(HARMLESS) or not set(args.k) <= set(CULPRITS):
        raise SystemExit(f"n at most {len(HARMLESS)}, k in {sorted(CULPRITS)}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="confman-bench-bisect-") as tmp:
        root = _project(Path(tmp))
        for k in args.k:
            for n in args.n:
                row = run(root, n, k, args.jobs)
                print(json.dumps(row), flush=True)
                rows.append(row)
    print("\n| n | k | probes (search + GOOD/BAD) | 2·k·log2(n) | one at a time | wall s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']} | {r['k']} | {r['search_probes']} + 2 | {r['bound']} "
            f"| {r['one_at_a_time']} | {r['wall_s']} |"
        )


if __name__ == "__main__":
    main()
