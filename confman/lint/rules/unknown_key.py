"""CM302 unknown-key: a file writing into another package sets a key nothing else defines.

What it does:
    Finds every option file that writes outside its own group: experiments and other options
    with ``# @package _global_``, or ``# @package <node>`` into another group's node. In each
    composition that uses such a file (every composition of the lint, and, for a packaged
    option no composition selects, the primary with ``group=option``), it flags leaves written
    only by that file that nothing else defines at that path: no primary, no other composition,
    and no option of any group composed with its own defaults list (at the package its header
    or its selection gives it). Hydra merges them without complaint, so a typo
    (``optimizer.lrr``) silently adds a key and leaves the real one untouched. The message
    suggests the closest existing key.

    Not flagged, since Hydra or the project takes any key there: a whole new section (no
    sibling defined elsewhere), keys under a node with ``_target_`` (extra keyword arguments)
    or ``_name_``/``_name`` (a registry picks the class by name), keys inside a keyword bag
    (``args``, ``kwargs``, ``params``, ``model_kwargs``...), keys a ``# @package _global_``
    option writes under its own group's node (``scheduler/cosine.yaml`` writing
    ``scheduler.T_max``: it defines its group's keys), and keys whose name the Python code reads.

Why it matters:
    The experiment claims to change the learning rate; the run used the default.

Example:
    # experiment/fast.yaml           # preset/ci.yaml
    # @package _global_              # @package _global_
    optimizer:                       trainer:
      lrr: 0.05    # CM302             max_epoch: 1   # CM302: did you mean 'max_epochs'?

Instead:
    Fix the spelling, or define the key (with a default) in the option that owns it.

    An option no composition uses whose ``# @package`` header Hydra cannot read (``# @package
    _global_  # note``) is reported as CM000 here, since nothing else loads it.

Options:
    none.

Known problems:
    A typo of a keyword argument under a ``_target_`` node, or of a key the code happens to
    read under another name elsewhere, is not caught. Keys read by code the lint cannot see
    (a library's dataclass) look unknown unless a ``_target_``/``_name_`` or a sibling option
    vouches for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hydra.plugins.config_source import ConfigSource
from omegaconf import DictConfig

from confman.compose import Composed, DefaultsNode
from confman.compose.plain import PlainComposed, plain_node, select
from confman.errors import did_you_mean
from confman.lint.context import Composition, LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity
from confman.lint.optioncomp import option_compositions

CODE = "CM302"
NAME = "unknown-key"
LEVEL: Severity = "error"
#: keys that make a node the arguments of a class picked by them: extra keys are arguments
SELECTOR_KEYS = ("_target_", "_name_", "_name")
_KWARGS = re.compile(r"^(\w+_)?(args|kwargs|params)$")


_Header = tuple[dict[str, str | None], str | None]
#: dotted path -> the files that write it or a key below it; and -> those that write below it
_Writers = tuple[dict[str, set[str]], dict[str, set[str]]]


def _header(yf: YamlFile) -> _Header:
    """Hydra's reading of the file's ``# @package`` header, and why it fails if it does."""
    text = yf.parsed.header_text if yf.parsed else ""
    if "@" not in text:  # Hydra's reader only takes lines starting "# @"
        return {"package": None}, None
    try:
        return ConfigSource._get_header_dict(text), None
    except ValueError as exc:
        return {}, str(exc)


def _foreign(yf: YamlFile, header: _Header) -> bool:
    """True when a group option's ``# @package`` header puts it outside its own group."""
    found, error = header
    if yf.group is None or yf.parsed is None or error:
        return False
    # Hydra's own header reader: only the leading run of ``# @key value`` lines counts
    package = found.get("package")
    if not package:
        return False
    own = yf.group.replace("/", ".")
    package = package.replace("_group_", own).removeprefix("_global_").lstrip(".")
    return not (package == own or package.startswith(own + "."))


def _files(node: DefaultsNode) -> set[str]:
    """Config-dir-relative files a composition loaded, from its defaults tree (cheap: no
    walk over every leaf's provenance)."""
    out = {f"{node.config_path}.yaml"} if node.config_path else set()
    for child in node.children:
        out |= _files(child)
    return out


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    used = {rel for comp in ctx.compositions for rel in _files(comp.composed.defaults_tree)}
    headers = {rel: _header(yf) for rel, yf in ctx.files.items()}
    for rel, yf in sorted(ctx.files.items()):
        error = headers[rel][1] if rel not in used else None
        if error:  # a used file's bad header already failed its composition (CM000 there)
            yield Diagnostic(
                yf.shown,
                1,
                1,
                "CM000",
                "input-error",
                f"Hydra cannot read the header of {rel}: {error}",
                severity="error",
                fix="write the header as '# @package <package>' with nothing after it",
            )
        package = headers[rel][0].get("package")
        if package and "" in package.split("."):
            yield Diagnostic(
                yf.shown,
                1,
                1,
                "CM000",
                "input-error",
                f"'# @package {package}' has an empty part: Hydra puts the keys of {rel} under "
                "keys named ''",
                severity="error",
                fix="name the package: '# @package _global_', '_group_' or a dotted key path",
            )
    foreign = {rel for rel, yf in ctx.files.items() if _foreign(yf, headers[rel])}
    if not foreign:
        return
    seen: set[tuple[str, int]] = set()
    # a packaged option no composition selects is composed in place among the variants
    compositions = [*ctx.compositions, *ctx.variants]
    known, below = _writers(ctx, compositions)
    read = ctx.python.names | ctx.python.identifiers  # names the code reads or passes on
    for comp in compositions:
        exp_files = foreign & _files(comp.composed.defaults_tree)
        if not exp_files:
            continue
        for path, writes in comp.composed.provenance.items():
            win = writes[-1]
            if win.file not in exp_files:  # (None included) only the experiment's own keys
                continue
            files = {w.file for w in writes if w.kind == "file"}
            if len(files) != 1 or (win.file, win.line or 1) in seen:
                continue
            if known.get(path, set()) - {win.file}:
                continue  # another file defines it (another option of its group, a base...)
            parent, _, leaf = path.rpartition(".")
            if (
                _own_node(ctx, win.file, path)
                or leaf in read
                or _open_node(parent, known, below, win.file)
            ):
                continue
            siblings = [
                k
                for k in _keys_at(comp.composed, parent)
                if k != leaf and known.get(f"{parent}.{k}" if parent else k, set()) - {win.file}
            ]
            if not siblings:
                continue  # a whole new section: the file owns it
            seen.add((win.file, win.line or 1))
            hint = did_you_mean(leaf, [str(s) for s in siblings])
            yield Diagnostic(
                ctx.shown(win.file),
                win.line or 1,
                1,
                CODE,
                NAME,
                f"unknown key '{path}': no primary, group option or other composition defines it"
                + (f"; {hint}" if hint else ""),
                severity=LEVEL,
                fix="fix the spelling or define the key where it belongs",
                key=path,
            )


def _writers(ctx: LintContext, compositions: list[Composition]) -> _Writers:
    """Dotted path -> every file that writes it or a key below it, in any composition and in
    any group option composed with its own defaults list (at its package); and the same for the
    keys strictly below it."""
    out: dict[str, set[str]] = {}
    below: dict[str, set[str]] = {}
    histories = [comp.composed.provenance for comp in compositions]
    histories += [oc.provenance for oc in option_compositions(ctx).values()]
    for provenance in histories:
        for path, writes in provenance.items():
            files = {w.file for w in writes if w.kind == "file" and w.file is not None}
            if not files:
                continue
            known = out.get(path)
            if known is not None and files <= known:
                continue  # every prefix got these files with it: compositions repeat most paths
            parts = path.split(".")
            out.setdefault(path, set()).update(files)
            for end in range(len(parts) - 1, 0, -1):
                prefix = ".".join(parts[:end])
                out.setdefault(prefix, set()).update(files)
                below.setdefault(prefix, set()).update(files)
    return out, below


def _keys_at(composed: Composed | PlainComposed, parent: str) -> list[str]:
    """The keys of the mapping at ``parent`` (the root when empty), as OmegaConf selects it:
    read off the plain data when a walk of mappings reaches it, which spares building the whole
    composition as nodes (graphium: 36 of them, most of CM302's time)."""
    if not parent:
        found, node = isinstance(composed, PlainComposed), getattr(composed, "container", None)
    else:
        found, node = plain_node(composed, parent)
    if not (found and isinstance(node, dict)):
        node = select(composed, parent) if parent else composed.config
    return [str(k) for k in node] if isinstance(node, DictConfig | dict) else []


def _own_node(ctx: LintContext, rel: str | None, path: str) -> bool:
    """True when a packaged option writes under its own group's node (``scheduler/cosine.yaml``
    with ``# @package _global_`` writing ``scheduler.T_max``): it defines its group's keys."""
    yf = ctx.files.get(rel) if rel else None
    if yf is None or yf.group is None:
        return False
    own = yf.group.replace("/", ".")
    return path.startswith(own + ".") or own.endswith("." + path.split(".")[0])


def _open_node(
    parent: str, known: dict[str, set[str]], below: dict[str, set[str]], file: str
) -> bool:
    """True when the key sits under a node that takes any key: one some file gives a
    ``_target_`` (Hydra passes extra keys on as keyword arguments) or ``_name_``/``_name`` (a
    registry picks the class by name, fairseq's and others' convention), a keyword bag (``args``,
    ``model_kwargs``), or one no other file gives keys of its own (a free-form mapping)."""
    if not parent:
        return False
    parts = parent.split(".")
    if any(_KWARGS.match(part) for part in parts):
        return True
    for end in range(len(parts), 0, -1):
        if any(f"{'.'.join(parts[:end])}.{k}" in known for k in SELECTOR_KEYS):
            return True
    return not below.get(parent, set()) - {file}
