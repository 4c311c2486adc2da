"""CM207 same-in-every-option: every option of a group writes the same key and value.

What it does:
    For each config group of at least ``MIN_OPTIONS`` options (its own files, nested folders
    being groups of their own), finds the keys every option writes itself with the same value
    (what an option's own bases already give left out). When there are at least ``MIN_SHARED``
    of them (booleans, ``0``, ``1``, ``_target_`` and Hydra's other instantiation keywords not
    counted), reports the group once, at its first option, with the keys a shared base would
    hold (a mapping shared whole is named once, ``noise_scheduler.*``).

Why it matters:
    A value every option repeats is a group default written many times. A new option copied
    from the wrong sibling, or a fix applied to some options only, silently diverges; and
    readers cannot see which keys actually tell the options apart.

Example:
    # optimizer/adam.yaml     # optimizer/adamw.yaml     # optimizer/lamb.yaml
    lr: 0.001                 lr: 0.001                  lr: 0.002
    eps: 1.0e-08              eps: 1.0e-08               eps: 1.0e-08      # CM207 at adam.yaml
    weight_decay: 0.01        weight_decay: 0.01         weight_decay: 0.01
    grad_clip: 1.0            grad_clip: 1.0             grad_clip: 1.0

Instead:
    Move the shared keys into one base option (``optimizer/base.yaml``) and start every other
    option with ``defaults: [base, _self_]``.

Options:
    none (``MIN_OPTIONS`` options and ``MIN_SHARED`` shared keys).

Known problems:
    Options whose ``# @package`` headers differ are not compared. Nulls and ``???`` never count
    as shared values.
"""

from __future__ import annotations

from collections.abc import Iterator

from confman.lint.bases import added_leaves, header_package
from confman.lint.context import LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.rules.shared_across_primaries import report, shared_groups

CODE = "CM207"
NAME = "same-in-every-option"
LEVEL: Severity = "warning"
MIN_OPTIONS = 3
MIN_SHARED = 4


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for group, options in sorted(ctx.groups.items()):
        if len(options) < MIN_OPTIONS:
            continue
        files = [ctx.files.get(f"{group}/{opt}.yaml") for opt in sorted(options)]
        if any(
            yf is None or yf.parsed is None or not isinstance(yf.parsed.data, dict) for yf in files
        ):
            continue
        packages = {header_package(yf) for yf in files if yf is not None}
        if len(packages) != 1 or None in packages:
            continue
        present = [yf for yf in files if yf is not None]
        leaves = [added_leaves(ctx, yf) for yf in present]
        for members, shared in shared_groups(leaves, MIN_SHARED, min_files=len(present)):
            yield report(
                ctx,
                present,
                leaves,
                members,
                shared,
                f"every option of '{group}' writes",
                CODE,
                NAME,
                LEVEL,
            )
