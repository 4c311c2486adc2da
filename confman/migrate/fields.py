"""Renames declared on the schema: a pydantic field marked ``deprecated=renamed_to(...)``.

::

    from confman.migrate import renamed_to

    class OptimizerConfig(BaseModel):
        learning_rate: float = 1e-3
        lr: float | None = Field(None, deprecated=renamed_to("learning_rate", "2.0"))

``renamed_to`` is a ``typing_extensions.deprecated`` (what pydantic's ``deprecated=`` takes), so
pydantic warns on access as it always does; confman also reads the replacement from it and
treats the field like a ``rename`` table in pyproject. A schema is imported only where the
project's pyproject binds it (``[tool.confman.schemas]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from typing_extensions import deprecated

from confman.migrate.plan import Step

__all__ = ["renamed_to", "schema_steps"]


class renamed_to(deprecated):
    """``deprecated=`` marker naming the field that replaces this one (a sibling name, or a
    dotted path from the config's root when it moved elsewhere) and the version."""

    def __init__(self, new: str, version: str) -> None:
        super().__init__(f"renamed to '{new}' in {version}")
        self.new = new
        self.version = version


def _fields(model: type[BaseModel], prefix: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > 20:
        return
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, info
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _fields(annotation, path, depth + 1)


def schema_steps(bindings: Any) -> list[Step]:
    """A ``rename`` (sibling) or ``move`` (dotted path) step per ``renamed_to`` field."""
    steps: list[Step] = []
    for binding in [*bindings.configs.values(), *bindings.groups.values()]:
        schema = binding.schema
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            continue
        prefix = binding.package if binding.kind == "group" else ""
        for path, info in _fields(schema, prefix):
            marker = info.deprecated
            if not isinstance(marker, renamed_to):
                continue
            parent = path.rpartition(".")[0]
            if "." in marker.new:
                new, kind = marker.new, "move"
            else:
                new, kind = (f"{parent}.{marker.new}" if parent else marker.new), "rename"
            origin = f"{binding.spec} field '{path}'"
            steps.append(Step(kind, path, marker.version, origin, new=new))  # type: ignore[arg-type]
    return steps
