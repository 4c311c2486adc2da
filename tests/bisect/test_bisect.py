"""``confman bisect`` for real: the example training job, a planted break among harmless changes."""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.bisect.ddmin import minimize
from confman.cli import app
from confman.store import open_store

REPO = Path(__file__).resolve().parents[2]

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
]
#: Training fails (exit 1) only when both are applied: accuracy is checked against 0.99.
BREAKING = ["evaluation.thresholds.min_accuracy=0.99", "evaluation.thresholds.fail_below=true"]


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for folder in ("conf", "examples", "schemas"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    return root


@pytest.mark.parametrize("k", [1, 2, 3])
def test_minimize_stays_within_two_k_log_n(k: int) -> None:
    for n in (8, 40, 100):
        culprits = set(range(1, n, n // k)[:k])
        calls: list[tuple[int, ...]] = []

        def test(
            batch: list[tuple[int, ...]],
            calls: list[tuple[int, ...]] = calls,
            bad: set[int] = culprits,
        ) -> list[str]:
            calls.extend(batch)
            return ["bad" if bad <= set(s) else "good" for s in batch]

        assert set(minimize(n, test)) == culprits  # type: ignore[arg-type]
        assert len(calls) <= 2 * k * math.log2(n)


def test_finds_the_planted_break_in_the_example_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    changes = HARMLESS[:5] + BREAKING[:1] + HARMLESS[5:] + BREAKING[1:]
    result = runner.invoke(
        app,
        [
            "bisect",
            "train",
            "train",
            "-b",
            " ".join(changes),
            # one probe at a time: the example job writes its model and metrics to output.dir
            # (outputs/${name}), one folder for every probe, and two probes writing the same
            # files at once can fail one of them (a Hydra app's probes get output folders of
            # their own: tests/bisect/test_bisect_realworld.py runs those in parallel)
            "--jobs",
            "1",
            "--format",
            "json",
            "--",
            sys.executable,
            "examples/train.py",
        ],
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [c["override"] for c in report["culprits"]] == BREAKING
    assert report["culprits"][0]["good_source"] == "train.yaml:47"
    n, k = len(changes), 2
    assert report["changes"] == n
    # the two end points (GOOD, BAD) plus the search
    assert report["probes"] <= 2 + 2 * k * math.log2(n)
    with open_store() as store:
        probes = [r for r in store.query(config_name="bisect") if r.sweep_id == report["id"]]
    assert len(probes) == report["probes"]
    assert {r.status for r in probes} == {"completed", "failed"}


def test_an_interrupted_bisect_resumes_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    (root / "judge.py").write_text(
        "import sys\nsys.exit(3 if 'logging.level=WARNING' in sys.argv else 0)\n"
    )
    args = [
        "bisect",
        "train",
        "train",
        "-b",
        " ".join(HARMLESS),
        "--format",
        "json",
        "--",
        sys.executable,
        "judge.py",
    ]
    first = json.loads(runner.invoke(app, args).stdout)
    assert [c["key"] for c in first["culprits"]] == ["logging.level"]
    with open_store() as store:  # the last three probes never finished
        assert store.delete(first["runs"][-3:]) == first["runs"][-3:]
    second = json.loads(runner.invoke(app, args).stdout)
    assert second["id"] == first["id"]
    assert second["culprits"] == first["culprits"]
    assert second["probes_run"] == 3
    assert second["probes_reused"] == first["probes"] - 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "train", "--", "true"], "are the same config: nothing to bisect"),
        (["train", "train", "-b", "seed=1"], "no command to probe"),
        (["train", "train", "-b", "seed=1", "--", "false"], "GOOD is not good"),
        (["train", "train", "-b", "seed=1", "--", "true"], "BAD is not bad"),
        (["train", "train", "-b", "seed=1", "--metric", "acc", "--", "true"], "go together"),
    ],
)
def test_bad_input_is_one_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(_project(tmp_path))
    result = runner.invoke(app, ["bisect", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "base", "expected"),
    [
        (["python", "train.py"], [], "hydra.run.dir=outputs/bisect/b1/"),
        (["python", "train.py", "-m"], [], "hydra.sweep.dir=outputs/bisect/b1/"),
        (["python", "-m", "pkg.train"], [], "hydra.run.dir=outputs/bisect/b1/"),
        (["python3.11", "-u", "-m", "pkg.train", "-m"], [], "hydra.sweep.dir=outputs/bisect/b1/"),
        (
            ["python", "-X", "dev", "train.py", "--multirun"],
            [],
            "hydra.sweep.dir=outputs/bisect/b1/",
        ),
        (["train-app", "-m"], [], "hydra.sweep.dir=outputs/bisect/b1/"),
        (["python", "train.py", "hydra.run.dir=out"], [], None),
        (["python", "train.py"], ["++hydra.run.dir=out"], None),
    ],
)
def test_each_probe_gets_its_own_output_folder(
    command: list[str], base: list[str], expected: str | None
) -> None:
    """Unless GOOD or the command names the folder, a probe's Hydra outputs go to a folder
    named by its changes (two probes started in the same second share Hydra's default one)."""
    from confman.bisect.processes import SubprocessProbes
    from confman.bisect.session import Judge

    probes = SubprocessProbes(command, base, Judge(), "b1", cwd=Path.cwd())
    one, other = probes.output_dir(("a=1",)), probes.output_dir(("a=2",))
    if expected is None:
        assert one == other == ()
    else:
        assert one[0].startswith(expected) and other[0].startswith(expected)
        assert one != other and one == probes.output_dir(("a=1",))
