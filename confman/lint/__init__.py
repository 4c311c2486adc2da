"""Lint the whole ML system (configs, code, recorded runs) for unused and duplicated settings.

Data flow: ``context`` reads everything once (YAML via ``confman.yamlsource``, compositions via
``confman.compose.plain``, which gives ``confman.compose``'s result as plain data where it can
prove it the same and calls ``confman.compose`` otherwise, possibly in a forked child, see
``background``;
Python via ``ast``), ``rules/`` each turn it into diagnostics, ``engine`` applies selection and
suppressions, ``render`` prints, ``fix`` rewrites only what recomposing proves safe.
"""

from __future__ import annotations

from confman.lint.context import LintContext, build_context
from confman.lint.diagnostic import Diagnostic
from confman.lint.engine import LintResult, lint
from confman.lint.rules import RULES

__all__ = ["RULES", "Diagnostic", "LintContext", "LintResult", "build_context", "lint"]
