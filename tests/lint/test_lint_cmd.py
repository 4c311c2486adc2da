"""``confman lint`` / ``confman rule`` through typer's CliRunner on the real app."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from linttree import CLEAN
from typer.testing import CliRunner

from confman.cli import app

DUP = {"conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\nlr: 0.001\n"}
REDUNDANT = {"conf/experiment/big.yaml": CLEAN["conf/experiment/big.yaml"] + "  name: mlp\n"}


@pytest.fixture
def run(monkeypatch):
    def invoke(root: Path, *args: str):
        monkeypatch.chdir(root)
        return CliRunner().invoke(app, ["lint", *args])

    return invoke


def test_clean_exits_zero(system, run):
    result = run(system())
    assert result.exit_code == 0, result.output
    assert "All checks passed!" in result.output


def test_findings_exit_one_concise(system, run):
    result = run(system(DUP))
    assert result.exit_code == 1
    assert "conf/optimizer/adam.yaml:4:1: CM201 'lr' is already set at line 2" in result.output


def test_exit_zero_select_ignore(system, run):
    root = system(DUP)
    assert run(root, "--exit-zero").exit_code == 0
    assert run(root, "--ignore", "CM2").exit_code == 0
    assert run(root, "--select", "CM101,CM103").exit_code == 0
    assert run(root, "--select", "CM9").exit_code == 2


def test_full_shows_excerpt(system, run):
    out = run(system(DUP), "--output-format", "full").output
    assert "  --> conf/optimizer/adam.yaml:4:1" in out
    assert "4 | lr: 0.001" in out and "= help:" in out


def test_json_and_github(system, run):
    data = json.loads(run(system(DUP), "--output-format", "json").stdout)
    assert [(d["code"], d["line"]) for d in data] == [("CM201", 4)]
    out = run(system(DUP), "--output-format", "github").output
    assert "::error title=confman (CM201),file=conf/optimizer/adam.yaml,line=4,col=1::" in out


def test_sarif_has_rules_regions_fingerprints(system, run):
    log = json.loads(run(system(DUP), "--output-format", "sarif").stdout)
    assert log["version"] == "2.1.0"
    run0 = log["runs"][0]
    rule_ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    (res,) = run0["results"]
    assert rule_ids[res["ruleIndex"]] == "CM201"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert res["partialFingerprints"]
    assert all(r["fullDescription"]["text"] for r in run0["tool"]["driver"]["rules"])


def test_statistics(system, run):
    out = run(system(DUP), "--statistics").output
    assert "1\tCM201\tduplicate-key" in out


def test_noqa_line_and_file(system, run):
    line = {
        "conf/optimizer/adam.yaml": DUP["conf/optimizer/adam.yaml"].replace(
            "lr: 0.001\n", "lr: 0.001  # confman: noqa: CM201\n", 2
        )
    }
    assert run(system(line)).exit_code == 0
    other = {
        "conf/optimizer/adam.yaml": DUP["conf/optimizer/adam.yaml"] + "# confman: noqa: CM101\n"
    }
    assert run(system(other)).exit_code == 1
    whole = {"conf/optimizer/adam.yaml": "# confman: noqa-file\n" + DUP["conf/optimizer/adam.yaml"]}
    assert run(system(whole)).exit_code == 0


def test_add_noqa_then_clean(system, run):
    root = system(DUP)
    assert run(root, "--add-noqa").exit_code == 0
    assert "# confman: noqa: CM201" in (root / "conf/optimizer/adam.yaml").read_text()


def test_fix_removes_duplicate_and_redundant_lines(system, run):
    root = system({**DUP, **REDUNDANT})
    result = run(root, "--fix")
    assert result.exit_code == 0, result.output
    assert (
        root / "conf/optimizer/adam.yaml"
    ).read_text() == "name: adam\nbetas: [0.9, 0.999]\nlr: 0.001\n"
    assert (root / "conf/experiment/big.yaml").read_text().endswith("model:\n  hidden: 256\n")
    assert "every reachable composition unchanged" in result.output


def test_fix_refuses_when_recomposing_differs(system, run):
    # removing the only key of 'model:' would leave 'model: null', which changes the config
    root = system(
        {"conf/experiment/big.yaml": CLEAN["conf/experiment/big.yaml"].replace("256", "64")}
    )
    result = run(root, "--fix")
    assert (
        "conf/experiment/big.yaml:6: CM202 fix refused: composition 'train experiment=big' "
        "would change" in result.output
    )
    assert result.exit_code == 1


def test_diff_prints_what_fix_would_write_and_writes_nothing(system, run):
    root = system({**DUP, **REDUNDANT})
    before = (root / "conf/optimizer/adam.yaml").read_text()
    result = run(root, "--diff")
    assert result.exit_code == 1, result.output
    assert "--- a/conf/optimizer/adam.yaml\n+++ b/conf/optimizer/adam.yaml\n" in result.stdout
    assert "-lr: 0.001\n" in result.stdout
    assert "--- a/conf/experiment/big.yaml" in result.stdout
    assert "-  name: mlp\n" in result.stdout
    assert (root / "conf/optimizer/adam.yaml").read_text() == before
    assert (root / "conf/experiment/big.yaml").read_text().endswith("  name: mlp\n")


def test_diff_with_nothing_to_fix_exits_zero(system, run):
    result = run(system(), "--fix", "--diff")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_fix_refuses_a_change_to_a_nested_experiment(system, run):
    # conf/data/digits.yaml's 'name' duplicates nothing, but its override in a nested experiment
    # is the one a --fix would break: the proof must compose experiment=owt/small
    root = system(
        {
            "conf/experiment/owt/small.yaml": """
                # @package _global_
                defaults:
                  - override /callbacks: [base, norm]
                """,
            "conf/train.yaml": CLEAN["conf/train.yaml"].replace(
                "- optimizer: adam", "- optimizer: adam\n  - callbacks: [base]"
            ),
            "conf/callbacks/base.yaml": "every: 1\n",
            "conf/callbacks/norm.yaml": "norm: true\n",
        }
    )
    result = run(root, "--fix")
    assert "override /callbacks" in (root / "conf/experiment/owt/small.yaml").read_text()
    assert "CM202" not in result.output


def test_fix_keeps_what_yaml_kept(system, run):
    root = system(
        {"conf/optimizer/adam.yaml": "name: adam\nlr: 0.5\nbetas: [0.9, 0.999]\nlr: 0.001\n"}
    )
    result = run(root, "--fix")
    # removing the dead first 'lr' keeps what YAML kept, so it is safe and done
    assert (
        root / "conf/optimizer/adam.yaml"
    ).read_text() == "name: adam\nbetas: [0.9, 0.999]\nlr: 0.001\n"
    assert result.exit_code == 0


def test_bad_yaml_is_cm000_and_rest_still_runs(system, run):
    root = system(
        {
            "conf/data/wine.yaml": "name: [wine\n",
            "conf/model/mlp.yaml": CLEAN["conf/model/mlp.yaml"] + "api_token: abc123\n",
        }
    )
    out = run(root).output
    assert "conf/data/wine.yaml:1:1: CM000" in out or "conf/data/wine.yaml:2:1: CM000" in out
    assert "CM401" in out


def test_missing_src_path_is_cm000(system, run):
    root = system()
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["nope"]\n'
    )
    out = run(root).output
    assert "nope:0:1: CM000 src path" in out


def test_rule_prints_docs():
    result = CliRunner().invoke(app, ["rule", "CM203"])
    assert result.exit_code == 0
    assert "What it does:" in result.output and "Instead:" in result.output
    assert CliRunner().invoke(app, ["rule", "CM999"]).exit_code == 2
    assert os.environ.get("CONFMAN_DEBUG") != "1"


@pytest.mark.parametrize("code", ["CM102", "CM205", "CM302"])
def test_new_rules_print_their_docs(code):
    result = CliRunner().invoke(app, ["rule", code])
    assert result.exit_code == 0
    for section in ("What it does:", "Why it matters:", "Example:", "Instead:", "Options:"):
        assert section in result.output, (code, section)


def test_input_errors_are_a_rule_said_once_and_ignorable(tmp_path: Path, monkeypatch) -> None:
    from linttree import CLEAN, write_tree

    root = write_tree(tmp_path, {**CLEAN, "conf/data/wine.yaml": "name: [wine\nx: 1\n"})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint", "--select", "CM101"])
    assert "conf/data/wine.yaml:2:2: CM000 YAML syntax error" in result.stdout  # still shown
    assert "wine.yaml:2:1: YAML" not in result.stdout  # the location is not repeated
    assert result.exit_code == 1
    ignored = CliRunner().invoke(app, ["lint", "--select", "CM101", "--ignore", "CM000"])
    assert "CM000" not in ignored.stdout
    page = CliRunner().invoke(app, ["rule", "CM000"])
    assert page.exit_code == 0 and "input-error" in page.stdout


def test_a_missing_plugin_is_one_finding_that_names_the_package(tmp_path, monkeypatch) -> None:
    from linttree import CLEAN, write_tree

    train = CLEAN["conf/train.yaml"] + "hydra:\n  run:\n    dir: out\n"
    train = train.replace(
        "  - experiment: null\n", "  - experiment: null\n  - override hydra/launcher: ray_aws\n"
    )
    root = write_tree(tmp_path, {**CLEAN, "conf/train.yaml": train})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint", "--output-format", "json"])
    found = [d for d in json.loads(result.stdout) if d["code"] == "CM000"]
    assert len(found) == 1, found  # the base and its experiment fail alike: one finding
    assert found[0]["line"] == 7  # the defaults entry that names the plugin's option
    assert "other compositions" in found[0]["message"]
    assert "pip install hydra-ray-launcher" in found[0]["fix"]


def test_info_findings_are_printed_but_exit_zero_unless_strict(system, run):
    """An option only the command line selects is info: pre-commit stays green on it."""
    root = system({"conf/optimizer/lamb.yaml": "name: lamb\nlr: 0.002\n"})
    result = run(root, "--select", "CM103")
    assert "CM103" in result.stdout and "lamb" in result.stdout
    assert result.exit_code == 0, result.output
    assert run(root, "--select", "CM103", "--strict").exit_code == 1
