"""``confman diff`` on the real app: each format's exact output, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from tests.conftest import TreeWriter
from tests.diff.conftest import git_tree


@pytest.fixture
def conf(make_tree: TreeWriter) -> Path:
    return git_tree(make_tree)


def run(runner: CliRunner, conf: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["diff", *args, "--config-dir", str(conf)])
    return result.exit_code, result.stdout, result.stderr


B = ["train", "train", "--b", "model=resnet optimizer.lr=0.1 db.password=s3cr3t"]

TERMINAL = """\
--- a: train
+++ b: train model=resnet optimizer.lr=0.1 db.password=<redacted>
* model: vit -> resnet   [train.yaml:2 -> override 'model=resnet']
    ~ model.name: vit -> resnet   [model/vit.yaml:1 -> model/resnet.yaml:1]
    ~ model.depth: 12 -> 50   [model/vit.yaml:2 -> model/resnet.yaml:2]
    - model.patch: 16   [model/vit.yaml:3]
    + model.block: bottleneck   [model/resnet.yaml:3]
~ optimizer.lr: 0.003 -> 0.1   [optimizer/adam.yaml:1 -> override 'optimizer.lr=0.1']
~ db.password: secret changed   [train.yaml:7 -> override 'db.password=<redacted>']
4 changed, 1 added, 1 removed (1 group choice)
"""

MARKDOWN = """\
**Config diff** `train` → `train model=resnet optimizer.lr=0.1 db.password=<redacted>`: \
4 changed, 1 added, 1 removed (1 group choice)

| | key | a | b | set by |
|---|---|---|---|---|
| ⇄ | **model** | `vit` | `resnet` | train.yaml:2 -> override 'model=resnet' |
| ~ | ↳ `model.name` | `vit` | `resnet` | model/vit.yaml:1 -> model/resnet.yaml:1 |
| ~ | ↳ `model.depth` | `12` | `50` | model/vit.yaml:2 -> model/resnet.yaml:2 |
| - | ↳ `model.patch` | `16` |  | model/vit.yaml:3 |
| + | ↳ `model.block` |  | `bottleneck` | model/resnet.yaml:3 |
| ~ | `optimizer.lr` | `0.003` | `0.1` | optimizer/adam.yaml:1 -> override 'optimizer.lr=0.1' |
| ~ | `db.password` | *changed* | *changed* | train.yaml:7 -> override 'db.password=<redacted>' |
"""

OVERRIDES = """\
model=resnet
optimizer.lr=0.1
# db.password: secret changed, value withheld
"""


def test_terminal(runner: CliRunner, conf: Path) -> None:
    assert run(runner, conf, *B) == (0, TERMINAL, "")


def test_markdown(runner: CliRunner, conf: Path) -> None:
    assert run(runner, conf, *B, "--format", "markdown") == (0, MARKDOWN, "")


def test_overrides(runner: CliRunner, conf: Path) -> None:
    assert run(runner, conf, *B, "-f", "overrides") == (0, OVERRIDES, "")


def test_json_and_yaml_hold_the_same_document(runner: CliRunner, conf: Path) -> None:
    import yaml

    code, out, _ = run(runner, conf, *B, "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"] == "4 changed, 1 added, 1 removed (1 group choice)"
    assert doc["changes"][0] == {
        "path": "model",
        "kind": "choice",
        "old": "vit",
        "new": "resnet",
        "old_source": {"file": "train.yaml", "line": 2, "value": "vit"},
        "new_source": {"override": "model=resnet", "value": "resnet"},
    }
    assert doc["changes"][1]["group"] == "model"
    assert doc["changes"][-1] == {
        "path": "db.password",
        "kind": "changed",
        "old": "<redacted>",
        "new": "<redacted>",
        "secret": True,
        "old_source": {"file": "train.yaml", "line": 7},
        "new_source": {"override": "db.password=<redacted>"},
    }
    assert "s3cr3t" not in out and "hunter2" not in out
    code, out, _ = run(runner, conf, *B, "-f", "yaml")
    assert code == 0 and yaml.safe_load(out) == doc


def test_git_revision_and_exit_code(runner: CliRunner, conf: Path) -> None:
    code, out, _ = run(runner, conf, "train@HEAD~1", "train", "--exit-code", "-f", "overrides")
    assert (code, out) == (1, "optimizer.lr=0.003\n")
    assert run(runner, conf, "train", "train", "--exit-code") == (
        0,
        "--- a: train\n+++ b: train\nno differences\n",
        "",
    )


def test_ignore_and_tolerance(runner: CliRunner, conf: Path) -> None:
    code, out, _ = run(
        runner, conf, "train@HEAD~1", "train", "--ignore", "optimizer.*", "-f", "overrides"
    )
    assert (code, out) == (0, "")
    code, out, _ = run(runner, conf, "train@HEAD~1", "train", "--atol", "0.01", "--exit-code")
    assert code == 0 and "no differences" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train@nope", "train"], "confman: error: side A (train@nope): bad revision 'nope'"),
        (["nosuch", "train"], "confman: error:"),
        (["train", "gone.yaml"], "confman: error: side B (gone.yaml): file not found: gone.yaml"),
        (["train", "train", "-f", "html"], "confman: error: unknown format 'html'"),
    ],
    ids=["bad-rev", "unknown-config", "missing-file", "bad-format"],
)
def test_bad_input_is_one_line_exit_2(
    runner: CliRunner, conf: Path, args: list[str], message: str
) -> None:
    code, out, err = run(runner, conf, *args)
    assert code == 2 and out == ""
    assert err.startswith(message) and "Traceback" not in err


def test_non_mapping_file(runner: CliRunner, conf: Path, tmp_path: Path) -> None:
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n")
    code, _, err = run(runner, conf, str(bad), "train")
    assert code == 2 and "top level is a list, not a mapping" in err


UNRESOLVED = """\
--- a: x.yaml
+++ b: y.yaml
~ a: '${nope}' (as written) -> 1   [x.yaml:1 -> y.yaml:1]
~ b: 2 -> 3   [x.yaml:4 -> y.yaml:4]
~ c: 2 -> 3   [x.yaml:5 -> y.yaml:5]
~ l: [1,'${nope}'] (as written) -> [1,2]   [x.yaml:6 -> y.yaml:6]
(as written): an interpolation that cannot resolve here (${hydra:...} outside a run, a \
resolver registered in Python, a missing key) is compared as written
4 changed
"""


def test_values_that_cannot_resolve_are_compared_as_written(
    runner: CliRunner, conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing key, ``${hydra:...}`` outside a run and an unregistered resolver never abort
    the diff; equal as written is no change, and what resolves is still resolved."""
    monkeypatch.chdir(tmp_path)
    common = "cwd: ${hydra:runtime.cwd}/data\ne: ${eval:1+1}\nb: ${c}\n"
    Path("x.yaml").write_text(f"a: ${{nope}}\n{common}c: 2\nl: [1, '${{nope}}']\n")
    Path("y.yaml").write_text(f"a: 1\n{common}c: 3\nl: [1, 2]\n")
    assert run(runner, conf, "x.yaml", "y.yaml") == (0, UNRESOLVED, "")
    code, out, _ = run(runner, conf, "x.yaml", "y.yaml", "-f", "json")
    assert json.loads(out)["changes"][0] == {
        "path": "a",
        "kind": "changed",
        "old": "${nope}",
        "new": 1,
        "old_unresolved": True,
        "old_source": {"file": "x.yaml", "line": 1, "value": "${nope}"},
        "new_source": {"file": "y.yaml", "line": 1, "value": 1},
    }
    code, out, _ = run(runner, conf, "x.yaml", "y.yaml", "--no-resolve", "-f", "overrides")
    assert (code, out) == (0, "a=1\nc=3\nl=[1,2]\n")


def test_colour_only_on_a_terminal(conf: Path) -> None:
    from rich.console import Console

    from confman.diff import compare_sides, load_side
    from confman.diff.render import render_terminal

    a = load_side("train", config_dir=conf)
    b = load_side("train", ["model=resnet"], config_dir=conf)
    lines = render_terminal(compare_sides(a, b), a, b)
    tty = Console(force_terminal=True, color_system="standard", width=200)
    with tty.capture() as captured:
        for line in lines:
            tty.print(line)
    assert "\x1b[" in captured.get()
    assert "\x1b[" not in run(CliRunner(), conf, "train", "train", "--b", "model=resnet")[1]


def test_overrides_never_delete_a_key_named_like_a_group(
    runner: CliRunner, conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``model`` is a config group of the tree: Hydra reads ``~model`` as removing the group,
    so a top-level ``model`` key only A has is not deleted whole (a comment says why), and its
    keys B changes are set one by one."""
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text("model:\n  name: vit\n  depth: 12\na: 1\n")
    Path("y.yaml").write_text("a: 1\n")
    code, out, _ = run(runner, conf, "x.yaml", "y.yaml", "-f", "overrides")
    assert (code, out) == (0, "# ~model: Hydra would read it as removing config group 'model'\n")
    Path("y.yaml").write_text("model:\n  name: vit\na: 1\n")
    code, out, _ = run(runner, conf, "x.yaml", "y.yaml", "-f", "overrides")
    assert (code, out) == (0, "~model.depth\n")
