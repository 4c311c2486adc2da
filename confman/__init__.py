"""confman: config-as-code for ML systems, on Hydra.

The public API is what ``__all__`` lists; everything else is internal and may change.
"""

from confman.compose import Choice, Composed, DefaultsNode, compose
from confman.errors import (
    CompositionError,
    ConfigDirError,
    ConfmanError,
    MissingConfigError,
    OverrideError,
    ProjectSettingsError,
    YamlSourceError,
)
from confman.provenance import Write
from confman.record import main, unwrap
from confman.store import RunRecord, Store, open_store

__all__ = [
    "Choice",
    "Composed",
    "CompositionError",
    "ConfigDirError",
    "ConfmanError",
    "DefaultsNode",
    "MissingConfigError",
    "OverrideError",
    "ProjectSettingsError",
    "RunRecord",
    "Store",
    "Write",
    "YamlSourceError",
    "compose",
    "main",
    "open_store",
    "unwrap",
]

__version__ = "0.1.0"
