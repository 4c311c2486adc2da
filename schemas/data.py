"""The ``data`` group: which scikit-learn toy data set, and how it is split and cached."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class Split(BaseModel):
    """Train/test split of the data set."""

    test_fraction: float = Field(0.25, gt=0, lt=1, description="Share of rows held out.")
    stratify: bool = Field(True, description="Keep class proportions in both parts.")
    shuffle: bool = Field(True, description="Shuffle before splitting (seeded by ``seed``).")


class Cache(BaseModel):
    """On-disk cache of the loaded arrays."""

    enabled: bool = False
    dir: Path = Field(Path(".cache/datasets"), description="Cache folder, relative to the run.")


class DataConfig(BaseModel):
    """A data set bundled with scikit-learn (no download)."""

    name: str = Field(description="Short name used in run names and output paths.")
    loader: Literal["load_digits", "load_wine", "load_breast_cancer", "load_iris"] = Field(
        description="sklearn.datasets function that loads the data."
    )
    num_classes: int = Field(ge=2, description="Number of target classes.")
    num_features: int = Field(ge=1, description="Columns of the feature matrix.")
    class_names: list[str] | None = Field(None, description="Display names, one per class.")
    subsample: int | None = Field(None, ge=1, description="Use only this many rows (None: all).")
    label_noise: float = Field(0.0, ge=0, le=0.5, description="Share of labels flipped at random.")
    split: Split = Split()
    cache: Cache = Cache()
