"""An independent oracle for CM205 default-value: delete the line and let pydantic decide.

CM205 claims a line can be deleted because the bound schema's default supplies the same value.
The oracle checks that claim with the real thing: it deletes the line, composes every
configuration of the system with Hydra, validates each with the real (imported) schema, and
compares the validated instances with those of the untouched tree. A line is *truly*
default-valued when every instance is unchanged and the key really disappeared from some
composition (so the schema's default, not another file, supplied the value).

Run ``python tests/lint/oracle.py`` for the full measurement over every YAML line of the
example system (about 30 s; numbers in benchmarks/RESULTS.md); the test suite checks a sample.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXPERIMENTS = ("forest_digits", "mlp_sgd", "wine_small")
RUNS: list[tuple[str, tuple[str, ...]]] = [
    ("train", ()),
    ("serve", ()),
    *(("train", (f"experiment={e}",)) for e in EXPERIMENTS),
]
TYPED = "\n\ndef typed():\n    return confman.load_config('train')\n"


def build(root: Path) -> Path:
    """The example system, with code that reads its settings through the schema."""
    for part in ("conf", "examples", "schemas"):
        shutil.copytree(REPO / part, root / part)
    table = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["confman"]["schemas"]
    (root / "pyproject.toml").write_text(
        '[tool.confman]\nconfig_dir = "conf"\n[tool.confman.lint]\nsrc = ["examples"]\n'
        "[tool.confman.schemas]\n" + "".join(f'{k} = "{v}"\n' for k, v in table.items())
    )
    train = root / "examples" / "train.py"
    train.write_text(train.read_text() + TYPED)
    return root


class Oracle:
    """Validated instances of every configuration, before and after deleting one line."""

    def __init__(self, root: Path) -> None:
        from confman.schema.binding import load_bindings
        from confman.settings import load_settings

        self.root = root
        self.schemas = load_bindings(load_settings(cwd=root)).configs
        base = list(self._instances())
        self.base = [dump for dump, _ in base]
        # per configuration: (file, line) -> the composed paths that line writes
        self.writes: list[dict[tuple[str, int], set[str]]] = []
        for _, prov in base:
            at: dict[tuple[str, int], set[str]] = {}
            for path, ws in prov.items():
                for w in ws:
                    if w.file and w.line:
                        at.setdefault((f"conf/{w.file}", w.line), set()).add(path)
            self.writes.append(at)
        self.used = {f.removeprefix("conf/") for at in self.writes for f, _ in at}

    def _instances(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        import confman
        from confman.schema.api import validate_composed

        for name, overrides in RUNS:
            composed = confman.compose(name, overrides, config_dir=self.root / "conf", cache=False)
            checked = validate_composed(composed, self.schemas[name].schema)
            if not checked.ok:
                raise ValueError(checked.issues[0].text())
            yield checked.instance.model_dump(), composed.provenance

    def candidates(self) -> Iterator[tuple[str, int]]:
        """``(file, line)`` of every literal leaf line of a file some configuration uses."""
        from confman.yamlsource import load_yaml_file

        for path in sorted((self.root / "conf").rglob("*.yaml")):
            rel = path.relative_to(self.root / "conf").as_posix()
            if rel not in self.used:
                continue
            parsed = load_yaml_file(path, name=rel, cache=False)
            lines = path.read_text().splitlines()
            for key, line in sorted(parsed.lines.items(), key=lambda kv: kv[1]):
                text = lines[line - 1]
                if key.startswith("defaults") or text.rstrip().endswith(":") or "${" in text:
                    continue
                yield f"conf/{rel}", line

    def deletable(self, file: str, line: int) -> tuple[bool, bool]:
        """(safe, by default): deleting the line changes no validated instance; and the key
        then disappears from a configuration that loads the file, so the schema default (not
        another file's value) fills it in."""
        path = self.root / file
        text = path.read_text()
        lines = text.splitlines(keepends=True)
        path.write_text("".join(lines[: line - 1] + lines[line:]))
        try:
            after = list(self._instances())
        except Exception:  # deleting it breaks composition or validation: it was needed
            return False, False
        finally:
            path.write_text(text)
        if [dump for dump, _ in after] != self.base:
            return False, False
        return True, any(
            not (at.get((file, line), set()) & prov.keys()) and (file, line) in at
            for at, (_, prov) in zip(self.writes, after, strict=True)
        )


def measure(root: Path) -> dict[str, Any]:
    """Precision and recall of CM205 against the oracle over every candidate line.

    A finding is correct when deleting its line is safe (every validated instance unchanged);
    the lines CM205 should find are those where, in addition, the schema default fills in.
    """
    from confman.lint import lint
    from confman.settings import load_settings

    oracle = Oracle(root)
    found = {(d.file, d.line) for d in lint(load_settings(cwd=root), select=["CM205"]).diagnostics}
    verdicts = {where: oracle.deletable(*where) for where in oracle.candidates()}
    safe = {w for w, (ok, _) in verdicts.items() if ok}
    truth = {w for w, (ok, by_default) in verdicts.items() if ok and by_default}
    return {
        "lines": len(verdicts),
        "findings": len(found),
        "correct": len(found & safe),
        "truth": len(truth),
        "found_of_truth": len(found & truth),
        "false_positives": sorted(found - safe),
        "missed": sorted(truth - found),
    }


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(build(Path(tmp)))
    print(f"{result['lines']} literal leaf lines judged")
    print(f"precision {result['correct']}/{result['findings']}")
    print(f"recall {result['found_of_truth']}/{result['truth']}")
    print("false positives:", result["false_positives"])
    print("missed:", result["missed"])
