"""``confman bisect GOOD BAD -- COMMAND...``: which changed setting made a run go bad."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer

from confman.cli.app import EXIT_OK, user_errors

__all__ = ["register"]

BISECT_HELP = """Find the setting(s) that turn a good run bad: the overrides from GOOD to BAD
(as `confman diff --format overrides` prints them) are appended to COMMAND in subsets, and delta
debugging narrows them to the smallest set whose presence makes the outcome bad.

GOOD and BAD are runs (@latest~1, an id prefix), files or config names (as for `confman diff`).
A probe is judged by its exit code (bad: the exit code BAD gives), or with --metric KEY
--threshold X by the last number COMMAND prints after KEY. Every probe is recorded in the run
store (config `bisect`, the bisect id as sweep id); running the same bisect again resumes.

With --launcher, COMMAND (a Hydra app) runs once as a multirun with confman's sweeper
(hydra/sweeper=confman_bisect), which sends the probes to the app's own Hydra launcher: joblib
runs a split's two probes at once, submitit sends them to SLURM. A probe fails when its job
fails or calls sys.exit(n != 0); --metric reads the task function's return value (a number, or
a mapping holding KEY).

Examples:

confman bisect train train -b 'seed=1 trainer.cv_folds=3' -- python examples/train.py

confman bisect @latest~1 @latest -j 2 --metric accuracy --threshold 0.9 -- python train.py

confman bisect train train -b 'seed=1' --launcher -- python app.py hydra/launcher=joblib
"""


def _split(values: list[str] | None) -> list[str]:
    return [word for value in values or [] for word in shlex.split(value)]


def register(app: typer.Typer) -> None:
    """Add ``bisect`` to the app."""

    @app.command("bisect", help=BISECT_HELP)
    def bisect_command(
        good: Annotated[str, typer.Argument(metavar="GOOD", show_default=False)],
        bad: Annotated[str, typer.Argument(metavar="BAD", show_default=False)],
        command: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="-- COMMAND...", help="The command to probe.", show_default=False
            ),
        ] = None,
        good_overrides: Annotated[
            list[str] | None, typer.Option("--a", "-a", help="Hydra overrides for GOOD.")
        ] = None,
        bad_overrides: Annotated[
            list[str] | None, typer.Option("--b", "-b", help="Hydra overrides for BAD.")
        ] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Probes run at once.")] = 1,
        metric: Annotated[
            str | None, typer.Option("--metric", help="Judge by this number COMMAND prints.")
        ] = None,
        threshold: Annotated[
            float | None, typer.Option("--threshold", help="Bad when the metric is below it.")
        ] = None,
        lower_is_better: Annotated[
            bool, typer.Option("--lower-is-better", help="Bad when the metric is above it.")
        ] = False,
        timeout: Annotated[
            float | None, typer.Option("--timeout", help="Seconds per probe (then: unresolved).")
        ] = None,
        launcher: Annotated[
            bool,
            typer.Option(
                "--launcher",
                help="Run the probes as jobs of COMMAND's Hydra launcher (one multirun).",
            ),
        ] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
        config_dir: Annotated[
            Path | None,
            typer.Option("--config-dir", "-c", help="Hydra config tree.", show_default=False),
        ] = None,
    ) -> None:
        from confman.bisect import Judge, bisect, load_sides
        from confman.errors import ConfmanError
        from confman.settings import load_settings

        with user_errors():
            if not command:
                raise ConfmanError(
                    "no command to probe",
                    hint="write it after --: confman bisect A B -- python train.py",
                )
            if fmt not in ("terminal", "json"):
                raise ConfmanError(f"unknown format '{fmt}'", hint="use terminal or json")
            if (metric is None) != (threshold is None):
                raise ConfmanError("--metric and --threshold go together")
            if jobs < 1:
                raise ConfmanError("--jobs must be at least 1")
            if launcher and (jobs != 1 or timeout is not None):
                raise ConfmanError(
                    "--jobs and --timeout are for subprocess probes, not --launcher",
                    hint="the launcher's own settings decide: hydra.launcher.n_jobs=2 (joblib), "
                    "hydra.launcher.timeout_min (submitit)",
                )
            settings = load_settings(config_dir=config_dir)
            side_a, side_b = load_sides(
                good,
                bad,
                good_overrides=_split(good_overrides),
                bad_overrides=_split(bad_overrides),
                config_dir=config_dir,
            )
            result = bisect(
                side_a,
                side_b,
                command,
                settings,
                judge=Judge(metric, threshold, lower_is_better),
                jobs=jobs,
                timeout=timeout,
                launcher=launcher,
            )
        if fmt == "json":
            typer.echo(json.dumps(result.to_json(), indent=2, default=str))
            raise typer.Exit(EXIT_OK)
        for c in result.culprits:
            good_at, bad_at = c.good_source or "?", c.bad_source or "?"
            where = f"  (GOOD {c.old!r} at {good_at}; BAD {c.new!r} at {bad_at})"
            typer.echo(f"culprit: {c.override}{where}")
        data = result.to_json()
        typer.echo(
            f"{data['probes']} probes ({data['probes_reused']} reused from the store) over "
            f"{result.changes} changes; bisect {result.id}",
            err=True,
        )
