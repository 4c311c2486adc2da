"""Train the example classifier as a Hydra app: ``python examples/train_app.py [OVERRIDE...]``.

The job of ``examples/train.py`` (its ``train``) under ``@confman.main``, so Hydra's command
line, multirun and launchers work on it (``-m hydra/launcher=joblib``) and every job is recorded
in the run store. ``confman bisect --launcher`` probes it this way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import train

import confman


@confman.main(config_name="train", config_path="../conf")
def main(cfg: Any) -> dict[str, Any]:
    return train(cfg)


if __name__ == "__main__":
    main()
