"""Validation entry points: a composed config, a group's option file, a saved file.

Each returns every issue at once, sorted by file and line, so a user fixes a config in one pass.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from confman.compose import Composed, compose
from confman.errors import ConfmanError, SchemaError, ValidationFailed
from confman.provenance import Write
from confman.schema.binding import Binding, Bindings, load_bindings
from confman.schema.validate import Issue, Locator, check, resolve_data, sort_issues
from confman.settings import Settings, load_settings
from confman.yamlsource import load_yaml_file, parse_yaml

__all__ = [
    "Validated",
    "group_nodes",
    "load",
    "load_config",
    "locator",
    "read_data",
    "validate_composed",
    "validate_option_file",
]

M = TypeVar("M", bound=BaseModel)


@dataclass
class Validated:
    """The outcome of validating one config.

    Attributes:
        target: what was validated (``train`` plus overrides, or an option file).
        instance: the schema instance for the whole primary config (None if it failed or none).
        issues: every problem, sorted by file and line.
        composed: the composition, when a primary config was composed.
        unchecked: values that depend on what only the run provides (a resolver not registered
            here, an environment variable not set here), which could not be checked (notes, not
            issues: each is an issue only when validating strictly).
    """

    target: str
    instance: Any = None
    issues: list[Issue] = field(default_factory=list)
    composed: Composed | None = None
    unchecked: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def locator(provenance: Callable[[], dict[str, tuple[Write, ...]]]) -> Locator:
    """Map a dotted path to the write that set it; for a missing key, the file of its parent.

    ``provenance`` is called on the first lookup only: a valid config never pays for it.
    """

    def locate(path: str) -> tuple[str | None, int | None, str]:
        prov = provenance()
        probe = path
        while probe:
            history = prov.get(probe)
            if history:
                w = history[-1]
                return (w.file if w.kind == "file" else None, w.line, w.location)
            prefix = f"{probe}."
            child = next((v for k, v in prov.items() if k.startswith(prefix)), None)
            if child:
                w = child[-1]
                if w.kind == "file" and w.file:
                    return w.file, None, w.file
                return None, None, w.location
            probe = probe.rpartition(".")[0]
        return None, None, "<composed config>"

    return locate


def group_nodes(composed: Composed, bindings: Bindings) -> list[tuple[Binding, str]]:
    """Bound groups chosen in ``composed``, with the config path their option lands at."""
    out = []
    for key, choice in composed.choices.items():
        group = key.split("@", 1)[0]
        binding = bindings.groups.get(group)
        # A ``_global_`` option (an experiment) adjusts the whole config: the primary config's
        # schema judges the result; the group schema judges the file on its own (--all-options).
        if binding is not None and choice.option is not None and choice.package:
            out.append((binding, choice.package))
    return out


def validate_composed(
    composed: Composed,
    schema: Any | None = None,
    bindings: Bindings | None = None,
    *,
    allow_missing: bool = False,
    strict: bool = False,
) -> Validated:
    """Validate a composed config against ``schema`` (the whole config) and against the schema
    of every bound group it selects (each group's node), errors mapped via provenance.

    ``allow_missing``: a ``???`` value, or an interpolation of one, is no issue (the code fills
    it at run time). A value made by a resolver that is not registered here, or reading an
    environment variable not set here (the run provides them), cannot be checked: it is a note
    in ``unchecked``, or with ``strict`` an issue."""
    locate = locator(lambda: composed.provenance)
    data, issues = resolve_data(composed.config, locate)
    reported = len(issues)
    instance = None
    if schema is not None:
        instance, found = check(data, schema, locate)
        issues += found
    elif bindings is not None:
        for binding, package in group_nodes(composed, bindings):
            node: Any = data
            for part in [p for p in package.split(".") if p]:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                continue
            prefix = f"{package}." if package else ""
            _, found = check(node, binding.schema, locate, prefix=prefix)
            issues += found
    # A ``???`` or broken interpolation is reported once, not again as pydantic's "missing".
    first = {i.path for i in issues[:reported]}
    issues = issues[:reported] + [i for i in issues[reported:] if i.path not in first]
    if allow_missing:
        issues = [i for i in issues if not i.missing]
    unchecked = [] if strict else [i for i in issues if i.unchecked]
    unique = {(i.path, i.message): i for i in issues if strict or not i.unchecked}
    label = " ".join([composed.config_name or "<empty>", *composed.overrides])
    return Validated(
        label, instance, sort_issues(list(unique.values())), composed, sort_issues(unchecked)
    )


def _is_interpolation(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def validate_option_file(
    config_dir: Path, binding: Binding, path: Path, *, allow_missing: bool = False
) -> Validated:
    """Validate one option file of a bound group on its own (``--all-options``).

    Keys of the defaults list are dropped; values that are interpolations are not judged
    (they resolve only when composed, where ``confman validate NAME`` checks them).
    """
    rel = path.relative_to(config_dir).as_posix()
    parsed = load_yaml_file(path, name=rel)
    data = parsed.data if isinstance(parsed.data, dict) else {}
    data = {k: v for k, v in data.items() if k != "defaults"}

    def locate(key: str) -> tuple[str | None, int | None, str]:
        probe = key
        while probe:
            line = parsed.lines.get(probe)
            if line is not None:
                return rel, line, f"{rel}:{line}"
            probe = probe.rpartition(".")[0]
        return rel, None, rel

    _, issues = check(
        data, binding.schema, locate, skip=_is_interpolation, allow_missing=allow_missing
    )
    return Validated(rel, None, sort_issues(issues))


def read_data(path: Path) -> Any:
    """Read a JSON, TOML or YAML file (by suffix) as plain data; YAML through the safe loader."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfmanError(f"cannot read {path}: {exc.strerror}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(text)
        if suffix == ".toml":
            return tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfmanError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from exc
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, name=str(path)).data
    raise ConfmanError(f"{path}: unknown format '{suffix}'", hint="use .json, .toml or .yaml")


def read_with_locator(path: Path) -> tuple[Any, Locator]:
    """A data file's contents, and a locator giving the file:line of a key (nearest parent key
    with a line; JSON and TOML have no line marks, so their keys point at the file)."""
    lines: dict[str, int] = {}
    if path.suffix.lower() in (".yaml", ".yml"):
        parsed = load_yaml_file(path, name=str(path))
        data, lines = parsed.data, parsed.lines
    else:
        data = read_data(path)

    def locate(key: str) -> tuple[str | None, int | None, str]:
        probe = key
        while probe:
            if probe in lines:
                return str(path), lines[probe], f"{path}:{lines[probe]}"
            probe = probe.rpartition(".")[0]
        return str(path), None, str(path)

    return data, locate


def load(path: str | Path, schema: type[M]) -> M:
    """Load a YAML/JSON/TOML file (e.g. a saved run config) into ``schema``.

    Raises:
        ValidationFailed: every issue, with the file:line of YAML keys.
    """
    source = Path(path)
    data, locate = read_with_locator(source)
    instance, issues = check(data if isinstance(data, dict) else {}, schema, locate)
    if issues or instance is None:
        raise _failed(str(source), sort_issues(issues))
    assert isinstance(instance, schema)
    return instance


def _failed(target: str, issues: list[Issue]) -> ValidationFailed:
    lines = "\n  ".join(i.text() for i in issues)
    return ValidationFailed(
        f"{target} does not match its schema ({len(issues)} issue(s)):\n  {lines}",
        list(issues),
    )


def typed_compose(
    config_name: str | None, overrides: Sequence[str], schema: Any, **kwargs: Any
) -> Any:
    """Compose and validate against ``schema``; raise ``ValidationFailed`` with every issue."""
    composed = compose(config_name, overrides, **kwargs)
    result = validate_composed(composed, schema, strict=True)
    if result.issues or result.instance is None:
        raise _failed(result.target, result.issues)
    return result.instance


def load_config(
    config_name: str,
    overrides: Sequence[str] = (),
    *,
    schema: type[M] | None = None,
    settings: Settings | None = None,
) -> Any:
    """Compose ``config_name`` and return it as its schema instance.

    With ``schema`` the result is that model; without, the model bound to ``config_name`` in
    ``[tool.confman.schemas]``.

    Raises:
        SchemaError: no schema given and none bound.
        ValidationFailed: the config does not match.
    """
    settings = settings or load_settings()
    if schema is None:
        binding = load_bindings(settings).configs.get(config_name)
        if binding is None:
            raise SchemaError(
                f"no schema bound to '{config_name}'",
                hint=f'add {config_name} = "module:Model" to [tool.confman.schemas] '
                "or pass schema=",
            )
        schema = binding.schema
    return typed_compose(
        config_name,
        overrides,
        schema,
        config_dir=settings.config_dir,
        version_base=settings.version_base,
    )
