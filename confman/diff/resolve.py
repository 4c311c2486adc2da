"""Resolve a side's interpolations for a diff, leaf by leaf: what cannot resolve stays as written.

A real config holds values that only resolve inside the run that uses them
(``${hydra:runtime.cwd}``), resolvers the project registers in Python (``${eval:...}``, which
confman never imports) and interpolations to keys a group adds at run time. None of that should
stop a diff. OmegaConf resolves the whole config when it can; when it cannot, each leaf holding an
interpolation is resolved on its own, and a leaf that fails is kept as written and reported, with
OmegaConf's reason, so the renderers can mark it.
"""

from __future__ import annotations

from typing import Any, cast

from omegaconf import Container, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

__all__ = ["has_interpolation", "resolve_leaves"]

#: What resolving one value may raise: OmegaConf's own errors (missing keys, unknown resolvers,
#: ``${hydra:...}`` outside a run), a cycle, or a registered resolver refusing its input.
_FAILURES = (OmegaConfBaseException, RecursionError, ValueError, TypeError, KeyError)


def has_interpolation(data: Any) -> bool:
    """Whether plain data holds a ``${`` anywhere (OmegaConf's interpolation marker)."""
    if isinstance(data, str):
        return "${" in data
    if isinstance(data, dict):
        return any(has_interpolation(v) for v in data.values())
    if isinstance(data, list):
        return any(has_interpolation(v) for v in data)
    return False


def resolve_leaves(data: Any, resolve: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """``(plain config, {dotted leaf: why it stayed as written})``.

    Plain data without any ``${`` is returned as it is: OmegaConf would hand back an equal copy,
    and on a 100k-leaf config that round trip costs more than the whole diff.
    """
    if isinstance(data, dict) and not has_interpolation(data):
        return data, {}
    cfg = data if OmegaConf.is_config(data) else OmegaConf.create(data)
    if resolve:
        try:
            return cast(dict[str, Any], OmegaConf.to_container(cfg, resolve=True)), {}
        except _FAILURES:
            pass
    raw = cast(dict[str, Any], OmegaConf.to_container(cfg, resolve=False))
    unresolved: dict[str, str] = {}
    if resolve:
        _resolve_into(cast(DictConfig, cfg), raw, "", unresolved)
    return raw, unresolved


def _resolve_into(
    node: DictConfig, raw: dict[Any, Any], prefix: str, unresolved: dict[str, str]
) -> None:
    """Replace, in ``raw``, each leaf holding an interpolation by its resolved value when it
    resolves; record the ones that do not."""
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            _resolve_into(node[key], value, f"{path}.", unresolved)
            continue
        if not has_interpolation(value):
            continue
        try:
            resolved = node[key]
            if isinstance(resolved, Container):
                resolved = OmegaConf.to_container(resolved, resolve=True)
        except _FAILURES as exc:
            unresolved[path] = _reason(exc)
        else:
            raw[key] = resolved


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "interpolations refer to each other in a cycle"
    text = str(getattr(exc, "msg", "") or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
