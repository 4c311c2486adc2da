"""Config diff: compare files, composed configs, configs at git revisions and recorded runs.

``diff(a, b)`` returns ``Change`` values; :mod:`confman.diff.render` turns them into terminal
output, JSON, Markdown, YAML or the Hydra overrides that turn A into B.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from confman.compose import Composed
from confman.diff.model import REDACTED, Change, ChangeKind, Side
from confman.diff.sides import from_composed, from_file, from_mapping, load_side

__all__ = [
    "REDACTED",
    "Change",
    "ChangeKind",
    "Side",
    "compare_sides",
    "diff",
    "from_composed",
    "from_file",
    "from_mapping",
    "load_side",
]


def compare_sides(
    a: Side, b: Side, *, ignore: Iterable[str] = (), rtol: float = 0.0, atol: float = 0.0
) -> list[Change]:
    """``diff`` for two loaded sides (what the CLI and renderers work with)."""
    # Imported here: DeepDiff is slow to import, and ``import confman`` must stay cheap
    # for commands that never diff.
    from confman.diff.compare import compare

    return compare(a, b, ignore=ignore, rtol=rtol, atol=atol)


SideLike = Side | Composed | Mapping[str, Any] | str | Path


def diff(
    a: SideLike,
    b: SideLike,
    *,
    a_overrides: Sequence[str] = (),
    b_overrides: Sequence[str] = (),
    ignore: Iterable[str] = (),
    rtol: float = 0.0,
    atol: float = 0.0,
    resolve: bool = True,
    config_dir: str | Path | None = None,
) -> list[Change]:
    """Differences from ``a`` to ``b``, group choice changes first with the leaves they imply.

    Args:
        a: a ``Side``, a ``Composed``, plain data, a file path, or a spec string
            (``train``, ``train@HEAD~1``, ``out/.hydra/config.yaml``).
        b: the same, for the other side.
        a_overrides: Hydra overrides for ``a`` when it is a config name.
        b_overrides: Hydra overrides for ``b`` when it is a config name.
        ignore: globs on dotted paths to leave out (``hydra.*``, ``*.seed``).
        rtol: relative tolerance for numbers (``math.isclose``).
        atol: absolute tolerance for numbers.
        resolve: compare with interpolations resolved (default) or as written.
        config_dir: the config tree for config names (default: project settings).

    Raises:
        ConfmanError: a side cannot be loaded (``DiffSideError``, or a compose error).
    """
    side_a = _side(a, a_overrides, resolve, config_dir)
    side_b = _side(b, b_overrides, resolve, config_dir)
    return compare_sides(side_a, side_b, ignore=ignore, rtol=rtol, atol=atol)


def _side(
    value: SideLike, overrides: Sequence[str], resolve: bool, config_dir: str | Path | None
) -> Side:
    if isinstance(value, Side):
        return value
    if isinstance(value, Composed):
        return from_composed(value, resolve=resolve)
    if isinstance(value, Path):
        return from_file(value, resolve=resolve)
    if isinstance(value, str):
        return load_side(value, overrides, config_dir=config_dir, resolve=resolve)
    return from_mapping(value, resolve=resolve)
