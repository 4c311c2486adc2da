"""mypy infers ``compose(..., schema=Model)`` as ``Model`` and ``compose(...)`` as ``Composed``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

USAGE = """
from pydantic import BaseModel

import confman


class Train(BaseModel):
    seed: int


typed = confman.compose("train", ["seed=1"], schema=Train)
reveal_type(typed)
seed: int = typed.seed
plain = confman.compose("train")
reveal_type(plain)
loaded = confman.load("run.yaml", Train)
reveal_type(loaded)
wrong: str = typed.seed
"""


def test_mypy_infers_model_type(tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(textwrap.dedent(USAGE), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(usage),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "MYPYPATH": str(root)},
    )
    out = result.stdout
    assert 'Revealed type is "usage.Train"' in out, out
    assert 'Revealed type is "confman.compose.model.Composed"' in out, out
    assert out.count('Revealed type is "usage.Train"') == 2, out
    assert (
        'Incompatible types in assignment (expression has type "int", variable has type '
        '"str")' in out
    ), out
    assert result.returncode == 1  # exactly the deliberate error above
    assert out.count("error:") == 1, out
