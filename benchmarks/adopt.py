"""Adoption on the real-world corpus: ``confman init`` -> ``schema infer --bind`` ->
``validate --all-options``, per config dir that composes with plain Hydra, timed.

    python benchmarks/adopt.py [TREE ...]

Each tree is copied to a temporary folder (the shared copy is never written). For each config
dir with a composing case in the manifest, the copy gets a fresh ``confman init --yes`` (with
``--config-dir`` for all but the one init picks), then ``confman schema infer --bind``, then
``confman validate --all-options`` (and, when that fails only on ``???`` values the code fills,
``--allow-missing``). Each step is one process, timed once (wall clock). A JSON line per run
goes to stdout; the table for benchmarks/RESULTS.md is printed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

import corpus  # the test corpus helpers

CONFMAN = [sys.executable, "-m", "confman"]


def run(args: list[str], cwd: Path) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [*CONFMAN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def composing_dirs(tree: corpus.Tree) -> list[str]:
    return sorted({c["config_dir"] for c in tree.cases if c["composes"]})


def adopt(tree: corpus.Tree, dest: Path) -> list[dict[str, object]]:
    root = dest / tree.name
    shutil.copytree(tree.path, root, symlinks=True)
    for folder, _, _ in os.walk(root):
        os.chmod(folder, 0o755)
    rows = []
    for i, config_dir in enumerate(composing_dirs(tree)):
        (root / "pyproject.toml").unlink(missing_ok=True)
        shutil.rmtree(root / "schemas", ignore_errors=True)
        code, t_init, out = run(["init", "--yes"], root)
        chosen = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["confman"]
        if chosen["config_dir"] != config_dir:
            (root / "pyproject.toml").unlink()
            code, t_init, out = run(["init", "--yes", "--config-dir", config_dir], root)
        row: dict[str, object] = {"tree": tree.name, "config_dir": config_dir, "init": t_init}
        row["picked_by_init"] = chosen["config_dir"] == config_dir
        code, t_infer, out = run(["schema", "infer", "--bind"], root)
        row["infer"] = t_infer
        row["infer_rc"] = code
        row["infer_out"] = out.strip().splitlines()[-6:]
        if code == 0:
            code, t_val, out = run(["validate", "--all-options"], root)
            row["validate"] = t_val
            row["validate_rc"] = code
            row["validate_out"] = out.strip().splitlines()[-1:]
            if code == 1:
                code2, _, out2 = run(["validate", "--all-options", "--allow-missing"], root)
                row["allow_missing_rc"] = code2
                row["allow_missing_out"] = out2.strip().splitlines()[-1:]
        rows.append(row)
        print(json.dumps(row), flush=True)
        if i == 0 and not row["picked_by_init"]:
            row["note"] = "init picked another dir"
    return rows


def main() -> None:
    wanted = set(sys.argv[1:])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tree in corpus.trees():
            if wanted and tree.name not in wanted:
                continue
            rows += adopt(tree, Path(tmp))
    print("\n| tree | config dir | init s | infer s | validate s | result |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if r.get("infer_rc") != 0:
            result = "infer failed"
        elif r.get("validate_rc") == 0:
            result = "passes"
        elif r.get("allow_missing_rc") == 0:
            result = "passes with --allow-missing"
        else:
            result = f"fails: {(r.get('validate_out') or [''])[0]}"
        print(
            f"| {r['tree']} | {r['config_dir']} | {r['init']:.1f} | {r['infer']:.1f} | "
            f"{r.get('validate', 0):.1f} | {result} |"
        )


if __name__ == "__main__":
    main()
