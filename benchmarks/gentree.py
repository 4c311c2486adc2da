"""Generate synthetic Hydra config trees for benchmarks.

``generate(root, groups=20, options=20, keys=50)`` writes a primary ``config.yaml`` whose defaults
list selects option 0 of every group, plus ``groups * options`` option files of ``keys`` leaves
each (nested two levels, mixed types, some interpolations). ``overrides(n)`` returns ``n`` CLI
overrides mixing group choices and value overrides, all valid for the generated tree.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["generate", "overrides"]


def _option_yaml(group: int, option: int, keys: int, rng: random.Random) -> str:
    lines = []
    per_section = 10
    for section in range(max(1, keys // per_section)):
        lines.append(f"sec{section}:")
        for k in range(per_section):
            i = section * per_section + k
            kind = i % 5
            if kind == 0:
                value = str(rng.randint(0, 10_000))
            elif kind == 1:
                value = f"{rng.random():.6f}"
            elif kind == 2:
                value = f"name_{group}_{option}_{i}"
            elif kind == 3:
                value = "true" if rng.random() < 0.5 else "false"
            else:
                value = f"${{.k{i - 4}}}"
            lines.append(f"  k{i}: {value}")
    return "\n".join(lines) + "\n"


def generate(
    root: Path, groups: int = 20, options: int = 20, keys: int = 50, seed: int = 0
) -> Path:
    """Write the tree under ``root`` and return ``root``."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    defaults = ["defaults:"] + [f"  - g{g}: opt0" for g in range(groups)] + ["  - _self_"]
    body = ["seed: 0", "name: synthetic", "top:", "  lr: 0.1", "  epochs: 10"]
    (root / "config.yaml").write_text("\n".join(defaults + body) + "\n", encoding="utf-8")
    for g in range(groups):
        folder = root / f"g{g}"
        folder.mkdir(exist_ok=True)
        for o in range(options):
            (folder / f"opt{o}.yaml").write_text(_option_yaml(g, o, keys, rng), encoding="utf-8")
    return root


def overrides(n: int = 10, groups: int = 20, options: int = 20) -> list[str]:
    """``n`` valid overrides: half group choices, half value overrides."""
    out: list[str] = []
    for i in range(n):
        g = i % groups
        if i % 2 == 0:
            out.append(f"g{g}=opt{(i + 1) % options}")
        else:
            out.append(f"g{g}.sec0.k0={i * 7}")
    return out
