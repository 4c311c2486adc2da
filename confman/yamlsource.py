"""YAML loading for config files: safe, fast, with line marks and duplicate-key detection.

Why not ``OmegaConf.load``: it parses with PyYAML's pure-Python loader, remembers no line numbers
and stops at the first duplicate key. confman parses each file once with libyaml (``CSafeLoader``)
into a node graph, reads key lines and duplicate keys off that graph, then constructs the values
from the same graph. The implicit-type table is OmegaConf's own (``1e-3`` is a float, timestamps
stay strings), so values are typed exactly as Hydra would type them.

Parsed files are cached per process, keyed on path + mtime + size, so repeated composes of the same
tree parse nothing. Cached data is never handed to OmegaConf mutably: OmegaConf copies it into
fresh nodes on every compose.

Hostile input stays bounded: only safe tags construct (``!!python/...`` is refused), alias
expansion and nesting depth are capped before any value is built, and cyclic aliases are refused.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from omegaconf._utils import get_yaml_loader

from confman.caches import Bounded
from confman.errors import YamlSourceError

__all__ = [
    "DuplicateKey",
    "ParsedYaml",
    "adopt_parses",
    "cached_parses",
    "clear_cache",
    "load_yaml_file",
    "parse_yaml",
]

#: Largest expanded node count one file may produce (aliases counted at every use).
MAX_EXPANDED_NODES = 2_000_000
#: Deepest nesting of mappings/sequences accepted in one file.
MAX_DEPTH = 200
#: Largest config file read, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_RESOLVERS = get_yaml_loader().yaml_implicit_resolvers
#: Most distinct plain scalars whose tag the loader remembers.
_MAX_REMEMBERED_TAGS = 65_536
_WILDCARD_RESOLVERS = _RESOLVERS.get(None, [])


class _PyLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader with OmegaConf's implicit types: the parser Hydra uses.

    libyaml's scanner and PyYAML's disagree on a few inputs (a tab inside a plain scalar, an
    empty ``!`` tag, a ``233:`` key in a flow sequence); on those, this loader decides, so a
    file reads exactly as ``hydra.compose`` reads it.
    """

    yaml_implicit_resolvers = _RESOLVERS


class _LibyamlLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml safe loader typed like OmegaConf's loader (its implicit resolvers, reused)."""

    yaml_implicit_resolvers = _RESOLVERS
    #: the resolvers to try for a plain scalar, by its first character, in PyYAML's order
    _implicit_by_first = {
        first: resolvers + _WILDCARD_RESOLVERS
        for first, resolvers in _RESOLVERS.items()
        if first is not None
    }
    _implicit_wildcard = _WILDCARD_RESOLVERS

    #: plain scalar text -> its implicit tag (keys and common values repeat across files)
    _implicit_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """PyYAML's ``resolve``, remembering each plain scalar's tag: libyaml calls it for every
        node, a large share of parsing a config file. Without path resolvers (this loader
        has none) a scalar's tag depends only on its text and whether it was plain."""
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        if not implicit[0]:
            return _STR_TAG
        tag = self._implicit_tags.get(value)
        if tag is None:
            tag = _STR_TAG
            for found, regexp in self._implicit_by_first.get(value[:1], self._implicit_wildcard):
                if regexp.match(value):
                    tag = found
                    break
            if len(self._implicit_tags) >= _MAX_REMEMBERED_TAGS:
                self._implicit_tags.clear()
            self._implicit_tags[value] = tag
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to track: path resolvers are never added to this loader."""

    def ascend_resolver(self) -> None:
        """Nothing to track: path resolvers are never added to this loader."""


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one YAML mapping (PyYAML would silently keep the last)."""

    path: str
    first_line: int
    line: int


@dataclass(frozen=True)
class ParsedYaml:
    """One parsed YAML document.

    Attributes:
        name: the file name used in messages (relative to the config dir where possible).
        data: the constructed value (dict, list, scalar or None for an empty document).
        lines: 1-based line of every mapping key, by dotted path; keys pulled in by a ``<<`` merge
            map to the line in the anchored mapping they came from. Entries of a root
            ``defaults`` list are indexed as ``defaults[i]``.
        duplicates: every key repeated in one mapping, with both lines.
        header_text: the first 512 characters, where Hydra looks for ``# @package``.
        text: the whole text as read (a UTF-8 byte-order mark kept), for callers that show
            lines (lint), so they need not read the file again.
    """

    name: str
    data: Any
    lines: dict[str, int]
    duplicates: tuple[DuplicateKey, ...]
    header_text: str
    text: str = field(default="", repr=False, compare=False)


def parse_yaml(text: str, *, name: str) -> ParsedYaml:
    """Parse one YAML document safely, with key lines and duplicate keys.

    Raises:
        YamlSourceError: syntax errors, unsafe tags, alias bombs, cycles or absurd nesting,
            each with ``name:line``.
    """
    bound = _check_nesting(text, name)
    loader, node = _compose_node(text, name)
    try:
        lines: dict[str, int] = {}
        duplicates: list[DuplicateKey] = []
        if node is not None:
            plain = _bounded_without_aliases(text, bound)
            if not plain:
                _check_bounds(node, name)
            try:
                data = _construct_plain(loader, node, lines, duplicates) if plain else _NOT_PLAIN
                if data is _NOT_PLAIN:
                    lines.clear()
                    del duplicates[:]
                    _index_keys(node, "", lines, duplicates)
                    data = loader.construct_document(node)
            except yaml.constructor.ConstructorError as exc:
                raise _constructor_error(name, exc) from exc
            except (yaml.YAMLError, ValueError, TypeError) as exc:
                raise YamlSourceError(f"{name}: cannot construct YAML value: {exc}") from exc
        else:
            data = None
    finally:
        loader.dispose()
    return ParsedYaml(
        name=name,
        data=data,
        lines=lines,
        duplicates=tuple(sorted(duplicates, key=lambda dup: dup.line)),
        header_text=text[:512],
        text=text,
    )


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NOT_PLAIN = object()


class _NotPlain(Exception):
    """A node :func:`_construct_plain` leaves to PyYAML's constructor."""


def _scalar_constructors() -> dict[str, Any]:
    safe = yaml.constructor.SafeConstructor
    return {
        _STR_TAG: None,  # the node's text itself
        "tag:yaml.org,2002:null": safe.construct_yaml_null,
        "tag:yaml.org,2002:bool": safe.construct_yaml_bool,
        "tag:yaml.org,2002:int": safe.construct_yaml_int,
        "tag:yaml.org,2002:float": safe.construct_yaml_float,
    }


_SCALARS = _scalar_constructors()


def _construct_plain(
    loader: Any, root: yaml.Node, lines: dict[str, int], duplicates: list[DuplicateKey]
) -> Any:
    """``loader.construct_document(root)`` for a document of plain mappings, lists and
    str/null/bool/int/float scalars, indexing key lines and duplicate keys on the way as
    :func:`_index_keys` does; ``_NOT_PLAIN`` for anything else (an explicit or unknown tag, a
    ``<<`` merge, a mapping or list used as a key), with ``lines``/``duplicates`` partly filled.

    Why: PyYAML's constructor spends most of its time on machinery plain config data never
    needs (a generator per mapping for recursive anchors, a constructor lookup per node, merge
    flattening), and indexing walked the same nodes a second time; one direct walk builds the
    same values and index in about half the time. Scalars are still typed by PyYAML's own
    constructors.
    Only called on alias-free documents (no ``*`` in the text), so no node is shared and
    identity needs no bookkeeping; nesting is already bounded.
    """
    scalars = _SCALARS
    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode

    def build(node: yaml.Node) -> Any:
        """A value inside a list or a key: constructed, not indexed (lists are leaves)."""
        kind = type(node)
        if kind is scalar_node:
            tag = node.tag
            if tag == _STR_TAG:
                return node.value
            make = scalars.get(tag)
            if make is None:
                raise _NotPlain(tag)
            return make(loader, node)
        if kind is mapping_node and node.tag == _MAP_TAG:
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                out[key(key_node)] = build(value_node)
            return out
        if kind is sequence_node and node.tag == _SEQ_TAG:
            return [build(item) for item in node.value]
        raise _NotPlain(node.tag)

    def key(node: yaml.Node) -> Any:
        made = build(node)  # a ``<<`` key has the merge tag: not plain
        if type(made) is dict or type(made) is list:
            raise _NotPlain("unhashable key")
        return made

    def indexed(node: yaml.Node, prefix: str) -> dict[Any, Any]:
        """A mapping reached from the root through mappings: constructed and indexed."""
        if node.tag != _MAP_TAG:
            raise _NotPlain(node.tag)
        out: dict[Any, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            made = key(key_node)
            text = made if type(made) is str else str(made)  # as ``_key_text`` spells it
            path = _note_key(key_node, text, prefix, seen, lines, duplicates)
            if type(value_node) is mapping_node:
                out[made] = indexed(value_node, f"{path}.")
                continue
            if path == "defaults" and type(value_node) is sequence_node:
                for index, item in enumerate(value_node.value):
                    lines[f"defaults[{index}]"] = item.start_mark.line + 1
            out[made] = build(value_node)
        return out

    try:
        return indexed(root, "") if type(root) is mapping_node else build(root)
    except _NotPlain:
        return _NOT_PLAIN


def _nesting_upper_bound(text: str) -> int:
    """A cheap upper bound on how deeply a document can nest (scalars not counted).

    Flow collections need an opening bracket per level; block collections need more indentation
    or another ``- `` on the same line per level. Quoted text can only inflate the bound.
    Cheapest first: every collection has an indicator character of its own (a block mapping a
    key's ``:`` or ``?``, a block sequence an entry's ``-``, a flow collection its bracket), so
    their count bounds the depth with no per-line work; it fits for most config files.
    """
    flow = text.count("[") + text.count("{")
    indicators = flow + text.count(":") + text.count("-") + text.count("?") + 2
    if indicators < MAX_DEPTH:
        return indicators
    lines = text.splitlines()
    # A line's indent plus its "- " count is at most its length, so this coarser bound needs no
    # per-line work; it is used whenever it already fits under the limit (it always does for
    # ordinary files).
    coarse = flow + max(map(len, lines), default=0) + 2
    if coarse < MAX_DEPTH:
        return coarse
    block = 0
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        block = max(block, indent + stripped.count("- ") + 1)
    return flow + block + 1


def _bounded_without_aliases(text: str, nesting_bound: int) -> bool:
    """Whether ``_check_bounds`` cannot fail on this document, so its graph walk can be skipped.

    Without a ``*`` there is no alias: the graph is a tree (no cycle), its expanded size is its
    node count, at most two nodes per character (an implicit null value pairs with a key), and
    its depth (scalars count one level) is at most the nesting bound plus one.
    """
    return (
        "*" not in text
        and 2 * len(text) + 2 <= MAX_EXPANDED_NODES
        and nesting_bound + 1 <= MAX_DEPTH
    )


def _check_nesting(text: str, name: str) -> int:
    """Refuse absurd nesting before libyaml's recursive composer could exhaust the C stack.

    Only when the cheap bound is exceeded are the parser's events counted exactly; libyaml's
    event parser is iterative, so this pass is safe on any input. Returns the cheap bound.
    """
    bound = _nesting_upper_bound(text)
    if bound <= MAX_DEPTH:
        return bound
    try:
        _refuse_deep_events(text, name, _LibyamlLoader)
    except yaml.MarkedYAMLError:
        # Newer libyaml scans ahead and stops deep nesting with an error of its own before the
        # events reach our limit; the pure-Python parser has no such limit, so it tells absurd
        # nesting (refused in our words) from a real syntax error, whatever libyaml says.
        try:
            _refuse_deep_events(text, name, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(name, exc) from exc
    return bound


def _refuse_deep_events(text: str, name: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise YamlSourceError(f"{name}:{line}: nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _compose_node(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The document's node graph and the loader holding it, composed as PyYAML composes it.

    libyaml composes unless the text or the graph shows one of the inputs where it disagrees
    with PyYAML (Hydra's parser), or it refuses the text: then PyYAML composes, and decides.
    """
    loader: Any
    if not _needs_pure_parser(text):
        loader = _LibyamlLoader(text)
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            node = _NOT_PLAIN  # PyYAML may read what libyaml refuses ("[1, 233:]")
        if node is not _NOT_PLAIN and not (
            node is not None and _may_hold_flow_question(text) and _flow_question(node)
        ):
            return loader, node
        loader.dispose()
    loader = _PyLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _parse_error(name, exc) from exc


def _needs_pure_parser(text: str) -> bool:
    """Whether libyaml may read ``text`` differently from PyYAML, seen in the text: tabs (PyYAML
    refuses a tab where libyaml takes it as part of a scalar or as white space), an empty ``!``
    tag (libyaml reads an empty string, PyYAML null), a comment straight after a block scalar's
    indicator (``|#``: libyaml reads it, PyYAML refuses). Rare in config files, so the fast
    parser keeps reading nearly all of them."""
    return (
        "\t" in text
        or ("!" in text and _BARE_TAG.search(text) is not None)
        or _BLOCK_INDICATOR_COMMENT.search(text) is not None
    )


_BARE_TAG = re.compile(r"(?<![^\s\[{,])!(?![^\s,\]}])")
_BLOCK_INDICATOR_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _may_hold_flow_question(text: str) -> bool:
    """Whether a ``?`` may sit inside a flow collection, seen cheaply in the text: a line with a
    ``?`` after a ``[`` or ``{``, or a flow collection spanning lines (a line whose brackets do
    not balance). Most files with a ``?`` hold it in a block value (``???``, a URL query) and
    skip the walk over their nodes."""
    if "?" not in text or ("[" not in text and "{" not in text):
        return False
    if _QUESTION_AFTER_BRACKET.search(text):
        return True
    return any(
        line.count("[") + line.count("{") != line.count("]") + line.count("}")
        for line in text.splitlines()
        if "[" in line or "{" in line or "]" in line or "}" in line
    )


_QUESTION_AFTER_BRACKET = re.compile(r"[\[{][^\n]*\?")


def _flow_question(root: yaml.Node) -> bool:
    """Whether a plain scalar inside a flow collection holds a ``?`` (``[a?b]``): libyaml reads
    it as text, PyYAML (Hydra's parser) takes the ``?`` for a key indicator."""
    stack = [(root, False)]
    seen: set[int] = set()
    while stack:
        node, in_flow = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and "?" in node.value:  # plain: None or ""
                return True
            continue
        flow = in_flow or bool(getattr(node, "flow_style", False))
        stack.extend((kid, flow) for kid in _children(node))
    return False


def _parse_error(name: str, exc: yaml.YAMLError) -> YamlSourceError:
    if isinstance(exc, yaml.MarkedYAMLError):
        return _syntax_error(name, exc)
    return YamlSourceError(f"{name}: invalid YAML: {exc}")


def _syntax_error(name: str, exc: yaml.MarkedYAMLError) -> YamlSourceError:
    mark = exc.problem_mark or exc.context_mark
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
    problem = exc.problem or exc.context or "syntax error"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    return YamlSourceError(f"{where}: YAML syntax error: {problem}{context}")


def _constructor_error(name: str, exc: yaml.constructor.ConstructorError) -> YamlSourceError:
    mark = exc.problem_mark or exc.context_mark
    where = f"{name}:{mark.line + 1}" if mark else name
    problem = exc.problem or "cannot construct value"
    if "python/" in problem or "could not determine a constructor" in problem:
        return YamlSourceError(
            f"{where}: refused unsafe YAML tag: {problem}",
            hint="confman loads YAML safely; write the value as plain data (e.g. a string)",
        )
    return YamlSourceError(f"{where}: {problem}")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_bounds(root: yaml.Node, name: str) -> None:
    """Refuse alias bombs, cyclic aliases and absurd nesting before anything is constructed.

    Aliases make the node graph a DAG whose expansion can be exponential; a memoised post-order
    walk computes each node's expanded size and depth in time linear in the graph, iteratively so
    that deep input cannot overflow the Python stack.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if expanded:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_EXPANDED_NODES:
                line = node.start_mark.line + 1
                raise YamlSourceError(
                    f"{name}:{line}: aliases expand to more than {MAX_EXPANDED_NODES:,} nodes",
                    hint="this looks like a YAML alias bomb; write the data out explicitly",
                )
            if depth[key] > MAX_DEPTH:
                raise YamlSourceError(
                    f"{name}:{node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlSourceError(
                f"{name}:{node.start_mark.line + 1}: recursive YAML alias",
                hint="an anchor may not contain an alias to itself",
            )
        on_path.add(key)
        stack.append((node, True))
        if len(stack) > MAX_DEPTH * 4 + 1_000_000:
            raise YamlSourceError(f"{name}: document too large to load safely")
        for kid in _children(node):
            kid_key = id(kid)
            if kid_key in on_path:
                raise YamlSourceError(
                    f"{name}:{kid.start_mark.line + 1}: recursive YAML alias",
                    hint="an anchor may not contain an alias to itself",
                )
            if kid_key not in size:
                stack.append((kid, False))


def _note_key(
    key_node: yaml.Node,
    key: str,
    prefix: str,
    seen: dict[str, int],
    lines: dict[str, int],
    duplicates: list[DuplicateKey],
) -> str:
    """Index one explicit key of a mapping (``seen``: its keys so far, with their first line);
    returns the key's dotted path. A later repeat of a key wins its line, as it wins the value."""
    line = key_node.start_mark.line + 1
    path = f"{prefix}{key}"
    if key in seen and key_node.tag == _SCALAR_TAG:
        duplicates.append(DuplicateKey(path=path, first_line=seen[key], line=line))
    seen.setdefault(key, line)
    lines[path] = line
    return path


def _index_keys(
    root: yaml.Node,
    root_prefix: str,
    lines: dict[str, int],
    duplicates: list[DuplicateKey],
) -> None:
    """Record the line of every mapping key (by dotted path) and every duplicate key.

    Runs on the graph before construction, where ``<<`` merge keys are still unflattened, so a
    duplicate is what the author wrote twice, not a key a merge legitimately overrides. Merged
    keys take the line of the anchored mapping they came from; explicit keys win over merged
    ones, and an earlier merge source wins over a later one, as in YAML's merge semantics.
    Sequences are leaves here: Hydra merges lists as a whole.
    """
    work: list[tuple[yaml.MappingNode, str]] = []
    if isinstance(root, yaml.MappingNode):
        work.append((root, root_prefix))
    while work:
        node, prefix = work.pop()
        seen: dict[str, int] = {}
        merged: list[yaml.MappingNode] = []
        nested: list[tuple[yaml.MappingNode, str]] = []  # visited in document order
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                merged.extend(s for s in sources if isinstance(s, yaml.MappingNode))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            path = _note_key(key_node, _key_text(key_node), prefix, seen, lines, duplicates)
            if isinstance(value_node, yaml.MappingNode):
                nested.append((value_node, f"{path}."))
            elif path == "defaults" and isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    lines[f"defaults[{index}]"] = item.start_mark.line + 1
        for source in merged:
            for key_node, value_node in _flat_pairs(source):
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = _key_text(key_node)
                if key in seen:
                    continue
                seen[key] = key_node.start_mark.line + 1
                path = f"{prefix}{key}"
                lines[path] = seen[key]
                if isinstance(value_node, yaml.MappingNode):
                    nested.append((value_node, f"{path}."))
        work.extend(reversed(nested))


_key_constructor = yaml.constructor.SafeConstructor()


def _key_text(node: yaml.ScalarNode) -> str:
    """A key as the composed config spells it: ``off:`` is the bool key ``False``, ``1:`` an int.

    Keys are looked up by ``str()`` of the constructed key, so a plain-scalar key that YAML
    resolves to a bool, null, int or float must be indexed under that spelling, not its source text.
    """
    if node.tag == _STR_TAG or node.tag == _SCALAR_TAG:
        return str(node.value)
    try:
        return str(_key_constructor.construct_object(node))
    except (yaml.YAMLError, ValueError, TypeError):
        return str(node.value)


def _flat_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """The pairs of a mapping with its own ``<<`` merges expanded (explicit keys first)."""
    pairs = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                pairs.extend(_flat_pairs(source))
    return pairs


#: Most files whose parse is kept (a parse holds the file's text, values and line index).
MAX_PARSED = 50_000
_cache: Bounded[str, tuple[int, int, ParsedYaml]] = Bounded("parsed YAML files", MAX_PARSED)


def load_yaml_file(path: str | Path, *, name: str | None = None, cache: bool = True) -> ParsedYaml:
    """Read and parse one YAML file, reusing the parse while path, mtime and size are unchanged.

    Args:
        path: the file to read.
        name: how to name the file in messages (default: the path).
        cache: False to bypass the per-process parse cache.

    Raises:
        YamlSourceError: unreadable, binary, non-UTF-8, oversized or invalid YAML.
    """
    full = os.fspath(path)
    label = name or full
    try:
        stat = os.stat(full)
    except OSError as exc:
        raise YamlSourceError(f"{label}: cannot read file: {exc.strerror}") from exc
    if cache:
        hit = _cache.get(full)
        if hit is not None and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
            parsed = hit[2]
            return parsed if parsed.name == label else _renamed(parsed, label)
    if stat.st_size > MAX_FILE_BYTES:
        raise YamlSourceError(
            f"{label}: file is {stat.st_size:,} bytes; config files are limited to "
            f"{MAX_FILE_BYTES:,}"
        )
    try:
        with open(full, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise YamlSourceError(f"{label}: cannot read file: {exc.strerror}") from exc
    parsed = parse_yaml(_decode(raw, label), name=label)
    if raw.startswith(codecs.BOM_UTF8):
        parsed = replace(parsed, text="\ufeff" + parsed.text)
    if cache:
        _cache.put(full, (stat.st_mtime_ns, stat.st_size, parsed))
    return parsed


def _renamed(parsed: ParsedYaml, name: str) -> ParsedYaml:
    return replace(parsed, name=name)


def _decode(raw: bytes, label: str) -> str:
    if b"\x00" in raw:
        raise YamlSourceError(
            f"{label}: looks like a binary file (NUL byte), not YAML",
            hint="remove it from the config tree or give it another extension",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSourceError(
            f"{label}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="save the file as UTF-8",
        ) from exc


def cached_parses(paths: list[Path]) -> list[tuple[str, int, int, ParsedYaml]]:
    """This process's cached parses of ``paths`` (those it has), to hand to another process."""
    found = [(full, _cache.get(full)) for full in map(os.fspath, paths)]
    return [(full, *hit) for full, hit in found if hit is not None]


def adopt_parses(entries: list[tuple[str, int, int, ParsedYaml]]) -> None:
    """Cache parses another process made (lint's forked child parses a share of the tree).

    Each entry keeps the modification time and size its file had when parsed, so a file that
    changed since is parsed again, exactly as for this process's own entries.
    """
    for full, mtime_ns, size, parsed in entries:
        _cache.put(full, (mtime_ns, size, parsed))


def clear_cache() -> None:
    """Forget every cached parse (``confman.caches.clear`` forgets every cache)."""
    _cache.clear()
