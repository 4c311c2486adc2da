"""Migrate one YAML config file: ruamel.yaml reads it, edits land where ruamel says the key is.

ruamel.yaml's round-trip loader gives every key and value its line and column. Each change is
made at exactly those positions (a key's name, a value's token, the lines of a key's block), so
every other byte of the file (comments, order, quoting, indentation, ``null`` spellings, blank
lines) stays as written; re-dumping the whole document would normalise all of them. The file is
read again after each edit, so every position comes from the parser, never from a search.

A file lands at its package (``# @package`` header, else its group folder, the root for primary
configs): ``optimizer.lr`` is ``lr`` in ``optimizer/adam.yaml`` and ``optimizer.lr`` in a
``_global_`` experiment.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from confman.errors import ConfmanError
from confman.migrate.plan import Step, repoint_text
from confman.yamlsource import parse_yaml

__all__ = ["Hit", "Rewrite", "file_package", "rewrite_yaml"]

#: The most edits one step makes in one file (each re-reads the file): a bound, not a budget.
MAX_EDITS = 500


@dataclass(frozen=True)
class Hit:
    """One use of an old name: where it is and which declared change it falls under."""

    line: int
    step: Step
    what: str

    def message(self) -> str:
        return f"{self.what}: {self.step.describe()}"


@dataclass
class Rewrite:
    """A file's text after the plan, the uses of old names found, and edits refused."""

    text: str
    hits: list[Hit] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def file_package(text: str, group: str) -> str:
    """Where a file lands as a dotted path (``""``: the root), from its header and group."""
    from hydra.plugins.config_source import ConfigSource

    own = group.replace("/", ".")
    try:
        package = ConfigSource._get_header_dict(text).get("package")
    except ValueError:
        package = None
    if package is None:
        return own
    return str(package).replace("_group_", own).removeprefix("_global_").lstrip(".")


def _load(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True  # confman's loader reports them; the proof judges the edit
    return yaml.load(io.StringIO(text))


def _local(key: str, package: str) -> str | None:
    if not package:
        return key
    if key.startswith(package + "."):
        return key[len(package) + 1 :]
    return None


def _find(doc: Any, local: str) -> tuple[Any, str] | None:
    """(parent mapping, last name) of ``local`` in the document, when the key is there."""
    from ruamel.yaml.comments import CommentedMap

    node = doc
    parts = local.split(".")
    for part in parts[:-1]:
        if not isinstance(node, CommentedMap) or part not in node:
            return None
        node = node[part]
    if isinstance(node, CommentedMap) and parts[-1] in node:
        return node, parts[-1]
    return None


def _token_end(line: str, col: int, flow: bool) -> int:
    """End column of the scalar token starting at ``col`` (quoted or plain)."""
    if col < len(line) and line[col] in "'\"":
        quote, i = line[col], col + 1
        while i < len(line):
            if line[i] == quote:
                if quote == "'" and i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                return i + 1
            i += 2 if quote == '"' and line[i] == "\\" else 1
        return len(line)
    end = len(line)
    stops = [" #", ",", "]", "}"] if flow else [" #"]
    for stop in stops:
        found = line.find(stop, col)
        if found != -1:
            end = min(end, found)
    if not flow and line.rstrip().endswith(":"):
        end = min(end, line.find(":", col))
    return len(line[:end].rstrip())


def _key_end(line: str, col: int) -> int:
    if col < len(line) and line[col] in "'\"":
        return _token_end(line, col, True)
    end = line.find(":", col)
    return end if end != -1 else len(line)


def _scalar(value: Any, quote: str | None) -> str:
    if isinstance(value, str):
        if quote == "'":
            return "'" + value.replace("'", "''") + "'"
        if quote == '"':
            return json.dumps(value)
        import yaml

        plain = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
        return plain.removesuffix("\n...").removesuffix("...").strip()
    if value is None:
        return "null"
    return json.dumps(value)


def _block_end(lines: list[str], start: int, col: int) -> int:
    """Index after the last line of the block whose key sits at ``lines[start]``, column
    ``col``: the following lines indented deeper (blank lines inside it included)."""
    end = start + 1
    probe = end
    while probe < len(lines):
        text = lines[probe]
        stripped = text.strip()
        if stripped and (len(text) - len(text.lstrip())) <= col:
            break
        if stripped and not (stripped.startswith("#") and len(text) - len(text.lstrip()) <= col):
            end = probe + 1
        probe += 1
    return end


class _File:
    def __init__(self, text: str, package: str, name: str) -> None:
        self.text = text
        self.package = package
        self.name = name
        self.out = Rewrite(text)
        #: per current line, its number in the file as given (0: a line the migration wrote)
        self.origin = list(range(1, len(self.lines) + 1))

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    def set_lines(self, lines: list[str]) -> None:
        self.text = "".join(lines)

    def replace(self, line: int, start: int, end: int, new: str) -> None:
        lines = self.lines
        body = lines[line]
        lines[line] = body[:start] + new + body[end:]
        self.set_lines(lines)

    def doc(self) -> Any:
        return _load(self.text)

    def run(self, step: Step) -> None:
        local = _local(step.key, self.package)
        if local is not None and local.split(".")[0] != "defaults":
            for _ in range(1 if step.kind == "values" else MAX_EDITS):
                if not self._one(step, local):
                    break
        elif step.new is not None and self.package and step.covers(self.package):
            self.out.refused.append(
                (
                    1,
                    f"{step.describe()}, and this file is placed at '{self.package}': "
                    "change its @package header or move the file by hand",
                )
            )
        if step.new is not None:  # interpolations are absolute: any file may name the key
            self._repoint(step)
            self._override_keys(step)

    def _one(self, step: Step, local: str) -> bool:
        """Make one edit for ``step``; False when nothing is left to do."""
        found = _find(self.doc(), local)
        if found is None:
            return False
        parent, last = found
        line, col = parent.lc.key(last)
        if step.kind == "values":
            return self._value(step, parent, last)
        self.out.hits.append(Hit(self.origin[line], step, "key"))
        if step.kind == "rename" or _sibling(step):
            assert step.new is not None
            body = self.lines[line]
            self.replace(line, col, _key_end(body, col), step.new.rpartition(".")[2])
            return True
        if parent.fa.flow_style():
            self.out.refused.append(
                (self.origin[line], f"{step.describe()}: the key is in a flow mapping")
            )
            return False
        if len(parent) == 1 and parent is not self.doc() and step.kind == "remove":
            self.out.refused.append(
                (self.origin[line], f"{step.describe()}: it is the only key of its mapping")
            )
            return False
        if step.kind == "move" and _local(step.new or "", self.package) is None:
            self.out.refused.append(
                (
                    self.origin[line],
                    f"{step.describe()}: '{step.new}' is outside this file's "
                    f"package '{self.package}'; move the value by hand",
                )
            )
            return False
        lines = self.lines
        end = _block_end(lines, line, col)
        block, origins = lines[line:end], self.origin[line:end]
        del lines[line:end], self.origin[line:end]
        self.set_lines(lines)
        if step.kind == "move" and not self._insert(step, block, col, origins):
            lines = self.lines  # put the block back where it was
            lines[line:line] = block
            self.origin[line:line] = origins
            self.set_lines(lines)
            return False
        return True

    def _value(self, step: Step, parent: Any, last: str) -> bool:
        value = parent[last]
        hit, new = step.mapped(value)
        if not hit:
            return False
        line, col = parent.lc.value(last)
        body = self.lines[line]
        end = _token_end(body, col, bool(parent.fa.flow_style()))
        quote = body[col] if body[col : col + 1] in ("'", '"') else None
        self.out.hits.append(Hit(self.origin[line], step, "value"))
        self.replace(line, col, end, _scalar(new, quote))
        return True

    def _insert(self, step: Step, block: list[str], col: int, origins: list[int]) -> bool:
        """Put a cut key block at ``step.new`` (within this file's package), parents made."""
        assert step.new is not None
        local = _local(step.new, self.package)
        assert local is not None
        doc = self.doc()
        parts = local.split(".")
        node, depth = doc, 0
        from ruamel.yaml.comments import CommentedMap

        while depth < len(parts) - 1 and isinstance(node, CommentedMap) and parts[depth] in node:
            child = node[parts[depth]]
            if not isinstance(child, CommentedMap) or child.fa.flow_style():
                self.out.refused.append((1, f"{step.describe()}: cannot write under '{step.new}'"))
                return False
            node, depth = child, depth + 1
        lines = self.lines
        if node is doc or not isinstance(node, CommentedMap) or not node:
            indent = 0 if node is doc else 2 * depth
            at = len(lines)
        else:
            first = next(iter(node))
            indent = node.lc.key(first)[1]
            last_key = list(node)[-1]
            last_line, last_col = node.lc.key(last_key)
            at = _block_end(lines, last_line, last_col)
        step_indent = 2
        made = []
        for i, part in enumerate(parts[depth:-1]):
            made.append(" " * (indent + i * step_indent) + f"{part}:\n")
        inner = indent + (len(parts) - 1 - depth) * step_indent
        moved = []
        for i, text in enumerate(block):
            shifted = " " * inner + text[col:] if text.strip() else text
            if i == 0:
                key_end = _key_end(shifted, inner)
                shifted = " " * inner + parts[-1] + shifted[key_end:]
            moved.append(shifted)
        if at == len(lines) and lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines[at:at] = made + moved
        self.origin[at:at] = [0] * len(made) + origins
        self.set_lines(lines)
        return True

    def _repoint(self, step: Step) -> None:
        """``${old}`` interpolations anywhere in the file now name the new key."""
        assert step.new is not None
        for _ in range(MAX_EDITS):
            spot = next(_strings_with(self.doc(), step.key), None)
            if spot is None:
                return
            line, col = spot
            body = self.lines[line]
            new = body[:col] + repoint_text(body[col:], step.key, step.new)
            if new == body:
                return
            self.out.hits.append(Hit(self.origin[line], step, "interpolation"))
            lines = self.lines
            lines[line] = new
            self.set_lines(lines)

    def _override_keys(self, step: Step) -> None:
        """A dotted mapping key is an override key (a W&B sweep's ``parameters``, a Hydra
        sweeper's ``params``): one naming the old key now names the new one."""
        assert step.new is not None
        for _ in range(MAX_EDITS):
            spot = next(_dotted_keys(self.doc(), step.key), None)
            if spot is None:
                return
            line, col = spot
            body = self.lines[line]
            end = _key_end(body, col)
            at = body.index(step.key, col, end)
            self.out.hits.append(Hit(self.origin[line], step, "override key"))
            self.replace(line, at, at + len(step.key), step.new)


def _dotted_keys(doc: Any, key: str) -> Iterator[tuple[int, int]]:
    """(line, column) of each mapping key that, as an override key, names ``key`` or below."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, CommentedMap):
            for name, value in node.items():
                bare = name.lstrip("+~") if isinstance(name, str) else ""
                if "." in bare and (bare == key or bare.startswith(key + ".")):
                    yield node.lc.key(name)
                stack.append(value)
        elif isinstance(node, CommentedSeq):
            stack.extend(node)


def _sibling(step: Step) -> bool:
    """A move that keeps the parent: the key's name changes in place, as for a rename."""
    return step.new is not None and step.new.rpartition(".")[0] == step.key.rpartition(".")[0]


def _strings_with(doc: Any, key: str) -> Iterator[tuple[int, int]]:
    """(line, column) of each string scalar holding an interpolation of ``key``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    seen: set[int] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CommentedMap):
            items = [(node.lc.value(k), v) for k, v in node.items()]
        elif isinstance(node, CommentedSeq):
            items = [(node.lc.item(i), v) for i, v in enumerate(node)]
        else:
            continue
        for where, value in items:
            if isinstance(value, str) and repoint_text(value, key, key + "\0") != value:
                yield where
            elif isinstance(value, CommentedMap | CommentedSeq):
                stack.append(value)


def rewrite_yaml(text: str, steps: tuple[Step, ...], *, package: str, name: str) -> Rewrite:
    """``text`` with every step applied where this file writes the key.

    Raises:
        ConfmanError: the file is not YAML confman reads (confman's own safe loader decides,
            before ruamel.yaml sees it).
    """
    parse_yaml(text, name=name)  # bounds, tags and duplicate keys are checked as Hydra reads
    work = _File(text, package, name)
    relevant = [s for s in steps if s.key.rpartition(".")[2] in text]
    for step in relevant:
        try:
            work.run(step)
        except ConfmanError:
            raise
        except Exception as exc:  # ruamel.yaml refused what confman's loader read
            work.out.refused.append((1, f"ruamel.yaml cannot edit this file: {exc}"))
            break
    work.out.text = work.text
    work.out.hits.sort(key=lambda hit: hit.line)
    return work.out
