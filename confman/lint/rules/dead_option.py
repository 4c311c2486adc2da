"""CM103 dead-option: a group option nothing selects.

What it does:
    Looks for group options (``model/old_cnn.yaml``) that nothing in the project selects: no
    defaults list of the tree (a primary's ``- model: cnn``; another option's ``- /model: cnn``,
    ``- override /model: cnn``, sibling entries such as ``- norm_monitor`` in
    ``callbacks/default.yaml``, multi-select lists ``- /callbacks: [base, checkpoint]``, config
    paths ``- /experiment/pile/base``, interpolated choices ``${encoder}_${features}``), no
    ``group=option`` string or file name in the Python source or tests, and no recorded run of
    the run store ``confman runs`` uses (read only when it exists).

    Such an option can still be chosen on the command line (``python train.py model=old_cnn``),
    and often that is what it is for. So without recorded runs it is reported at severity
    ``info``, saying it is only selectable from the command line (and where the documentation
    or scripts show that use, when they do). Only when the store holds recorded runs and none
    of them ever chose the option is it a ``warning``: the project's own history then says the
    option is not used. Confidence is lower when the option's name appears as a string in the
    code, which may build the ``group=option`` choice itself.

    Options of experiment-like groups (``experiment/``, nested folders included) are chosen on
    the command line by design and are never reported; options packaged ``_global_`` elsewhere
    are at most ``info``.

Why it matters:
    Dead options rot: they stop composing when keys move, nothing lints them through a
    composition, and readers cannot tell which model configs are real. An option only the
    command line reaches is worth knowing about too: no default composition checks it.

Example:
    conf/train.yaml          defaults: [{model: cnn}]
    conf/model/cnn.yaml
    conf/model/old_cnn.yaml  # CM103 (info): only selectable from the command line
    # with recorded runs, none of which chose model=old_cnn: CM103 (warning)

Instead:
    Delete an option nobody uses. Keep one meant for the command line documented (README or a
    script with ``model=old_cnn``), select it from an experiment, or compose it in a test.

Options:
    none.

Known problems:
    Choices built at run time (``f"model={name}"``) are invisible to a static read; the
    finding's confidence drops when the option's name appears as a string in the code.
    Documentation is read from ``*.md``, ``*.rst``, ``*.txt`` and shell scripts under the
    project root.
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.context import LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.selections import (
    OptionEvidence,
    experiment_like,
    global_package,
    option_evidence,
    sweep_spec,
)

CODE = "CM103"
NAME = "dead-option"
LEVEL: Severity = "warning"

#: confidence that nothing selects an option, when its name is not a string in the code
CONFIDENT = 90
#: ... when it is (code may build ``group=option`` itself)
NAMED = 60


def _why_cli(ev: OptionEvidence, yf: YamlFile, group: str) -> str:
    """Where the command-line use shows, for the message."""
    if yf.rel in ev.docs:
        return f"; {ev.docs[yf.rel]}"
    if group in ev.mandatory:
        return "; its group is left to the command line (???)"
    if group in ev.defaulted:
        return f"; an alternative to the default chosen at {ev.defaulted[group]}"
    return ""


def _finding(ev: OptionEvidence, yf: YamlFile) -> Diagnostic:
    group, option = yf.group or "", yf.option
    confidence = NAMED if yf.rel in ev.named else CONFIDENT
    dead = ev.recorded_runs > 0 and yf.rel not in ev.docs and not global_package(yf)
    if dead:
        runs = ev.recorded_runs
        return Diagnostic(
            yf.shown,
            1,
            1,
            CODE,
            NAME,
            f"nothing selects {group}={option}: no defaults list, code or any of the {runs} "
            "recorded runs chose it",
            severity=LEVEL,
            fix="delete the option, or select it from a defaults list, experiment or test",
            confidence=min(confidence, 50 + 10 * runs),
        )
    return Diagnostic(
        yf.shown,
        1,
        1,
        CODE,
        NAME,
        f"{group}={option} is only selectable from the command line: no defaults list, code "
        f"or run selects it{_why_cli(ev, yf, group)}",
        severity="info",
        fix="delete it if unused; else document it, or select it from an experiment or a test",
        confidence=confidence,
    )


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    ev = option_evidence(ctx)
    for rel, yf in sorted(ctx.files.items()):
        group = yf.group
        if group is None or group == "hydra" or group.startswith("hydra/"):
            continue
        if yf.parsed is None:  # unreadable: CM000 says so, and what it is cannot be told
            continue
        if experiment_like(ev, yf) or sweep_spec(yf) or ev.selected(rel):
            continue
        if ev.in_config_dir(yf):  # a primary of a config dir code or docs name
            continue
        if group not in ev.used_groups and rel not in ev.docs and not global_package(yf):
            continue  # a folder nothing uses as a group: standalone configs, not options
        yield _finding(ev, yf)
