"""``@confman.main``: ``hydra.main`` plus validation, access tracking and a run record.

Everything a Hydra user knows keeps working because Hydra does the work: command-line overrides,
``-m`` multirun, ``--cfg``, ``--info``, launcher and sweeper plugins. confman only wraps the task
function Hydra calls for each job.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, SecretStr, ValidationError

from confman.errors import ValidationFailed
from confman.migrate.argv import command_line
from confman.record.outputs import protect_job, redact_sweep_outputs
from confman.record.recorder import recorded, start_recording
from confman.secrets import RedactingStream, Scrubber, redact_at, redacted_logs, secret_fields
from confman.settings import load_settings
from confman.versionbase import UNSET, effective

__all__ = ["main", "secret_paths"]


def secret_paths(model: BaseModel, prefix: str = "") -> list[str]:
    """Dotted paths of every ``SecretStr`` value in a validated model (nested models included)."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, SecretStr):
            found.append(path)
        elif isinstance(value, BaseModel):
            found.extend(secret_paths(value, path))
    return found


def _validate(schema: type[BaseModel], data: dict[Any, Any]) -> BaseModel:
    """``schema.model_validate``; a failure names each key without printing a secret value."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = ".".join(str(part) for part in err["loc"])
            found = (
                "" if err["type"] == "missing" else f" (found {redact_at(path, err['input'])!r})"
            )
            problems.append(f"{path}: {err['msg']}{found}")
        # ``from None``: pydantic's own message prints every input value, secrets included.
        raise ValidationFailed(
            f"config does not match {schema.__name__}: " + "; ".join(problems), []
        ) from None


def _version_base(argument: Any, fn: Callable[..., Any]) -> str | None:
    """``version_base`` as ``hydra.main`` takes it, falling back on the project's setting."""
    if argument is not UNSET:
        return effective(argument, None)
    return effective(argument, load_settings(_folder(fn)).version_base)


def _folder(fn: Callable[..., Any]) -> Path:
    """The decorated function's folder: its project's pyproject is found from there."""
    try:
        return Path(inspect.getfile(fn)).resolve().parent
    except (TypeError, OSError):
        return Path.cwd()


def main(
    config_name: str | None = None,
    config_path: str | None = None,
    *,
    schema: type[BaseModel] | None = None,
    version_base: str | None = UNSET,
    record: bool = True,
    track_access: bool = True,
) -> Callable[[Callable[[Any], Any]], Callable[[], Any]]:
    """Decorate an entrypoint: compose with Hydra, validate, record the run, call the function.

    Args:
        config_name: primary config, as for ``hydra.main``.
        config_path: config folder relative to the decorated function's file, as for ``hydra.main``.
        schema: a pydantic model; the function then receives ``schema.model_validate(config)``.
        version_base: Hydra version base, as for ``hydra.main`` (``None``: the installed
            Hydra's); not given: ``[tool.confman] version_base`` of the function's project,
            else 1.3.
        record: write a run record to the configured store.
        track_access: hand the function a read-tracking view and record the keys it read
            (``confman.unwrap(cfg)`` returns the real object when a library needs it).

    Returns:
        A decorator; the decorated function takes no arguments (Hydra reads ``sys.argv``).
    """

    def decorator(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        # What the job prints, logs and leaves in Hydra's files goes through the secrets
        # module: the schema's SecretStr fields and, once a job starts, its config's values.
        scrub = Scrubber(secret_paths=secret_fields(schema) if schema else ())
        # The command line, set where the user started it: a launcher pickles ``task`` with
        # this cell, so a job in a submitit or joblib worker records the user's command.
        launch: dict[str, list[str]] = {}

        @functools.wraps(fn)
        def task(cfg: DictConfig) -> Any:
            protect_job(cfg, scrub)
            with redacted_logs(scrub):
                return _run(cfg)

        def _run(cfg: DictConfig) -> Any:
            obj: Any = cfg
            if schema is not None:
                data = OmegaConf.to_container(cfg, resolve=True)
                assert isinstance(data, dict)
                data.pop("hydra", None)
                obj = _validate(schema, data)
            secrets = secret_paths(obj) if isinstance(obj, BaseModel) else []
            recording = (
                start_recording(cfg, schema=schema, secret_paths=secrets, argv=launch.get("argv"))
                if record
                else None
            )
            with recorded(recording, obj, track_access=track_access) as view:
                return fn(view)

        hydra_main: Callable[[], Any] = hydra.main(
            config_path=config_path,
            config_name=config_name,
            version_base=_version_base(version_base, fn),
        )(task)

        @functools.wraps(hydra_main)
        def wrapped() -> Any:
            # Hydra prints a failing job's overrides (``db.password=...``) and the error to
            # stderr, and its launchers log each job's overrides: both are scrubbed first.
            launch["argv"] = list(sys.argv)
            stderr, argv = sys.stderr, sys.argv
            sys.stderr = RedactingStream(stderr, scrub)
            try:
                # old names of declared migrations are read as today's, with a warning
                sys.argv = [argv[0], *command_line(argv[1:], _folder(fn))]
                with redacted_logs(scrub):
                    return hydra_main()
            finally:
                sys.stderr, sys.argv = stderr, argv
                redact_sweep_outputs(scrub)

        return wrapped

    return decorator
