"""``[tool.confman]`` discovery and precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from confman.errors import ProjectSettingsError
from confman.settings import load_settings


def test_defaults_without_pyproject(tmp_path: Path):
    settings = load_settings(tmp_path)
    assert settings.config_dir == (tmp_path / "conf").resolve()
    assert settings.source is None


def test_found_walking_up_and_relative_to_the_file(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "cfg"\nversion_base = "1.1"\n'
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    settings = load_settings(deep)
    assert settings.config_dir == (tmp_path / "cfg").resolve()
    assert settings.version_base == "1.1"
    assert settings.source == tmp_path / "pyproject.toml"


def test_pyproject_without_confman_table_is_skipped(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "outer"\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_settings(inner).config_dir == (tmp_path / "outer").resolve()


def test_cli_flag_beats_pyproject(tmp_path: Path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "cfg"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(tmp_path, config_dir="other").config_dir == (tmp_path / "other").resolve()


def test_malformed_settings_are_clear_errors(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.confman\n")
    with pytest.raises(ProjectSettingsError, match="cannot read project settings"):
        load_settings(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.confman]\nconfig_dir = 3\n")
    with pytest.raises(ProjectSettingsError, match="config_dir must be a string"):
        load_settings(tmp_path)
