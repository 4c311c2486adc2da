"""Benchmark: ``confman.diff`` against a plain flattened-dict comparison, and plain DeepDiff.

Configs of 1k, 10k and 100k leaves (sections of 10 sub-sections of 10 keys, mixed value types,
some lists), B a copy of A with ~1% of leaves changed (values, types, added, removed). Targets:
confman diff <= 1 s at 100k leaves, and <= 3x the baseline at every size. The baseline is the
least a diff must do: flatten both configs to dotted keys and compare the dicts. Plain DeepDiff
on the nested dicts is reported for reference (one round at 100k: it is slow).

Every round checks that confman and the baseline agree on which leaves differ.

Usage: python benchmarks/diff.py [--rounds N] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import copy
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from deepdiff import DeepDiff

import confman
from confman.diff.runtable import RunTable, compare_many, compare_stored, render_table
from confman.provenance import iter_leaves
from confman.store import RunRecord, open_store

_MISSING = object()


def make_config(leaves: int, seed: int = 0) -> dict[str, Any]:
    """A nested config with ``leaves`` leaves: s{i}.b{j}.k{k}, mixed value types."""
    rng = random.Random(seed)
    config: dict[str, Any] = {}
    for n in range(leaves):
        section, block, key = n // 100, (n // 10) % 10, n % 10
        makers: tuple[Callable[[], Any], ...] = (
            rng.random,
            lambda: rng.randint(0, 10**6),
            lambda: f"v{rng.randint(0, 10**6)}",
            partial(bool, n % 2),
            lambda: [rng.randint(0, 9) for _ in range(3)],
        )
        value = makers[n % 5]()
        config.setdefault(f"s{section}", {}).setdefault(f"b{block}", {})[f"k{key}"] = value
    return config


def mutate(config: dict[str, Any], fraction: float = 0.01, seed: int = 1) -> dict[str, Any]:
    """A copy with ``fraction`` of the leaves changed, retyped, removed, or added next to."""
    rng = random.Random(seed)
    out = copy.deepcopy(config)
    paths = [p for p, _ in iter_leaves(config)]
    for i, path in enumerate(rng.sample(paths, max(1, int(len(paths) * fraction)))):
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node[part]
        op = i % 4
        if op == 0:
            node[last] = "changed"
        elif op == 1:
            node[last] = str(node[last])
        elif op == 2:
            del node[last]
        else:
            node[f"{last}_new"] = i
    return out


def baseline(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    """Flatten both, compare the dicts: the keys whose value differs or exists on one side."""
    fa, fb = dict(iter_leaves(a)), dict(iter_leaves(b))
    return {k for k in fa.keys() | fb.keys() if fa.get(k, _MISSING) != fb.get(k, _MISSING)}


def median_time(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep(runs: int) -> dict[str, dict[str, Any]]:
    """``runs`` configs of ~200 leaves, a sweep over 3 keys (one of them unique per run)."""
    base = make_config(200)
    configs = {}
    for i in range(runs):
        config = copy.deepcopy(base)
        config["s0"]["b0"]["k0"] = [1e-4, 3e-4, 1e-3][i % 3]
        config["s1"]["b2"]["k1"] = i % 7
        config["s1"]["b3"]["k2"] = f"seed{i}"
        configs[f"run{i:05d}"] = config
    return configs


def bench_many(runs: int, rounds: int) -> None:
    """``runs compare`` core over ``runs`` in-memory configs."""
    configs = sweep(runs)
    table = compare_many(configs)
    assert table.keys == ("s1.b3.k2", "s1.b2.k1", "s0.b0.k0"), table.keys
    t_flat = median_time(lambda: [dict(iter_leaves(c)) for c in configs.values()], rounds)
    t_many = median_time(partial(compare_many, configs), rounds)
    t_render = median_time(partial(render_table, table, "table"), rounds)
    print(
        f"runs compare core, {runs:,} runs x {len(table.keys) + table.constant} leaves: "
        f"compare {t_many * 1000:.0f} ms + render {t_render * 1000:.0f} ms "
        f"(flattening alone: {t_flat * 1000:.0f} ms, ratio {t_many / t_flat:.2f})"
    )


def bench_stored(runs: int, rounds: int) -> None:
    """``runs compare --where`` over ``runs`` runs recorded in a real SQLite store.

    End to end as the CLI does it: select the runs, read the config node trees, build the table,
    render it. Baseline: loading the same runs' full records (``Store.query``), which is what
    comparing them would cost if every config had to be decoded.
    """
    configs = sweep(runs)
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/runs.db") as store:
        start = time.perf_counter()
        for config in configs.values():
            store.put(RunRecord(config_name="train", config=config, status="completed"))
        t_write = time.perf_counter() - start

        def compare() -> RunTable:
            table = compare_stored(store, where=["s0.b0.k0>=0.0001"])  # selects every run
            render_table(table, "table")
            return table

        table = compare()
        assert len(table.runs) == runs and len(table.keys) == 3, table.keys
        t_compare = median_time(compare, rounds)
        t_load = median_time(store.query, max(1, rounds // 2))
    print(
        f"runs compare from the store, {runs:,} recorded runs: {t_compare * 1000:.0f} ms "
        f"end to end (loading the full records alone: {t_load * 1000:.0f} ms, "
        f"ratio {t_compare / t_load:.2f}; writing them: {t_write / runs * 1000:.1f} ms per run)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, rounds={args.rounds}")
    print("| leaves | changes | baseline | confman diff | ratio | plain DeepDiff |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        a = make_config(size)
        b = mutate(a)
        expected = baseline(a, b)
        changes = confman.diff(a, b)
        # bool/int and "1"/1 differ in type only; the baseline's != sees those as equal or not
        # exactly like confman's identity check, so the changed leaf sets must match.
        assert {c.leaf for c in changes} == expected, "confman and the baseline disagree"
        t_base = median_time(partial(baseline, a, b), args.rounds)
        t_diff = median_time(partial(confman.diff, a, b), args.rounds)
        deep_rounds = 1 if size >= 100_000 else args.rounds
        t_deep = median_time(partial(DeepDiff, a, b), deep_rounds)
        print(
            f"| {size:,} | {len(changes)} | {t_base * 1000:.0f} ms | {t_diff * 1000:.0f} ms "
            f"| {t_diff / t_base:.2f} | {t_deep * 1000:.0f} ms |"
        )
    bench_many(args.runs, args.rounds)
    bench_stored(args.runs, args.rounds)


if __name__ == "__main__":
    main()
