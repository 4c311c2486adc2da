"""Every cache confman keeps for the life of a process, in one place: bounded, cleared at once.

confman reuses work across calls in one process (parsed YAML files, Hydra loaders per config
dir, lint's last compositions, the project code it ran, Hydra's own packaged configs). Each of
those is a :class:`Bounded` map registered here, so none grows without limit in a long-lived
process (a notebook, a test suite, a sweep over generated trees) and :func:`clear` forgets them
all (tests and benchmarks use it to measure a cold run, as a fresh ``confman`` process sees it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["Bounded", "clear", "registered"]

K = TypeVar("K")
V = TypeVar("V")

_registry: list[Bounded[object, object]] = []
_registry_lock = threading.Lock()


class Bounded(Generic[K, V]):
    """A map that keeps at most ``bound`` entries, dropping the least recently used first.

    Thread-safe: every operation holds the map's own lock.
    """

    def __init__(self, name: str, bound: int) -> None:
        if bound < 1:
            raise ValueError(f"cache '{name}' needs a bound of at least 1, got {bound}")
        self.name = name
        self.bound = bound
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        with _registry_lock:
            _registry.append(self)  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        """The entry for ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, dropping the least recently used beyond the bound."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.bound:
                self._data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __iter__(self) -> Iterator[K]:
        with self._lock:
            return iter(list(self._data))


def registered() -> list[Bounded[object, object]]:
    """Every cache confman keeps (for tests and ``confman --debug`` style reports)."""
    with _registry_lock:
        return list(_registry)


def clear() -> None:
    """Forget every cached entry of every cache: the next call does all its work anew."""
    for cache in registered():
        cache.clear()
