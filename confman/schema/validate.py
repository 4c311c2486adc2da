"""Validate a composed config (or one option file) against a schema, errors at file:line.

pydantic does the validation; confman adds where each bad value came from. A pydantic error
``loc`` is mapped onto the config data (union tags and model names in ``loc`` that are not keys
are skipped), then onto provenance: the winning write's file:line, or the CLI override.

Unknown keys are errors unless the model opts out: a model that does not set ``extra`` in its
``model_config`` is treated as ``extra="forbid"`` (pydantic's own default, ``ignore``, would let a
typo like ``lr_rate`` through silently). A model that sets ``extra="allow"`` or ``"ignore"``
explicitly keeps its choice.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import (
    InterpolationResolutionError,
    InterpolationToMissingValueError,
    UnsupportedInterpolationType,
)
from pydantic import BaseModel, ValidationError

from confman.errors import did_you_mean
from confman.provenance import show_value
from confman.schema.binding import type_adapter

__all__ = [
    "ABSENT",
    "ENV_HINT",
    "HYDRA_RUN_HINT",
    "HYDRA_RUN_MESSAGE",
    "MISSING_MESSAGE",
    "REGISTER_HINT",
    "Issue",
    "Locator",
    "check",
    "resolve_data",
    "sort_issues",
]

MISSING = "???"
MISSING_MESSAGE = "missing value (???)"
REGISTER_HINT = "register it in [tool.confman.resolvers]"
ENV_HINT = "set it to check the values that read it"
HYDRA_RUN_MESSAGE = "${hydra:...} resolves only while Hydra runs the app"
HYDRA_RUN_HINT = "its value comes from the run's own Hydra config"
_MISSING_TARGET = re.compile(r"Missing mandatory value: (\S+)")
_RESOLVER = re.compile(r"Unsupported interpolation type (\S+)")
_ENV = re.compile(r"Environment variable '([^']+)' not found")

# Maps a dotted data path to (file, line, location text); the file is None for overrides.
Locator = Callable[[str], tuple[str | None, int | None, str]]


@dataclass(frozen=True)
class Issue:
    """One validation problem.

    Attributes:
        path: dotted key path in the config (``optimizer.lr``, ``trainer.devices[0]``).
        message: what was expected (pydantic's message, or "unknown key").
        found: the offending value as written (``None`` for a missing key).
        location: ``file:line`` or ``override 'a=1'`` of the write that set the bad value.
        file: file relative to the config dir (None for overrides and unknown origin).
        line: 1-based line in ``file``.
        hint: did-you-mean for unknown keys, or what to do.
        unchecked: the value depends on what only the run provides (a resolver not registered
            in this process, an environment variable not set here): it is not checked, a note
            (the message says why), unless the caller is strict (then an issue).
    """

    path: str
    message: str
    found: Any
    location: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None
    unchecked: bool = False

    @property
    def missing(self) -> bool:
        """A ``???`` value, or an interpolation of one: an error, unless the code fills it at
        run time (``--allow-missing``)."""
        return self.message == MISSING_MESSAGE

    def text(self, *, location: bool = True) -> str:
        """One line: ``file:line: key: message (found ...) hint`` (location optional)."""
        found = "" if self.found is _ABSENT else f" (found {show_value(self.found)})"
        hint = f"; {self.hint}" if self.hint else ""
        path = f"{self.path}: " if self.path else ""
        where = f"{self.location}: " if location else ""
        return f"{where}{path}{self.message}{found}{hint}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "message": self.message,
            "found": None if self.found is _ABSENT else _jsonable(self.found),
            "location": self.location,
            "file": self.file,
            "line": self.line,
            "hint": self.hint,
        }


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()
_ABSENT = ABSENT


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File issues by file then line; override and unknown-origin issues after them."""
    return sorted(issues, key=lambda i: (i.file is None, i.file or i.location, i.line or 0, i.path))


def resolve_data(cfg: DictConfig, locate: Locator) -> tuple[dict[str, Any], list[Issue]]:
    """The config as plain data with interpolations resolved where they can be.

    ``???`` values, and interpolations of one, are left out of the data (so a default can't
    hide them) and reported as missing. A value calling a resolver that is not registered, or
    reading an environment variable that is not set, is kept as its raw text with an
    ``unchecked`` issue saying which.
    Another interpolation that cannot resolve is reported and kept as its raw text.
    """
    issues: list[Issue] = []
    try:  # fast path: OmegaConf resolves everything in one C-heavy pass
        plain = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    except Exception:  # a broken interpolation somewhere: walk key by key to name it
        plain = None
    if isinstance(plain, dict):
        return _drop_missing(plain, "", locate, issues), issues

    def walk(node: DictConfig | ListConfig, prefix: str) -> Any:
        if isinstance(node, ListConfig):
            keys: list[Any] = list(range(len(node)))
        else:
            keys = list(node.keys())
        out: Any = [] if isinstance(node, ListConfig) else {}
        for key in keys:
            path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}{key}"
            leaf = path.split("[", 1)[0]
            child = node._get_node(key)
            if OmegaConf.is_missing(node, key):
                issues.append(_missing_issue(path, leaf, locate))
                continue
            try:
                value = node[key]
            except Exception as exc:  # OmegaConf raises several types for a broken interpolation
                raw = child._value() if child is not None and not isinstance(child, list) else None
                issue = _unresolved_issue(path, leaf, raw, exc, locate)
                issues.append(issue)
                if issue.missing:
                    continue
                value = raw
            if isinstance(value, DictConfig | ListConfig):
                sep = "" if isinstance(value, ListConfig) else "."
                value = walk(value, f"{path}{sep}")
            if isinstance(out, list):
                out.append(value)
            else:
                out[key] = value
        return out

    data = walk(cfg, "")
    return data, issues


def _unresolved_issue(path: str, leaf: str, raw: Any, exc: Exception, locate: Locator) -> Issue:
    """The issue for a value that does not resolve, by why: an interpolation of a ``???`` is
    a missing value (the code fills the target at run time, then it resolves); a resolver not
    registered here, an environment variable not set here, or ``${hydra:...}`` leaves the
    value unchecked (the run registers, sets or fills it); anything else is a broken
    interpolation."""
    file, line, where = locate(leaf)
    msg = str(exc).split("\n")[0]
    if isinstance(exc, InterpolationToMissingValueError):
        target = _MISSING_TARGET.search(msg)
        what = f"'{target.group(1)}'" if target else "its target"
        hint = f"{what} is ???: set it in a config file or with an override"
        return Issue(path, MISSING_MESSAGE, raw, where, file, line, hint)
    resolver = _RESOLVER.search(msg) if isinstance(exc, UnsupportedInterpolationType) else None
    name = resolver.group(1).strip("'") if resolver else None
    if name == "hydra" or "HydraConfig was not set" in msg:
        # registered by Hydra itself, but it answers only inside a run Hydra starts
        hint = HYDRA_RUN_HINT
        return Issue(path, HYDRA_RUN_MESSAGE, raw, where, file, line, hint, unchecked=True)
    if name:
        message = f"resolver '{name}' is not registered"
        return Issue(path, message, raw, where, file, line, REGISTER_HINT, unchecked=True)
    env = _ENV.search(msg) if isinstance(exc, InterpolationResolutionError) else None
    if env:
        message = f"environment variable '{env.group(1)}' is not set"
        return Issue(path, message, raw, where, file, line, ENV_HINT, unchecked=True)
    return Issue(path, f"cannot resolve interpolation: {msg}", raw, where, file, line)


def _missing_issue(path: str, leaf: str, locate: Locator) -> Issue:
    """The issue for a ``???`` value, located where the ``???`` was written."""
    file, line, where = locate(leaf)
    return Issue(
        path,
        MISSING_MESSAGE,
        _ABSENT,
        where,
        file,
        line,
        "set it in a config file or with an override",
    )


def _drop_missing(data: Any, prefix: str, locate: Locator, issues: list[Issue]) -> Any:
    """Remove ``???`` values (left in place by ``throw_on_missing=False``), reporting each."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            path = f"{prefix}{key}"
            if value == MISSING:
                issues.append(_missing_issue(path, _leaf(path), locate))
                continue
            out[key] = _drop_missing(value, f"{path}.", locate, issues)
        return out
    if isinstance(data, list):
        return [
            _drop_missing(v, f"{prefix.rstrip('.')}[{i}].", locate, issues)
            for i, v in enumerate(data)
        ]
    return data


def check(
    data: dict[str, Any],
    schema: Any,
    locate: Locator,
    *,
    prefix: str = "",
    skip: Callable[[Any], bool] | None = None,
    allow_missing: bool = False,
) -> tuple[Any | None, list[Issue]]:
    """Validate ``data`` against ``schema``; return the instance (None on failure) and issues.

    Args:
        data: plain data (the config, or the node a group schema describes).
        schema: a pydantic model class or annotated union.
        locate: maps a dotted path (with ``prefix``) to its file:line.
        prefix: path of ``data`` inside the composed config (``optimizer.`` for a group).
        skip: drop errors whose input satisfies this (e.g. unresolved interpolations).
        allow_missing: a ``???`` value is no issue (the code fills it at run time); by default
            it is one, worded as for a composed config, whoever calls.
    """
    missing: list[Issue] = []
    data = _drop_missing(data, prefix, locate, missing)
    missing_paths = {i.path for i in missing}
    issues: list[Issue] = [] if allow_missing else missing
    instance: Any = None
    try:
        instance = type_adapter(schema).validate_python(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["type"] == "extra_forbidden":
                continue  # reported with a did-you-mean by _unknown_keys below
            path = _data_path(data, err["loc"])
            found = err.get("input", _ABSENT) if err["type"] != "missing" else _ABSENT
            if skip is not None and found is not _ABSENT and skip(found):
                continue
            full = f"{prefix}{path}" if path else prefix.rstrip(".")
            if full in missing_paths:
                continue  # "Field required" for a ``???``: said once, above, or allowed
            file, line, where = locate(_leaf(full))
            issues.append(Issue(full or "<root>", err["msg"], found, where, file, line))
    for path, name, fields in _unknown_keys(data, schema, ""):
        full = f"{prefix}{path}"
        file, line, where = locate(_leaf(full))
        hint = did_you_mean(name, fields) or f"known keys: {', '.join(sorted(fields))}"
        issues.append(Issue(full, "unknown key", _ABSENT, where, file, line, hint))
        instance = None
    return instance, issues


def _leaf(path: str) -> str:
    """Provenance keys stop at lists (Hydra merges a list as one value)."""
    return path.split("[", 1)[0]


def _data_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """Map a pydantic ``loc`` onto keys that exist in ``data`` (union tags are skipped)."""
    path = ""
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path = f"{path}.{part}" if path else str(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path = f"{path}[{part}]"
            node = node[part]
        elif isinstance(node, dict) and i == len(loc) - 1 and isinstance(part, str):
            path = f"{path}.{part}" if path else part  # the missing key itself
        # otherwise a union tag / model name: not part of the data
    return path


def _fields(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    names |= {f.alias for f in model.model_fields.values() if f.alias}
    names |= {
        f.validation_alias
        for f in model.model_fields.values()
        if isinstance(f.validation_alias, str)
    }
    return names


def _unknown_keys(data: Any, tp: Any, path: str) -> Iterator[tuple[str, str, set[str]]]:
    """Yield (path, key, known fields) for keys no model field takes, where extra is forbidden."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        yield from _unknown_keys(data, typing.get_args(tp)[0], path)
        return
    if origin in (typing.Union, types.UnionType):
        model = _pick_member(data, [a for a in typing.get_args(tp) if a is not type(None)])
        if model is not None:
            yield from _unknown_keys(data, model, path)
        return
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if not isinstance(data, dict):
            return
        fields = _fields(tp)
        forbid = tp.model_config.get("extra") in (None, "forbid")
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in fields:
                if forbid:
                    yield sub, str(key), fields
                continue
            info = tp.model_fields.get(str(key)) or next(
                (f for f in tp.model_fields.values() if key in (f.alias, f.validation_alias)),
                None,
            )
            if info is not None:
                yield from _unknown_keys(value, info.annotation, sub)
        return
    args = typing.get_args(tp)
    if origin in (list, tuple, set, frozenset) and isinstance(data, list) and args:
        for i, item in enumerate(data):
            item_tp = (
                args[i] if origin is tuple and i < len(args) and args[-1] is not ... else args[0]
            )
            yield from _unknown_keys(item, item_tp, f"{path}[{i}]")
    elif origin is dict and isinstance(data, dict) and len(args) == 2:
        for key, value in data.items():
            yield from _unknown_keys(value, args[1], f"{path}.{key}" if path else str(key))


def _pick_member(data: Any, members: list[Any]) -> Any:
    """The union member ``data`` is meant for: by a Literal discriminator value, else the model
    whose fields cover most of the keys."""
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if not models or not isinstance(data, dict):
        return None
    for model in models:
        for name, info in model.model_fields.items():
            key = info.alias or name  # ``_target_`` is a field's alias: no field takes "_"
            if (
                typing.get_origin(info.annotation) is typing.Literal
                and key in data
                and data[key] in typing.get_args(info.annotation)
            ):
                return model
    return max(models, key=lambda m: len(set(data) & _fields(m)))
