"""``confman schema infer``: pydantic models of an existing tree, from all of its options.

What is observed, so that ``confman validate --all-options`` passes on the tree it came from:

* every option file of every group, as written (defaults list dropped), which is what
  ``--all-options`` validates each file against;
* each primary config composed with its defaults, with each option of each group it selects
  swapped in, and with each option of each experiment-like group added; as ``validate`` sees
  them (interpolations resolved), the primary as a whole and each group's node at its package.

A value made by a resolver that is not registered here (or reading an environment variable not
set here) stays as written: it is typed from the other values seen at its place, else ``Any``
with a comment saying why. The models are then checked the way ``validate`` checks them
(``???`` allowed, such values noted); a
primary whose default composition still fails (a broken interpolation) is written but not
bound, and the reason is reported.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from confman.compose import Composed, compose
from confman.errors import ConfmanError
from confman.lint.reachable import experiment_like_groups
from confman.lint.signatures import SignatureFinder
from confman.schema.binding import Binding
from confman.schema.codegen import ModelWriter, class_name
from confman.schema.shape import Shape
from confman.schema.validate import resolve_data
from confman.settings import Settings
from confman.yamlsource import load_yaml_file

__all__ = ["Inferred", "infer_schemas"]

#: Compositions made in all (each primary's defaults, then options swapped in, shared out
#: between the primaries); option files and default compositions are always all observed.
MAX_COMPOSITIONS = 400


@dataclass
class Inferred:
    """What ``schema infer`` wrote and bound.

    Attributes:
        source: the generated module's text.
        bindings: ``[tool.confman.schemas]`` entries: key -> ``module:Model``.
        unbound: primaries and groups written but not bound, with the reason.
        needs_allow_missing: bound primaries that pass only with ``--allow-missing``.
        compositions: how many compositions were observed.
        unresolved: why values could not resolve here (``resolver 'multiply' is not registered
            (register it in ...)``), each with the config paths of those values (typed from
            their other observations, else ``Any``).
    """

    source: str
    bindings: dict[str, str] = field(default_factory=dict)
    unbound: dict[str, str] = field(default_factory=dict)
    needs_allow_missing: list[str] = field(default_factory=list)
    compositions: int = 0
    unresolved: dict[str, set[str]] = field(default_factory=dict)


def _no_locate(path: str) -> tuple[str | None, int | None, str]:
    return None, None, path


def _option_data(path: Path, config_dir: Path) -> Any:
    parsed = load_yaml_file(path, name=path.relative_to(config_dir).as_posix())
    data = parsed.data if isinstance(parsed.data, dict) else {}
    return {k: v for k, v in data.items() if k != "defaults"}


def _groups(config_dir: Path) -> dict[str, list[Path]]:
    """Every folder holding option files, by group path (Hydra's own ``hydra/`` left out)."""
    out: dict[str, list[Path]] = {}
    for folder in sorted(p for p in config_dir.rglob("*") if p.is_dir()):
        key = folder.relative_to(config_dir).as_posix()
        if key == "hydra" or key.startswith("hydra/"):
            continue
        files = sorted(folder.glob("*.yaml"))
        if files and not (config_dir / f"{key}.yaml").is_file():
            out[key] = files
    return out


def _variants(settings: Settings, base: Composed, budget: int) -> list[list[str]]:
    """Override lists: each option of each chosen group swapped in, each experiment added."""
    options = {k: [p.stem for p in files] for k, files in _groups(settings.config_dir).items()}
    experiments = experiment_like_groups(settings.config_dir)
    options.update(experiments)  # an experiment group's options include nested folders'
    out: list[list[str]] = []
    for key, choice in base.choices.items():
        group = key.split("@", 1)[0]
        if group not in options or isinstance(choice.option, list) or choice.option is None:
            continue
        out += [[f"{key}={option}"] for option in options[group] if option != choice.option]
    chosen = {k.split("@", 1)[0] for k in base.choices}
    for group, names in experiments.items():
        if group not in chosen and "/" not in group:
            out += [[f"+{group}={option}"] for option in names]
    return out[: max(budget - 1, 0)]


def _compose(settings: Settings, name: str, overrides: list[str]) -> Composed | None:
    try:
        return compose(
            name, overrides, config_dir=settings.config_dir, version_base=settings.version_base
        )
    except ConfmanError:
        return None


def infer_schemas(
    settings: Settings, names: list[str] | None = None, *, module: str = "schemas.inferred"
) -> Inferred:
    """Observe the tree, write the models, and check them as ``validate`` will.

    Args:
        settings: the project (its config dir, version base and sources).
        names: primary configs to type (default: every top-level ``*.yaml``).
        module: the dotted module the bindings name.
    """
    config_dir = settings.config_dir
    groups = _groups(config_dir)
    group_shapes = {key: Shape() for key in groups}
    group_obs: dict[str, list[Any]] = {key: [] for key in groups}
    unbound: dict[str, str] = {}
    unresolved: dict[str, set[str]] = {}
    for key, files in list(groups.items()):
        try:
            options = [_option_data(path, config_dir) for path in files]
        except ConfmanError as exc:  # e.g. a W&B sweep file beside the options: not Hydra's
            unbound[key] = f"an option file cannot be read: {exc.message}"
            del groups[key], group_shapes[key], group_obs[key]
            continue
        for data in options:
            group_shapes[key].add(data)
            group_obs[key].append(data)
    primaries = names or sorted(p.stem for p in config_dir.glob("*.yaml"))
    primary_shapes: dict[str, Shape] = {}
    defaults: dict[str, Composed] = {}
    count = 0
    budget = max(20, MAX_COMPOSITIONS // max(len(primaries), 1))
    for name in primaries:
        base = _compose(settings, name, [])
        if base is None:
            try:
                compose(name, config_dir=config_dir, version_base=settings.version_base)
            except ConfmanError as exc:
                unbound[name] = f"does not compose: {exc.message}"
            continue
        defaults[name] = base
        shape = primary_shapes[name] = Shape()
        for composed in [base] + [
            c for o in _variants(settings, base, budget) if (c := _compose(settings, name, o))
        ]:
            count += 1
            data, found = resolve_data(composed.config, _no_locate)
            made = [(i.path, f"{i.message} ({i.hint})") for i in found if i.unchecked]
            shape.add(data)
            for path, cause in made:
                shape.mark_unresolved(path, cause)
                unresolved.setdefault(cause, set()).add(path)
            for key, choice in composed.choices.items():
                group = key.split("@", 1)[0]
                node = shape.at(choice.package) if choice.package else None
                if group not in group_shapes or node is None or choice.option is None:
                    continue
                value = _at(data, choice.package)
                if isinstance(value, dict):
                    group_shapes[group].add(value)
                    group_obs[group].append(value)
                    node.groups.add(group)
                    node.grouped += 1
                    prefix = f"{choice.package}."
                    for path, cause in made:
                        if path.startswith(prefix):
                            group_shapes[group].mark_unresolved(path[len(prefix) :], cause)
    roots = [settings.root, *(settings.root / s for s in _src(settings))]
    writer = ModelWriter(SignatureFinder(roots))
    for key in sorted(groups):
        writer.group_types[key] = writer.group(key, group_shapes[key], group_obs[key])
    models: dict[str, str] = {}
    for name, shape in primary_shapes.items():
        doc = f"The primary config '{name}' ({name}.yaml), as composed."
        title = class_name(name)
        title = title if title.lower().endswith("config") else f"{title}Config"
        models[name] = writer.model(shape, title, doc=doc)
    source = _module_text(writer, settings)
    result = Inferred(source, unbound=unbound, compositions=count, unresolved=unresolved)
    result.bindings = {key: f"{module}:{writer.group_types[key]}" for key in sorted(groups)}
    for name in sorted(models):
        result.bindings[name] = f"{module}:{models[name]}"
    _verify(result, settings, defaults, groups)
    return result


def _src(settings: Settings) -> list[str]:
    lint = settings.raw.get("lint", {})
    src = lint.get("src") if isinstance(lint, dict) else None
    return [s for s in src if isinstance(s, str)] if isinstance(src, list) else []


def _at(data: Any, package: str) -> Any:
    for part in package.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _module_text(writer: ModelWriter, settings: Settings) -> str:
    body = "".join(f"\n\n{block}" for block in writer.classes)

    def used(*names: str) -> str:
        return ", ".join(n for n in names if re.search(rf"\b{n}\b", body))

    typing_names = used("Annotated", "Any", "Literal")
    header = (
        f'"""Pydantic models of the Hydra config tree {settings.config_dir.name}/, written by\n'
        "``confman schema infer`` from every option file and composition of it.\n\n"
        "Edit freely: tighten types, add constraints and docs. Running infer again overwrites\n"
        'this file.\n"""\n\n'
        "from __future__ import annotations\n\n"
        + (f"from typing import {typing_names}\n\n" if typing_names else "")
        + f"from pydantic import {used('BaseModel', 'ConfigDict', 'Field')}\n"
    )
    return _formatted(header + body)


def _formatted(text: str) -> str:
    """The module through ``ruff format`` when ruff is installed (long unions wrapped)."""
    ruff = shutil.which("ruff")
    if ruff is None:
        return text
    try:
        done = subprocess.run(
            [ruff, "format", "--isolated", "--line-length", "100", "-"],
            input=text,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return text
    return done.stdout if done.returncode == 0 and done.stdout else text


def _load(source: str) -> Any:
    """Execute the generated module under a private name (the check must not import the
    project's copy under its real name before the user binds it).

    The module is never registered in ``sys.modules``, where pydantic looks up a model's module
    to resolve its string annotations; each model is rebuilt against the module's own namespace
    instead.
    """
    spec = importlib.util.spec_from_loader("_confman_inferred_check", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, "<inferred>", "exec"), module.__dict__)
    for value in list(vars(module).values()):
        if isinstance(value, type) and issubclass(value, BaseModel):
            if value.__module__ != module.__name__:
                continue  # BaseModel itself, imported by the module
            value.model_rebuild(force=True, _types_namespace=vars(module))
    return module


def _verify(
    result: Inferred,
    settings: Settings,
    defaults: dict[str, Composed],
    groups: dict[str, list[Path]],
) -> None:
    """Drop bindings ``validate --all-options`` would fail on, saying why."""
    from confman.schema.api import validate_composed, validate_option_file

    module = _load(result.source)
    for key, files in groups.items():
        schema = getattr(module, result.bindings[key].rpartition(":")[2])
        binding = Binding(key, "group", result.bindings[key], schema)
        for path in files:
            checked = validate_option_file(settings.config_dir, binding, path, allow_missing=True)
            if checked.issues:
                result.unbound[key] = f"{checked.target}: {checked.issues[0].text()}"
                del result.bindings[key]
                break
            strict = validate_option_file(settings.config_dir, binding, path)
            if strict.issues and key not in result.needs_allow_missing:
                result.needs_allow_missing.append(key)
    for name, composed in defaults.items():
        schema = getattr(module, result.bindings[name].rpartition(":")[2])
        lenient = validate_composed(composed, schema, allow_missing=True)
        if lenient.issues:
            result.unbound[name] = lenient.issues[0].text()
            del result.bindings[name]
        elif validate_composed(composed, schema).issues:
            result.needs_allow_missing.append(name)
