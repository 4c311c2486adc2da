"""CM104's ``--fix``: the declared migrations applied to ``lint --fix``'s copy of the tree.

``lint --fix`` works on a temporary copy of the config dir; once its own edits are proven there,
this applies :func:`confman.migrate.api.migrate` to the copy: the same rewrite and the same
Hydra proof as ``confman migrate --write`` (every reachable composition differs by exactly the
declared changes, or nothing is rewritten). The caller shows or writes the copy's texts.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field

from confman.migrate.api import migrate
from confman.migrate.plan import MigrationError
from confman.migrate.records import project_plan
from confman.settings import Settings

__all__ = ["MigrationFix", "migrate_copy"]


@dataclass
class MigrationFix:
    """What the migration did to the copy.

    Attributes:
        texts: config-dir relative file -> its text after the migration.
        messages: one line per file migrated, or one line saying why nothing was.
    """

    texts: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def migrate_copy(copy: Settings, settings: Settings, allowed: Set[str]) -> MigrationFix:
    """Migrate the YAML tree of ``copy`` (settings whose config dir is the working copy) in
    place by ``settings``' pyproject migrations, when the rewrite is proven and touches only
    ``allowed`` files (config-dir relative).

    A refusal (bad declarations, a rewrite the proof rejects) is a message, never an error:
    the other fixes still stand.
    """
    out = MigrationFix()
    try:
        plan = project_plan(settings)  # pyproject's: lint imports no project code
        if not plan:
            return out
        proven = migrate(copy, plan=plan)
    except MigrationError as exc:
        out.messages.append(f"CM104 fix refused: {exc.message}")
        return out
    rels = {path: path.relative_to(copy.config_dir).as_posix() for path in proven.changed}
    outside = sorted(rel for rel in rels.values() if rel not in allowed)
    if outside:
        out.messages.append(
            f"CM104 fix refused: the migration also rewrites {', '.join(outside)}, outside "
            "the paths given; run `confman lint --fix` on the whole tree"
        )
        return out
    for path, (_, after) in sorted(proven.changed.items()):
        path.write_text(after, encoding="utf-8")
        out.texts[rels[path]] = after
        shown = path.relative_to(copy.root).as_posix() if path.is_relative_to(copy.root) else path
        uses = sum(1 for use in proven.uses if use.file == shown)
        out.messages.append(
            f"{shown}: migrated {uses} old name(s) (CM104); every reachable composition "
            f"differs only by the declared changes ({proven.compositions} composed with Hydra)"
        )
    return out
