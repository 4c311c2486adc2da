"""Lint on the real-world corpus (../shared/realworld): time per tree against its parse bound,
and each rule's precision and recall against the answer keys in tests/realworld/keys.

    python benchmarks/realworld.py [REPEATS] [TREE ...]

The parse bound of a tree is a process that imports Hydra and parses every YAML file of the
tree's config dirs (libyaml) and every Python file lint reads (``ast``): what any tool that reads
the whole ML system pays at least. ``confman lint`` is timed as a process too, once per config
dir of the tree (the manifest's config dirs; each is its own lint), summed. Medians of REPEATS
interleaved runs. Results go to benchmarks/RESULTS.md by hand, with the machine and load.

A second baseline says what the compositions alone cost in the foundation: a process that
imports Hydra and makes every composition lint made (recorded from one lint run: each primary,
experiment, option swapped in, probe and option composed alone) with plain ``hydra.compose``,
once per config dir, summed. Lint has to compose these to be right on real trees; a ratio to
this baseline below 1 means lint composes them faster than Hydra does.

A third says what lint cannot go below while Hydra decides its compositions: the time lint's
composer spends inside Hydra's ``create_defaults_list`` (the step that decides which files a
composition merges, and where; run over confman's helpers and one caching repository per
primary, the cheapest way confman has found to call it) for the listed compositions. Lint
also reads every file (the bound), so on two cores its time is at least (bound + floor) / 2:
where the floor exceeds three times the bound, 2x is out of reach without re-implementing
Hydra's defaults-list algorithm or composing less (missing findings).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

import corpus  # the test corpus helpers: one definition of what is measured
from bytecode import compile_confman

BOUND_PROCESS = """
import ast, sys, yaml
import hydra  # noqa: F401  (what any Hydra tool imports)
from pathlib import Path
for arg in sys.argv[1:]:
    path = Path(arg)
    try:
        if path.suffix == ".py":
            ast.parse(path.read_bytes())
        else:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    except (SyntaxError, yaml.YAMLError):
        pass  # a broken file is read all the same (lint reports it)
"""


#: Lists the compositions ``confman lint`` makes in the current project (not timed).
LIST_PROCESS = """
import json, sys
from confman.compose import plain as composer
from confman.settings import load_settings
made = []
original = composer.Composer.compose
def compose(self, name, overrides=()):
    made.append([name, list(overrides)])
    return original(self, name, overrides)
composer.Composer.compose = compose
import confman.lint.context, confman.lint.engine
# everything in this process, so that every composition is listed (none made in a child)
confman.lint.context.can_fork = confman.lint.engine.can_fork = lambda: False
from confman.cli.app import app
try:
    app(["lint", "--exit-zero"])
except SystemExit:
    pass
settings = load_settings()
json.dump({"config_dir": str(settings.config_dir), "version_base": settings.version_base,
           "compositions": made}, open(sys.argv[1], "w"))
"""

#: Plain Hydra making the listed compositions (errors are part of the work: lint meets them too).
HYDRA_PROCESS = """
import json, sys, warnings
from hydra import compose, initialize_config_dir
warnings.simplefilter("ignore")
for listed in sys.argv[1:]:
    spec = json.load(open(listed))
    with initialize_config_dir(spec["config_dir"], version_base=spec["version_base"] or "1.3"):
        for name, overrides in spec["compositions"]:
            try:
                compose(name, overrides)
            except Exception:
                pass
"""


#: The time lint's own composer spends in Hydra's defaults-list build (confman's fastest way to
#: run Hydra's code: ``hydrafast``'s helpers, one caching repository per primary), printed in
#: seconds: the listed compositions made through ``Composer``, only that call timed.
DEFAULTS_PROCESS = """
import json, sys, time
from confman.compose import plain
build = plain.create_defaults_list
spent = 0.0
def timed_build(*args, **kwargs):
    global spent
    start = time.perf_counter()
    try:
        return build(*args, **kwargs)
    finally:
        spent += time.perf_counter() - start
plain.create_defaults_list = timed_build
for listed in sys.argv[1:]:
    spec = json.load(open(listed))
    composer = plain.Composer(__import__("pathlib").Path(spec["config_dir"]), spec["version_base"])
    for name, overrides in spec["compositions"]:
        try:
            composer.compose(name, overrides)
        except Exception:
            pass
print(spent)
"""


def files_read(root: Path, t: corpus.Tree) -> list[str]:
    """Every YAML file of the tree's config dirs and every Python file of its sources."""
    found: set[Path] = set()
    for config_dir in t.config_dirs:
        found |= set((root / config_dir).rglob("*.yaml"))
    for src in t.src:
        base = root / src
        found |= {base} if base.is_file() else set(base.rglob("*.py"))
    return sorted(str(p) for p in found)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[1:4]} in {cwd} failed: {done.stderr.strip()[-500:]}")
    return took


def defaults_lists(listed: list[str], cwd: Path) -> float:
    """Seconds lint's composer spends in Hydra's defaults-list build, as printed by the process."""
    done = subprocess.run(
        [sys.executable, "-c", DEFAULTS_PROCESS, *listed],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def measure(t: corpus.Tree, repeats: int, tmp: Path) -> tuple[int, int, float, float, float, float]:
    """Files read, compositions made, and the medians of the parse bound, plain Hydra making
    the same compositions, lint, and Hydra's defaults lists of those compositions alone."""
    roots = [corpus.project(t, d, tmp / d.replace("/", "_")) for d in t.config_dirs]
    files = files_read(roots[0], t)
    listed = []
    for n, root in enumerate(roots):
        listed.append(str(tmp / f"compositions{n}.json"))
        timed([sys.executable, "-c", LIST_PROCESS, listed[-1]], root)
    made = sum(len(json.loads(Path(p).read_text())["compositions"]) for p in listed)
    bounds, hydras, lints, floors = [], [], [], []
    for _ in range(repeats):
        bounds.append(timed([sys.executable, "-c", BOUND_PROCESS, *files], roots[0]))
        floors.append(defaults_lists(listed, roots[0]))
        hydras.append(timed([sys.executable, "-c", HYDRA_PROCESS, *listed], roots[0]))
        lints.append(
            sum(
                timed([sys.executable, "-m", "confman", "lint", "--exit-zero"], root)
                for root in roots
            )
        )
    return (
        len(files),
        made,
        statistics.median(bounds),
        statistics.median(hydras),
        statistics.median(lints),
        statistics.median(floors),
    )


def precision_table() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        total = corpus.totals(
            [
                corpus.score(corpus.lint_tree(t, Path(tmp) / t.name), corpus.answer_key(t.name))[0]
                for t in corpus.trees()
            ]
        )
    print("\n| rule | findings | true | false | unjudged | missed debts | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    for code, s in sorted(total.items()):
        found = s.true + s.false + s.unjudged
        print(
            f"| {code} | {found} | {s.true} | {s.false} | {s.unjudged} | {s.missed} "
            f"| {s.precision:.2f} | {s.recall:.2f} |"
        )


def main() -> None:
    compile_confman()
    args = sys.argv[1:]
    repeats = int(args.pop(0)) if args and args[0].isdigit() else 3
    wanted = set(args)
    print(f"cores: {os.cpu_count()}, 1-minute load average at start: {os.getloadavg()[0]:.2f}")
    print(
        "| tree | config dirs | files read | compositions | parse bound | plain Hydra, same "
        "compositions | confman lint | lint / bound | lint / Hydra | in Hydra's defaults-list "
        "build (floor) | floor / bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for t in corpus.trees():
            if wanted and t.name not in wanted:
                continue
            n, made, bound, hydra, lint, floor = measure(t, repeats, Path(tmp) / t.name)
            print(
                f"| {t.name} | {len(t.config_dirs)} | {n} | {made} | {bound:.2f} s "
                f"| {hydra:.2f} s | {lint:.2f} s | {lint / bound:.1f}x | {lint / hydra:.2f}x "
                f"| {floor:.2f} s | {floor / bound:.1f}x |"
            )
    if not wanted:
        precision_table()


if __name__ == "__main__":
    main()
