"""OmegaConf's merge of untyped YAML data, on plain dicts, for the cases where it is a plain merge.

Hydra composes by merging each loaded config into the result with ``DictConfig.merge_with``.
For configs read from YAML files (no structured schema, no flags) and for the inputs accepted
here, that merge is the ordinary recursive dict merge: mappings merge key by key (new keys go
last, existing keys keep their place), anything else replaces what was there. Doing it on plain
data is about 50x cheaper than on OmegaConf nodes, whose every merge re-parents the whole
result.

Everything where OmegaConf does something else is refused with :class:`NotPlain` instead of
being imitated, and the caller composes for real: a mapping merged into an interpolation
(OmegaConf expands it), a mapping merged with a list, an interpolation replaced by a mapping or
a list (OmegaConf dereferences it first and may merge into its target), non-string keys and
value types YAML files do not produce. An interpolation replaced by a scalar is plain: OmegaConf
dereferences it too, but whatever it finds (a mapping, a list, nothing, a failing resolver) the
scalar replaces it, and a failed resolution is not raised; only an interpolation OmegaConf's
grammar cannot parse fails there, so that one is refused. ``???``
merged over a key that already holds something leaves it as it is, as OmegaConf does.
``tests/lint/test_plainmerge.py`` checks the accepted cases against OmegaConf itself.
"""

from __future__ import annotations

from typing import Any

from omegaconf.errors import GrammarParseError
from omegaconf.grammar_parser import parse

from confman.caches import Bounded

__all__ = ["MISSING", "NotPlain", "check_plain", "embed", "merge_into"]

_SCALARS = (str, int, float, bool, type(None))
MISSING = "???"


class NotPlain(Exception):
    """The merge at hand is not a plain dict merge; compose with OmegaConf instead."""


def check_plain(data: Any, where: str = "") -> bool:
    """Refuse data whose merge OmegaConf could treat specially (non-string keys, odd types).

    Returns whether a key holds a dot: OmegaConf merges it as any other key, but its dotted
    provenance path may also name a nested key, so such data's writes are recorded one by one.
    """
    dotted = False
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise NotPlain(f"non-string key {key!r} at '{where}'")
            dotted = "." in key or dotted
            dotted = check_plain(value, f"{where}.{key}" if where else key) or dotted
    elif isinstance(data, list):
        for item in data:
            dotted = check_plain(item, where) or dotted
    elif not isinstance(data, _SCALARS):
        raise NotPlain(f"value of type {type(data).__name__} at '{where}'")
    return dotted


def embed(data: dict[str, Any], package: str) -> dict[str, Any]:
    """``data`` placed at a dotted ``package`` (Hydra's ``_embed_result_config``)."""
    if not package:
        return data
    for part in reversed(package.split(".")):
        data = {part: data}
    return data


def _copy(value: Any) -> Any:
    """A copy of the mutable structure the merge may later write into (dicts); lists are
    replaced whole, never written into, and scalars are immutable."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _interpolation(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


#: interpolation text -> whether OmegaConf's grammar parses it (asked of replaced ones only)
_parsed: Bounded[str, bool] = Bounded("interpolations parsed by OmegaConf's grammar", 4096)


def _parses(text: str) -> bool:
    found = _parsed.get(text)
    if found is None:
        try:
            parse(text)
            found = True
        except GrammarParseError:
            found = False
        _parsed.put(text, found)
    return found


def merge_into(dest: dict[str, Any], src: dict[str, Any], where: str = "") -> None:
    """Merge ``src`` into ``dest`` in place, as ``DictConfig.merge_with`` would.

    ``src`` is never modified or aliased into ``dest`` where a later merge could write.

    Raises:
        NotPlain: a case where OmegaConf's merge is not the plain one (see the module doc).
    """
    for key, value in src.items():
        path = f"{where}.{key}" if where else key
        if key not in dest:
            dest[key] = _copy(value)
            continue
        old = dest[key]
        if isinstance(value, str) and value == MISSING:
            continue  # OmegaConf never lets '???' replace what a key already holds
        if _interpolation(old):
            if not isinstance(value, _SCALARS):
                raise NotPlain(f"'{path}' replaces an interpolation with a mapping or list")
            if not _parses(old):
                raise NotPlain(f"'{path}' replaces an interpolation OmegaConf cannot parse")
            dest[key] = value
            continue
        if isinstance(old, dict) and isinstance(value, dict):
            merge_into(old, value, path)
        elif isinstance(old, dict) and isinstance(value, list):
            raise NotPlain(f"list merged into mapping '{path}'")
        elif isinstance(old, list) and isinstance(value, dict):
            raise NotPlain(f"mapping merged into list '{path}'")
        else:
            dest[key] = _copy(value)
