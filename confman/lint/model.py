"""The lint context's data: the YAML files, their selections, the compositions, and the
``LintContext`` that holds them all for the rules (built by :mod:`confman.lint.context`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from confman.compose import Composed
from confman.compose.plain import PlainComposed
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.pysource import PythonEvidence
from confman.settings import Settings
from confman.yamlsource import ParsedYaml

__all__ = ["Composition", "LintContext", "Selection", "YamlFile", "input_error", "show"]


@dataclass
class YamlFile:
    """One YAML file of the config tree.

    Attributes:
        rel: path relative to the config dir (``model/mlp.yaml``), as provenance names it.
        shown: path relative to the project root, as diagnostics name it.
        path: absolute path.
        lines: the raw text lines (for excerpts and noqa comments).
        parsed: the parse, or None when it failed (a CM000 was recorded).
    """

    rel: str
    shown: str
    path: Path
    lines: list[str]
    parsed: ParsedYaml | None

    @cached_property
    def group(self) -> str | None:
        """The config group (``model``), None for a primary config at the top."""
        return self.rel.rpartition("/")[0] or None

    @cached_property
    def option(self) -> str:
        return PurePosixPath(self.rel).stem


@dataclass(frozen=True)
class Selection:
    """One entry of a defaults list selecting ``group: option``."""

    file: str
    line: int
    group: str
    option: str | None
    override: bool


@dataclass
class Composition:
    """One composed config: a primary, or a primary with ``experiment=<opt>``.

    ``composed`` is ``confman.compose``'s result, or the same result as plain data when
    :mod:`confman.compose.plain` could prove its fast path applies (same reading surface:
    ``provenance``, ``choices``, ``config``, ``to_container``).
    """

    label: str
    primary: str
    overrides: tuple[str, ...]
    composed: Composed | PlainComposed


@dataclass
class LintContext:
    """The whole ML system as the rules see it."""

    settings: Settings
    root: Path
    config_dir: Path
    files: dict[str, YamlFile] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    primaries: list[str] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    compositions: list[Composition] = field(default_factory=list)
    #: every other option of each group composed in place with a primary that chooses the
    #: group (``model=vit``), and ``+group=option`` for groups nothing chooses: compositions a
    #: user can reach from the command line, which lint makes to check each option in place.
    #: Their group choices are lint's own, never evidence that something selects an option.
    variants: list[Composition] = field(default_factory=list)
    python: PythonEvidence = field(default_factory=PythonEvidence)
    problems: list[Diagnostic] = field(default_factory=list)
    run_selections: set[tuple[str, str]] = field(default_factory=set)
    lint_settings: dict[str, Any] = field(default_factory=dict)
    #: where the compositions were made: "here", "child" (a forked process, see background),
    #: "shared" (the child and this process, each taking runs from one end of the list) or
    #: "reused" (an earlier lint of the unchanged tree in this process)
    composed_in: str = "here"

    def shown(self, rel: str | None) -> str:
        """A config-dir-relative file name as diagnostics show it."""
        if rel is None:
            return "?"
        yf = self.files.get(rel)
        return yf.shown if yf else rel

    def base(self, primary: str) -> Composition | None:
        """The composition of ``primary`` without overrides."""
        return next(
            (c for c in self.compositions if c.primary == primary and not c.overrides), None
        )

    def problem(
        self,
        file: str,
        line: int,
        message: str,
        fix: str | None = None,
        col: int = 1,
        severity: Severity = "error",
    ) -> None:
        self.problems.append(input_error(file, line, message, fix, col, severity))


def input_error(
    file: str,
    line: int,
    message: str,
    fix: str | None = None,
    col: int = 1,
    severity: Severity = "error",
) -> Diagnostic:
    """A CM000 finding: input lint could not read or compose (not a rule's judgement)."""
    return Diagnostic(file, line, col, "CM000", "input-error", message, severity, fix)


def show(path: Path, root: Path) -> str:
    """A path as diagnostics show it: relative to the project root when it lies inside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
