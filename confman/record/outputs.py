"""Hydra's own files in a job's output folders, rewritten with every secret as its marker.

Hydra writes ``<output_dir>/.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml`` for each
job (``hydra.core.utils.run_job``, after configuring the job's logging and before any callback's
``on_job_start`` or the task function runs) and, for a multirun, ``<sweep_dir>/multirun.yaml``
(the sweeper, before it launches the first job). They hold the config and the command-line
overrides as given: every secret in clear, whatever the launcher.

confman cannot make Hydra write them differently without changing what Hydra composes, so the
first thing a job does under ``@confman.main`` or ``confman.hydra.RecordRun`` is rewrite them:
each file is read back (safe YAML), redacted by ``confman.secrets`` and replaced atomically (a
temporary file, then a rename), so a reader sees either Hydra's file or the redacted one. The
rewrite is idempotent (a marker stays the same marker), so concurrent jobs of one sweep may all
rewrite ``multirun.yaml``. What remains is the moment between Hydra's write and the job's start:
a sweep waiting in a SLURM queue keeps Hydra's ``multirun.yaml`` until its first job starts
(``@confman.main`` also rewrites it when the sweep returns). Secrets that must never touch the
disk belong in the environment (``${oc.env:DB_PASSWORD}``): Hydra's files then hold only the
interpolation.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from confman.record.recorder import warn
from confman.secrets import Scrubber, redact, redact_override, redact_text
from confman.settings import load_settings

__all__ = [
    "learn_project_paths",
    "protect_job",
    "redact_hydra_node",
    "redact_hydra_outputs",
    "redact_sweep_file",
    "redact_sweep_outputs",
    "secret_in_output_dir",
]

#: the files ``run_job`` writes into ``<output_dir>/<hydra.output_subdir>``
JOB_FILES = ("config.yaml", "hydra.yaml", "overrides.yaml")
SWEEP_FILE = "multirun.yaml"


def redact_hydra_node(node: Any, secret_paths: Iterable[str] = ()) -> Any:
    """Hydra's own ``hydra`` node with secrets replaced.

    Key names and credential shapes as in any config (``job.env_set.WANDB_API_KEY``); the
    ``overrides`` lists one override at a time (a sweep's ``a,b`` is one value); every other
    string as free text where each secret override is first replaced whole, since Hydra builds
    some strings by joining the overrides with commas (``job.override_dirname``, and run
    folders that interpolate it).
    """
    paths = tuple(secret_paths)
    lists = node.get("overrides") if isinstance(node, dict) else None
    lists = lists if isinstance(lists, dict) else {}
    shown_lists = {
        name: [redact_override(str(o), secret_paths=paths) for o in items]
        if isinstance(items, list)
        else items
        for name, items in lists.items()
    }
    replaced = {
        str(o): r
        for name, items in lists.items()
        if isinstance(items, list)
        for o, r in zip(items, shown_lists[name], strict=True)
        if str(o) != r
    }
    shown = _texts(redact(node, secret_paths=()), paths, sorted(replaced.items(), reverse=True))
    if lists and isinstance(shown, dict):
        shown["overrides"] = shown_lists
    return shown


def _texts(data: Any, paths: tuple[str, ...], replaced: list[tuple[str, str]]) -> Any:
    if isinstance(data, dict):
        return {name: _texts(value, paths, replaced) for name, value in data.items()}
    if isinstance(data, list):
        return [_texts(value, paths, replaced) for value in data]
    if isinstance(data, str):
        for clear, hidden in replaced:
            data = data.replace(clear, hidden)
        return redact_text(data, secret_paths=paths)
    return data


def _redact_file(name: str, data: Any, paths: tuple[str, ...]) -> Any:
    if name == "overrides.yaml" and isinstance(data, list):
        return [redact_override(str(o), secret_paths=paths) for o in data]
    if not isinstance(data, dict):
        return redact(data, secret_paths=paths)
    # hydra.yaml is the ``hydra`` node alone; multirun.yaml the job's config with it
    out = redact({k: v for k, v in data.items() if k != "hydra"}, secret_paths=paths)
    if "hydra" in data:
        out["hydra"] = redact_hydra_node(data["hydra"], paths)
    return out


def _rewrite(path: Path, paths: tuple[str, ...]) -> bool:
    """Replace ``path`` by its redacted form when that differs; True when it was rewritten."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return False
    try:
        data = OmegaConf.to_container(OmegaConf.create(text), resolve=False)
    except (yaml.YAMLError, OmegaConfBaseException, ValueError):
        # half written by another job sharing this run dir (two launched in the same second):
        # that job rewrites its own file once written, so there is nothing to do here
        return False
    shown = OmegaConf.to_yaml(OmegaConf.create(_redact_file(path.name, data, paths)))
    if shown == text:
        return False
    temporary = path.with_name(f".{path.name}.{os.getpid()}.confman")
    try:
        temporary.write_text(shown, encoding="utf-8")
        with contextlib.suppress(OSError):
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def redact_sweep_file(sweep_dir: str | os.PathLike[str], secret_paths: Iterable[str] = ()) -> bool:
    """Rewrite ``<sweep_dir>/multirun.yaml`` with markers; True when it held a secret."""
    return _rewrite(Path(sweep_dir) / SWEEP_FILE, tuple(secret_paths))


def _sweep_dir(hydra: Any) -> Path:
    """The sweep folder (``hydra.sweep.dir`` is relative to where the command was started)."""
    return Path(str(hydra.runtime.cwd)) / str(hydra.sweep.dir)


def redact_hydra_outputs(hydra: Any, secret_paths: Iterable[str] = ()) -> list[Path]:
    """Rewrite the current job's Hydra files (and its sweep's ``multirun.yaml``) with markers.

    Args:
        hydra: the job's ``hydra`` node (``HydraConfig.get()``).
        secret_paths: keys secret whatever their name (``SecretStr`` fields).

    Returns:
        The files that held a secret and were rewritten.
    """
    paths = tuple(secret_paths)
    rewritten: list[Path] = []
    output_dir = hydra.runtime.get("output_dir")
    if output_dir and hydra.get("output_subdir") is not None:
        folder = Path(str(output_dir)) / str(hydra.output_subdir)
        rewritten += [folder / n for n in JOB_FILES if _rewrite(folder / n, paths)]
    if str(hydra.mode) == "RunMode.MULTIRUN":
        sweep_dir = _sweep_dir(hydra)
        if redact_sweep_file(sweep_dir, paths):
            rewritten.append(sweep_dir / SWEEP_FILE)
    return rewritten


def secret_in_output_dir(hydra: Any, secret_paths: Iterable[str] = ()) -> bool:
    """Whether the job's output folder's own name holds a secret (``override_dirname`` in it)."""
    output_dir = str(hydra.runtime.get("output_dir") or "")
    return redact_text(output_dir, secret_paths=tuple(secret_paths)) != output_dir


def learn_project_paths(scrub: Scrubber, hydra: Any) -> None:
    """Teach ``scrub`` the ``SecretStr`` paths of the models the project's pyproject binds."""
    try:
        settings = load_settings(Path(str(hydra.runtime.cwd)))
        from confman.schema.binding import bound_secret_paths  # import confman.record stays light

        scrub.add_paths(bound_secret_paths(settings, hydra.job.config_name))
    except Exception:  # no or broken pyproject: the built-in rules still apply
        return


def protect_job(config: DictConfig, scrub: Scrubber) -> None:
    """The first step of a job under confman: teach ``scrub`` the job's secrets (the paths the
    project's schemas mark ``SecretStr``, the values its config hides) and rewrite Hydra's files.

    Never raises: this protects a run, it must not stop one (a failure is one warning line).
    """
    try:
        hydra = HydraConfig.get()
        learn_project_paths(scrub, hydra)
        try:
            data = OmegaConf.to_container(config, resolve=True)
        except Exception:  # an interpolation that only fails at use: the raw values then
            data = OmegaConf.to_container(config, resolve=False)
        if isinstance(data, dict):
            data.pop("hydra", None)
        scrub.learn_config(data)
        redact_hydra_outputs(hydra, scrub.secret_paths)
        if secret_in_output_dir(hydra, scrub.secret_paths):
            warn(
                "this job's output folder name holds a secret from an override: list the key "
                "in hydra.job.config.override_dirname.exclude_keys"
            )
    except Exception as exc:
        warn(f"Hydra's output files not checked for secrets: {scrub(str(exc))}")


def redact_sweep_outputs(scrub: Scrubber) -> None:
    """After a multirun returns in the launching process: rewrite its ``multirun.yaml`` (the
    jobs did when they started; a sweep whose jobs never started leaves it to this)."""
    try:
        if not HydraConfig.initialized():
            return
        hydra = HydraConfig.get()
        if str(hydra.mode) == "RunMode.MULTIRUN":
            redact_sweep_file(_sweep_dir(hydra), scrub.secret_paths)
    except Exception as exc:
        warn(f"{SWEEP_FILE} not checked for secrets: {scrub(str(exc))}")
