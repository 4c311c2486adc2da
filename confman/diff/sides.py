"""Load one side of a diff from what a user typed: a file, a composed config, or a config at a
git revision (``NAME@REV``).

How a spec is read, first match wins:

1. an existing path: a YAML or JSON file (a saved config, an export, Hydra's
   ``.hydra/config.yaml``), or a Hydra run directory (its ``.hydra/config.yaml``, with the group
   choices and overrides Hydra saved next to it);
2. a name ending in ``.yaml``/``.yml``/``.json``: a file that does not exist (an error);
3. ``NAME@REV``: config ``NAME`` composed from the config tree as it was at git revision ``REV``;
4. ``@latest``, ``@latest~N``: a recorded run from the run store;
5. ``NAME``: config ``NAME`` composed from the working tree; a word that names no config but
   is the prefix of a recorded run's id is that run (an ambiguous prefix lists candidates).

Per-side Hydra overrides (``--a``/``--b`` on the command line) apply to 3 and 4.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from confman.compose import Choice, Composed, compose
from confman.diff.gitrev import compose_at
from confman.diff.model import Side
from confman.diff.resolve import resolve_leaves
from confman.diff.runs import from_run, looks_like_run
from confman.diff.secrets import redact_override
from confman.errors import ConfmanError, DiffSideError
from confman.provenance import Write, iter_leaves
from confman.settings import load_settings
from confman.yamlsource import load_yaml_file

__all__ = ["from_composed", "from_file", "from_mapping", "load_side"]

FILE_SUFFIXES = (".yaml", ".yml", ".json")
_RUN_ID = re.compile(r"[0-9a-z]+")


def load_side(
    spec: str,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    resolve: bool = True,
) -> Side:
    """Load the side a user named (see the module docstring for how ``spec`` is read)."""
    path = Path(spec)
    if path.exists():
        if overrides:
            raise DiffSideError(
                f"overrides {' '.join(overrides)!r} given for file '{spec}'",
                hint="overrides apply to composed configs (NAME or NAME@REV), not files",
            )
        return from_file(path, resolve=resolve)
    settings = load_settings(config_dir=Path(config_dir) if config_dir else None)
    if looks_like_run(spec):
        _no_overrides(spec, overrides, "a recorded run")
        return from_run(spec, settings, resolve=resolve)
    name, at, rev = spec.partition("@")
    # A config may live in a subfolder (``configs/sam2.1/sam2.1_hiera_t``): a ``/`` alone does
    # not make a path when the tree has a config by that name.
    in_tree = (settings.config_dir / f"{name}.yaml").is_file()
    if spec.endswith(FILE_SUFFIXES) or ("/" in spec and not in_tree and not at):
        raise DiffSideError(f"file not found: {spec}")
    if not name:
        raise DiffSideError(
            f"'{spec}' names no config",
            hint="write NAME, NAME@REV, a file path, or a run (once runs are recorded)",
        )
    if at:
        composed = compose_at(name, overrides, settings, rev)
        return from_composed(composed, resolve=resolve, label=_label(spec, overrides))
    if not in_tree and _RUN_ID.fullmatch(name):
        # Not a config of the tree: an id prefix of a recorded run, if one matches.
        try:
            side = from_run(spec, settings, resolve=resolve)
        except DiffSideError as exc:
            if "ambiguous" in exc.message:
                raise
        else:
            _no_overrides(spec, overrides, "a recorded run")
            return side
    composed = compose(
        name, overrides, config_dir=settings.config_dir, version_base=settings.version_base
    )
    return from_composed(composed, resolve=resolve, label=_label(spec, overrides))


def _no_overrides(spec: str, overrides: Sequence[str], what: str) -> None:
    if overrides:
        raise DiffSideError(
            f"overrides {' '.join(overrides)!r} given for '{spec}', {what}",
            hint="overrides apply to composed configs (NAME or NAME@REV)",
        )


def _label(spec: str, overrides: Sequence[str]) -> str:
    shown = " ".join(redact_override(o) for o in overrides)
    return f"{spec} {shown}" if overrides else spec


def from_composed(composed: Composed, *, resolve: bool = True, label: str | None = None) -> Side:
    """A side from a ``confman.compose`` result, with its provenance and group choices."""
    config, unresolved = resolve_leaves(composed.config, resolve)
    return Side(
        label=label or composed.config_name or "<composed>",
        config=config,
        provenance=composed.provenance,
        choices=dict(composed.choices),
        overrides=composed.overrides,
        kind="composed",
        unresolved=unresolved,
    )


def from_mapping(data: Mapping[str, Any], *, label: str = "<dict>", resolve: bool = True) -> Side:
    """A side from plain data (no provenance)."""
    config, unresolved = resolve_leaves(dict(data), resolve)
    return Side(label=label, config=config, kind="mapping", unresolved=unresolved)


def from_file(path: Path, *, resolve: bool = True) -> Side:
    """A side from a YAML/JSON file or a Hydra run directory.

    Raises:
        DiffSideError: unreadable, not a mapping, or a directory without ``.hydra/config.yaml``.
    """
    label = str(path)
    if path.is_dir():
        inner = path / ".hydra" / "config.yaml"
        if not inner.is_file():
            raise DiffSideError(
                f"{path} is a directory without .hydra/config.yaml",
                hint="pass a config file, or a Hydra run directory",
            )
        path = inner
    data, lines = _read(path, label)
    # A run dir's values come from its saved config file: name the file, not the folder.
    shown = str(path)
    provenance: dict[str, tuple[Write, ...]] = {
        leaf: (Write(value=value, file=shown, line=lines.get(leaf)),)
        for leaf, value in iter_leaves(data)
    }
    choices, overrides = _hydra_run_info(path)
    config, unresolved = resolve_leaves(data, resolve)
    return Side(
        label=label,
        config=config,
        provenance=provenance,
        choices=choices,
        overrides=overrides,
        kind="file",
        unresolved=unresolved,
    )


def _read(path: Path, label: str) -> tuple[dict[str, Any], dict[str, int]]:
    lines: dict[str, int] = {}
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DiffSideError(f"{label}: cannot read file: {exc.strerror}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DiffSideError(f"{label}: not valid JSON: {exc}") from exc
    else:
        try:
            parsed = load_yaml_file(path, name=label)
        except ConfmanError as exc:
            raise DiffSideError(exc.message, hint=exc.hint) from exc
        data, lines = parsed.data, parsed.lines
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DiffSideError(
            f"{label}: top level is a {type(data).__name__}, not a mapping",
            hint="a config file holds key: value pairs at the top level",
        )
    return data, lines


def _hydra_run_info(config_file: Path) -> tuple[dict[str, Choice], tuple[str, ...]]:
    """Group choices and overrides Hydra saved next to a run's ``.hydra/config.yaml``."""
    folder = config_file.parent
    if folder.name != ".hydra" or not (folder / "hydra.yaml").is_file():
        return {}, ()
    try:
        hydra = load_yaml_file(folder / "hydra.yaml").data
    except ConfmanError:
        return {}, ()
    runtime = (hydra or {}).get("hydra", {}).get("runtime", {}) if isinstance(hydra, dict) else {}
    raw = runtime.get("choices", {}) if isinstance(runtime, dict) else {}
    where = f"{folder / 'hydra.yaml'}"
    choices = {
        # Hydra's default package for an option of group ``a/b`` is ``a.b``.
        g: Choice(group=g, option=o, package=g.split("@")[0].replace("/", "."), chosen_by=where)
        for g, o in (raw.items() if isinstance(raw, dict) else ())
        if not (g == "hydra" or g.startswith("hydra/"))
    }
    overrides: tuple[str, ...] = ()
    task = (hydra or {}).get("hydra", {}).get("overrides", {}).get("task")
    if isinstance(task, list):
        overrides = tuple(str(o) for o in task)
    return choices, overrides
