"""What a project's Python says about its Hydra set-up, read with ``ast`` and never imported.

``confman init`` adopts a repository from this, and a compose that fails for want of a
ConfigStore entry or a resolver uses it to name the module and the setting to add. Only the
text is read: the project's code may need GPUs, datasets or packages this machine lacks.

What is found:

* entrypoints: ``@hydra.main``, wrappers taking ``config_path``/``config_name`` (NeMo's
  ``hydra_runner``, dora's ``hydra_main``), ``initialize``/``initialize_config_dir``/
  ``initialize_config_module`` calls; with the config folder each names and the ``version_base``
  it passes (absent, ``None`` or a string: Hydra treats these differently);
* ConfigStore registrations (``cs.store(name=..., group=...)``), with the function they run in;
* resolvers (``OmegaConf.register_new_resolver("name", fn)``), with a ``module:function`` for
  ``fn`` when it is a named function;
* search path plugins' ``search_path.append(provider, "pkg://...")`` entries.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "UNSPECIFIED",
    "Entrypoint",
    "Registration",
    "Resolver",
    "SourceScan",
    "module_name",
    "python_files",
    "scan_sources",
]

#: ``version_base`` not passed at all (Hydra then assumes 1.1 and warns), unlike ``None``.
UNSPECIFIED = "<unspecified>"
#: Folders never scanned: environments, caches and VCS metadata.
SKIP_DIRS = {
    ".git",
    ".hg",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
    ".confman",
    "outputs",
    "multirun",
}
#: Test code is not scanned: a ConfigStore entry, resolver or ``@hydra.main`` in a test is the
#: test's own set-up, never what the application composes with.
TEST_DIRS = {"tests", "test", "testing"}
#: At most this many Python files are read: a scan is a hint, not an audit.
MAX_FILES = 5000
_ENTRY_CALLEES = {"main", "hydra_main", "hydra_runner", "initialize", "initialize_config_dir"}


@dataclass(frozen=True)
class Entrypoint:
    """A Hydra entrypoint or compose set-up found in the source.

    Attributes:
        file: the Python file (absolute).
        line: 1-based line of the call.
        callee: the called name as written (``hydra.main``, ``hydra_runner``).
        config_dir: the config folder it names (absolute), if it names one that can be read.
        config_name: the primary config it names, without ``.yaml``.
        version_base: the argument as written: a version string, ``None``, or
            :data:`UNSPECIFIED`.
    """

    file: Path
    line: int
    callee: str
    config_dir: Path | None
    config_name: str | None
    version_base: str | None

    @property
    def effective_version_base(self) -> str:
        """The version base Hydra 1.3 composes this entrypoint under."""
        if self.version_base == UNSPECIFIED:
            return "1.1"
        if self.version_base is None:
            return "1.3"
        return self.version_base


@dataclass(frozen=True)
class Registration:
    """A ``ConfigStore.store(...)`` call: ``module`` (or ``module:function`` to run it)."""

    file: Path
    line: int
    module: str
    function: str | None
    group: str | None
    name: str | None

    @property
    def spec(self) -> str:
        """What ``[tool.confman] modules`` needs to make this registration happen."""
        return f"{self.module}:{self.function}" if self.function else self.module


@dataclass(frozen=True)
class Resolver:
    """A resolver registration; ``spec`` is ``module:function`` when ``fn`` is a named one."""

    name: str
    file: Path
    line: int
    spec: str | None


@dataclass
class SourceScan:
    """Everything found in a project's Python."""

    root: Path
    files: int = 0
    entrypoints: list[Entrypoint] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    resolvers: list[Resolver] = field(default_factory=list)
    search_paths: list[tuple[Path, int, str]] = field(default_factory=list)
    hydra_files: list[Path] = field(default_factory=list)


def python_files(root: Path, folders: list[Path] | None = None) -> Iterator[Path]:
    """The ``*.py`` files under ``folders`` (default: ``root``), environments and tests
    skipped."""
    count = 0
    for top in folders or [root]:
        if top.is_file():
            count += 1
            yield top
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(
                d for d in dirs if d not in SKIP_DIRS | TEST_DIRS and not d.startswith(".")
            )
            for name in sorted(files):
                if name.endswith(".py") and not _is_test_file(name):
                    count += 1
                    if count > MAX_FILES:
                        return
                    yield Path(folder) / name


def _is_test_file(name: str) -> bool:
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def module_name(path: Path, root: Path) -> str:
    """The dotted module of ``path`` in a project at ``root`` (``src/`` layouts included)."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[0] == "src" and (root / "src").is_dir() and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _callee(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    if isinstance(node, ast.Call):
        return _callee(node.func)
    return None


def _text(node: ast.expr | None) -> str | None:
    """A string constant, or an ``os.path.join`` of them (fairseq writes its path so)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and (_callee(node.func) or "").endswith("path.join"):
        parts = [_text(a) for a in node.args]
        if parts and all(p is not None for p in parts):
            return os.path.join(*[p for p in parts if p is not None])
    return None


def _keyword(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, scan: SourceScan, path: Path, module: str) -> None:
        self.scan = scan
        self.path = path
        self.module = module
        self.functions: list[str] = []
        self.stores: set[str] = {"ConfigStore.instance()"}
        self.defined: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if not self.functions:
            self.defined.add(node.name)
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and _callee(node.value.func) in (
            "ConfigStore.instance",
            "hydra.core.config_store.ConfigStore.instance",
        ):
            for target in node.targets:
                if isinstance(target, ast.Name | ast.Attribute):
                    self.stores.add(_callee(target) or "")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node.func) or ""
        last = callee.rsplit(".", 1)[-1]
        if last == "store" and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if receiver in self.stores or "ConfigStore" in receiver:
                self._registration(node)
        elif last in ("register_new_resolver", "register_resolver"):
            self._resolver(node)
        elif last == "append" and callee.endswith("search_path.append"):
            path = _text(_keyword(node, "path", 1))
            if path:
                self.scan.search_paths.append((self.path, node.lineno, path))
        elif last in _ENTRY_CALLEES or last == "initialize_config_module":
            self._entrypoint(node, callee, last)
        self.generic_visit(node)

    def _registration(self, node: ast.Call) -> None:
        group = _text(_keyword(node, "group"))
        name = _text(_keyword(node, "name"))
        function = self.functions[0] if self.functions else None
        self.scan.registrations.append(
            Registration(self.path, node.lineno, self.module, function, group, name)
        )

    def _resolver(self, node: ast.Call) -> None:
        name = _text(_keyword(node, "name", 0))
        fn = _keyword(node, "resolver", 1)
        if name is None:
            return
        spec = None
        if isinstance(fn, ast.Name):
            if fn.id in self.defined:
                spec = f"{self.module}:{fn.id}"
            elif fn.id in ("eval", "int", "float", "str", "len", "max", "min", "sum", "abs"):
                spec = f"builtins:{fn.id}"
        elif isinstance(fn, ast.Attribute):
            dotted = _callee(fn)
            if dotted and "." in dotted:
                module, _, attr = dotted.rpartition(".")
                spec = f"{module}:{attr}"
        self.scan.resolvers.append(Resolver(name, self.path, node.lineno, spec))

    def _entrypoint(self, node: ast.Call, callee: str, last: str) -> None:
        names = {kw.arg for kw in node.keywords}
        if last == "main" and callee not in ("hydra.main", "main"):
            return
        if last in ("main", "hydra_main", "hydra_runner") and not names & {
            "config_path",
            "config_name",
        }:
            return
        folder = self.path.parent
        config_dir: Path | None = None
        if last == "initialize_config_module":
            module = _text(_keyword(node, "config_module", 0))
            if module:
                config_dir = self._module_dir(module)
        elif last == "initialize_config_dir":
            text = _text(_keyword(node, "config_dir", 0))
            config_dir = Path(text) if text and os.path.isabs(text) else None
        else:
            text = _text(_keyword(node, "config_path", 0 if last == "initialize" else None))
            if text is not None and not text.startswith("pkg://"):
                config_dir = (folder / text).resolve()
        if config_dir is not None and not config_dir.is_dir():
            config_dir = None
        config_name = _text(_keyword(node, "config_name", 1 if last == "initialize" else None))
        vb_node = _keyword(node, "version_base")
        if vb_node is None:
            version_base: str | None = UNSPECIFIED
        elif isinstance(vb_node, ast.Constant) and vb_node.value is None:
            version_base = None
        else:
            version_base = _text(vb_node) or UNSPECIFIED
        if config_dir is None and config_name is None:
            return
        self.scan.entrypoints.append(
            Entrypoint(
                self.path,
                node.lineno,
                callee,
                config_dir,
                config_name.removesuffix(".yaml") if config_name else None,
                version_base,
            )
        )

    def _module_dir(self, module: str) -> Path | None:
        candidate = self.scan.root.joinpath(*module.split("."))
        return candidate if candidate.is_dir() else None


def scan_sources(root: Path, folders: list[Path] | None = None) -> SourceScan:
    """Read every Python file under ``folders`` (default: the whole project at ``root``).

    Files that cannot be parsed are skipped: a scan reports what it can read.
    """
    root = root.resolve()
    scan = SourceScan(root)
    for path in python_files(root, folders):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "hydra" in text or "omegaconf" in text or "OmegaConf" in text:
            scan.hydra_files.append(path)
        if not any(
            word in text for word in ("hydra", "ConfigStore", "resolver", "search_path", "config_")
        ):
            continue
        try:
            tree = ast.parse(text, filename=str(path))
        except (SyntaxError, ValueError):
            continue
        scan.files += 1
        _Visitor(scan, path, module_name(path, root)).visit(tree)
    return scan
