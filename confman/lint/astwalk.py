"""``ast.NodeVisitor`` with the same traversal, paid once per node class instead of per node.

Lint walks every node of every Python file of a project (1,000 files are about 130,000 nodes),
and the standard visitor spends most of that walk on bookkeeping: it builds the name
``"visit_" + class name`` and looks it up for every node, walks fields through a generator, and
visits each ``Load``/``Store`` context object (which has nothing below it). :class:`Walker` finds
each class's method once and goes straight through the fields; it visits the same nodes in
the same order and calls the same ``visit_*`` methods.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["Walker"]

#: A node class with nothing below it and no method of its own: nothing to do there.
_NOTHING: Any = object()


class Walker(ast.NodeVisitor):
    """Subclass and write ``visit_<Class>`` methods, as for ``ast.NodeVisitor``."""

    #: each subclass's method per node class (``generic_visit``, or ``_NOTHING``)
    _methods: ClassVar[dict[type, Any]] = {}
    #: each node class's fields to walk: a ``ctx`` (``Load``/``Store``/``Del``, with nothing
    #: below it) is left out unless the subclass has a method for one
    _walked: ClassVar[dict[type, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}
        cls._walked = {}

    @classmethod
    def _method(cls, kind: type) -> Callable[[Any, ast.AST], Any] | Any:
        found = getattr(cls, f"visit_{kind.__name__}", None)
        if found is ast.NodeVisitor.visit_Constant:  # only looks for the pre-3.8 methods
            found = None
        if found is None:
            # a leaf class (no fields: ``Load``, ``Store``; or a ``Constant``) has nothing below
            leaf = not kind._fields or kind is ast.Constant  # type: ignore[attr-defined]
            found = _NOTHING if leaf else cls.generic_visit
        cls._methods[kind] = found
        return found

    @classmethod
    def _fields_of(cls, kind: type) -> tuple[str, ...]:
        contexts = any(hasattr(cls, f"visit_{c}") for c in ("Load", "Store", "Del"))
        fields = tuple(f for f in kind._fields if f != "ctx" or contexts)  # type: ignore[attr-defined]
        cls._walked[kind] = fields
        return fields

    def visit(self, node: ast.AST) -> Any:
        kind = type(node)
        method = self._methods.get(kind) or self._method(kind)
        if method is _NOTHING:
            return None
        return method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        # ``visit`` inlined: this loop runs once per node of every file lint reads
        methods, method_of, node_class = self._methods, self._method, ast.AST
        kind = type(node)
        for name in self._walked.get(kind) or self._fields_of(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_class):
                        method = methods.get(type(item)) or method_of(type(item))
                        if method is not _NOTHING:
                            method(self, item)
            elif isinstance(value, node_class):
                method = methods.get(type(value)) or method_of(type(value))
                if method is not _NOTHING:
                    method(self, value)
