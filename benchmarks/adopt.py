"""Adoption on the real-world corpus: ``confman init`` -> ``schema infer --bind`` ->
``validate --all-options``, per config dir that composes with plain Hydra, timed.

    python benchmarks/adopt.py [TREE ...]

Each tree is copied to a temporary folder (the shared copy is never written). For each config
dir with a composing case in the manifest, the copy gets a fresh ``confman init --yes`` (with
``--config-dir`` for all but the one init picks), then ``confman schema infer --bind``, then
``confman validate --all-options`` (and, when that fails, ``--allow-missing``: the row says how
many ``???`` values, written or behind an interpolation, are left for the code to fill, and
which unregistered resolvers' values were not checked). Each step is one process, timed once
(wall clock). A JSON line per run goes to stdout; the table for benchmarks/RESULTS.md and the
primaries and groups infer left unbound (with the reason) are printed at the end.
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
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

import corpus  # the test corpus helpers

CONFMAN = [sys.executable, "-m", "confman"]


def run(args: list[str], cwd: Path) -> tuple[int, float, str]:
    """Exit code, wall time, and stdout then stderr (JSON on stdout is read up to its end)."""
    start = time.perf_counter()
    done = subprocess.run(
        [*CONFMAN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    return done.returncode, time.perf_counter() - start, done.stdout + "\n" + done.stderr


def composing_dirs(tree: corpus.Tree) -> list[str]:
    return sorted({c["config_dir"] for c in tree.cases if c["composes"]})


def adopt(tree: corpus.Tree, dest: Path) -> list[dict[str, Any]]:
    root = dest / tree.name
    shutil.copytree(tree.path, root, symlinks=True)
    for folder, _, _ in os.walk(root):
        os.chmod(folder, 0o755)
    rows = []
    for config_dir in composing_dirs(tree):
        (root / "pyproject.toml").unlink(missing_ok=True)
        shutil.rmtree(root / "schemas", ignore_errors=True)
        code, t_init, out = run(["init", "--yes"], root)
        chosen = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["confman"]
        if chosen["config_dir"] != config_dir:
            (root / "pyproject.toml").unlink()
            code, t_init, out = run(["init", "--yes", "--config-dir", config_dir], root)
        row: dict[str, Any] = {"tree": tree.name, "config_dir": config_dir, "init": t_init}
        row["picked_by_init"] = chosen["config_dir"] == config_dir
        code, t_infer, out = run(["schema", "infer", "--bind"], root)
        row["infer"] = t_infer
        row["infer_rc"] = code
        row["not_bound"] = [
            line.removeprefix("not bound: ") for line in out.splitlines() if "not bound: " in line
        ]
        row["infer_out"] = out.strip().splitlines()[-6:]
        if code == 0:
            code, t_val, out = run(["validate", "--all-options", "--format", "json"], root)
            row["validate"] = t_val
            row["validate_rc"] = code
            row.update(_summary(out, code))
            if code == 1:
                code2, _, out2 = run(["validate", "--all-options", "--allow-missing"], root)
                row["allow_missing_rc"] = code2
                row["allow_missing_out"] = out2.strip().splitlines()[-3:]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _summary(out: str, code: int) -> dict[str, object]:
    """What ``validate --format json`` found: the ``???`` (direct or through an interpolation)
    per file, other issues, and the resolvers whose values were not checked."""
    if code not in (0, 1):
        return {"validate_out": out.strip().splitlines()[-2:]}
    report, _ = json.JSONDecoder().raw_decode(out)
    missing: dict[str, int] = {}
    other: list[str] = []
    for result in report["results"]:
        for issue in result["issues"]:
            if issue["message"] == "missing value (???)":
                where = issue["file"] or issue["location"]
                missing[where] = missing.get(where, 0) + 1
            else:
                other.append(f"{result['target']}: {issue['path']}: {issue['message']}")
    return {
        "checked": report["points"],
        "missing": missing,
        "other_issues": other,
        "not_checked": {
            r["message"].removeprefix("not checked: "): len(r["values"])
            for r in report["not_checked"]
        },
    }


def result_text(r: dict[str, Any]) -> str:
    if r.get("infer_rc") != 0:
        return f"infer failed: {r['infer_out'][-1:]}"
    if r.get("validate_rc") == 0:
        text = "passes"
    elif r.get("allow_missing_rc") == 0 and not r.get("other_issues"):
        missing = cast(dict[str, int], r["missing"])
        text = (
            f"passes with --allow-missing ({sum(missing.values())} `???` in {len(missing)} file(s))"
        )
    else:
        found = r.get("other_issues") or r.get("validate_out") or [""]
        return f"fails: {found[0]}"
    if r.get("not_checked"):
        text += "; not checked: " + ", ".join(
            f"{n} value(s), {cause}" for cause, n in r["not_checked"].items()
        )
    if r.get("not_bound"):
        text += f"; {len(r['not_bound'])} not bound"
    return text


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
        print(
            f"| {r['tree']} | {r['config_dir']} | {r['init']:.1f} | {r['infer']:.1f} | "
            f"{r.get('validate', 0):.1f} | {result_text(r)} |"
        )
    print("\nNot bound:")
    for r in rows:
        for line in r.get("not_bound", []):
            print(f"- {r['tree']} {r['config_dir']}: {line}")


if __name__ == "__main__":
    main()
