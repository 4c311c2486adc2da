"""confman: config-as-code for ML systems, on Hydra.

The public API is what ``__all__`` lists; everything else is internal and may change.
The schema layer (pydantic) loads on first use, so ``import confman`` stays cheap for commands
that never validate.
"""

import importlib
from typing import TYPE_CHECKING, Any

from confman.compose import Choice, Composed, DefaultsNode
from confman.diff import Change, diff
from confman.errors import (
    CompositionError,
    ConfigDirError,
    ConfmanError,
    DiffSideError,
    MissingConfigError,
    OverrideError,
    ProjectSettingsError,
    SchemaError,
    ValidationFailed,
    YamlSourceError,
)
from confman.provenance import Write
from confman.typed import compose

if TYPE_CHECKING:  # the real types for type checkers; at run time these load lazily
    from confman.record import main, record_run, unwrap
    from confman.schema import Issue, load, load_config
    from confman.store import RunRecord, Store, open_store

_LAZY = {
    "Issue": "confman.schema",
    "load": "confman.schema",
    "load_config": "confman.schema",
    "RunRecord": "confman.store",
    "Store": "confman.store",
    "open_store": "confman.store",
    "main": "confman.record",
    "record_run": "confman.record",
    "unwrap": "confman.record",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'confman' has no attribute '{name}'")


__all__ = [
    "Change",
    "Choice",
    "Composed",
    "CompositionError",
    "ConfigDirError",
    "ConfmanError",
    "DefaultsNode",
    "DiffSideError",
    "Issue",
    "MissingConfigError",
    "OverrideError",
    "ProjectSettingsError",
    "RunRecord",
    "SchemaError",
    "Store",
    "ValidationFailed",
    "Write",
    "YamlSourceError",
    "compose",
    "diff",
    "load",
    "load_config",
    "main",
    "open_store",
    "record_run",
    "unwrap",
]

__version__ = "0.1.0"
