"""The ``trainer`` group: cross-validation, epochs and early stopping."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PositiveInt


class EarlyStopping(BaseModel):
    """Stop when the validation score stalls."""

    enabled: bool = True
    patience: int = Field(10, ge=1, description="Epochs without improvement before stopping.")
    tol: float = Field(1e-4, gt=0)
    validation_fraction: float = Field(0.1, gt=0, lt=1)


class TrainerConfig(BaseModel):
    """How a model is fitted and cross-validated."""

    cv_folds: int = Field(5, ge=2, le=20)
    cv_repeats: int = Field(1, ge=1)
    n_jobs: Literal[-1] | PositiveInt = Field(1, description="Parallel jobs; -1 uses every core.")
    max_epochs: int = Field(200, ge=1)
    batch_size: int = Field(64, ge=1)
    class_balance: Literal["none", "balanced", "oversample"] = "none"
    early_stopping: EarlyStopping = EarlyStopping()
    val_fraction: float = Field(0.1, gt=0, lt=1, description="Share of training rows held out.")
    verbose: bool = False
    refit_on_full: bool = Field(True, description="Refit on all training rows after CV.")
