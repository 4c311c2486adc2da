"""Writing ``[tool.confman]`` into a pyproject.toml, leaving every other byte as it was.

The block is appended as text (no TOML library round-trips the user's comments and layout);
``--force`` replaces an existing ``[tool.confman]`` and its sub-tables in place of the old ones.
Settings that make confman run the project's code (ConfigStore modules, resolvers, ``pkg://``
search paths) are written commented out, with where they were found: running code is the
user's decision, one uncommented line each. A folder of the project that the primaries'
``hydra.searchpath`` names is written as is: reading its YAML runs nothing.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from pathlib import Path

from confman.errors import ProjectSettingsError
from confman.init.detect import Adoption

__all__ = ["existing_table", "merged_text", "render_table", "unified_diff", "with_schemas"]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _toml_str(value: str) -> str:
    return json.dumps(value)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_table(adoption: Adoption) -> str:
    """The ``[tool.confman]`` block for ``adoption``, comments saying where each value came from."""
    lines = ["[tool.confman]"]
    tree = adoption.tree
    if tree is None:
        raise ProjectSettingsError(
            f"no Hydra config dir found in {adoption.root}",
            hint="pass it: confman init --config-dir path/to/conf",
        )
    where = ", ".join(f"{adoption.rel(e.file)}:{e.line}" for e in tree.entrypoints[:3]) + (
        " ..." if len(tree.entrypoints) > 3 else ""
    )
    lines.append(f"# found by `confman init`{': used by ' + where if where else ''}")
    lines.append(f"config_dir = {_toml_str(adoption.rel(tree.path))}")
    if tree.config_names:
        lines.append(f"config_name = {_toml_str(tree.config_names[0])}")
    if adoption.version_base:
        bases = tree.version_bases
        why = "as the entrypoints pass it"
        if not tree.entrypoints:
            why = "its files use '@package _group_' (Hydra 1.0 style)"
        elif adoption.version_base == "1.1":
            why = "no version_base passed: Hydra composes as 1.1"
        if len(bases) > 1:
            why = f"most entrypoints; others pass {', '.join(bases[1:])}"
        lines.append(f"version_base = {_toml_str(adoption.version_base)}  # {why}")
    scan = adoption.scan
    modules: dict[str, str] = {}
    for reg in scan.registrations:
        modules.setdefault(reg.spec, f"{adoption.rel(reg.file)}:{reg.line}")
    if modules:
        lines.append("# ConfigStore entries are registered in Python; to compose with them,")
        lines.append("# uncomment (confman then imports these modules, and runs the functions):")
        lines.append(f"# modules = {_list(sorted(modules))}  # {', '.join(modules.values())}")
    tree_paths = adoption.tree_search_paths
    if tree_paths:
        # a folder of the project: reading its YAML runs no code, so it is written as is
        lines.append("# the primaries' hydra.searchpath, as folders of the project:")
        lines.append(f"search_paths = {_list([folder for folder, _ in tree_paths])}")
        lines += [f"#   {folder}: {where}" for folder, where in tree_paths]
    paths = sorted({p for _, _, p in scan.search_paths})
    if paths and not tree_paths:
        lines.append("# a search path plugin adds these; uncomment to compose with them:")
        lines.append(f"# search_paths = {_list(paths)}")
    if adoption.src:
        lines += ["", "[tool.confman.lint]", f"src = {_list(adoption.src)}"]
    if scan.resolvers:
        lines += ["", "# The configs may use these resolvers; uncomment to register them:"]
        lines.append("# [tool.confman.resolvers]")
        seen: set[str] = set()
        for res in scan.resolvers:
            if res.name in seen:
                continue
            seen.add(res.name)
            at = f"{adoption.rel(res.file)}:{res.line}"
            if res.spec:
                lines.append(f"# {res.name} = {_toml_str(res.spec)}  # {at}")
            else:
                lines.append(f'# {res.name} = "module:function"  # inline at {at}')
    return "\n".join(lines) + "\n"


def existing_table(text: str) -> bool:
    """Whether ``text`` (a pyproject.toml) already has a ``[tool.confman]`` table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return "confman" in data.get("tool", {})


def _is_ours(name: str) -> bool:
    return name == "tool.confman" or name.startswith("tool.confman.")


def merged_text(old: str | None, block: str) -> str:
    """``old`` with ``block`` in it: appended, or in place of an existing ``[tool.confman]``
    and its sub-tables (the first one's position), every other line kept byte for byte.

    Raises:
        ProjectSettingsError: ``old`` is not valid TOML, or the result would not be.
    """
    if old is None or not old.strip():
        return block
    try:
        tomllib.loads(old)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectSettingsError(
            f"pyproject.toml is not valid TOML: {exc}", hint="fix it first, then run init again"
        ) from exc
    lines = old.splitlines(keepends=True)
    kept: list[str] = []
    insert_at: int | None = None
    ours = False
    for line in lines:
        match = _HEADER.match(line)
        if match:
            ours = _is_ours(match.group(1).replace(" ", "").replace('"', ""))
            if ours and insert_at is None:
                insert_at = len(kept)
        if not ours:
            kept.append(line)
    if insert_at is None:
        text = old if old.endswith("\n") else old + "\n"
        result = text + "\n" + block
    else:
        before, after = kept[:insert_at], kept[insert_at:]
        result = "".join(before) + block + ("\n" if after else "") + "".join(after)
    try:
        tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:  # e.g. a dotted ``tool.confman.x = 1`` elsewhere
        raise ProjectSettingsError(
            f"cannot add [tool.confman] to pyproject.toml: {exc}",
            hint="remove the other tool.confman keys, or add the table by hand",
        ) from exc
    return result


def unified_diff(old: str | None, new: str, path: Path) -> str:
    """The change as a unified diff (what ``confman init`` shows before writing)."""
    return "".join(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path.name} (now)" if old is not None else "/dev/null",
            tofile=f"{path.name} (with confman)",
        )
    )


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def with_schemas(old: str | None, entries: dict[str, str]) -> str:
    """``old`` with ``entries`` in ``[tool.confman.schemas]`` (existing other keys kept, these
    replaced), every line outside that table kept byte for byte."""
    text = old or ""
    current: dict[str, str] = {}
    if text.strip():
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProjectSettingsError(f"pyproject.toml is not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("confman", {}).get("schemas", {})
        current = {k: v for k, v in table.items() if isinstance(v, str)}
    merged = {**current, **entries}
    block = "[tool.confman.schemas]\n" + "".join(
        f"{_key(k)} = {_toml_str(v)}\n" for k, v in merged.items()
    )
    lines = text.splitlines(keepends=True)
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if (m := _HEADER.match(line))
            and m.group(1).replace(" ", "").replace('"', "") == "tool.confman.schemas"
        ),
        None,
    )
    if start is None:
        result = (
            (text if text.endswith("\n") or not text else text + "\n")
            + ("\n" if text else "")
            + block
        )
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        tail = lines[end:]
        result = "".join(lines[:start]) + block + ("\n" if tail else "") + "".join(tail)
    tomllib.loads(result)
    return result
