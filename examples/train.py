"""Train the example classifier: ``python examples/train.py [OVERRIDE...]``.

Takes Hydra overrides (``model=random_forest``, ``experiment=mlp_sgd``, ``trainer.cv_folds=3``),
composes ``conf/train.yaml`` with confman, cross-validates, evaluates on a held-out split and
writes the model, metrics, resolved config and a report to ``output.dir``.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from omegaconf import OmegaConf
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pipeline

import confman

CONF = Path(__file__).resolve().parent.parent / "conf"
log = logging.getLogger("examples")


def setup_logging(cfg: Any) -> None:
    logging.basicConfig(
        level=cfg.logging.level, format=cfg.logging.format, filename=cfg.logging.file, force=True
    )
    logging.captureWarnings(cfg.logging.capture_warnings)


def check_memory(cfg: Any, x: np.ndarray) -> None:
    limit = cfg.runtime.memory_limit_gb * 1e9
    if x.nbytes * 4 > limit:  # features, scaled copy, folds: a rough working-set bound
        raise pipeline.ConfigError(
            f"runtime.memory_limit_gb: data needs ~{x.nbytes * 4 / 1e9:.1f} GB"
        )


def cross_validation(cfg: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    folds = RepeatedStratifiedKFold(
        n_splits=cfg.trainer.cv_folds,
        n_repeats=cfg.trainer.cv_repeats,
        random_state=cfg.reproducibility.shuffle_seed,
    )
    scoring = {m: m for m in cfg.evaluation.metrics}
    with joblib.parallel_config(temp_folder=cfg.runtime.tmp_dir):
        result = cross_validate(
            pipeline.build_pipeline(cfg), x, y, cv=folds, scoring=scoring, n_jobs=cfg.trainer.n_jobs
        )
    return {f"cv_{m}": float(np.mean(result[f"test_{m}"])) for m in cfg.evaluation.metrics}


def write_outputs(cfg: Any, model: Any, metrics: dict[str, Any], predictions: np.ndarray) -> Path:
    out = Path(cfg.output.dir)
    if out.exists() and not cfg.output.overwrite:
        raise pipeline.ConfigError(f"output.dir: {out} exists and output.overwrite is false")
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / cfg.output.model_file, compress=cfg.output.compress)
    (out / cfg.output.metrics_file).write_text(json.dumps(metrics, indent=2) + "\n")
    (out / cfg.output.config_file).write_text(OmegaConf.to_yaml(cfg, resolve=True))
    if cfg.output.save_predictions:
        np.save(out / "predictions.npy", predictions)
    report = cfg.output.report
    lines = [f"# {cfg.name}", "", cfg.description, ""]
    lines += [f"- {key}: {value}" for key, value in metrics["test"].items()]
    errors = metrics.get("misclassified", [])[: report.top_errors]
    lines += ["", f"Misclassified test samples (first {report.top_errors}): {errors}"]
    if report.include_config:
        lines += ["", "```yaml", OmegaConf.to_yaml(cfg, resolve=True).rstrip(), "```"]
    text = "\n".join(lines) + "\n"
    if report.format != "markdown":
        text = text.replace("```yaml\n", "").replace("```", "").replace("# ", "")
    (out / report.file).write_text(text)
    return out


def track(cfg: Any, metrics: dict[str, Any], out: Path) -> None:
    if not cfg.tracking.enabled:
        return
    folder = Path(cfg.tracking.uri)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {
        "project": cfg.tracking.project,
        "name": cfg.name,
        "tags": list(cfg.tracking.tags),
        "notes": cfg.tracking.notes,
        "metrics": metrics["test"],
        "model": str(out / cfg.output.model_file) if cfg.tracking.log_model else None,
    }
    with (folder / f"{cfg.tracking.project}.jsonl").open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def train(cfg: Any) -> dict[str, Any]:
    """Run the whole training job for a composed config; return the metrics."""
    setup_logging(cfg)
    if cfg.reproducibility.deterministic:
        random.seed(cfg.reproducibility.numpy_seed)
        np.random.seed(cfg.reproducibility.numpy_seed)
    rng = np.random.default_rng(cfg.seed)
    start = time.perf_counter()
    with threadpool_limits(limits=cfg.runtime.threads):
        x, y, names = pipeline.load_dataset(cfg.data, cfg.seed)
        check_memory(cfg, x)
        x_train, x_test, y_train, y_test = pipeline.holdout_split(
            cfg.data, x, y, cfg.reproducibility.shuffle_seed
        )
        x_train = pipeline.augment(cfg.features, x_train, rng)
        cv = cross_validation(cfg, x_train, y_train)
        model = pipeline.build_pipeline(cfg)
        if cfg.trainer.refit_on_full:
            model.fit(x_train, y_train)
        else:
            keep = rng.random(len(y_train)) >= cfg.trainer.val_fraction
            model.fit(x_train[keep], y_train[keep])
        predicted = model.predict(x_test)
        test = pipeline.score(cfg.evaluation, y_test, predicted)
        low, high = pipeline.bootstrap_interval(
            cfg.evaluation, y_test, predicted, rng, cfg.logging.progress_every
        )
        test["accuracy_ci"] = [low, high]
        test["calibration_error"] = pipeline.calibration_error(
            cfg.evaluation, y_test, model.predict_proba(x_test)
        )
    metrics: dict[str, Any] = {
        "name": cfg.name,
        "config_version": cfg.version,
        "cv": cv,
        "test": test,
        "misclassified": np.flatnonzero(predicted != y_test).tolist(),
        "seconds": round(time.perf_counter() - start, 2),
        **pipeline.reports(cfg.evaluation, y_test, predicted, names),
    }
    out = write_outputs(cfg, model, metrics, predicted)
    track(cfg, metrics, out)
    threshold = cfg.evaluation.thresholds
    if test.get("accuracy", 1.0) < threshold.min_accuracy:
        log.warning("accuracy %.3f below %.3f", test["accuracy"], threshold.min_accuracy)
        if threshold.fail_below:
            raise SystemExit(1)
    metrics["output_dir"] = str(out)
    return metrics


def main(argv: list[str]) -> int:
    try:
        composed = confman.compose("train", argv, config_dir=CONF)
        # Recorded in the project's run store (.confman/runs.db): `confman runs list` shows it.
        with confman.record_run(composed) as cfg:
            metrics = train(cfg)
    except (confman.ConfmanError, pipeline.ConfigError) as exc:
        print(f"train.py: error: {exc}", file=sys.stderr)
        return 2
    test = metrics["test"]
    print(
        f"{metrics['name']}: accuracy {test.get('accuracy', float('nan')):.3f} "
        f"(95% CI {test['accuracy_ci'][0]:.3f}-{test['accuracy_ci'][1]:.3f}), "
        + ", ".join(f"{k} {v:.3f}" for k, v in metrics["cv"].items())
        + f"; wrote {metrics['output_dir']} in {metrics['seconds']}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
