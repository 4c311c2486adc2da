"""Composition: a Hydra config exactly as ``hydra.compose`` gives it, with per-key provenance.

One engine, two paths, pinned to each other by tests:

* :mod:`confman.compose.hydrapath` replays Hydra's own loader steps (defaults list, loading,
  OmegaConf merge, overrides) and records each loaded file's leaves; it is the path of
  :func:`compose`, and of every composition the plain path cannot prove equal;
* :mod:`confman.compose.plain` builds the same defaults list with Hydra's code
  (:mod:`confman.compose.hydrafast`) and merges the loaded files as plain data
  (:mod:`confman.compose.plainmerge`), for callers that make many compositions (lint, the
  sweeps of ``validate``);
  its :class:`~confman.compose.plain.Composer` chooses the path per composition.

Results are :mod:`confman.compose.model` shapes; group choices and the defaults tree come from
:mod:`confman.compose.describe`; errors are translated by :mod:`confman.compose.errors`.
"""

from confman.compose.hydrapath import compose
from confman.compose.model import Choice, Composed, DefaultsNode

__all__ = ["Choice", "Composed", "DefaultsNode", "compose"]
