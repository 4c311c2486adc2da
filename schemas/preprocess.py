"""The ``preprocess`` group: scaling, imputation, outliers and PCA before features."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Outliers(BaseModel):
    """Outlier handling on standardized values."""

    method: Literal["none", "clip", "drop"] = "none"
    z_threshold: float = Field(4.0, gt=0, description="|z| above this is an outlier.")


class Pca(BaseModel):
    """Optional PCA projection."""

    enabled: bool = False
    components: int = Field(32, ge=1, description="Number of principal components kept.")
    whiten: bool = False


class PreprocessConfig(BaseModel):
    """Feature preparation shared by training and serving."""

    scaler: Literal["standard", "minmax", "robust", "none"] = "standard"
    clip: float | None = Field(None, gt=0, description="Clip scaled values to [-clip, clip].")
    impute: Literal["mean", "median", "most_frequent"] = "mean"
    outliers: Outliers = Outliers()
    pca: Pca = Pca()
