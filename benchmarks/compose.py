"""Benchmark: confman compose (provenance included) against plain ``hydra.compose``, same run.

Three ratios (confman / Hydra; lower is better), medians of interleaved rounds so that machine
noise hits both sides alike:

1. warm call, no parse cache: one compose in a warm process, every user file read and parsed
   again (target <= 0.8);
2. repeated composes of the same tree in one process, parse cache on (target <= 0.5);
3. cold process: ``confman compose`` vs a Python process that imports Hydra, composes once and
   prints the YAML (target <= 1.1).

Results must be identical: the script checks ``to_container`` equality before timing.

Usage: python benchmarks/compose.py [--rounds N] [--cold-rounds N] [--tree DIR]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf

sys.path.insert(0, str(Path(__file__).parent))
import gentree

from confman.compose import compose

PLAIN_HYDRA = textwrap.dedent(
    """
    import sys
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf
    with initialize_config_dir(config_dir=sys.argv[1], version_base=None):
        cfg = compose(sys.argv[2], sys.argv[3:])
    print(OmegaConf.to_yaml(cfg))
    """
)


def _interleaved(
    a: Callable[[], object], b: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """Median seconds of ``a`` and ``b``, measured alternately."""
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        a()
        ta.append(time.perf_counter() - start)
        start = time.perf_counter()
        b()
        tb.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


def bench_tree(root: Path, name: str, overrides: list[str], rounds: int) -> dict[str, float]:
    """In-process ratios for one tree."""
    with initialize_config_dir(config_dir=str(root), version_base=None):
        expected = OmegaConf.to_container(hydra_compose(name, overrides), resolve=False)
        for cache in (False, True):
            got = compose(name, overrides, config_dir=root, cache=cache)
            assert got.to_container() == expected, "confman and Hydra disagree"
            assert len(got.provenance) > 0

        def hydra_call() -> object:
            return hydra_compose(name, overrides)

        def confman_nocache() -> object:
            return compose(name, overrides, config_dir=root, cache=False).provenance

        def confman_cached() -> object:
            return compose(name, overrides, config_dir=root).provenance

        h1, c1 = _interleaved(hydra_call, confman_nocache, rounds)
        h2, c2 = _interleaved(hydra_call, confman_cached, rounds)
    return {
        "hydra_ms": 1000 * statistics.median([h1, h2]),
        "warm_nocache_ms": 1000 * c1,
        "warm_nocache_ratio": c1 / h1,
        "repeated_ms": 1000 * c2,
        "repeated_ratio": c2 / h2,
    }


def bench_cold(root: Path, name: str, overrides: list[str], rounds: int) -> dict[str, float]:
    """Fresh-process ratio: ``confman compose`` vs plain Hydra import + compose + print."""
    script = Path(tempfile.mkdtemp()) / "plain_hydra.py"
    script.write_text(PLAIN_HYDRA, encoding="utf-8")
    confman_exe = Path(sys.executable).parent / "confman"
    plain = [sys.executable, str(script), str(root), name, *overrides]
    ours = [str(confman_exe), "compose", name, *overrides, "--config-dir", str(root)]

    def run(cmd: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    run(plain)()
    run(ours)()
    h, c = _interleaved(run(plain), run(ours), rounds)
    return {"cold_hydra_ms": 1000 * h, "cold_confman_ms": 1000 * c, "cold_ratio": c / h}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cold-rounds", type=int, default=9)
    parser.add_argument("--tree", type=Path, help="existing tree (default: generate 20x20x50)")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'}, "
        f"python {platform.python_version()}, cores: {__import__('os').cpu_count()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = args.tree or gentree.generate(Path(tmp) / "tree")
        overrides = gentree.overrides(10)
        rows = bench_tree(root, "config", overrides, args.rounds)
        rows.update(bench_cold(root, "config", overrides, args.cold_rounds))
        example = Path(__file__).resolve().parent.parent / "conf"
        if (example / "train.yaml").is_file():
            ex = bench_tree(example, "train", [], args.rounds)
            rows.update({f"example_{k}": v for k, v in ex.items()})
    print("generated tree: 20 groups x 20 options x 50 keys, 10 overrides (1,000+ leaves)")
    for key, value in rows.items():
        unit = "" if key.endswith("ratio") else " ms"
        print(f"  {key:32s} {value:8.2f}{unit}")
    targets = {"warm_nocache_ratio": 0.8, "repeated_ratio": 0.5, "cold_ratio": 1.1}
    for key, target in targets.items():
        verdict = "ok" if rows[key] <= target else "MISSED"
        print(f"  target {key} <= {target}: {rows[key]:.2f} {verdict}")


if __name__ == "__main__":
    main()
