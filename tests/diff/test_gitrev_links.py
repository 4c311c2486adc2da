"""``diff NAME@REV``: a committed symlink that points outside the config dir is a one-line error,
not a traceback, and nothing it points to is read (a real git repository)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.diff.gitrev import config_dir_at
from confman.errors import DiffSideError
from tests.diff.conftest import git


@pytest.mark.parametrize("target", ["absolute", "relative"])
def test_committed_link_outside_is_refused(conf: Path, tmp_path: Path, target: str) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2-outside\n")
    link = conf / "model" / "leak.yaml"
    link.symlink_to(secret if target == "absolute" else Path("..") / ".." / "secret.yaml")
    git(conf.parent, "add", "-A")
    git(conf.parent, "commit", "-qm", "link out")
    refused = pytest.raises(DiffSideError, match=r"conf/model/leak.yaml at revision 'HEAD' is")
    with refused, config_dir_at(conf, "HEAD"):
        pass
    result = CliRunner().invoke(app, ["diff", "train@HEAD", "train", "--config-dir", str(conf)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "hunter2" not in result.output
    assert (
        result.stderr.startswith("confman: error: ") and "outside the config dir" in result.stderr
    )


def test_committed_link_inside_is_followed(conf: Path) -> None:
    (conf / "model" / "alias.yaml").symlink_to("vit.yaml")
    git(conf.parent, "add", "-A")
    git(conf.parent, "commit", "-qm", "link in")
    with config_dir_at(conf, "HEAD") as (tree, _):
        assert (tree / "model" / "alias.yaml").read_text() == (
            conf / "model" / "vit.yaml"
        ).read_text()
