"""Typed configs: pydantic schemas bound to configs and groups, validated at file:line."""

from confman.schema.api import Validated, load, load_config, validate_composed
from confman.schema.binding import Binding, Bindings, import_schema, load_bindings
from confman.schema.validate import Issue

__all__ = [
    "Binding",
    "Bindings",
    "Issue",
    "Validated",
    "import_schema",
    "load",
    "load_bindings",
    "load_config",
    "validate_composed",
]
