"""``confman.caches``: every process-wide cache is bounded and one ``clear()`` empties them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from confman import caches, compose
from confman.caches import Bounded
from confman.yamlsource import load_yaml_file


def test_least_recently_used_entry_goes_first() -> None:
    cache: Bounded[str, int] = Bounded("test lru", 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now the most recently used
    cache.put("c", 3)
    assert "b" not in cache
    assert list(cache) == ["a", "c"]
    assert cache.pop("a") == 1
    assert len(cache) == 1


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Bounded("test bad", 0)


def test_every_confman_cache_is_registered_bounded_and_cleared(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("a: 1\n")
    compose("config", config_dir=tmp_path)
    load_yaml_file(tmp_path / "config.yaml")
    names = {c.name for c in caches.registered()}
    assert {"parsed YAML files", "Hydra loaders per config dir"} <= names
    assert all(c.bound >= 1 for c in caches.registered())
    assert any(len(c) for c in caches.registered())
    caches.clear()
    assert not any(len(c) for c in caches.registered())
    assert compose("config", config_dir=tmp_path).config.a == 1  # works again, cold
