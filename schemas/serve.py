"""The ``serve`` primary config: serving a trained model with the training preprocessing."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, PositiveInt

from schemas.data import DataConfig
from schemas.features import FeaturesConfig
from schemas.preprocess import PreprocessConfig


class Drift(BaseModel):
    """Input drift check against the reference data."""

    enabled: bool = True
    max_mean_shift: float = Field(0.5, gt=0, description="Largest allowed per-feature z shift.")


class ServeConfig(BaseModel):
    """Serving entry point; reuses the training preprocessing and feature configs."""

    preprocess: PreprocessConfig
    features: FeaturesConfig
    reference: DataConfig = Field(description="The data set the model was trained on.")
    model_dir: Path
    trained_config: Path
    batch_size: PositiveInt = 32
    return_probabilities: bool = True
    top_k: PositiveInt = 3
    drift: Drift = Drift()
