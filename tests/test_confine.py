"""Confinement probes: a config that names a package, a folder or a link outside the project
makes confman import nothing and read nothing there, unless the project's pyproject allows it.

Every probe is real: a package on a temporary ``sys.path`` whose ``__init__`` writes a marker
file, real symlinks, the real typer app and lint engine."""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.compose import compose
from confman.confine import confinement_for, locate_package
from confman.errors import ConfinementError

runner = CliRunner()

INIT = "import pathlib\npathlib.Path({marker!r}).write_text('imported')\n"


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """The file a hostile package's ``__init__`` writes when it is imported."""
    return tmp_path / "IMPORTED"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project: pyproject.toml with [tool.confman] and an empty conf/; cwd is the project."""
    root = tmp_path / "project"
    (root / "conf").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    monkeypatch.chdir(root)
    return root


def _package(site: Path, name: str, marker: Path) -> Path:
    """A package ``name`` with ``conf/db/remote.yaml``; importing it (or ``name.conf``) writes
    ``marker``."""
    pkg = site / name
    (pkg / "conf" / "db").mkdir(parents=True)
    (pkg / "__init__.py").write_text(INIT.format(marker=str(marker)))
    (pkg / "conf" / "__init__.py").write_text(INIT.format(marker=str(marker)))
    (pkg / "conf" / "db" / "remote.yaml").write_text("host: from-package\n")
    return pkg


def _zip_package(site: Path, name: str, marker: Path) -> Path:
    """The same package inside a zip on sys.path: no folder to find, only an import reaches it."""
    archive = site / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{name}/__init__.py", INIT.format(marker=str(marker)))
        zf.writestr(f"{name}/conf/__init__.py", "")
        zf.writestr(f"{name}/conf/db/remote.yaml", "host: from-zip\n")
    return archive


def _searchpath_config(conf: Path, entry: str, option: str = "remote") -> None:
    (conf / "config.yaml").write_text(
        f"defaults:\n  - db: {option}\n  - _self_\nhydra:\n  searchpath:\n    - {entry}\n"
    )


# -- pkg:// search paths ---------------------------------------------------------------------


def test_pkg_searchpath_is_read_without_importing(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"cmpkg_{tmp_path.name.replace('-', '_')}"
    _package(tmp_path / "site", name, marker)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    _searchpath_config(project / "conf", f"pkg://{name}.conf")
    got = compose("config", config_dir=project / "conf")
    assert got.to_container() == {"db": {"host": "from-package"}}
    assert not marker.exists() and name not in sys.modules
    result = runner.invoke(app, ["compose", "config", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "from-package" in result.stdout
    assert not marker.exists() and name not in sys.modules


def test_pkg_searchpath_of_an_editable_install_is_read_without_importing(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install maps the name with a finder on sys.meta_path, not a sys.path entry."""
    name = f"cmedit_{tmp_path.name.replace('-', '_')}"
    pkg = _package(tmp_path / "src", name, marker)

    class EditableFinder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: object, target: object = None) -> Any:
            if fullname != name:
                return None
            return importlib.util.spec_from_file_location(
                name, pkg / "__init__.py", submodule_search_locations=[str(pkg)]
            )

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, EditableFinder()])
    _searchpath_config(project / "conf", f"pkg://{name}.conf")
    got = compose("config", config_dir=project / "conf")
    assert got.to_container() == {"db": {"host": "from-package"}}
    assert not marker.exists() and name not in sys.modules


@pytest.mark.parametrize("where", ["config", "override"])
def test_pkg_searchpath_only_importable_is_refused(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    name = f"cmzip_{where}_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "site").mkdir()
    monkeypatch.syspath_prepend(str(_zip_package(tmp_path / "site", name, marker)))
    overrides: list[str] = []
    if where == "config":
        _searchpath_config(project / "conf", f"pkg://{name}.conf")
    else:
        (project / "conf" / "config.yaml").write_text("defaults:\n  - db: remote\n  - _self_\n")
        overrides = [f"hydra.searchpath=[pkg://{name}.conf]"]
    with pytest.raises(ConfinementError) as info:
        compose("config", overrides, config_dir=project / "conf")
    assert not marker.exists() and name not in sys.modules
    expected = "config.yaml:5:" if where == "config" else "override hydra.searchpath:"
    assert str(info.value).startswith(f"{expected} search path 'pkg://{name}.conf'")
    assert "allowed_paths" in str(info.value)
    result = runner.invoke(app, ["compose", "config", *overrides])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"confman: error: {expected}")
    assert "Traceback" not in result.output
    assert not marker.exists() and name not in sys.modules


def test_pkg_searchpath_naming_no_package_folder_is_unavailable_as_in_hydra(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package that does not exist, or a folder package without the named subfolder, is a
    search path with nothing in it (Hydra: not available), and nothing is imported."""
    name = f"cmsub_{tmp_path.name.replace('-', '_')}"
    _package(tmp_path / "site", name, marker)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    (project / "conf" / "db").mkdir()
    (project / "conf" / "db" / "local.yaml").write_text("host: local\n")
    for entry in ("pkg://cm_no_such_package.conf", f"pkg://{name}.missing"):
        _searchpath_config(project / "conf", entry, option="local")
        with pytest.warns(UserWarning, match="is not available"):
            got = compose("config", config_dir=project / "conf")
        assert got.to_container() == {"db": {"host": "local"}}
        assert not marker.exists() and name not in sys.modules


def test_pkg_searchpath_allowed_in_pyproject_is_imported(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The opt-in works: the project itself says the package may be imported."""
    name = f"cmzipok_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "site").mkdir()
    monkeypatch.syspath_prepend(str(_zip_package(tmp_path / "site", name, marker)))
    (project / "pyproject.toml").write_text(
        f'[tool.confman]\nconfig_dir = "conf"\nallowed_paths = ["pkg://{name}.conf"]\n'
    )
    _searchpath_config(project / "conf", f"pkg://{name}.conf")
    try:
        got = compose("config", config_dir=project / "conf")
    finally:
        for mod in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[mod]
    assert got.to_container() == {"db": {"host": "from-zip"}}
    assert marker.exists()


def test_lint_follows_no_package_a_config_names(
    project: Path, tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind in ("dir", "zip"):
        name = f"cmlint_{kind}_{tmp_path.name.replace('-', '_')}"
        site = tmp_path / f"site_{kind}"
        site.mkdir()
        if kind == "dir":
            _package(site, name, marker)
            monkeypatch.syspath_prepend(str(site))
        else:
            monkeypatch.syspath_prepend(str(_zip_package(site, name, marker)))
        _searchpath_config(project / "conf", f"pkg://{name}.conf")
        result = runner.invoke(app, ["lint", "--output-format", "concise"])
        assert "Traceback" not in result.output
        assert not marker.exists() and name not in sys.modules
        if kind == "zip":
            assert result.exit_code == 1, result.output
            assert "CM000" in result.stdout and "does not import packages" in result.stdout


def test_locate_package_follows_the_path_finder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for site in (first, second):
        (site / "nspkg_cm" / "conf").mkdir(parents=True)
        (site / "regpkg_cm" / "conf").mkdir(parents=True)
    (second / "regpkg_cm" / "__init__.py").write_text("")  # regular package in the 2nd entry
    (first / "shadow_cm.py").write_text("")  # a module shadows the package after it
    (second / "shadow_cm" / "conf").mkdir(parents=True)
    (second / "shadow_cm" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    assert locate_package("nspkg_cm.conf") == first / "nspkg_cm" / "conf"  # namespace portions
    assert locate_package("regpkg_cm.conf") == second / "regpkg_cm" / "conf"
    assert locate_package("shadow_cm.conf") is None
    assert locate_package("nspkg_cm.missing") is None
    assert locate_package("nspkg_cm...") == first / "nspkg_cm"
    assert locate_package("..") is None
    assert locate_package("hydra.conf") is not None  # imported already: found on its __path__


# -- file:// search paths and links ----------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    (folder / "db").mkdir(parents=True)
    (folder / "db" / "remote.yaml").write_text("host: from-elsewhere\n")
    return folder


@pytest.mark.parametrize("how", ["absolute", "link"])
def test_file_searchpath_outside_the_project_is_refused(
    project: Path, elsewhere: Path, how: str
) -> None:
    target = elsewhere
    if how == "link":  # a folder inside the project that links out
        (project / "extra").symlink_to(elsewhere)
        target = project / "extra"
    _searchpath_config(project / "conf", f"file://{target}")
    with pytest.raises(ConfinementError, match=r"^config.yaml:5: search path 'file://"):
        compose("config", config_dir=project / "conf")
    result = runner.invoke(app, ["compose", "config"])
    assert result.exit_code == 2 and "from-elsewhere" not in result.output
    assert result.stderr.count("\n") == 2  # the message and its hint, no traceback
    assert "outside the project" in result.stderr and "allowed_paths" in result.stderr


def test_file_searchpath_allowed_or_inside_the_project_is_read(
    project: Path, elsewhere: Path
) -> None:
    _searchpath_config(project / "conf", f"file://{elsewhere}")
    (project / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\nallowed_paths = ["../elsewhere"]\n'
    )
    got = compose("config", config_dir=project / "conf")
    assert got.to_container() == {"db": {"host": "from-elsewhere"}}
    (project / "shared" / "db").mkdir(parents=True)
    (project / "shared" / "db" / "remote.yaml").write_text("host: shared\n")
    _searchpath_config(project / "conf", f"file://{project / 'shared'}")
    (project / "pyproject.toml").write_text('[tool.confman]\nconfig_dir = "conf"\n')
    assert compose("config", config_dir=project / "conf").to_container() == {
        "db": {"host": "shared"}
    }


def test_without_pyproject_the_config_dir_is_the_project(tmp_path: Path, elsewhere: Path) -> None:
    conf = tmp_path / "bare" / "conf"
    conf.mkdir(parents=True)
    _searchpath_config(conf, f"file://{elsewhere}")
    assert confinement_for(conf).root == os.path.realpath(conf)
    with pytest.raises(ConfinementError):
        compose("config", config_dir=conf)


def test_lint_reads_no_linked_file_outside_the_project(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2-outside\n")
    (project / "conf" / "train.yaml").write_text("seed: 1\n")
    (project / "conf" / "leak.yaml").symlink_to(secret)
    result = runner.invoke(app, ["lint", "--output-format", "full"])
    assert result.exit_code == 1, result.output
    assert "hunter2" not in result.output and "--> conf/leak.yaml:1:1" in result.stdout
    concise = runner.invoke(app, ["lint", "--output-format", "concise"])
    assert f"conf/leak.yaml:1:1: CM000 a link to {secret}, outside the project" in concise.stdout
    (project / "pyproject.toml").write_text(
        f'[tool.confman]\nconfig_dir = "conf"\nallowed_paths = ["{tmp_path}"]\n'
    )
    allowed = runner.invoke(app, ["lint", "--output-format", "concise"])
    assert "outside the project" not in allowed.output


def test_allowed_paths_must_be_a_list_of_strings(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.confman]\nallowed_paths = "../x"\n')
    result = runner.invoke(app, ["compose", "x"])
    assert result.exit_code == 2
    assert "allowed_paths must be a list of strings" in result.stderr
