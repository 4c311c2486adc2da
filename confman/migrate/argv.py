"""Old names on the command line of an ``@confman.main`` entrypoint: rewritten, with a warning.

After a rename, muscle memory, shell history and launch scripts still type
``optimizer.lr=0.1``; Hydra would refuse it (``Key 'lr' is not in struct``). The entrypoint
hands its arguments here first: each override an old name covers is rewritten by
:func:`migrate_overrides` (Hydra's own override parser), and one line per rewrite on stderr says
old -> new and the version that made the change. Everything else (``-m``, ``--cfg job``,
``hydra.run.dir=...``) passes through as typed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from confman.errors import ConfmanError
from confman.migrate.overrides import migrate_overrides
from confman.migrate.records import project_plan
from confman.settings import load_settings

__all__ = ["command_line"]


def command_line(args: Sequence[str], project: Path, *, err: TextIO | None = None) -> list[str]:
    """``args`` with old names migrated, warning once per rewritten override.

    Args:
        args: the command-line arguments after the program name.
        project: a folder inside the project (its pyproject declares the migrations).
        err: where warnings go (default ``sys.stderr``).

    A project whose migrations cannot be read gets its arguments back unchanged and one
    warning saying why: a declaration error must not stop a training run Hydra can start.
    """
    out = err or sys.stderr
    try:
        plan = project_plan(load_settings(project), schemas=True)  # the app's own code
    except ConfmanError as exc:
        print(f"confman: warning: migrations not applied to the command line: {exc}", file=out)
        return list(args)
    if not plan:
        return list(args)
    migrated, changes = migrate_overrides(args, plan)
    for old, new, step in changes:
        now = f"'{new}'" if new is not None else "dropped"
        print(
            f"confman: warning: '{old}' -> {now}: {step.describe()} "
            "(use the new name; old names are accepted with this warning)",
            file=out,
        )
    return migrated
