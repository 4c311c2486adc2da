"""Serve the trained example model: ``python examples/serve.py [OVERRIDE...]``.

Composes ``conf/serve.yaml``, which shares the ``preprocess`` and ``features`` groups with
training, refuses to serve if those settings differ from the ones the model was trained with,
then predicts the held-out reference split in batches and prints a JSON summary.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pipeline

import confman

CONF = Path(__file__).resolve().parent.parent / "conf"
SHARED = ("preprocess", "features")


def check_same_preparation(cfg: Any, trained: Any) -> None:
    """Serving must prepare features exactly as training did."""
    for section in SHARED:
        if cfg[section] != trained[section]:
            ours = OmegaConf.to_container(cfg[section], resolve=True)
            theirs = OmegaConf.to_container(trained[section], resolve=True)
            keys = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
            raise pipeline.ConfigError(
                f"{section}: serving differs from training in {keys}; serve with the "
                f"same {section} option the model was trained with"
            )


def top_k(proba: np.ndarray, names: list[str], k: int, with_probabilities: bool) -> list[Any]:
    order = np.argsort(-proba, axis=1)[:, :k]
    if with_probabilities:
        return [
            [f"{names[j]}:{p[j]:.3f}" for j in row] for p, row in zip(proba, order, strict=True)
        ]
    return [[names[j] for j in row] for row in order]


def serve(cfg: Any) -> dict[str, Any]:
    if not OmegaConf.is_dict(cfg.reference):
        # Hydra reads `reference=wine` as "set the key reference to the string 'wine'".
        raise pipeline.ConfigError(
            f"reference: expected a data config, got {cfg.reference!r}; to pick the reference "
            "data set use the group override data@reference=wine"
        )
    trained = OmegaConf.load(cfg.trained_config)
    check_same_preparation(cfg, trained)
    with threadpool_limits(limits=trained.runtime.threads):
        return predict(cfg, trained)


def predict(cfg: Any, trained: Any) -> dict[str, Any]:
    """Predict the held-out reference split in batches, as a serving process would."""
    model = joblib.load(Path(cfg.model_dir) / trained.output.model_file)
    x, y, names = pipeline.load_dataset(cfg.reference, trained.seed)
    x_train, x_test, _, y_test = pipeline.holdout_split(
        cfg.reference, x, y, trained.reproducibility.shuffle_seed
    )
    predictions: list[int] = []
    first: list[Any] = []
    for start in range(0, len(x_test), cfg.batch_size):
        batch = x_test[start : start + cfg.batch_size]
        proba = model.predict_proba(batch)
        predictions.extend(proba.argmax(axis=1).tolist())
        if not first:
            first = top_k(proba, names, cfg.top_k, cfg.return_probabilities)[:3]
    summary: dict[str, Any] = {
        "model": str(Path(cfg.model_dir) / trained.output.model_file),
        "trained_as": trained.name,
        "samples": len(y_test),
        "accuracy": round(float(np.mean(np.array(predictions) == y_test)), 4),
        "first_predictions": first,
    }
    if cfg.drift.enabled:
        spread = x_train.std(axis=0)
        scale = np.where(spread > 0, spread, 1.0)  # constant training features: raw shift
        shift = np.abs(x_test.mean(axis=0) - x_train.mean(axis=0)) / scale
        summary["drift"] = {
            "max_mean_shift": round(float(shift.max()), 4),
            "alert": bool(shift.max() > cfg.drift.max_mean_shift),
        }
    return summary


def main(argv: list[str]) -> int:
    try:
        composed = confman.compose("serve", argv, config_dir=CONF)
        summary = serve(composed.config)
    except (confman.ConfmanError, pipeline.ConfigError, FileNotFoundError) as exc:
        print(f"serve.py: error: {exc}", file=sys.stderr)
        return 2
    except OmegaConfBaseException as exc:  # e.g. an interpolation an override broke
        print(f"serve.py: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        print(f"serve.py: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
