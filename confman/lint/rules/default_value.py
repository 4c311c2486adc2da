"""CM205 default-value: a config value equal to its bound schema's default.

What it does:
    Reads the pydantic schemas bound in ``[tool.confman.schemas]`` from source with ``ast``
    (never imported) and, in every composed config, compares each value a YAML file writes with
    the literal default of the schema field it lands on (``lr: float = 1e-3``,
    ``Field(3, ...)``, ``Field(default=...)``; nested models are followed, union members are
    picked by their ``Literal`` discriminator). A write is reported when it equals the default
    in every composition it takes part in and no earlier write gave the key another value.
    Defaults that are not literals (``default_factory``, ``Split()``) are never compared, nor
    are interpolations, nor keys another value interpolates (``seed: 0`` with
    ``numpy_seed: ${seed}``: OmegaConf resolves ``${seed}`` from the config, so the line must
    stay).

    The rule only runs when the project's code gets its settings through a bound schema, because
    only then does deleting the line leave the value unchanged: the code calls a bound class
    (``TrainConfig(**cfg)``, ``TrainConfig.model_validate(...)``) or confman's typed entry
    points (``confman.load_config``, ``typed_compose``, ``confman.load``). A system whose code
    reads the composed ``DictConfig`` itself (``cfg.optimizer.lr``) needs every value written
    out, and the rule stays silent.

Why it matters:
    The value is stated twice, in the schema and in the YAML. When the default changes, the
    copy silently pins the old value, and readers take it for a deliberate choice.

Example:
    # schemas/optim.py                 # conf/optimizer/adam.yaml
    class Adam(BaseModel):             name: adam
        lr: float = 1e-3               lr: 1.0e-3   # CM205: the default of Adam.lr

Instead:
    Delete the line and let the schema supply the value, or change the default if every config
    disagrees with it.

Options:
    ``src`` (where the code and schema modules live).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from confman.lint.context import Composition, LintContext
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.interpolation import referenced
from confman.lint.schemasource import PathDefault, SchemaClass, SchemaField, SchemaReader
from confman.provenance import same_value

CODE = "CM205"
NAME = "default-value"
LEVEL: Severity = "info"

# confman's public entry points that return a schema instance (defaults applied)
_TYPED_API = {"load_config", "typed_compose", "confman.load"}


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    table = ctx.settings.raw.get("schemas")
    if not isinstance(table, dict) or not table:
        return
    src = ctx.lint_settings.get("src") or []
    roots = [ctx.root, *(ctx.root / s for s in src if isinstance(s, str)), ctx.root / "src"]
    reader = SchemaReader([r for r in roots if r.is_dir()])
    bound = {str(k).strip("/"): reader.resolve(v) for k, v in table.items() if isinstance(v, str)}
    bound = {k: v for k, v in bound.items() if v}
    if not bound or not _schemas_fill_defaults(ctx, table, bound):
        return
    redundant: dict[tuple[str, int, str], tuple[SchemaClass, SchemaField, Any]] = {}
    useful: set[tuple[str, int, str]] = set()
    for comp in ctx.compositions:
        prov = comp.composed.provenance
        winners = {p: ws[-1].value for p, ws in prov.items() if ws}
        needed = referenced(winners)  # OmegaConf resolves ${seed} from the config, not the schema
        for prefix, classes in _roots(comp, bound):
            _compare(comp, prefix, classes, winners, needed, redundant, useful)
    reported: set[tuple[str, int]] = set()
    for (file, line, path), (cls, fld, value) in sorted(redundant.items()):
        if (file, line, path) in useful or (file, line) in reported:
            continue  # one line can land at several paths (a group also packaged elsewhere)
        reported.add((file, line))
        yield Diagnostic(
            ctx.shown(file),
            line,
            1,
            CODE,
            NAME,
            f"'{path}' is {value!r}, the default of {cls.qualname}.{fld.name} "
            f"({_rel(ctx, cls)}:{fld.line})",
            severity=LEVEL,
            fix="delete the line and let the schema supply the default",
            key=path,
        )


def _rel(ctx: LintContext, cls: SchemaClass) -> str:
    try:
        return cls.file.relative_to(ctx.root).as_posix()
    except ValueError:
        return cls.file.as_posix()


def _schemas_fill_defaults(
    ctx: LintContext, table: dict[str, Any], bound: dict[str, list[SchemaClass]]
) -> bool:
    """Static evidence that the code builds its settings through a bound schema.

    A bound name counts only at the head of a call (``TrainConfig(...)``,
    ``TrainConfig.model_validate(...)``, ``schemas.train.TrainConfig(...)``), so a library
    class that happens to share a union member's name (``torch.optim.Adam``) does not.
    """
    heads: set[str] = set()
    for key, spec in table.items():
        module, _, attr = str(spec).partition(":")
        heads |= {attr, f"{module}.{attr}"}
        if (ctx.config_dir / f"{str(key).strip('/')}.yaml").is_file():
            heads |= {c.name for c in bound.get(str(key).strip("/"), [])}
    for call in ctx.python.calls:
        if call in _TYPED_API or call.rsplit(".", 1)[-1] in _TYPED_API - {"confman.load"}:
            return True
        if any(call == h or call.startswith(h + ".") for h in heads):
            return True
    return False


def _roots(comp: Composition, bound: dict[str, list[SchemaClass]]) -> list[tuple[str, list[Any]]]:
    """(config path, schema classes) pairs that validate part of ``comp``."""
    out: list[tuple[str, list[Any]]] = []
    if comp.primary in bound:
        out.append(("", bound[comp.primary]))
    for key, classes in bound.items():
        if key != comp.primary and key in comp.composed.choices:
            out.append((key.replace("/", "."), classes))
    return out


def _compare(
    comp: Composition,
    prefix: str,
    classes: list[SchemaClass],
    winners: dict[str, Any],
    needed: set[str],
    redundant: dict[tuple[str, int, str], tuple[SchemaClass, SchemaField, Any]],
    useful: set[tuple[str, int, str]],
) -> None:
    """Sort each file write under ``prefix`` into redundant (default all along) or useful."""
    prov = comp.composed.provenance
    start = f"{prefix}." if prefix else ""
    for path, writes in prov.items():
        if not path.startswith(start):
            continue
        if path in needed:
            for w in writes:
                if w.file is not None and w.line is not None:
                    useful.add((w.file, w.line, path))
            continue
        found = _field(path[len(start) :].split("."), prefix, classes, winners)
        if found is None:
            continue
        cls, fld = found
        earlier_default = True
        for w in writes:
            equal = _equal(w.value, fld.default)
            if w.kind == "file" and w.file is not None and w.line is not None:
                key = (w.file, w.line, path)
                if equal and earlier_default:
                    redundant.setdefault(key, (cls, fld, w.value))
                else:
                    useful.add(key)
            earlier_default = earlier_default and equal


def _field(
    parts: list[str], prefix: str, classes: list[SchemaClass], winners: dict[str, Any]
) -> tuple[SchemaClass, SchemaField] | None:
    """The schema field a relative path lands on, when its default is a known literal."""
    node = prefix
    for i, part in enumerate(parts):
        cls = _pick(classes, node, winners)
        if cls is None or part not in cls.fields:
            return None
        fld = cls.fields[part]
        if i == len(parts) - 1:
            return (cls, fld) if fld.has_default else None
        classes = fld.models
        node = f"{node}.{part}" if node else part
    return None


def _pick(classes: list[SchemaClass], node: str, winners: dict[str, Any]) -> SchemaClass | None:
    """The one class that validates ``node``; a union member by its discriminator."""
    if len(classes) == 1:
        return classes[0]
    start = f"{node}." if node else ""
    values = {
        p[len(start) :]: v
        for p, v in winners.items()
        if p.startswith(start) and "." not in p[len(start) :]
    }
    matching = [c for c in classes if c.discriminates(values)]
    return matching[0] if len(matching) == 1 else None


def _equal(value: Any, default: Any) -> bool:
    """Config value equals a schema default; tuples and lists compare alike, ``${..}`` never."""
    if default is SchemaField.NO_DEFAULT:
        return False
    if isinstance(value, str) and "${" in value:
        return False
    if isinstance(default, PathDefault):
        return isinstance(value, str) and PurePosixPath(value) == PurePosixPath(default.text)
    if isinstance(value, list | tuple) and isinstance(default, list | tuple):
        return len(value) == len(default) and all(
            _equal(v, d) for v, d in zip(value, default, strict=True)
        )
    if isinstance(value, dict) and isinstance(default, dict):
        return value.keys() == default.keys() and all(_equal(value[k], default[k]) for k in value)
    if isinstance(value, list | tuple | dict) or isinstance(default, list | tuple | dict):
        return False
    return same_value(value, default)
