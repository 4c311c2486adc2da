"""confman: config-as-code for ML systems, on Hydra.

The public API is what ``__all__`` lists; everything else is internal and may change.
"""

from confman.compose import Choice, Composed, DefaultsNode, compose
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
from confman.schema import Issue, load, load_config

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
    "SchemaError",
    "ValidationFailed",
    "Write",
    "YamlSourceError",
    "compose",
    "diff",
    "load",
    "load_config",
]

__version__ = "0.1.0"
