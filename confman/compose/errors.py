"""Turn Hydra's and OmegaConf's composition exceptions into one-line confman errors.

Hydra's messages are written for a traceback: several lines, a URL, sometimes a search path dump.
A confman user gets one line that names the config, option, override or file, and a hint: the
available options with a did-you-mean, where to put a caret in a bad override, ``+key=`` for keys
that do not exist yet.

Recognition is one table, :data:`RULES`, which :func:`translate` walks in order: each row is an
exception type, a pattern of its message and the handler that writes the confman error. A new row
needs an example in ``tests/compose/test_error_table.py``, which triggers each row through Hydra.
What the hints offer comes from :mod:`confman.compose.hints`; the errors placed at a
defaults-list entry (a group chosen twice, a cycle) from :mod:`confman.compose.entryerrors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from hydra.errors import MissingConfigException, OverrideParseException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from confman import defaultslist
from confman.compose.entryerrors import chosen_twice, entry_naming
from confman.compose.hints import (
    exists,
    group_options,
    list_hint,
    missing_option_hint,
    primary_configs,
    siblings,
)
from confman.errors import (
    CompositionError,
    ConfmanError,
    MissingConfigError,
    OverrideError,
    did_you_mean,
)
from confman.secrets import redact_at

__all__ = ["RULES", "Failure", "Rule", "keyless_override", "translate"]

_TOKEN = re.compile(r"input '(.*?)'")
_FULL_KEY = re.compile(r"^\s*full_key: (\S+)", re.MULTILINE)

# The patterns RULES recognises Hydra's messages by (Hydra 1.3's wording).
_ANY = re.compile("")
_KEYLESS = re.compile(r"Could not override ''|Could not delete '='|force-add of config groups")
_SELF_TWICE = re.compile(r"Duplicate _self_ defined in (\S+)")
_OVERRIDE_NO_MATCH = re.compile(r"In '([^']+)': Could not override '([^']+)'\. No match")
_TWICE = re.compile(r"Multiple values for ([^ .]+)\.")
_SWEEP = re.compile(
    r"(?:Ambiguous value for argument|Sweep parameters) '(.*)'(?: requires --multirun)?$",
    re.MULTILINE,
)
_MISSING_PRIMARY = re.compile(r"Cannot find primary config '([^']+)'")
_PRIMARY = re.compile("primary", re.IGNORECASE)
_MISSING_OPTION = re.compile(r"Could not find '([^']+)'")
_NO_OVERRIDE = re.compile(r"Could not override '([^']+)'")
_NO_DELETE = re.compile(r"Could not delete from config. '([^']+)' does not exist")
_WRONG_VALUE = re.compile(r"The value of '([^']+)' is (.*) and not (.*)\.$", re.MULTILINE)
_NO_APPEND = re.compile(r"Could not append to config. An item is already at '([^']+)'")
_MERGE = re.compile(r"In '([^']+)': (\w+) raised while composing config:\n(.*)", re.DOTALL)
_NO_GROUP = re.compile(r"config group '([^']+)' does not exist")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


@dataclass(frozen=True)
class Failure:
    """What a rule's handler is given: the exception, its message and what was being composed."""

    exc: BaseException
    text: str
    root: Path
    config_name: str | None
    source: str | None
    cfg: DictConfig | None
    overrides: Sequence[str]


#: A handler returns the confman error, or None to let the next rule try.
Handler = Callable[[Failure, re.Match[str]], ConfmanError | None]


@dataclass(frozen=True)
class Rule:
    """One row of :data:`RULES`: an exception of ``types`` in whose message ``pattern`` is found
    goes to ``handler``. ``name`` is the row's id, which its test is named by."""

    name: str
    types: type[BaseException] | tuple[type[BaseException], ...]
    pattern: re.Pattern[str]
    handler: Handler

    def matches(self, exc: BaseException) -> re.Match[str] | None:
        """The pattern's match in ``exc``'s message when ``exc`` is of the rule's type(s)."""
        return self.pattern.search(str(exc)) if isinstance(exc, self.types) else None


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

    The first rule of :data:`RULES` that matches and whose handler gives an error wins; an
    exception no rule recognises is said by the first line of its message.

    Args:
        exc: what Hydra or OmegaConf raised.
        root: the config dir (to list available configs and options).
        config_name: the primary config being composed.
        source: the file being merged when the error happened, if known.
        cfg: the config as composed so far (for did-you-mean on override keys).
        overrides: the command-line overrides (quoted when one of them is the cause).
    """
    failure = Failure(exc, str(exc), root, config_name, source, cfg, overrides)
    for rule in RULES:
        match = rule.matches(exc)
        error = rule.handler(failure, match) if match else None
        if error is not None:
            return error
    return CompositionError(_first_line(failure.text) if failure.text else type(exc).__name__)


def _bad_syntax(f: Failure, _match: re.Match[str]) -> ConfmanError:
    """One line naming the override and the problem, then the override with a caret under it.

    Hydra's lexer errors carry a caret line; its parser errors name the offending token
    (``input '[1'``), which is located in the override to place the caret.
    """
    exc = cast(OverrideParseException, f.exc)
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


def _keyless(f: Failure, _match: re.Match[str]) -> ConfmanError | None:
    keyless = next((o for o in f.overrides if keyless_override(o)), None)
    if keyless is None:
        return None
    return OverrideError(
        f"bad override '{keyless}': no key before '='",
        hint="write key=value, +key=value to add a key, ~key to delete one, or group=option",
    )


def _self_twice(f: Failure, match: re.Match[str]) -> ConfmanError | None:
    config = match.group(1)
    selves = [
        e for e in defaultslist.entries(f.root, config) if e.group is None and e.value == "_self_"
    ]
    if len(selves) < 2:
        return None
    return CompositionError(
        f"{selves[1].where}: '_self_' is listed twice in the defaults list of "
        f"'{config}' (first at line {selves[0].line})",
        hint="keep one '_self_': it marks where the config's own keys are merged",
    )


def _override_no_match(f: Failure, match: re.Match[str]) -> ConfmanError | None:
    config, group = match.group(1), match.group(2).split("@")[0]
    entry = next(
        (e for e in defaultslist.entries(f.root, config) if e.group and "override" in e.words),
        None,
    )
    if entry is None:
        return None
    return CompositionError(
        f"{entry.where}: '{entry.key}' overrides a choice of '{group}' that no earlier "
        "defaults entry makes",
        hint=f"drop 'override' to add the group, or check the group name '{group}'",
    )


def _twice(f: Failure, match: re.Match[str]) -> ConfmanError | None:
    return chosen_twice(f.root, f.config_name, match.group(1)) if f.config_name else None


def _sweep(_f: Failure, match: re.Match[str]) -> ConfmanError:
    return OverrideError(
        f"'{match.group(1)}' is a sweep (several values); compose builds one config",
        hint="give one value, or quote a literal comma: key='a,b'",
    )


def _missing_primary(f: Failure, _match: re.Match[str]) -> ConfmanError:
    name = f.config_name or ""
    return MissingConfigError(
        f"config '{name}' not found in {f.root}",
        hint=list_hint(name, primary_configs(f.root), "configs"),
    )


def _missing_primary_named(f: Failure, match: re.Match[str]) -> ConfmanError | None:
    named = cast(MissingConfigException, f.exc).missing_cfg_file == f.config_name
    return _missing_primary(f, match) if named else None


def _missing_option(f: Failure, match: re.Match[str]) -> ConfmanError:
    exc = cast(MissingConfigException, f.exc)
    path = match.group(1)
    group, _, option = path.rpartition("/")
    options = list(exc.options) if exc.options else group_options(f.root, group)
    where = f" (in the defaults list of '{f.config_name}')" if "defaults" in f.text else ""
    entry = entry_naming(f.text, f.root, path)
    return MissingConfigError(
        f"{entry.where + ': ' if entry else ''}no option '{option}' in config group "
        f"'{group}'{where if entry is None else ''}",
        hint=missing_option_hint(group, option, options),
    )


def _missing_other(f: Failure, _match: re.Match[str]) -> ConfmanError:
    return MissingConfigError(_first_line(f.text))


def _no_override(f: Failure, match: re.Match[str]) -> ConfmanError:
    key = match.group(1)
    line = _override_line(f.text, key)
    if exists(f.cfg, key):
        return OverrideError(
            f"cannot override '{key}': the new value adds keys that '{key}' does not have",
            hint=f"use '++{line}' to merge in new keys, or '~{key}' then '+{line}' to replace",
        )
    guess = did_you_mean(key, siblings(f.cfg, key))
    hint = f"{guess} " if guess else ""
    return OverrideError(
        f"cannot override '{key}': no such key in the composed config",
        hint=f"{hint}use '+{line}' to add a new key, or '++{line}' to add or override",
    )


def _no_delete(f: Failure, match: re.Match[str]) -> ConfmanError:
    key = match.group(1)
    if exists(f.cfg, key):
        return OverrideError(
            f"cannot delete '{key}': its value is null, and Hydra treats a null key as absent",
            hint=f"set it instead ('{key}=...'), or delete its parent",
        )
    guess = did_you_mean(key, [c for c in siblings(f.cfg, key) if c != key])
    return OverrideError(f"cannot delete '{key}': no such key", hint=guess)


def _wrong_value(_f: Failure, match: re.Match[str]) -> ConfmanError:
    key, actual, given = match.groups()
    actual, given = redact_at(key, actual), redact_at(key, given)  # db.password's values
    return OverrideError(
        f"cannot delete '{key}': its value is {actual}, not {given}",
        hint=f"use '~{key}' to delete it whatever its value",
    )


def _no_append(_f: Failure, match: re.Match[str]) -> ConfmanError:
    return OverrideError(
        f"cannot add '{match.group(1)}': it already exists",
        hint="drop the '+' to override it, or use '++' to add or override",
    )


def _merge(_f: Failure, match: re.Match[str]) -> ConfmanError:
    config_path, _kind, detail = match.groups()
    key = _FULL_KEY.search(detail)
    at = f" at '{key.group(1)}'" if key else ""
    return CompositionError(
        f"{config_path}.yaml: cannot merge{at}: {_first_line(detail)}",
        hint="a key holds a mapping in one config and a list or value in another",
    )


def _no_group(f: Failure, match: re.Match[str]) -> ConfmanError:
    group = match.group(1)
    real_root = f.root.resolve()
    groups = sorted(
        p.name
        for p in f.root.iterdir()
        if p.is_dir() and p.resolve().is_relative_to(real_root) and p.name != group
    )
    return OverrideError(
        f"config group '{group}' does not exist", hint=list_hint(group, groups, "groups")
    )


def _omegaconf(f: Failure, _match: re.Match[str]) -> ConfmanError:
    exc = cast(OmegaConfBaseException, f.exc)
    where = f"{f.source}: " if f.source else ""
    key = getattr(exc, "full_key", None)
    at = f" at '{key}'" if key else ""
    return CompositionError(f"{where}cannot merge{at}: {_first_line(_omegaconf_msg(exc))}")


#: How Hydra's and OmegaConf's exceptions are recognised, in the order they are tried; a comment
#: above each row says what it recognises.
RULES: tuple[Rule, ...] = (
    # an override that Hydra's grammar cannot parse
    Rule("override-syntax", OverrideParseException, _ANY, _bad_syntax),
    # an override with no key ('=1'), which crashes Hydra's internals...
    Rule("keyless-override-crash", (ValueError, AssertionError), _ANY, _keyless),
    # ...or fails with a message that names neither the override nor its key
    Rule("keyless-override", BaseException, _KEYLESS, _keyless),
    # '_self_' listed twice in one defaults list
    Rule("self-twice", BaseException, _SELF_TWICE, _self_twice),
    # a defaults entry 'override g: x' where no earlier entry chose group g
    Rule("override-no-match", BaseException, _OVERRIDE_NO_MATCH, _override_no_match),
    # a group chosen by two defaults entries, or by one whose 'override' is misspelled
    Rule("group-twice", BaseException, _TWICE, _twice),
    # an override with several values: only a multirun sweeps them
    Rule("sweep", BaseException, _SWEEP, _sweep),
    # the primary config is not in the config dir...
    Rule("missing-primary", MissingConfigException, _MISSING_PRIMARY, _missing_primary),
    # ...also when its name defeats the quoted pattern ('', or one starting with a quote)
    Rule("missing-primary-named", MissingConfigException, _PRIMARY, _missing_primary_named),
    # a group option that does not exist
    Rule("missing-option", MissingConfigException, _MISSING_OPTION, _missing_option),
    # any other config that Hydra cannot find or load
    Rule("missing-config", MissingConfigException, _ANY, _missing_other),
    # an override of a key the config does not have, or that adds keys to a mapping
    Rule("no-such-key", BaseException, _NO_OVERRIDE, _no_override),
    # '~key' on a key that is absent, or null
    Rule("delete-absent", BaseException, _NO_DELETE, _no_delete),
    # '~key=value' where the key holds another value
    Rule("delete-wrong-value", BaseException, _WRONG_VALUE, _wrong_value),
    # '+key=value' on a key that exists
    Rule("add-existing", BaseException, _NO_APPEND, _no_append),
    # a key that holds a mapping in one config and a list or value in another
    Rule("merge-conflict", BaseException, _MERGE, _merge),
    # an append ('+group@pkg=x') to a config group that does not exist
    Rule("no-such-group", BaseException, _NO_GROUP, _no_group),
    # anything else OmegaConf raises while composing
    Rule("omegaconf", OmegaConfBaseException, _ANY, _omegaconf),
)


def keyless_override(override: str) -> bool:
    """``=1``, ``+=3``, ``~=x``, ``@=1``: an override whose key is empty (Hydra parses it as a
    config group named '' and fails deep inside with a message that names neither)."""
    return override.lstrip("+~").split("=", 1)[0].split("@", 1)[0].strip() == ""


def _omegaconf_msg(exc: OmegaConfBaseException) -> str:
    msg = getattr(exc, "msg", None)
    return str(msg) if msg else str(exc)


def _override_line(text: str, key: str) -> str:
    match = re.search(r"use \+(.+)$", text, re.MULTILINE)
    return match.group(1) if match else f"{key}=..."
