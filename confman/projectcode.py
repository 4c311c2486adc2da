"""The project's own Python that composing needs, run only where pyproject.toml names it.

Some trees cannot be composed from YAML alone: groups only a ConfigStore registration provides,
configs in another search path, values made by custom resolvers. ``[tool.confman]`` opts in::

    [tool.confman]
    modules = ["myproject.conf_store", "fairseq.dataclass.initialize:hydra_init"]
    search_paths = ["shared/conf", "pkg://myproject.conf"]

    [tool.confman.resolvers]
    eval = "builtins:eval"
    div_up = "myproject.resolvers:div_up"

Nothing a config names is imported; these are the user's trusted code, named by the user. They
run once per process, on the first compose of the project's config dir (not when settings are
read: ``confman runs list`` imports nothing). When a compose fails the way a missing one makes
it fail, :func:`explain` adds the setting to add, found by reading the project's source.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from confman.errors import ConfmanError, ProjectSettingsError
from confman.settings import Settings, settings_for
from confman.settings import clear as forget_settings

__all__ = ["ProjectCode", "clear", "explain", "prepare"]

_lock = threading.RLock()
_done: set[tuple[str, str]] = set()
_MISSING_OPTION = re.compile(
    r"Could not find '([^']+)'|no option '([^']+)' in config group '([^']+)'"
    r"|config group '([^']+)' does not exist|Cannot find primary config '([^']+)'"
)
_RESOLVER = re.compile(r"[Uu]nsupported interpolation type '?([\w.]+)'?")


@dataclass(frozen=True)
class ProjectCode:
    """What one project opts into.

    Attributes:
        root: the folder of its pyproject.toml (first on ``sys.path`` while importing).
        source: that pyproject.toml (None when there is none).
        modules: ``module`` or ``module:function`` entries, imported (and called) in order.
        search_paths: Hydra search path URLs (``file://`` absolute, or ``pkg://``).
        resolvers: ``(name, "module:function")`` pairs.
    """

    root: Path
    source: Path | None = None
    modules: tuple[str, ...] = ()
    search_paths: tuple[str, ...] = ()
    resolvers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ProjectCode:
        table = settings.table
        paths = []
        for entry in table.search_paths:
            if entry.startswith("pkg://"):
                paths.append(entry)
            else:
                folder = Path(entry.removeprefix("file://")).expanduser()
                paths.append(f"file://{(settings.root / folder).resolve()}")
        return cls(
            settings.root,
            settings.source,
            tuple(table.modules),
            tuple(paths),
            tuple(sorted(table.resolvers.items())),
        )


def clear() -> None:
    """Forget which projects config dirs belong to (imports and resolvers already made stay,
    as in Python)."""
    with _lock:
        forget_settings()
        _done.clear()


def _project(config_dir: Path) -> ProjectCode:
    """What the project governing ``config_dir`` opts into (``confman.settings.settings_for``:
    the settings that chose it, else the project at or above it)."""
    return ProjectCode.from_settings(settings_for(config_dir))


def prepare(config_dir: Path) -> tuple[str, ...]:
    """Run what the project opts into (once per process) and return its extra search paths.

    Raises:
        ProjectSettingsError: a listed module or resolver cannot be imported.
    """
    code = _project(config_dir)
    if not code.modules and not code.resolvers:
        return code.search_paths
    with _lock:
        for spec in code.modules:
            if ("module", spec) not in _done:
                _run_module(code, spec)
                _done.add(("module", spec))
        for name, spec in code.resolvers:
            if ("resolver", f"{name}={spec}") not in _done:
                _register(code, name, spec)
                _done.add(("resolver", f"{name}={spec}"))
    return code.search_paths


def _import(code: ProjectCode, module_name: str, what: str) -> object:
    root = str(code.root)
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # the project's module may raise anything while importing
        raise ProjectSettingsError(
            f"{code.source or 'pyproject.toml'}: [tool.confman] {what}: cannot import "
            f"'{module_name}': {type(exc).__name__}: {exc}",
            hint=f"it is imported with {root} first on sys.path; install what it needs, "
            "or remove the entry",
        ) from exc
    finally:
        if added:
            sys.path.remove(root)


def _attribute(code: ProjectCode, spec: str, what: str) -> object:
    module_name, _, attr = spec.partition(":")
    obj = _import(code, module_name, what)
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ProjectSettingsError(
                f"{code.source or 'pyproject.toml'}: [tool.confman] {what}: "
                f"module '{module_name}' has no attribute '{attr}'",
                hint='write "module:function"',
            )
        obj = getattr(obj, part)
    return obj


def _run_module(code: ProjectCode, spec: str) -> None:
    if ":" not in spec:
        _import(code, spec, f"modules '{spec}'")
        return
    function = _attribute(code, spec, f"modules '{spec}'")
    if not callable(function):
        raise ProjectSettingsError(f"[tool.confman] modules: '{spec}' is not a function")
    try:
        function()
    except Exception as exc:
        raise ProjectSettingsError(
            f"[tool.confman] modules: '{spec}' failed: {type(exc).__name__}: {exc}",
            hint="a listed function is called with no arguments",
        ) from exc


def _register(code: ProjectCode, name: str, spec: str) -> None:
    from omegaconf import OmegaConf

    if ":" not in spec:
        raise ProjectSettingsError(
            f"{code.source or 'pyproject.toml'}: [tool.confman.resolvers] {name} = {spec!r} "
            "is not 'module:function'",
            hint='e.g. eval = "builtins:eval"',
        )
    function = _attribute(code, spec, f"resolvers '{name}'")
    if not callable(function):
        raise ProjectSettingsError(f"[tool.confman.resolvers] {name}: '{spec}' is not callable")
    OmegaConf.register_new_resolver(name, function, replace=True)


def explain(error: ConfmanError, config_dir: Path) -> ConfmanError:
    """``error`` with a hint naming the setting to add, when the project's source shows that a
    ConfigStore module or a resolver it does not opt into would provide what is missing."""
    text = error.message
    code = _project(config_dir)
    hint: str | None = None
    resolver = _RESOLVER.search(text)
    if resolver:
        hint = resolver_hint(resolver.group(1), code.root)
    elif _MISSING_OPTION.search(text) or "no options" in text.lower():
        hint = _store_hint(text, code)
    if hint is None:
        return error
    error.hint = f"{error.hint}; {hint}" if error.hint else hint
    return error


def resolver_hint(name: str, root: Path) -> str:
    """What to add so that ``${name:...}`` resolves, with where the project registers it."""
    from confman.init.scan import scan_sources

    found = [r for r in scan_sources(root).resolvers if r.name == name]
    spec = next((r.spec for r in found if r.spec), None) or "module:function"
    where = f" (registered at {found[0].file.relative_to(root)}:{found[0].line})" if found else ""
    return f"resolver '{name}' is not registered: add {name} = \"{spec}\" to " + (
        f"[tool.confman.resolvers]{where}"
    )


def _store_hint(text: str, code: ProjectCode) -> str | None:
    from confman.init.scan import scan_sources

    registrations = scan_sources(code.root).registrations
    match = _MISSING_OPTION.search(text)
    group = ""
    if match:
        found, _, in_group, no_group, _ = match.groups()
        group = in_group or no_group or (found or "").rpartition("/")[0]
    # an entry in one of Hydra's own groups (a plugin's ``hydra/sweeper`` config) gives no
    # option to the project's groups
    missing = [
        r
        for r in registrations
        if r.spec not in code.modules
        and (group.startswith("hydra/") or not (r.group or "").startswith("hydra/"))
    ]
    if not missing:
        return None
    named = [r for r in missing if group and r.group and r.group.split("/")[0] == group] or missing
    specs = sorted({r.spec for r in named})
    first = named[0]
    return (
        f"the project registers ConfigStore entries in Python "
        f"({first.file.relative_to(code.root)}:{first.line}); to compose with them add "
        f"modules = [{', '.join(repr(s).replace(chr(39), chr(34)) for s in specs)}] to "
        "[tool.confman]"
    )
