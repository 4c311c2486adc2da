"""``confman.compose``: a composition, or with ``schema=`` the validated model instance.

The public entry over the two layers it joins: :mod:`confman.compose` composes (and knows nothing
of schemas), :mod:`confman.schema.api` validates what was composed. The schema layer is imported
on the first call that passes ``schema=``, so ``import confman`` does not load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast, overload

from confman.compose import Composed
from confman.compose import compose as compose_plain

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["compose"]

_M = TypeVar("_M", bound="BaseModel")


@overload
def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: None = None,
) -> Composed: ...


@overload
def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: type[_M],
) -> _M: ...


def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: type[_M] | None = None,
) -> Composed | _M:
    """Compose ``config_name`` with Hydra overrides, recording per-key provenance.

    Args:
        config_name: primary config (file name without ``.yaml``), or None for an empty primary.
        overrides: Hydra command-line overrides (``a.b=1``, ``+x=1``, ``~k``, ``group=opt``...).
        config_dir: the config tree; default: ``[tool.confman] config_dir`` or ``./conf``.
        return_hydra_config: keep Hydra's own ``hydra`` node in the result.
        cache: reuse parsed files across composes (keyed on path, mtime and size).
        version_base: Hydra version base; default: the project's setting when ``config_dir`` comes
            from the project settings, else Hydra's newest (1.3).
        schema: a pydantic model; the composed config is validated against it and returned as
            an instance (``confman.load_config`` returns the model bound in pyproject).

    Returns:
        The config exactly as ``hydra.compose`` returns it, with choices and provenance; with
        ``schema``, that model's instance.

    Raises:
        ValidationFailed: with ``schema``, every issue of the config, sorted by file:line.
        ConfmanError: a subclass per problem (missing dir/config/option, bad override, YAML
            error, composition error), with a message naming the file:line or override.
    """
    if schema is None:
        return compose_plain(
            config_name,
            overrides,
            config_dir=config_dir,
            return_hydra_config=return_hydra_config,
            cache=cache,
            version_base=version_base,
        )
    from confman.schema.api import typed_compose

    instance = typed_compose(
        config_name,
        overrides,
        schema,
        config_dir=config_dir,
        return_hydra_config=return_hydra_config,
        cache=cache,
        version_base=version_base,
    )
    return cast(_M, instance)
