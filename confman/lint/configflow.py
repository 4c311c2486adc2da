"""Where config subtrees go in Python code, from ``ast`` only: instantiated, passed on, logged.

Reading ``cfg.model.lr`` by name is the easy evidence (:mod:`confman.lint.pysource`). This
module follows whole subtrees: ``instantiate(cfg.model)``, ``for _, cb in cfg.callbacks.items():
instantiate(cb)``, a helper that receives ``cfg.callbacks`` and instantiates its values, a
subtree handed to a library we cannot read (``Trainer(**cfg.trainer)``), or to something that
only records it (``print(OmegaConf.to_yaml(cfg))``, ``wandb.config.update(...)``).

Each function is read once with an environment of local names bound to config references
(``Ref``): the config root (a ``@hydra.main`` function's parameter, a ``compose(...)`` result),
a parameter of a project function (resolved later against its call sites), or a "floating"
attribute chain whose root we cannot place (``self.cfg.model``), kept as the legacy name-based
evidence did. What reaches a sink becomes a ``Flow``: a path (``"*"`` for "any child") and a
kind, ``instantiate``, ``opaque`` (read by code we cannot see, so any key under it may be read)
or ``logged`` (only recorded or printed).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from confman.lint.astwalk import Walker

__all__ = ["CHOSEN", "ROOT_NAMES", "Flow", "FlowCollector", "configish"]

ROOT = "<root>"
FLOAT = "<float>"
#: A path part for "the child some config value names" (``getattr(cfg, cfg.model)``): any
#: child may be the one, and unlike ``"*"`` it is not a walk over every child.
CHOSEN = "?"
#: Attribute names that usually hold a whole config (``self.cfg.model`` is ``model``).
ROOT_NAMES = frozenset(
    {"cfg", "config", "conf", "hparams", "hp", "args", "opt", "params", "cfgs", "configs"}
)
_CONFIG_SUFFIXES = ("cfg", "config", "conf", "hparams", "_args", "_opts", "_params")
_HYDRA_SINKS = {"hydra.utils.instantiate": "instantiate", "hydra.utils.call": "instantiate"}
#: Callees that hand their config argument back (the result is still that subtree).
_PASSTHROUGH = {
    "OmegaConf.to_container",
    "OmegaConf.to_object",
    "OmegaConf.create",
    "OmegaConf.masked_copy",
    "OmegaConf.structured",
    "dict",
    "deepcopy",
    "copy.deepcopy",
    "copy.copy",
    "DictConfig",
}
#: Callees that look at a config without reading its keys' values.
_NEUTRAL = {
    "enumerate",
    "zip",
    "iter",
    "next",
    "list",
    "tuple",
    "set",
    "sorted",
    "reversed",
    "any",
    "all",
    "isinstance",
    "len",
    "hasattr",
    "type",
    "id",
    "bool",
    "callable",
    "OmegaConf.set_struct",
    "OmegaConf.set_readonly",
    "OmegaConf.is_missing",
    "OmegaConf.is_config",
    "OmegaConf.is_dict",
    "OmegaConf.is_list",
    "OmegaConf.is_interpolation",
    "OmegaConf.resolve",
    "OmegaConf.register_new_resolver",
    "open_dict",
    "read_write",
    "flag_override",
    "omegaconf.open_dict",
}
#: Last names of callees that only record or print what they get.
_LOGGING = {
    "print",
    "pprint",
    "pformat",
    "tabulate",
    "str",
    "repr",
    "format",
    "to_yaml",
    "save",
    "dump",
    "dumps",
    "info",
    "debug",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "log_hyperparams",
    "log_hparams",
    "save_hyperparameters",
    "log_params",
    "log_param",
    "log_dict",
    "add_text",
    "update",
    "init",
    "print_config",
    "print_config_tree",
    "log_hyperparameters",
}
_CONFIG_MAKERS = {"compose", "load", "create", "merge", "structured"}
#: Longest path followed (recursive helpers would grow paths forever).
MAX_DEPTH = 12


@dataclass(frozen=True)
class Ref:
    """A config subtree in code: ``base`` (ROOT, FLOAT or ``param:<func>:<i>``) plus a path."""

    base: str
    path: tuple[str, ...]

    def child(self, *keys: str) -> Ref | None:
        path = self.path + keys
        return Ref(self.base, path) if len(path) <= MAX_DEPTH else None


@dataclass(frozen=True)
class Flow:
    """A subtree reaching a sink.

    Attributes:
        kind: ``instantiate``, ``opaque`` (read by code we cannot see) or ``logged``.
        path: keys from the config root (``exact``) or from an unknown point (``"*"``: any
            child, as a loop over them gives; ``"?"``: the child a config value names).
        exact: the path starts at the config root (a hydra main's ``cfg``), not somewhere
            unknown (``self.cfg.model``: try ``model`` as well).
        primary: the config the entrypoint it starts from runs (``config_name="train"``), ""
            when unknown: the flow then holds for every primary.
    """

    kind: str
    path: tuple[str, ...]
    exact: bool
    primary: str = ""


@dataclass
class _Def:
    key: str
    params: list[str]
    method: bool
    var_keyword: bool


def _chain(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *parts[::-1]]
    return None


def _main_config(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """For a ``@hydra.main``-like entrypoint, the config it runs ("" when not literal);
    None for any other function."""
    for dec in fn.decorator_list:
        chain = _chain(dec.func if isinstance(dec, ast.Call) else dec) or []
        if chain and chain[-1] in ("main", "hydra_runner", "task_wrapper"):
            if isinstance(dec, ast.Call):
                return _config_name(dec)
            return ""
    return None


def _config_name(call: ast.Call) -> str:
    """``config_name="train"`` (or a first positional string) of a call, as a config name."""
    named = [k.value for k in call.keywords if k.arg == "config_name"]
    for value in named or call.args[:1]:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value.rsplit("/", 1)[-1].removesuffix(".yaml")
    return ""


def _root(config: str) -> str:
    return f"{ROOT}:{config}" if config else ROOT


def _is_config_annotation(arg: ast.arg) -> bool:
    return arg.annotation is not None and "Config" in ast.unparse(arg.annotation)


def configish(name: str) -> bool:
    """A name that usually holds a config (``cfg``, ``self.model_cfg``, ``hparams``)."""
    low = name.lower().strip("_")
    if low in ("omegaconf", "dictconfig", "listconfig"):
        return False  # the library and its types, not a config
    return low in ROOT_NAMES or low.endswith(_CONFIG_SUFFIXES) or low.startswith(("cfg", "config"))


@dataclass
class FlowCollector:
    """Gathers flows over many modules; :meth:`flows` resolves parameters against call sites."""

    defs: dict[str, list[_Def]] = field(default_factory=lambda: defaultdict(list))
    _events: list[tuple[str, Ref, str]] = field(default_factory=list)
    _modules: list[tuple[str, ast.Module, _Index]] = field(default_factory=list)
    config_params: set[str] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)
    _tops: set[str] = field(default_factory=set)
    _suffixes: set[str] = field(default_factory=set)

    def add_module(self, module: str, tree: ast.Module) -> None:
        """Register a module's functions (call :meth:`flows` once every module is added)."""
        index = _Index(tree)
        self._modules.append((module, tree, index))
        parts = module.split(".")
        self._tops.add(parts[0])
        # scripts import their neighbours by a shorter name (``from utils import make_env``)
        self._suffixes.update(".".join(parts[i:]) for i in range(len(parts)))
        self.schemas.update(n.name for n in index.classes if _is_schema(n))
        for fn, owner in index.functions:
            d = self._define(module, fn, owner)
            if owner and fn.name == "__init__":
                self.defs[owner].append(d)

    def _define(self, module: str, fn: ast.FunctionDef | ast.AsyncFunctionDef, owner: str) -> _Def:
        key = f"{module}:{owner + '.' if owner else ''}{fn.name}:{fn.lineno}"
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        params += [a.arg for a in fn.args.kwonlyargs]
        is_method = bool(owner) and bool(params) and params[0] in ("self", "cls")
        d = _Def(key, params, is_method, fn.args.kwarg is not None)
        if not any(x.key == key for x in self.defs[fn.name]):
            self.defs[fn.name].append(d)
        for i, arg in enumerate((*fn.args.posonlyargs, *fn.args.args)):
            if _is_config_annotation(arg) or configish(arg.arg):
                self.config_params.add(f"param:{key}:{i}")
        return d

    def flows(self) -> set[Flow]:
        """Every flow of every added module, parameters resolved against their call sites."""
        for module, tree, index in self._modules:
            imports = index.imports
            _Body(self, module, imports, {}, "").run(tree.body)
            for fn, owner in index.functions:
                self._function(module, imports, fn, owner)
        return self._resolve()

    def is_project(self, qualified: str) -> bool:
        """``qualified`` (an import's target) names one of the modules read."""
        if qualified.startswith(".") or qualified.split(".")[0] in self._tops:
            return True
        return any(qualified.rsplit(".", n)[0] in self._suffixes for n in (0, 1))

    def _function(
        self,
        module: str,
        imports: dict[str, str],
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        owner: str,
    ) -> None:
        key = f"{module}:{owner + '.' if owner else ''}{fn.name}:{fn.lineno}"
        env: dict[str, Ref] = {}
        main = _main_config(fn)
        for i, arg in enumerate((*fn.args.posonlyargs, *fn.args.args)):
            if owner and i == 0 and arg.arg in ("self", "cls"):
                continue  # self.cfg.model stays a floating chain
            env[arg.arg] = Ref(_root(main), ()) if main is not None else Ref(f"param:{key}:{i}", ())
        n = len(fn.args.posonlyargs) + len(fn.args.args)
        for j, arg in enumerate(fn.args.kwonlyargs):
            env[arg.arg] = Ref(f"param:{key}:{n + j}", ())
        _Body(self, module, imports, env, key).run(fn.body)

    def emit(self, kind: str, ref: Ref, extra: str = "") -> None:
        self._events.append((kind, ref, extra))

    def _resolve(self) -> set[Flow]:
        by_param: dict[str, set[tuple[str, tuple[str, ...], str]]] = defaultdict(set)
        callers: dict[str, set[Ref]] = defaultdict(set)
        done: set[Flow] = set()
        seen: set[tuple[str, Ref, str]] = set()
        todo = list(self._events)
        while todo:
            kind, ref, extra = todo.pop()
            if (kind, ref, extra) in seen or len(seen) > 200_000:
                continue
            seen.add((kind, ref, extra))
            if kind == "pass":
                callers[extra].add(ref)
                for k, path, x in list(by_param[extra]):
                    sub = ref.child(*path)
                    if sub is not None:
                        todo.append((k, sub, x))
            if ref.base.startswith("param:"):
                by_param[ref.base].add((kind, ref.path, extra))
                for caller in list(callers[ref.base]):
                    sub = caller.child(*ref.path)
                    if sub is not None:
                        todo.append((kind, sub, extra))
            elif kind != "pass":
                exact = ref.base.startswith(ROOT)
                if exact or (ref.path and ref.path[0] != "*"):
                    done.add(Flow(kind, ref.path, exact, ref.base.partition(":")[2]))
        # a parameter no call site we can see fills: keep what its chains say (``build(cfg)``
        # reading ``cfg.model`` is probably the config's ``model``)
        for param, events in by_param.items():
            if callers.get(param) or param not in self.config_params:
                continue
            for kind, path, _ in events:
                if kind == "pass":
                    continue
                if path and path[0] != "*":
                    done.add(Flow(kind, path, False))
                elif param in self.config_params and kind != "instantiate":
                    # maybe the whole config, maybe not: only worth a lower confidence
                    done.add(Flow("logged", (), True))
        return done


def _is_schema(node: ast.ClassDef) -> bool:
    """A class of annotated fields and no ``__init__`` (a dataclass or pydantic model)."""
    body = node.body
    has_init = any(isinstance(b, ast.FunctionDef) and b.name == "__init__" for b in body)
    return not has_init and any(isinstance(b, ast.AnnAssign) for b in body)


class _Index:
    """What one walk of a module finds: its functions (each with the class it is a method of,
    "" for a plain function), its classes, and its imports (local name -> qualified name, at
    any nesting level; a name imported twice keeps the deepest import, as a breadth-first walk
    ending with it would)."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]] = []
        self.classes: list[ast.ClassDef] = []
        found: list[tuple[int, str, str]] = []
        self._walk(tree, "", 1, found)
        # preorder of the nodes at one depth is their breadth-first order: sort by depth only
        self.imports = {name: qualified for _, name, qualified in sorted(found, key=_depth)}

    def _walk(
        self, node: ast.AST, owner: str, depth: int, found: list[tuple[int, str, str]]
    ) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.append((child, owner))
                self._walk(child, "", depth + 1, found)
            elif isinstance(child, ast.ClassDef):
                self.classes.append(child)
                self._walk(child, child.name, depth + 1, found)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    top = alias.name.split(".")[0]
                    found.append((depth, alias.asname or top, alias.name if alias.asname else top))
            elif isinstance(child, ast.ImportFrom):
                source = "." * child.level + (f"{child.module}." if child.module else "")
                for alias in child.names:
                    found.append((depth, alias.asname or alias.name, f"{source}{alias.name}"))
            elif not isinstance(child, (ast.expr, ast.expr_context, ast.operator)):
                # an expression holds no statement (a lambda defines no function)
                self._walk(child, "", depth + 1, found)


def _depth(entry: tuple[int, str, str]) -> int:
    return entry[0]


class _Body(Walker):
    """One function body, in order: binds names to refs and emits what reaches a sink."""

    def __init__(
        self,
        flows: FlowCollector,
        module: str,
        imports: dict[str, str],
        env: dict[str, Ref],
        key: str,
    ) -> None:
        self.flows = flows
        self.module = module
        self.imports = imports
        self.env = env
        self.key = key

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.visit(stmt)

    # -- what an expression refers to ------------------------------------------------------

    def ref(self, node: ast.expr) -> Ref | None:
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if configish(node.id) and node.id not in self.imports:
                return Ref(FLOAT, ())  # a config from elsewhere (a global, a closure)
            return None
        if isinstance(node, ast.Attribute):
            base = self.ref(node.value)
            if base is not None:
                return base.child(node.attr)
            value = node.value
            if (
                configish(node.attr)
                and isinstance(value, ast.Name)
                and value.id not in self.imports
            ):
                return Ref(FLOAT, ())  # self.cfg, trainer.hparams: somewhere in a config
            return None
        if isinstance(node, ast.Subscript):
            base = self.ref(node.value)
            if base is None:
                return None
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return base.child(key.value)
            return base.child(self._dynamic(key))
        if isinstance(node, ast.Call):
            return self._call_ref(node)
        if isinstance(node, ast.IfExp):
            return self.ref(node.body) or self.ref(node.orelse)
        if isinstance(node, ast.BoolOp):
            return next((r for r in map(self.ref, node.values) if r is not None), None)
        if isinstance(node, ast.NamedExpr):
            return self.ref(node.value)
        if isinstance(node, (ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._rebuilt(node)
        return None

    def _rebuilt(
        self, node: ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp
    ) -> Ref | None:
        """``{k: deepcopy(v) for k, v in cfg.metrics.items()}`` is ``cfg.metrics`` again."""
        saved = dict(self.env)
        for gen in node.generators:
            ref, item = self.elements(gen.iter)
            self.bind(gen.target, ref, item)
        found = self.ref(node.value if isinstance(node, ast.DictComp) else node.elt)
        self.env = saved
        if found is not None and found.path[-1:] == ("*",):
            return Ref(found.base, found.path[:-1])
        return None

    def _dynamic(self, key: ast.expr) -> str:
        """The path part for a computed key: getattr(cfg, cfg.model) takes the child a config
        value names (CHOSEN); cfg[name] in a loop over names walks them all ("*")."""
        named = isinstance(key, (ast.Attribute, ast.Subscript)) and self.ref(key) is not None
        return CHOSEN if named else "*"

    def callee(self, func: ast.expr) -> str:
        chain = _chain(func)
        if not chain:
            return ""
        head = self.imports.get(chain[0], chain[0])
        return ".".join([head, *chain[1:]])

    def _call_ref(self, node: ast.Call) -> Ref | None:
        func = node.func
        name = self.callee(func)
        short = name.rsplit(".", 1)[-1]
        if isinstance(func, ast.Attribute):
            owner = self.ref(func.value)
            if owner is not None and func.attr in ("get", "pop", "setdefault"):
                key = node.args[0] if node.args else None
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return owner.child(key.value)
                return owner.child("*")
            if owner is not None and func.attr == "copy":
                return owner
        if name == "getattr" and len(node.args) >= 2:
            base = self.ref(node.args[0])
            key = node.args[1]
            if base is None:
                return None
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return base.child(key.value)
            return base.child(self._dynamic(key))
        if short == "select" and len(node.args) >= 2:
            base = self.ref(node.args[0])
            key = node.args[1]
            if base is not None and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return base.child(*key.value.split("."))
        if (name in _PASSTHROUGH or _dequalify(name) in _PASSTHROUGH) and node.args:
            return self.ref(node.args[0])
        if short in _CONFIG_MAKERS and (
            name.startswith(("hydra", "omegaconf", "OmegaConf")) or short == "compose"
        ):
            if short == "compose":
                return Ref(_root(_config_name(node)), ())
            return Ref(ROOT, ()) if short == "load" else None
        return None

    def elements(self, node: ast.expr) -> tuple[Ref | None, int | None]:
        """What iterating ``node`` yields: the element ref, and which tuple item holds it."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
            owner = self.ref(node.func.value)
            if owner is not None and node.func.attr == "items":
                return owner.child("*"), 1
            if owner is not None and node.func.attr == "values":
                return owner.child("*"), None
            if node.func.attr == "keys":
                return None, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            if node.func.id == "enumerate":
                inner, _ = self.elements(node.args[0])
                return inner, 1
            if node.func.id in ("list", "tuple", "sorted", "reversed"):
                return self.elements(node.args[0])
        owner = self.ref(node)
        return (owner.child("*") if owner is not None else None), None

    def bind(self, target: ast.expr, ref: Ref | None, item: int | None = None) -> None:
        """Bind ``target`` to ``ref``. A name bound to something else keeps its config ref:
        bodies are read in order, not per branch, and ``config = {}`` in one branch must not
        hide ``**config`` after it (may-alias: more flows, never fewer)."""
        if isinstance(target, ast.Name):
            if ref is not None and item is None:
                self.env[target.id] = ref
        elif isinstance(target, (ast.Tuple, ast.List)):
            for i, elt in enumerate(target.elts):
                self.bind(elt, ref if item == i else None)

    # -- statements that bind -------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Tuple) and all(
            isinstance(t, ast.Tuple) for t in node.targets
        ):  # a, b = cfg.x, cfg.y: two bindings, not a tuple built from the config
            for elt in node.value.elts:
                self.visit(elt)
        else:
            self.visit(node.value)
        for target in node.targets:
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for t, v in zip(target.elts, node.value.elts, strict=False):
                    self.bind(t, self.ref(v))
            else:
                self.bind(target, self.ref(node.value))
            if not isinstance(target, (ast.Name, ast.Tuple, ast.List)):
                self.visit(target)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            call = item.context_expr
            if item.optional_vars is not None and isinstance(call, ast.Call) and call.args:
                # with record_run(cfg) as run_cfg: the manager hands the config back
                self.bind(item.optional_vars, self.ref(call.args[0]))
        self.run(node.body)

    visit_AsyncWith = visit_With

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.bind(node.target, self.ref(node.value))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        ref, item = self.elements(node.iter)
        self.bind(node.target, ref, item)
        self.run(node.body)
        self.run(node.orelse)

    visit_AsyncFor = visit_For

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        saved = dict(self.env)
        for gen in node.generators:
            self.visit(gen.iter)
            ref, item = self.elements(gen.iter)
            self.bind(gen.target, ref, item)
            for cond in gen.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.env = saved

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        return  # analysed on its own (FlowCollector.flows)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    # -- sinks ------------------------------------------------------------------------------

    def visit_Dict(self, node: ast.Dict) -> None:
        for value in node.values:
            ref = self.ref(value)
            if ref is not None:
                self.flows.emit("logged", ref)
        self.generic_visit(node)

    def _collection(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        for value in node.elts:
            ref = self.ref(value)
            if ref is not None and isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
                self.flows.emit("logged", ref)
        self.generic_visit(node)

    visit_List = visit_Tuple = visit_Set = _collection

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        ref = self.ref(node.value)
        if ref is not None:
            self.flows.emit("logged", ref)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if self.callee(node.func).rsplit(".", 1)[-1] == "partial" and node.args:
            # partial(make_env, cfg): the config goes to make_env, as a call would give it
            bound = ast.Call(func=node.args[0], args=node.args[1:], keywords=node.keywords)
            ast.copy_location(bound, node)
            self.visit_Call(bound)
            return
        name = self.callee(node.func)
        short = name.rsplit(".", 1)[-1]
        receiver = self.ref(node.func.value) if isinstance(node.func, ast.Attribute) else None
        args = [(i, a) for i, a in enumerate(node.args)]
        if receiver is not None or self._call_ref(node) is not None:
            pass  # a read of the config itself (cfg.get, OmegaConf.select, to_container)
        elif name in _HYDRA_SINKS or (name == "instantiate" and name not in self.flows.defs):
            if node.args:
                ref = self.ref(node.args[0])
                if ref is not None:
                    self.flows.emit("instantiate", ref)
            for kw in node.keywords:
                ref = self.ref(kw.value)
                if ref is not None:
                    self.flows.emit("instantiate" if kw.arg == "config" else "opaque", ref)
        elif name in ("setattr", "delattr") or name in _NEUTRAL or _dequalify(name) in _NEUTRAL:
            pass
        else:
            self._pass(node, name, short, args)
        self.generic_visit(node)

    def _pass(
        self, node: ast.Call, name: str, short: str, args: list[tuple[int, ast.expr]]
    ) -> None:
        func = node.func
        head = (_chain(func) or [""])[0]
        if head in self.imports:  # a module's function or a class imported from somewhere
            ours = self.flows.is_project(self.imports[head])
        else:  # a function of this module, or a method of some object
            ours = isinstance(func, ast.Attribute) or head in self.flows.defs
        targets = self.flows.defs.get(short, []) if ours else []
        local = [d for d in targets if d.key.startswith(f"{self.module}:")]
        if local and head not in self.imports:
            targets = local  # this module's own Trainer, not another script's
        spread_into_class = short in self.flows.schemas and ours
        logging = (
            short in _LOGGING
            or name.startswith(("wandb.", "mlflow."))
            or any(
                w in short.lower() for w in ("wandb", "mlflow", "logger", "diff", "record", "track")
            )
        )
        for i, arg in args:
            inner = arg.value if isinstance(arg, ast.Starred) else arg
            ref = self.ref(inner)
            if ref is None:
                continue
            if logging and not targets:
                self.flows.emit("logged", ref)
            elif isinstance(arg, ast.Starred) or not targets:
                self.flows.emit("opaque", ref)
            else:
                for d in targets:
                    index = i + (1 if d.method else 0)
                    if index < len(d.params):
                        self.flows.emit("pass", ref, f"param:{d.key}:{index}")
                    else:
                        self.flows.emit("opaque", ref)
        for kw in node.keywords:
            ref = self.ref(kw.value)
            if ref is None:
                continue
            if (logging and not targets) or (kw.arg is None and spread_into_class):
                # a project schema class checks them: its fields are read by name
                self.flows.emit("logged", ref)
            elif kw.arg is None or not targets:
                self.flows.emit("opaque", ref)
            else:
                for d in targets:
                    if kw.arg in d.params:
                        self.flows.emit("pass", ref, f"param:{d.key}:{d.params.index(kw.arg)}")
                    else:
                        self.flows.emit("opaque", ref)


def _dequalify(name: str) -> str:
    """``omegaconf.OmegaConf.to_container`` -> ``OmegaConf.to_container``."""
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else name
