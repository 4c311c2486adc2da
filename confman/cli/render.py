"""Terminal renderings of composition results: resolved configs, explanations, trees."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from confman.errors import CompositionError
from confman.projectcode import explain
from confman.secrets import redact_at, redact_text

if TYPE_CHECKING:
    from confman.compose import Composed, DefaultsNode
    from confman.provenance import Write

__all__ = ["explain_lines", "format_value", "references", "resolve_config", "tree_lines"]


def format_value(value: Any) -> str:
    """A value as a user would type it in YAML: strings quoted, containers as flow JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def resolve_config(composed: Composed) -> dict[str, Any]:
    """Resolve every interpolation; a failure names the key and the file:line that set it."""
    try:
        data = OmegaConf.to_container(composed.config, resolve=True)
    except OmegaConfBaseException as exc:
        key = str(getattr(exc, "full_key", "") or "")
        writes = composed.provenance.get(key, ())
        where = f" ({writes[-1].location})" if writes else ""
        reason = str(getattr(exc, "msg", "") or exc).splitlines()[0]
        hint = None
        if "hydra" in reason.lower():
            hint = "${hydra:...} only resolves inside a running Hydra app; use --no-resolve"
        elif "recursion" in reason.lower() or "cycle" in reason.lower():
            hint = "an interpolation refers back to itself"
        error = CompositionError(f"cannot resolve '{key}'{where}: {reason}", hint=hint)
        raise explain(error, composed.config_dir) from exc  # a resolver it could register
    except RecursionError as exc:
        raise CompositionError(
            "cannot resolve: interpolations refer to each other in a cycle",
            hint="use --no-resolve to see the raw values",
        ) from exc
    assert isinstance(data, dict)
    return cast(dict[str, Any], data)


def _chain(path: str, writes: tuple[Write, ...]) -> str:
    winner, earlier = writes[-1], writes[:-1]
    text = f"<- {redact_text(winner.location)}"
    if earlier:
        overrode = ", ".join(
            f"{redact_text(w.location)} = {format_value(redact_at(path, w.value))}"
            for w in reversed(earlier)
        )
        text += f" (overrode {overrode})"
    return text


def explain_lines(
    key: str, composed: Composed, history: dict[str, tuple[Write, ...]]
) -> Iterator[str]:
    """``optimizer.lr = 0.002  <- experiment/big.yaml:26 (overrode optimizer/adam.yaml:6 = 0.001)``

    Followed by the group choices that put values under ``key``, with who chose each option.
    """
    width = max(len(k) for k in history)
    for path, writes in history.items():
        value = format_value(redact_at(path, writes[-1].value))
        yield f"{path.ljust(width)} = {value}  {_chain(path, writes)}"
        yield from _followed(path, writes[-1].value, composed, " " * (width + 1))
    for choice in composed.choices.values():
        package = choice.package
        related = (
            not package
            or package == key
            or key.startswith(f"{package}.")
            or package.startswith(f"{key}.")
        )
        if related and choice.option is not None:
            yield f"  {choice.group}: {choice.option}  (chosen by {choice.chosen_by})"


#: ``${a.b}``, ``${..x}``, ``${list[0]}``: a reference to another key. A resolver call
#: (``${oc.env:X}``, ``${hydra:...}``) has a colon and is not a key.
_REFERENCE = re.compile(r"\$\{(?P<dots>\.*)(?P<key>[\w\-]+(?:(?:\.[\w\-]+)|(?:\[\d+\]))*)\}")
#: How far a chain of interpolations is followed (a cycle ends there too).
_MAX_HOPS = 10


def references(path: str, value: Any) -> list[str]:
    """The keys an interpolated value refers to, as absolute dotted paths (relative
    ``${..x}`` taken from ``path``'s parent, as OmegaConf does)."""
    if not isinstance(value, str) or "${" not in value:
        return []
    parent = path.split(".")[:-1]
    found = []
    for match in _REFERENCE.finditer(value):
        dots, key = len(match["dots"]), match["key"]
        base = parent[: len(parent) - (dots - 1)] if dots else []
        if dots > len(parent) + 1:
            continue  # above the root: OmegaConf refuses it, so there is nothing to show
        found.append(".".join([*base, key.split("[", 1)[0]]))
    return found


def _followed(
    path: str, value: Any, composed: Composed, indent: str, hops: int = 0
) -> Iterator[str]:
    """``  -> trainer.val_fraction = 0.2  <- trainer/default.yaml:7`` for each key ``value``
    refers to, and on down the chain to the file:line that finally sets the value."""
    if hops >= _MAX_HOPS:
        return
    for target in references(path, value):
        writes = composed.provenance.get(target)
        if writes is None:
            below = any(k.startswith(f"{target}.") for k in composed.provenance)
            what = "a subtree (explain it to see its keys)" if below else "not in the config"
            yield f"{indent}-> {target}: {what}"
            continue
        shown = format_value(redact_at(target, writes[-1].value))
        yield f"{indent}-> {target} = {shown}  {_chain(target, writes)}"
        yield from _followed(target, writes[-1].value, composed, indent + "  ", hops + 1)


def tree_lines(node: DefaultsNode, depth: int = 0) -> Iterator[str]:
    """The defaults tree, indented, each option with who chose it."""
    by = f"  ({node.chosen_by})" if node.chosen_by else ""
    if node.label != "<root>":
        yield f"{'  ' * depth}{node.label}{by}"
        depth += 1
    for child in node.children:
        yield from tree_lines(child, depth)
