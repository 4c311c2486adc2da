"""The clean fixture system and the bundled example system have no findings at all."""

from __future__ import annotations

from pathlib import Path

from linttree import findings

REPO = Path(__file__).resolve().parents[2]


def test_clean_fixture_system_has_no_findings(system):
    assert findings(system()) == []


def test_bundled_example_system_has_no_findings():
    assert findings(REPO) == []
