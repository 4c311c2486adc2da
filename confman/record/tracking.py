"""Which config keys the code actually read: a thin proxy around the object handed to the run.

The proxy records the dotted path of every leaf read through attribute or item access and hands
back proxies for nested sections, so ``cfg.optimizer.lr`` records ``optimizer.lr``. Iterating a
section or converting it records every leaf below it (the code could have read any of them).
``unwrap(obj)`` gives the real object back for libraries that need it (``OmegaConf.to_yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from omegaconf import DictConfig, ListConfig
from pydantic import BaseModel

__all__ = ["Tracked", "track", "unwrap"]


def _is_section(value: Any) -> bool:
    return isinstance(value, (DictConfig, ListConfig, BaseModel, dict, list))


class Tracked:
    """Read-only view of a config section that records the leaves read through it."""

    __slots__ = ("_path", "_seen", "_target")

    def __init__(self, target: Any, path: str, seen: set[str]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_seen", seen)

    def _child(self, key: Any, value: Any) -> Any:
        path = f"{self._path}.{key}" if self._path else str(key)
        if _is_section(value):
            return Tracked(value, path, self._seen)
        self._seen.add(path)
        return value

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        value = getattr(target, name)
        if callable(value) and not _is_section(value):
            return value
        return self._child(name, value)

    def __getitem__(self, key: Any) -> Any:
        return self._child(key, self._target[key])

    def get(self, key: Any, default: Any = None) -> Any:
        """``Mapping.get`` with tracking."""
        try:
            return self[key]
        except (KeyError, IndexError, AttributeError):
            return default

    def _touch_all(self) -> None:
        from confman.provenance import iter_leaves

        data = _plain(self._target)
        if isinstance(data, dict):
            for key, _ in iter_leaves(data):
                self._seen.add(f"{self._path}.{key}" if self._path else key)
        else:
            self._seen.add(self._path)

    def __iter__(self) -> Iterator[Any]:
        self._touch_all()
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)

    def __contains__(self, key: object) -> bool:
        return key in self._target

    def keys(self) -> Any:
        """Keys of the section (reading keys reads no values)."""
        return self._target.keys()

    def items(self) -> Any:
        """Items of the section; records every leaf below."""
        self._touch_all()
        return self._target.items()

    def values(self) -> Any:
        """Values of the section; records every leaf below."""
        self._touch_all()
        return self._target.values()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"config is read-only here: cannot set {name!r}")

    def __repr__(self) -> str:
        return repr(self._target)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        # ``isinstance(cfg, TrainConfig)`` holds for the view of a TrainConfig, as typed code
        # expects; ``type(cfg)`` still says ``Tracked``.
        return type(object.__getattribute__(self, "_target"))

    def __eq__(self, other: object) -> bool:
        return bool(self._target == unwrap(other))

    __hash__ = None  # type: ignore[assignment]


def _plain(value: Any) -> Any:
    if isinstance(value, (DictConfig, ListConfig)):
        from omegaconf import OmegaConf

        return OmegaConf.to_container(value, resolve=False)
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def track(obj: Any) -> tuple[Tracked, set[str]]:
    """A tracking view of ``obj`` and the (live) set of dotted keys read through it."""
    seen: set[str] = set()
    return Tracked(obj, "", seen), seen


def unwrap(obj: Any) -> Any:
    """The object behind a tracking view (``obj`` itself when it is not one)."""
    while isinstance(obj, Tracked):
        obj = object.__getattribute__(obj, "_target")
    return obj
