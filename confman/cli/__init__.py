"""The ``confman`` command line: a thin typer layer over the library.

Each command family lives in its own module and is registered here, in one explicit place.
Commands parse arguments, call the library, render, and pick an exit code (0 ok, 1 findings,
2 usage or input error). Errors are one line on stderr; ``CONFMAN_DEBUG=1`` shows the traceback.
"""

from __future__ import annotations

from confman.cli import (
    bisect_cmd,
    compose_cmd,
    diff_cmd,
    init_cmd,
    lint_cmd,
    migrate_cmd,
    runs_cmd,
    runs_compare_cmd,
    schema_cmd,
    validate_cmd,
)
from confman.cli.app import app, main

__all__ = ["app", "main"]

compose_cmd.register(app)
lint_cmd.register(app)
diff_cmd.register(app)
validate_cmd.register(app)
schema_cmd.register(app)
runs_cmd.register(app)
runs_compare_cmd.add_compare(runs_cmd.runs_app)
init_cmd.register(app)
migrate_cmd.register(app)
bisect_cmd.register(app)
