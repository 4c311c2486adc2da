"""confman's bytecode compiled before anything is timed, as pip compiles a package it installs.

A process importing a module whose bytecode is missing or stale compiles it from source, and
when it may not write the result (``PYTHONDONTWRITEBYTECODE``, an editable install in a
read-only tree) it does so in every process: the benchmarks that time ``confman`` processes
would charge that compiling to confman.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import confman


def compile_confman() -> None:
    """Write up-to-date bytecode for every module of the imported confman package."""
    compileall.compile_dir(Path(confman.__file__).parent, quiet=1)
