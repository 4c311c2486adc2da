"""Prove, on plain composed data, that no interpolation points at a missing key.

CM301 resolves every composition with OmegaConf, which needs the composition as nodes: on a
large tree, building and resolving 41 node trees costs more than the rest of lint together. Most
interpolations are plain references (``${data.n_features}``, ``${.lr}``), and whether their
target exists can be read off the plain data. This module answers "every plain reference
resolves" only when it can prove it, and "don't know" otherwise; CM301 then resolves the
composition with OmegaConf, which also finds and words every broken one. So CM301's
findings are OmegaConf's in every case.

Proven only for: string leaves whose ``${...}`` are plain dotted references (absolute or
relative, word keys) or ``oc.env`` lookups, no escapes, reference chains without cycles,
targets that are mappings or non-list values; and such references nested in the arguments of a
resolver OmegaConf does not have (``${eval:4 * ${.d_model}}``, as safari writes): OmegaConf
resolves the arguments first, so a missing one is a key error there too, and with every argument
found the call fails as an unsupported resolver, which is not CM301's. A nested reference under
a resolver OmegaConf has (``oc.select``, ``now``) or inside a key (``${a.${b}}``) is not proven.
"""

from __future__ import annotations

import re
from typing import Any

from omegaconf import OmegaConf

__all__ = ["references_resolve"]

_TOKEN = re.compile(r"\$\{([^${}\\]*)\}")
_REF = re.compile(r"^(\.*)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")
_PLAIN_REF = re.compile(r"\$\{(?![\w.]+:)")
_SAFE_RESOLVERS = ("oc.env:",)
_RESOLVER_CALL = re.compile(r"([A-Za-z_][\w.]*):")
#: stands in for a resolved nested interpolation (never part of a key or a resolver's name)
_RESOLVED = "\0"


class _Unknown(Exception):
    pass


def references_resolve(container: dict[str, Any]) -> bool:
    """True when every plain ``${...}`` reference in ``container`` provably resolves to a key.

    False means "not proven" (a missing target, or a form this module does not read): resolve
    with OmegaConf to know.
    """
    checker = _Checker(container)
    try:
        checker.walk(container, [container])
    except _Unknown:
        return False
    return True


class _Checker:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.verified: set[tuple[int, str]] = set()
        self.active: set[tuple[int, str]] = set()

    def walk(self, node: dict[str, Any], chain: list[dict[str, Any]]) -> None:
        for key, value in node.items():
            if not isinstance(key, str) or "." in key:
                raise _Unknown
            if isinstance(value, dict) and value:
                self.walk(value, [*chain, value])
            else:
                self.leaf(chain, key, value)

    def leaf(self, chain: list[dict[str, Any]], key: str, value: Any) -> None:
        """Check the leaf ``chain[-1][key]``, following references to other leaves."""
        if not isinstance(value, str):
            # numbers, booleans, None and {} hold no interpolation; a list may
            text = str(value) if isinstance(value, list) else ""
            if "${" in text and _PLAIN_REF.search(text):
                raise _Unknown  # interpolations inside a list
            return
        text = value
        if "${" not in text or not _PLAIN_REF.search(text):
            return  # CM301 does not look at it either
        marker = (id(chain[-1]), key)
        if marker in self.verified:
            return
        if marker in self.active:
            raise _Unknown  # a reference cycle
        if "\\" in text:
            raise _Unknown  # escapes
        self.active.add(marker)
        for token in _TOKEN.findall(text):  # the innermost interpolations
            if not token.startswith(_SAFE_RESOLVERS):
                self.target(chain, token)
        rest = _TOKEN.sub(_RESOLVED, text)
        while "${" in rest:  # the interpolations around them: calls of unknown resolvers only
            outer = _TOKEN.findall(rest)
            if not outer:
                raise _Unknown  # a form this module does not read
            for token in outer:
                call = _RESOLVER_CALL.match(token)
                if call is None or OmegaConf.has_resolver(call[1]):
                    raise _Unknown
            rest = _TOKEN.sub(_RESOLVED, rest)
        self.active.discard(marker)
        self.verified.add(marker)

    def target(self, chain: list[dict[str, Any]], ref: str) -> None:
        match = _REF.match(ref)
        if not match:
            raise _Unknown
        dots = len(match.group(1))
        parts = match.group(2).split(".")
        if dots:
            if dots > len(chain):
                raise _Unknown
            here = chain[: len(chain) - dots + 1]
        else:
            here = [self.root]
        for part in parts[:-1]:
            node = here[-1].get(part)
            if not isinstance(node, dict):
                raise _Unknown  # missing, or through a list/interpolation: OmegaConf decides
            here = [*here, node]
        last = parts[-1]
        if last not in here[-1]:
            raise _Unknown
        value = here[-1][last]
        if isinstance(value, dict):
            return
        if isinstance(value, list) and "${" in str(value):
            raise _Unknown
        self.leaf(here, last, value)
