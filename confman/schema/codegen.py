"""Pydantic v2 source code for merged config shapes: one class per mapping, readable.

Rules, each chosen so that every observed config validates and typos still fail:

* a key seen in every mapping with a typed, non-null value is required; others are
  ``T | None = None``;
* ``int`` and ``float`` seen together are ``float``; other mixes are unions;
* a key that is not a Python name (``_target_``, ``lr-scheduler``, ``class``) keeps its YAML
  spelling as an alias;
* a node with a ``_target_`` takes the target's parameters, read from its source
  (:class:`confman.lint.signatures.SignatureFinder`): parameters no config sets become optional
  fields, and unknown keys are errors unless the target takes ``**kwargs`` or its source cannot
  be read (then Hydra would pass any key on, so the model allows them);
* other mappings forbid unknown keys (the typo check ``validate`` is for);
* a group whose options all name a ``_target_`` is a union discriminated on it, one model per
  target;
* classes with the same body are written once.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from dataclasses import dataclass, field

from pydantic import BaseModel

from confman.lint.signatures import SignatureFinder
from confman.schema.shape import Shape

__all__ = ["ModelWriter"]

_RESERVED = set(dir(BaseModel)) | {"model_config", "Any", "Field", "Literal", "Annotated"}
#: Names the generated module imports: a class named so (group ``base/model`` -> ``BaseModel``)
#: would replace the import for every class after it.
_IMPORTED = {"Annotated", "Any", "BaseModel", "ConfigDict", "Field", "Literal"}
#: A mapping with more keys than this is typed as a dict, not a class.
MAX_FIELDS = 400


def class_name(path: str) -> str:
    """``model/encoder.layers`` -> ``ModelEncoderLayers``."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", path) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Config"
    return f"C{name}" if name[0].isdigit() else name


def _field_name(key: str, taken: set[str]) -> str:
    name = re.sub(r"\W", "_", key)
    name = name.strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    if keyword.iskeyword(name) or name in _RESERVED or name.startswith("model_"):
        name = f"{name}_"
    while name in taken:
        name = f"{name}_"
    return name


def _unresolved_comment(causes: set[str]) -> list[str]:
    """Why a field is ``Any``: its values could not resolve here, so none was seen."""
    text = (
        f"Any: no value resolved here: {'; '.join(sorted(causes))}. Run `confman schema infer` "
        "again once it resolves, to type it."
    )
    return [f"    # {line}" for line in textwrap.wrap(text, 94)]


@dataclass
class ModelWriter:
    """Writes classes for shapes; ``classes`` holds the source of each, dependencies first."""

    finder: SignatureFinder
    group_types: dict[str, str] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    _bodies: dict[str, str] = field(default_factory=dict)
    _names: set[str] = field(default_factory=lambda: set(_IMPORTED))

    def type_of(self, shape: Shape, path: str, *, at_root: bool = False) -> str:
        """The annotation for ``shape`` (without ``| None``), writing classes it needs."""
        groups = shape.groups
        # The group's type only where every mapping seen here was one of its options: a node
        # the primary also writes without choosing the group (``data.test: {split: test}``,
        # an option placed there only by experiments) is typed from all it holds.
        if (
            not at_root
            and len(groups) == 1
            and next(iter(groups)) in self.group_types
            and shape.grouped >= shape.dicts
        ):
            return self.group_types[next(iter(groups))]
        parts: list[str] = []
        kinds = shape.kinds
        if "bool" in kinds:
            parts.append("bool")
        if "float" in kinds:
            parts.append("float")
        elif "int" in kinds:
            parts.append("int")
        if "str" in kinds:
            parts.append("str")
        if "list" in kinds:
            items = shape.items
            inner = self.type_of(items, f"{path}.item") if items and items.kinds else "Any"
            if items is not None and items.kinds & {"none"} and inner != "Any":
                inner = f"{inner} | None"
            if items is not None and "placeholder" in items.kinds:
                inner = "Any"
            parts.append(f"list[{inner}]")
        if "dict" in kinds:
            if shape.odd_keys or len(shape.fields) > MAX_FIELDS:
                parts.append("dict[Any, Any]")
            else:
                parts.append(self.model(shape, class_name(path)))
        if not parts or "Any" in parts:
            return "Any"
        return " | ".join(parts)

    def model(
        self, shape: Shape, name: str, *, target: str | None = None, doc: str | None = None
    ) -> str:
        """Write a class for a mapping shape and return its name (an identical one if any)."""
        target = target or (next(iter(shape.targets)) if len(shape.targets) == 1 else None)
        signature = self.finder.find(target) if target else None
        extra = "forbid"
        if target and (signature is None or signature.var_keyword):
            extra = "allow"
        lines: list[str] = []
        taken: set[str] = set()
        for key in sorted(shape.fields):
            child = shape.fields[key]
            fname = _field_name(key, taken)
            taken.add(fname)
            alias = f"alias={json.dumps(key)}" if fname != key else ""
            if key == "_target_" and len(shape.targets) == 1 and target in shape.targets:
                annotation = f"Literal[{json.dumps(target)}]"
            else:
                annotation = self.type_of(child, f"{name}.{key}")
            required = child.required(shape)
            if not required and annotation != "Any":
                annotation = f"{annotation} | None"
            if annotation == "Any" and child.unresolved:
                lines += _unresolved_comment(child.unresolved)
            if required:
                value = f" = Field({alias})" if alias else ""
            else:
                value = f" = Field(None, {alias})" if alias else " = None"
            lines.append(f"    {fname}: {annotation}{value}")
        if signature is not None:
            for param in sorted(signature.params - set(shape.fields)):
                fname = _field_name(param, taken)
                taken.add(fname)
                alias = f", alias={json.dumps(param)}" if fname != param else ""
                lines.append(f"    {fname}: Any = Field(None{alias})  # a parameter no option sets")
        config = f'    model_config = ConfigDict(extra="{extra}")'
        body = "\n".join([config, *lines])
        if body in self._bodies:
            return self._bodies[body]
        unique = self._unique(name)
        self._bodies[body] = unique
        if doc is None and target:
            doc = (
                "Arguments of its ``_target_``: parameters read from its source."
                if signature
                else "Arguments of its ``_target_`` (source not found: any key passes)."
            )
        docline = f'    """{doc}"""\n\n' if doc else ""
        self.classes.append(f"class {unique}(BaseModel):\n{docline}{body}\n")
        return unique

    def _unique(self, name: str) -> str:
        """``name``, or ``name2``, ``name3``... when taken or imported; then taken."""
        unique = name
        n = 2
        while unique in self._names:
            unique = f"{name}{n}"
            n += 1
        self._names.add(unique)
        return unique

    def group(self, key: str, shape: Shape, observations: list[object]) -> str:
        """The type of a group's options: one model, or a union discriminated on ``_target_``."""
        base = class_name(key)
        dicts = [o for o in observations if isinstance(o, dict)]
        targets = [o.get("_target_") for o in dicts]
        plain = all(isinstance(t, str) and "${" not in t for t in targets)
        if plain and len(dicts) == len(observations) and len(set(targets)) > 1:
            members = []
            for target in sorted({str(t) for t in targets}):
                sub = Shape()
                for obs in dicts:
                    if obs.get("_target_") == target:
                        sub.add(obs)
                tail = class_name(target.rsplit(".", 1)[-1])
                members.append(self.model(sub, f"{base}{tail}", target=target))
            alias = self._unique(f"{base}Options")
            union = " | ".join(dict.fromkeys(members))
            self.classes.append(
                f"# The options of '{key}', told apart by their _target_.\n"
                f'{alias} = Annotated[{union}, Field(discriminator="target")]\n'
            )
            return alias
        doc = f"An option of the '{key}' group."
        return self.model(shape, base, doc=doc)
