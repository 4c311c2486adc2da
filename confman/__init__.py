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
    YamlSourceError,
)
from confman.provenance import Write

__all__ = [
    "Change",
    "Choice",
    "Composed",
    "CompositionError",
    "ConfigDirError",
    "ConfmanError",
    "DefaultsNode",
    "DiffSideError",
    "MissingConfigError",
    "OverrideError",
    "ProjectSettingsError",
    "Write",
    "YamlSourceError",
    "compose",
    "diff",
]

__version__ = "0.1.0"
