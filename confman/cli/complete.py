"""Shell completion of what a config tree holds: config names, groups, options, override keys.

Typer calls these while the user presses TAB, so they read the tree as files only: folder
listings and YAML through confman's safe loader, never Hydra's composition and never code. What
they offer is a fair guess (a key an option file sets, under the package of its group), not a
promise that the override composes; Hydra says so when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

__all__ = [
    "config_names",
    "explain_keys",
    "name_or_override",
    "override_words",
    "tree_words",
]

#: A completion reads at most this many YAML files, so TAB stays quick on a large tree.
_MAX_FILES = 200
_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)", re.M)


def _config_dir(ctx: typer.Context | None) -> Path | None:
    from confman.errors import ConfmanError
    from confman.settings import load_settings

    given = ctx.params.get("config_dir") if ctx is not None else None
    try:
        folder = load_settings(config_dir=given).config_dir
    except ConfmanError:
        return None
    return folder if folder.is_dir() else None


def _primaries(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def _groups(folder: Path) -> dict[str, list[str]]:
    """``{"model": ["mlp", "vit", "encoder/small"], "model/encoder": ["small"]}``: every
    folder holding options; an option in a subfolder is also an option of each folder above
    (Hydra takes ``experiment=pile/h3``)."""
    groups: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.yaml")):
        parts = path.relative_to(folder).with_suffix("").parts
        if len(parts) < 2 or parts[0].startswith((".", "hydra")):
            continue
        for cut in range(1, len(parts)):
            groups.setdefault("/".join(parts[:cut]), []).append("/".join(parts[cut:]))
    return groups


def _keys(path: Path, prefix: str) -> Iterator[str]:
    """The dotted keys one YAML file sets, under ``prefix`` (its package)."""
    from confman.errors import ConfmanError
    from confman.yamlsource import load_yaml_file

    try:
        parsed = load_yaml_file(path)
    except ConfmanError:
        return
    header = _PACKAGE.search(parsed.header_text)
    if header is not None:
        package = header.group(1)
        prefix = "" if package == "_global_" else prefix if package == "_group_" else package
    for key in parsed.lines:
        if not key.startswith("defaults") and "[" not in key:
            yield f"{prefix}.{key}" if prefix else key


def _all_keys(folder: Path, name: str | None) -> list[str]:
    files: list[tuple[Path, str]] = []
    primaries = [folder / f"{name}.yaml"] if name else sorted(folder.glob("*.yaml"))
    files += [(p, "") for p in primaries if p.is_file()]
    for group, options in _groups(folder).items():
        files += [
            (folder / group / f"{o}.yaml", group.replace("/", "."))
            for o in options
            if "/" not in o  # read once, under the group of its own folder
        ]
    keys: dict[str, None] = {}
    for path, prefix in files[:_MAX_FILES]:
        keys.update(dict.fromkeys(_keys(path, prefix)))
    return list(keys)


def _name(ctx: typer.Context) -> str | None:
    name = ctx.params.get("name")
    if isinstance(name, str) and "=" not in name:
        return name.partition("@")[0]
    return None


def config_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Primary config names (``train``, ``serve``) starting with what was typed."""
    folder = _config_dir(ctx)
    if folder is None:
        return []
    return [n for n in _primaries(folder) if n.startswith(incomplete)]


def override_words(ctx: typer.Context, incomplete: str) -> list[str]:
    """Overrides: ``group=`` then its options after the ``=``, and ``key=`` for the keys the
    tree's files set (with a ``+``/``++``/``~`` prefix kept as typed)."""
    folder = _config_dir(ctx)
    if folder is None:
        return []
    lead = incomplete[: len(incomplete) - len(incomplete.lstrip("+~"))]
    word = incomplete[len(lead) :]
    groups = _groups(folder)
    key, eq, value = word.partition("=")
    if eq:
        options = groups.get(key.split("@")[0], [])
        return [f"{lead}{key}={o}" for o in options if o.startswith(value)]
    suffix = "" if lead == "~" else "="
    words = [f"{lead}{g}{suffix}" for g in groups]
    words += [f"{lead}{k}{suffix}" for k in _all_keys(folder, _name(ctx))]
    return [w for w in dict.fromkeys(words) if w[len(lead) :].startswith(word)]


def tree_words(ctx: typer.Context, incomplete: str) -> list[str]:
    """For arguments that take a config name or an override: names, then overrides."""
    return config_names(ctx, incomplete) + override_words(ctx, incomplete)


def name_or_override(ctx: typer.Context, incomplete: str) -> list[str]:
    """A config name; an override when that is what is being typed (``compose`` takes the
    first override in the name's place)."""
    if incomplete.startswith(("+", "~")) or "=" in incomplete:
        return override_words(ctx, incomplete)
    return config_names(ctx, incomplete)


def explain_keys(ctx: typer.Context, incomplete: str) -> list[str]:
    """Dotted keys (and their parents, which explain shows as a subtree)."""
    folder = _config_dir(ctx)
    if folder is None:
        return []
    found: dict[str, Any] = {}
    for key in _all_keys(folder, _name(ctx)):
        parts = key.split(".")
        found.update(dict.fromkeys(".".join(parts[: i + 1]) for i in range(len(parts))))
    return [k for k in found if k.startswith(incomplete)]
