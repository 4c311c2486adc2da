"""Fixtures the CLI tests share with the package tests they mirror."""

from __future__ import annotations

from tests.schema.conftest import project

__all__ = ["project"]
