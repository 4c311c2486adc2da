"""Every way a compose can fail gives one confman error naming the thing, the file:line, a hint.

Library level: the exception type and its message. No Hydra multi-line dumps, no URLs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from confman import compose
from confman.errors import (
    CompositionError,
    ConfigDirError,
    ConfmanError,
    MissingConfigError,
    OverrideError,
    YamlSourceError,
)

BASE: dict[str, str | bytes] = {
    "config.yaml": """
        defaults:
          - db: mysql
          - _self_
        server:
          port: 80
          host: example.org
        """,
    "db/mysql.yaml": "driver: mysql\n",
    "db/postgres.yaml": "driver: pg\n",
}


@pytest.fixture
def conf(make_tree) -> Path:
    return make_tree(BASE)


def _fails(exc_type: type[ConfmanError], conf: Path, name: str | None, overrides=()) -> str:
    with pytest.raises(exc_type) as info:
        compose(name, list(overrides), config_dir=conf, cache=False)
    message = str(info.value)
    assert "http" not in message and "Traceback" not in message
    return message


def _one_line(message: str) -> None:
    assert "\n" not in message, message


def test_missing_config_dir(tmp_path: Path) -> None:
    message = _fails(ConfigDirError, tmp_path / "nope", "config")
    _one_line(message)
    assert str(tmp_path / "nope") in message and "--config-dir" in message


def test_unknown_config_name_lists_available(conf: Path) -> None:
    message = _fails(MissingConfigError, conf, "confg")
    _one_line(message)
    assert "'confg' not found" in message
    assert "did you mean 'config'?" in message and "available configs: config" in message


def test_unknown_group_option_lists_options(conf: Path) -> None:
    message = _fails(MissingConfigError, conf, "config", ["db=mysqll"])
    _one_line(message)
    assert "no option 'mysqll' in config group 'db'" in message
    assert "did you mean 'mysql'?" in message and "mysql, postgres" in message


def test_unknown_option_in_defaults_list(make_tree) -> None:
    conf = make_tree({**BASE, "config.yaml": "defaults:\n  - db: oracle\n"})
    message = _fails(MissingConfigError, conf, "config")
    assert "no option 'oracle' in config group 'db'" in message and "mysql, postgres" in message


def test_unknown_group(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["dbb=mysql"])
    _one_line(message)
    assert "'dbb'" in message and "did you mean 'db'?" in message


def test_unknown_group_append(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["+dbb@x=mysql"])
    _one_line(message)
    assert "config group 'dbb' does not exist" in message and "did you mean 'db'?" in message


@pytest.mark.parametrize(
    ("override", "column"),
    [("server.port=[1", 12), ("server.port=1)", 13), ("server.port=a b{", 15)],
)
def test_bad_override_syntax_points_at_character(conf: Path, override: str, column: int) -> None:
    message = _fails(OverrideError, conf, "config", [override])
    first, shown, caret = message.splitlines()[:3]
    assert f"bad override '{override}'" in first
    assert shown.strip() == override
    assert caret.index("^") - shown.index(override[0]) == column


def test_override_of_missing_key(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["server.prot=1"])
    _one_line(message)
    assert "cannot override 'server.prot'" in message
    assert "did you mean 'server.port'?" in message and "'+server.prot=1'" in message


def test_override_adding_keys_to_existing_mapping(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["server={tls: true}"])
    _one_line(message)
    assert "cannot override 'server'" in message and "'++server={tls: true}'" in message
    assert "no such key" not in message


def test_delete_of_missing_key(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["~server.prot"])
    _one_line(message)
    assert "cannot delete 'server.prot'" in message and "did you mean 'server.port'?" in message


def test_plus_on_existing_key(conf: Path) -> None:
    message = _fails(OverrideError, conf, "config", ["+server.port=1"])
    _one_line(message)
    assert "cannot add 'server.port': it already exists" in message and "'++'" in message


def test_yaml_syntax_error_has_file_line_col(make_tree) -> None:
    conf = make_tree({**BASE, "db/mysql.yaml": "driver: mysql\nports: [1, 2\n"})
    message = _fails(YamlSourceError, conf, "config")
    _one_line(message)
    assert re.match(r"db/mysql\.yaml:3:\d+: YAML syntax error", message), message


def test_duplicate_keys_name_both_lines(make_tree) -> None:
    conf = make_tree({**BASE, "db/mysql.yaml": "driver: mysql\nport: 1\nport: 2\n"})
    message = _fails(YamlSourceError, conf, "config")
    _one_line(message)
    assert "db/mysql.yaml:3: duplicate key 'port' (first set at line 2)" in message


def test_binary_file(make_tree) -> None:
    conf = make_tree({**BASE, "db/mysql.yaml": b"driver: \x00\x01\x02\xff"})
    message = _fails(YamlSourceError, conf, "config")
    assert message.startswith("db/mysql.yaml: ") and "binary" in message


def test_non_utf8_file(make_tree) -> None:
    conf = make_tree({**BASE, "db/mysql.yaml": b"driver: mysql\nname: caf\xe9\n"})
    message = _fails(YamlSourceError, conf, "config")
    _one_line(message)
    assert message.startswith("db/mysql.yaml:2: not valid UTF-8")


def test_python_tag_refused(make_tree, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    evil = f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    conf = make_tree({**BASE, "db/mysql.yaml": evil})
    message = _fails(YamlSourceError, conf, "config")
    _one_line(message)
    assert message.startswith("db/mysql.yaml:1: refused unsafe YAML tag")
    assert not marker.exists()


def test_alias_bomb(make_tree) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    conf = make_tree({**BASE, "db/mysql.yaml": "\n".join(rows) + "\n"})
    message = _fails(YamlSourceError, conf, "config")
    _one_line(message)
    assert re.match(r"db/mysql\.yaml:\d+: aliases expand", message), message


def test_deep_nesting(make_tree) -> None:
    conf = make_tree({**BASE, "db/mysql.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"})
    message = _fails(YamlSourceError, conf, "config")
    assert message.startswith("db/mysql.yaml:1: nesting deeper than")


def test_cyclic_defaults(make_tree) -> None:
    conf = make_tree({"loop.yaml": "defaults:\n  - other\n", "other.yaml": "defaults:\n  - loop\n"})
    message = _fails(CompositionError, conf, "loop")
    _one_line(message)
    assert "'loop'" in message and "cycl" in message


def test_config_including_itself(make_tree) -> None:
    conf = make_tree({"self.yaml": "defaults:\n  - self\nx: 1\n"})
    assert "cycl" in _fails(CompositionError, conf, "self")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A config outside the config dir whose reading would fail loudly (binary)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    target = folder / "secret.yaml"
    target.write_bytes(b"secret: \x00")
    return target


def test_option_escaping_with_dotdot_is_not_found(conf: Path, outside: Path) -> None:
    message = _fails(MissingConfigError, conf, "config", ["db=../../outside/secret"])
    assert "no option" in message and "secret" in message


def test_config_name_escaping_with_dotdot_is_not_found(conf: Path, outside: Path) -> None:
    message = _fails(MissingConfigError, conf, "../outside/secret")
    assert "not found" in message and "secret" not in message.split("available configs:")[-1]


def test_symlinked_option_outside_is_not_found(conf: Path, outside: Path) -> None:
    os.symlink(outside, conf / "db" / "leak.yaml")
    message = _fails(MissingConfigError, conf, "config", ["db=leak"])
    assert "no option 'leak'" in message and "leak," not in message


def test_symlinked_primary_outside_is_not_found(conf: Path, outside: Path) -> None:
    os.symlink(outside, conf / "leak.yaml")
    message = _fails(MissingConfigError, conf, "leak")
    assert "config 'leak' not found" in message
    assert "leak" not in message.split("(")[-1]  # not offered as available / did-you-mean


def test_symlinked_group_dir_outside_is_not_a_group(conf: Path, outside: Path) -> None:
    """A group folder symlinked outside is not a group: ``+leaky=secret`` adds a plain key."""
    os.symlink(outside.parent, conf / "leaky")
    composed = compose("config", ["+leaky=secret"], config_dir=conf, cache=False)
    assert composed.to_container()["leaky"] == "secret"  # never read the binary file
    message = _fails(OverrideError, conf, "config", ["+leaky@x=secret"])
    assert "config group 'leaky' does not exist" in message and "groups: db" in message
    assert "leaky" not in message.split("(")[-1]


@pytest.mark.parametrize("override", ["server.port=1,2", "db=mysql,postgres", "db=glob(*)"])
def test_sweep_override_is_clear(conf: Path, override: str) -> None:
    message = _fails(OverrideError, conf, "config", [override])
    _one_line(message)
    assert f"'{override}' is a sweep" in message


def test_merge_type_conflict_names_file(make_tree) -> None:
    conf = make_tree(
        {
            "config.yaml": "defaults:\n  - _self_\n  - t: bad\nc: {k: 1}\n",
            "t/bad.yaml": "# @package _global_\nc: [1]\n",
        }
    )
    message = _fails(CompositionError, conf, "config")
    _one_line(message)
    assert message.startswith("t/bad.yaml: cannot merge")


def test_mandatory_group_not_given(make_tree) -> None:
    conf = make_tree({"config.yaml": "defaults:\n  - model: ???\n", "model/a.yaml": "x: 1\n"})
    message = _fails(ConfmanError, conf, "config")
    _one_line(message)
    assert "model" in message


def test_overrides_as_one_string_is_a_type_error(conf: Path) -> None:
    with pytest.raises(TypeError):
        compose("config", "server.port=1", config_dir=conf)  # type: ignore[arg-type]


def test_list_of_numbers_for_group_is_a_confman_error(conf: Path) -> None:
    """Hydra itself fails with a bare TypeError here (found by the property test)."""
    message = _fails(CompositionError, conf, "config", ["db=[1,2]"])
    _one_line(message)
    assert "db=[1,2]" in message


def test_delete_of_null_key_says_why(make_tree) -> None:
    conf = make_tree({"config.yaml": "e: null\nf: 1\n"})
    message = _fails(OverrideError, conf, "config", ["~e"])
    _one_line(message)
    assert "cannot delete 'e': its value is null" in message and "did you mean" not in message


def test_delete_with_wrong_value(make_tree) -> None:
    conf = make_tree({"config.yaml": "e: null\nf: 1\n"})
    message = _fails(OverrideError, conf, "config", ["~f=3"])
    _one_line(message)
    assert "cannot delete 'f': its value is 1, not 3" in message and "'~f'" in message
