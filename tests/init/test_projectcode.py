"""[tool.confman] modules, search_paths and resolvers: what a tree needs from Python, opted into."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from omegaconf import OmegaConf
from typer.testing import CliRunner

from confman import projectcode
from confman.cli import app
from confman.compose import compose
from confman.errors import ConfmanError, ProjectSettingsError
from confman.settings import load_settings

STORE_MODULE = """
from dataclasses import dataclass
from hydra.core.config_store import ConfigStore


@dataclass
class Postgres:
    host: str = "db.local"
    port: int = 5432


def register():
    ConfigStore.instance().store(group="db", name="postgres", node=Postgres)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "proj"
    write(
        root,
        {
            "conf/train.yaml": """
                defaults:
                  - db: postgres
                  - _self_
                batches: ${div_up:10,3}
                """,
            "shared/conf/db/sqlite.yaml": "path: runs.db\n",
            "myproj/__init__.py": "",
            "myproj/store.py": STORE_MODULE,
            "myproj/resolvers.py": "def div_up(x, y):\n    return (x + y - 1) // y\n",
        },
    )
    monkeypatch.chdir(root)
    projectcode.clear()
    yield root
    projectcode.clear()
    OmegaConf.clear_resolver("div_up")
    for name in [m for m in sys.modules if m == "myproj" or m.startswith("myproj.")]:
        del sys.modules[name]


def settings_file(root: Path, extra: str = "") -> None:
    (root / "pyproject.toml").write_text(f'[tool.confman]\nconfig_dir = "conf"\n{extra}')


def test_missing_configstore_module_names_the_setting(project: Path) -> None:
    settings_file(project)
    with pytest.raises(ConfmanError) as caught:
        compose("train", config_dir=load_settings().config_dir)
    assert "no option 'postgres' in config group 'db'" in caught.value.message
    assert 'modules = ["myproj.store:register"]' in (caught.value.hint or "")
    assert "myproj/store.py:" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        # a test registering its own entry is not a module the application needs
        ("tests/test_db.py", f"def test_db():\n{textwrap.indent(STORE_MODULE, '    ')}"),
        # a Hydra plugin's config (``hydra/sweeper``) gives no option to the project's groups
        (
            "hydra_plugins/x_sweeper/x_sweeper.py",
            STORE_MODULE.replace('group="db", name="postgres"', 'group="hydra/sweeper", name="x"'),
        ),
    ],
    ids=["test code", "a plugin in hydra/sweeper"],
)
def test_a_registration_the_application_does_not_need_is_no_hint(
    project: Path, rel: str, text: str
) -> None:
    """Only registrations that could give the missing option are offered as modules to add."""
    write(project, {rel: text})
    settings_file(project)
    (project / "myproj/store.py").unlink()
    with pytest.raises(ConfmanError) as caught:
        compose("train", config_dir=load_settings().config_dir)
    assert "no option 'postgres' in config group 'db'" in caught.value.message
    assert "modules =" not in (caught.value.hint or "")
    assert rel not in (caught.value.hint or "")


def test_listed_module_registers_and_resolver_resolves(project: Path) -> None:
    settings_file(
        project,
        'modules = ["myproj.store:register"]\n\n'
        '[tool.confman.resolvers]\ndiv_up = "myproj.resolvers:div_up"\n',
    )
    composed = compose("train", config_dir=load_settings().config_dir)
    assert composed.to_container(resolve=True) == {
        "db": {"host": "db.local", "port": 5432},
        "batches": 4,
    }


def test_search_paths_add_config_folders(project: Path) -> None:
    settings_file(project, 'search_paths = ["shared/conf"]\n')
    composed = compose("train", ["db=sqlite"], config_dir=load_settings().config_dir)
    assert composed.config.db.path == "runs.db"


def test_unregistered_resolver_in_cli_says_what_to_add(project: Path) -> None:
    settings_file(project, 'modules = ["myproj.store:register"]\n')
    write(
        project,
        {
            "train.py": "from omegaconf import OmegaConf\nfrom myproj.resolvers "
            "import div_up\nOmegaConf.register_new_resolver('div_up', div_up)\n"
        },
    )
    result = CliRunner().invoke(app, ["compose", "train", "--resolve"])
    assert result.exit_code == 2
    assert "div_up" in result.output
    assert "[tool.confman.resolvers]" in result.output


def test_a_module_that_does_not_import_is_one_clear_error(project: Path) -> None:
    settings_file(project, 'modules = ["myproj.nope"]\n')
    with pytest.raises(ProjectSettingsError, match=r"modules 'myproj.nope': cannot import"):
        compose("train", config_dir=load_settings().config_dir)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('modules = "x"', "modules must be a list of strings"),
        ("resolvers = 3", "resolvers must be a table"),
        ('serach_paths = ["x"]', "did you mean 'search_paths'"),
    ],
    ids=["modules-not-list", "resolvers-not-table", "typo"],
)
def test_bad_settings_are_errors(project: Path, line: str, message: str) -> None:
    settings_file(project, line + "\n")
    with pytest.raises(ProjectSettingsError) as caught:
        load_settings()
    assert message in str(caught.value)


def test_config_dir_flag_outside_the_project_keeps_the_project_opt_ins(
    project: Path, tmp_path: Path
) -> None:
    """``--config-dir`` names the tree; the project the command runs in still says what runs."""
    settings_file(project, 'search_paths = ["shared/conf"]\n')
    write(tmp_path / "elsewhere", {"conf/run.yaml": "defaults:\n  - db: sqlite\n  - _self_\n"})
    result = CliRunner().invoke(
        app,
        ["compose", "run", "--config-dir", str(tmp_path / "elsewhere/conf"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert '"path": "runs.db"' in result.output


def test_a_config_dir_composed_alone_runs_its_own_project_opt_ins(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No settings were loaded for it: the project at or above the config dir opts in."""
    settings_file(
        project,
        'modules = ["myproj.store:register"]\n\n'
        '[tool.confman.resolvers]\ndiv_up = "myproj.resolvers:div_up"\n',
    )
    monkeypatch.chdir(tmp_path)  # outside the project
    composed = compose("train", config_dir=project / "conf")
    assert composed.to_container(resolve=True)["batches"] == 4
