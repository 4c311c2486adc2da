"""Turn Hydra's and OmegaConf's composition exceptions into one-line confman errors.

Hydra's messages are written for a traceback: several lines, a URL, sometimes a search path dump.
A confman user gets one line that names the config, option, override or file, and a hint: the
available options with a did-you-mean, where to put a caret in a bad override, ``+key=`` for keys
that do not exist yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.errors import MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from confman import defaultslist
from confman.errors import (
    CompositionError,
    ConfmanError,
    MissingConfigError,
    OverrideError,
    did_you_mean,
)
from confman.secrets import redact_at

__all__ = ["cycle_error", "keyless_override", "translate"]

_TOKEN = re.compile(r"input '(.*?)'")
_NO_OVERRIDE = re.compile(r"Could not override '([^']+)'")
_NO_DELETE = re.compile(r"Could not delete from config. '([^']+)' does not exist")
_WRONG_VALUE = re.compile(r"The value of '([^']+)' is (.*) and not (.*)\.$", re.MULTILINE)
_NO_APPEND = re.compile(r"Could not append to config. An item is already at '([^']+)'")
_NO_GROUP = re.compile(r"config group '([^']+)' does not exist")
_MISSING_OPTION = re.compile(r"Could not find '([^']+)'")
_MISSING_PRIMARY = re.compile(r"Cannot find primary config '([^']+)'")
_MERGE = re.compile(r"In '([^']+)': (\w+) raised while composing config:\n(.*)", re.DOTALL)
_SWEEP = re.compile(
    r"(?:Ambiguous value for argument|Sweep parameters) '(.*)'(?: requires --multirun)?$",
    re.MULTILINE,
)
_FULL_KEY = re.compile(r"^\s*full_key: (\S+)", re.MULTILINE)
_MISSING_IN = re.compile(r"In '([^']+)': Could not (?:find|load) '([^']+)'")
_TWICE = re.compile(r"Multiple values for ([^ .]+)\.")
_SELF_TWICE = re.compile(r"Duplicate _self_ defined in (\S+)")
_OVERRIDE_NO_MATCH = re.compile(r"In '([^']+)': Could not override '([^']+)'\. No match")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


def _listed(root: Path, folder: Path) -> list[str]:
    """Config names in ``folder``, leaving out any that resolve (symlinks) outside ``root``:
    confman never reads those, so it must not offer them either."""
    real_root = root.resolve()
    if not folder.is_dir() or not folder.resolve().is_relative_to(real_root):
        return []
    return sorted(
        p.stem
        for p in folder.glob("*.yaml")
        if p.is_file() and p.resolve().is_relative_to(real_root)
    )


def _options(root: Path, group: str) -> list[str]:
    return _listed(root, root / group)


def _primaries(root: Path) -> list[str]:
    return _listed(root, root)


def _siblings(cfg: DictConfig | None, key: str) -> list[str]:
    if cfg is None:
        return []
    parent, _, _leaf = key.rpartition(".")
    node: Any = cfg if not parent else OmegaConf.select(cfg, parent, default=None)
    if not isinstance(node, DictConfig):
        return []
    prefix = f"{parent}." if parent else ""
    return [f"{prefix}{k!s}" for k in node]


def _exists(cfg: DictConfig | None, key: str) -> bool:
    if cfg is None:
        return False
    try:
        return OmegaConf.select(cfg, key, default=_ABSENT, throw_on_missing=False) is not _ABSENT
    except OmegaConfBaseException:
        return False


_ABSENT = object()


#: Options that Hydra's plugins add to its own groups, and the package that brings each.
_PLUGIN_OPTIONS = {
    ("hydra/launcher", "submitit_local"): "hydra-submitit-launcher",
    ("hydra/launcher", "submitit_slurm"): "hydra-submitit-launcher",
    ("hydra/launcher", "joblib"): "hydra-joblib-launcher",
    ("hydra/launcher", "ray"): "hydra-ray-launcher",
    ("hydra/launcher", "ray_aws"): "hydra-ray-launcher",
    ("hydra/launcher", "rq"): "hydra-rq-launcher",
    ("hydra/sweeper", "optuna"): "hydra-optuna-sweeper",
    ("hydra/sweeper", "ax"): "hydra-ax-sweeper",
    ("hydra/sweeper", "nevergrad"): "hydra-nevergrad-sweeper",
    ("hydra/job_logging", "colorlog"): "hydra-colorlog",
    ("hydra/hydra_logging", "colorlog"): "hydra-colorlog",
}


def _missing_option_hint(group: str, option: str, options: list[str]) -> str:
    """Name the plugin to install, or say the group may live in Python, before listing."""
    plugin = _PLUGIN_OPTIONS.get((group, option))
    if plugin:
        return f"'{group}={option}' comes from a Hydra plugin: pip install {plugin}"
    if not options and not group.startswith("hydra/"):
        return (
            f"the config dir has no '{group}' folder: if the project registers this group in "
            "Python with Hydra's ConfigStore, confman does not run that code to find it"
        )
    return _list_hint(option, options, "options")


def _list_hint(word: str, candidates: list[str], what: str) -> str:
    guess = did_you_mean(word, [c for c in candidates if c != word])
    shown = ", ".join(candidates[:20]) + (" ..." if len(candidates) > 20 else "")
    available = f"available {what}: {shown}" if candidates else f"no {what} found"
    return f"{guess} {available}" if guess else available


def translate(
    exc: BaseException,
    *,
    root: Path,
    config_name: str | None,
    source: str | None = None,
    cfg: DictConfig | None = None,
    overrides: Sequence[str] = (),
) -> ConfmanError:
    """Map an exception raised while composing to the confman error a user should see.

    Args:
        exc: what Hydra or OmegaConf raised.
        root: the config dir (to list available configs and options).
        config_name: the primary config being composed.
        source: the file being merged when the error happened, if known.
        cfg: the config as composed so far (for did-you-mean on override keys).
        overrides: the command-line overrides (quoted when one of them is the cause).
    """
    if isinstance(exc, OverrideParseException):
        return _bad_syntax(exc)
    text = str(exc)
    keyless = next((o for o in overrides if keyless_override(o)), None)
    if keyless is not None and (
        isinstance(exc, (ValueError, AssertionError))
        or "Could not override ''" in text
        or "Could not delete '='" in text
        or "force-add of config groups" in text
    ):
        return OverrideError(
            f"bad override '{keyless}': no key before '='",
            hint="write key=value, +key=value to add a key, ~key to delete one, or group=option",
        )
    located = _in_defaults(text, root, config_name)
    if located is not None:
        return located
    match = _SWEEP.search(text)
    if match:
        override = match.group(1)
        return OverrideError(
            f"'{override}' is a sweep (several values); compose builds one config",
            hint="give one value, or quote a literal comma: key='a,b'",
        )
    if isinstance(exc, MissingConfigException):
        return _missing(exc, root, config_name)
    match = _NO_OVERRIDE.search(text)
    if match:
        key = match.group(1)
        line = _override_line(text, key)
        if _exists(cfg, key):
            return OverrideError(
                f"cannot override '{key}': the new value adds keys that '{key}' does not have",
                hint=f"use '++{line}' to merge in new keys, or '~{key}' then '+{line}' to replace",
            )
        guess = did_you_mean(key, _siblings(cfg, key))
        hint = f"{guess} " if guess else ""
        return OverrideError(
            f"cannot override '{key}': no such key in the composed config",
            hint=f"{hint}use '+{line}' to add a new key, or '++{line}' to add or override",
        )
    match = _NO_DELETE.search(text)
    if match:
        key = match.group(1)
        if _exists(cfg, key):
            return OverrideError(
                f"cannot delete '{key}': its value is null, and Hydra treats a null key as absent",
                hint=f"set it instead ('{key}=...'), or delete its parent",
            )
        guess = did_you_mean(key, [c for c in _siblings(cfg, key) if c != key])
        return OverrideError(f"cannot delete '{key}': no such key", hint=guess)
    match = _WRONG_VALUE.search(text)
    if match:
        key, actual, given = match.groups()
        actual, given = redact_at(key, actual), redact_at(key, given)  # db.password's values
        return OverrideError(
            f"cannot delete '{key}': its value is {actual}, not {given}",
            hint=f"use '~{key}' to delete it whatever its value",
        )
    match = _NO_APPEND.search(text)
    if match:
        key = match.group(1)
        return OverrideError(
            f"cannot add '{key}': it already exists",
            hint="drop the '+' to override it, or use '++' to add or override",
        )
    match = _MERGE.search(text)
    if match:
        config_path, _kind, detail = match.groups()
        key = _FULL_KEY.search(detail)
        at = f" at '{key.group(1)}'" if key else ""
        return CompositionError(
            f"{config_path}.yaml: cannot merge{at}: {_first_line(detail)}",
            hint="a key holds a mapping in one config and a list or value in another",
        )
    match = _NO_GROUP.search(text)
    if match:
        group = match.group(1)
        real_root = root.resolve()
        groups = sorted(
            p.name
            for p in root.iterdir()
            if p.is_dir() and p.resolve().is_relative_to(real_root) and p.name != group
        )
        return OverrideError(
            f"config group '{group}' does not exist",
            hint=_list_hint(group, groups, "groups"),
        )
    if isinstance(exc, OmegaConfBaseException):
        where = f"{source}: " if source else ""
        key = getattr(exc, "full_key", None)
        at = f" at '{key}'" if key else ""
        return CompositionError(f"{where}cannot merge{at}: {_first_line(_omegaconf_msg(exc))}")
    return CompositionError(_first_line(text) if text else type(exc).__name__)


def keyless_override(override: str) -> bool:
    """``=1``, ``+=3``, ``~=x``, ``@=1``: an override whose key is empty (Hydra parses it as a
    config group named '' and fails deep inside with a message that names neither)."""
    return override.lstrip("+~").split("=", 1)[0].split("@", 1)[0].strip() == ""


def _in_defaults(text: str, root: Path, config_name: str | None) -> ConfmanError | None:
    """Hydra's errors about a defaults list, said at the file:line of the entry at fault."""
    match = _SELF_TWICE.search(text)
    if match:
        selves = [
            e
            for e in defaultslist.entries(root, match.group(1))
            if e.group is None and e.value == "_self_"
        ]
        if len(selves) > 1:
            return CompositionError(
                f"{selves[1].where}: '_self_' is listed twice in the defaults list of "
                f"'{match.group(1)}' (first at line {selves[0].line})",
                hint="keep one '_self_': it marks where the config's own keys are merged",
            )
    match = _OVERRIDE_NO_MATCH.search(text)
    if match:
        config, group = match.group(1), match.group(2).split("@")[0]
        entry = next(
            (e for e in defaultslist.entries(root, config) if e.group and "override" in e.words),
            None,
        )
        if entry is not None:
            return CompositionError(
                f"{entry.where}: '{entry.key}' overrides a choice of '{group}' that no earlier "
                "defaults entry makes",
                hint=f"drop 'override' to add the group, or check the group name '{group}'",
            )
    match = _TWICE.search(text)
    if match and config_name:
        return _chosen_twice(root, config_name, match.group(1))
    return None


def _chosen_twice(root: Path, primary: str, group: str) -> ConfmanError | None:
    """A group chosen by two entries: a misspelled ``override`` keyword, or a real repeat."""
    chosen: list[defaultslist.Entry] = []
    for listed in defaultslist.reachable(root, primary):
        for entry in listed:
            unknown = [w for w in entry.words if w not in defaultslist.KEYWORDS]
            if entry.group == group and unknown:
                guess = did_you_mean(unknown[0], defaultslist.KEYWORDS)
                return CompositionError(
                    f"{entry.where}: '{unknown[0]}' is not a defaults-list keyword "
                    f"(in '{entry.key}')",
                    hint=f"{guess + ' ' if guess else ''}the keywords are 'override' and "
                    "'optional'; Hydra reads the entry as a second choice of "
                    f"'{entry.group}'",
                )
            if entry.group == group and "override" not in entry.words:
                chosen.append(entry)
    if len(chosen) < 2:
        return None
    first, second = chosen[0], chosen[1]
    return CompositionError(
        f"{second.where}: config group '{group}' is chosen a second time (first at {first.where})",
        hint=f"remove one entry, or write 'override {second.key}: ...' to replace the "
        "earlier choice",
    )


def cycle_error(root: Path, config_name: str | None) -> CompositionError:
    """The error for defaults lists that include each other, at the entry closing the cycle."""
    cycle = defaultslist.find_cycle(root, config_name) if config_name else None
    if not cycle:
        return CompositionError(
            f"the defaults lists starting at '{config_name}' include each other in a cycle",
            hint="a config lists itself in its defaults, directly or through other configs",
        )
    chain = " -> ".join([cycle[0].config, *(next(e.targets()) for e in cycle)])
    return CompositionError(
        f"{cycle[-1].where}: the defaults lists starting at '{config_name}' include each other "
        f"in a cycle: {chain}",
        hint="a config lists itself in its defaults, directly or through other configs; "
        "remove one entry of the cycle",
    )


def _omegaconf_msg(exc: OmegaConfBaseException) -> str:
    msg = getattr(exc, "msg", None)
    return str(msg) if msg else str(exc)


def _override_line(text: str, key: str) -> str:
    match = re.search(r"use \+(.+)$", text, re.MULTILINE)
    return match.group(1) if match else f"{key}=..."


def _bad_syntax(exc: OverrideParseException) -> OverrideError:
    """One line naming the override and the problem, then the override with a caret under it.

    Hydra's lexer errors carry a caret line; its parser errors name the offending token
    (``input '[1'``), which is located in the override to place the caret.
    """
    override = exc.override
    lines = [line for line in exc.message.splitlines() if line.strip()]
    lexer_prefix = "LexerNoViableAltException: "
    column: int | None = None
    if lines and lines[0].startswith(lexer_prefix):
        reason = "unexpected character"
        if len(lines) > 1 and "^" in lines[1]:
            column = lines[1].index("^") - len(lexer_prefix)
    else:
        reasons = [line for line in lines if not line.startswith(("Error parsing", "See http"))]
        reason = reasons[0].strip() if reasons else "syntax error"
        token = _TOKEN.search(reason)
        if token:
            found = token.group(1)
            column = len(override) if found == "<EOF>" else override.find(found)
    caret = ""
    if column is not None and column >= 0:
        caret = f"\n    {override}\n    {' ' * column}^"
    return OverrideError(
        f"bad override '{override}': {reason}{caret}",
        hint="see Hydra's override grammar: key=value, +key=value, ++key=value, ~key, group=option",
    )


def _entry_naming(text: str, root: Path, missing: str) -> defaultslist.Entry | None:
    """The defaults entry of the config Hydra names (``In 'train': ...``) that selects
    ``missing``; None when an override selected it instead."""
    match = _MISSING_IN.search(text)
    if not match:
        return None
    return next(
        (e for e in defaultslist.entries(root, match.group(1)) if missing in e.targets()), None
    )


def _missing(exc: MissingConfigException, root: Path, config_name: str | None) -> ConfmanError:
    text = str(exc)
    match = _MISSING_PRIMARY.search(text)
    if match or (exc.missing_cfg_file == config_name and "primary" in text.lower()):
        name = config_name or ""
        return MissingConfigError(
            f"config '{name}' not found in {root}",
            hint=_list_hint(name, _primaries(root), "configs"),
        )
    match = _MISSING_OPTION.search(text)
    if match:
        path = match.group(1)
        group, _, option = path.rpartition("/")
        options = list(exc.options) if exc.options else _options(root, group)
        where = f" (in the defaults list of '{config_name}')" if "defaults" in text else ""
        entry = _entry_naming(text, root, path)
        return MissingConfigError(
            f"{entry.where + ': ' if entry else ''}no option '{option}' in config group "
            f"'{group}'{where if entry is None else ''}",
            hint=_missing_option_hint(group, option, options),
        )
    return MissingConfigError(_first_line(text))
