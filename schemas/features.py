"""The ``features`` group: selection, polynomial expansion and noise augmentation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Selection(BaseModel):
    """Which features to keep."""

    method: Literal["variance", "kbest", "none"] = "variance"
    threshold: float = Field(0.0, ge=0, description="Minimum variance (method=variance).")
    k: int | None = Field(None, ge=1, description="Features kept (method=kbest).")


class Polynomial(BaseModel):
    """Polynomial feature expansion."""

    enabled: bool = False
    degree: int = Field(2, ge=1, le=5)
    interaction_only: bool = True


class Noise(BaseModel):
    """Gaussian noise added to training features (augmentation)."""

    enabled: bool = False
    std: float = Field(0.01, ge=0, le=1)


class FeaturesConfig(BaseModel):
    """Feature selection and augmentation after preprocessing."""

    selection: Selection = Selection()
    polynomial: Polynomial = Polynomial()
    noise: Noise = Noise()
