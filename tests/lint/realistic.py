"""A realistic ML system with known lint answers: the bundled example system (conf/, examples/)
copied and edited with planted debts and near-misses.

The answer key lives in the tree itself: a planted line ends with ``# expect: CM302 CM101``
(every code a careful reviewer would agree is a correct finding on that line); near-misses end
with ``# near-miss: ...`` and must produce nothing. A plant whose finding lands on line 1 of a
new file (CM103 dead option, CM204 duplicate option) carries its marker on line 1, or says
``# expect@1: CM103`` on another line when line 1 must stay a Hydra ``# @package`` header.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = ["EXPECT", "answer_key", "build", "near_misses"]

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["examples"]\n'
EXPECT = re.compile(r"#\s*expect(?:@(\d+))?:\s*((?:CM\d{3}\s*)+)")
NEAR = re.compile(r"#\s*near-miss:")

# (file, old text or None to append / create, new text)
EDITS: list[tuple[str, str | None, str]] = [
    # --- CM101 unused-key: knobs nothing reads
    ("conf/model/mlp.yaml", None, "dropout: 0.2  # expect: CM101\n"),
    (
        "conf/train.yaml",
        "  tmp_dir: /tmp/confman-example\n",
        "  tmp_dir: /tmp/confman-example\n  gpu_fraction: 0.5  # expect: CM101\n",
    ),
    ("conf/trainer/default.yaml", None, "lr_decay: 0.95  # expect: CM101\n"),
    (
        "conf/data/wine.yaml",
        None,
        "source_url: https://archive.ics.uci.edu/dataset/109/wine  # expect: CM101\n",
    ),
    # --- CM201 duplicate-key (in an option no composition uses, so nothing else is hidden)
    ("conf/features/kbest.yaml", None, "selection:  # expect: CM201\n  k: 16\n"),
    # --- CM202 redundant-override
    (
        "conf/experiment/mlp_sgd.yaml",
        "  hidden_sizes: [64]\n",
        "  hidden_sizes: [64]\n  activation: relu  # expect: CM202\n",
    ),
    (
        "conf/experiment/forest_digits.yaml",
        "  - override /model: random_forest\n",
        "  - override /model: random_forest\n  - override /data: digits  # expect: CM202\n",
    ),
    (
        "conf/experiment/wine_small.yaml",
        "    rounds: 50\n",
        "    rounds: 50\n    confidence: 0.95  # expect: CM202\n",
    ),
    # --- CM203 copied-value: a literal that should be one definition plus interpolation
    ("conf/trainer/default.yaml", None, "max_iter: 500  # expect: CM203\n"),
    ("conf/serve.yaml", None, "num_classes: 10  # expect: CM203\n"),
    # --- CM204 duplicate-option: a copy of the 12-key digits data option, selected by an
    # experiment (small options one value apart are normal design on real trees)
    (
        "conf/data/digits_v2.yaml",
        None,
        (REPO / "conf/data/digits.yaml").read_text().replace("\n", "  # expect: CM204\n", 1),
    ),
    (
        "conf/experiment/digits_copy.yaml",
        None,
        "# @package _global_\ndefaults:\n  - override /model: mlp\n  - override /data: digits_v2\n",
    ),
    # --- CM301 broken-interpolation: typos in references
    (
        "conf/model/mlp.yaml",
        "num_outputs: ${data.num_classes}\n",
        "num_outputs: ${data.num_class}  # expect: CM301\n",
    ),
    (
        "conf/serve.yaml",
        "model_dir: outputs/${reference.name}-logistic\n",
        "model_dir: outputs/${reference.nam}-logistic  # expect: CM301\n",
    ),
    # --- CM302 unknown-key: typos in files packaged outside their group
    (
        "conf/experiment/mlp_sgd.yaml",
        "  max_epochs: 150\n",
        "  max_epoch: 150  # expect: CM302 CM101\n",
    ),
    (
        "conf/preset/ci.yaml",
        None,
        "# @package _global_\n# expect@1: CM103 (a dead option is reported at line 1)\n"
        "trainer:\n  cv_fold: 2  # expect: CM302\n",
    ),
    # --- CM401 secret-literal (also unused: no code reads them)
    (
        "conf/train.yaml",
        "  notes: null\n",
        "  notes: null\n  api_token: tok-8f3a9c2e71d4b5a6  # expect: CM401 CM101\n",
    ),
    ("conf/serve.yaml", None, "db_password: s3cr3t-pw-2024  # expect: CM401 CM101\n"),
    # --- CM103 dead-option
    ("conf/model/old_cnn.yaml", None, "name: old_cnn  # expect: CM103\nchannels: 32\n"),
    (
        "conf/preprocess/robust.yaml",
        None,
        "scaler: robust  # expect: CM103\nclip: 3.0\nimpute: median\noutliers:\n"
        "  method: drop\n  z_threshold: 3.0\npca:\n  enabled: false\n  components: 32\n"
        "  whiten: false\n",
    ),
    # --- near-misses: look like debts, are not
    # a key read through .get() in code, next to a plant in the same file
    ("conf/model/mlp.yaml", None, "label_smoothing: 0.0  # near-miss: read via .get\n"),
    # a secret taken from the environment, read by code
    (
        "conf/train.yaml",
        "  enabled: false\n  project: confman-example\n",
        "  enabled: false\n  project: confman-example\n"
        "  password: ${oc.env:TRACKING_PASSWORD,none}  # near-miss: secret from env\n",
    ),
    # an experiment changing a value to a different one
    (
        "conf/experiment/wine_small.yaml",
        "model:\n",
        "trainer:\n  cv_folds: 4  # near-miss: real override\nmodel:\n",
    ),
    # a _global_ experiment adding a whole new section its code reads
    (
        "conf/experiment/profiled.yaml",
        None,
        "# @package _global_\nprofiling:  # near-miss: new section, not a typo\n"
        "  enabled: true\n  every_n_steps: 50\n",
    ),
    # the same literal under different keys in two files
    ("conf/trainer/fast.yaml", None, "checkpoint_every: 32  # near-miss: same value, other key\n"),
    # a secret-sounding name that holds no secret, read by code
    ("conf/serve.yaml", None, "api_key_header: X-Api-Key  # near-miss: a header name\n"),
    # a finding suppressed on its line
    ("conf/trainer/default.yaml", None, "legacy_flag: true  # confman: noqa: CM101\n"),
    # code that reads the near-miss keys
    (
        "examples/train.py",
        None,
        "\n\ndef optional_settings(cfg: Any) -> tuple[Any, ...]:\n"
        "    profiling = cfg.get('profiling')\n"
        "    steps = profiling.every_n_steps if profiling else None\n"
        "    return cfg.model.get('label_smoothing', 0.0), cfg.tracking.password, steps, "
        "cfg.trainer.checkpoint_every, cfg.get('api_key_header')\n",
    ),
]


def build(root: Path) -> Path:
    """Copy the example system to ``root`` and apply every edit."""
    shutil.copytree(REPO / "conf", root / "conf")
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copytree(REPO / "tests" / "examples", root / "tests" / "examples")
    (root / "pyproject.toml").write_text(PYPROJECT)
    for rel, old, new in EDITS:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text() if path.exists() else ""
        if old is None:
            text += new
        else:
            if old not in text:
                raise AssertionError(f"{rel}: the example system changed; {old!r} is gone")
            text = text.replace(old, new, 1)
        path.write_text(text)
    return root


def answer_key(root: Path) -> set[tuple[str, str, int]]:
    """``(code, file, line)`` of every finding the planted markers promise."""
    out: set[tuple[str, str, int]] = set()
    for path in sorted(root.rglob("*.yaml")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                rel = path.relative_to(root).as_posix()
                at = int(match.group(1)) if match.group(1) else n
                out |= {(code, rel, at) for code in match.group(2).split()}
    return out


def near_misses(root: Path) -> set[tuple[str, int]]:
    """``(file, line)`` of every near-miss marker."""
    return {
        (path.relative_to(root).as_posix(), n)
        for path in sorted(root.rglob("*.yaml"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if NEAR.search(line)
    }
