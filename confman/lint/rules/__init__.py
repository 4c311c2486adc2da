"""The rule registry: one module per rule, registered here in one explicit, greppable dict.

A rule module has ``CODE``, ``NAME``, ``LEVEL`` and ``check(context) -> Iterator[Diagnostic]``;
its docstring is its documentation (``confman rule CODE`` prints it).
"""

from __future__ import annotations

from types import ModuleType

from confman.lint.rules import (
    broken_interpolation,
    copied_value,
    dead_option,
    default_value,
    deprecated_name,
    duplicate_key,
    duplicate_option,
    input_error,
    redundant_override,
    restated_base_value,
    same_in_every_option,
    secret_literal,
    shared_across_primaries,
    unknown_key,
    unread_in_runs,
    unused_key,
)

__all__ = ["RULES", "rule"]

RULES: dict[str, ModuleType] = {
    "CM000": input_error,
    "CM101": unused_key,
    "CM102": unread_in_runs,
    "CM103": dead_option,
    "CM104": deprecated_name,
    "CM201": duplicate_key,
    "CM202": redundant_override,
    "CM203": copied_value,
    "CM204": duplicate_option,
    "CM205": default_value,
    "CM206": shared_across_primaries,
    "CM207": same_in_every_option,
    "CM208": restated_base_value,
    "CM301": broken_interpolation,
    "CM302": unknown_key,
    "CM401": secret_literal,
}


def rule(code_or_name: str) -> ModuleType | None:
    """Find a rule by code (``CM201``) or name (``duplicate-key``)."""
    wanted = code_or_name.strip()
    for code, module in RULES.items():
        if wanted.upper() == code or wanted.lower() == module.NAME:
            return module
    return None
