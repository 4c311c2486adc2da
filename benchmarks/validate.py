"""Benchmark: schema validation on top of compose, and ``validate --all-options`` vs plain Hydra.

Measures (medians of interleaved rounds, ratios against a baseline measured in the same run):

1. overhead of validation (an already composed config, timed alone) on top of
   ``confman.compose`` (cache on) on the generated 1k-leaf tree
   (20 groups x 20 options x 50 keys, 10 overrides) with a schema for the whole config, and on the
   example ``train`` config with ``schemas.train:TrainConfig`` (target: < 10% of compose time);
2. ``--all-options`` over the generated tree's 400 option files (each checked against its group
   schema) vs composing each option file with plain ``hydra.compose`` (target <= 0.3x), with the
   parse cache cold (first run in a process) and warm (repeated runs);
3. a sweep over one group's options (20 points), validated through ``run_validate``'s one
   composer, against each point composed by ``confman.compose`` and validated, and against
   plain ``hydra.compose`` of the same points.

The generated tree gets a generated schema module (one pydantic model per group, typed like
gentree's values) and a pyproject binding every group, so the real CLI code path runs.

Usage: python benchmarks/validate.py [--rounds N]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf

sys.path.insert(0, str(Path(__file__).parent))
import gentree

from confman.compose import compose
from confman.schema.api import validate_composed
from confman.schema.binding import load_bindings
from confman.schema.report import run_validate
from confman.settings import load_settings
from confman.yamlsource import clear_cache

ROOT = Path(__file__).resolve().parents[1]
GROUPS, OPTIONS, KEYS = 20, 20, 50
KIND = ["int", "float", "str", "bool", "int"]  # gentree: i % 5; kind 4 interpolates k(i-4), an int


def write_schema_project(root: Path) -> Path:
    """Generated tree + ``benchschema.py`` + pyproject binding the primary and every group."""
    conf = gentree.generate(root / "conf", GROUPS, OPTIONS, KEYS)
    lines = ["from pydantic import BaseModel, Field", ""]
    for section in range(KEYS // 10):
        lines.append(f"class Sec{section}(BaseModel):")
        for k in range(10):
            i = section * 10 + k
            lines.append(f"    k{i}: {KIND[i % 5]}" + (" = Field(ge=0)" if i % 5 == 0 else ""))
        lines.append("")
    lines.append("class Group(BaseModel):")
    lines += [f"    sec{s}: Sec{s}" for s in range(KEYS // 10)]
    lines += ["", "class Top(BaseModel):", "    lr: float = Field(gt=0)", "    epochs: int", ""]
    lines += ["class Config(BaseModel):", "    seed: int", "    name: str", "    top: Top"]
    lines += [f"    g{g}: Group" for g in range(GROUPS)]
    (root / "benchschema.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bindings = ['config = "benchschema:Config"']
    bindings += [f'g{g} = "benchschema:Group"' for g in range(GROUPS)]
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n\n[tool.confman.schemas]\n'
        + "\n".join(bindings)
        + "\n",
        encoding="utf-8",
    )
    return conf


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def interleaved(
    a: Callable[[], object], b: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """Medians of a and b, alternating so machine noise hits both alike."""
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(median_ms(a, 1))
        tb.append(median_ms(b, 1))
    return statistics.median(ta), statistics.median(tb)


def overhead(
    root: Path, name: str, overrides: list[str], rounds: int
) -> tuple[float, float, float]:
    """Medians of compose, of validating its result, and of the OmegaConf interpolation
    resolution (``to_container(resolve=True)``) that validation includes."""
    settings = load_settings(root)
    schema = load_bindings(settings).configs[name].schema
    conf = settings.config_dir
    composed = [compose(name, overrides, config_dir=conf)]

    def plain() -> object:
        composed[0] = compose(name, overrides, config_dir=conf)
        return composed[0]

    def validate() -> object:
        result = validate_composed(composed[0], schema)
        assert result.ok, result.issues[:3]
        return result

    validate()  # warm the TypeAdapter
    c, v = interleaved(plain, validate, rounds)
    r = median_ms(lambda: OmegaConf.to_container(composed[0].config, resolve=True), rounds)
    return c, v, r


def all_options(root: Path, rounds: int) -> dict[str, float]:
    settings = load_settings(root)
    bindings = load_bindings(settings)
    files = [(g, o) for g in range(GROUPS) for o in range(OPTIONS)]

    def ours(cold: bool) -> Callable[[], object]:
        def run() -> object:
            if cold:
                clear_cache()
            report = run_validate(settings, bindings, ["config"], [], all_options=True)
            assert len(report.results) == 1 + len(files) and not report.failures
            return report

        return run

    def hydra() -> object:
        with initialize_config_dir(str(settings.config_dir), version_base="1.3"):
            for g, o in files:
                hydra_compose(config_name=f"g{g}/opt{o}")
        return None

    ours(True)()
    hydra_ms = median_ms(hydra, 1)  # ~50 s a round on the reference machine: one round
    cold_ms = median_ms(ours(True), rounds)
    warm_ms = median_ms(ours(False), rounds)
    # the composed primary config is part of ``run_validate``; measure it to report options alone
    compose_ms = median_ms(lambda: compose("config", config_dir=settings.config_dir), rounds)
    return {"hydra": hydra_ms, "cold": cold_ms, "warm": warm_ms, "compose": compose_ms}


def group_sweep(root: Path, rounds: int) -> dict[str, float]:
    """``validate config g0=opt0,...,opt19``: 20 points that only choose a group option, through
    ``run_validate`` (one composer for the sweep), against each point composed by
    ``confman.compose`` and validated (how every point was composed before), and against plain
    ``hydra.compose`` of the same points (no validation)."""
    settings = load_settings(root)
    bindings = load_bindings(settings)
    sweep = "g0=" + ",".join(f"opt{o}" for o in range(OPTIONS))
    points = [[f"g0=opt{o}"] for o in range(OPTIONS)]
    schema = bindings.configs["config"].schema

    def ours() -> object:
        report = run_validate(settings, bindings, ["config"], [sweep])
        assert len(report.results) == OPTIONS and not report.failures
        return report

    def each() -> object:
        for point in points:
            composed = compose("config", point, config_dir=settings.config_dir)
            assert validate_composed(composed, schema).ok
        compose("config", [], config_dir=settings.config_dir)  # run_validate's no-op check
        return None

    def hydra() -> object:
        with initialize_config_dir(str(settings.config_dir), version_base="1.3"):
            for point in points:
                hydra_compose(config_name="config", overrides=point)
        return None

    ours()
    each()
    times: dict[str, list[float]] = {"ours": [], "each": [], "hydra": []}
    for _ in range(rounds):
        for name, fn in (("ours", ours), ("each", each), ("hydra", hydra)):
            times[name].append(median_ms(fn, 1))
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, rounds={args.rounds}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_schema_project(root)
        sys.path.insert(0, str(root))
        ovr = gentree.overrides(10)
        c, v, r = overhead(root, "config", ovr, args.rounds)
        print(
            f"generated tree, 10 overrides: compose {c:.1f} ms, validate {v:.1f} ms, "
            f"overhead {100 * v / c:.1f}% (target < 10%); of it OmegaConf resolving "
            f"interpolations {r:.1f} ms, the rest {100 * (v - r) / c:.1f}% of compose"
        )
        c, v, r = overhead(ROOT, "train", [], args.rounds)
        print(
            f"example train: compose {c:.1f} ms, validate {v:.1f} ms, "
            f"overhead {100 * v / c:.1f}% (target < 10%); of it OmegaConf resolving "
            f"interpolations {r:.1f} ms, the rest {100 * (v - r) / c:.1f}% of compose"
        )
        g = group_sweep(root, max(3, args.rounds // 2))
        print(
            f"validate a sweep of {OPTIONS} group options: {g['ours']:.0f} ms; each point "
            f"composed by confman.compose and validated {g['each']:.0f} ms "
            f"(ratio {g['ours'] / g['each']:.2f}); plain hydra.compose of the points, not "
            f"validated, {g['hydra']:.0f} ms (ratio {g['ours'] / g['hydra']:.2f})"
        )
        t = all_options(root, max(3, args.rounds // 2))
        print(
            f"--all-options, 400 option files + the primary: plain Hydra composing each option "
            f"{t['hydra']:.0f} ms; confman cold cache {t['cold']:.0f} ms "
            f"(ratio {t['cold'] / t['hydra']:.2f}), warm {t['warm']:.0f} ms "
            f"(ratio {t['warm'] / t['hydra']:.2f}); target <= 0.3. "
            f"(of which composing+validating the primary: ~{t['compose']:.0f} ms)"
        )


if __name__ == "__main__":
    main()
