"""The ``optimizer`` group: the MLP's optimizer, chosen by ``name``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Adam(BaseModel):
    """Adam."""

    name: Literal["adam"]
    lr: float = Field(1e-3, gt=0, le=1, description="Initial learning rate.")
    betas: tuple[Annotated[float, Field(ge=0, lt=1)], Annotated[float, Field(ge=0, lt=1)]] = (
        0.9,
        0.999,
    )
    epsilon: float = Field(1e-8, gt=0, lt=1e-3)


class Sgd(BaseModel):
    """Stochastic gradient descent with momentum."""

    name: Literal["sgd"]
    lr: float = Field(0.01, gt=0, le=1, description="Initial learning rate.")
    momentum: float = Field(0.9, ge=0, lt=1)
    nesterov: bool = True
    schedule: Literal["constant", "invscaling", "adaptive"] = "constant"
    power_t: float = Field(0.5, gt=0, description="Exponent of the invscaling schedule.")


OptimizerConfig = Annotated[Adam | Sgd, Field(discriminator="name")]
