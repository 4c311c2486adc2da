"""``confman compose --format json`` prints every value YAML can hold."""

from __future__ import annotations

import base64
import json

from typer.testing import CliRunner

from confman.cli import app


def test_binary_values_print_as_base64_text(make_tree) -> None:
    conf = make_tree({"bin.yaml": "blob: !!binary aGVsbG8=\nn: 1\n"})
    for extra in ([], ["--provenance"]):
        result = CliRunner().invoke(
            app, ["compose", "bin", "--config-dir", str(conf), "--format", "json", *extra]
        )
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        config = payload["config"] if extra else payload
        assert base64.b64decode(config["blob"]) == b"hello"
        assert config["n"] == 1
