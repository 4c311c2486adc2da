"""``--output-format sarif`` validates against the official SARIF 2.1.0 JSON Schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from confman.cli import app

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())

# Every kind of finding: CM000 with a line (bad YAML) and without one (missing src path), an
# error, a warning, and an info-level rule, so every branch of the SARIF writer is exercised.
PLANTS = {
    "conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\nlr: 0.001\n",
    "conf/optimizer/broken.yaml": "name: [unclosed\n",
    "conf/train.yaml": None,  # replaced below: a secret and a broken interpolation
}


def _checker() -> jsonschema.FormatChecker:
    """Format checks the schema uses, without optional URI libraries: an absolute URI has a
    scheme (RFC 3986 section 3), a URI reference has no spaces."""
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(
        lambda v: not isinstance(v, str) or bool(re.match(r"^[A-Za-z][\w+.-]*:\S*$", v))
    )
    checker.checks("uri-reference")(lambda v: not isinstance(v, str) or " " not in v)
    return checker


def validate(log: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    cls(SCHEMA, format_checker=_checker()).validate(log)


@pytest.fixture
def sarif_log(system, monkeypatch) -> dict[str, Any]:
    from linttree import CLEAN

    train = CLEAN["conf/train.yaml"] + "api_token: tok-1234567890abcdef\nwidth: ${model.nope}\n"
    root = system({**PLANTS, "conf/train.yaml": train})
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["src", "missing"]\n'
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint", "--output-format", "sarif"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_sarif_log_is_valid_against_the_official_schema(sarif_log):
    results = sarif_log["runs"][0]["results"]
    codes = {r["ruleId"] for r in results}
    assert {"CM000", "CM201", "CM401", "CM301"} <= codes
    assert {r["level"] for r in results} >= {"error", "warning"}
    validate(sarif_log)


def test_schema_rejects_a_broken_log(sarif_log):
    """The validation above can fail: the same log with a bad level or no version does."""
    bad = copy.deepcopy(sarif_log)
    bad["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)
    bad = copy.deepcopy(sarif_log)
    del bad["version"]
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)


def test_clean_log_is_valid(system, monkeypatch):
    monkeypatch.chdir(system())
    result = CliRunner().invoke(app, ["lint", "--output-format", "sarif"])
    log = json.loads(result.stdout)
    assert log["runs"][0]["results"] == []
    validate(log)


def test_info_findings_are_valid_notes(tmp_path, monkeypatch):
    from oracle import build  # the example system reading settings through its schema

    monkeypatch.chdir(build(tmp_path))
    result = CliRunner().invoke(app, ["lint", "--output-format", "sarif", "--select", "CM205"])
    log = json.loads(result.stdout)
    assert {r["level"] for r in log["runs"][0]["results"]} == {"note"}
    validate(log)
