"""Every group option composed on its own, with its own defaults list, as Hydra composes it.

An option's file is not what it contributes: its defaults list pulls in other configs (a base
option, nested groups), and Hydra composes those too. Rules that compare options (CM204) or ask
whether a key is defined anywhere (CM302) read the option composed as a config of its own:
``compose("group/option")``, which Hydra places at the option's package (its group, or what its
``# @package`` header says) and whose relative defaults entries resolve inside its group, just as
when a primary selects it. Composition goes through :class:`confman.compose.plain.Composer`
(``confman.compose``'s result); nothing is re-implemented here.

An option that cannot be composed on its own (its defaults list overrides a group only a
primary selects, or interpolates a choice made elsewhere) has no entry: rules treat it as
unknown rather than guess. A tree with more options than ``variants.MAX_VARIANTS`` gets no
entries at all (each is a composition; lint says so in an info-level CM000).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from confman.compose.plain import Composer
from confman.errors import ConfmanError
from confman.lint.context import LintContext
from confman.lint.variants import MAX_VARIANTS
from confman.provenance import Write, iter_leaves

__all__ = ["OptionComposition", "option_compositions", "prepare"]


@dataclass(frozen=True)
class OptionComposition:
    """One group option composed with its own defaults list.

    Attributes:
        rel: the option's file, config-dir relative (``optimizer/adam.yaml``).
        group: its group (``optimizer``).
        option: its name (``adam``).
        container: the composed data, unresolved.
        provenance: every leaf's write history, oldest first (file paths config-dir relative).
    """

    rel: str
    group: str
    option: str
    container: dict[str, Any]
    provenance: dict[str, tuple[Write, ...]]

    def leaves(self) -> dict[str, Any]:
        """Dotted path -> value of every leaf."""
        return dict(iter_leaves(self.container))

    def writer(self, path: str) -> str | None:
        """The file whose write to ``path`` won (None when no file wrote it)."""
        writes = self.provenance.get(path)
        return writes[-1].file if writes else None


@dataclass
class _Made:
    """The option compositions made for one lint's context (weakly: a finished lint's context
    is not kept alive), shared by the rules that read them."""

    ctx: weakref.ref[LintContext]
    out: dict[str, OptionComposition] = field(default_factory=dict)
    tried: set[str] = field(default_factory=set)
    composer: Composer | None = None
    complete: bool = False


_last: _Made | None = None


def _made(ctx: LintContext) -> _Made:
    global _last
    if _last is None or _last.ctx() is not ctx:
        _last = _Made(weakref.ref(ctx))
    return _last


def prepare(ctx: LintContext) -> None:
    """Compose the options of the files read so far. Lint calls this while a forked child
    makes the tree's compositions, time this process would otherwise spend waiting;
    :func:`option_compositions` then composes only the options read after it."""
    _compose_options(ctx, _made(ctx))


def option_compositions(ctx: LintContext) -> dict[str, OptionComposition]:
    """Every group option of ``ctx`` that composes on its own, by file (composed once per lint)."""
    made = _made(ctx)
    if not made.complete:
        _compose_options(ctx, made)
        made.out = dict(sorted(made.out.items()))
        made.complete = True
    return made.out


def _compose_options(ctx: LintContext, made: _Made) -> None:
    options = [yf for yf in ctx.files.values() if yf.group is not None]
    if len(options) > MAX_VARIANTS:  # the bound lint's in-place variants have (see context)
        made.out.clear()
        made.tried.update(ctx.files)
        return
    if made.composer is None:
        # options that write hydra.* keys compose on the fast path too (those keys are dropped)
        made.composer = Composer(ctx.config_dir, ctx.settings.version_base, check_hydra=False)
    for rel, yf in sorted(ctx.files.items()):
        if rel in made.tried:
            continue
        made.tried.add(rel)
        if yf.group is None or yf.parsed is None or not isinstance(yf.parsed.data, dict | None):
            continue
        try:
            composed = made.composer.compose(f"{yf.group}/{yf.option}")
            container = composed.to_container()
            provenance = composed.provenance
        except ConfmanError:
            continue
        made.out[rel] = OptionComposition(rel, yf.group, yf.option, container, dict(provenance))
