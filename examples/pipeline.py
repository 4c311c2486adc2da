"""Building blocks of the example ML system: data, preprocessing, features, model, evaluation.

Every function reads its settings from the composed config by attribute (``cfg.model.C``), so a
reader, and confman's linter, can see which key is used where. Estimators are built from an
explicit whitelist: no class is imported from a name written in a config.
"""

from __future__ import annotations

import logging
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
)
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    PolynomialFeatures,
    StandardScaler,
)

log = logging.getLogger("examples")

LOADERS = {
    "load_digits": datasets.load_digits,
    "load_wine": datasets.load_wine,
    "load_breast_cancer": datasets.load_breast_cancer,
}


# Config names that differ from scikit-learn's parameter names, for search spaces.
SEARCH_NAMES = {"l2": "alpha", "hidden_sizes": "hidden_layer_sizes"}


def _hashable(value: Any) -> Any:
    """Lists in a search space (layer sizes) become tuples, as scikit-learn expects."""
    return tuple(value) if hasattr(value, "__len__") and not isinstance(value, str) else value


class ConfigError(ValueError):
    """A setting the pipeline cannot honour (named by its key path)."""


def load_dataset(data: Any, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Load the configured data set (shipped with scikit-learn), cached as .npz if asked."""
    if data.loader not in LOADERS:
        raise ConfigError(
            f"data.loader: unknown loader '{data.loader}' (use one of {sorted(LOADERS)})"
        )
    cache = Path(data.cache.dir) / f"{data.name}.npz"
    if data.cache.enabled and cache.is_file():
        stored = np.load(cache)
        x, y = stored["x"], stored["y"]
    else:
        bunch = LOADERS[data.loader]()
        x, y = bunch.data.astype(np.float64), bunch.target
        if data.cache.enabled:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(cache, x=x, y=y)
    if x.shape[1] != data.num_features:
        raise ConfigError(
            f"data.num_features: config says {data.num_features}, data has {x.shape[1]}"
        )
    if len(np.unique(y)) != data.num_classes:
        raise ConfigError(
            f"data.num_classes: config says {data.num_classes}, data has {len(np.unique(y))}"
        )
    rng = np.random.default_rng(seed)
    if data.subsample is not None and data.subsample < len(y):
        keep = rng.choice(len(y), size=data.subsample, replace=False)
        x, y = x[keep], y[keep]
    if data.label_noise > 0:
        flip = rng.random(len(y)) < data.label_noise
        y = np.where(flip, rng.integers(0, data.num_classes, len(y)), y)
    names = (
        list(data.class_names) if data.class_names else [str(c) for c in range(data.num_classes)]
    )
    return x, y, names


def holdout_split(data: Any, x: np.ndarray, y: np.ndarray, shuffle_seed: int) -> list[np.ndarray]:
    """The train/test split of ``data.split``; serving calls it to reproduce training's split."""
    split = data.split
    return list(
        train_test_split(
            x,
            y,
            test_size=split.test_fraction,
            stratify=y if split.stratify else None,
            shuffle=split.shuffle,
            random_state=shuffle_seed,
        )
    )


class ZClip(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Clip each feature to mean +- z standard deviations of the training data."""

    def __init__(self, z: float = 4.0) -> None:
        self.z = z

    def fit(self, x: np.ndarray, y: Any = None) -> ZClip:
        self.mean_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0) + 1e-12
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        low, high = self.mean_ - self.z * self.scale_, self.mean_ + self.z * self.scale_
        return np.clip(x, low, high)


def preprocessing_steps(pre: Any, num_features: int) -> list[tuple[str, Any]]:
    """Imputation, outlier clipping, scaling, value clipping and PCA, as configured."""
    steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy=pre.impute))]
    if pre.outliers.method == "clip":
        steps.append(("outliers", ZClip(z=pre.outliers.z_threshold)))
    elif pre.outliers.method != "none":
        raise ConfigError(f"preprocess.outliers.method: '{pre.outliers.method}' (use clip or none)")
    scalers = {"standard": StandardScaler, "minmax": MinMaxScaler}
    if pre.scaler in scalers:
        steps.append(("scale", scalers[pre.scaler]()))
    elif pre.scaler != "none":
        raise ConfigError(f"preprocess.scaler: '{pre.scaler}' (use standard, minmax or none)")
    if pre.clip is not None:
        bound = float(pre.clip)
        steps.append(
            ("clip", FunctionTransformer(np.clip, kw_args={"a_min": -bound, "a_max": bound}))
        )
    if pre.pca.enabled:
        components = min(pre.pca.components, num_features)
        steps.append(("pca", PCA(n_components=components, whiten=pre.pca.whiten)))
    return steps


def feature_steps(features: Any, num_features: int) -> list[tuple[str, Any]]:
    """Feature selection and polynomial expansion (noise augmentation is applied to data)."""
    steps: list[tuple[str, Any]] = []
    selection = features.selection
    if selection.method == "variance":
        steps.append(("select", VarianceThreshold(threshold=selection.threshold)))
    elif selection.method == "kbest":
        steps.append(("select", SelectKBest(f_classif, k=min(selection.k, num_features))))
    elif selection.method != "none":
        raise ConfigError(f"features.selection.method: '{selection.method}'")
    if features.polynomial.enabled:
        poly = PolynomialFeatures(
            degree=features.polynomial.degree,
            interaction_only=features.polynomial.interaction_only,
            include_bias=False,
        )
        steps.append(("poly", poly))
    return steps


def augment(features: Any, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian feature noise for training data only, if enabled."""
    if not features.noise.enabled:
        return x
    return x + rng.normal(0.0, features.noise.std, size=x.shape) * x.std(axis=0)


def build_estimator(model: Any, optimizer: Any, trainer: Any, num_classes: int, seed: int) -> Any:
    """The configured classifier; the MLP is trained by the configured optimizer."""
    class_weight = "balanced" if trainer.class_balance == "balanced" else model.get("class_weight")
    if model.name == "logistic":
        return LogisticRegression(
            C=model.C,
            solver=model.solver,
            fit_intercept=model.fit_intercept,
            max_iter=model.max_iter,
            class_weight=class_weight,
            tol=model.tol,
            random_state=seed,
        )
    if model.name == "random_forest":
        return RandomForestClassifier(
            n_estimators=model.n_estimators,
            criterion=model.criterion,
            max_depth=model.max_depth,
            min_samples_split=model.min_samples_split,
            min_samples_leaf=model.min_samples_leaf,
            max_features=model.max_features,
            class_weight=class_weight,
            bootstrap=model.bootstrap,
            oob_score=model.oob_score,
            n_jobs=trainer.n_jobs,
            random_state=seed,
        )
    if model.name == "mlp":
        if model.num_outputs != num_classes:
            raise ConfigError(f"model.num_outputs: {model.num_outputs} != {num_classes} classes")
        stopping = trainer.early_stopping
        return MLPClassifier(
            hidden_layer_sizes=tuple(model.hidden_sizes),
            activation=model.activation,
            alpha=model.l2,
            batch_size=trainer.batch_size,
            max_iter=trainer.max_epochs,
            early_stopping=stopping.enabled,
            n_iter_no_change=stopping.patience,
            tol=stopping.tol,
            validation_fraction=stopping.validation_fraction,
            verbose=trainer.verbose,
            warm_start=model.warm_start,
            random_state=seed,
            **optimizer_arguments(optimizer),
        )
    raise ConfigError(f"model.name: unknown model '{model.name}'")


def optimizer_arguments(optimizer: Any) -> dict[str, Any]:
    """MLPClassifier arguments for the configured optimizer."""
    if optimizer.name == "adam":
        beta_1, beta_2 = optimizer.betas
        return {
            "solver": "adam",
            "learning_rate_init": optimizer.lr,
            "beta_1": beta_1,
            "beta_2": beta_2,
            "epsilon": optimizer.epsilon,
        }
    if optimizer.name == "sgd":
        return {
            "solver": "sgd",
            "learning_rate_init": optimizer.lr,
            "momentum": optimizer.momentum,
            "nesterovs_momentum": optimizer.nesterov,
            "learning_rate": optimizer.schedule,
            "power_t": optimizer.power_t,
        }
    raise ConfigError(f"optimizer.name: unknown optimizer '{optimizer.name}'")


def build_pipeline(cfg: Any) -> Any:
    """Preprocessing + features + estimator, wrapped in search and calibration if enabled."""
    steps = preprocessing_steps(cfg.preprocess, cfg.data.num_features)
    steps += feature_steps(cfg.features, cfg.data.num_features)
    estimator = build_estimator(
        cfg.model, cfg.optimizer, cfg.trainer, cfg.data.num_classes, cfg.seed
    )
    pipeline: Any = Pipeline([*steps, ("model", estimator)])
    if cfg.search.enabled:
        space = {
            f"model__{SEARCH_NAMES.get(key, key)}": [_hashable(v) for v in values]
            for key, values in cfg.model.search_space.items()
        }
        if cfg.search.method == "grid":
            pipeline = GridSearchCV(
                pipeline, space, scoring=cfg.search.refit_metric, cv=cfg.trainer.cv_folds
            )
        else:
            pipeline = RandomizedSearchCV(
                pipeline,
                space,
                n_iter=cfg.search.n_iter,
                scoring=cfg.search.refit_metric,
                cv=cfg.trainer.cv_folds,
                random_state=cfg.seed,
            )
    if cfg.calibration.enabled:
        pipeline = CalibratedClassifierCV(
            pipeline, method=cfg.calibration.method, cv=cfg.calibration.folds
        )
    return pipeline


def score(evaluation: Any, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The configured metrics."""
    scorers = {
        "accuracy": lambda: accuracy_score(y_true, y_pred),
        "balanced_accuracy": lambda: balanced_accuracy_score(y_true, y_pred),
        "f1_macro": lambda: f1_score(y_true, y_pred, average=evaluation.average),
    }
    unknown = [m for m in evaluation.metrics if m not in scorers]
    if unknown:
        raise ConfigError(f"evaluation.metrics: unknown {unknown} (use {sorted(scorers)})")
    return {name: float(scorers[name]()) for name in evaluation.metrics}


def bootstrap_interval(
    evaluation: Any, y_true: np.ndarray, y_pred: np.ndarray, rng: np.random.Generator, every: int
) -> tuple[float, float]:
    """Bootstrap confidence interval of accuracy on the test set."""
    rounds = evaluation.bootstrap.rounds
    values = []
    for i in range(rounds):
        pick = rng.integers(0, len(y_true), len(y_true))
        values.append(accuracy_score(y_true[pick], y_pred[pick]))
        if every and (i + 1) % (every * 10) == 0:
            log.debug("bootstrap %d/%d", i + 1, rounds)
    tail = (1 - evaluation.bootstrap.confidence) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))


def calibration_error(evaluation: Any, y_true: np.ndarray, proba: np.ndarray) -> float:
    """Expected calibration error of the top-class probability, in equal-width bins."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_true
    edges = np.linspace(0, 1, evaluation.calibration_bins + 1)
    error = 0.0
    for low, high in pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


def reports(
    evaluation: Any, y_true: np.ndarray, y_pred: np.ndarray, names: list[str]
) -> dict[str, Any]:
    """Per-class report and confusion matrix, if asked for."""
    out: dict[str, Any] = {}
    if evaluation.per_class_report:
        out["per_class"] = classification_report(
            y_true, y_pred, target_names=names, output_dict=True, zero_division=0
        )
    if evaluation.confusion_matrix:
        out["confusion_matrix"] = confusion_matrix(y_true, y_pred).tolist()
    return out
