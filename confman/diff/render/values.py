"""Values as Hydra's override grammar writes them; used by every format so that what a user
reads is also what they could type (``'1'`` is a string, ``1`` an int, ``null`` is None)."""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["hydra_key_ok", "hydra_value"]

# Unquoted strings stay strings in Hydra's grammar only if they look like none of these.
_RESERVED = {"true", "false", "null", "nan", "inf", "+inf", "-inf"}
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_\-./]*")
_ID = re.compile(r"[A-Za-z_$][A-Za-z0-9_\-$]*")


def hydra_key_ok(path: str) -> bool:
    """Whether a dotted key can be written in a Hydra override (every segment an ID)."""
    return all(_ID.fullmatch(part) for part in path.split("."))


def hydra_value(value: Any) -> str:
    """``value`` written so that Hydra's override parser reads it back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(hydra_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_dict_key(k)}:{hydra_value(v)}" for k, v in value.items()) + "}"
    return _string(str(value))


def _dict_key(key: Any) -> str:
    text = str(key)
    if not _ID.fullmatch(text):
        raise ValueError(f"mapping key {text!r} cannot be written in a Hydra override")
    return text


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    # Hydra's quoted strings: a quote is escaped as \', and backslashes are literal except a run
    # of them right before a quote or at the end of the string, which must be doubled.
    out: list[str] = []
    run = 0
    for char in text:
        if char == "\\":
            run += 1
            continue
        if char == "'":
            out.append("\\" * (2 * run) + "\\'")
        else:
            out.append("\\" * run + char)
        run = 0
    out.append("\\" * (2 * run))
    return "'" + "".join(out) + "'"
