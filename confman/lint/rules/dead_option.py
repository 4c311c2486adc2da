"""CM103 dead-option: a group option nothing selects.

What it does:
    Looks for group options (``model/old_cnn.yaml``) that nothing in the project selects:
    no defaults list anywhere in the tree (a primary's ``- model: cnn``; another option's
    ``- /model: cnn``, ``- override /model: cnn``, ``- optional /model@enc: cnn``; sibling
    entries such as ``- norm_monitor`` in ``callbacks/default.yaml``, resolved against the
    including file's group; multi-select lists ``- /callbacks: [base, checkpoint]``; config
    paths ``- /experiment/pile/base``; ``.yaml`` suffixes; interpolated choices such as
    ``${encoder}_${features}``), no choice in the Python source or tests (``"model=cnn"``,
    ``{"model": "cnn"}``, ``sub(model="cnn")``, ``for model in ["cnn"]``, a path naming the
    file), no sweep spec kept in the tree, and no recorded run of the run store ``confman
    runs`` uses (read only when it exists).

    Such an option can still be chosen on the command line (``python train.py
    model=old_cnn``), and often that is what it is for. So it is reported at severity
    ``info``: "only selectable from the command line", with where the documentation, a
    script or a config comment shows that use, or which default it is an alternative to.
    Only when the store holds recorded runs and none of them ever chose the option is it a
    ``warning``: the project's own history then says the option is unused. Confidence is 90,
    and 60 when the option's name appears as a string in the code (which may build the
    choice itself); a warning's confidence also grows with the number of runs (50 + 10 per
    run, at most 90).

    Never reported: options of experiment-like groups, chosen on the command line by design
    (a group named ``experiment*``, nested folders included, or one a defaults entry packages
    ``_global_``: ``- task@_global_: walker``); wandb sweep specs kept in the config dir;
    folders no defaults list or ``group=option`` choice uses (standalone primaries kept in
    subfolders, files scripts load by path), unless an option there is a ``# @package
    _global_`` preset or documented as ``+group=option``; folders code or documentation
    names as a config dir of their own (``config_path="../conf/citrinet"``). Options packaged
    ``_global_`` are at most ``info``.

Why it matters:
    Dead options rot: they stop composing when keys move, nothing composes and lints them by
    default, and readers cannot tell which model configs are real. An option only the command
    line reaches is worth knowing about too: no default composition checks it.

Example:
    conf/train.yaml          defaults: [{model: cnn}]
    conf/model/cnn.yaml
    conf/model/old_cnn.yaml  # CM103 (info): only selectable from the command line
    # with recorded runs, none of which chose model=old_cnn: CM103 (warning)

Instead:
    Delete an option nobody uses. Keep one meant for the command line documented (a README
    or script with ``python train.py model=old_cnn``), select it from an experiment, or
    compose it in a test.

Options:
    none.

Known problems:
    Choices built at run time (``f"model={name}"``) are invisible to a static read; the
    confidence drops when the option's name appears as a string in the code. Documentation
    is read from ``*.md``, ``*.rst``, ``*.txt`` and shell scripts under the project root
    (never inside ``.git``, a virtualenv, ``node_modules``, ``build`` or ``dist``), and from
    the config files' comments. ``hydra.searchpath`` roots are not followed: an option
    selected only through another search-path root is reported.
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
    if group in ev.unset:
        return f"; its group is left unset (null) at {ev.unset[group]}"
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
