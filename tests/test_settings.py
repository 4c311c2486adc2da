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


@pytest.mark.parametrize(
    ("table", "message", "hint"),
    [
        ('config_dri = "conf"', "unknown key 'config_dri'", "did you mean 'config_dir'?"),
        ('verison_base = "1.3"', "unknown key 'verison_base'", "did you mean 'version_base'?"),
        ('stroe = "x.db"', "unknown key 'stroe'", "did you mean 'store'?"),
        ("[tool.confman.lnt]\nsrc = []", "unknown key 'lnt'", "did you mean 'lint'?"),
        ("version_base = 1.3", "version_base must be a string", '"1.3"'),
        ('allowed_paths = "a"', "allowed_paths must be a list of strings", "allowed_paths = ["),
        ("allowed_paths = [1]", "allowed_paths must be a list of strings", "allowed_paths = ["),
        ("schemas = 3", "schemas must be a table", None),
    ],
    ids=[
        "config-dir",
        "version-base",
        "store",
        "lint-table",
        "float-base",
        "paths-str",
        "paths-int",
        "schemas-int",
    ],
)
def test_a_typo_or_a_wrong_type_in_tool_confman_is_an_error(
    tmp_path: Path, table: str, message: str, hint: str | None
):
    text = table if table.startswith("[") else f"[tool.confman]\n{table}\n"
    (tmp_path / "pyproject.toml").write_text(text + "\n")
    with pytest.raises(ProjectSettingsError) as info:
        load_settings(tmp_path)
    assert str(tmp_path / "pyproject.toml") in str(info.value)
    assert message in str(info.value)
    if hint:
        assert hint in (info.value.hint or "")


def test_every_setting_confman_reads_validates(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        """
[tool.confman]
config_dir = "cfg"
config_name = "train"
version_base = "1.3"
store = "runs.db"
secret_patterns = ["hook"]
allowed-paths = ["../shared"]

[tool.confman.schemas]
train = "schemas.train:TrainConfig"

[tool.confman.lint]
src = ["examples"]
per-file-ignores = {"conf/x/*" = ["CM202"]}

[tool.confman.secrets]
extra-keys = ["^hook_url$"]
"""
    )
    settings = load_settings(tmp_path)
    assert settings.table.config_name == "train"
    assert settings.table.store == "runs.db"
    assert settings.raw["lint"]["per-file-ignores"] == {"conf/x/*": ["CM202"]}
    assert settings.raw["secrets"] == {"extra-keys": ["^hook_url$"]}
    assert settings.allowed_paths == (str((tmp_path / "../shared").resolve()),)


def test_the_repository_own_settings_validate():
    root = Path(__file__).resolve().parents[1]
    assert load_settings(root).table.lint
