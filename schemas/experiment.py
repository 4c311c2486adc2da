"""The ``experiment`` group: ``# @package _global_`` files that adjust parts of ``train``.

An experiment sets only a few keys, so its schema is the train schema with every field optional
(recursively); unknown keys stay errors. The composed result is checked against ``TrainConfig``.
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from schemas.train import TrainConfig


@cache
def partial(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every field optional and nested models partial too."""
    fields: dict[str, Any] = {
        name: (_partial_type(info.annotation) | None, None)
        for name, info in model.model_fields.items()
    }
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"Partial{model.__name__}",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Any subset of {model.__name__}'s keys.",
        **fields,
    )


def _partial_type(tp: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return partial(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:  # a discriminated union: any member's partial, no tag needed
        return _partial_type(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = tuple(_partial_type(a) for a in typing.get_args(tp))
        return typing.Union[args]  # noqa: UP007
    return tp


ExperimentConfig = partial(TrainConfig)
