"""Hydra's resolved defaults tree as plain nodes, and who chose each group option (file:line).

Shared by both composition paths: the tree and the choices come from Hydra's own defaults list.
"""

from __future__ import annotations

import copy
import posixpath
from typing import Any

from hydra._internal.config_repository import CachingConfigRepository
from hydra._internal.defaults_list import DefaultsList
from hydra.core.default_element import (
    DefaultsTreeNode,
    GroupDefault,
    InputDefault,
    VirtualRoot,
)
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from hydra.plugins.config_source import ConfigResult

from confman.compose.model import Choice, DefaultsNode
from confman.sources import loaded_file

__all__ = ["describe_defaults"]


def describe_defaults(
    defaults: DefaultsList, parsed: list[Override], repo: CachingConfigRepository
) -> tuple[DefaultsNode, dict[str, Choice]]:
    """Convert Hydra's defaults tree into plain nodes, and say who chose each group option."""
    meta = defaults.overrides.override_metadata
    cli = {o.get_key_element(): o.input_line for o in parsed if o.input_line is not None}
    choices: dict[str, Choice] = {}
    memo: dict[tuple[Any, ...], _Placed] = {}

    def chosen_by(node: InputDefault, parent: str | None) -> str | None:
        if not isinstance(node, GroupDefault):
            return None
        key = node.get_override_key()
        if node.is_external_append():
            return f"override '{cli.get('+' + key, '+' + key)}'"
        info = meta.get(key)
        if info is not None and info.used:
            if info.external_override:
                return f"override '{cli.get(key, key)}'"
            where = _defaults_line(repo, info.containing_config_path, node, memo)
            return f"{where} via 'override /{node.get_group_path()}'"
        return _defaults_line(repo, parent, node, memo)

    def convert(tree: DefaultsTreeNode | InputDefault, parent: str | None) -> DefaultsNode:
        node = tree.node if isinstance(tree, DefaultsTreeNode) else tree
        kids = tree.children if isinstance(tree, DefaultsTreeNode) else None
        path = None if node.is_self() else node.get_config_path()
        by = chosen_by(node, parent)
        if (
            isinstance(node, GroupDefault)
            and not node.is_deleted()
            and not _is_hydra_group(node.get_group_path())
        ):
            key = node.get_override_key()
            choices[key] = Choice(
                group=key,
                option=_option(node),
                package=node.get_final_package(),
                chosen_by=by or "",
            )
        label = _label(node)
        children = tuple(
            convert(child, path) for child in kids or [] if not _is_hydra_group(_group_of(child))
        )
        return DefaultsNode(
            label=label,
            config_path=path,
            package=None
            if node.is_self() or isinstance(node, VirtualRoot)
            else (node.get_final_package()),
            chosen_by=by,
            children=children,
        )

    tree = convert(defaults.defaults_tree, None)
    # Hydra also reports the option of an ``optional`` group whose file does not exist; such a
    # group has no node in the tree, so it is added here from Hydra's own record of choices.
    for key, option in defaults.overrides.known_choices.items():
        if key in choices or _is_hydra_group(key.split("@", 1)[0]):
            continue
        info = meta.get(key)
        if info is not None and info.external_override:
            by = f"override '{cli.get(key, key)}'"
        else:
            by = "optional, no such option"
        choices[key] = Choice(group=key, option=option, package="", chosen_by=by)
    return tree, choices


def _group_of(tree: DefaultsTreeNode | InputDefault) -> str:
    node = tree.node if isinstance(tree, DefaultsTreeNode) else tree
    if node.is_self():
        return ""
    path = node.get_config_path()
    return path or ""


def _is_hydra_group(path: str) -> bool:
    return path == "hydra" or path.startswith("hydra/")


def _label(node: InputDefault) -> str:
    if node.is_self():
        return "_self_"
    if isinstance(node, VirtualRoot):
        return "<root>"
    if isinstance(node, GroupDefault):
        option = _option(node)
        # As the defaults list writes it: ``null`` for no option, ``[a, b]`` for several.
        shown = "null" if option is None else option
        if isinstance(option, list):
            shown = f"[{', '.join(option)}]"
        return f"{node.get_override_key()}: {shown}"
    return node.get_config_path() or "<root>"


def _option(node: GroupDefault) -> str | list[str] | None:
    """The chosen option; a list for multi-select groups (Hydra's ``get_name`` refuses those)."""
    value = node.value
    return list(value) if isinstance(value, list) else node.get_name()


def _defaults_line(
    repo: CachingConfigRepository,
    config_path: str | None,
    node: GroupDefault,
    memo: dict[tuple[Any, ...], _Placed] | None = None,
) -> str:
    """``file:line`` of the defaults-list entry in ``config_path`` that names ``node``'s group."""
    if config_path is None:
        return "<defaults>"
    loaded = repo.load_config(config_path)
    found = loaded_file(loaded) if loaded is not None else None
    if loaded is None or found is None:
        return config_path
    index = _entry_index(loaded, config_path, node, memo)
    if index is not None:
        line = found.parsed.lines.get(f"defaults[{index}]")
        return f"{found.name}:{line}" if line else found.name
    wanted = node.get_group_path().rsplit("/", 1)[-1]
    items = found.parsed.data.get("defaults", []) if isinstance(found.parsed.data, dict) else []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and len(item) == 1:
            entry = next(iter(item)).split(" ")[-1].split("@")[0].lstrip("/")
            if entry == node.get_group_path() or entry.rsplit("/", 1)[-1] == wanted:
                line = found.parsed.lines.get(f"defaults[{index}]")
                return f"{found.name}:{line}" if line else found.name
    return found.name


_Placed = list[tuple[int, Any]]


def _entry_index(
    loaded: ConfigResult,
    config_path: str,
    node: GroupDefault,
    memo: dict[tuple[Any, ...], _Placed] | None = None,
) -> int | None:
    """Index of the entry naming ``node``'s group in the defaults list Hydra parsed from ``loaded``.

    Hydra resolves each tree node from a copy of that entry placed under its parent, so the
    entry is found by placing each parsed entry under the same parent and comparing override
    keys (``db`` and ``db@backup`` are different entries). An ``override /group`` entry sits
    in another config: it is matched on its group path and explicit package.

    ``memo`` keeps the placed entries' keys per config and parent across the nodes of one
    defaults tree: placing every entry again for every node is quadratic in the list's length.
    """
    memo = {} if memo is None else memo
    entries = getattr(loaded, "defaults_list", None) or []
    found: list[int] = []
    overrides = memo.get(("override", config_path))
    if overrides is None:
        overrides = memo[("override", config_path)] = [
            (i, key)
            for i, entry in enumerate(entries)
            if isinstance(entry, GroupDefault) and entry.override
            for key in _placed_keys(entry, posixpath.dirname(config_path), "", override=True)
        ]
    plain_key = ("plain", config_path, node.parent_base_dir, node.parent_package)
    plain = memo.get(plain_key)
    if plain is None:
        plain = memo[plain_key] = [
            (i, key)
            for i, entry in enumerate(entries)
            if isinstance(entry, GroupDefault) and not entry.override
            for key in _placed_keys(
                entry, node.parent_base_dir, node.parent_package, override=False
            )
        ]
    try:
        wanted = (node.get_group_path(), node.package)
        found += [i for i, key in overrides if key == wanted][:1]
    except (AssertionError, HydraException):
        pass
    try:
        wanted_key = node.get_override_key()
        found += [i for i, key in plain if key == wanted_key][:1]
    except (AssertionError, HydraException):
        pass
    return min(found, default=None)


def _placed_keys(
    entry: GroupDefault, base_dir: str | None, package: str | None, *, override: bool
) -> list[Any]:
    """``entry`` placed under a parent: its (group path, package) for an ``override`` entry,
    its override key otherwise; nothing when Hydra cannot place it."""
    placed = copy.copy(entry)
    try:
        placed.update_parent(base_dir, package)
        if override:
            return [(placed.get_group_path(), placed.package)]
        return [placed.get_override_key()]
    except (AssertionError, HydraException):
        return []
