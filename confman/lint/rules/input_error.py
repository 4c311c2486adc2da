"""CM000 input-error: something lint could not read or compose.

What it does:
    Reports every input lint could not take in: a YAML file that does not parse (with the line
    and column the parser stopped at), a primary config or experiment that does not compose
    (with Hydra's reason: a missing option, a plugin that is not installed, a group that only
    Python registers with ConfigStore, a key not in struct), a ``src`` path that does not
    exist, a Python file that does not parse, a run store that cannot be read. One cause is
    reported once: a file that does not parse is not reported again by each composition that
    loads it, and compositions that fail for the same reason are counted in one finding.

Why it matters:
    Every other rule only sees what was read and composed. A tree lint could not compose is
    not a clean tree, so lint never answers "All checks passed!" over it in silence.

Example:
    conf/train.yaml:4:1: CM000 cannot compose 'train' (and 26 other compositions): no option
    'submitit_slurm' in config group 'hydra/launcher'
      fix: 'hydra/launcher=submitit_slurm' comes from a Hydra plugin: pip install
      hydra-submitit-launcher

Instead:
    Do what the finding's fix says (install the plugin, correct the file), or, when the
    project composes that config only from Python (ConfigStore), exclude the file with
    ``per-file-ignores``.

Options:
    none. It can be ignored (``--ignore CM000``) like any rule, at the cost of linting a tree
    that was only partly read.

Known problems:
    Lint runs no project code, so groups and schemas registered with ConfigStore in Python are
    unknown to it; compositions that need them are reported here.
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM000"
NAME = "input-error"
LEVEL: Severity = "error"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    yield from ctx.problems
