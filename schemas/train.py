"""The ``train`` primary config: the whole training run of the example system."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PositiveInt

from schemas.data import DataConfig
from schemas.features import FeaturesConfig
from schemas.model import ModelConfig
from schemas.optim import OptimizerConfig
from schemas.preprocess import PreprocessConfig
from schemas.trainer import TrainerConfig

Metric = Literal["accuracy", "f1_macro", "balanced_accuracy", "precision_macro", "recall_macro"]


class Runtime(BaseModel):
    """Process resources."""

    threads: PositiveInt = 1
    memory_limit_gb: float = Field(4, gt=0, le=1024)
    tmp_dir: Path = Path("/tmp/confman-example")


class Reproducibility(BaseModel):
    """Seeds and determinism."""

    deterministic: bool = True
    numpy_seed: int = Field(0, ge=0, lt=2**32)
    shuffle_seed: int = Field(0, ge=0, lt=2**32)


class Calibration(BaseModel):
    """Probability calibration of the fitted classifier."""

    enabled: bool = False
    method: Literal["sigmoid", "isotonic"] = "sigmoid"
    folds: int = Field(3, ge=2)


class Search(BaseModel):
    """Hyper-parameter search over the model's ``search_space``."""

    enabled: bool = False
    method: Literal["random", "grid"] = "random"
    n_iter: PositiveInt = Field(8, description="Candidates tried by random search.")
    refit_metric: Metric = "f1_macro"


class Bootstrap(BaseModel):
    """Bootstrap confidence intervals of the test metrics."""

    rounds: int = Field(200, ge=0, description="Resamples; 0 turns intervals off.")
    confidence: float = Field(0.95, gt=0, lt=1)


class Thresholds(BaseModel):
    """Quality gate on the test metrics."""

    min_accuracy: float = Field(0.5, ge=0, le=1)
    fail_below: bool = Field(False, description="Exit non-zero when accuracy is below the gate.")


class Evaluation(BaseModel):
    """What is measured on the test split."""

    metrics: list[Metric] = Field(["accuracy"], min_length=1)
    average: Literal["macro", "micro", "weighted"] = "macro"
    per_class_report: bool = True
    confusion_matrix: bool = True
    bootstrap: Bootstrap = Bootstrap()
    thresholds: Thresholds = Thresholds()
    calibration_bins: int = Field(10, ge=2, le=100)


class Report(BaseModel):
    """The human-readable run report."""

    include_config: bool = True
    top_errors: int = Field(10, ge=0)
    format: Literal["markdown", "html", "text"] = "markdown"
    file: str = "report.md"


class Output(BaseModel):
    """Where a run writes its artifacts (file names are relative to ``dir``)."""

    dir: Path
    model_file: str = "model.pkl"
    metrics_file: str = "metrics.json"
    config_file: str = "config.yaml"
    save_predictions: bool = False
    overwrite: bool = True
    compress: int = Field(3, ge=0, le=9, description="joblib compression level.")
    report: Report = Report()


class Logging(BaseModel):
    """Python logging of the run."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: str = "%(asctime)s %(levelname)s %(message)s"
    progress_every: PositiveInt = 10
    capture_warnings: bool = True
    file: Path | None = None


class Tracking(BaseModel):
    """Experiment tracking."""

    enabled: bool = False
    project: str = "confman-example"
    uri: str = Field(".confman/tracking", description="Tracking store: a path or a URL.")
    log_model: bool = True
    tags: list[str] = []
    notes: str | None = None


class TrainConfig(BaseModel):
    """One training run: data, preprocessing, features, model, optimizer, trainer and outputs."""

    name: str = Field(min_length=1, description="Run name, used in output paths.")
    description: str = ""
    seed: int = Field(0, ge=0, lt=2**32)
    version: PositiveInt = 1
    runtime: Runtime = Runtime()
    reproducibility: Reproducibility = Reproducibility()
    calibration: Calibration = Calibration()
    search: Search = Search()
    evaluation: Evaluation = Evaluation()
    output: Output
    logging: Logging = Logging()
    tracking: Tracking = Tracking()
    data: DataConfig
    preprocess: PreprocessConfig = PreprocessConfig()
    features: FeaturesConfig = FeaturesConfig()
    model: ModelConfig
    optimizer: OptimizerConfig
    trainer: TrainerConfig = TrainerConfig()
