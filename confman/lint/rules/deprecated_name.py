"""CM104 deprecated-name: a key or override still uses a name a declared migration retired.

What it does:
    Reads the ``[[tool.confman.migrations]]`` tables of pyproject.toml (renames, moves,
    removals, value maps) and flags every use of an old name: a key of a config file (at the
    package the file lands in: ``lr`` in ``optimizer/sgd.yaml`` is ``optimizer.lr``), an
    interpolation pointing at it (``${optimizer.lr}``), a value a value map retired, and a
    Hydra override spelled as a string in the project's Python (``"optimizer.lr=0.1"`` in a
    launch script or a ``compose(overrides=[...])`` call). A project that declares no migration
    gets no finding.

Why it matters:
    A renamed key left in one option file composes beside the new one: the code reads the new
    name and the old value is silently ignored. Old overrides in scripts fail only when the
    script runs (``Key 'lr' is not in struct``).

Example:
    # pyproject.toml: rename = {"optimizer.lr" = "optimizer.learning_rate"} in version 2.0
    # conf/optimizer/sgd.yaml
    lr: 0.1   # CM104: key: 'optimizer.lr' was renamed to 'optimizer.learning_rate' in 2.0

Instead:
    learning_rate: 0.1

Fix safety:
    ``confman lint --fix`` applies the migrations to the config tree with ``confman migrate``'s
    rewrite (ruamel.yaml edits at the parser's positions: comments, order and layout kept),
    and only when every reachable composition, composed with plain Hydra before and after,
    differs by exactly the declared changes; otherwise nothing of it is written and one line
    says why. The whole tree is migrated at once (a half-renamed tree would compose both
    names), so with PATHS the fix is refused when it would touch a file outside them.
    Overrides in Python are reported, not fixed: ``confman migrate --write FILES`` rewrites
    them (and shell scripts and docs).

Options:
    none; the migrations are the ``[[tool.confman.migrations]]`` tables.

Known problems:
    Renames declared only on a schema field (``deprecated=confman.renamed_to(...)``) are not
    seen: lint never imports project code. ``confman migrate --check`` sees them. Shell
    scripts and docs are not read by lint: ``confman migrate --check scripts/ README.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from confman.errors import ConfmanError
from confman.lint.context import LintContext, python_files
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.model import show
from confman.migrate.overrides import rewrite_source
from confman.migrate.plan import Plan
from confman.migrate.records import project_plan
from confman.migrate.yamlfile import file_package, rewrite_yaml

CODE = "CM104"
NAME = "deprecated-name"
LEVEL: Severity = "warning"

_FIX = "use the new name: `confman lint --fix` (config files) or `confman migrate --write PATHS`"


def _finding(file: str, line: int, message: str, key: str) -> Diagnostic:
    return Diagnostic(file, line, 1, CODE, NAME, message, severity=LEVEL, fix=_FIX, key=key)


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    try:
        plan = project_plan(ctx.settings)
    except ConfmanError as exc:
        yield Diagnostic(
            "pyproject.toml", 0, 1, "CM000", "input-error", exc.message, severity="error"
        )
        return
    if not plan:
        return
    yield from _in_configs(ctx, plan)
    yield from _in_python(ctx, plan)


def _in_configs(ctx: LintContext, plan: Plan) -> Iterator[Diagnostic]:
    for yf in ctx.files.values():
        if yf.parsed is None:
            continue  # CM000 already says why it cannot be read
        text = yf.path.read_text(encoding="utf-8")
        package = file_package(text, yf.group or "")
        found = rewrite_yaml(text, plan.steps, package=package, name=yf.shown)
        for hit in found.hits:
            yield _finding(yf.shown, hit.line, hit.message(), hit.step.key)


def _in_python(ctx: LintContext, plan: Plan) -> Iterator[Diagnostic]:
    # the files lint's Python evidence came from; a missing src path was reported then
    for path in python_files(ctx.settings, dataclasses.replace(ctx, problems=[])):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        _, hits = rewrite_source(text, plan, python=True)
        shown = show(path, ctx.root)
        for hit in hits:
            yield _finding(shown, hit.line, hit.message(), hit.step.key)
